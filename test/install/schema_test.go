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
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestChartSchemaRefusesTypos: values.schema.json refuses a misspelled value and a value of the
// wrong type, before anything renders, with a message that names the value by its path.
func TestChartSchemaRefusesTypos(t *testing.T) {
	for _, c := range []struct {
		name   string
		values string // a values file
		set    []string
		want   string
	}{
		{name: "misspelled top-level value", set: []string{"replica=2"}, want: `at '': additional properties 'replica' not allowed`},
		{name: "misspelled top-level value in a file", values: "replicaCount: 2\nwatchNamespace: [team-a]\n", want: `at '': additional properties 'watchNamespace' not allowed`},
		{name: "misspelled nested value", set: []string{"operator.logs.level=debug"}, want: `at '/operator': additional properties 'logs' not allowed`},
		{name: "misspelled toggle", set: []string{"dashboards.enable=true"}, want: `at '/dashboards': additional properties 'enable' not allowed`},
		{name: "wrongly typed value", set: []string{"replicaCount=two"}, want: `at '/replicaCount': got string, want integer`},
		{name: "wrongly typed value in a file", values: "leaderElection:\n  enabled: \"yes\"\n", want: `at '/leaderElection/enabled': got string, want boolean`},
		{name: "wrongly typed list", values: "operator:\n  extraArgs: --zap-devel\n", want: `at '/operator/extraArgs': got string, want array`},
		{name: "value outside its enum", set: []string{"operator.log.encoder=text"}, want: `at '/operator/log/encoder': value must be one of '', 'json', 'console'`},
		{name: "duration without a unit", set: []string{"operator.resyncPeriod=600"}, want: `at '/operator/resyncPeriod': got number, want string`},
		{name: "malformed duration", set: []string{"operator.httpTimeout=30 seconds"}, want: `at '/operator/httpTimeout': '30 seconds' does not match pattern`},
		{name: "pull policy", set: []string{"image.pullPolicy=always"}, want: `at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'`},
		{name: "provider URL without a scheme", set: []string{"providers.webex.apiUrl=webexapis.com/v1"}, want: `at '/providers/webex/apiUrl'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var args []string
			if c.values != "" {
				f := filepath.Join(t.TempDir(), "values.yaml")
				if err := os.WriteFile(f, []byte(c.values), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "-f", f)
			}
			for _, s := range c.set {
				args = append(args, "--set", s)
			}
			_, err := helmTemplate(t, kustomizeNamespace, args...)
			if err == nil {
				t.Fatalf("helm template %v succeeded", args)
			}
			if !strings.Contains(err.Error(), "values don't meet the specifications of the schema") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("helm template %v failed without the schema saying %q: %v", args, c.want, err)
			}
		})
	}
	// global is shared with a parent chart, which may put anything in it: not refused.
	for _, set := range []string{"global.imageRegistry=registry.example.com", "global.parentValue=1"} {
		if _, err := helmTemplate(t, kustomizeNamespace, "--set", set); err != nil {
			t.Errorf("--set %s: %v", set, err)
		}
	}
}

// TestChartSchemaDescribesEveryValue: every value of values.yaml and ci/everything-values.yaml
// has a description in values.schema.json, down to the free-form maps and lists (labels,
// affinity, ...) whose content is Kubernetes'.
func TestChartSchemaDescribesEveryValue(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatalf("values.schema.json: %v", err)
	}
	for _, file := range []string{filepath.Join(chartDir, "values.yaml"), everythingValues} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var values map[string]any
		if err := yaml.Unmarshal(data, &values); err != nil {
			t.Fatal(err)
		}
		var missing []string
		var walk func(path string, v any, s map[string]any)
		walk = func(path string, v any, s map[string]any) {
			m, ok := v.(map[string]any)
			if !ok {
				return
			}
			props, ok := s["properties"].(map[string]any)
			if !ok {
				return // a free-form map: its keys are the user's
			}
			for k, child := range m {
				ps, ok := props[k].(map[string]any)
				if !ok {
					missing = append(missing, strings.TrimPrefix(path+"."+k, "."))
					continue
				}
				walk(path+"."+k, child, ps)
			}
		}
		walk("", values, schema)
		sort.Strings(missing)
		for _, m := range missing {
			t.Errorf("%s: %s is not in values.schema.json", filepath.Base(file), m)
		}
	}
}
