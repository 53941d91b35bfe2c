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
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

const (
	tokenPath = "/authentication/v2/token"

	scopeRead  = "data:read"
	scopeWrite = "data:write"

	msgBothCredentials = "The 'client_id' is not supported in the request body when Authorization headers are present."
)

// knownScopes are the scopes the fake grants; APS has more, none of which the webhooks API reads.
var knownScopes = setOf(scopeRead, scopeWrite, "data:create", "data:search", "account:read", "account:write",
	"bucket:create", "bucket:read", "bucket:update", "bucket:delete", "viewables:read", "user-profile:read",
	"user:read", "user:write", "code:all", "openid")

// requestKey names the credential of a request for counting and faults: the client id for the
// token endpoint, the app of the bearer token for the API. An unknown token is its own key, so
// that requests with it are counted too.
func (s *Server) requestKey(r *http.Request) string {
	if r.URL.Path == tokenPath {
		if id, _, ok := basicAuth(r); ok {
			return id
		}
		// ParseForm keeps what it read, so the handler still sees the form.
		_ = r.ParseForm()
		return r.PostForm.Get("client_id")
	}
	token := simulator.BearerToken(r)
	if token == "" {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.tokens[token]; ok {
		return g.app
	}
	return token
}

// countTokenRequests counts token requests before any fault can answer them.
func (s *Server) countTokenRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenPath {
			if id := s.requestKey(r); id != "" {
				s.mu.Lock()
				s.tokenRequests[id]++
				s.mu.Unlock()
			}
		}
		next.ServeHTTP(w, r)
	})
}

// basicAuth reads the Basic credentials. RFC 6749 form-encodes them before the base64 step, so
// they are decoded once more; a value that does not decode is taken as it is.
func basicAuth(r *http.Request) (id, secret string, ok bool) {
	id, secret, ok = r.BasicAuth()
	if !ok {
		return "", "", false
	}
	if v, err := url.QueryUnescape(id); err == nil {
		id = v
	}
	if v, err := url.QueryUnescape(secret); err == nil {
		secret = v
	}
	return id, secret, true
}

// token is POST /authentication/v2/token for the client_credentials grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "Method not allowed.")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body is not a valid form.")
		return
	}
	form := r.PostForm
	basicID, basicSecret, hasBasic := basicAuth(r)
	if hasBasic && (form.Has("client_id") || form.Has("client_secret")) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", msgBothCredentials)
		return
	}
	switch form.Get("grant_type") {
	case "client_credentials":
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The 'grant_type' parameter is required.")
		return
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "The simulator only supports client_credentials.")
		return
	}
	scopes := map[string]bool{}
	for _, sc := range strings.Fields(form.Get("scope")) {
		if !knownScopes[sc] {
			writeOAuthError(w, http.StatusBadRequest, "invalid_scope", "The requested scope is invalid.")
			return
		}
		scopes[sc] = true
	}
	id, secret := basicID, basicSecret
	if !hasBasic {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	s.mu.Lock()
	known, ok := s.clients[id]
	if !ok && s.acceptAny && id != "" {
		s.clients[id], known, ok = secret, secret, true
	}
	if !ok || id == "" || secret != known {
		s.mu.Unlock()
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "The client_id or client_secret is invalid.")
		return
	}
	access := newAccessToken()
	lifetime := s.tokenLifetime
	s.tokens[access] = &grant{app: id, scopes: scopes, expires: time.Now().Add(lifetime)}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(lifetime / time.Second),
	})
}

func newAccessToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "eyFake" + hex.EncodeToString(b)
}

// call is what an authenticated request carries to its handler.
type call struct {
	app    string
	region string
}

type apiHandler func(w http.ResponseWriter, r *http.Request, c call)

// authed checks the bearer token, its scope and the region before h runs. Reads need data:read;
// writes need data:write as well.
func (s *Server) authed(write bool, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := simulator.BearerToken(r)
		if token == "" {
			writeGatewayError(w, http.StatusUnauthorized, "The authorization header is missing or malformed.", "")
			return
		}
		s.mu.Lock()
		g, ok := s.tokens[token]
		if !ok && s.acceptAny {
			s.addTokenLocked(token)
			g, ok = s.tokens[token], true
		}
		var app string
		var allowed, expired bool
		if ok {
			app = g.app
			expired = !g.expires.IsZero() && time.Now().After(g.expires)
			allowed = g.scopes[scopeRead] && (!write || g.scopes[scopeWrite])
		}
		s.mu.Unlock()
		switch {
		case !ok || expired:
			writeGatewayError(w, http.StatusUnauthorized, "The token is invalid or has expired.", "")
			return
		case !allowed:
			writeGatewayError(w, http.StatusForbidden, "Token does not have the privilege for this request.", "")
			return
		}
		region, ok := requestRegion(r)
		if !ok {
			writeServiceError(w, http.StatusBadRequest, "Invalid region: "+region)
			return
		}
		h(w, r, call{app: app, region: region})
	}
}

// requestRegion reads the region: the header wins over the query, US is the default.
func requestRegion(r *http.Request) (string, bool) {
	region := r.Header.Get("x-ads-region")
	if region == "" {
		region = r.URL.Query().Get("region")
	}
	if region == "" {
		return defaultRegion, true
	}
	return region, validRegions[region]
}
