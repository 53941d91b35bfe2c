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

package autodesk_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	"github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
)

func TestTokenFetchedOnceForEveryWebhookOfAClient(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var ids []string
	for _, folderName := range []string{"a", "b", "c"} {
		req := newRequest(func(r *providers.Request) { r.Spec.Autodesk.Scope = map[string]string{"folder": "urn:" + folderName} })
		created, err := e.prov.Create(ctx, req)
		if err != nil {
			t.Fatalf("Create %s: %v", folderName, err)
		}
		ids = append(ids, created.ID)
		if _, err := e.prov.Get(ctx, req, created.ID); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if _, err := autodesk.FindHooks(ctx, e.prov, req); err != nil {
			t.Fatalf("Find: %v", err)
		}
	}
	if n := e.srv.TokenRequests(clientID); n != 1 {
		t.Errorf("TokenRequests = %d after %d hooks, want 1: the token is not reused", n, len(ids))
	}
	if n := len(api(e.rec)); n < 12 {
		t.Fatalf("only %d API requests were made; the test proves nothing", n)
	}
	tokenReqs := e.rec.Find(http.MethodPost, "/authentication/v2/token")
	if len(tokenReqs) != 1 {
		t.Fatalf("%d token requests on the wire, want 1", len(tokenReqs))
	}
	tr := tokenReqs[0]
	wantBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+clientSecret))
	if tr.Auth != wantBasic {
		t.Errorf("token request Authorization = %q, want HTTP Basic of the trimmed id and secret", tr.Auth)
	}
	if tr.Form().Get("grant_type") != "client_credentials" || tr.Form().Get("scope") != "data:read data:write" {
		t.Errorf("token request form = %v, want client_credentials with data:read data:write", tr.Form())
	}
	if tr.Form().Has("client_id") || tr.Form().Has("client_secret") {
		t.Errorf("token request also carries credentials in the body: %v", tr.Form())
	}
	for _, s := range api(e.rec) {
		if !strings.HasPrefix(s.Auth, "Bearer eyFake") {
			t.Errorf("%s %s sent Authorization %q, want the issued bearer token", s.Method, s.Path, s.Auth)
		}
	}
}

func TestTokenRefreshedWhenItExpires(t *testing.T) {
	tests := []struct {
		name       string
		lifetime   time.Duration
		calls      int
		wantTokens int
	}{
		{name: "an hour lasts", lifetime: time.Hour, calls: 4, wantTokens: 1},
		// oauth2 treats a token as expired 10 s early, so a 5 s token is stale at once.
		{name: "a token about to expire is replaced", lifetime: 5 * time.Second, calls: 4, wantTokens: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.SetTokenLifetime(tt.lifetime)
			req := newRequest()
			for range tt.calls {
				if _, err := autodesk.FindHooks(context.Background(), e.prov, req); err != nil {
					t.Fatalf("Find: %v", err)
				}
			}
			if n := e.srv.TokenRequests(clientID); n != tt.wantTokens {
				t.Errorf("TokenRequests = %d, want %d", n, tt.wantTokens)
			}
			bearers := map[string]bool{}
			for _, s := range api(e.rec) {
				bearers[s.Auth] = true
			}
			if len(bearers) != tt.wantTokens {
				t.Errorf("%d distinct bearer tokens were sent, want %d", len(bearers), tt.wantTokens)
			}
		})
	}
}

func TestTokenRefusedByTheAPIIsFetchedAgain(t *testing.T) {
	e := newEnv(t)
	req := newRequest()
	if _, err := autodesk.FindHooks(context.Background(), e.prov, req); err != nil {
		t.Fatalf("Find: %v", err)
	}
	e.srv.InjectFault(fake.Fault{Key: clientID, Path: "/webhooks/", Status: http.StatusUnauthorized, Times: 1})
	_, err := autodesk.FindHooks(context.Background(), e.prov, req)
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnauthorized {
		t.Fatalf("Find under a 401 = %v, want Unauthorized", err)
	}
	if _, err := autodesk.FindHooks(context.Background(), e.prov, req); err != nil {
		t.Fatalf("Find after the 401: %v", err)
	}
	if n := e.srv.TokenRequests(clientID); n != 2 {
		t.Errorf("TokenRequests = %d, want 2: a token APS refused must not be reused", n)
	}
}

