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
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
)

const (
	ident  = "4739db31320c67c5"
	secret = "fake-test-secret-1"
	client = int64(123)
)

func newServer(t *testing.T) (*fake.Server, string) {
	t.Helper()
	s := fake.New()
	t.Cleanup(s.Close)
	s.AddClient(ident, secret, client)
	return s, token(t, s, ident, secret)
}

// reply is an answer with its body read.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

func call(t *testing.T, method, target string, header map[string]string, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// token gets an access token with form credentials.
func token(t *testing.T, s *fake.Server, id, sec string) string {
	t.Helper()
	r := call(t, "POST", s.URL()+"/ps/oauth/token", nil,
		url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {sec}}.Encode())
	if r.Status != 200 {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
	return r.json(t)["access_token"].(string)
}

func create(t *testing.T, s *fake.Server, tok, params string) map[string]any {
	t.Helper()
	r := call(t, "POST", s.URL()+"/ps/service/clients/123/webhooks.json", bearer(tok), params)
	if r.Status != 200 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	return r.json(t)
}

// assertError checks PageSeeder's error document in the format asked for and returns its message.
func assertError(t *testing.T, r reply, status int, id, format string) string {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	var got struct {
		ID      string `json:"id" xml:"id,attr"`
		Request string `json:"request" xml:"request"`
		Message string `json:"message" xml:"message"`
	}
	var err error
	if format == "json" {
		err = json.Unmarshal(r.Body, &got)
	} else {
		err = xml.Unmarshal(r.Body, &got)
		if !strings.Contains(string(r.Body), "<error ") {
			t.Errorf("XML body %q is not an <error> element", r.Body)
		}
	}
	if err != nil || got.Message == "" || !strings.HasPrefix(got.Request, "/ps/") {
		t.Fatalf("%s error body %q unreadable or incomplete (%v)", format, r.Body, err)
	}
	if id != "" && got.ID != id {
		t.Errorf("error id %q, want %q", got.ID, id)
	}
	return got.Message
}

func TestTokenEndpoint(t *testing.T) {
	s, _ := newServer(t)
	basic := func(id, sec string) map[string]string {
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(id, sec)
		return map[string]string{"Authorization": req.Header.Get("Authorization")}
	}
	tests := []struct {
		name       string
		method     string
		header     map[string]string
		form       url.Values
		wantStatus int
		wantError  string
	}{
		{name: "basic", header: basic(ident, secret), form: url.Values{"grant_type": {"client_credentials"}}, wantStatus: 200},
		{name: "form", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {ident}, "client_secret": {secret}}, wantStatus: 200},
		{name: "wrong secret", header: basic(ident, "nope"), form: url.Values{"grant_type": {"client_credentials"}},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"who"}, "client_secret": {"x"}},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "no credentials", form: url.Values{"grant_type": {"client_credentials"}}, wantStatus: 401, wantError: "invalid_client"},
		{name: "password grant", header: basic(ident, secret), form: url.Values{"grant_type": {"password"}},
			wantStatus: 400, wantError: "unsupported_grant_type"},
		{name: "GET", method: "GET", wantStatus: 400, wantError: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "POST"
			}
			r := call(t, method, s.URL()+"/ps/oauth/token", tt.header, tt.form.Encode())
			if r.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.wantStatus, r.Body)
			}
			body := r.json(t)
			if tt.wantError != "" {
				if body["error"] != tt.wantError {
					t.Errorf("error %v, want %s", body["error"], tt.wantError)
				}
				return
			}
			if tok, _ := body["access_token"].(string); tok == "" || body["expires_in"] != float64(21600) ||
				!strings.EqualFold(body["token_type"].(string), "bearer") {
				t.Errorf("token response %v", body)
			}
		})
	}
	// newServer's own token request counts too.
	if n := s.TokenRequests(ident); n != 5 {
		t.Errorf("TokenRequests = %d, want 5", n)
	}
}

