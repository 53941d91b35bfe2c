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
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
)

// TestTypedErrors covers PageSeeder's own answers: its error ids as tracking ids, its validation,
// a missing webhook, the default wait of a 429 and a failed ping; the behaviour table checks
// every operation under every failing status.
func TestTypedErrors(t *testing.T) {
	get := func(e *env) error { _, err := e.prov.Get(context.Background(), e.newRequest(), "789"); return err }
	tests := []struct {
		name      string
		fault     *fake.Fault
		call      func(e *env) error
		wantKind  providers.Kind
		wantCode  int
		wantOp    string
		wantID    string
		wantRetry time.Duration
	}{
		{name: "400 from the service's own check", wantKind: providers.KindInvalid, wantCode: 400, wantOp: "create", wantID: "0201",
			call: func(e *env) error {
				_, err := e.prov.Create(context.Background(), e.newRequest(func(r *providers.Request) {
					r.Spec.PageSeeder.Format = "yaml" // past Validate, as if the CRD had not checked it
				}))
				return err
			}},
		{name: "401 from a fault", fault: &fake.Fault{Path: "/ps/service/", Status: 401}, wantKind: providers.KindUnauthorized,
			wantCode: 401, wantOp: "get", wantID: "0191", call: get},
		{name: "403 from a fault", fault: &fake.Fault{Path: "/ps/service/", Status: 403}, wantKind: providers.KindUnauthorized,
			wantCode: 403, wantOp: "list", wantID: "0193",
			call: func(e *env) error {
				_, err := testutil.Candidates(context.Background(), e.prov, e.newRequest())
				return err
			}},
		{name: "404 missing webhook", wantKind: providers.KindNotFound, wantCode: 404, wantOp: "get", wantID: "0106", call: get},
		{name: "404 on update", wantKind: providers.KindNotFound, wantCode: 404, wantOp: "update", wantID: "0106",
			call: func(e *env) error {
				_, err := e.prov.Update(context.Background(), e.newRequest(), &providers.Remote{ID: "789"})
				return err
			}},
		{name: "429 with Retry-After", fault: &fake.Fault{Path: "/ps/service/", Status: 429, RetryAfter: "7"},
			wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "create", wantID: "01AD", wantRetry: 7 * time.Second,
			call: func(e *env) error { _, err := e.prov.Create(context.Background(), e.newRequest()); return err }},
		{name: "429 without Retry-After waits 5s", fault: &fake.Fault{Path: "/ps/service/", Status: 429},
			wantKind: providers.KindRateLimited, wantCode: 429, wantOp: "delete", wantID: "01AD", wantRetry: 5 * time.Second,
			call: func(e *env) error { return e.prov.Delete(context.Background(), e.newRequest(), "789") }},
		{name: "500", fault: &fake.Fault{Path: "/ps/service/", Status: 500}, wantKind: providers.KindUnavailable,
			wantCode: 500, wantOp: "get", wantID: "01F4", call: get},
		{name: "503 on the ping is an update error", fault: &fake.Fault{Path: "/ps/service/", Method: "GET", Status: 503},
			wantKind: providers.KindUnavailable, wantCode: 503, wantOp: "ping", wantID: "01F7",
			call: func(e *env) error {
				e.srv.Seed(internalID, fake.Hook{ID: 789, Name: owner, URL: e.recv.url("/hook"), Status: "pending"})
				req := e.newRequest(func(r *providers.Request) {
					r.Spec.PageSeeder.Events, r.Spec.PageSeeder.Projects = nil, nil
				})
				w := &pageseeder.Webhook{ID: 789, Name: owner, URL: req.Spec.TargetURL, Format: "json", Object: "minimal", Status: "pending"}
				_, err := e.prov.Update(context.Background(), req, &providers.Remote{ID: "789", Object: w})
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.fault != nil {
				e.srv.InjectFault(*tt.fault)
			}
			pe := testutil.ProviderError(t, tt.call(e))
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.wantCode || pe.Op != tt.wantOp || pe.Provider != "pageseeder" {
				t.Errorf("got %v: %v/%d/%s/%s, want %v/%d/%s/pageseeder", pe, pe.Kind, pe.StatusCode, pe.Op, pe.Provider,
					tt.wantKind, tt.wantCode, tt.wantOp)
			}
			if pe.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
			if pe.TrackingID != tt.wantID || !strings.Contains(pe.Error(), "trackingId "+tt.wantID) {
				t.Errorf("trackingId %q (in %q), want %q", pe.TrackingID, pe.Error(), tt.wantID)
			}
			if pe.Message == "" {
				t.Error("message is empty")
			}
		})
	}
}