func TestTokensAreKeptPerCredential(t *testing.T) {
	e := newEnv(t)
	e.srv.AddClient("second-client", "second-secret-0001")
	rotated := "rotated-secret-0002"
	calls := []func(r *providers.Request){
		func(r *providers.Request) {},
		func(r *providers.Request) {
			r.Credentials = map[string][]byte{"clientId": []byte("second-client"), "clientSecret": []byte("second-secret-0001")}
		},
		func(r *providers.Request) {},
	}
	for i, m := range calls {
		if _, err := autodesk.FindHooks(context.Background(), e.prov, newRequest(m)); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if a, b := e.srv.TokenRequests(clientID), e.srv.TokenRequests("second-client"); a != 1 || b != 1 {
		t.Errorf("TokenRequests = %d and %d, want one per client", a, b)
	}
	// A new secret for the same client id is another credential: it gets its own token, and a
	// wrong one is refused rather than served the old secret's token.
	_, err := autodesk.FindHooks(context.Background(), e.prov, newRequest(func(r *providers.Request) {
		r.Credentials["clientSecret"] = []byte(rotated)
	}))
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnauthorized {
		t.Errorf("Find with a secret the fake does not know = %v, want Unauthorized", err)
	}
	if n := e.srv.TokenRequests(clientID); n != 2 {
		t.Errorf("TokenRequests = %d after a secret change, want 2", n)
	}
}

func TestPlainTokenMode(t *testing.T) {
	e := newEnv(t)
	const plain = "plain-bearer-3legged-777"
	e.srv.AddToken(plain)
	req := newRequest(func(r *providers.Request) {
		r.Credentials = map[string][]byte{"token": []byte(" " + plain + "\n")}
	})
	created, err := e.prov.Create(context.Background(), req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := e.prov.Get(context.Background(), req, created.ID); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if n := len(e.rec.Find(http.MethodPost, "/authentication/v2/token")); n != 0 {
		t.Errorf("%d token requests were made in plain token mode", n)
	}
	for _, s := range api(e.rec) {
		if s.Auth != "Bearer "+plain {
			t.Errorf("%s %s sent Authorization %q, want the trimmed plain token", s.Method, s.Path, s.Auth)
		}
	}
	if n := len(e.srv.Hooks(plain)); n != 1 {
		t.Errorf("the token's app holds %d hooks, want 1", n)
	}
}

func TestClientCredentialsWinOverToken(t *testing.T) {
	e := newEnv(t)
	req := newRequest(func(r *providers.Request) { r.Credentials["token"] = []byte("unused-token-1") })
	if _, err := autodesk.FindHooks(context.Background(), e.prov, req); err != nil {
		t.Fatalf("Find: %v", err)
	}
	if n := e.srv.TokenRequests(clientID); n != 1 {
		t.Errorf("TokenRequests = %d, want 1: clientId and clientSecret come first", n)
	}
}

// TestMissingCredentialsInTheNarrowedSearch: the behaviour table refuses unusable credentials
// on every method; the narrowed search refuses them too, as a list, before any request.
func TestMissingCredentialsInTheNarrowedSearch(t *testing.T) {
	e := newEnv(t)
	_, err := autodesk.FindHooks(context.Background(), e.prov, newRequest(func(r *providers.Request) { r.Credentials = nil }))
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindMissingCredentials || pe.Op != "list" || !strings.Contains(pe.Error(), `"clientId"`) {
		t.Errorf("FindHooks without credentials = %v (kind %v, op %q), want MissingCredentials of list naming \"clientId\"", pe, pe.Kind, pe.Op)
	}
	if n := e.srv.RequestsTotal(); n != 0 {
		t.Errorf("%d requests were made without usable credentials", n)
	}
}

// TestTokenEndpointErrors covers the token answers of APS's own: a refused secret, the default
// wait of a 429 and a dropped connection; the behaviour table checks the statuses every token
// endpoint shares.
func TestTokenEndpointErrors(t *testing.T) {
	tests := []struct {
		name      string
		fault     *fake.Fault
		secret    string
		wantKind  providers.Kind
		wantCode  int
		wantText  string
		wantRetry time.Duration
	}{
		{name: "wrong secret is 401 invalid_client", secret: "not-the-secret", wantKind: providers.KindUnauthorized,
			wantCode: 401, wantText: "invalid_client"},
		{name: "429 without Retry-After waits 10s", fault: &fake.Fault{Status: 429},
			wantKind: providers.KindRateLimited, wantCode: 429, wantRetry: 10 * time.Second},
		{name: "connection dropped", fault: &fake.Fault{DropResponse: true}, wantKind: providers.KindUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.fault != nil {
				f := *tt.fault
				f.Path, f.Key = "/authentication/", clientID
				e.srv.InjectFault(f)
			}
			req := newRequest()
			if tt.secret != "" {
				req.Credentials["clientSecret"] = []byte(tt.secret)
			}
			_, err := e.prov.Get(context.Background(), req, "some-hook")
			pe := testutil.ProviderError(t, err)
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.wantCode || pe.Op != "get" || pe.Provider != "autodesk" {
				t.Errorf("got %v/%d/%s/%s (%v), want %v/%d/get/autodesk", pe.Kind, pe.StatusCode, pe.Op, pe.Provider,
					err, tt.wantKind, tt.wantCode)
			}
			if !strings.Contains(pe.Error(), "token endpoint") || !strings.Contains(pe.Error(), tt.wantText) {
				t.Errorf("error %q does not say the token endpoint failed with %q", pe.Error(), tt.wantText)
			}
			if pe.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
			if n := len(api(e.rec)); n != 0 {
				t.Errorf("%d API requests were made without a token", n)
			}
			assertNoSecrets(t, err, tt.secret)
		})
	}
}

// TestTokenEndpointEchoingTheSecret makes the token endpoint quote the credentials in every form
// oauth2 might carry them: its RetrieveError keeps the whole body.
func TestTokenEndpointEchoingTheSecret(t *testing.T) {
	bodies := []struct {
		name        string
		contentType string
		status      int
		body        string
	}{
		{name: "oauth json", contentType: "application/json", status: 401,
			body: `{"error":"invalid_client","error_description":"client ` + clientID + ` with secret ` + clientSecret + ` refused"}`},
		{name: "gateway json", contentType: "application/json", status: 500,
			body: `{"developerMessage":"secret ` + clientSecret + ` broke us"}`},
		{name: "plain text", contentType: "text/plain", status: 502, body: "upstream saw Authorization for " + clientSecret},
		{name: "form encoded", contentType: "application/x-www-form-urlencoded", status: 400,
			body: "error=invalid_client&error_description=" + clientSecret},
		{name: "error in a 200", contentType: "application/json", status: 200,
			body: `{"error":"invalid_client","error_description":"` + clientSecret + `"}`},
	}
	for _, b := range bodies {
		t.Run(b.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", b.contentType)
				w.Header().Set("x-request-id", "req-"+clientSecret)
				w.WriteHeader(b.status)
				_, _ = w.Write([]byte(b.body))
			}))
			defer srv.Close()
			p := autodesk.New(autodesk.Options{BaseURL: srv.URL})
			_, err := autodesk.FindHooks(context.Background(), p, newRequest())
			pe := testutil.ProviderError(t, err)
			if pe.Kind == providers.KindMissingCredentials {
				t.Fatalf("kind %v: the token endpoint was not reached", pe.Kind)
			}
			if !strings.Contains(pe.Error(), "token endpoint") {
				t.Errorf("error %q does not name the token endpoint", pe.Error())
			}
			assertNoSecrets(t, err)
		})
	}
}

func TestTokenEndpointUnreachable(t *testing.T) {
	e := newEnv(t)
	e.srv.Close()
	_, err := autodesk.FindHooks(context.Background(), e.prov, newRequest())
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindUnavailable || pe.StatusCode != 0 || pe.Err == nil {
		t.Fatalf("got %v (kind %v, status %d, wrapped %v), want Unavailable wrapping the cause", pe, pe.Kind, pe.StatusCode, pe.Err)
	}
	assertNoSecrets(t, err)
}
