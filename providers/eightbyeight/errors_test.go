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

package eightbyeight_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	"github.com/hookkeeper/hookkeeper/providers/internal/testutil"
)

func TestTypedErrors(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(e *env)
		call      func(e *env) error
		wantKind  providers.Kind
		wantCode  int
		wantOp    string
		wantIn    string
		wantRetry time.Duration
	}{
		{name: "400 sub-account not owned", wantKind: providers.KindInvalid, wantCode: 400, wantOp: "upsert",
			wantIn: "(code 1001)",
			setup:  func(e *env) { e.srv.RestrictSubAccounts(account, "Onion_Sales") },
			call:   func(e *env) error { _, err := e.prov.Create(context.Background(), newRequest()); return err }},
		{name: "401 unknown key", wantKind: providers.KindUnauthorized, wantCode: 401, wantOp: "list", wantIn: "(code 1200)",
			call: func(e *env) error {
				_, err := testutil.Candidates(context.Background(), e.prov, newRequest(func(r *providers.Request) {
					r.Credentials["apiKey"] = []byte("key-not-registered")
				}))
				return err
			}},
		{name: "403 another account", wantKind: providers.KindUnauthorized, wantCode: 403, wantOp: "list", wantIn: "(code 1201)",
			call: func(e *env) error {
				_, err := e.prov.Get(context.Background(), newRequest(), otherAccount+"/"+subAccount+"/MSG")
				return err
			}},
		{name: "404 fault", setup: func(e *env) { e.srv.InjectFault(fake.Fault{Status: 404}) },
			wantKind: providers.KindNotFound, wantCode: 404, wantOp: "list", wantIn: "(code 1300)",
			call: func(e *env) error {
				_, err := e.prov.Get(context.Background(), newRequest(), id(subAccount, "MSG"))
				return err
			}},
		{name: "429 with Retry-After", setup: func(e *env) { e.srv.InjectFault(fake.Fault{Status: 429, RetryAfter: "7"}) },
			wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "upsert", wantIn: "Quota exceeded", wantRetry: 7 * time.Second,
			call: func(e *env) error { _, err := e.prov.Create(context.Background(), newRequest()); return err }},
		{name: "429 without Retry-After waits 1s", setup: func(e *env) { e.srv.InjectFault(fake.Fault{Status: 429}) },
			wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "list", wantIn: "(code 429)", wantRetry: time.Second,
			call: func(e *env) error {
				_, err := testutil.Candidates(context.Background(), e.prov, newRequest())
				return err
			}},
		{name: "500", setup: func(e *env) { e.srv.InjectFault(fake.Fault{Status: 500}) },
			wantKind: providers.KindUnavailable, wantCode: 500, wantOp: "delete", wantIn: "Internal server error (code 2000)",
			call: func(e *env) error { return e.prov.Delete(context.Background(), newRequest(), id(subAccount, "MSG")) }},
		{name: "503 on update", setup: func(e *env) { e.srv.InjectFault(fake.Fault{Status: 503, Method: http.MethodPost}) },
			wantKind: providers.KindUnavailable, wantCode: 503, wantOp: "upsert", wantIn: "(code 2000)",
			call: func(e *env) error {
				_, err := e.prov.Update(context.Background(), newRequest(), &providers.Remote{ID: id(subAccount, "MSG")})
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.setup != nil {
				tt.setup(e)
			}
			pe := testutil.ProviderError(t, tt.call(e))
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.wantCode || pe.Op != tt.wantOp || pe.Provider != "eightbyeight" {
				t.Errorf("got %v/%d/%s/%s, want %v/%d/%s/eightbyeight", pe.Kind, pe.StatusCode, pe.Op, pe.Provider,
					tt.wantKind, tt.wantCode, tt.wantOp)
			}
			if pe.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
			if !strings.Contains(pe.Message, tt.wantIn) {
				t.Errorf("message %q lacks %q", pe.Message, tt.wantIn)
			}
			if _, err := uuid.Parse(pe.TrackingID); err != nil || !strings.Contains(pe.Error(), pe.TrackingID) {
				t.Errorf("errorId %q not captured as the tracking id, or not in %q", pe.TrackingID, pe.Error())
			}
		})
	}
}

