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

// Package fake simulates the Cisco Webex webhooks API in memory, for unit tests, the envtest
// suite, the demo and benchmarks. It shares no code with the client on purpose: a bug in the
// client's wire types must not be mirrored here and so go unnoticed.
package fake

import (
	"encoding/base64"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// Hook is a webhook as the fake stores and serves it.
type Hook struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	TargetURL string `json:"targetUrl"`
	Resource  string `json:"resource"`
	Event     string `json:"event"`
	Filter    string `json:"filter,omitempty"`
	Secret    string `json:"secret,omitempty"`
	Status    string `json:"status"`
	Created   string `json:"created"`
	OwnedBy   string `json:"ownedBy"`
	OrgID     string `json:"orgId"`
	CreatedBy string `json:"createdBy"`
	AppID     string `json:"appId"`
}

// createdLayout writes "+00:00" and milliseconds, like the documented examples, so that clients
// are exercised on more than Go's own "Z" form.
const createdLayout = "2006-01-02T15:04:05.000-07:00"

// defaultPageSize is the documented maximum page of the list endpoint.
const defaultPageSize = 100

// record is a stored hook with what the wire does not show: who owns it and its creation order,
// which is also the paging cursor.
type record struct {
	hook  Hook
	owner string
	seq   uint64
}

// base is embedded under a lower-case name so that the field stays private, while its Handler,
// URL, Close and fault injection methods are the Server's own.
type base = simulator.Base

// Server is the simulated API. All its methods are safe for concurrent use.
type Server struct {
	base
	orgID string
	appID string

	mu        sync.Mutex
	users     map[string]string // token -> person id
	acceptAny bool
	hooks     map[string]*record
	seq       uint64
	pageSize  int
}

// New starts a simulator on a local httptest server. Call Close when done.
func New() *Server {
	s := NewUnstarted()
	simulator.Start(&s.base)
	return s
}

// NewUnstarted returns a simulator that listens nowhere: mount Handler on a listener of your own.
// Handler serves the API under /v1; URL returns the API root, such as "http://127.0.0.1:1234/v1".
func NewUnstarted() *Server {
	s := &Server{
		orgID:    webexID("ORGANIZATION"),
		appID:    webexID("APPLICATION"),
		users:    map[string]string{},
		hooks:    map[string]*record{},
		pageSize: defaultPageSize,
	}
	simulator.Mount(&s.base, s.routes(), "/v1")
	return s
}

// AddToken registers token as a user of its own, who sees only the hooks created with it.
func (s *Server) AddToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addTokenLocked(token)
}

func (s *Server) addTokenLocked(token string) string {
	if id, ok := s.users[token]; ok {
		return id
	}
	id := webexID("PEOPLE")
	s.users[token] = id
	return id
}

// SetAcceptAnyToken makes every non-empty bearer token valid, each its own user; for the demo.
func (s *Server) SetAcceptAnyToken(accept bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acceptAny = accept
}

// SetPageSize sets the largest page the list endpoint returns; values below 1 restore 100.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 1 {
		n = defaultPageSize
	}
	s.pageSize = n
}

// Hooks returns the hooks that token created, oldest first.
func (s *Server) Hooks(token string) []Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := s.visibleLocked(token, "", 0)
	hooks := make([]Hook, len(recs))
	for i, r := range recs {
		hooks[i] = r.hook
	}
	return hooks
}

// Hook returns the hook with the given id, whoever owns it.
func (s *Server) Hook(id string) (Hook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.hooks[id]
	if !ok {
		return Hook{}, false
	}
	return r.hook, true
}

// Disable marks the hook inactive, as Webex does after too many failed deliveries.
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
// cannot change.
func (s *Server) UpdateOutOfBand(id string, fn func(*Hook)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.hooks[id]
	if !ok {
		return
	}
	fn(&r.hook)
	r.hook.ID = id
}

// Seed stores h as if token had created it and returns it as stored. Missing fields get the
// values a create would give them; token becomes a known user.
func (s *Server) Seed(token string, h Hook) Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	person := s.addTokenLocked(token)
	s.fillLocked(&h, person)
	if h.ID == "" {
		h.ID = webexID("WEBHOOK")
	}
	if h.Status == "" {
		h.Status = statusActive
	}
	s.storeLocked(token, h)
	return h
}

// fillLocked sets what Webex derives rather than takes from the request.
func (s *Server) fillLocked(h *Hook, person string) {
	if h.Created == "" {
		h.Created = time.Now().UTC().Format(createdLayout)
	}
	if h.OwnedBy == "" {
		h.OwnedBy = ownedByCreator
	}
	if h.OrgID == "" {
		h.OrgID = s.orgID
	}
	if h.CreatedBy == "" {
		h.CreatedBy = person
	}
	if h.AppID == "" {
		h.AppID = s.appID
	}
}

func (s *Server) storeLocked(owner string, h Hook) {
	s.seq++
	s.hooks[h.ID] = &record{hook: h, owner: owner, seq: s.seq}
}

// visibleLocked returns copies of the owner's hooks created after the cursor, oldest first.
func (s *Server) visibleLocked(owner, ownedBy string, after uint64) []record {
	var recs []record
	for _, r := range s.hooks {
		if r.owner == owner && r.seq > after && (ownedBy == "" || r.hook.OwnedBy == ownedBy) {
			recs = append(recs, *r)
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	return recs
}

// webexID builds an id the way Webex does: base64 of a ciscospark URI.
func webexID(kind string) string {
	return base64.StdEncoding.EncodeToString([]byte("ciscospark://us/" + kind + "/" + uuid.NewString()))
}
