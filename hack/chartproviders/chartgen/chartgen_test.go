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

package chartgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/hookkeeper/hookkeeper/providers/catalog"
	"github.com/hookkeeper/hookkeeper/providers/catalog/catalogtest"
)

const root = "../../.."

// TestChartIsGenerated: the chart's providers values and the samples' list are what the catalog
// makes of them.
func TestChartIsGenerated(t *testing.T) {
	stale, err := Run(root, catalog.All(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("%s not up to date with providers/catalog: run go generate ./providers/catalog", strings.Join(stale, ", "))
	}
}

// TestChartOfTheTestsCatalog: for the tests' catalog, the example included, the generator adds a
// providers entry of the example to values.yaml, the schema and the README, and its sample to the
// samples' kustomization, and writing it again
// changes nothing.
func TestChartOfTheTestsCatalog(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{ValuesFile, SchemaFile, ReadmeFile, SamplesFile} {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	descs := catalogtest.All()
	ex := descs[len(descs)-1]
	if stale, err := Run(dir, descs, true); err != nil || len(stale) != 4 {
		t.Fatalf("generating the tests' catalog changed %q (%v), want the four files", stale, err)
	}
	if stale, err := Run(dir, descs, false); err != nil || len(stale) != 0 {
		t.Fatalf("generating again would change %q (%v)", stale, err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, ValuesFile))
	var values struct {
		Providers map[string]map[string]any `json:"providers"`
	}
	if err := yaml.Unmarshal(data, &values); err != nil {
		t.Fatal(err)
	}
	if got := values.Providers[ex.Name]; got["apiUrl"] != ex.APIURL.Default || got["qps"] != ex.DefaultQPS || len(values.Providers) != len(descs) {
		t.Errorf("values.yaml's providers: %v", values.Providers)
	}
	data, _ = os.ReadFile(filepath.Join(dir, SchemaFile))
	var schema struct {
		Properties struct {
			Providers struct {
				Properties map[string]any `json:"properties"`
			} `json:"providers"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	if _, ok := schema.Properties.Providers.Properties[ex.Name]; !ok || len(schema.Properties.Providers.Properties) != len(descs) {
		t.Errorf("the schema's providers: %v", schema.Properties.Providers.Properties)
	}
	data, _ = os.ReadFile(filepath.Join(dir, ReadmeFile))
	if !strings.Contains(string(data), "\n| `providers."+ex.Name+".qps` | ") {
		t.Errorf("the README has no row of providers.%s.qps", ex.Name)
	}
	data, _ = os.ReadFile(filepath.Join(dir, SamplesFile))
	if !strings.HasSuffix(string(data), "\n- "+ex.Name+".yaml\n") {
		t.Errorf("the samples' kustomization does not end with %s.yaml:\n%s", ex.Name, data)
	}
}