func TestServiceAuthentication(t *testing.T) {
	s, tok := newServer(t)
	s.AddNonAdminClient("author", "author-secret")
	author := token(t, s, "author", "author-secret")
	base := s.URL() + "/ps/service/clients/"
	tests := []struct {
		name       string
		path       string
		header     map[string]string
		wantStatus int
		wantID     string
	}{
		{name: "no bearer", path: "123/webhooks.json", wantStatus: 401, wantID: "0101"},
		{name: "unknown bearer", path: "123/webhooks.json", header: bearer("nobody"), wantStatus: 401, wantID: "0101"},
		{name: "basic instead of bearer", path: "123/webhooks.json",
			header: map[string]string{"Authorization": "Basic " + tok}, wantStatus: 401, wantID: "0101"},
		{name: "not an administrator", path: "123/webhooks.json", header: bearer(author), wantStatus: 403, wantID: "0102"},
		{name: "identifier instead of internal id", path: ident + "/webhooks.json", header: bearer(tok), wantStatus: 404, wantID: "0106"},
		{name: "unknown internal id", path: "999/webhooks.json", header: bearer(tok), wantStatus: 404, wantID: "0106"},
		{name: "no such hook", path: "123/webhooks/5.json", header: bearer(tok), wantStatus: 404, wantID: "0106"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertError(t, call(t, "GET", base+tt.path, tt.header, ""), tt.wantStatus, tt.wantID, "json")
		})
	}
	if r := call(t, "GET", base+"123/webhooks.json", bearer(tok), ""); r.Status != 200 {
		t.Errorf("valid call: %d %s", r.Status, r.Body)
	}
}

