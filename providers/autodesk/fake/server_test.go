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

package fake_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
)

const (
	cid    = "fake-client-1"
	secret = "fake-secret-1"
	tok    = "fake-plain-token-1"
	hooks  = "/webhooks/v1/systems/data/events/dm.version.added/hooks"
)

func newServer(t *testing.T) *fake.Server {
	t.Helper()
	s := fake.New()
	t.Cleanup(s.Close)
	s.AddClient(cid, secret)
	s.AddToken(tok)
	return s
}

// reply is an answer with its body already read and closed.
type reply struct {
	StatusCode int
	Header     http.Header
	Raw        string
	JSON       map[string]any
}

type opt func(r *http.Request)

func bearer(token string) opt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}
func region(v string) opt    { return func(r *http.Request) { r.Header.Set("x-ads-region", v) } }
func header(k, v string) opt { return func(r *http.Request) { r.Header.Set(k, v) } }

func call(t *testing.T, method, u, body string, opts ...opt) reply {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	r := reply{StatusCode: resp.StatusCode, Header: resp.Header, Raw: string(data)}
	_ = json.Unmarshal(data, &r.JSON)
	return r
}

func tokenRequest(t *testing.T, s *fake.Server, form url.Values, opts ...opt) reply {
	t.Helper()
	return call(t, http.MethodPost, s.URL()+"/authentication/v2/token", form.Encode(),
		append([]opt{header("Content-Type", "application/x-www-form-urlencoded")}, opts...)...)
}

func basic(id, sec string) opt { return func(r *http.Request) { r.SetBasicAuth(id, sec) } }

var ccForm = url.Values{"grant_type": {"client_credentials"}, "scope": {"data:read data:write"}}

// accessToken fetches a two-legged token.
func accessToken(t *testing.T, s *fake.Server, scope string) string {
	t.Helper()
	r := tokenRequest(t, s, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}, basic(cid, secret))
	if r.StatusCode != 200 {
		t.Fatalf("token: %d %s", r.StatusCode, r.Raw)
	}
	return r.JSON["access_token"].(string)
}

func createBody(callback string) string {
	return `{"callbackUrl":"` + callback + `","scope":{"folder":"urn:f1"}}`
}

func TestTokenEndpoint(t *testing.T) {
	tests := []struct {
		name      string
		form      url.Values
		opts      []opt
		wantCode  int
		wantError string
	}{
		{name: "basic auth", form: ccForm, opts: []opt{basic(cid, secret)}, wantCode: 200},
		{name: "form credentials", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {cid}, "client_secret": {secret}},
			wantCode: 200},
		{name: "both header and body", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {cid}},
			opts: []opt{basic(cid, secret)}, wantCode: 400, wantError: "invalid_request"},
		{name: "wrong secret", form: ccForm, opts: []opt{basic(cid, "nope")}, wantCode: 401, wantError: "invalid_client"},
		{name: "unknown client", form: ccForm, opts: []opt{basic("who", secret)}, wantCode: 401, wantError: "invalid_client"},
		{name: "no credentials", form: ccForm, wantCode: 401, wantError: "invalid_client"},
		{name: "no grant type", form: url.Values{"scope": {"data:read"}}, opts: []opt{basic(cid, secret)}, wantCode: 400,
			wantError: "invalid_request"},
		{name: "other grant", form: url.Values{"grant_type": {"authorization_code"}}, opts: []opt{basic(cid, secret)}, wantCode: 400,
			wantError: "unsupported_grant_type"},
		{name: "unknown scope", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"data:everything"}},
			opts: []opt{basic(cid, secret)}, wantCode: 400, wantError: "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			r := tokenRequest(t, s, tt.form, tt.opts...)
			if r.StatusCode != tt.wantCode {
				t.Fatalf("status %d (%s), want %d", r.StatusCode, r.Raw, tt.wantCode)
			}
			if tt.wantCode != 200 {
				if r.JSON["error"] != tt.wantError || r.JSON["error_description"] == "" {
					t.Errorf("body %v, want error %q with a description", r.JSON, tt.wantError)
				}
				return
			}
			if r.JSON["token_type"] != "Bearer" || r.JSON["expires_in"] != 3599.0 || r.JSON["access_token"] == "" {
				t.Errorf("token answer %v", r.JSON)
			}
			if n := s.TokenRequests(cid); n != 1 {
				t.Errorf("TokenRequests = %d, want 1", n)
			}
		})
	}
}

