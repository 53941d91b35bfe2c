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

package simulator

import (
	"net/http"
	"net/http/httptest"
)

// Base is what every simulator's Server holds alike: its handler, the local httptest server it
// may run on, the fault injection and the record of mutations. A fake embeds it through an
// unexported alias (type base = simulator.Base), so that the field stays private while Handler,
// URL, Close, InjectFault, ClearFaults, Requests, RequestsTotal, ResetCounts and Mutations become
// the Server's own.
type Base struct {
	// Faults counts requests and injects faults; a fake wraps its routes with Faults.Wrap.
	Faults Faults
	// Log records every change a request makes to the webhooks; a fake adds to it in each
	// handler that creates, updates or deletes one.
	Log MutationLog

	handler http.Handler
	ts      *httptest.Server
	apiPath string
}

// Mount sets what b serves: handler, whose API root is apiPath below the server's URL ("" when
// the API is at the root). Call it once, before Start and before any request. It is a function
// rather than a method so that it does not join the method set of the fakes that embed Base.
func Mount(b *Base, handler http.Handler, apiPath string) {
	b.handler = handler
	b.apiPath = apiPath
}

// Start serves b's handler on a local httptest server, until Close.
func Start(b *Base) {
	b.ts = httptest.NewServer(b.handler)
}

// Handler serves the whole simulated API, for a listener of the caller's own.
func (b *Base) Handler() http.Handler { return b.handler }

// URL returns the API root of the started server, such as "http://127.0.0.1:1234" followed by
// the fake's API path, or "" for an unstarted server.
func (b *Base) URL() string {
	if b.ts == nil {
		return ""
	}
	return b.ts.URL + b.apiPath
}

// Close stops the server that Start started; it does nothing for an unstarted server.
func (b *Base) Close() {
	if b.ts != nil {
		b.ts.Close()
	}
}

// Mutations returns every change that requests made to the webhooks, in the order applied.
func (b *Base) Mutations() []Mutation { return b.Log.List() }

// InjectFault adds a fault after those already injected.
func (b *Base) InjectFault(f Fault) { b.Faults.Inject(f) }

// ClearFaults removes every fault.
func (b *Base) ClearFaults() { b.Faults.Clear() }

// Requests counts the requests made with the credential key (see the fake's Fault) since the
// last ResetCounts, failed ones included.
func (b *Base) Requests(key string) int { return b.Faults.Requests(key) }

// RequestsTotal counts every request since the last ResetCounts, with or without a credential.
func (b *Base) RequestsTotal() int { return b.Faults.Total() }

// ResetCounts sets the request counters back to zero.
func (b *Base) ResetCounts() { b.Faults.ResetCounts() }
