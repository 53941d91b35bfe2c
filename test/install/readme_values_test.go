/*
Copyright 2026 The hookkeeper Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package install

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/yaml"
)

// valueLeaves lists the values of v as the chart's README documents them, by path: a value is a
// leaf unless it is a non-empty map whose schema lists its properties (a map the schema leaves
// free-form, such as resources.requests or podAnnotations, is documented whole).
func valueLeaves(path string, v any, schema map[string]any, leaves map[string]any) {
	m, isMap := v.(map[string]any)
	props, hasProps := schema["properties"].(map[string]any)
	if !isMap || len(m) == 0 || !hasProps {
		leaves[path] = v
		return
	}
	for k, child := range m {
		s, _ := props[k].(map[string]any)
		valueLeaves(strings.TrimPrefix(path+"."+k, "."), child, s, leaves)
	}
}

// schemaHas reports whether values.schema.json describes the value at path.
func schemaHas(schema map[string]any, path string) bool {
	for _, k := range strings.Split(path, ".") {
		props, ok := schema["properties"].(map[string]any)
		if !ok {
			return false
		}
		if schema, ok = props[k].(map[string]any); !ok {
			return false
		}
	}
	return true
}

var readmeValueRow = regexp.MustCompile("^\\| `([^`]+)` \\| (`[^`]*`|unset) \\| .*\\|$")

// TestChartReadmeValuesTable: the Values table of dist/chart/README.md lists every value of
// values.yaml, once, with its default, and no value that values.yaml does not have (save, with
// the default "unset", one values.schema.json describes that values.yaml leaves unset).
func TestChartReadmeValuesTable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(chartDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(data, &values); err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	leaves := map[string]any{}
	valueLeaves("", values, schema, leaves)

	// The table: from its header under "## Values" to the first line that is not a row.
	_, section, ok := strings.Cut(string(readme), "\n## Values\n")
	if !ok {
		t.Fatal(`dist/chart/README.md has no "## Values" section`)
	}
	_, table, ok := strings.Cut(section, "\n| Value | Default | Description |\n|---|---|---|\n")
	if !ok {
		t.Fatal("the Values section of dist/chart/README.md has no | Value | Default | Description | table")
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		m := readmeValueRow.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("README row not of the form | `path` | `default` | description |: %s", line)
			continue
		}
		path, def := m[1], m[2]
		if documented[path] {
			t.Errorf("README: %s is documented twice", path)
		}
		documented[path] = true
		want, ok := leaves[path]
		if !ok {
			if def != "unset" || !schemaHas(schema, path) {
				t.Errorf("README documents %s, which values.yaml does not have", path)
			}
			continue
		}
		var got any
		if err := yaml.Unmarshal([]byte(strings.Trim(def, "`")), &got); err != nil {
			t.Errorf("README: the default of %s, %s, is not YAML: %v", path, def, err)
			continue
		}
		if !equality.Semantic.DeepEqual(normalizeJSON(t, got), normalizeJSON(t, want)) {
			t.Errorf("README: the default of %s is %s, values.yaml has %v", path, def, want)
		}
	}
	for path := range leaves {
		if !documented[path] {
			t.Errorf("README: %s (values.yaml) is not in the Values table", path)
		}
	}
}

// normalizeJSON makes numbers, maps and lists compare alike whatever decoded them.
func normalizeJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
