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

package pageseeder_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
)

// TestTokenFetchedOnceAndReused runs every operation, several concurrently, on one provider:
// one token request serves them all.
func TestTokenFetchedOnceAndReused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.newRequest()
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := testutil.Candidates(ctx, e.prov, req); err != nil {
				t.Errorf("Find: %v", err)
			}
		}()
	}
	wg.Wait()
	got, err := e.prov.Get(ctx, req, created.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	moved := e.newRequest(func(r *providers.Request) { r.Spec.TargetURL = e.recv.url("/v2") })
	if _, err := e.prov.Update(ctx, moved, got); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := e.prov.Delete(ctx, req, created.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if n := e.srv.TokenRequests(clientID); n != 1 {
		t.Errorf("%d token requests, want 1 reused across every call", n)
	}
	tokens := e.rec.Find("POST", "/ps/oauth/token")
	if len(tokens) != 1 {
		t.Fatalf("%d token requests on the wire", len(tokens))
	}
	tr := tokens[0]
	wantBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+clientSecret))
	if tr.Auth != wantBasic || tr.Form().Get("grant_type") != "client_credentials" || tr.Form().Has("client_secret") {
		t.Errorf("token request: auth %q, form %v; want HTTP Basic with the trimmed secret and grant_type only", tr.Auth, tr.Form())
	}
	token := e.rec.Bearer(t)
	for _, s := range e.rec.All() {
		if s.Path != "/ps/oauth/token" && s.Auth != "Bearer "+token {
			t.Errorf("%s %s sent Authorization %q, want the one bearer token", s.Method, s.Path, s.Auth)
		}
	}
}

func TestTokenRenewal(t *testing.T) {
	tests := []struct {
		name       string
		lifetime   time.Duration
		wantTokens int
	}{
		{name: "long-lived token is reused", lifetime: 2 * time.Hour, wantTokens: 1},
		// Renewed a minute early, a 30 s token is never good enough to reuse.
		{name: "token about to expire is renewed", lifetime: 30 * time.Second, wantTokens: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.SetTokenLifetime(tt.lifetime)
			for range 3 {
				if _, err := testutil.Candidates(context.Background(), e.prov, e.newRequest()); err != nil {
					t.Fatalf("Find: %v", err)
				}
			}
			if n := e.srv.TokenRequests(clientID); n != tt.wantTokens {
				t.Errorf("%d token requests, want %d", n, tt.wantTokens)
			}
		})
	}
}

func TestTokenCacheKeys(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.srv.AddClient("second-client", "second-secret-123", 456)
	other := e.newRequest(func(r *providers.Request) {
		r.Credentials[pageseeder.CredentialClientID] = []byte("second-client")
		r.Credentials[pageseeder.CredentialClientSecret] = []byte("second-secret-123")
	})
	for _, req := range []*providers.Request{e.newRequest(), other, e.newRequest(), other} {
		if _, err := testutil.Candidates(ctx, e.prov, req); err != nil {
			t.Fatalf("Find: %v", err)
		}
	}
	if a, b := e.srv.TokenRequests(clientID), e.srv.TokenRequests("second-client"); a != 1 || b != 1 {
		t.Errorf("token requests %d and %d, want one per client", a, b)
	}

	// A rotated secret is used at once, not after the cached token expires.
	e.srv.AddClient(clientID, "rotated-secret-456", internalID)
	rotated := e.newRequest(func(r *providers.Request) {
		r.Credentials[pageseeder.CredentialClientSecret] = []byte("rotated-secret-456")
	})
	if _, err := testutil.Candidates(ctx, e.prov, rotated); err != nil {
		t.Fatalf("Find with the rotated secret: %v", err)
	}
	if n := e.srv.TokenRequests(clientID); n != 2 {
		t.Errorf("%d token requests after the rotation, want 2", n)
	}
	_, err := testutil.Candidates(ctx, e.prov, e.newRequest())
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnauthorized || pe.Op != "token" {
		t.Errorf("Find with the old secret = %v (kind %v, op %q), want Unauthorized from the token endpoint", pe, pe.Kind, pe.Op)
	}
	assertNoSecrets(t, err, "rotated-secret-456")
}

// TestRefusedTokenIsForgotten: after a 401 the next call fetches a new token rather than
// presenting the refused one until it expires.
func TestRefusedTokenIsForgotten(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := testutil.Candidates(ctx, e.prov, e.newRequest()); err != nil {
		t.Fatalf("Find: %v", err)
	}
	e.srv.InjectFault(fake.Fault{Key: clientID, Path: "/ps/service/", Status: http.StatusUnauthorized, Times: 1})
	_, err := testutil.Candidates(ctx, e.prov, e.newRequest())
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnauthorized || pe.StatusCode != 401 || pe.Op != "list" {
		t.Fatalf("Find under a 401 = %v (kind %v)", err, pe.Kind)
	}
	if _, err := testutil.Candidates(ctx, e.prov, e.newRequest()); err != nil {
		t.Fatalf("Find after the 401: %v", err)
	}
	if n := e.srv.TokenRequests(clientID); n != 2 {
		t.Errorf("%d token requests, want a second one after the 401", n)
	}
}

