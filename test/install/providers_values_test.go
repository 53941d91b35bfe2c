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
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/hack/chartproviders/chartgen"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
	"github.com/hookkeeper/hookkeeper/providers/catalog/catalogtest"
)

// TestChartProvidersFromTheCatalog: the chart's providers map has exactly the catalog's
// providers, and the Deployment renders each one's base URL flag and --provider-qps item from it:
// by default the descriptors' defaults, and with every entry set, each value in its own flag. A
// name the catalog lacks is refused.
func TestChartProvidersFromTheCatalog(t *testing.T) {
	itemsOf := func(args map[string]string) []string {
		items := strings.Split(args["provider-qps"], ",")
		slices.Sort(items)
		return items
	}
	var defaults, set, want []string
	for i, d := range catalog.All() {
		defaults = append(defaults, d.Name+"="+strconv.FormatFloat(d.DefaultQPS, 'g', -1, 64))
		set = append(set, "--set", fmt.Sprintf("providers.%s.qps=%d", d.Name, i+1), "--set", fmt.Sprintf("providers.%s.burst=%d", d.Name, i+2))
		want = append(want, fmt.Sprintf("%s=%d:%d", d.Name, i+1, i+2))
		if d.APIURL != nil {
			set = append(set, "--set", fmt.Sprintf("providers.%s.apiUrl=https://%s.example.com/api", d.Name, d.Name))
		}
	}
	slices.Sort(defaults)
	slices.Sort(want)

	objs, err := helmTemplate(t, kustomizeNamespace)
	if err != nil {
		t.Fatal(err)
	}
	args := deploymentArgs(t, objs)
	if got := itemsOf(args); !slices.Equal(got, defaults) {
		t.Errorf("by default --provider-qps is %q, the descriptors' rates %q", got, defaults)
	}
	for _, d := range catalog.All() {
		got, ok := args[d.FlagName()]
		switch {
		case d.APIURL == nil && ok:
			t.Errorf("--%s=%s: %s has no such flag", d.FlagName(), got, d.Name)
		case d.APIURL != nil && d.APIURL.Default == "" && ok:
			t.Errorf("--%s=%s is passed by default: its default is empty", d.FlagName(), got)
		case d.APIURL != nil && d.APIURL.Default != "" && got != d.APIURL.Default:
			t.Errorf("by default --%s=%q, the flag's default %q", d.FlagName(), got, d.APIURL.Default)
		}
	}

	if objs, err = helmTemplate(t, kustomizeNamespace, set...); err != nil {
		t.Fatal(err)
	}
	args = deploymentArgs(t, objs)
	if got := itemsOf(args); !slices.Equal(got, want) {
		t.Errorf("with every rate set --provider-qps is %q, want %q", got, want)
	}
	for _, d := range catalog.All() {
		if want := "https://" + d.Name + ".example.com/api"; d.APIURL != nil && args[d.FlagName()] != want {
			t.Errorf("--%s=%q, want providers.%s.apiUrl %q", d.FlagName(), args[d.FlagName()], d.Name, want)
		}
	}

	if _, err := helmTemplate(t, kustomizeNamespace, "--set", "providers.notaprovider.qps=1"); err == nil ||
		!strings.Contains(err.Error(), "additional properties 'notaprovider' not allowed") {
		t.Errorf("a provider the catalog lacks: %v, want the schema's refusal", err)
	}
}

// TestChartOfAFifthProvider: the chart generated for the tests' catalog (the example provider
// added, as go generate ./providers/catalog would for a fifth provider) renders the example's base
// URL flag and its --provider-qps item with templates/deployment.yaml as it is.
func TestChartOfAFifthProvider(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "dist", "chart"), os.DirFS(chartDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "config", "samples"), os.DirFS(filepath.Join(root, "config", "samples"))); err != nil {
		t.Fatal(err)
	}
	descs := catalogtest.All()
	ex := descs[len(descs)-1]
	if _, err := chartgen.Run(dir, descs, true); err != nil {
		t.Fatal(err)
	}
	objs, err := helmTemplateChart(t, filepath.Join(dir, "dist", "chart"), releaseName, kustomizeNamespace)
	if err != nil {
		t.Fatal(err)
	}
	args := deploymentArgs(t, objs)
	if got := args[ex.FlagName()]; got != ex.APIURL.Default {
		t.Errorf("--%s=%q, want its default %q", ex.FlagName(), got, ex.APIURL.Default)
	}
	item := ex.Name + "=" + strconv.FormatFloat(ex.DefaultQPS, 'g', -1, 64)
	if !slices.Contains(strings.Split(args["provider-qps"], ","), item) {
		t.Errorf("--provider-qps=%s has no %s", args["provider-qps"], item)
	}
	if _, err := helmTemplateChart(t, filepath.Join(dir, "dist", "chart"), releaseName, kustomizeNamespace,
		"--set", "providers."+ex.Name+".qps=3"); err != nil {
		t.Errorf("the schema refuses providers.%s: %v", ex.Name, err)
	}
}