// errorServer answers every service call with status, headers and body, and tokens normally.
func errorServer(t *testing.T, status int, header map[string]string, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ps/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"tok-from-error-server","token_type":"bearer","expires_in":21600}`))
			return
		}
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestErrorBodies covers the error documents the fake does not send.
func TestErrorBodies(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		header      map[string]string
		body        string
		wantKind    providers.Kind
		wantMessage string
		wantID      string
		wantRetry   time.Duration
	}{
		{name: "flat json", status: 404,
			body:     `{"id":"0106","request":"/ps/api/clients/123/webhooks/789.json","message":"Unable to find matching webhook."}`,
			wantKind: providers.KindNotFound, wantMessage: "Unable to find matching webhook.", wantID: "0106"},
		{name: "wrapped json", status: 400, body: `{"error":{"id":"0201","message":"Failed @Requires check: missing parameter 'url'"}}`,
			wantKind: providers.KindInvalid, wantMessage: "Failed @Requires check: missing parameter 'url'", wantID: "0201"},
		{name: "wrapped json with description", status: 400, body: `{"error":{"id":"0103","description":"Unable to tunnel request"}}`,
			wantKind: providers.KindInvalid, wantMessage: "Unable to tunnel request", wantID: "0103"},
		{name: "flat json with description", status: 500, body: `{"id":"0x0000","description":"server error"}`,
			wantKind: providers.KindUnavailable, wantMessage: "server error", wantID: "0000"},
		{name: "xml although json was asked for", status: 404, header: map[string]string{"Content-Type": "application/xml"},
			body:     `<?xml version="1.0"?><error id="0x0106"><request>/ps/service/clients/123/webhooks/789.json</request><message>Unable to find matching webhook</message></error>`,
			wantKind: providers.KindNotFound, wantMessage: "Unable to find matching webhook", wantID: "0106"},
		{name: "xml 403", status: 403, body: `<error id="0102"><request>/x</request><message>This service requires administrator</message></error>`,
			wantKind: providers.KindUnauthorized, wantMessage: "This service requires administrator", wantID: "0102"},
		{name: "numeric id", status: 400, body: `{"id":201,"message":"bad"}`, wantKind: providers.KindInvalid, wantMessage: "bad", wantID: "201"},
		{name: "html from a proxy", status: 502, body: `<html><body>bad gateway</body></html>`,
			wantKind: providers.KindUnavailable, wantMessage: "bad gateway"},
		{name: "empty 404", status: 404, wantKind: providers.KindNotFound, wantMessage: "not found"},
		{name: "429 zero seconds is at least one", status: 429, header: map[string]string{"Retry-After": "0"},
			wantKind: providers.KindRateLimited, wantMessage: "too many requests", wantRetry: time.Second},
		{name: "429 http date", status: 429, header: map[string]string{"Retry-After": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)},
			wantKind: providers.KindRateLimited, wantMessage: "too many requests", wantRetry: time.Hour},
		{name: "409 is a conflict", status: 409, body: `{"id":"0300","message":"exists"}`,
			wantKind: providers.KindConflict, wantMessage: "exists", wantID: "0300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := errorServer(t, tt.status, tt.header, tt.body)
			p := pageseeder.New(pageseeder.Options{AllowInsecure: true, Egress: loopback})
			_, err := p.Get(context.Background(), newRequest(srv.URL, "https://x.example/"), "789")
			pe := testutil.ProviderError(t, err)
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.status || pe.Op != "get" {
				t.Errorf("got kind %v status %d op %q, want %v %d get", pe.Kind, pe.StatusCode, pe.Op, tt.wantKind, tt.status)
			}
			if pe.Message != tt.wantMessage {
				t.Errorf("message = %q, want %q", pe.Message, tt.wantMessage)
			}
			if pe.TrackingID != tt.wantID {
				t.Errorf("trackingId = %q, want %q", pe.TrackingID, tt.wantID)
			}
			if d := pe.RetryAfter - tt.wantRetry; d < -2*time.Second || d > 0 {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
		})
	}
}

func TestUnreadableSuccess(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "xml", body: `<webhook id="789"/>`},
		{name: "no id", body: `{"name":"x"}`},
		{name: "larger than a mebibyte", body: `{"id":789,"url":"https://x/","name":"` + strings.Repeat("a", 1<<20) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := errorServer(t, 200, nil, tt.body)
			p := pageseeder.New(pageseeder.Options{AllowInsecure: true, Egress: loopback})
			_, err := p.Get(context.Background(), newRequest(srv.URL, "https://x.example/"), "789")
			if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable || pe.Err == nil {
				t.Errorf("got %v (kind %v, wrapped %v), want Unavailable wrapping the cause", pe, pe.Kind, pe.Err)
			}
		})
	}
}

