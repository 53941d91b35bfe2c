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
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/testutil"
	"github.com/hookkeeper/hookkeeper/providers/webex"
	"github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

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
		{name: "429 with Retry-After", fault: &fake.Fault{Status: 429, RetryAfter: "7"},
			wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "create", wantRetry: 7 * time.Second,
			call: func(e *env) error { _, err := e.prov.Create(context.Background(), newRequest()); return err }},
		{name: "429 without Retry-After waits 15s", fault: &fake.Fault{Status: 429},
			wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "list", wantRetry: 15 * time.Second,
			call: func(e *env) error {
				_, err := testutil.Candidates(context.Background(), e.prov, newRequest())
				return err
			}},
		{name: "423 with Retry-After is rate limited", fault: &fake.Fault{Status: 423, RetryAfter: "2"},
			wantKind: providers.KindRateLimited, wantCode: 423, wantOp: "delete", wantRetry: 2 * time.Second,
			call: func(e *env) error { return e.prov.Delete(context.Background(), newRequest(), "some-id") }},
		{name: "500", fault: &fake.Fault{Status: 500}, wantKind: providers.KindUnavailable, wantCode: 500, wantOp: "get",
			call: func(e *env) error { _, err := e.prov.Get(context.Background(), newRequest(), "x"); return err }},
		{name: "503", fault: &fake.Fault{Status: 503, Method: http.MethodPut}, wantKind: providers.KindUnavailable,
			wantCode: 503, wantOp: "update",
			call: func(e *env) error {
				_, err := e.prov.Update(context.Background(), newRequest(), &providers.Remote{ID: "x", Active: true})
				return err
			}},
		{name: "403", fault: &fake.Fault{Status: 403}, wantKind: providers.KindUnauthorized, wantCode: 403, wantOp: "create",
			call: func(e *env) error { _, err := e.prov.Create(context.Background(), newRequest()); return err }},
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

func TestMissingCredentialsMakeNoRequest(t *testing.T) {
	tests := []struct {
		name  string
		creds map[string][]byte
	}{
		{name: "no key", creds: map[string][]byte{"apiKey": []byte("x")}},
		{name: "blank", creds: map[string][]byte{"token": []byte("  \n")}},
		{name: "nil map", creds: nil},
		{name: "inner whitespace", creds: map[string][]byte{"token": []byte("abc def")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			req := newRequest(func(r *providers.Request) { r.Credentials = tt.creds })
			calls := map[string]error{
				"find":   func() error { _, err := testutil.Candidates(context.Background(), e.prov, req); return err }(),
				"get":    func() error { _, err := e.prov.Get(context.Background(), req, "x"); return err }(),
				"create": func() error { _, err := e.prov.Create(context.Background(), req); return err }(),
				"update": func() error {
					_, err := e.prov.Update(context.Background(), req, &providers.Remote{ID: "x"})
					return err
				}(),
				"delete": e.prov.Delete(context.Background(), req, "x"),
			}
			for op, err := range calls {
				pe := testutil.ProviderError(t, err)
				if pe.Kind != providers.KindMissingCredentials || !strings.Contains(pe.Error(), `"token"`) {
					t.Errorf("%s: %v (kind %v), want MissingCredentials naming \"token\"", op, pe, pe.Kind)
				}
			}
			if n := e.srv.RequestsTotal(); n != 0 {
				t.Errorf("%d requests were made without a token", n)
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
	srv.AddToken(token)
	srv.InjectFault(fake.Fault{Delay: 2 * time.Second})
	p := webex.New(webex.Options{BaseURL: srv.URL(), HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	_, err := p.Get(context.Background(), newRequest(), "x")
	pe := testutil.ProviderError(t, err)
	var ne net.Error
	if pe.Kind != providers.KindUnavailable || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("got %v (kind %v), want an Unavailable timeout", err, pe.Kind)
	}
	assertNoSecrets(t, err)
}

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
			if n := len(e.srv.Hooks(token)); n != 1 {
				t.Fatalf("fake holds %d hooks, want the 1 whose answer was lost", n)
			}
			found, err := testutil.Candidates(context.Background(), e.prov, newRequest())
			if err != nil || len(found) != 1 {
				t.Errorf("Find = %v, %v; want the lost webhook as a candidate", found, err)
			}
		})
	}
}

// TestErrorsNeverCarryCredentials makes the server echo the token and the signing secret and
// checks that no error text lets them through.
func TestErrorsNeverCarryCredentials(t *testing.T) {
	echo := "token " + token + " and secret " + secret + " are wrong"
	ops := map[string]func(e *env) error{
		"find": func(e *env) error {
			_, err := testutil.Candidates(context.Background(), e.prov, newRequest())
			return err
		},
		"get":    func(e *env) error { _, err := e.prov.Get(context.Background(), newRequest(), "x"); return err },
		"create": func(e *env) error { _, err := e.prov.Create(context.Background(), newRequest()); return err },
		"update": func(e *env) error {
			_, err := e.prov.Update(context.Background(), newRequest(), &providers.Remote{ID: "x"})
			return err
		},
		"delete": func(e *env) error { return e.prov.Delete(context.Background(), newRequest(), "x") },
		"client create with another secret": func(e *env) error {
			c, _ := webex.NewClient(e.srv.URL(), nil, token)
			_, err := c.Create(context.Background(), webex.CreateRequest{Name: "n", Secret: "only-in-the-body"})
			return err
		},
	}
	for _, status := range []int{400, 401, 429, 500} {
		for name, op := range ops {
			t.Run(name, func(t *testing.T) {
				e := newEnv(t)
				msg := echo
				if strings.HasPrefix(name, "client") {
					msg = "secret only-in-the-body and " + token
				}
				e.srv.InjectFault(fake.Fault{Status: status, Message: msg})
				err := op(e)
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
}

func TestTransportErrorTextIsScrubbed(t *testing.T) {
	p := webex.New(webex.Options{BaseURL: "https://webex.invalid/v1", HTTPClient: &http.Client{Transport: testutil.LeakyTransport{}}})
	_, err := p.Create(context.Background(), newRequest())
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindUnavailable || !strings.Contains(pe.Error(), "[redacted]") {
		t.Fatalf("got %v (kind %v), want Unavailable with the echoed token redacted", err, pe.Kind)
	}
	assertNoSecrets(t, err)
}

// assertNoSecrets checks every text an error offers for the credentials of these tests and for more.
func assertNoSecrets(t *testing.T, err error, more ...string) {
	t.Helper()
	testutil.AssertNoSecrets(t, err, append([]string{token, secret}, more...), []string{token})
}
