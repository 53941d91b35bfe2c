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

// typedErrorCase is a call, the fault injected before it, and the error it should return.
type typedErrorCase struct {
	name      string
	fault     *fake.Fault
	call      func(e *env) error
	wantKind  providers.Kind
	wantCode  int
	wantOp    string
	wantText  string
	wantRetry time.Duration
}

// typedErrorCases are the answers of APS that TestTypedErrors covers.
var typedErrorCases = []typedErrorCase{
	{name: "400 from the API's own validation", wantKind: providers.KindInvalid, wantCode: 400, wantOp: "create",
		wantText: "scope is required",
		call: func(e *env) error {
			_, err := e.prov.Create(context.Background(), newRequest(func(r *providers.Request) { r.Spec.Autodesk.Scope = nil }))
			return err
		}},
	{name: "401 unknown token", wantKind: providers.KindUnauthorized, wantCode: 401, wantOp: "list",
		wantText: "invalid or has expired",
		call: func(e *env) error {
			_, err := autodesk.FindHooks(context.Background(), e.prov, newRequest(func(r *providers.Request) {
				r.Credentials = map[string][]byte{"token": []byte("tok-not-registered")}
			}))
			return err
		}},
	{name: "404 unknown id", wantKind: providers.KindNotFound, wantCode: 404, wantOp: "get", wantText: "not found",
		call: func(e *env) error {
			_, err := e.prov.Get(context.Background(), newRequest(), "0f60f6a0-996c-11e7-abf3-51d68cff984c")
			return err
		}},
	{name: "404 on update", wantKind: providers.KindNotFound, wantCode: 404, wantOp: "update",
		call: func(e *env) error {
			_, err := e.prov.Update(context.Background(), newRequest(), &providers.Remote{ID: "gone"})
			return err
		}},
	{name: "409 on create", wantKind: providers.KindConflict, wantCode: 409, wantOp: "create", wantText: "already exists",
		call: func(e *env) error {
			if _, err := e.prov.Create(context.Background(), newRequest()); err != nil {
				return err
			}
			_, err := e.prov.Create(context.Background(), newRequest())
			return err
		}},
	{name: "429 with Retry-After", fault: &fake.Fault{Path: "/webhooks/", Status: 429, RetryAfter: "25", Message: "Quota limit exceeded."},
		wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "list", wantText: "Quota limit exceeded.", wantRetry: 25 * time.Second,
		call: func(e *env) error {
			_, err := autodesk.FindHooks(context.Background(), e.prov, newRequest())
			return err
		}},
	{name: "429 without Retry-After waits 10s", fault: &fake.Fault{Path: "/webhooks/", Status: 429},
		wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "delete", wantRetry: 10 * time.Second,
		call: func(e *env) error { return e.prov.Delete(context.Background(), newRequest(), "x") }},
	{name: "429 of zero seconds waits one", fault: &fake.Fault{Path: "/webhooks/", Status: 429, RetryAfter: "0"},
		wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "list", wantRetry: time.Second,
		call: func(e *env) error {
			_, err := autodesk.FindHooks(context.Background(), e.prov, newRequest())
			return err
		}},
	{name: "503 with Retry-After carries it", fault: &fake.Fault{Method: http.MethodPatch, Status: 503, RetryAfter: "20"},
		wantKind: providers.KindUnavailable, wantCode: 503, wantOp: "update", wantRetry: 20 * time.Second,
		call: func(e *env) error {
			_, err := e.prov.Update(context.Background(), newRequest(), &providers.Remote{ID: "x", Active: true})
			return err
		}},
}

// TestTypedErrors covers APS's own answers (its validation, an unknown token, id or hook, a
// conflict, the waits of a 429, a 503 that carries Retry-After) and the narrowed search; the
// behaviour table checks every operation under every failing status.
func TestTypedErrors(t *testing.T) {
	for _, tt := range typedErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.fault != nil {
				e.srv.InjectFault(*tt.fault)
			}
			pe := testutil.ProviderError(t, tt.call(e))
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.wantCode || pe.Op != tt.wantOp || pe.Provider != "autodesk" {
				t.Errorf("got %v/%d/%s/%s (%v), want %v/%d/%s/autodesk", pe.Kind, pe.StatusCode, pe.Op, pe.Provider, pe,
					tt.wantKind, tt.wantCode, tt.wantOp)
			}
			if pe.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
			if pe.TrackingID == "" || !strings.Contains(pe.Error(), pe.TrackingID) {
				t.Errorf("tracking id %q not captured or not in %q", pe.TrackingID, pe.Error())
			}
			if pe.Message == "" || !strings.Contains(pe.Message, tt.wantText) {
				t.Errorf("message %q, want it to contain %q", pe.Message, tt.wantText)
			}
		})
	}
}