// TestLenientWireFormat reads the forms PageSeeder's own SDK accepts: string ids and booleans,
// and lists as arrays.
func TestLenientWireFormat(t *testing.T) {
	srv := errorServer(t, 200, nil, `{"webhook":{"id":"789","url":"https://x.example/","name":"n","server":"true",
		"insecuressl":"false","events":["comment.*"," task.updated"],"projects":"a, b","status":"active",
		"created":"2019-05-07T12:04:59+1000","client":{"id":"123"}}}`)
	p := pageseeder.New(pageseeder.Options{AllowInsecure: true, Egress: loopback})
	r, err := p.Get(context.Background(), newRequest(srv.URL, "https://x.example/"), "789")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	w := r.Object.(*pageseeder.Webhook)
	if w.ID != 789 || !w.Server || w.InsecureSSL || w.ClientID != 123 || len(w.Events) != 2 || w.Events[1] != "task.updated" ||
		len(w.Projects) != 2 || w.Projects[1] != "b" {
		t.Errorf("webhook = %+v", w)
	}
	if r.Created == nil || !r.Created.Equal(time.Date(2019, 5, 7, 2, 4, 59, 0, time.UTC)) {
		t.Errorf("created = %v", r.Created)
	}
}

// TestErrorsNeverCarryTheAccessToken makes the server echo the access token it issued, and
// checks that no error text lets it through; the behaviour table checks the client id and secret.
func TestErrorsNeverCarryTheAccessToken(t *testing.T) {
	ops := map[string]func(e *env) error{
		"find": func(e *env) error {
			_, err := testutil.Candidates(context.Background(), e.prov, e.newRequest())
			return err
		},
		"get":    func(e *env) error { _, err := e.prov.Get(context.Background(), e.newRequest(), "789"); return err },
		"create": func(e *env) error { _, err := e.prov.Create(context.Background(), e.newRequest()); return err },
		"update": func(e *env) error {
			_, err := e.prov.Update(context.Background(), e.newRequest(), &providers.Remote{ID: "789"})
			return err
		},
		"delete": func(e *env) error { return e.prov.Delete(context.Background(), e.newRequest(), "789") },
	}
	for _, status := range []int{400, 401, 403, 404, 429, 500} {
		for name, op := range ops {
			if name == "delete" && status == 404 {
				continue // already gone is success, so there is no error to inspect
			}
			t.Run(name, func(t *testing.T) {
				e := newEnv(t)
				if _, err := testutil.Candidates(context.Background(), e.prov, e.newRequest()); err != nil {
					t.Fatalf("Find: %v", err)
				}
				token := e.rec.Bearer(t)
				e.srv.InjectFault(fake.Fault{Path: "/ps/service/", Status: status,
					Message: "token " + token + " is wrong"})
				err := op(e)
				pe := testutil.ProviderError(t, err)
				if pe.StatusCode != status {
					t.Fatalf("status = %d, want %d (the fault did not hit)", pe.StatusCode, status)
				}
				if !strings.Contains(pe.Message, "[redacted]") {
					t.Errorf("message %q shows no redaction, so the echo did not arrive", pe.Message)
				}
				assertNoSecrets(t, err, token)
			})
		}
	}
}

func TestTokenErrorEchoIsScrubbed(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "oauth", body: `{"error":"invalid_client","error_description":"bad secret ` + clientSecret + ` for ` + clientID + `"}`},
		{name: "pageseeder json", body: `{"id":"0101","message":"bad secret ` + clientSecret + `"}`},
		{name: "xml", body: `<error id="0101"><message>bad secret ` + clientSecret + `</message></error>`},
		{name: "unparsed", body: `bad secret ` + clientSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			p := pageseeder.New(pageseeder.Options{AllowInsecure: true, Egress: loopback})
			_, err := testutil.Candidates(context.Background(), p, newRequest(srv.URL, "https://x.example/"))
			pe := testutil.ProviderError(t, err)
			if pe.Kind != providers.KindUnauthorized || pe.Op != "token" {
				t.Errorf("got %v (kind %v), want Unauthorized from the token request", pe, pe.Kind)
			}
			assertNoSecrets(t, err)
		})
	}
}

// TestTransportErrorTextIsScrubbed: the behaviour table checks the token request with client
// credentials; a plain token goes straight to the service.
func TestTransportErrorTextIsScrubbed(t *testing.T) {
	tests := []struct {
		name  string
		creds map[string][]byte
	}{
		{name: "service call with a plain token", creds: map[string][]byte{"token": []byte("plain-token-0a1b2c3d")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pageseeder.New(pageseeder.Options{HTTPClient: &http.Client{Transport: testutil.LeakyTransport{}}})
			req := newRequest("https://ps.invalid", "https://x.example/", func(r *providers.Request) { r.Credentials = tt.creds })
			_, err := p.Create(context.Background(), req)
			pe := testutil.ProviderError(t, err)
			if pe.Kind != providers.KindUnavailable || !strings.Contains(pe.Error(), "[redacted]") {
				t.Fatalf("got %v (kind %v), want Unavailable with the echoed credential redacted", err, pe.Kind)
			}
			assertNoSecrets(t, err, "plain-token-0a1b2c3d")
		})
	}
}