func TestTokenExpires(t *testing.T) {
	s, _ := newServer(t)
	var mu sync.Mutex
	now := time.Now()
	s.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	s.SetTokenLifetime(time.Minute)
	tok := token(t, s, ident, secret)
	if r := call(t, "GET", s.URL()+"/ps/api/clients/123/webhooks.json", bearer(tok), ""); r.Status != 200 {
		t.Fatalf("fresh token: %d", r.Status)
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	assertError(t, call(t, "GET", s.URL()+"/ps/api/clients/123/webhooks.json", bearer(tok), ""), 401, "0101", "json")
}

func TestFormatsAndPrefixes(t *testing.T) {
	s, tok := newServer(t)
	h := s.Seed(client, fake.Hook{Name: "Test", URL: "https://ps.example.org/", Events: "comment.*,group.*", InsecureSSL: true})
	id := "789"
	if h.ID != 789 {
		t.Fatalf("first hook id %d, want 789 like the documented sample", h.ID)
	}
	for _, prefix := range []string{"/ps/service", "/ps/api"} {
		tests := []struct {
			path   string
			accept string
			want   string
		}{
			{path: "/clients/123/webhooks.json", want: "json"},
			{path: "/clients/123/webhooks.xml", want: "xml"},
			{path: "/clients/123/webhooks", want: "xml"},
			{path: "/clients/123/webhooks", accept: "application/json", want: "json"},
			{path: "/clients/123/webhooks/" + id + ".json", want: "json"},
			{path: "/clients/123/webhooks/" + id + ".xml", want: "xml"},
			{path: "/clients/123/webhooks/" + id, want: "xml"},
		}
		for _, tt := range tests {
			t.Run(prefix+tt.path+" "+tt.accept, func(t *testing.T) {
				header := bearer(tok)
				if tt.accept != "" {
					header["Accept"] = tt.accept
				}
				r := call(t, "GET", s.URL()+prefix+tt.path, header, "")
				if r.Status != 200 {
					t.Fatalf("status %d: %s", r.Status, r.Body)
				}
				single := strings.Contains(tt.path, "/webhooks/")
				if tt.want == "json" {
					assertJSONHook(t, r, single)
				} else {
					assertXMLHook(t, r, single)
				}
			})
		}
	}
}

func assertJSONHook(t *testing.T, r reply, single bool) {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	body := r.json(t)
	item := body
	if !single {
		items, _ := body["webhooks"].([]any)
		if len(items) != 1 {
			t.Fatalf("list %v, want {\"webhooks\":[one]}", body)
		}
		item = items[0].(map[string]any)
	}
	c, _ := item["client"].(map[string]any)
	if item["id"] != float64(789) || item["server"] != false || item["insecuressl"] != true ||
		item["events"] != "comment.*,group.*" || c["id"] != float64(123) || c["identifier"] != ident {
		t.Errorf("webhook %v: want integer id, boolean server and insecuressl, events string, embedded client", item)
	}
}

func assertXMLHook(t *testing.T, r reply, single bool) {
	t.Helper()
	type hook struct {
		ID          string `xml:"id,attr"`
		InsecureSSL string `xml:"insecuressl,attr"`
		Events      string `xml:"events,attr"`
		Client      struct {
			ID         string `xml:"id,attr"`
			Identifier string `xml:"identifier,attr"`
			MaxAge     string `xml:"access-token-max-age,attr"`
		} `xml:"client"`
	}
	var h hook
	if single {
		if err := xml.Unmarshal(r.Body, &h); err != nil || !strings.Contains(string(r.Body), "<webhook ") {
			t.Fatalf("XML %q: %v", r.Body, err)
		}
	} else {
		var list struct {
			XMLName xml.Name `xml:"webhooks"`
			Hooks   []hook   `xml:"webhook"`
		}
		if err := xml.Unmarshal(r.Body, &list); err != nil || len(list.Hooks) != 1 {
			t.Fatalf("XML list %q: %v", r.Body, err)
		}
		h = list.Hooks[0]
	}
	if h.ID != "789" || h.InsecureSSL != "true" || h.Events != "comment.*,group.*" || h.Client.ID != "123" ||
		h.Client.Identifier != ident || h.Client.MaxAge != "21600" {
		t.Errorf("XML webhook %+v", h)
	}
}

func TestCreateStartsPending(t *testing.T) {
	s, tok := newServer(t)
	body := create(t, s, tok, url.Values{"url": {"https://x.example/hook"}, "name": {"n"},
		"events":   {"comment.*, bogus.created,comment.created,comment.created,member.created,group.nope,webhook.ping"},
		"projects": {"a, b"}, "server": {"true"}, "format": {"xml"}, "object": {"basic"}}.Encode())
	offset := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$`)
	if body["status"] != "pending" || body["created"] != body["modified"] || !offset.MatchString(body["created"].(string)) {
		t.Errorf("new hook %v: want pending, created == modified, ISO 8601 with an offset", body)
	}
	want := map[string]any{"events": "comment.*,comment.created,member.created,webhook.ping", "projects": "a,b",
		"server": true, "format": "xml", "object": "basic", "insecuressl": false, "name": "n"}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s = %v, want %v", k, body[k], v)
		}
	}
	defaults := create(t, s, tok, "url=https%3A%2F%2Fy.example%2F")
	if defaults["format"] != "json" || defaults["object"] != "minimal" || defaults["events"] != "" {
		t.Errorf("defaults %v", defaults)
	}
}

func TestParameterErrors(t *testing.T) {
	s, tok := newServer(t)
	h := s.Seed(client, fake.Hook{Name: "n", URL: "https://x.example/"})
	one := "/ps/service/clients/123/webhooks/789"
	tests := []struct {
		name    string
		method  string
		path    string
		params  string
		wantMsg string
	}{
		{name: "create without url", method: "POST", path: "/ps/service/clients/123/webhooks", params: "name=n",
			wantMsg: "Failed @Requires check: missing parameter 'url'"},
		{name: "create with a relative url", method: "POST", path: "/ps/service/clients/123/webhooks", params: "url=%2Fhook"},
		{name: "format", method: "POST", path: "/ps/service/clients/123/webhooks", params: "url=https%3A%2F%2Fx%2F&format=yaml"},
		{name: "object", method: "PATCH", path: one, params: "object=full"},
		{name: "server", method: "PATCH", path: one, params: "server=maybe"},
		{name: "insecuressl", method: "PATCH", path: one, params: "insecuressl=1x"},
		{name: "patch url emptied", method: "PATCH", path: one, params: "url="},
	}
	for _, tt := range tests {
		for _, format := range []string{"json", "xml"} {
			t.Run(tt.name+" "+format, func(t *testing.T) {
				r := call(t, tt.method, s.URL()+tt.path+"."+format, bearer(tok), tt.params)
				if msg := assertError(t, r, 400, "0201", format); tt.wantMsg != "" && msg != tt.wantMsg {
					t.Errorf("message %q, want %q", msg, tt.wantMsg)
				}
			})
		}
	}
	if got, _ := s.Hook(h.ID); got != h {
		t.Errorf("rejected edits changed the hook: %+v", got)
	}
	if n := len(s.Hooks(client)); n != 1 {
		t.Errorf("rejected creates stored hooks: %d", n)
	}
}

func TestWrongMethod(t *testing.T) {
	s, tok := newServer(t)
	s.Seed(client, fake.Hook{Name: "n", URL: "https://x.example/"})
	for _, tt := range []struct{ method, path, format string }{
		{"PUT", "/ps/service/clients/123/webhooks.json", "json"},
		{"DELETE", "/ps/api/clients/123/webhooks.xml", "xml"},
		{"POST", "/ps/service/clients/123/webhooks/789.json", "json"},
		{"PUT", "/ps/api/clients/123/webhooks/789", "xml"},
		{"POST", "/ps/service/clients/123/webhooks/789/ping.json", "json"},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := call(t, tt.method, s.URL()+tt.path, bearer(tok), "")
			assertError(t, r, 400, "0103", tt.format)
		})
	}
}

func TestEditChangesWhatIsSent(t *testing.T) {
	s, tok := newServer(t)
	h := s.Seed(client, fake.Hook{Name: "n", URL: "https://x.example/", Events: "task.updated", Status: "active",
		Created: "2020-01-01T00:00:00+10:00"})
	path := s.URL() + "/ps/service/clients/123/webhooks/789.json"
	r := call(t, "PATCH", path, bearer(tok), "name=m&groups=g1,g2")
	if r.Status != 200 {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}
	got, _ := s.Hook(h.ID)
	if got.Name != "m" || got.Groups != "g1,g2" || got.Events != "task.updated" || got.URL != h.URL ||
		got.Status != "active" || got.Modified == h.Modified || got.Created != h.Created {
		t.Errorf("after a name edit: %+v", got)
	}
	call(t, "PATCH", path, bearer(tok), "url=https%3A%2F%2Fy.example%2F")
	if got, _ := s.Hook(h.ID); got.Status != "pending" || got.URL != "https://y.example/" {
		t.Errorf("after a url edit: %+v, want pending again", got)
	}
}

func TestEditResponses(t *testing.T) {
	tests := []struct {
		shape fake.EditResponse
		check func(body []byte) bool
	}{
		{fake.EditObject, func(b []byte) bool {
			return strings.Contains(string(b), `"url":"https://x/"`) && strings.HasPrefix(string(b), `{"id":`)
		}},
		{fake.EditWrapped, func(b []byte) bool { return strings.HasPrefix(string(b), `{"webhook":{"id":`) }},
		{fake.EditIDOnly, func(b []byte) bool { return strings.TrimSpace(string(b)) == `{"id":789}` }},
		{fake.EditEmpty, func(b []byte) bool { return len(b) == 0 }},
	}
	for _, tt := range tests {
		s, tok := newServer(t)
		s.SetEditResponse(tt.shape)
		r := call(t, "POST", s.URL()+"/ps/service/clients/123/webhooks.json", bearer(tok), "url=https%3A%2F%2Fx%2F")
		if r.Status != 200 || !tt.check(r.Body) {
			t.Errorf("shape %d: %d %q", tt.shape, r.Status, r.Body)
		}
		if r := call(t, "POST", s.URL()+"/ps/service/clients/123/webhooks.xml", bearer(tok), "url=https%3A%2F%2Fx%2F"); !strings.Contains(string(r.Body), "<webhook ") {
			t.Errorf("shape %d changed the XML answer: %q", tt.shape, r.Body)
		}
	}
}

func TestDeleteThenNotFound(t *testing.T) {
	s, tok := newServer(t)
	s.Seed(client, fake.Hook{Name: "n", URL: "https://x.example/"})
	one := s.URL() + "/ps/service/clients/123/webhooks/789"
	if r := call(t, "DELETE", one+".json", bearer(tok), ""); r.Status != 200 {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	if n := len(s.Hooks(client)); n != 0 {
		t.Fatalf("%d hooks after delete", n)
	}
	for _, tt := range []struct{ method, suffix, format string }{
		{"GET", ".json", "json"}, {"GET", ".xml", "xml"}, {"GET", "", "xml"},
		{"PATCH", ".json", "json"}, {"DELETE", ".json", "json"}, {"GET", "/ping.json", "json"},
	} {
		assertError(t, call(t, tt.method, one+tt.suffix, bearer(tok), "name=x"), 404, "0106", tt.format)
	}
}

func TestHooksAreKeptPerClient(t *testing.T) {
	s, tok := newServer(t)
	s.AddClient("other", "other-secret", 456)
	other := s.Seed(456, fake.Hook{Name: "theirs", URL: "https://x.example/"})
	r := call(t, "GET", s.URL()+"/ps/service/clients/123/webhooks/"+itoa(other.ID)+".json", bearer(tok), "")
	assertError(t, r, 404, "0106", "json")
	// An administrator may manage any client's hooks by its internal id.
	if r := call(t, "GET", s.URL()+"/ps/service/clients/456/webhooks/"+itoa(other.ID)+".json", bearer(tok), ""); r.Status != 200 {
		t.Errorf("admin reading client 456: %d", r.Status)
	}
	if len(s.Hooks(123)) != 0 || len(s.Hooks(456)) != 1 {
		t.Error("hooks are not kept per client")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPing(t *testing.T) {
	var gotSecret, gotType, gotContent string
	mk := func(mode string) *httptest.Server {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				Webevents []struct {
					Type string `json:"type"`
				} `json:"webevents"`
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			gotSecret, gotContent = r.Header.Get(fake.SecretHeader), r.Header.Get("Content-Type")
			if len(body.Webevents) == 1 {
				gotType = body.Webevents[0].Type
			}
			switch mode {
			case "echo":
				w.Header().Set(fake.SecretHeader, gotSecret)
			case "wrong":
				w.Header().Set(fake.SecretHeader, "not-it")
			case "500":
				w.Header().Set(fake.SecretHeader, gotSecret)
				w.WriteHeader(500)
			}
		}))
		t.Cleanup(ts.Close)
		return ts
	}
	tests := []struct {
		name       string
		url        func() string
		wantID     string
		wantStatus string
	}{
		{name: "echo", url: func() string { return mk("echo").URL }, wantStatus: "active"},
		{name: "no echo", url: func() string { return mk("none").URL }, wantID: "170B", wantStatus: "pending"},
		{name: "wrong echo", url: func() string { return mk("wrong").URL }, wantID: "170B", wantStatus: "pending"},
		{name: "500", url: func() string { return mk("500").URL }, wantID: "170A", wantStatus: "pending"},
		{name: "unreachable", url: func() string { return "http://127.0.0.1:1/" }, wantID: "170C", wantStatus: "pending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, tok := newServer(t)
			gotSecret, gotType = "", ""
			h := s.Seed(client, fake.Hook{Name: "n", URL: tt.url()})
			r := call(t, "GET", s.URL()+"/ps/service/clients/123/webhooks/789/ping.json", bearer(tok), "")
			if tt.wantID == "" {
				if r.Status != 200 || !strings.Contains(string(r.Body), "ping-sent") {
					t.Errorf("ping: %d %s", r.Status, r.Body)
				}
			} else {
				assertError(t, r, 400, tt.wantID, "json")
			}
			if got, _ := s.Hook(h.ID); got.Status != tt.wantStatus || got.Modified != h.Modified {
				t.Errorf("after the ping: %+v, want status %s and modified unchanged", got, tt.wantStatus)
			}
			if tt.name != "unreachable" && (len(gotSecret) < 8 || gotType != "webhook.ping" || !strings.HasPrefix(gotContent, "application/json")) {
				t.Errorf("receiver saw secret %q, type %q, content %q", gotSecret, gotType, gotContent)
			}
		})
	}
}

func TestPingSecretIsRandom(t *testing.T) {
	seen := map[string]bool{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen[r.Header.Get(fake.SecretHeader)] = true
		w.Header().Set(fake.SecretHeader, r.Header.Get(fake.SecretHeader))
	}))
	defer ts.Close()
	s, tok := newServer(t)
	s.Seed(client, fake.Hook{Name: "n", URL: ts.URL})
	for range 3 {
		call(t, "GET", s.URL()+"/ps/api/clients/123/webhooks/789/ping.xml", bearer(tok), "")
	}
	if len(seen) != 3 {
		t.Errorf("%d distinct X-PS-Secret values in 3 pings", len(seen))
	}
}

type echoTransport struct{ calls int }

func (e *echoTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	e.calls++
	h := http.Header{}
	h.Set(fake.SecretHeader, r.Header.Get(fake.SecretHeader))
	return &http.Response{StatusCode: 204, Header: h, Body: http.NoBody, Request: r}, nil
}

func TestPingOverrides(t *testing.T) {
	s, tok := newServer(t)
	ping := s.URL() + "/ps/service/clients/123/webhooks/789/ping.json"
	h := s.Seed(client, fake.Hook{Name: "n", URL: "https://receiver.invalid/hook"})

	var urls []string
	s.SetPingResult(func(u string) error { urls = append(urls, u); return fake.ErrPingSecret })
	assertError(t, call(t, "GET", ping, bearer(tok), ""), 400, "170B", "json")
	s.SetPingResult(func(string) error { return fake.ErrPingStatus })
	assertError(t, call(t, "GET", ping, bearer(tok), ""), 400, "170A", "json")
	s.SetPingResult(func(string) error { return errors.New("refused") })
	assertError(t, call(t, "GET", ping, bearer(tok), ""), 400, "170C", "json")
	s.SetPingResult(func(string) error { return nil })
	if r := call(t, "GET", ping, bearer(tok), ""); r.Status != 200 {
		t.Fatalf("ping with a succeeding result: %d", r.Status)
	}
	if got, _ := s.Hook(h.ID); got.Status != "active" || len(urls) != 1 || urls[0] != h.URL {
		t.Errorf("hook %+v, result called with %v", got, urls)
	}

	s.SetPingResult(nil)
	s.SetStatus(h.ID, "pending")
	rt := &echoTransport{}
	s.SetPingTransport(rt)
	if r := call(t, "GET", ping, bearer(tok), ""); r.Status != 200 || rt.calls != 1 {
		t.Errorf("ping through the transport: %d, %d calls", r.Status, rt.calls)
	}
	if got, _ := s.Hook(h.ID); got.Status != "active" {
		t.Errorf("status %q after a ping through the transport", got.Status)
	}
}

func TestFaultKeysAndCounts(t *testing.T) {
	s, tok := newServer(t)
	s.AddToken("plain-token")
	s.ResetCounts()
	call(t, "POST", s.URL()+"/ps/oauth/token", nil, "grant_type=client_credentials&client_id="+ident+"&client_secret="+secret)
	req, _ := http.NewRequest("POST", s.URL()+"/ps/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(ident, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	call(t, "GET", s.URL()+"/ps/service/clients/123/webhooks.json", bearer(tok), "")
	call(t, "GET", s.URL()+"/ps/service/clients/123/webhooks.json", bearer("plain-token"), "")
	call(t, "GET", s.URL()+"/ps/service/clients/123/webhooks.json", nil, "")
	if s.Requests(ident) != 3 || s.Requests("plain-token") != 1 || s.RequestsTotal() != 5 {
		t.Errorf("counts %d/%d/%d, want 3/1/5", s.Requests(ident), s.Requests("plain-token"), s.RequestsTotal())
	}

	s.InjectFault(fake.Fault{Key: ident, Path: "/ps/service/", Status: 429, RetryAfter: "4", Message: "slow down", Times: 1})
	if r := call(t, "POST", s.URL()+"/ps/oauth/token", nil, "grant_type=client_credentials&client_id="+ident+"&client_secret="+secret); r.Status != 200 {
		t.Errorf("a service fault hit the token endpoint: %d", r.Status)
	}
	if r := call(t, "GET", s.URL()+"/ps/service/clients/123/webhooks.json", bearer("plain-token"), ""); r.Status != 200 {
		t.Errorf("a fault for the client hit the plain token: %d", r.Status)
	}
	r := call(t, "GET", s.URL()+"/ps/service/clients/123/webhooks.xml", bearer(tok), "")
	assertError(t, r, 429, "01AD", "xml")
	if r.Header.Get("Retry-After") != "4" || !strings.Contains(string(r.Body), "slow down") {
		t.Errorf("fault answer %v %q", r.Header, r.Body)
	}
	if r := call(t, "GET", s.URL()+"/ps/service/clients/123/webhooks.json", bearer(tok), ""); r.Status != 200 {
		t.Errorf("after Times ran out: %d", r.Status)
	}

	s.InjectFault(fake.Fault{Key: ident, Path: "/ps/oauth/token", Status: 503})
	r = call(t, "POST", s.URL()+"/ps/oauth/token", nil, "grant_type=client_credentials&client_id="+ident+"&client_secret="+secret)
	assertError(t, r, 503, "01F7", "json")
	s.ClearFaults()
	if r := call(t, "POST", s.URL()+"/ps/oauth/token", nil, "grant_type=client_credentials&client_id="+ident+"&client_secret="+secret); r.Status != 200 {
		t.Errorf("after ClearFaults: %d", r.Status)
	}
	s.ResetCounts()
	if s.Requests(ident) != 0 || s.RequestsTotal() != 0 {
		t.Error("ResetCounts kept counts")
	}
}

func TestDropResponseAppliesTheRequest(t *testing.T) {
	s, tok := newServer(t)
	s.InjectFault(fake.Fault{Method: "POST", Path: "/ps/service/", DropResponse: true, Status: 502, Times: 1})
	r := call(t, "POST", s.URL()+"/ps/service/clients/123/webhooks.json", bearer(tok), "url=https%3A%2F%2Fx%2F")
	assertError(t, r, 502, "01F6", "json")
	if n := len(s.Hooks(client)); n != 1 {
		t.Errorf("%d hooks stored, want the 1 whose answer was dropped", n)
	}
}

func TestAcceptAnyClient(t *testing.T) {
	s := fake.NewUnstarted()
	s.SetAcceptAnyClient(true)
	s.SetPingResult(func(string) error { return nil })
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	if s.URL() != "" {
		t.Errorf("unstarted URL = %q, want empty", s.URL())
	}
	r := call(t, "POST", ts.URL+"/ps/oauth/token", nil, "grant_type=client_credentials&client_id=demo&client_secret=anything")
	if r.Status != 200 {
		t.Fatalf("token for any client: %d", r.Status)
	}
	tok := r.json(t)["access_token"].(string)
	for _, auth := range []string{tok, "any-plain-token"} {
		r := call(t, "POST", ts.URL+"/ps/service/clients/42/webhooks.json", bearer(auth), "url=https%3A%2F%2Fx%2F")
		if r.Status != 200 {
			t.Fatalf("create under any client with %q: %d %s", auth, r.Status, r.Body)
		}
	}
	if n := len(s.Hooks(42)); n != 2 {
		t.Errorf("%d hooks under client 42, want 2", n)
	}
	if r := call(t, "GET", ts.URL+"/ps/service/clients/42/webhooks.json", nil, ""); r.Status != 401 {
		t.Errorf("no token with accept-any: %d, want 401", r.Status)
	}
}

func TestOutOfBandHelpers(t *testing.T) {
	s, _ := newServer(t)
	a := s.Seed(client, fake.Hook{ID: 900, Name: "a", URL: "https://x/"})
	b := s.Seed(client, fake.Hook{Name: "b", URL: "https://x/"})
	if b.ID != 901 || a.Status != "pending" || a.Format != "json" || a.Object != "minimal" || a.Created == "" || a.Modified != a.Created {
		t.Errorf("seeded %+v and %+v", a, b)
	}
	s.UpdateOutOfBand(a.ID, func(h *fake.Hook) { h.ID, h.Client, h.URL = 1, 999, "https://y/" })
	got, ok := s.Hook(a.ID)
	if !ok || got.URL != "https://y/" || got.ID != a.ID || got.Client != client {
		t.Errorf("after UpdateOutOfBand: %+v, %v", got, ok)
	}
	s.SetStatus(a.ID, "disabled")
	if got, _ := s.Hook(a.ID); got.Status != "disabled" || got.Modified != a.Modified {
		t.Errorf("after SetStatus: %+v", got)
	}
	s.DeleteOutOfBand(a.ID)
	if _, ok := s.Hook(a.ID); ok {
		t.Error("hook survived DeleteOutOfBand")
	}
	if hooks := s.Hooks(client); len(hooks) != 1 || hooks[0].ID != b.ID {
		t.Errorf("Hooks = %+v", hooks)
	}
}