func TestTokenLifetimeAndExpiry(t *testing.T) {
	s := newServer(t)
	s.SetTokenLifetime(time.Second)
	r := tokenRequest(t, s, ccForm, basic(cid, secret))
	if r.JSON["expires_in"] != 1.0 {
		t.Fatalf("expires_in %v, want 1", r.JSON["expires_in"])
	}
	token := r.JSON["access_token"].(string)
	if got := call(t, http.MethodGet, s.URL()+"/webhooks/v1/hooks", "", bearer(token)); got.StatusCode != 204 {
		t.Fatalf("fresh token: %d", got.StatusCode)
	}
	time.Sleep(1100 * time.Millisecond)
	if got := call(t, http.MethodGet, s.URL()+"/webhooks/v1/hooks", "", bearer(token)); got.StatusCode != 401 {
		t.Errorf("expired token: %d, want 401", got.StatusCode)
	}
}

func TestCreate(t *testing.T) {
	for _, relative := range []bool{false, true} {
		s := newServer(t)
		s.SetRelativeLocation(relative)
		r := call(t, http.MethodPost, s.URL()+hooks, `{"callbackUrl":"https://x.example/cb","scope":{"folder":"urn:f1"},
			"hookAttribute":{ "a" : 1 },"autoReactivateHook":true,"callbackWithEventPayloadOnly":true,"hubId":"b.h","hookExpiry":"2030-01-01T00:00:00.000Z"}`,
			bearer(tok), region("EMEA"))
		if r.StatusCode != 201 || r.Raw != "" || r.Header.Get("Content-Length") != "0" {
			t.Fatalf("relative=%v: %d %q (length %q), want 201 with an empty body", relative, r.StatusCode, r.Raw, r.Header.Get("Content-Length"))
		}
		prefix := "https://developer.api.autodesk.com"
		if relative {
			prefix = ""
		}
		loc := regexp.MustCompile("^" + regexp.QuoteMeta(prefix+hooks+"/") + "([0-9a-f-]{36})$").FindStringSubmatch(r.Header.Get("Location"))
		if loc == nil {
			t.Fatalf("relative=%v: Location %q", relative, r.Header.Get("Location"))
		}
		h, ok := s.Hook(loc[1])
		if !ok {
			t.Fatalf("no hook %s", loc[1])
		}
		if h.Region != "EMEA" || h.Status != "active" || h.CreatedBy != "token-app" || h.CreatorType != "Application" ||
			string(h.HookAttribute) != `{"a":1}` || !h.AutoReactivateHook || h.CallbackWithEventPayloadOnly != "true" ||
			h.HubID != "b.h" || h.Tenant != "urn:f1" || h.Self != "/systems/data/events/dm.version.added/hooks/"+h.HookID ||
			h.URN != "urn:adsk.webhooks:events.hook:"+h.HookID {
			t.Errorf("stored %+v", h)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000-0700", h.CreatedDate); err != nil || !strings.HasSuffix(h.CreatedDate, "+0000") {
			t.Errorf("createdDate %q is not APS's form: %v", h.CreatedDate, err)
		}
	}
}

