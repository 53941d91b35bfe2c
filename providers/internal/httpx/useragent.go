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

package httpx

import (
	"net/http"

	"github.com/hookkeeper/hookkeeper/providers"
)

// DefaultUserAgent is the User-Agent of a request whose provider has no Settings.UserAgent.
const DefaultUserAgent = providers.DefaultUserAgent

// Client returns the HTTP client a provider built from s sends its requests with, token
// requests included: s.HTTPClient, whose every request carries s.UserAgent. Without a
// UserAgent, or without a client (the provider then makes its own, with DefaultUserAgent), it is
// s.HTTPClient itself.
func Client(s providers.Settings) *http.Client {
	if s.HTTPClient == nil || s.UserAgent == "" {
		return s.HTTPClient
	}
	hc := *s.HTTPClient
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &userAgentTransport{base: base, ua: s.UserAgent}
	return &hc
}

// userAgentTransport sets the User-Agent of every request it sends.
type userAgentTransport struct {
	base http.RoundTripper
	ua   string
}

func (t *userAgentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not change the request it is given: set the header on a copy.
	out := req.Clone(req.Context())
	out.Header.Set("User-Agent", t.ua)
	return t.base.RoundTrip(out)
}
