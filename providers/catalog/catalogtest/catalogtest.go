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

// Package catalogtest is the tests' catalog: providers/catalog's providers and the test-only
// fifth one, providers/providertest/example, each added by one line as a real provider is added
// to providers/catalog and providers/catalog/simulated. The checks that the catalog's tests run
// on every provider (its descriptor, its simulator's mutation log with the operator's User-Agent,
// the operator's registry) loop over this list, so that every run proves the seam on a provider
// the program does not ship. Only tests import it.
package catalogtest

import (
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
	"github.com/hookkeeper/hookkeeper/providers/catalog/simulated"
	"github.com/hookkeeper/hookkeeper/providers/providertest/example"
	examplefake "github.com/hookkeeper/hookkeeper/providers/providertest/example/fake"
)

// All returns catalog.All() and the example provider's descriptor. Each call returns a new slice.
func All() []providers.Descriptor {
	return append(catalog.All(), example.Descriptor)
}

// Simulators returns simulated.All() and the example provider's simulator, in the order of All.
func Simulators() []simulator.Descriptor {
	return append(simulated.All(), examplefake.Simulator)
}

// ByName returns the descriptor of All with the lower-case name.
func ByName(name string) (providers.Descriptor, bool) {
	for _, d := range All() {
		if d.Name == name {
			return d, true
		}
	}
	return providers.Descriptor{}, false
}

// WithoutAPIBlock reports whether d is a provider of this list that has no block in the API (the
// example: a webhook of it is spec.targetUrl and spec.enabled), whose checks against the API
// types, the CRD, the chart and the samples do not apply.
func WithoutAPIBlock(d providers.Descriptor) bool {
	_, shipped := catalog.ByName(d.Name)
	return !shipped && d.SpecField == ""
}