func TestHookDetailsOnTheWire(t *testing.T) {
	s := newServer(t)
	h := s.Seed(tok, fake.Hook{CallbackURL: "https://x/", System: "data", Event: "dm.version.added",
		Scope: map[string]string{"folder": "urn:f"}, CallbackWithEventPayloadOnly: "false", Token: "never-shown"})
	r := call(t, http.MethodGet, s.URL()+hooks+"/"+h.HookID, "", bearer(tok))
	if r.StatusCode != 200 {
		t.Fatalf("GET: %d", r.StatusCode)
	}
	if v, ok := r.JSON["callbackWithEventPayloadOnly"].(string); !ok || v != "false" {
		t.Errorf("callbackWithEventPayloadOnly = %#v, want the string \"false\"", r.JSON["callbackWithEventPayloadOnly"])
	}
	if _, ok := r.JSON["autoReactivateHook"].(bool); !ok {
		t.Errorf("autoReactivateHook = %#v, want a boolean", r.JSON["autoReactivateHook"])
	}
	if strings.Contains(r.Raw, "never-shown") || strings.Contains(r.Raw, `"Region"`) || strings.Contains(r.Raw, `"region"`) {
		t.Errorf("the wire shows the token or the region: %s", r.Raw)
	}
	if _, ok := r.JSON["hookExpiry"]; ok {
		t.Errorf("hookExpiry returned although never set: %s", r.Raw)
	}
}

func TestErrors(t *testing.T) {
	s := newServer(t)
	id := s.Seed(tok, fake.Hook{CallbackURL: "https://x/", System: "data", Event: "dm.version.added", Scope: map[string]string{"folder": "urn:f"}}).HookID
	readOnly := accessToken(t, s, "data:read")
	tests := []struct {
		name, method, path, body string
		opts                     []opt
		want                     int
		wantField                string
	}{
		{name: "no bearer", method: "GET", path: "/webhooks/v1/hooks", want: 401, wantField: "developerMessage"},
		{name: "unknown bearer", method: "GET", path: "/webhooks/v1/hooks", opts: []opt{bearer("nobody")}, want: 401, wantField: "developerMessage"},
		{name: "read-only token creates", method: "POST", path: hooks, body: createBody("https://x/"), opts: []opt{bearer(readOnly)},
			want: 403, wantField: "developerMessage"},
		{name: "read-only token lists", method: "GET", path: hooks, opts: []opt{bearer(readOnly)}, want: 204},
		{name: "missing callbackUrl", method: "POST", path: hooks, body: `{"scope":{"folder":"f"}}`, opts: []opt{bearer(tok)}, want: 400, wantField: "detail"},
		{name: "missing scope", method: "POST", path: hooks, body: `{"callbackUrl":"https://x/"}`, opts: []opt{bearer(tok)}, want: 400, wantField: "detail"},
		{name: "empty scope", method: "POST", path: hooks, body: `{"callbackUrl":"https://x/","scope":{}}`, opts: []opt{bearer(tok)}, want: 400},
		{name: "hookAttribute too big", method: "POST", path: hooks, opts: []opt{bearer(tok)}, want: 400,
			body: `{"callbackUrl":"https://x/","scope":{"folder":"f"},"hookAttribute":{"k":"` + strings.Repeat("x", 1100) + `"}}`},
		{name: "payload flag as a string", method: "POST", path: hooks, opts: []opt{bearer(tok)}, want: 400,
			body: `{"callbackUrl":"https://x/","scope":{"folder":"f"},"callbackWithEventPayloadOnly":"true"}`},
		{name: "invalid json", method: "POST", path: hooks, body: `{"callbackUrl":`, opts: []opt{bearer(tok)}, want: 400},
		{name: "unknown region", method: "GET", path: "/webhooks/v1/hooks", opts: []opt{bearer(tok), region("MARS")}, want: 400},
		{name: "hook under another event", method: "GET", path: "/webhooks/v1/systems/data/events/dm.version.deleted/hooks/" + id,
			opts: []opt{bearer(tok)}, want: 404, wantField: "detail"},
		{name: "another app's hook", method: "GET", path: hooks + "/" + id, opts: []opt{bearer(accessToken(t, s, "data:read"))}, want: 404},
		{name: "bad status filter", method: "GET", path: "/webhooks/v1/hooks?status=sleeping", opts: []opt{bearer(tok)}, want: 400},
		{name: "bad pageState", method: "GET", path: "/webhooks/v1/hooks?pageState=not-base64!", opts: []opt{bearer(tok)}, want: 400},
		{name: "wrong method", method: "PUT", path: hooks + "/" + id, opts: []opt{bearer(tok)}, want: 405},
		{name: "unknown route", method: "GET", path: "/webhooks/v2/hooks", opts: []opt{bearer(tok)}, want: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, tt.method, s.URL()+tt.path, tt.body, tt.opts...)
			if r.StatusCode != tt.want {
				t.Fatalf("status %d (%s), want %d", r.StatusCode, r.Raw, tt.want)
			}
			if tt.wantField != "" && r.JSON[tt.wantField] == nil {
				t.Errorf("error body %s lacks %s", r.Raw, tt.wantField)
			}
			if tt.want >= 400 && r.Header.Get("x-ads-troubleshooting-id") == "" {
				t.Errorf("no x-ads-troubleshooting-id on a %d", tt.want)
			}
		})
	}
}

