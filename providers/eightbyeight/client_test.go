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
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
)

func TestRegionURL(t *testing.T) {
	tests := []struct {
		region hooksv1alpha1.EightByEightRegion
		want   string
		wantOK bool
	}{
		{region: "", want: "https://chatapps.8x8.com", wantOK: true},
		{region: "APAC", want: "https://chatapps.8x8.com", wantOK: true},
		{region: "US", want: "https://chatapps.us.8x8.com", wantOK: true},
		{region: "EU", want: "https://chatapps.8x8.uk", wantOK: true},
		{region: "ID", want: "https://chatapps.8x8.id", wantOK: true},
		{region: "apac", wantOK: false},
		{region: "MARS", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(string(tt.region), func(t *testing.T) {
			got, ok := eightbyeight.RegionURL(tt.region)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("RegionURL(%q) = %q, %v; want %q, %v", tt.region, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestBaseURLOverride(t *testing.T) {
	p := eightbyeight.New(eightbyeight.Options{BaseURL: "http://127.0.0.1:9/"})
	for _, region := range []hooksv1alpha1.EightByEightRegion{"", "APAC", "US", "EU", "ID", "MARS"} {
		if got, err := p.BaseURL(region); err != nil || got != "http://127.0.0.1:9" {
			t.Errorf("BaseURL(%q) with an override = %q, %v; want the override for every region", region, got, err)
		}
	}
	if _, err := eightbyeight.New(eightbyeight.Options{}).BaseURL("MARS"); err == nil {
		t.Error("BaseURL of an unknown region without an override did not fail")
	}
}

// hostRecorder answers every request itself, so the regional hosts are reached without a network.
type hostRecorder struct {
	mu   sync.Mutex
	urls []string
}

func (h *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.urls = append(h.urls, req.URL.String())
	h.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("[]")), Request: req}, nil
}

func TestRequestsGoToTheRegionsHost(t *testing.T) {
	tests := []struct {
		region   hooksv1alpha1.EightByEightRegion
		override string
		want     string
	}{
		{region: "", want: "https://chatapps.8x8.com"},
		{region: "US", want: "https://chatapps.us.8x8.com"},
		{region: "EU", want: "https://chatapps.8x8.uk"},
		{region: "ID", want: "https://chatapps.8x8.id"},
		{region: "EU", override: "https://proxy.example/8x8", want: "https://proxy.example/8x8"},
	}
	for _, tt := range tests {
		t.Run(string(tt.region)+tt.override, func(t *testing.T) {
			hr := &hostRecorder{}
			p := eightbyeight.New(eightbyeight.Options{BaseURL: tt.override, HTTPClient: &http.Client{Transport: hr}})
			req := newRequest(func(r *providers.Request) { r.Spec.EightByEight.Region = tt.region })
			if _, err := testutil.Candidates(context.Background(), p, req); err != nil {
				t.Fatalf("Find: %v", err)
			}
			if want := tt.want + "/api/v1/accounts/" + canonicalAccount + "/webhooks"; len(hr.urls) != 1 || hr.urls[0] != want {
				t.Errorf("requested %v, want [%s]", hr.urls, want)
			}
		})
	}
}

func TestListBodies(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantN    int
		wantKind providers.Kind
		wantErr  bool
	}{
		{name: "empty array", body: "[]", wantN: 0},
		{name: "empty body", body: "", wantN: 0},
		{name: "null", body: " null\n", wantN: 0},
		{name: "two hooks, enabled absent means true", body: `[{"subAccountId":"a","type":"MSG","url":"https://x/"},` +
			`{"subAccountId":"*","type":"CADR","url":"https://y/","enabled":false,"legacy":1}]`, wantN: 2},
		{name: "an object", body: `{"webhooks":[]}`, wantErr: true, wantKind: providers.KindUnavailable},
		{name: "html", body: "<html>ok</html>", wantErr: true, wantKind: providers.KindUnavailable},
		{name: "larger than a mebibyte", body: "[" + strings.Repeat(" ", 1<<20) + "]", wantErr: true, wantKind: providers.KindUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := eightbyeight.NewClient(srv.URL, nil, apiKey)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.List(context.Background(), account)
			if tt.wantErr {
				if pe := testutil.ProviderError(t, err); pe.Kind != tt.wantKind || pe.Err == nil {
					t.Errorf("List = %v (kind %v, wrapped %v), want %v wrapping the cause", pe, pe.Kind, pe.Err, tt.wantKind)
				}
				return
			}
			if err != nil || len(got) != tt.wantN {
				t.Fatalf("List = %d hooks, %v; want %d", len(got), err, tt.wantN)
			}
			if tt.wantN == 2 && (!got[0].IsEnabled() || got[1].IsEnabled()) {
				t.Errorf("enabled read as %v and %v, want true (absent) and false", got[0].IsEnabled(), got[1].IsEnabled())
			}
		})
	}
}

// TestUpsertAcceptsAnySuccess covers answers the fake does not give: 8x8 documents a 200 without a body.
func TestUpsertAcceptsAnySuccess(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
	}{{200, ""}, {200, `{"status":"ok"}`}, {200, "not json"}, {201, "[]"}, {204, ""}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(tt.body))
		}))
		c, _ := eightbyeight.NewClient(srv.URL, nil, apiKey)
		if err := c.Upsert(context.Background(), account, eightbyeight.Webhook{SubAccountID: "a", Type: "MSG", URL: "https://x/"}); err != nil {
			t.Errorf("Upsert answered %d %q: %v", tt.status, tt.body, err)
		}
		srv.Close()
	}
}

