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
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
)

const (
	key     = "fake-test-key-1"
	acct    = "6A1C3E5F-7B9D-4F1E-A2C4-E6F8A0B2C4D6"
	acctRaw = "6a1c3e5f7b9d4f1ea2c4e6f8a0b2c4d6" // the same account, without dashes and in lower case
	other   = "00112233-4455-6677-8899-aabbccddeeff"
)

func newServer(t *testing.T) *fake.Server {
	t.Helper()
	s := fake.New()
	t.Cleanup(s.Close)
	s.AddKey(key, acct)
	return s
}

func hooksURL(s *fake.Server, account string) string {
	return s.URL() + "/api/v1/accounts/" + account + "/webhooks"
}

// reply is an answer with its body already read.
type reply struct {
	status int
	header http.Header
	raw    string
}

func call(t *testing.T, method, url, apiKey, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, raw: string(data)}
}

func list(t *testing.T, s *fake.Server, account string) []map[string]any {
	t.Helper()
	r := call(t, http.MethodGet, hooksURL(s, account), key, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d %s", r.status, r.raw)
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(r.raw), &out); err != nil {
		t.Fatalf("GET body %q is not an array: %v", r.raw, err)
	}
	return out
}

type envelope struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	ErrorID   string `json:"errorId"`
	Timestamp string `json:"timestamp"`
}

// assertEnvelope checks 8x8's error envelope and returns it.
func assertEnvelope(t *testing.T, r reply, wantCode int) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal([]byte(r.raw), &e); err != nil {
		t.Fatalf("error body %q: %v", r.raw, err)
	}
	if e.Code != wantCode || e.Message == "" {
		t.Errorf("envelope %+v, want code %d and a message", e, wantCode)
	}
	if _, err := uuid.Parse(e.ErrorID); err != nil {
		t.Errorf("errorId %q is not a uuid", e.ErrorID)
	}
	if _, err := time.Parse(time.RFC3339Nano, e.Timestamp); err != nil {
		t.Errorf("timestamp %q: %v", e.Timestamp, err)
	}
	return e
}

func TestEmptyListIsAnArray(t *testing.T) {
	s := newServer(t)
	r := call(t, http.MethodGet, hooksURL(s, acct), key, "")
	if r.status != http.StatusOK || strings.TrimSpace(r.raw) != "[]" {
		t.Errorf("GET of an empty account = %d %q, want 200 []", r.status, r.raw)
	}
}