func TestConflictAndRegions(t *testing.T) {
	s := newServer(t)
	post := func(body string, opts ...opt) int {
		return call(t, http.MethodPost, s.URL()+hooks, body, append([]opt{bearer(tok)}, opts...)...).StatusCode
	}
	if c := post(createBody("https://x/")); c != 201 {
		t.Fatalf("first create: %d", c)
	}
	tests := []struct {
		name string
		body string
		opts []opt
		want int
	}{
		{name: "same hook again", body: createBody("https://x/"), want: 409},
		{name: "same hook, region in the query", body: createBody("https://x/"), opts: nil, want: 409},
		{name: "same hook in EMEA", body: createBody("https://x/"), opts: []opt{region("EMEA")}, want: 201},
		{name: "another callback", body: createBody("https://y/"), want: 201},
		{name: "another scope", body: `{"callbackUrl":"https://x/","scope":{"folder":"urn:f2"}}`, want: 201},
	}
	for _, tt := range tests {
		if c := post(tt.body, tt.opts...); c != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, c, tt.want)
		}
	}
	// The header wins over the query.
	list := func(path string, opts ...opt) int {
		r := call(t, http.MethodGet, s.URL()+path, "", append([]opt{bearer(tok)}, opts...)...)
		if r.StatusCode == 204 {
			return 0
		}
		return len(r.JSON["data"].([]any))
	}
	if n := list("/webhooks/v1/hooks?region=EMEA"); n != 1 {
		t.Errorf("?region=EMEA lists %d hooks, want 1", n)
	}
	if n := list("/webhooks/v1/hooks?region=EMEA", region("US")); n != 3 {
		t.Errorf("header US with ?region=EMEA lists %d hooks, want the 3 of US", n)
	}
	if n := list("/webhooks/v1/hooks", region("JPN")); n != 0 {
		t.Errorf("JPN lists %d hooks, want none", n)
	}
}

