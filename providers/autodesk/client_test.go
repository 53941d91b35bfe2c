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
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

const (
	plainToken = "plain-token-for-stub-1"
	eventPath  = "/webhooks/v1/systems/data/events/dm.version.added/hooks"
)

// stub is a hand-written APS for what the fake deliberately does one way only.
type stub struct {
	mu   sync.Mutex
	reqs []*http.Request
	srv  *httptest.Server
}

func newStub(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) *stub {
	t.Helper()
	s := &stub{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stub) provider() *autodesk.Provider {
	return autodesk.New(autodesk.Options{BaseURL: s.srv.URL})
}

func (s *stub) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func plainRequest(mutate ...func(*providers.Request)) *providers.Request {
	return newRequest(append([]func(*providers.Request){func(r *providers.Request) {
		r.Credentials = map[string][]byte{"token": []byte(plainToken)}
	}}, mutate...)...)
}

func hookJSON(id, callback, event string) string {
	return fmt.Sprintf(`{"hookId":%q,"callbackUrl":%q,"system":"data","event":%q,"scope":{"folder":%q},`+
		`"status":"active","createdDate":"2017-09-14T06:57:50.597+0000","__self__":"/systems/data/events/%s/hooks/%s"}`,
		id, callback, event, folder, event, id)
}

func TestListPagingVariants(t *testing.T) {
	firstPages := []struct {
		name      string
		links     string
		wantState string
	}{
		{name: "relative to /webhooks/v1", links: `{"next":"/systems/data/events/dm.version.added/hooks?pageState=AMMA_1"}`, wantState: "AMMA_1"},
		{name: "another list's path", links: `{"next":"/hooks?pageState=AMMA_2"}`, wantState: "AMMA_2"},
		{name: "absolute URL", links: `{"next":"https://developer.api.autodesk.com/webhooks/v1/hooks?region=US&pageState=AMMA_3"}`, wantState: "AMMA_3"},
		{name: "bare state", links: `{"next":"AMMA/4+x=="}`, wantState: "AMMA/4+x=="},
		{name: "raw base64 with plus in query", links: `{"next":"/hooks?pageState=ab+c/d=="}`, wantState: "ab+c/d=="},
		{name: "escaped state", links: `{"next":"/hooks?pageState=ab%2Bc%2Fd%3D%3D"}`, wantState: "ab+c/d=="},
	}
	h2 := hookJSON("h2", target, "dm.version.added")
	lastPages := []struct {
		name    string
		body    string
		wantIDs []string
	}{
		{name: "no links", body: `{"data":[` + h2 + `]}`, wantIDs: []string{"h1", "h2"}},
		{name: "links null", body: `{"links":null,"data":[` + h2 + `]}`, wantIDs: []string{"h1", "h2"}},
		{name: "links {}", body: `{"links":{},"data":[` + h2 + `]}`, wantIDs: []string{"h1", "h2"}},
		{name: "next null", body: `{"links":{"next":null},"data":[` + h2 + `]}`, wantIDs: []string{"h1", "h2"}},
		{name: "next empty", body: `{"links":{"next":""},"data":[` + h2 + `]}`, wantIDs: []string{"h1", "h2"}},
		{name: "200 with an empty data array", body: `{"links":{},"data":[]}`, wantIDs: []string{"h1"}},
		{name: "200 without a body", body: ``, wantIDs: []string{"h1"}},
	}
	for _, first := range firstPages {
		for _, last := range lastPages {
			t.Run(first.name+"/"+last.name, func(t *testing.T) {
				s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("pageState") == "" {
						_, _ = fmt.Fprintf(w, `{"links":%s,"data":[%s]}`, first.links, hookJSON("h1", target, "dm.version.added"))
						return
					}
					_, _ = w.Write([]byte(last.body))
				})
				found, err := autodesk.FindHooks(context.Background(), s.provider(), plainRequest())
				if err != nil {
					t.Fatalf("Find: %v", err)
				}
				wantIDs := last.wantIDs
				var ids []string
				for _, f := range found {
					ids = append(ids, f.ID)
				}
				if !slices.Equal(ids, wantIDs) {
					t.Errorf("Find = %v, want %v", ids, wantIDs)
				}
				reqs := s.requests()
				if len(reqs) != 2 {
					t.Fatalf("%d requests, want 2 pages", len(reqs))
				}
				second := reqs[1]
				if second.URL.Path != eventPath || second.URL.Query().Get("pageState") != first.wantState ||
					second.URL.Query().Get("scopeName") != "folder" || second.URL.Query().Get("scopeValue") != folder {
					t.Errorf("second page asked for %s, want %s with pageState %q and the scope filter", second.URL, eventPath, first.wantState)
				}
				if second.Header.Get("x-ads-region") != "US" {
					t.Errorf("second page region %q", second.Header.Get("x-ads-region"))
				}
			})
		}
	}
}

