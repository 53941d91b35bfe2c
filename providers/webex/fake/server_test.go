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
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

const tok = "fake-test-token-1"

func newServer(t *testing.T) *fake.Server {
	t.Helper()
	s := fake.New()
	t.Cleanup(s.Close)
	s.AddToken(tok)
	return s
}

// reply is an answer with its body already read and closed.
type reply struct {
	StatusCode int
	Header     http.Header
}

// call sends one request and decodes a JSON answer into a map.
func call(t *testing.T, method, url, token, body string) (reply, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return reply{StatusCode: resp.StatusCode, Header: resp.Header}, out
}

const validCreate = `{"name":"n","targetUrl":"https://x.example/","resource":"messages","event":"created","secret":"s3cret"}`

func TestCreateReturnsTheFullObject(t *testing.T) {
	s := newServer(t)
	resp, body := call(t, http.MethodPost, s.URL()+"/webhooks", tok, validCreate)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	raw, err := base64.StdEncoding.DecodeString(body["id"].(string))
	if err != nil || !regexp.MustCompile(`^ciscospark://us/WEBHOOK/[0-9a-f-]{36}$`).Match(raw) {
		t.Errorf("id %v decodes to %q (%v)", body["id"], raw, err)
	}
	if _, err := time.Parse(time.RFC3339, body["created"].(string)); err != nil {
		t.Errorf("created %v is not RFC 3339: %v", body["created"], err)
	}
	want := map[string]any{"status": "active", "ownedBy": "creator", "secret": "s3cret", "name": "n"}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s = %v, want %v", k, body[k], v)
		}
	}
	for _, k := range []string{"orgId", "createdBy", "appId"} {
		if body[k] == "" || body[k] == nil {
			t.Errorf("%s is empty", k)
		}
	}
}

func TestErrors(t *testing.T) {
	s := newServer(t)
	id := s.Seed(tok, fake.Hook{Name: "n", TargetURL: "https://x.example/", Resource: "messages", Event: "created"}).ID
	tests := []struct {
		name       string
		method     string
		path       string
		token      string
		body       string
		wantStatus int
	}{
		{name: "no token", method: "GET", path: "/webhooks", wantStatus: 401},
		{name: "unknown token", method: "GET", path: "/webhooks", token: "nobody", wantStatus: 401},
		{name: "create without name", method: "POST", path: "/webhooks", token: tok,
			body: `{"targetUrl":"https://x/","resource":"messages","event":"created"}`, wantStatus: 400},
		{name: "create without event", method: "POST", path: "/webhooks", token: tok,
			body: `{"name":"n","targetUrl":"https://x/","resource":"messages"}`, wantStatus: 400},
		{name: "create with host filter as creator", method: "POST", path: "/webhooks", token: tok,
			body: `{"name":"n","targetUrl":"https://x/","resource":"meetings","event":"started","filter":"hostEmail=a@b"}`, wantStatus: 400},
		{name: "invalid json", method: "POST", path: "/webhooks", token: tok, body: `{"name":`, wantStatus: 400},
		{name: "empty body", method: "POST", path: "/webhooks", token: tok, wantStatus: 400},
		{name: "put without targetUrl", method: "PUT", path: "/webhooks/" + id, token: tok, body: `{"name":"n"}`, wantStatus: 400},
		{name: "put inactive", method: "PUT", path: "/webhooks/" + id, token: tok,
			body: `{"name":"n","targetUrl":"https://x/","status":"inactive"}`, wantStatus: 400},
		{name: "another user's hook", method: "GET", path: "/webhooks/" + id, token: "other", wantStatus: 404},
		{name: "bad max", method: "GET", path: "/webhooks?max=zero", token: tok, wantStatus: 400},
		{name: "unknown route", method: "GET", path: "/people", token: tok, wantStatus: 404},
	}
	s.AddToken("other")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := call(t, tt.method, s.URL()+tt.path, tt.token, tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			assertErrorBody(t, resp, body)
		})
	}
}

func assertErrorBody(t *testing.T, resp reply, body map[string]any) {
	t.Helper()
	tid, _ := body["trackingId"].(string)
	if tid == "" || resp.Header.Get("TrackingId") != tid {
		t.Errorf("trackingId body %q, header %q: want equal and non-empty", tid, resp.Header.Get("TrackingId"))
	}
	errs, _ := body["errors"].([]any)
	if body["message"] == "" || body["message"] == nil || len(errs) != 1 {
		t.Errorf("error body %v lacks message or errors", body)
	}
}