func TestPatch(t *testing.T) {
	s := newServer(t)
	h := s.Seed(tok, fake.Hook{CallbackURL: "https://x/", System: "data", Event: "dm.version.added", Scope: map[string]string{"folder": "urn:f"},
		Filter: "$[?(@.ext=='txt')]", HookAttribute: json.RawMessage(`{"a":1}`), HookExpiry: "2030-01-01T00:00:00.000Z"})
	s.Disable(h.HookID)
	u := s.URL() + hooks + "/" + h.HookID
	r := call(t, http.MethodPatch, u, `{"status":"active","filter":null,"hookAttribute":null,"token":"t1","autoReactivateHook":true,
		"hookExpiry":null,"callbackWithEventPayloadOnly":true}`, bearer(tok))
	if r.StatusCode != 204 || r.Raw != "" {
		t.Fatalf("PATCH: %d %q, want 204 with no body", r.StatusCode, r.Raw)
	}
	got, _ := s.Hook(h.HookID)
	if got.Status != "active" || got.Filter != "" || got.HookAttribute != nil || got.Token != "t1" || !got.AutoReactivateHook ||
		got.HookExpiry != "" || got.CallbackWithEventPayloadOnly != "true" {
		t.Errorf("after PATCH: %+v", got)
	}
	for _, body := range []string{`{"callbackUrl":"https://y/"}`, `{"scope":{"folder":"x"}}`, `{"status":"reactivated"}`,
		`{"filter":3}`, `{"hookAttribute":[1]}`, `{"token":""}`, `{"status":"inactive","event":"x"}`} {
		if r := call(t, http.MethodPatch, u, body, bearer(tok)); r.StatusCode != 400 {
			t.Errorf("PATCH %s: %d, want 400", body, r.StatusCode)
		}
	}
	if after, _ := s.Hook(h.HookID); after.Status != "active" || after.CallbackURL != "https://x/" {
		t.Errorf("a refused PATCH changed the hook: %+v", after)
	}
	s.SetPatchStatus(200)
	r = call(t, http.MethodPatch, u, `{"status":"inactive"}`, bearer(tok))
	if r.StatusCode != 200 || r.JSON["status"] != "inactive" {
		t.Errorf("PATCH with SetPatchStatus(200): %d %s", r.StatusCode, r.Raw)
	}
}

func TestDeleteThenNotFound(t *testing.T) {
	s := newServer(t)
	h := s.Seed(tok, fake.Hook{CallbackURL: "https://x/", System: "data", Event: "dm.version.added", Scope: map[string]string{"folder": "urn:f"}})
	u := s.URL() + hooks + "/" + h.HookID
	if r := call(t, http.MethodDelete, u, "", bearer(tok)); r.StatusCode != 204 {
		t.Fatalf("DELETE: %d", r.StatusCode)
	}
	for _, m := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
		if r := call(t, m, u, `{"status":"active"}`, bearer(tok)); r.StatusCode != 404 {
			t.Errorf("%s after delete: %d, want 404", m, r.StatusCode)
		}
	}
}

func TestListsPageAndFilter(t *testing.T) {
	s := newServer(t)
	s.SetPageSize(2)
	seed := func(event, status, folder string) {
		s.Seed(tok, fake.Hook{CallbackURL: "https://x/" + event, System: "data", Event: event, Status: status,
			Scope: map[string]string{"folder": folder}})
	}
	seed("dm.version.added", "active", "urn:a")
	seed("dm.version.added", "inactive", "urn:b")
	seed("dm.version.added", "active", "urn:a")
	seed("dm.folder.added", "active", "urn:a")
	seed("dm.folder.added", "active", "urn:c")
	s.Seed(tok, fake.Hook{CallbackURL: "https://x/", System: "derivative", Event: "extraction.finished", Scope: map[string]string{"workflow": "w"}})
	s.Seed("someone-else", fake.Hook{CallbackURL: "https://x/", System: "data", Event: "dm.version.added", Scope: map[string]string{"folder": "urn:a"}})
	tests := []struct {
		name      string
		path      string
		wantPages []int
		wantNext  string
	}{
		{name: "all", path: "/webhooks/v1/hooks", wantPages: []int{2, 2, 2}, wantNext: "/hooks?pageState="},
		{name: "app, next says /hooks", path: "/webhooks/v1/app/hooks?sort=asc", wantPages: []int{2, 2, 2}, wantNext: "/hooks?pageState="},
		{name: "system", path: "/webhooks/v1/systems/data/hooks", wantPages: []int{2, 2, 1}, wantNext: "/systems/data/hooks?pageState="},
		{name: "event", path: hooks, wantPages: []int{2, 1}, wantNext: "/systems/data/events/dm.version.added/hooks?pageState="},
		{name: "event and scope", path: hooks + "?scopeName=folder&scopeValue=urn:a", wantPages: []int{2}},
		{name: "scopeValue alone is ignored", path: hooks + "?scopeValue=urn:a", wantPages: []int{2, 1}},
		{name: "status", path: "/webhooks/v1/hooks?status=inactive", wantPages: []int{1}},
		{name: "no match", path: "/webhooks/v1/systems/adsk.c4r/hooks", wantPages: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pages []int
			var state string
			for i := 0; i < 10; i++ {
				u, _ := url.Parse(s.URL() + tt.path)
				if state != "" {
					q := u.Query()
					q.Set("pageState", state)
					u.RawQuery = q.Encode()
				}
				r := call(t, http.MethodGet, u.String(), "", bearer(tok))
				if r.StatusCode == 204 {
					if r.Raw != "" {
						t.Errorf("204 with a body %q", r.Raw)
					}
					break
				}
				if r.StatusCode != 200 {
					t.Fatalf("status %d %s", r.StatusCode, r.Raw)
				}
				pages = append(pages, len(r.JSON["data"].([]any)))
				links, _ := r.JSON["links"].(map[string]any)
				next, _ := links["next"].(string)
				if next == "" {
					break
				}
				if !strings.HasPrefix(next, tt.wantNext) {
					t.Errorf("next %q, want prefix %q", next, tt.wantNext)
				}
				nu, _ := url.Parse(next)
				state = nu.Query().Get("pageState")
			}
			if !slices.Equal(pages, tt.wantPages) {
				t.Errorf("pages %v, want %v", pages, tt.wantPages)
			}
		})
	}
	// A page state belongs to the list it came from.
	r := call(t, http.MethodGet, s.URL()+"/webhooks/v1/hooks", "", bearer(tok))
	next := r.JSON["links"].(map[string]any)["next"].(string)
	nu, _ := url.Parse(next)
	if r := call(t, http.MethodGet, s.URL()+hooks+"?pageState="+url.QueryEscape(nu.Query().Get("pageState")), "", bearer(tok)); r.StatusCode != 400 {
		t.Errorf("a page state of another list: %d, want 400", r.StatusCode)
	}
}