// TestCreateSendsOneRequest checks that Create upserts and answers from what it sent, without
// listing the account again, and that the answer agrees with the spec.
func TestCreateSendsOneRequest(t *testing.T) {
	var mu sync.Mutex
	var methods []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		methods = append(methods, r.Method)
		mu.Unlock()
	}))
	defer srv.Close()
	p := eightbyeight.New(eightbyeight.Options{BaseURL: srv.URL})
	req := newRequest()
	remote, err := p.Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(methods) != 1 || methods[0] != http.MethodPost {
		t.Errorf("requests %v, want one POST", methods)
	}
	if remote.ID != id(subAccount, "MSG") || !remote.Active {
		t.Errorf("Create = %+v, want the id %s, active", remote, id(subAccount, "MSG"))
	}
	if d := p.Diff(req, remote); d.Action != providers.ActionNone {
		t.Errorf("Diff of the created webhook = %v %v, want None", d.Action, d.Fields)
	}
}

// TestDeleteOfAMissingKey accepts every answer 8x8 might give for a key that does not exist.
func TestDeleteOfAMissingKey(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantKind *providers.Kind
	}{
		{name: "200", status: 200},
		{name: "404", status: 404, body: `{"code":1300,"message":"Not found","errorId":"e1"}`},
		{name: "404 without a body", status: 404},
		{name: "400 code 1300", status: 400, body: `{"code":1300,"message":"Webhook not found","errorId":"e2"}`},
		{name: "400 another code is an error", status: 400, body: `{"code":1001,"message":"Illegal SubAccountId","errorId":"e3"}`,
			wantKind: kindPtr(providers.KindInvalid)},
		{name: "500 is an error", status: 500, body: `{"code":2000,"message":"Internal server error","errorId":"e4"}`,
			wantKind: kindPtr(providers.KindUnavailable)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var method, body string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				data, _ := io.ReadAll(r.Body)
				method, body = r.Method, string(data)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			p := eightbyeight.New(eightbyeight.Options{BaseURL: srv.URL})
			err := p.Delete(context.Background(), newRequest(), id("*", "CABM"))
			if method != http.MethodDelete || body != `[{"subAccountId":"*","type":"CABM"}]` {
				t.Errorf("sent %s %s, want DELETE with the key as a one-item array", method, body)
			}
			if tt.wantKind == nil {
				if err != nil {
					t.Errorf("Delete = %v, want nil", err)
				}
				return
			}
			if pe := testutil.ProviderError(t, err); pe.Kind != *tt.wantKind {
				t.Errorf("Delete = %v (kind %v), want %v", err, pe.Kind, *tt.wantKind)
			}
		})
	}
}

func kindPtr(k providers.Kind) *providers.Kind { return &k }