// TestErrorBodies covers shapes the fake does not send: the APS error body is unconfirmed, so
// every known field is read.
func TestErrorBodies(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		header       map[string]string
		body         string
		wantKind     providers.Kind
		wantMessage  string
		wantTracking string
	}{
		{name: "gateway developerMessage", status: 429, body: `{"developerMessage":"Quota limit exceeded."}`,
			wantKind: providers.KindRateLimited, wantMessage: "Quota limit exceeded."},
		{name: "detail as a string", status: 400, body: `{"detail":"bad filter"}`,
			wantKind: providers.KindInvalid, wantMessage: "bad filter"},
		{name: "detail as an array", status: 400, body: `{"status":400,"detail":["bad filter","bad scope"]}`,
			wantKind: providers.KindInvalid, wantMessage: "bad filter; bad scope"},
		{name: "message", status: 404, body: `{"message":"no such hook"}`, wantKind: providers.KindNotFound, wantMessage: "no such hook"},
		{name: "errorMessage and title", status: 500, body: `{"title":"Server error","errorMessage":"db down"}`,
			wantKind: providers.KindUnavailable, wantMessage: "db down; Server error"},
		{name: "only the documented id", status: 400, body: `{"id":"7c0d2b5e"}`, wantKind: providers.KindInvalid, wantMessage: "id 7c0d2b5e"},
		{name: "id after the message", status: 403, body: `{"id":"e1","detail":["forbidden folder"]}`,
			wantKind: providers.KindUnauthorized, wantMessage: "forbidden folder; id e1"},
		{name: "OAuth style", status: 401, body: `{"error":"invalid_token","error_description":"The token expired"}`,
			wantKind: providers.KindUnauthorized, wantMessage: "invalid_token: The token expired"},
		{name: "gateway code", status: 401, body: `{"developerMessage":"Token is not provided","errorCode":"AUTH-001"}`,
			wantKind: providers.KindUnauthorized, wantMessage: "AUTH-001: Token is not provided"},
		{name: "numbers and objects are skipped", status: 409, body: `{"code":409,"detail":[{"x":1}],"message":"exists"}`,
			wantKind: providers.KindConflict, wantMessage: "exists"},
		{name: "html", status: 502, body: `<html>bad gateway</html>`, wantKind: providers.KindUnavailable, wantMessage: "bad gateway"},
		{name: "empty", status: 500, body: ``, wantKind: providers.KindUnavailable, wantMessage: "internal server error"},
		{name: "troubleshooting id header", status: 500, header: map[string]string{"x-ads-troubleshooting-id": "T-1", "x-request-id": "R-1"},
			wantKind: providers.KindUnavailable, wantMessage: "internal server error", wantTracking: "T-1"},
		{name: "request id header", status: 400, header: map[string]string{"x-request-id": "R-2"}, body: `{"detail":["x"]}`,
			wantKind: providers.KindInvalid, wantMessage: "x", wantTracking: "R-2"},
		{name: "423 is unavailable", status: 423, wantKind: providers.KindUnavailable, wantMessage: "locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			_, err := autodesk.FindHooks(context.Background(), s.provider(), plainRequest())
			pe := testutil.ProviderError(t, err)
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.status {
				t.Errorf("kind %v status %d, want %v %d", pe.Kind, pe.StatusCode, tt.wantKind, tt.status)
			}
			if pe.Message != tt.wantMessage {
				t.Errorf("message = %q, want %q", pe.Message, tt.wantMessage)
			}
			if pe.TrackingID != tt.wantTracking {
				t.Errorf("trackingId = %q, want %q", pe.TrackingID, tt.wantTracking)
			}
		})
	}
}

// TestErrorsNeverCarryCredentials makes the fake echo the client id, the client secret and the
// signing token in the errors of the narrowed search and of the token request; the behaviour
// table checks the other operations.
func TestErrorsNeverCarryCredentials(t *testing.T) {
	echo := "client " + clientID + " secret " + clientSecret + " token " + signing + " are wrong"
	ops := map[string]func(e *env) error{
		"find": func(e *env) error {
			_, err := autodesk.FindHooks(context.Background(), e.prov, newRequest())
			return err
		},
		"token": func(e *env) error {
			_, err := autodesk.FindHooks(context.Background(), e.prov, newRequest())
			return err
		},
	}
	for _, status := range []int{400, 401, 403, 429, 500} {
		for name, op := range ops {
			t.Run(name, func(t *testing.T) {
				e := newEnv(t)
				path := "/webhooks/"
				if name == "token" {
					path = "/authentication/"
				}
				e.srv.InjectFault(fake.Fault{Path: path, Status: status, Message: echo})
				err := op(e)
				pe := testutil.ProviderError(t, err)
				if pe.StatusCode != status {
					t.Fatalf("status = %d, want %d (the fault did not hit): %v", pe.StatusCode, status, err)
				}
				if !strings.Contains(pe.Message, "[redacted]") {
					t.Errorf("message %q shows no redaction, so the echo did not arrive", pe.Message)
				}
				assertNoSecrets(t, err)
			})
		}
	}
}

