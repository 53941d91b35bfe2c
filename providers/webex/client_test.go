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
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/webex"
	"github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

func TestClientListFollowsEveryPage(t *testing.T) {
	tests := []struct {
		name      string
		pageSize  int
		hooks     int
		wantPages int
	}{
		{name: "five hooks in pages of two", pageSize: 2, hooks: 5, wantPages: 3},
		{name: "exact multiple", pageSize: 2, hooks: 4, wantPages: 2},
		{name: "one per page", pageSize: 1, hooks: 3, wantPages: 3},
		{name: "single page", pageSize: 100, hooks: 5, wantPages: 1},
		{name: "empty", pageSize: 2, hooks: 0, wantPages: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.SetPageSize(tt.pageSize)
			var want []string
			for i := range tt.hooks {
				h := e.srv.Seed(token, fake.Hook{Name: fmt.Sprintf("hook-%d", i), TargetURL: "https://x.example/",
					Resource: "messages", Event: "created"})
				want = append(want, h.ID)
			}
			e.srv.Seed("someone-else", fake.Hook{Name: "not mine", TargetURL: "https://y.example/",
				Resource: "rooms", Event: "all"})
			e.srv.ResetCounts()

			got, err := e.client().List(context.Background(), webex.ListOptions{})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(got) != len(want) {
				t.Fatalf("List returned %d webhooks, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i].ID != want[i] {
					t.Errorf("item %d: id %s, want %s (order or duplicates wrong)", i, got[i].ID, want[i])
				}
			}
			if n := e.srv.Requests(token); n != tt.wantPages {
				t.Errorf("made %d requests, want %d pages", n, tt.wantPages)
			}
			if first := e.rec.All()[0]; !strings.Contains(first.URL, "max=100") {
				t.Errorf("first page URL %s does not ask for max=100", first.URL)
			}
		})
	}
}

func TestClientListOwnedByOrg(t *testing.T) {
	e := newEnv(t)
	e.srv.Seed(token, fake.Hook{Name: "mine", TargetURL: "https://x.example/", Resource: "messages", Event: "created"})
	org := e.srv.Seed(token, fake.Hook{Name: "org", TargetURL: "https://x.example/", Resource: "meetings",
		Event: "started", OwnedBy: "org"})

	got, err := e.client().List(context.Background(), webex.ListOptions{OwnedBy: "org"})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(got) != 1 || got[0].ID != org.ID {
		t.Fatalf("List(ownedBy=org) = %+v, want only %s", got, org.ID)
	}
	if u := e.rec.Last(t, "").URL; !strings.Contains(u, "ownedBy=org") {
		t.Errorf("URL %s lacks ownedBy=org", u)
	}
}

func TestClientUpdateSendsOnlyMutableFields(t *testing.T) {
	e := newEnv(t)
	h := e.srv.Seed(token, fake.Hook{Name: "n", TargetURL: "https://old.example/", Resource: "messages",
		Event: "created", Filter: "roomId=abc", Secret: "old-secret"})

	got, err := e.client().Update(context.Background(), h.ID, webex.UpdateRequest{Name: "n2", TargetURL: "https://new.example/"})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	body := e.rec.Last(t, "").Object()
	for _, k := range []string{"name", "targetUrl"} {
		if _, ok := body[k]; !ok {
			t.Errorf("PUT body %v lacks required %q", body, k)
		}
	}
	for _, k := range []string{"secret", "status", "resource", "event", "filter", "ownedBy"} {
		if _, ok := body[k]; ok {
			t.Errorf("PUT body %v carries %q although it was not set", body, k)
		}
	}
	if got.Name != "n2" || got.TargetURL != "https://new.example/" || got.Secret != "old-secret" {
		t.Errorf("updated webhook = %+v", got)
	}
}