func TestPutUpdatesOnlyMutableFields(t *testing.T) {
	s := newServer(t)
	h := s.Seed(tok, fake.Hook{Name: "n", TargetURL: "https://x.example/", Resource: "messages", Event: "created",
		Filter: "roomId=1", Secret: "old"})
	s.Disable(h.ID)
	resp, body := call(t, http.MethodPut, s.URL()+"/webhooks/"+h.ID, tok,
		`{"name":"m","targetUrl":"https://y.example/","secret":"new","status":"active","resource":"rooms","event":"deleted","filter":"","ownedBy":"org"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	got, _ := s.Hook(h.ID)
	want := h
	want.Name, want.TargetURL, want.Secret, want.Status = "m", "https://y.example/", "new", "active"
	if got != want {
		t.Errorf("after PUT\n got %+v\nwant %+v", got, want)
	}
	if body["resource"] != "messages" {
		t.Errorf("response resource %v", body["resource"])
	}
}

func TestDeleteThenNotFound(t *testing.T) {
	s := newServer(t)
	id := s.Seed(tok, fake.Hook{Name: "n", TargetURL: "https://x.example/", Resource: "messages", Event: "created"}).ID
	if resp, _ := call(t, http.MethodDelete, s.URL()+"/webhooks/"+id, tok, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE status %d, want 204", resp.StatusCode)
	}
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		resp, body := call(t, method, s.URL()+"/webhooks/"+id, tok, `{"name":"n","targetUrl":"https://x/"}`)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s after delete: %d, want 404", method, resp.StatusCode)
		}
		assertErrorBody(t, resp, body)
	}
}

func TestListPagesWithLinkHeader(t *testing.T) {
	s := newServer(t)
	s.SetPageSize(2)
	for i := range 5 {
		owned := ""
		if i%2 == 0 {
			owned = "org"
		}
		s.Seed(tok, fake.Hook{Name: fmt.Sprint(i), TargetURL: "https://x/", Resource: "rooms", Event: "all", OwnedBy: owned})
	}
	s.Seed("stranger", fake.Hook{Name: "hidden", TargetURL: "https://x/", Resource: "rooms", Event: "all"})
	tests := []struct {
		name      string
		query     string
		wantNames string
		wantPages int
	}{
		{name: "page size caps max", query: "?max=100", wantNames: "0,1|2,3|4", wantPages: 3},
		{name: "smaller max", query: "?max=1", wantNames: "0|1|2|3|4", wantPages: 5},
		{name: "org only", query: "?ownedBy=org", wantNames: "0,2|4", wantPages: 2},
	}
	linkRE := regexp.MustCompile(`^<([^>]+)>; rel="next"$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pages []string
			next := s.URL() + "/webhooks" + tt.query
			for next != "" {
				resp, body := call(t, http.MethodGet, next, tok, "")
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d", resp.StatusCode)
				}
				var names []string
				for _, it := range body["items"].([]any) {
					names = append(names, it.(map[string]any)["name"].(string))
				}
				pages = append(pages, strings.Join(names, ","))
				next = ""
				if l := resp.Header.Get("Link"); l != "" {
					m := linkRE.FindStringSubmatch(l)
					if m == nil || !strings.Contains(m[1], "after=") {
						t.Fatalf("Link %q is not a next link with a cursor", l)
					}
					next = m[1]
				}
				if len(pages) > 10 {
					t.Fatal("paging does not end")
				}
			}
			if got := strings.Join(pages, "|"); got != tt.wantNames || len(pages) != tt.wantPages {
				t.Errorf("pages %q, want %q", got, tt.wantNames)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	s := newServer(t)
	s.InjectFault(fake.Fault{Method: "GET", Path: "/v1/webhooks", Status: 429, RetryAfter: "9", Times: 2, Message: "slow down"})
	for i := range 2 {
		resp, body := call(t, http.MethodGet, s.URL()+"/webhooks", "", "")
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "9" || body["message"] != "slow down" {
			t.Fatalf("request %d: %d %q %v, want the fault before auth", i, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		assertErrorBody(t, resp, body)
	}
	if resp, _ := call(t, http.MethodGet, s.URL()+"/webhooks", tok, ""); resp.StatusCode != 200 {
		t.Errorf("after Times ran out: %d, want 200", resp.StatusCode)
	}
	s.InjectFault(fake.Fault{Key: "other", Status: 500})
	if resp, _ := call(t, http.MethodGet, s.URL()+"/webhooks", tok, ""); resp.StatusCode != 200 {
		t.Errorf("a fault for another token hit: %d", resp.StatusCode)
	}
	s.InjectFault(fake.Fault{Method: "POST", Status: 503})
	if resp, _ := call(t, http.MethodPost, s.URL()+"/webhooks", tok, validCreate); resp.StatusCode != 503 {
		t.Errorf("POST with fault: %d, want 503", resp.StatusCode)
	}
	if n := len(s.Hooks(tok)); n != 0 {
		t.Errorf("a faulted create changed the state: %d hooks", n)
	}
	s.ClearFaults()
	if resp, _ := call(t, http.MethodPost, s.URL()+"/webhooks", tok, validCreate); resp.StatusCode != 200 {
		t.Errorf("after ClearFaults: %d, want 200", resp.StatusCode)
	}
}

func TestRequestCounts(t *testing.T) {
	s := newServer(t)
	call(t, http.MethodGet, s.URL()+"/webhooks", tok, "")
	call(t, http.MethodGet, s.URL()+"/webhooks/none", tok, "")
	call(t, http.MethodGet, s.URL()+"/webhooks", "bad", "")
	call(t, http.MethodGet, s.URL()+"/webhooks", "", "")
	if s.Requests(tok) != 2 || s.Requests("bad") != 1 || s.RequestsTotal() != 4 {
		t.Errorf("counts %d/%d/%d, want 2/1/4", s.Requests(tok), s.Requests("bad"), s.RequestsTotal())
	}
	s.ResetCounts()
	if s.Requests(tok) != 0 || s.RequestsTotal() != 0 {
		t.Error("ResetCounts kept counts")
	}
}

func TestOutOfBandHelpers(t *testing.T) {
	s := newServer(t)
	h := s.Seed(tok, fake.Hook{Name: "n", TargetURL: "https://x/", Resource: "rooms", Event: "all"})
	s.UpdateOutOfBand(h.ID, func(h *fake.Hook) { h.ID = "changed"; h.TargetURL = "https://y/" })
	got, ok := s.Hook(h.ID)
	if !ok || got.TargetURL != "https://y/" || got.ID != h.ID {
		t.Errorf("after UpdateOutOfBand: %+v, %v", got, ok)
	}
	s.Disable(h.ID)
	if got, _ := s.Hook(h.ID); got.Status != "inactive" {
		t.Errorf("after Disable status %q", got.Status)
	}
	s.DeleteOutOfBand(h.ID)
	if _, ok := s.Hook(h.ID); ok {
		t.Error("hook survived DeleteOutOfBand")
	}
}

func TestAcceptAnyTokenOnOwnListener(t *testing.T) {
	s := fake.NewUnstarted()
	s.SetAcceptAnyToken(true)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	if s.URL() != "" {
		t.Errorf("unstarted URL = %q, want empty", s.URL())
	}
	if resp, _ := call(t, http.MethodPost, ts.URL+"/v1/webhooks", "anyone", validCreate); resp.StatusCode != 200 {
		t.Fatalf("create with any token: %d", resp.StatusCode)
	}
	if len(s.Hooks("anyone")) != 1 || len(s.Hooks("someone-else")) != 0 {
		t.Error("hooks are not kept per token")
	}
	if resp, _ := call(t, http.MethodGet, ts.URL+"/v1/webhooks", "", ""); resp.StatusCode != 401 {
		t.Errorf("no token with accept-any: %d, want 401", resp.StatusCode)
	}
}

func TestSign(t *testing.T) {
	// RFC 2202, HMAC-SHA1 test case 2.
	got := fake.Sign([]byte("Jefe"), []byte("what do ya want for nothing?"))
	if got != "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" {
		t.Errorf("Sign = %s", got)
	}
}

func TestDropResponseAppliesTheRequest(t *testing.T) {
	s := newServer(t)
	s.InjectFault(fake.Fault{Method: http.MethodPost, DropResponse: true, Status: http.StatusBadGateway, Times: 1})
	resp, body := call(t, http.MethodPost, s.URL()+"/webhooks", tok, validCreate)
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", resp.StatusCode)
	}
	assertErrorBody(t, resp, body)
	if n := len(s.Hooks(tok)); n != 1 {
		t.Errorf("%d hooks stored, want the 1 whose answer was dropped", n)
	}
}
