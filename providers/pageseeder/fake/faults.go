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

package fake

import (
	"net/http"
	"net/url"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// Fault makes matching requests fail; see simulator.Fault. Its Key is the OAuth client
// identifier: that of the credentials on a token request, or of the client a bearer token was
// issued to on a service call. For a plain token added with AddToken, the Key is the token.
// Path "/ps/service" or "/ps/api" limits a fault to service calls, sparing token requests.
type Fault = simulator.Fault

// keyOf is the simulator.KeyFunc: the client identifier a request is made for.
func (s *Server) keyOf(r *http.Request) string {
	if r.URL.Path == tokenPath {
		return tokenClientID(r)
	}
	token := simulator.BearerToken(r)
	if token == "" {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.grants[token]; ok {
		return g.key
	}
	return token
}

// tokenClientID returns the client identifier of a token request: the HTTP Basic user, else
// the client_id form field. OAuth clients URL-encode the Basic user and password (RFC 6749
// section 2.3.1), so both are decoded.
func tokenClientID(r *http.Request) string {
	if user, _, ok := r.BasicAuth(); ok {
		return formDecode(user)
	}
	_ = r.ParseForm()
	return r.PostForm.Get("client_id")
}

func formDecode(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}