func TestClientCreateAccepts201(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"abc","name":"n","status":"active","created":"2024-01-02T03:04:05Z"}`))
	}))
	defer srv.Close()
	c, err := webex.NewClient(srv.URL, nil, token)
	if err != nil {
		t.Fatal(err)
	}
	w, err := c.Create(context.Background(), webex.CreateRequest{Name: "n"})
	if err != nil {
		t.Fatalf("Create with 201: %v", err)
	}
	if w.ID != "abc" {
		t.Errorf("id = %q, want abc", w.ID)
	}
}

// TestClientErrorBodies covers what the fake cannot send: odd bodies and the header fallback.
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
		{name: "message wins", status: 400, body: `{"message":"bad filter","errors":[{"description":"other"}],"trackingId":"T1"}`,
			wantKind: providers.KindInvalid, wantMessage: "bad filter", wantTracking: "T1"},
		{name: "description when no message", status: 400, body: `{"errors":[{"description":"invalid value for filter: roomId"}]}`,
			wantKind: providers.KindInvalid, wantMessage: "invalid value for filter: roomId"},
		{name: "status text for html", status: 502, body: `<html>bad gateway</html>`,
			wantKind: providers.KindUnavailable, wantMessage: "bad gateway"},
		{name: "tracking id from header", status: 500, header: map[string]string{"trackingId": "ROUTERGW_9"}, body: ``,
			wantKind: providers.KindUnavailable, wantMessage: "internal server error", wantTracking: "ROUTERGW_9"},
		{name: "body tracking id beats header", status: 403, header: map[string]string{"trackingId": "H"}, body: `{"message":"no","trackingId":"B"}`,
			wantKind: providers.KindUnauthorized, wantMessage: "no", wantTracking: "B"},
		{name: "423 with Retry-After is a rate limit", status: 423, header: map[string]string{"Retry-After": "3"},
			wantKind: providers.KindRateLimited, wantMessage: "locked", wantRetry: 3 * time.Second},
		{name: "423 without Retry-After is unavailable", status: 423,
			wantKind: providers.KindUnavailable, wantMessage: "locked"},
		{name: "429 zero seconds is at least one", status: 429, header: map[string]string{"Retry-After": "0"},
			wantKind: providers.KindRateLimited, wantMessage: "too many requests", wantRetry: time.Second},
		{name: "503 with Retry-After carries it", status: 503, header: map[string]string{"Retry-After": "20"},
			wantKind: providers.KindUnavailable, wantMessage: "service unavailable", wantRetry: 20 * time.Second},
		{name: "409 is a conflict", status: 409, body: `{"message":"exists"}`,
			wantKind: providers.KindConflict, wantMessage: "exists"},
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
			c, err := webex.NewClient(srv.URL, nil, token)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Get(context.Background(), "some-id")
			pe := testutil.ProviderError(t, err)
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.status || pe.Op != "get" || pe.Provider != "webex" {
				t.Errorf("got kind %v status %d op %q provider %q, want %v %d get webex",
					pe.Kind, pe.StatusCode, pe.Op, pe.Provider, tt.wantKind, tt.status)
			}
			if pe.Message != tt.wantMessage {
				t.Errorf("message = %q, want %q", pe.Message, tt.wantMessage)
			}
			if pe.TrackingID != tt.wantTracking {
				t.Errorf("trackingId = %q, want %q", pe.TrackingID, tt.wantTracking)
			}
			if pe.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
		})
	}
}

func TestClientRejectsUnreadableSuccess(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "not json", body: "<html>ok</html>"},
		{name: "larger than a mebibyte", body: `{"name":"` + strings.Repeat("a", 1<<20) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, _ := webex.NewClient(srv.URL, nil, token)
			_, err := c.Get(context.Background(), "x")
			if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable || pe.Err == nil {
				t.Errorf("got %v (kind %v, wrapped %v), want Unavailable wrapping the cause", pe, pe.Kind, pe.Err)
			}
		})
	}
}

// TestClientRefusesForeignNextLink keeps the token on the configured host even when a page
// points elsewhere.
func TestClientRefusesForeignNextLink(t *testing.T) {
	foreignHits := 0
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignHits++
		_, _ = w.Write([]byte(`{"items":[]}`))
	}))
	defer foreign.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "<"+foreign.URL+`/v1/webhooks?after=x>; rel="next"`)
		_, _ = w.Write([]byte(`{"items":[{"id":"a"}]}`))
	}))
	defer srv.Close()
	c, _ := webex.NewClient(srv.URL+"/v1", nil, token)
	_, err := c.List(context.Background(), webex.ListOptions{})
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable {
		t.Errorf("kind = %v, want Unavailable", pe.Kind)
	}
	if foreignHits != 0 {
		t.Errorf("the foreign host received %d requests", foreignHits)
	}
}

