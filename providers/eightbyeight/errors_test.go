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
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
)

// TestTypedErrors covers 8x8's own answers: its error codes in the message and its errorId as the
// tracking id, and the default wait of a 429; the behaviour table checks every operation under
// every failing status.
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

// TestErrorsNeverCarryCredentials makes the server echo the API key and the OAuth client secret
// of the delivery, or a secret that travels only in a client call's body, and checks that no
// error text lets them through; the behaviour table checks the static Authorization.
func TestErrorsNeverCarryCredentials(t *testing.T) {
	oauthReq := func() *providers.Request { return newRequest(withOAuth) }
	withOAuthSecret := []string{apiKey, oauthSecret}
	ops := map[string]struct {
		secrets []string
		call    func(e *env) error
	}{
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

// assertNoSecrets checks every text an error offers for the credentials of these tests and for more.
func assertNoSecrets(t *testing.T, err error, more ...string) {
	t.Helper()
	testutil.AssertNoSecrets(t, err, append([]string{apiKey, authorization, oauthSecret}, more...), []string{apiKey})
}