func TestFaults(t *testing.T) {
	s := newServer(t)
	access := accessToken(t, s, "data:read data:write")
	s.InjectFault(fake.Fault{Key: cid, Path: "/webhooks/", Status: 429, RetryAfter: "25", Message: "Quota limit exceeded.", Times: 1})
	r := call(t, http.MethodGet, s.URL()+"/webhooks/v1/hooks", "", bearer(access))
	if r.StatusCode != 429 || r.Header.Get("Retry-After") != "25" || r.Raw != `{"developerMessage":"Quota limit exceeded."}`+"\n" {
		t.Errorf("429 fault: %d %q %q", r.StatusCode, r.Header.Get("Retry-After"), r.Raw)
	}
	if r := call(t, http.MethodGet, s.URL()+"/webhooks/v1/hooks", "", bearer(access)); r.StatusCode != 204 {
		t.Errorf("after Times ran out: %d", r.StatusCode)
	}
	// A fault keyed by the client id hits its token requests too, but not a plain token's calls.
	s.InjectFault(fake.Fault{Key: cid, Status: 503})
	if r := tokenRequest(t, s, ccForm, basic(cid, secret)); r.StatusCode != 503 {
		t.Errorf("token request under a client fault: %d", r.StatusCode)
	}
	if r := call(t, http.MethodGet, s.URL()+"/webhooks/v1/hooks", "", bearer(tok)); r.StatusCode != 204 {
		t.Errorf("another app hit by the fault: %d", r.StatusCode)
	}
	s.ClearFaults()
	s.InjectFault(fake.Fault{Path: "/authentication/", Status: 400, Message: "bad form"})
	if r := tokenRequest(t, s, ccForm, basic(cid, secret)); r.StatusCode != 400 || r.JSON["error"] != "invalid_request" ||
		r.JSON["error_description"] != "bad form" {
		t.Errorf("token fault: %d %s, want OAuth's shape", r.StatusCode, r.Raw)
	}
	s.ClearFaults()
	s.InjectFault(fake.Fault{Method: http.MethodPost, Path: "/webhooks/", Status: 500})
	if r := call(t, http.MethodPost, s.URL()+hooks, createBody("https://x/"), bearer(tok)); r.StatusCode != 500 || r.JSON["detail"] == nil {
		t.Errorf("500 fault: %d %s", r.StatusCode, r.Raw)
	}
	if n := len(s.Hooks(tok)); n != 0 {
		t.Errorf("a faulted create changed the state: %d hooks", n)
	}
}