// TestClientStopsOnLoopingNextLinks makes a server whose next links lead back to a page it
// already served cost a request per distinct page plus one, not the page limit's thousand.
func TestClientStopsOnLoopingNextLinks(t *testing.T) {
	tests := []struct {
		name     string
		next     func(server string, r *http.Request) string
		wantReqs int
	}{
		{name: "a page links to itself", next: func(server string, r *http.Request) string { return server + r.URL.RequestURI() }, wantReqs: 2},
		{name: "a page links to itself, relatively", next: func(_ string, r *http.Request) string { return r.URL.RequestURI() }, wantReqs: 2},
		{name: "two pages link to each other", next: func(_ string, r *http.Request) string {
			if r.URL.Query().Get("after") == "b" {
				return "/v1/webhooks?after=a"
			}
			return "/v1/webhooks?after=b"
		}, wantReqs: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Link", "<"+tt.next(srv.URL, r)+`>; rel="next"`)
				_, _ = w.Write([]byte(`{"items":[{"id":"a"}]}`))
			}))
			defer srv.Close()
			c, _ := webex.NewClient(srv.URL+"/v1", nil, token)
			_, err := c.List(context.Background(), webex.ListOptions{})
			if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable || pe.Op != "list" {
				t.Errorf("List = %v (kind %v), want Unavailable", err, pe.Kind)
			}
			if !strings.Contains(fmt.Sprint(err), "repeats a page") {
				t.Errorf("List = %v, want it to say the list repeats a page", err)
			}
			if n := calls.Load(); int(n) != tt.wantReqs {
				t.Errorf("%d requests, want %d", n, tt.wantReqs)
			}
		})
	}
}

func TestClientLinkHeaderVariants(t *testing.T) {
	tests := []struct {
		name  string
		links []string
	}{
		{name: "first and next in one header", links: []string{`<PAGE1>; rel="first", <NEXT>; rel="next"`}},
		{name: "separate headers", links: []string{`<PAGE1>; rel="prev"`, `<NEXT>; rel=next`}},
		{name: "relative link", links: []string{`<NEXT>; rel="next"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if r.URL.Query().Get("after") == "" {
					for _, l := range tt.links {
						l = strings.ReplaceAll(l, "PAGE1", srv.URL+"/v1/webhooks?max=1")
						if tt.name == "relative link" {
							l = strings.ReplaceAll(l, "NEXT", "/v1/webhooks?after=2")
						}
						w.Header().Add("Link", strings.ReplaceAll(l, "NEXT", srv.URL+"/v1/webhooks?after=2"))
					}
					_, _ = w.Write([]byte(`{"items":[{"id":"1"}]}`))
					return
				}
				_, _ = w.Write([]byte(`{"items":[{"id":"2"}]}`))
			}))
			defer srv.Close()
			c, _ := webex.NewClient(srv.URL+"/v1", nil, token)
			got, err := c.List(context.Background(), webex.ListOptions{})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(got) != 2 || got[1].ID != "2" || calls != 2 {
				t.Errorf("got %+v in %d calls, want ids 1 and 2 in 2 calls", got, calls)
			}
		})
	}
}

func TestWebhookCreatedTime(t *testing.T) {
	want := time.Date(2015, 10, 18, 14, 26, 16, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Time
		wantOK bool
	}{
		{in: "2015-10-18T14:26:16+00:00", want: want, wantOK: true},
		{in: "2015-10-18T14:26:16Z", want: want, wantOK: true},
		{in: "2015-10-18T14:26:16.123Z", want: want.Add(123 * time.Millisecond), wantOK: true},
		{in: "2015-10-18T16:26:16.5+02:00", want: want.Add(500 * time.Millisecond), wantOK: true},
		{in: "2015-10-18T14:26:16+0000", want: want, wantOK: true},
		{in: "", wantOK: false},
		{in: "yesterday", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			w := webex.Webhook{Created: tt.in}
			got, ok := w.CreatedTime()
			if ok != tt.wantOK || (ok && !got.Equal(tt.want)) {
				t.Errorf("CreatedTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestNewClientRejectsRelativeBaseURL(t *testing.T) {
	if _, err := webex.NewClient("webexapis.com/v1", nil, token); err == nil {
		t.Error("NewClient accepted a base URL without scheme")
	}
}