func TestMissingCredentialsMakeNoRequest(t *testing.T) {
	tests := []struct {
		name  string
		creds map[string][]byte
	}{
		{name: "no key", creds: map[string][]byte{"token": []byte("x")}},
		{name: "blank", creds: map[string][]byte{"apiKey": []byte("  \n")}},
		{name: "nil map", creds: nil},
		{name: "inner whitespace", creds: map[string][]byte{"apiKey": []byte("abc def")}},
		{name: "control character", creds: map[string][]byte{"apiKey": []byte("abc\x00def")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			req := newRequest(func(r *providers.Request) { r.Credentials = tt.creds })
			calls := map[string]error{
				"find":   func() error { _, err := testutil.Candidates(context.Background(), e.prov, req); return err }(),
				"get":    func() error { _, err := e.prov.Get(context.Background(), req, id(subAccount, "MSG")); return err }(),
				"create": func() error { _, err := e.prov.Create(context.Background(), req); return err }(),
				"update": func() error {
					_, err := e.prov.Update(context.Background(), req, &providers.Remote{ID: id(subAccount, "MSG")})
					return err
				}(),
				"delete": e.prov.Delete(context.Background(), req, id(subAccount, "MSG")),
			}
			for op, err := range calls {
				pe := testutil.ProviderError(t, err)
				if pe.Kind != providers.KindMissingCredentials || !strings.Contains(pe.Error(), `"apiKey"`) {
					t.Errorf("%s: %v (kind %v), want MissingCredentials naming \"apiKey\"", op, pe, pe.Kind)
				}
			}
			if n := e.srv.RequestsTotal(); n != 0 {
				t.Errorf("%d requests were made without an API key", n)
			}
		})
	}
}

func TestTransportErrorWhenServerClosed(t *testing.T) {
	e := newEnv(t)
	e.srv.Close()
	_, err := e.prov.Create(context.Background(), newRequest())
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindUnavailable || pe.StatusCode != 0 || pe.Err == nil {
		t.Fatalf("got %v (kind %v, status %d, wrapped %v), want Unavailable wrapping the cause",
			pe, pe.Kind, pe.StatusCode, pe.Err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("the dial error is not reachable through Unwrap: %v", err)
	}
	assertNoSecrets(t, err)
}

func TestTimeoutIsUnavailable(t *testing.T) {
	srv := fake.New()
	defer srv.Close()
	srv.AddKey(apiKey, account)
	srv.InjectFault(fake.Fault{Delay: 2 * time.Second})
	p := eightbyeight.New(eightbyeight.Options{BaseURL: srv.URL(), HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	_, err := p.Get(context.Background(), newRequest(), id(subAccount, "MSG"))
	pe := testutil.ProviderError(t, err)
	var ne net.Error
	if pe.Kind != providers.KindUnavailable || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("got %v (kind %v), want an Unavailable timeout", err, pe.Kind)
	}
	assertNoSecrets(t, err)
}

// TestDroppedCreateResponseIsFoundAgain loses the answer to the upsert: the webhook exists, and
// Find returns it for adoption.
func TestDroppedCreateResponseIsFoundAgain(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		wantCode int
	}{
		{name: "connection closed", status: 0, wantCode: 0},
		{name: "502 from a gateway", status: 502, wantCode: 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.InjectFault(fake.Fault{Method: http.MethodPost, DropResponse: true, Status: tt.status, Times: 1})
			_, err := e.prov.Create(context.Background(), newRequest())
			pe := testutil.ProviderError(t, err)
			if pe.Kind != providers.KindUnavailable || pe.StatusCode != tt.wantCode {
				t.Fatalf("Create = %v (kind %v, status %d), want Unavailable %d", err, pe.Kind, pe.StatusCode, tt.wantCode)
			}
			if n := len(e.srv.Hooks(account)); n != 1 {
				t.Fatalf("fake holds %d hooks, want the 1 whose answer was lost", n)
			}
			found, err := testutil.Candidates(context.Background(), e.prov, newRequest())
			if err != nil || len(found) != 1 || found[0].ID != id(subAccount, "MSG") {
				t.Errorf("Find = %v, %v; want the lost webhook as the candidate", found, err)
			}
		})
	}
}