func TestCountsPerClient(t *testing.T) {
	s := newServer(t)
	access := accessToken(t, s, "data:read")
	call(t, http.MethodGet, s.URL()+"/webhooks/v1/hooks", "", bearer(access))
	call(t, http.MethodGet, s.URL()+"/webhooks/v1/hooks", "", bearer(tok))
	tokenRequest(t, s, url.Values{"grant_type": {"client_credentials"}, "client_id": {"form-client"}})
	call(t, http.MethodGet, s.URL()+"/webhooks/v1/hooks", "")
	if s.Requests(cid) != 2 || s.Requests(tok) != 1 || s.Requests("form-client") != 1 || s.RequestsTotal() != 5 {
		t.Errorf("counts %d/%d/%d/%d, want 2/1/1/5", s.Requests(cid), s.Requests(tok), s.Requests("form-client"), s.RequestsTotal())
	}
	if s.TokenRequests(cid) != 1 || s.TokenRequests("form-client") != 1 {
		t.Errorf("TokenRequests %d/%d, want 1/1", s.TokenRequests(cid), s.TokenRequests("form-client"))
	}
	s.ResetCounts()
	if s.Requests(cid) != 0 || s.RequestsTotal() != 0 || s.TokenRequests(cid) != 0 {
		t.Error("ResetCounts kept counts")
	}
}

func TestAppTokens(t *testing.T) {
	s := newServer(t)
	u := s.URL() + "/webhooks/v1/tokens"
	r := call(t, http.MethodPost, u, `{"token":"s1"}`, bearer(tok))
	if r.StatusCode != 200 || r.JSON["status"] != 200.0 || len(r.JSON["detail"].([]any)) != 1 {
		t.Fatalf("POST /tokens: %d %s", r.StatusCode, r.Raw)
	}
	if r := call(t, http.MethodPost, u, `{"token":"s2"}`, bearer(tok)); r.StatusCode != 400 {
		t.Errorf("second POST /tokens: %d, want 400", r.StatusCode)
	}
	if r := call(t, http.MethodPut, u+"/@me", `{"token":"s3"}`, bearer(tok)); r.StatusCode != 204 || s.AppToken(tok) != "s3" {
		t.Errorf("PUT /tokens/@me: %d, token %q", r.StatusCode, s.AppToken(tok))
	}
	if r := call(t, http.MethodDelete, u+"/@me", "", bearer(tok)); r.StatusCode != 204 || s.AppToken(tok) != "" {
		t.Errorf("DELETE /tokens/@me: %d, token %q", r.StatusCode, s.AppToken(tok))
	}
}

func TestOutOfBandHelpers(t *testing.T) {
	s := newServer(t)
	h := s.Seed(cid, fake.Hook{CallbackURL: "https://x/", System: "data", Event: "dm.version.added", Scope: map[string]string{"folder": "urn:f"}})
	if h.HookID == "" || h.Region != "US" || h.Status != "active" || h.CreatedBy != cid || h.CreatedDate == "" {
		t.Errorf("Seed filled %+v", h)
	}
	s.UpdateOutOfBand(h.HookID, func(x *fake.Hook) { x.HookID = "changed"; x.Event = "dm.version.deleted"; x.Scope["folder"] = "urn:g" })
	got, ok := s.Hook(h.HookID)
	if !ok || got.HookID != h.HookID || got.Self != "/systems/data/events/dm.version.deleted/hooks/"+h.HookID {
		t.Errorf("after UpdateOutOfBand: %+v, %v", got, ok)
	}
	if h.Scope["folder"] != "urn:f" {
		t.Error("Seed returned a hook that shares its scope map with the store")
	}
	s.Disable(h.HookID)
	if got, _ := s.Hook(h.HookID); got.Status != "inactive" {
		t.Errorf("after Disable status %q", got.Status)
	}
	if hooks := s.Hooks(cid); len(hooks) != 1 || hooks[0].HookID != h.HookID {
		t.Errorf("Hooks(%s) = %+v", cid, hooks)
	}
	s.DeleteOutOfBand(h.HookID)
	if _, ok := s.Hook(h.HookID); ok {
		t.Error("hook survived DeleteOutOfBand")
	}
}