func TestPlainToken(t *testing.T) {
	e := newEnv(t)
	const token = "plain-admin-token-5e6f7a8b"
	e.srv.AddToken(token)
	req := e.newRequest(func(r *providers.Request) {
		r.Credentials = map[string][]byte{pageseeder.CredentialToken: []byte(" " + token + "\n")}
	})
	created, err := e.prov.Create(context.Background(), req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created.State != "active" {
		t.Errorf("state %q, want active", created.State)
	}
	if n := len(e.rec.Find("POST", "/ps/oauth/token")); n != 0 {
		t.Errorf("%d token requests with a plain token", n)
	}
	if e.rec.Bearer(t) != token {
		t.Errorf("sent bearer %q, want the trimmed token", e.rec.Bearer(t))
	}
	if n := e.srv.Requests(token); n < 2 {
		t.Errorf("the fake counted %d requests under the token", n)
	}
}

func TestClientCredentialsWinOverAToken(t *testing.T) {
	e := newEnv(t)
	req := e.newRequest(func(r *providers.Request) {
		r.Credentials[pageseeder.CredentialToken] = []byte("stale-token-never-registered")
	})
	if _, err := testutil.Candidates(context.Background(), e.prov, req); err != nil {
		t.Fatalf("Find: %v", err)
	}
	if n := e.srv.TokenRequests(clientID); n != 1 {
		t.Errorf("%d token requests, want the client credentials used", n)
	}
}

// TestTokenEndpointErrors covers the token answers of PageSeeder's own: a refused secret, the
// default wait of a 429, a 404 that is no NotFound, a server that is down, and the error ids;
// the behaviour table checks the statuses every token endpoint shares.
func TestTokenEndpointErrors(t *testing.T) {
	tests := []struct {
		name      string
		fault     *fake.Fault
		secret    string
		close     bool
		wantKind  providers.Kind
		wantCode  int
		wantRetry time.Duration
	}{
		{name: "wrong secret", secret: "not-the-secret", wantKind: providers.KindUnauthorized, wantCode: 401},
		{name: "429 without Retry-After waits 5s", fault: &fake.Fault{Path: "/ps/oauth/token", Status: 429},
			wantKind: providers.KindRateLimited, wantCode: 429, wantRetry: 5 * time.Second},
		{name: "404 is not NotFound", fault: &fake.Fault{Path: "/ps/oauth/token", Status: 404}, wantKind: providers.KindUnavailable, wantCode: 404},
		{name: "server down", close: true, wantKind: providers.KindUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.fault != nil {
				e.srv.InjectFault(*tt.fault)
			}
			if tt.close {
				e.srv.Close()
			}
			req := e.newRequest()
			if tt.secret != "" {
				req.Credentials[pageseeder.CredentialClientSecret] = []byte(tt.secret)
			}
			_, err := e.prov.Create(context.Background(), req)
			pe := testutil.ProviderError(t, err)
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.wantCode || pe.Op != "token" || pe.Provider != "pageseeder" {
				t.Errorf("got %v: kind %v status %d op %q, want %v %d token", pe, pe.Kind, pe.StatusCode, pe.Op, tt.wantKind, tt.wantCode)
			}
			if pe.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
			if tt.fault != nil && pe.TrackingID == "" {
				t.Errorf("the fault's error id is lost: %+v", pe)
			}
			assertNoSecrets(t, err, tt.secret)
			if !tt.close && len(e.srv.Hooks(internalID)) != 0 {
				t.Error("a webhook was created without a token")
			}
		})
	}
}

func TestNonAdministratorIsUnauthorized(t *testing.T) {
	e := newEnv(t)
	e.srv.AddNonAdminClient("author-client", "author-secret-42")
	req := e.newRequest(func(r *providers.Request) {
		r.Credentials[pageseeder.CredentialClientID] = []byte("author-client")
		r.Credentials[pageseeder.CredentialClientSecret] = []byte("author-secret-42")
	})
	_, err := testutil.Candidates(context.Background(), e.prov, req)
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindUnauthorized || pe.StatusCode != 403 || !strings.Contains(pe.Message, "administrator") {
		t.Errorf("Find as a non-administrator = %v (kind %v), want Unauthorized 403 saying why", pe, pe.Kind)
	}
}