func TestListStopsOnBrokenPaging(t *testing.T) {
	tests := []struct {
		name     string
		links    string
		wantReqs int
		repeated bool
	}{
		{name: "the same page again", links: `{"next":"/hooks?pageState=SAME"}`, wantReqs: 2, repeated: true},
		{name: "two pages point at each other", links: `{"next":"/hooks?pageState=NEXT"}`, wantReqs: 3, repeated: true},
		{name: "next without pageState", links: `{"next":"/hooks?region=US"}`, wantReqs: 1},
		{name: "next is a path without query", links: `{"next":"/systems/data/hooks"}`, wantReqs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
				links := tt.links
				if tt.name == "two pages point at each other" {
					// A then B then A again: the state alternates with the page asked for.
					next := map[string]string{"": "A", "A": "B", "B": "A"}[r.URL.Query().Get("pageState")]
					links = strings.Replace(links, "NEXT", next, 1)
				}
				_, _ = fmt.Fprintf(w, `{"links":%s,"data":[%s]}`, links, hookJSON("h1", target, "dm.version.added"))
			})
			_, err := autodesk.FindHooks(context.Background(), s.provider(), plainRequest())
			if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable || pe.Op != "list" {
				t.Errorf("Find = %v (kind %v), want Unavailable", err, pe.Kind)
			}
			if n := len(s.requests()); n != tt.wantReqs {
				t.Errorf("%d requests, want %d", n, tt.wantReqs)
			}
			if tt.repeated != errors.Is(err, httpx.ErrPageRepeated) {
				t.Errorf("Find = %v, wraps ErrPageRepeated: %v, want %v", err, !tt.repeated, tt.repeated)
			}
		})
	}
}

// locationHookID is the id of the hook the stub of TestCreateLocationVariants creates.
const locationHookID = "05f10350-991a-11e7-8cd7-91969336b9c2"

// locationCase is how APS answers a create (Location header, body, and the list Find reads), and
// the id or the kind of error Create should return.
type locationCase struct {
	name     string
	location string
	body     string
	list     string
	wantID   string
	wantErr  providers.Kind
}

// createLocationCases are the ways APS tells the id of the hook a POST made.
var createLocationCases = []locationCase{
	{name: "absolute on the APS host", location: "https://developer.api.autodesk.com" + eventPath + "/" + locationHookID, wantID: locationHookID},
	{name: "relative", location: eventPath + "/" + locationHookID, wantID: locationHookID},
	{name: "relative without leading slash", location: "systems/data/events/dm.version.added/hooks/" + locationHookID, wantID: locationHookID},
	{name: "trailing slash", location: eventPath + "/" + locationHookID + "/", wantID: locationHookID},
	{name: "with a query", location: eventPath + "/" + locationHookID + "?region=US", wantID: locationHookID},
	{name: "no Location, id in a body", body: `{"hookId":"` + locationHookID + `"}`, wantID: locationHookID},
	{name: "Location names the list: found again by Find", location: eventPath,
		list: `{"data":[` + hookJSON(locationHookID, target, "dm.version.added") + `]}`, wantID: locationHookID},
	{name: "no Location and nothing matches", list: ``, wantErr: providers.KindUnavailable},
}

func TestCreateLocationVariants(t *testing.T) {
	for _, tt := range createLocationCases {
		t.Run(tt.name, func(t *testing.T) {
			ls := &locationStub{tt: tt, hooks: map[string]bool{}}
			p := newStub(t, ls.serve).provider()
			req := plainRequest()
			created, err := p.Create(context.Background(), req)
			if tt.wantErr != 0 || err != nil {
				if pe := testutil.ProviderError(t, err); pe.Kind != tt.wantErr {
					t.Fatalf("Create = %v, want kind %v", err, tt.wantErr)
				}
				return
			}
			checkCreatedAtLocation(t, ls, p, req, created)
		})
	}
}

// locationStub is the APS of a locationCase: it holds the hooks its POST made, and serves only
// those, at their own address.
type locationStub struct {
	tt      locationCase
	mu      sync.Mutex
	hooks   map[string]bool
	reads   []string
	patches []string
}