// TestErrorsNeverCarryCredentials makes the server echo the API key and the delivery secret that
// each request carries, and checks that no error text lets them through.
func TestErrorsNeverCarryCredentials(t *testing.T) {
	oauthReq := func() *providers.Request { return newRequest(withOAuth) }
	withAuth := []string{apiKey, authorization}
	withOAuthSecret := []string{apiKey, oauthSecret}
	ops := map[string]struct {
		secrets []string
		call    func(e *env) error
	}{
		"find": {withAuth, func(e *env) error {
			_, err := testutil.Candidates(context.Background(), e.prov, newRequest())
			return err
		}},
		"get": {withAuth, func(e *env) error {
			_, err := e.prov.Get(context.Background(), newRequest(), id(subAccount, "MSG"))
			return err
		}},
		"create":            {withAuth, func(e *env) error { _, err := e.prov.Create(context.Background(), newRequest()); return err }},
		"create with oauth": {withOAuthSecret, func(e *env) error { _, err := e.prov.Create(context.Background(), oauthReq()); return err }},
		"update with oauth": {withOAuthSecret, func(e *env) error {
			_, err := e.prov.Update(context.Background(), oauthReq(), &providers.Remote{ID: id(subAccount, "MSG")})
			return err
		}},
		"delete with oauth": {withOAuthSecret, func(e *env) error {
			return e.prov.Delete(context.Background(), oauthReq(), id(subAccount, "MSG"))
		}},
		"client upsert with a secret only in the body": {[]string{apiKey, "only-in-the-body"}, func(e *env) error {
			c, _ := eightbyeight.NewClient(e.srv.URL(), nil, apiKey)
			return c.Upsert(context.Background(), account, eightbyeight.Webhook{SubAccountID: "a", Type: "MSG",
				URL: "https://x/", HTTPAuthorization: "only-in-the-body"})
		}},
	}
	for _, status := range []int{400, 401, 403, 429, 500} {
		for name, op := range ops {
			t.Run(name, func(t *testing.T) {
				e := newEnv(t)
				e.srv.InjectFault(fake.Fault{Status: status, Message: "rejected: " + strings.Join(op.secrets, " / ")})
				err := op.call(e)
				pe := testutil.ProviderError(t, err)
				if pe.StatusCode != status {
					t.Fatalf("status = %d, want %d (the fault did not hit)", pe.StatusCode, status)
				}
				if strings.Count(pe.Message, "[redacted]") != len(op.secrets) {
					t.Errorf("message %q does not show %d redactions, so the echo did not arrive", pe.Message, len(op.secrets))
				}
				assertNoSecrets(t, err, op.secrets...)
			})
		}
	}
}

func TestTransportErrorTextIsScrubbed(t *testing.T) {
	p := eightbyeight.New(eightbyeight.Options{HTTPClient: &http.Client{Transport: testutil.LeakyTransport{}}})
	_, err := p.Create(context.Background(), newRequest())
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindUnavailable || !strings.Contains(pe.Error(), "[redacted]") {
		t.Fatalf("got %v (kind %v), want Unavailable with the echoed key redacted", err, pe.Kind)
	}
	assertNoSecrets(t, err)
}

// assertNoSecrets checks every text an error offers for the credentials of these tests and for more.
func assertNoSecrets(t *testing.T, err error, more ...string) {
	t.Helper()
	testutil.AssertNoSecrets(t, err, append([]string{apiKey, authorization, oauthSecret}, more...), []string{apiKey})
}
