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

// Package fake simulates the 8x8 webhook configuration API (Chat Apps) in memory, for unit tests,
// the envtest suite, the demo and benchmarks. It shares no code with the client on purpose: a bug
// in the client's wire types must not be mirrored here and so go unnoticed.
//
// Where 8x8 documents nothing, the fake makes one choice and says so: an API key used for an
// account it was not added for gets 403 with code 1201; a DELETE of a key that does not exist gets
// 400 with code 1300; account ids compare as GUIDs (case and dashes ignored); a POST or DELETE is
// applied in full or not at all.
package fake

import (
	"sort"
	"strings"
	"sync"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// Hook is a webhook as the fake stores it, with its secrets in clear so that tests can check what
// was sent. GET shows them as "***".
type Hook struct {
	SubAccountID      string `json:"subAccountId"`
	Type              string `json:"type,omitempty"`
	URL               string `json:"url"`
	Enabled           bool   `json:"enabled"`
	HTTPAuthorization string `json:"httpAuthorization,omitempty"`
	OAuth             *OAuth `json:"oauth,omitempty"`
}

// OAuth is the client-credentials configuration of a Hook.
type OAuth struct {
	URL                 string `json:"url"`
	ClientID            string `json:"clientId"`
	ClientSecret        string `json:"clientSecret"`
	CredentialsLocation string `json:"credentialsLocation"`
	Scope               string `json:"scope,omitempty"`
}

// clone copies h deeply, so that no caller shares the stored OAuth block.
func (h Hook) clone() Hook {
	if h.OAuth != nil {
		o := *h.OAuth
		h.OAuth = &o
	}
	return h
}

// masked is h as GET shows it.
func (h Hook) masked() Hook {
	h = h.clone()
	if h.HTTPAuthorization != "" {
		h.HTTPAuthorization = masked
	}
	if h.OAuth != nil && h.OAuth.ClientSecret != "" {
		h.OAuth.ClientSecret = masked
	}
	return h
}

const masked = "***"

type hookKey struct {
	sub string
	typ string
}

// record is a stored hook with its creation order, which fixes the order of the list.
type record struct {
	hook Hook
	seq  uint64
}

type account struct {
	hooks map[hookKey]*record
	// subs, when not nil, are the only sub-accounts the account owns ("*" is always allowed).
	subs map[string]bool
}

// base is embedded under a lower-case name so that the field stays private, while its Handler,
// URL, Close and fault injection methods are the Server's own.
type base = simulator.Base

// Server is the simulated API. All its methods are safe for concurrent use.
type Server struct {
	base

	mu        sync.Mutex
	keys      map[string]map[string]bool // API key -> canonical account ids
	acceptAny bool
	accounts  map[string]*account // canonical account id -> account
	seq       uint64
}

// New starts a simulator on a local httptest server. Call Close when done.
func New() *Server {
	s := NewUnstarted()
	simulator.Start(&s.base)
	return s
}

// NewUnstarted returns a simulator that listens nowhere: mount Handler on a listener of your own.
// Handler serves the API under /api/v1, on whatever host it is reached by: the regional hosts all
// serve the same routes. URL returns the server's root, such as "http://127.0.0.1:1234", to which
// clients append /api/v1/....
func NewUnstarted() *Server {
	s := &Server{keys: map[string]map[string]bool{}, accounts: map[string]*account{}}
	simulator.Mount(&s.base, s.routes(), "")
	return s
}

// canonical is the form in which account ids are compared: a GUID is the same with or without
// dashes and in either case.
func canonical(accountID string) string {
	return strings.ToLower(strings.ReplaceAll(accountID, "-", ""))
}

// AddKey makes apiKey valid for accountID; call it once per account the key may manage.
func (s *Server) AddKey(apiKey, accountID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys[apiKey] == nil {
		s.keys[apiKey] = map[string]bool{}
	}
	s.keys[apiKey][canonical(accountID)] = true
}

// SetAcceptAnyKey makes every non-empty API key valid for every account; for the demo.
func (s *Server) SetAcceptAnyKey(accept bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acceptAny = accept
}

// RestrictSubAccounts limits the sub-accounts the account owns to subs (and "*"); a POST or
// DELETE naming another one gets 400 with code 1001. Without it, every sub-account is owned.
func (s *Server) RestrictSubAccounts(accountID string, subs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accountLocked(canonical(accountID))
	a.subs = map[string]bool{}
	for _, sub := range subs {
		a.subs[sub] = true
	}
}

// Hooks returns the account's hooks, with their secrets, oldest first.
func (s *Server) Hooks(accountID string) []Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hooksLocked(canonical(accountID), Hook.clone)
}

// Hook returns the hook at (subAccountID, typ), with its secrets.
func (s *Server) Hook(accountID, subAccountID, typ string) (Hook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[canonical(accountID)]
	if !ok {
		return Hook{}, false
	}
	r, ok := a.hooks[hookKey{subAccountID, typ}]
	if !ok {
		return Hook{}, false
	}
	return r.hook.clone(), true
}

// Disable sets enabled to false, as someone might in the 8x8 portal.
func (s *Server) Disable(accountID, subAccountID, typ string) {
	s.UpdateOutOfBand(accountID, subAccountID, typ, func(h *Hook) { h.Enabled = false })
}

// DeleteOutOfBand removes the hook as if someone deleted it outside the operator.
func (s *Server) DeleteOutOfBand(accountID, subAccountID, typ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[canonical(accountID)]; ok {
		delete(a.hooks, hookKey{subAccountID, typ})
	}
}

// UpdateOutOfBand lets fn change the hook as if someone edited it outside the operator. The key
// (sub-account and type) cannot change.
func (s *Server) UpdateOutOfBand(accountID, subAccountID, typ string, fn func(*Hook)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[canonical(accountID)]
	if !ok {
		return
	}
	r, ok := a.hooks[hookKey{subAccountID, typ}]
	if !ok {
		return
	}
	h := r.hook.clone()
	fn(&h)
	h.SubAccountID, h.Type = subAccountID, typ
	r.hook = h
}

// Seed stores h in the account as given, replacing any hook at its key. An empty Type stores a
// legacy hook without one, which no typed request reaches.
func (s *Server) Seed(accountID string, h Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.storeLocked(s.accountLocked(canonical(accountID)), h.clone())
}

func (s *Server) accountLocked(id string) *account {
	a, ok := s.accounts[id]
	if !ok {
		a = &account{hooks: map[hookKey]*record{}}
		s.accounts[id] = a
	}
	return a
}

// storeLocked upserts h; a replaced hook keeps its place in the list.
func (s *Server) storeLocked(a *account, h Hook) {
	k := hookKey{h.SubAccountID, h.Type}
	if r, ok := a.hooks[k]; ok {
		r.hook = h
		return
	}
	s.seq++
	a.hooks[k] = &record{hook: h, seq: s.seq}
}

// hooksLocked returns view of every hook of the account, oldest first; never nil.
func (s *Server) hooksLocked(id string, view func(Hook) Hook) []Hook {
	hooks := []Hook{}
	a, ok := s.accounts[id]
	if !ok {
		return hooks
	}
	recs := make([]*record, 0, len(a.hooks))
	for _, r := range a.hooks {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	for _, r := range recs {
		hooks = append(hooks, view(r.hook))
	}
	return hooks
}
