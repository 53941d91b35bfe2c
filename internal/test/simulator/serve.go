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
	"net"
	"net/http"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// Served is a simulator serving its API on a loopback port.
type Served struct {
	Local
	// URL is the base URL of the API: the address it listens on and the descriptor's APIPath.
	URL    string
	server *http.Server
}

// Serve starts a new simulator of d, made by New(acceptAny), on a free port of 127.0.0.1, for a
// test that needs one provider's SaaS and nothing else of the local environment. Close stops it.
func (d Descriptor) Serve(acceptAny bool) (*Served, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	fake := d.New(acceptAny)
	s := &Served{Local: fake, URL: "http://" + ln.Addr().String() + d.APIPath,
		server: &http.Server{Handler: fake.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = s.server.Serve(ln) }()
	return s, nil
}

// Close stops serving.
func (s *Served) Close() error { return s.server.Close() }

// Request is a request of owner for spec with the account's credentials, as the operator builds
// one from the account's Secret.
func (a Account) Request(owner string, spec *hooksv1alpha1.WebhookSpec) *providers.Request {
	creds := make(map[string][]byte, len(a.Credentials))
	for k, v := range a.Credentials {
		creds[k] = []byte(v)
	}
	return &providers.Request{Owner: owner, Spec: spec, Credentials: creds}
}