// serve answers a create as s.tt says, the list with s.tt.list, and a hook it holds.
func (s *locationStub) serve(w http.ResponseWriter, r *http.Request) {
	const id = locationHookID
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost:
		s.hooks[id] = true
		if s.tt.location != "" {
			w.Header().Set("Location", s.tt.location)
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(s.tt.body))
	case r.Method == http.MethodGet && r.URL.Path == eventPath:
		if s.tt.list == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_, _ = w.Write([]byte(s.tt.list))
	case r.URL.Path != eventPath+"/"+id || !s.hooks[id]:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"id":"x","detail":["not found"]}`))
	case r.Method == http.MethodPatch:
		s.patches = append(s.patches, r.URL.Path)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet:
		s.reads = append(s.reads, r.URL.Path)
		_, _ = w.Write([]byte(hookJSON(id, target, "dm.version.added")))
	}
}

// snapshot returns whether the stub holds the hook, and the paths it was read and patched at.
func (s *locationStub) snapshot() (held bool, readPaths, patchPaths []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hooks[locationHookID], slices.Clone(s.reads), slices.Clone(s.patches)
}

// checkCreatedAtLocation checks the remote Create returned: the id wanted, the hook not read back,
// the token patched at the hook's address, and a later Get that reads the hook there.
func checkCreatedAtLocation(t *testing.T, s *locationStub, p *autodesk.Provider, req *providers.Request, created *providers.Remote) {
	t.Helper()
	const id = locationHookID
	tt := s.tt
	if created.ID != tt.wantID {
		t.Errorf("id %q, want %q", created.ID, tt.wantID)
	}
	held, readPaths, patchPaths := s.snapshot()
	if !held {
		t.Fatalf("the stub holds no hook %s", id)
	}
	if len(readPaths) != 0 {
		t.Errorf("Create read the hook back at %v, want no read", readPaths)
	}
	// The token follows in a PATCH, which must address the hook by the id read.
	if !slices.Equal(patchPaths, []string{eventPath + "/" + id}) {
		t.Errorf("PATCHes %v, want one of %s", patchPaths, eventPath+"/"+id)
	}
	if d := p.Diff(req, created); d.Action != providers.ActionNone {
		t.Errorf("Diff of Create's remote = %v %v, want None", d.Action, d.Fields)
	}
	// The id reaches the hook the stub made: a later Get reads it there, creation time included.
	got, err := p.Get(context.Background(), req, created.ID)
	if err != nil {
		t.Fatalf("Get(%s): %v", created.ID, err)
	}
	if got.ID != tt.wantID || got.Created == nil {
		t.Errorf("Get = %+v, want %s with a creation time", got, tt.wantID)
	}
	if _, readPaths, _ = s.snapshot(); !slices.Equal(readPaths, []string{eventPath + "/" + id}) {
		t.Errorf("Get read the hook at %v, want %s", readPaths, eventPath+"/"+id)
	}
}

// TestLocateAcrossRegions checks the search for a hook that left the spec's address: regions
// that refuse the app are skipped, transient failures are not taken for "not found".
func TestLocateAcrossRegions(t *testing.T) {
	const id = "moved-hook-1"
	tests := []struct {
		name       string
		regions    map[string]int // status per region of GET /webhooks/v1/hooks; 200 serves the hook
		wantKind   providers.Kind
		wantRegion string
		wantFields []string
	}{
		{name: "found in AUS after a forbidden EMEA", regions: map[string]int{"US": 204, "EMEA": 403, "AUS": 200},
			wantRegion: "AUS", wantFields: []string{"autodesk.event", "autodesk.region"}},
		{name: "a transient failure is returned", regions: map[string]int{"US": 204, "EMEA": 204, "AUS": 503},
			wantKind: providers.KindUnavailable},
		{name: "the spec's region must answer", regions: map[string]int{"US": 401},
			wantKind: providers.KindUnauthorized},
		{name: "nowhere", regions: map[string]int{}, wantKind: providers.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodDelete && r.Header.Get("x-ads-region") == tt.wantRegion &&
					strings.Contains(r.URL.Path, "/events/dm.version.deleted/hooks/") {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				if r.URL.Path != "/webhooks/v1/hooks" {
					w.WriteHeader(http.StatusNotFound)
					_, _ = w.Write([]byte(`{"id":"x","detail":["not found"]}`))
					return
				}
				switch code := tt.regions[r.Header.Get("x-ads-region")]; code {
				case 200:
					_, _ = fmt.Fprintf(w, `{"data":[%s,%s]}`, hookJSON("other", target, "dm.folder.added"),
						hookJSON(id, target, "dm.version.deleted"))
				case 0, 204:
					w.WriteHeader(http.StatusNoContent)
				default:
					w.WriteHeader(code)
				}
			})
			p := s.provider()
			req := plainRequest()
			got, err := p.Get(context.Background(), req, id)
			if tt.wantKind != 0 || err != nil {
				if pe := testutil.ProviderError(t, err); pe.Kind != tt.wantKind {
					t.Fatalf("Get = %v (kind %v), want %v", err, pe.Kind, tt.wantKind)
				}
				return
			}
			h := hookOf(t, got)
			if got.ID != id || h.Region != tt.wantRegion || h.Event != "dm.version.deleted" {
				t.Fatalf("Get = %+v in %s, want %s in %s", h, h.Region, id, tt.wantRegion)
			}
			if d := p.Diff(req, got); d.Action != providers.ActionReplace || !slices.Equal(d.Fields, tt.wantFields) {
				t.Errorf("Diff = %v %v, want Replace %v", d.Action, d.Fields, tt.wantFields)
			}
			if err := p.Delete(context.Background(), req, id); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			var deletes []string
			for _, r := range s.requests() {
				if r.Method == http.MethodDelete {
					deletes = append(deletes, r.Header.Get("x-ads-region")+" "+r.URL.Path)
				}
			}
			want := []string{"US " + eventPath + "/" + id, tt.wantRegion + " /webhooks/v1/systems/data/events/dm.version.deleted/hooks/" + id}
			if !slices.Equal(deletes, want) {
				t.Errorf("DELETEs %v, want %v: first where the spec says, then where the hook is", deletes, want)
			}
		})
	}
}
