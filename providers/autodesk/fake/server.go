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

// Package fake simulates Autodesk Platform Services in memory: the two-legged OAuth token
// endpoint and the Webhooks API v1, for unit tests, the envtest suite, the demo and benchmarks.
// It shares no code with the client on purpose: a bug in the client's wire types must not be
// mirrored here and so go unnoticed.
//
// Every hook belongs to an app (the OAuth client id, or a plain token added with AddToken) and a
// region; an app sees only its own hooks in the region it names.
package fake

import (
	"encoding/json"
	"maps"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// Hook is a hook as the fake stores it: the HookDetails wire fields, plus the region that holds
// it and its secret token, which APS never returns and which are here for assertions.
type Hook struct {
	HookID                       string            `json:"hookId"`
	Tenant                       string            `json:"tenant,omitempty"`
	CallbackURL                  string            `json:"callbackUrl"`
	CreatedBy                    string            `json:"createdBy"`
	Event                        string            `json:"event"`
	CreatedDate                  string            `json:"createdDate"`
	LastUpdatedDate              string            `json:"lastUpdatedDate"`
	System                       string            `json:"system"`
	CreatorType                  string            `json:"creatorType"`
	Status                       string            `json:"status"`
	AutoReactivateHook           bool              `json:"autoReactivateHook"`
	HookExpiry                   string            `json:"hookExpiry,omitempty"`
	Scope                        map[string]string `json:"scope"`
	HookAttribute                json.RawMessage   `json:"hookAttribute,omitempty"`
	Filter                       string            `json:"filter,omitempty"`
	HubID                        string            `json:"hubId,omitempty"`
	ProjectID                    string            `json:"projectId,omitempty"`
	CallbackWithEventPayloadOnly string            `json:"callbackWithEventPayloadOnly,omitempty"`
	URN                          string            `json:"urn"`
	Self                         string            `json:"__self__"`

	// Region is where the hook is stored: US, EMEA, AUS, CAN, DEU, IND, JPN or GBR.
	Region string `json:"-"`
	// Token is the hook's own secret token, set by PATCH; never served.
	Token string `json:"-"`
}

// dateLayout is APS's own form, "2017-09-14T06:57:50.597+0000", which is not RFC 3339: clients
// must be exercised on it.
const dateLayout = "2006-01-02T15:04:05.000-0700"

const (
	// defaultPageSize is the documented largest page of every list.
	defaultPageSize = 200
	// defaultTokenLifetime is what APS typically answers in expires_in (the value is illustrative).
	defaultTokenLifetime = 3599 * time.Second
	// locationHost is where APS's Location headers point, whatever host served the request: a
	// client must only read the id from it, never follow it.
	locationHost = "https://developer.api.autodesk.com"
)

// record is a stored hook with what the wire does not show: its app and its creation order.
type record struct {
	hook Hook
	app  string
	seq  uint64
}

// grant is an issued access token.
type grant struct {
	app     string
	scopes  map[string]bool
	expires time.Time // zero: never
}

// base is embedded under a lower-case name so that the field stays private, while its Handler,
// URL, Close and fault injection methods are the Server's own.
type base = simulator.Base

// Server is the simulated API. All its methods are safe for concurrent use.
type Server struct {
	base

	mu               sync.Mutex
	clients          map[string]string // client id -> client secret
	tokens           map[string]*grant // access token -> grant
	appTokens        map[string]string // app -> app-wide secret token (POST /tokens)
	tokenRequests    map[string]int    // client id -> requests to the token endpoint
	acceptAny        bool
	hooks            map[string]*record
	seq              uint64
	pageSize         int
	tokenLifetime    time.Duration
	relativeLocation bool
	patchStatus      int
}

// New starts a simulator on a local httptest server. Call Close when done.
func New() *Server {
	s := NewUnstarted()
	simulator.Start(&s.base)
	return s
}

// NewUnstarted returns a simulator that listens nowhere: mount Handler on a listener of your own.
// Handler serves /authentication/v2/token and /webhooks/v1 at its root; URL returns the base URL,
// such as "http://127.0.0.1:1234".
func NewUnstarted() *Server {
	s := &Server{
		clients:       map[string]string{},
		tokens:        map[string]*grant{},
		appTokens:     map[string]string{},
		tokenRequests: map[string]int{},
		hooks:         map[string]*record{},
		pageSize:      defaultPageSize,
		tokenLifetime: defaultTokenLifetime,
		patchStatus:   http.StatusNoContent,
	}
	simulator.Mount(&s.base, s.routes(), "")
	return s
}

// AddClient registers an OAuth client that may fetch two-legged tokens.
func (s *Server) AddClient(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[clientID] = clientSecret
}

// AddToken registers a bearer token that never expires and acts as an app of its own, with
// data:read and data:write.
func (s *Server) AddToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addTokenLocked(token)
}

func (s *Server) addTokenLocked(token string) {
	if _, ok := s.tokens[token]; !ok {
		s.tokens[token] = &grant{app: token, scopes: map[string]bool{scopeRead: true, scopeWrite: true}}
	}
}