func TestUpsertMasksAndReplaces(t *testing.T) {
	s := newServer(t)
	first := `[{"subAccountId":"sub","type":"MSG","url":"https://a.example/","httpAuthorization":"Bearer real-1"},
		{"subAccountId":"*","type":"CABM","url":"https://b.example/","enabled":false,
		 "oauth":{"url":"https://auth.example/token","clientId":"c","clientSecret":"real-2","credentialsLocation":"body"}}]`
	if r := call(t, http.MethodPost, hooksURL(s, acct), key, first); r.status != 200 || r.raw != "" {
		t.Fatalf("POST = %d %q, want 200 with an empty body", r.status, r.raw)
	}
	got := list(t, s, acct)
	want := []map[string]any{
		{"subAccountId": "sub", "type": "MSG", "url": "https://a.example/", "enabled": true, "httpAuthorization": "***"},
		{"subAccountId": "*", "type": "CABM", "url": "https://b.example/", "enabled": false,
			"oauth": map[string]any{"url": "https://auth.example/token", "clientId": "c", "clientSecret": "***", "credentialsLocation": "body"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GET =\n %v\nwant\n %v", got, want)
	}
	h, ok := s.Hook(acct, "*", "CABM")
	if !ok || h.OAuth == nil || h.OAuth.ClientSecret != "real-2" {
		t.Errorf("Hook keeps %+v, want the real client secret", h)
	}

	// The same key again replaces the hook in place: no duplicate, the order kept, nothing merged.
	second := `[{"subAccountId":"sub","type":"MSG","url":"https://c.example/"}]`
	if r := call(t, http.MethodPost, hooksURL(s, acct), key, second); r.status != 200 {
		t.Fatalf("second POST = %d %s", r.status, r.raw)
	}
	hooks := s.Hooks(acct)
	if len(hooks) != 2 || hooks[0].URL != "https://c.example/" || hooks[0].HTTPAuthorization != "" || !hooks[0].Enabled {
		t.Errorf("after re-posting the key the fake holds %+v", hooks)
	}
}

func TestAccountIDsCompareAsGUIDs(t *testing.T) {
	s := newServer(t)
	if r := call(t, http.MethodPost, hooksURL(s, acctRaw), key, `[{"subAccountId":"s","type":"MSG","url":"https://x/"}]`); r.status != 200 {
		t.Fatalf("POST with the undashed account = %d %s", r.status, r.raw)
	}
	if n := len(list(t, s, acct)); n != 1 {
		t.Errorf("the dashed account lists %d hooks, want the 1 posted undashed", n)
	}
}

func TestUntypedRequestsMeanCADRAndMSG(t *testing.T) {
	s := newServer(t)
	s.Seed(acct, fake.Hook{SubAccountID: "sub", Type: "CABM", URL: "https://keep.example/", Enabled: true})
	if r := call(t, http.MethodPost, hooksURL(s, acct), key, `[{"subAccountId":"sub","url":"https://x/"}]`); r.status != 200 {
		t.Fatalf("POST = %d %s", r.status, r.raw)
	}
	var types []string
	for _, h := range s.Hooks(acct) {
		types = append(types, h.Type)
	}
	if strings.Join(types, ",") != "CABM,CADR,MSG" {
		t.Errorf("after an untyped POST the types are %v, want CABM, CADR, MSG", types)
	}
	if r := call(t, http.MethodDelete, hooksURL(s, acct), key, `[{"subAccountId":"sub"}]`); r.status != 200 {
		t.Fatalf("DELETE = %d %s", r.status, r.raw)
	}
	hooks := s.Hooks(acct)
	if len(hooks) != 1 || hooks[0].Type != "CABM" {
		t.Errorf("an untyped DELETE left %+v, want only CABM", hooks)
	}
}

func TestDeleteStarIsNotAWildcard(t *testing.T) {
	s := newServer(t)
	s.Seed(acct, fake.Hook{SubAccountID: "sub", Type: "MSG", URL: "https://x/", Enabled: true})
	s.Seed(acct, fake.Hook{SubAccountID: "*", Type: "MSG", URL: "https://y/", Enabled: true})
	if r := call(t, http.MethodDelete, hooksURL(s, acct), key, `[{"subAccountId":"*","type":"MSG"}]`); r.status != 200 {
		t.Fatalf("DELETE = %d %s", r.status, r.raw)
	}
	if _, ok := s.Hook(acct, "sub", "MSG"); !ok {
		t.Error("deleting * removed the sub-account's hook")
	}
	if _, ok := s.Hook(acct, "*", "MSG"); ok {
		t.Error("the * hook survived")
	}
	r := call(t, http.MethodDelete, hooksURL(s, acct), key, `[{"subAccountId":"*","type":"MSG"}]`)
	if r.status != 400 {
		t.Fatalf("DELETE of a missing key = %d, want 400", r.status)
	}
	assertEnvelope(t, r, 1300)
}

func TestRequestsAreAllOrNothing(t *testing.T) {
	s := newServer(t)
	body := `[{"subAccountId":"a","type":"MSG","url":"https://x/"},{"subAccountId":"b","type":"SMS","url":"https://x/"}]`
	if r := call(t, http.MethodPost, hooksURL(s, acct), key, body); r.status != 400 {
		t.Fatalf("POST with one bad item = %d", r.status)
	}
	if n := len(s.Hooks(acct)); n != 0 {
		t.Errorf("a refused POST stored %d hooks", n)
	}
	s.Seed(acct, fake.Hook{SubAccountID: "a", Type: "MSG", URL: "https://x/", Enabled: true})
	body = `[{"subAccountId":"a","type":"MSG"},{"subAccountId":"missing","type":"MSG"}]`
	if r := call(t, http.MethodDelete, hooksURL(s, acct), key, body); r.status != 400 {
		t.Fatalf("DELETE with one missing key = %d", r.status)
	}
	if _, ok := s.Hook(acct, "a", "MSG"); !ok {
		t.Error("a refused DELETE removed a hook")
	}
}

func TestErrors(t *testing.T) {
	s := newServer(t)
	s.AddKey("other-key", other)
	s.RestrictSubAccounts(other, "mine")
	valid := `[{"subAccountId":"s","type":"MSG","url":"https://x/"}]`
	oauth := func(fields string) string {
		return `[{"subAccountId":"s","type":"MSG","url":"https://x/","oauth":{` + fields + `}}]`
	}
	tests := []struct {
		name     string
		method   string
		account  string
		key      string
		body     string
		path     string
		wantCode int
		wantHTTP int
	}{
		{name: "no key", method: "GET", account: acct, wantHTTP: 401, wantCode: 1200},
		{name: "unknown key", method: "GET", account: acct, key: "nobody", wantHTTP: 401, wantCode: 1200},
		{name: "another account", method: "GET", account: other, key: key, wantHTTP: 403, wantCode: 1201},
		{name: "account id not a guid", method: "GET", account: "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", key: key, wantHTTP: 400, wantCode: 1000},
		{name: "account id too short", method: "GET", account: "0123abcd", key: key, wantHTTP: 400, wantCode: 1000},
		{name: "account id too long", method: "GET", account: acct + "00", key: key, wantHTTP: 400, wantCode: 1000},
		{name: "invalid type", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: `[{"subAccountId":"s","type":"DR","url":"https://x/"}]`},
		{name: "invalid type on delete", method: "DELETE", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: `[{"subAccountId":"s","type":"EV"}]`},
		{name: "sub-account not owned", method: "POST", account: other, key: "other-key", wantHTTP: 400, wantCode: 1001, body: valid},
		{name: "sub-account not owned on delete", method: "DELETE", account: other, key: "other-key", wantHTTP: 400, wantCode: 1001,
			body: `[{"subAccountId":"s","type":"MSG"}]`},
		{name: "no sub-account", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: `[{"type":"MSG","url":"https://x/"}]`},
		{name: "relative url", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: `[{"subAccountId":"s","type":"MSG","url":"/x"}]`},
		{name: "an object, not an array", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: `{"subAccountId":"s","type":"MSG","url":"https://x/"}`},
		{name: "empty array", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000, body: `[]`},
		{name: "no body", method: "DELETE", account: acct, key: key, wantHTTP: 400, wantCode: 1000},
		{name: "oauth without url", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: oauth(`"clientId":"c","clientSecret":"s","credentialsLocation":"header"`)},
		{name: "oauth without client id", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: oauth(`"url":"https://a/","clientSecret":"s","credentialsLocation":"header"`)},
		{name: "oauth without client secret", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: oauth(`"url":"https://a/","clientId":"c","credentialsLocation":"header"`)},
		{name: "oauth without credentials location", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: oauth(`"url":"https://a/","clientId":"c","clientSecret":"s"`)},
		{name: "oauth credentials in the query", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: oauth(`"url":"https://a/","clientId":"c","clientSecret":"s","credentialsLocation":"query"`)},
		{name: "authorization and oauth", method: "POST", account: acct, key: key, wantHTTP: 400, wantCode: 1000,
			body: `[{"subAccountId":"s","type":"MSG","url":"https://x/","httpAuthorization":"Bearer x",` +
				`"oauth":{"url":"https://a/","clientId":"c","clientSecret":"s","credentialsLocation":"header"}}]`},
		{name: "wrong method", method: "PUT", account: acct, key: key, wantHTTP: 405, wantCode: 1000, body: valid},
		{name: "unknown route", method: "GET", path: "/api/v1/subaccounts/x/webhooks", key: key, wantHTTP: 404, wantCode: 1300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := hooksURL(s, tt.account)
			if tt.path != "" {
				url = s.URL() + tt.path
			}
			r := call(t, tt.method, url, tt.key, tt.body)
			if r.status != tt.wantHTTP {
				t.Fatalf("status %d (%s), want %d", r.status, r.raw, tt.wantHTTP)
			}
			assertEnvelope(t, r, tt.wantCode)
		})
	}
	if n := len(s.Hooks(acct)) + len(s.Hooks(other)); n != 0 {
		t.Errorf("refused requests stored %d hooks", n)
	}
}

func TestRestrictedAccountAcceptsItsOwnAndStar(t *testing.T) {
	s := newServer(t)
	s.RestrictSubAccounts(acct, "mine")
	body := `[{"subAccountId":"mine","type":"MSG","url":"https://x/"},{"subAccountId":"*","type":"MSG","url":"https://x/"}]`
	if r := call(t, http.MethodPost, hooksURL(s, acct), key, body); r.status != 200 {
		t.Errorf("POST for an owned sub-account and * = %d %s", r.status, r.raw)
	}
}

func TestFaults(t *testing.T) {
	s := newServer(t)
	s.InjectFault(fake.Fault{Method: "GET", Status: 429, RetryAfter: "1", Times: 2})
	for i := range 2 {
		r := call(t, http.MethodGet, hooksURL(s, acct), "", "")
		if r.status != 429 || r.header.Get("Retry-After") != "1" {
			t.Fatalf("request %d: %d %q, want the fault before auth", i, r.status, r.header.Get("Retry-After"))
		}
		if e := assertEnvelope(t, r, 429); !strings.HasPrefix(e.Message, "Quota exceeded") {
			t.Errorf("429 message %q, want 8x8's wording", e.Message)
		}
	}
	if r := call(t, http.MethodGet, hooksURL(s, acct), key, ""); r.status != 200 {
		t.Errorf("after Times ran out: %d, want 200", r.status)
	}
	s.InjectFault(fake.Fault{Key: "other", Status: 500})
	if r := call(t, http.MethodGet, hooksURL(s, acct), key, ""); r.status != 200 {
		t.Errorf("a fault for another key hit: %d", r.status)
	}
	s.InjectFault(fake.Fault{Method: "POST", Status: 503, Message: "down for maintenance"})
	r := call(t, http.MethodPost, hooksURL(s, acct), key, `[{"subAccountId":"s","type":"MSG","url":"https://x/"}]`)
	if r.status != 503 {
		t.Errorf("POST with fault: %d, want 503", r.status)
	}
	if e := assertEnvelope(t, r, 2000); e.Message != "down for maintenance" {
		t.Errorf("the fault's message became %q", e.Message)
	}
	if n := len(s.Hooks(acct)); n != 0 {
		t.Errorf("a faulted POST changed the state: %d hooks", n)
	}
	s.ClearFaults()
	if r := call(t, http.MethodPost, hooksURL(s, acct), key, `[{"subAccountId":"s","type":"MSG","url":"https://x/"}]`); r.status != 200 {
		t.Errorf("after ClearFaults: %d, want 200", r.status)
	}
}

func TestDropResponseAppliesTheRequest(t *testing.T) {
	s := newServer(t)
	s.InjectFault(fake.Fault{Method: http.MethodPost, DropResponse: true, Status: http.StatusBadGateway, Times: 1})
	r := call(t, http.MethodPost, hooksURL(s, acct), key, `[{"subAccountId":"s","type":"MSG","url":"https://x/"}]`)
	if r.status != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", r.status)
	}
	assertEnvelope(t, r, 2000)
	if n := len(s.Hooks(acct)); n != 1 {
		t.Errorf("%d hooks stored, want the 1 whose answer was dropped", n)
	}
}

