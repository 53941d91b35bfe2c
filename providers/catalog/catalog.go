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

// Package catalog is the explicit list of the providers this operator supports. main, the import
// command, the metrics, the local environment, the demo and the benchmark loop over it; adding a
// provider is its package, its spec block in api/v1alpha1 and one line here; then the generated
// files, among them the chart's providers values and the samples' list, which the directive below
// writes.
package catalog

//go:generate go run ../../hack/chartproviders -root ../..

import (
	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
	"github.com/hookkeeper/hookkeeper/providers/webex"
)

// All returns the descriptors of every supported provider, in the order flags, help texts and
// tables list them. Each call returns a new slice.
func All() []providers.Descriptor {
	return []providers.Descriptor{
		webex.Descriptor,
		eightbyeight.Descriptor,
		autodesk.Descriptor,
		pageseeder.Descriptor,
	}
}

// ByType returns the descriptor of a spec.provider value.
func ByType(t hooksv1alpha1.ProviderType) (providers.Descriptor, bool) {
	for _, d := range All() {
		if d.Type == t {
			return d, true
		}
	}
	return providers.Descriptor{}, false
}

// ByName returns the descriptor with the lower-case name.
func ByName(name string) (providers.Descriptor, bool) {
	for _, d := range All() {
		if d.Name == name {
			return d, true
		}
	}
	return providers.Descriptor{}, false
}

// Names returns every descriptor's Name, in order.
func Names() []string {
	var names []string
	for _, d := range All() {
		names = append(names, d.Name)
	}
	return names
}