// TestClientErrorBodies covers what the fake cannot send: odd bodies and statuses.
func TestClientErrorBodies(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		header       map[string]string
		body         string
		wantKind     providers.Kind
		wantMessage  string
		wantTracking string
		wantRetry    time.Duration
	}{
		{name: "envelope", status: 400,
			body:     `{"code":1002,"message":"Invalid MSISDN format","errorId":"b4478860-b76c-e811-814e-022a35cc1c71","timestamp":"2018-08-04T09:25:40.9235752+00:00"}`,
			wantKind: providers.KindInvalid, wantMessage: "Invalid MSISDN format (code 1002)", wantTracking: "b4478860-b76c-e811-814e-022a35cc1c71"},
		{name: "no code", status: 401, body: `{"message":"nope"}`, wantKind: providers.KindUnauthorized, wantMessage: "nope"},
		{name: "code without message", status: 403, body: `{"code":1201}`, wantKind: providers.KindUnauthorized,
			wantMessage: "forbidden (code 1201)"},
		{name: "html from a gateway", status: 502, body: `<html>bad gateway</html>`, wantKind: providers.KindUnavailable,
			wantMessage: "bad gateway"},
		{name: "410 is not found", status: 410, wantKind: providers.KindNotFound, wantMessage: "gone"},
		{name: "426 asks for TLS", status: 426, body: `{"code":1014,"message":"Insecure TLS","errorId":"x"}`,
			wantKind: providers.KindInvalid, wantMessage: "Insecure TLS (code 1014)", wantTracking: "x"},
		{name: "429 without Retry-After waits 1s", status: 429,
			body:     `{"code":429,"message":"Quota exceeded. Please try again in 1 second(s).","errorId":"q"}`,
			wantKind: providers.KindRateLimited, wantMessage: "Quota exceeded. Please try again in 1 second(s). (code 429)",
			wantTracking: "q", wantRetry: time.Second},
		{name: "429 zero seconds is at least one", status: 429, header: map[string]string{"Retry-After": "0"},
			wantKind: providers.KindRateLimited, wantMessage: "too many requests", wantRetry: time.Second},
		{name: "429 as a date", status: 429, header: map[string]string{"Retry-After": time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)},
			wantKind: providers.KindRateLimited, wantMessage: "too many requests", wantRetry: 89 * time.Second},
		{name: "503 with Retry-After carries it", status: 503, header: map[string]string{"Retry-After": "20"},
			wantKind: providers.KindUnavailable, wantMessage: "service unavailable", wantRetry: 20 * time.Second},
		{name: "400 code 1300 outside delete stays invalid", status: 400, body: `{"code":1300,"message":"Not found"}`,
			wantKind: providers.KindInvalid, wantMessage: "Not found (code 1300)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := eightbyeight.NewClient(srv.URL, nil, apiKey)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.List(context.Background(), account)
			pe := testutil.ProviderError(t, err)
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.status || pe.Op != "list" || pe.Provider != "eightbyeight" {
				t.Errorf("got kind %v status %d op %q provider %q, want %v %d list eightbyeight",
					pe.Kind, pe.StatusCode, pe.Op, pe.Provider, tt.wantKind, tt.status)
			}
			if pe.Message != tt.wantMessage {
				t.Errorf("message = %q, want %q", pe.Message, tt.wantMessage)
			}
			if pe.TrackingID != tt.wantTracking {
				t.Errorf("trackingId = %q, want %q", pe.TrackingID, tt.wantTracking)
			}
			// A date has a second of slack: the header has no sub-second precision.
			if d := pe.RetryAfter - tt.wantRetry; d < 0 || d > time.Second {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
		})
	}
}

func TestNewClientRejectsRelativeBaseURL(t *testing.T) {
	for _, bad := range []string{"chatapps.8x8.com", "", "ftp://chatapps.8x8.com"} {
		if _, err := eightbyeight.NewClient(bad, nil, apiKey); err == nil {
			t.Errorf("NewClient accepted %q", bad)
		}
	}
	p := eightbyeight.New(eightbyeight.Options{BaseURL: "chatapps.8x8.com"})
	_, err := testutil.Candidates(context.Background(), p, newRequest())
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable {
		t.Errorf("Find with a relative base URL = %v (kind %v), want Unavailable", err, pe.Kind)
	}
}

func TestAccountIDIsEscapedInThePath(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.EscapedPath()
		_, _ = w.Write([]byte("[]"))
	}))
	defer srv.Close()
	c, _ := eightbyeight.NewClient(srv.URL, nil, apiKey)
	_, _ = c.List(context.Background(), "../../admin?x=1")
	if path != "/api/v1/accounts/..%2F..%2Fadmin%3Fx=1/webhooks" {
		t.Errorf("path = %q, want the account id escaped into one segment", path)
	}
}