func TestRequestCounts(t *testing.T) {
	s := newServer(t)
	call(t, http.MethodGet, hooksURL(s, acct), key, "")
	call(t, http.MethodDelete, hooksURL(s, acct), key, `[{"subAccountId":"none","type":"MSG"}]`)
	call(t, http.MethodGet, hooksURL(s, acct), "bad", "")
	call(t, http.MethodGet, hooksURL(s, acct), "", "")
	if s.Requests(key) != 2 || s.Requests("bad") != 1 || s.RequestsTotal() != 4 {
		t.Errorf("counts %d/%d/%d, want 2/1/4", s.Requests(key), s.Requests("bad"), s.RequestsTotal())
	}
	s.ResetCounts()
	if s.Requests(key) != 0 || s.RequestsTotal() != 0 {
		t.Error("ResetCounts kept counts")
	}
}

func TestOutOfBandHelpers(t *testing.T) {
	s := newServer(t)
	s.Seed(acct, fake.Hook{SubAccountID: "s", Type: "CADR", URL: "https://x/", Enabled: true,
		OAuth: &fake.OAuth{URL: "https://a/", ClientID: "c", ClientSecret: "sec", CredentialsLocation: "header"}})
	s.UpdateOutOfBand(acct, "s", "CADR", func(h *fake.Hook) { h.SubAccountID = "moved"; h.URL = "https://y/"; h.OAuth.ClientID = "d" })
	got, ok := s.Hook(acctRaw, "s", "CADR")
	if !ok || got.URL != "https://y/" || got.SubAccountID != "s" || got.OAuth.ClientID != "d" {
		t.Errorf("after UpdateOutOfBand: %+v, %v (the key must not change)", got, ok)
	}
	got.OAuth.ClientID = "changed by the caller"
	if again, _ := s.Hook(acct, "s", "CADR"); again.OAuth.ClientID != "d" {
		t.Error("Hook returned the stored OAuth block itself, not a copy")
	}
	s.Disable(acct, "s", "CADR")
	if got, _ := s.Hook(acct, "s", "CADR"); got.Enabled {
		t.Error("Disable left the hook enabled")
	}
	if l := list(t, s, acct); l[0]["enabled"] != false {
		t.Errorf("GET shows enabled %v after Disable", l[0]["enabled"])
	}
	s.DeleteOutOfBand(acct, "s", "CADR")
	if _, ok := s.Hook(acct, "s", "CADR"); ok {
		t.Error("hook survived DeleteOutOfBand")
	}
}

