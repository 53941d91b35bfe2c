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

package simulated_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers/catalog"
	"github.com/hookkeeper/hookkeeper/providers/catalog/catalogtest"
	"github.com/hookkeeper/hookkeeper/providers/catalog/simulated"
)

// TestOneSimulatorPerProvider: the simulators are the catalog's providers, in its order.
func TestOneSimulatorPerProvider(t *testing.T) {
	var sims []string
	for _, s := range simulated.All() {
		sims = append(sims, s.Provider)
	}
	if want := catalog.Names(); !slices.Equal(sims, want) {
		t.Errorf("simulators for %q, providers %q", sims, want)
	}
}

// TestOneSimulatorPerTestProvider: the tests' catalog has a simulator for each of its providers,
// the example included, in its order.
func TestOneSimulatorPerTestProvider(t *testing.T) {
	var sims, names []string
	for _, s := range catalogtest.Simulators() {
		sims = append(sims, s.Provider)
	}
	for _, d := range catalogtest.All() {
		names = append(names, d.Name)
	}
	if !slices.Equal(sims, names) || len(names) != len(catalog.All())+1 {
		t.Errorf("the tests' catalog has simulators for %q and providers %q: want the catalog's and the example", sims, names)
	}
}

// TestOperatorLinksNoSimulator: the operator binary does not depend on any simulator, nor on
// net/http/httptest.
func TestOperatorLinksNoSimulator(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Dir = "../../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasSuffix(pkg, "/fake") || pkg == "net/http/httptest" || strings.HasSuffix(pkg, "/internal/test/simulator") ||
			strings.HasSuffix(pkg, "/catalog/simulated") || strings.HasSuffix(pkg, "/catalog/catalogtest") || strings.HasSuffix(pkg, "/providertest/example") {
			t.Errorf("the operator binary links %s", pkg)
		}
	}
}
