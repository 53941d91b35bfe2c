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

package webex_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/webex"
	"github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// TestTypedErrors covers Webex's own answers (its validation, an unknown token or id, 423 and the
// default wait of a 429) and its tracking ids; the behaviour table checks every operation under
// every failing status.
func TestTypedErrors(t *testing.T) {
	tests := []struct {
		name      string
		fault     *fake.Fault
		call      func(e *env) error
		wantKind  providers.Kind
		wantCode  int
		wantOp    string
		wantRetry time.Duration
	}{
		{name: "400 from the API's own validation", wantKind: providers.KindInvalid, wantCode: 400, wantOp: "create",
			call: func(e *env) error {
				_, err := e.client().Create(context.Background(), webex.CreateRequest{Name: "n", TargetURL: "https://x.example/"})
				return err
			}},
		{name: "401 unknown token", wantKind: providers.KindUnauthorized, wantCode: 401, wantOp: "list",
			call: func(e *env) error {
				_, err := testutil.Candidates(context.Background(), e.prov, newRequest(func(r *providers.Request) {
					r.Credentials["token"] = []byte("tok-not-registered")
				}))
				return err
			}},
		{name: "404 unknown id", wantKind: providers.KindNotFound, wantCode: 404, wantOp: "get",
			call: func(e *env) error {
				_, err := e.prov.Get(context.Background(), newRequest(), "Y2lzY29zcGFyazovL3VzL1dFQkhPT0svbm9uZQ")
				return err
			}},
		{name: "429 without Retry-After waits 15s", fault: &fake.Fault{Status: 429},
			wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "list", wantRetry: 15 * time.Second,
			call: func(e *env) error {
				_, err := testutil.Candidates(context.Background(), e.prov, newRequest())
				return err
			}},
		{name: "423 with Retry-After is rate limited", fault: &fake.Fault{Status: 423, RetryAfter: "2"},
			wantKind: providers.KindRateLimited, wantCode: 423, wantOp: "delete", wantRetry: 2 * time.Second,
			call: func(e *env) error { return e.prov.Delete(context.Background(), newRequest(), "some-id") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.fault != nil {
				e.srv.InjectFault(*tt.fault)
			}
			pe := testutil.ProviderError(t, tt.call(e))
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.wantCode || pe.Op != tt.wantOp || pe.Provider != "webex" {
				t.Errorf("got %v/%d/%s/%s, want %v/%d/%s/webex", pe.Kind, pe.StatusCode, pe.Op, pe.Provider,
					tt.wantKind, tt.wantCode, tt.wantOp)
			}
			if pe.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
			if !strings.HasPrefix(pe.TrackingID, "ROUTER_") || !strings.Contains(pe.Error(), pe.TrackingID) {
				t.Errorf("trackingId %q not captured or not in %q", pe.TrackingID, pe.Error())
			}
			if pe.Message == "" {
				t.Error("message is empty")
			}
		})
	}
}

// TestClientErrorsNeverCarryTheBodySecret makes the server echo a secret that travels only in
// the body of a client call; the behaviour table checks the provider's calls.
func TestClientErrorsNeverCarryTheBodySecret(t *testing.T) {
	for _, status := range []int{400, 401, 429, 500} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			e := newEnv(t)
			e.srv.InjectFault(fake.Fault{Status: status, Message: "secret only-in-the-body and " + token})
			c, _ := webex.NewClient(e.srv.URL(), nil, token)
			_, err := c.Create(context.Background(), webex.CreateRequest{Name: "n", Secret: "only-in-the-body"})
			pe := testutil.ProviderError(t, err)
			if pe.StatusCode != status {
				t.Fatalf("status = %d, want %d (the fault did not hit)", pe.StatusCode, status)
			}
			if !strings.Contains(pe.Message, "[redacted]") {
				t.Errorf("message %q shows no redaction, so the echo did not arrive", pe.Message)
			}
			assertNoSecrets(t, err, "only-in-the-body")
		})
	}
}

// assertNoSecrets checks every text an error offers for the credentials of these tests and for more.
func assertNoSecrets(t *testing.T, err error, more ...string) {
	t.Helper()
	testutil.AssertNoSecrets(t, err, append([]string{token, secret}, more...), []string{token})
}