func TestLegacySeedIsReachedByNoTypedRequest(t *testing.T) {
	s := newServer(t)
	s.Seed(acct, fake.Hook{SubAccountID: "s", URL: "https://legacy/", Enabled: true})
	if l := list(t, s, acct); len(l) != 1 || l[0]["type"] != nil {
		t.Errorf("GET = %v, want the one hook without a type", l)
	}
	if r := call(t, http.MethodDelete, hooksURL(s, acct), key, `[{"subAccountId":"s","type":"MSG"}]`); r.status != 400 {
		t.Errorf("DELETE of MSG reached the untyped hook: %d", r.status)
	}
}

func TestAcceptAnyKeyOnOwnListenerAndAnyHost(t *testing.T) {
	s := fake.NewUnstarted()
	s.SetAcceptAnyKey(true)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	if s.URL() != "" {
		t.Errorf("unstarted URL = %q, want empty", s.URL())
	}
	for i, host := range []string{"chatapps.8x8.uk", "sms.8x8.com"} {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/accounts/"+other+"/webhooks",
			strings.NewReader(`[{"subAccountId":"s`+host+`","type":"MSG","url":"https://x/"}]`))
		req.Host = host
		req.Header.Set("Authorization", "Bearer anyone")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 200 || len(s.Hooks(other)) != i+1 {
			t.Errorf("POST on host %s: %d, %d hooks", host, resp.StatusCode, len(s.Hooks(other)))
		}
	}
	if r := call(t, http.MethodGet, ts.URL+"/api/v1/accounts/"+other+"/webhooks", "", ""); r.status != 401 {
		t.Errorf("no key with accept-any: %d, want 401", r.status)
	}
}