func TestAcceptAnyClientOnOwnListener(t *testing.T) {
	s := fake.NewUnstarted()
	s.SetAcceptAnyClient(true)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	if s.URL() != "" {
		t.Errorf("unstarted URL = %q, want empty", s.URL())
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"data:read data:write"}}
	r := call(t, http.MethodPost, ts.URL+"/authentication/v2/token", form.Encode(),
		header("Content-Type", "application/x-www-form-urlencoded"), basic("demo-app", "anything"))
	if r.StatusCode != 200 {
		t.Fatalf("token for any client: %d %s", r.StatusCode, r.Raw)
	}
	access := r.JSON["access_token"].(string)
	if r := call(t, http.MethodPost, ts.URL+hooks, createBody("https://x/"), bearer(access)); r.StatusCode != 201 {
		t.Fatalf("create: %d %s", r.StatusCode, r.Raw)
	}
	// The client is now known with the secret it first used.
	if r := call(t, http.MethodPost, ts.URL+"/authentication/v2/token", form.Encode(),
		header("Content-Type", "application/x-www-form-urlencoded"), basic("demo-app", "other")); r.StatusCode != 401 {
		t.Errorf("same client, other secret: %d, want 401", r.StatusCode)
	}
	if len(s.Hooks("demo-app")) != 1 || len(s.Hooks("someone-else")) != 0 {
		t.Error("hooks are not kept per client")
	}
	if r := call(t, http.MethodGet, ts.URL+"/webhooks/v1/hooks", "", bearer("made-up-token")); r.StatusCode != 204 {
		t.Errorf("any bearer with accept-any: %d, want 204", r.StatusCode)
	}
	if r := call(t, http.MethodGet, ts.URL+"/webhooks/v1/hooks", ""); r.StatusCode != 401 {
		t.Errorf("no bearer with accept-any: %d, want 401", r.StatusCode)
	}
}

func TestDropResponseAppliesTheRequest(t *testing.T) {
	s := newServer(t)
	s.InjectFault(fake.Fault{Method: http.MethodPost, Path: "/webhooks/", DropResponse: true, Status: http.StatusBadGateway, Times: 1})
	if r := call(t, http.MethodPost, s.URL()+hooks, createBody("https://x/"), bearer(tok)); r.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", r.StatusCode)
	}
	if n := len(s.Hooks(tok)); n != 1 {
		t.Errorf("%d hooks stored, want the 1 whose answer was dropped", n)
	}
	if r := call(t, http.MethodPost, s.URL()+hooks, createBody("https://x/"), bearer(tok)); r.StatusCode != 409 {
		t.Errorf("create again: %d, want 409", r.StatusCode)
	}
}

func TestWildcardEventsAndEscapedPaths(t *testing.T) {
	s := newServer(t)
	for _, event := range []string{"dm.*", "dm.%2A"} {
		path := fmt.Sprintf("/webhooks/v1/systems/data/events/%s/hooks", event)
		r := call(t, http.MethodPost, s.URL()+path, createBody("https://x/"+event), bearer(tok))
		if r.StatusCode != 201 {
			t.Fatalf("create on %s: %d %s", event, r.StatusCode, r.Raw)
		}
	}
	for _, h := range s.Hooks(tok) {
		if h.Event != "dm.*" {
			t.Errorf("event stored as %q, want dm.*", h.Event)
		}
	}
}