// TestBearerTokenEchoIsScrubbed makes a server quote the Authorization header it received, in the
// body and in a tracking header: neither a plain token nor an issued one may come back.
func TestBearerTokenEchoIsScrubbed(t *testing.T) {
	const issued = "issued-access-token-9f8e7d"
	tests := []struct {
		name  string
		req   *providers.Request
		token string
	}{
		{name: "plain token", req: plainRequest(), token: plainToken},
		{name: "two-legged token", req: newRequest(), token: issued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/authentication/v2/token" {
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"access_token":"` + issued + `","token_type":"Bearer","expires_in":3599}`))
					return
				}
				w.Header().Set("x-request-id", "seen "+r.Header.Get("Authorization"))
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"detail":["header was ` + r.Header.Get("Authorization") + `"]}`))
			})
			_, err := autodesk.FindHooks(context.Background(), s.provider(), tt.req)
			pe := testutil.ProviderError(t, err)
			if pe.StatusCode != 400 || !strings.Contains(pe.Message, "[redacted]") {
				t.Fatalf("got %v, want a 400 whose echo was redacted", err)
			}
			assertNoSecrets(t, err, tt.token)
		})
	}
}

func TestTransportErrorTextIsScrubbed(t *testing.T) {
	p := autodesk.New(autodesk.Options{BaseURL: "https://aps.invalid", HTTPClient: &http.Client{Transport: testutil.LeakyTransport{}}})
	// The behaviour table checks client credentials; a plain token travels as it is.
	for name, req := range map[string]*providers.Request{"plain token": plainRequest()} {
		t.Run(name, func(t *testing.T) {
			_, err := p.Create(context.Background(), req)
			pe := testutil.ProviderError(t, err)
			if pe.Kind != providers.KindUnavailable || !strings.Contains(pe.Error(), "[redacted]") {
				t.Fatalf("got %v (kind %v), want Unavailable with the echoed credential redacted", err, pe.Kind)
			}
			basic := "Basic " // the base64 of the client credentials must not survive either
			if i := strings.Index(pe.Error(), basic); i >= 0 && !strings.HasPrefix(pe.Error()[i+len(basic):], "[redacted]") {
				t.Errorf("the Basic credentials survived: %q", pe.Error())
			}
			assertNoSecrets(t, err, plainToken)
		})
	}
}

func TestUnreadableSuccess(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "not json", body: "<html>ok</html>"},
		{name: "larger than a mebibyte", body: `{"hookId":"` + strings.Repeat("a", 1<<20) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(tt.body)) })
			_, err := s.provider().Get(context.Background(), plainRequest(), "x")
			if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable || pe.Err == nil {
				t.Errorf("got %v (kind %v, wrapped %v), want Unavailable wrapping the cause", pe, pe.Kind, pe.Err)
			}
		})
	}
}

// TestDroppedCreateIsFoundByTheNarrowedSearch loses the answer of a create, as the behaviour
// table does, then follows what the controller does next on APS: a create answered 409, then
// the narrowed search.
func TestDroppedCreateIsFoundByTheNarrowedSearch(t *testing.T) {
	for _, status := range []int{0, http.StatusBadGateway} {
		e := newEnv(t)
		e.srv.InjectFault(fake.Fault{Method: http.MethodPost, Path: "/webhooks/", DropResponse: true, Status: status, Times: 1})
		_, err := e.prov.Create(context.Background(), newRequest())
		if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable || pe.StatusCode != status {
			t.Fatalf("status %d: Create = %v (kind %v), want Unavailable", status, err, pe.Kind)
		}
		if n := len(e.srv.Hooks(clientID)); n != 1 {
			t.Fatalf("status %d: the fake holds %d hooks, want the one whose answer was lost", status, n)
		}
		// What the controller does next: a create answered 409, then Find.
		_, err = e.prov.Create(context.Background(), newRequest())
		if providers.KindOf(err) != providers.KindConflict {
			t.Errorf("status %d: second Create = %v, want Conflict", status, err)
		}
		found, err := autodesk.FindHooks(context.Background(), e.prov, newRequest())
		if err != nil || len(found) != 1 || found[0].ID != e.srv.Hooks(clientID)[0].HookID {
			t.Errorf("status %d: Find = %v, %v; want the lost hook", status, found, err)
		}
	}
}

func TestInvalidBaseURL(t *testing.T) {
	p := autodesk.New(autodesk.Options{BaseURL: "developer.api.autodesk.com"})
	_, err := autodesk.FindHooks(context.Background(), p, newRequest())
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable || !strings.Contains(pe.Error(), "not an absolute URL") {
		t.Errorf("Find with a relative base URL = %v", err)
	}
}

func TestDefaultBaseURL(t *testing.T) {
	var seen []string
	p := autodesk.New(autodesk.Options{HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.URL.String())
		rec := httptest.NewRecorder()
		rec.WriteHeader(http.StatusNoContent)
		return rec.Result(), nil
	})}})
	if _, err := autodesk.FindHooks(context.Background(), p, plainRequest()); err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(seen) != 1 || !strings.HasPrefix(seen[0], "https://developer.api.autodesk.com/webhooks/v1/systems/data/events/dm.version.added/hooks?") {
		t.Errorf("requests %v, want the APS host", seen)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
