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

// Package simulated is the list of the providers' simulators, in the order of providers/catalog,
// for the local environment, the demo and the benchmark. It is apart from the catalog so that the
// operator binary never links a simulator (they bring net/http/httptest and its test
// certificate); its test holds it to the catalog, one simulator per provider.
package simulated

import (
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	autodeskfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	eightbyeightfake "github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	pageseederfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// All returns every provider's simulator, in the catalog's order.
func All() []simulator.Descriptor {
	return []simulator.Descriptor{
		webexfake.Simulator,
		eightbyeightfake.Simulator,
		autodeskfake.Simulator,
		pageseederfake.Simulator,
	}
}