// SetAcceptAnyClient makes the token endpoint accept any client id and secret (each client id
// an app of its own) and the API accept any unknown bearer token as AddToken would; for the demo.
func (s *Server) SetAcceptAnyClient(accept bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acceptAny = accept
}

// SetPageSize sets the largest page of every list; values below 1 restore 200.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 1 {
		n = defaultPageSize
	}
	s.pageSize = n
}

// SetTokenLifetime sets the expires_in of the tokens issued from now on, and when they stop
// working; values below one second restore 3599 s.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d < time.Second {
		d = defaultTokenLifetime
	}
	s.tokenLifetime = d
}

// SetRelativeLocation makes create answer with a Location relative to the server
// ("/webhooks/v1/systems/..."), instead of the absolute https://developer.api.autodesk.com URL.
func (s *Server) SetRelativeLocation(relative bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.relativeLocation = relative
}

// SetPatchStatus chooses how a successful PATCH answers: 204 with no body (the default, as in
// every documented example) or 200 with the hook (as the OpenAPI file says).
func (s *Server) SetPatchStatus(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code != http.StatusOK {
		code = http.StatusNoContent
	}
	s.patchStatus = code
}

// TokenRequests counts the requests to the token endpoint made with clientID (Basic user or
// form client_id), failed and faulted ones included, since the last ResetCounts.
func (s *Server) TokenRequests(clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests[clientID]
}

// AppToken returns the app-wide secret token that POST /webhooks/v1/tokens set for app, or "".
func (s *Server) AppToken(app string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appTokens[app]
}

// Hooks returns the hooks of app (a client id, or a token added with AddToken) in every region,
// oldest first.
func (s *Server) Hooks(app string) []Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []*record
	for _, r := range s.hooks {
		if r.app == app {
			recs = append(recs, r)
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	hooks := make([]Hook, len(recs))
	for i, r := range recs {
		hooks[i] = copyHook(r.hook)
	}
	return hooks
}

// Hook returns the hook with the given id, whatever its app and region.
func (s *Server) Hook(id string) (Hook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.hooks[id]
	if !ok {
		return Hook{}, false
	}
	return copyHook(r.hook), true
}

// Disable marks the hook inactive, as APS does when the last retry of a delivery fails.
func (s *Server) Disable(id string) {
	s.UpdateOutOfBand(id, func(h *Hook) { h.Status = statusInactive })
}

// DeleteOutOfBand removes the hook as if someone deleted it outside the operator.
func (s *Server) DeleteOutOfBand(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hooks, id)
}

// UpdateOutOfBand lets fn change the hook as if someone edited it outside the operator. The id
// cannot change; urn and __self__ follow the system and event.
func (s *Server) UpdateOutOfBand(id string, fn func(*Hook)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.hooks[id]
	if !ok {
		return
	}
	h := copyHook(r.hook)
	fn(&h)
	h.HookID = id
	fillDerived(&h)
	r.hook = h
}

// Seed stores h as if app had created it and returns it as stored. Missing fields get the values
// a create would give them (region US, status active, dates now).
func (s *Server) Seed(app string, h Hook) Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	h = copyHook(h)
	if h.HookID == "" {
		h.HookID = uuid.NewString()
	}
	if h.Region == "" {
		h.Region = defaultRegion
	}
	if h.Status == "" {
		h.Status = statusActive
	}
	if h.CreatedBy == "" {
		h.CreatedBy = s.createdByLocked(app)
	}
	if h.CreatorType == "" {
		h.CreatorType = creatorApplication
	}
	now := time.Now().UTC().Format(dateLayout)
	if h.CreatedDate == "" {
		h.CreatedDate = now
	}
	if h.LastUpdatedDate == "" {
		h.LastUpdatedDate = h.CreatedDate
	}
	fillDerived(&h)
	s.storeLocked(app, h)
	return copyHook(h)
}

func (s *Server) storeLocked(app string, h Hook) {
	s.seq++
	s.hooks[h.HookID] = &record{hook: h, app: app, seq: s.seq}
}

// createdByLocked shows a client id as APS does; a plain token is never echoed, only a stand-in.
func (s *Server) createdByLocked(app string) string {
	if _, ok := s.clients[app]; ok {
		return app
	}
	if g, ok := s.tokens[app]; ok && g.app == app {
		return "token-app"
	}
	return app
}

// fillDerived sets the fields APS derives from the others.
func fillDerived(h *Hook) {
	h.URN = "urn:adsk.webhooks:events.hook:" + h.HookID
	h.Self = "/systems/" + h.System + "/events/" + h.Event + "/hooks/" + h.HookID
}

func copyHook(h Hook) Hook {
	h.Scope = maps.Clone(h.Scope)
	if h.HookAttribute != nil {
		h.HookAttribute = append(json.RawMessage(nil), h.HookAttribute...)
	}
	return h
}
