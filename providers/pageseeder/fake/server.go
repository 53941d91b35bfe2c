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

// Package fake simulates the webhook services of a PageSeeder server in memory, for unit tests,
// the envtest suite, the demo and benchmarks: the OAuth token endpoint, the client webhook
// services under both /ps/service and /ps/api, the ping that moves a hook from pending to active,
// and PageSeeder's error documents in JSON and XML. It shares no code with the client on purpose,
// so that a mistake in the client's wire types cannot be mirrored here and go unnoticed.
//
// Where the PageSeeder documentation is silent (create and edit parameters and responses, the
// delete response, error ids other than 0103, 0201 and 170A-C, the status of a failed ping, the
// 401 and 403 bodies) the simulator makes a reasonable guess, documented where it is made.
package fake

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// Hook is a webhook as the simulator stores it. Events, Projects and Groups are comma-separated,
// as PageSeeder stores them; an empty list means all.
type Hook struct {
	ID          int64
	Client      int64
	Name        string
	URL         string
	Events      string
	Projects    string
	Groups      string
	Server      bool
	Format      string
	Object      string
	InsecureSSL bool
	Status      string
	Created     string
	Modified    string
}

// The statuses the simulator gives hooks. A ping moves a hook from pending to active; any other
// status, such as "disabled", can be set with SetStatus.
const (
	StatusPending = "pending"
	StatusActive  = "active"
)

// DefaultTokenLifetime is the access-token-max-age of the documented sample client.
const DefaultTokenLifetime = 21600 * time.Second

// timeLayout writes ISO 8601 with an offset, as PageSeeder does ("2019-05-07T12:04:59+10:00").
const timeLayout = "2006-01-02T15:04:05-07:00"

// serverZone is the zone of the simulated server: a non-UTC offset, so that clients are tested
// on the offsets PageSeeder really writes.
var serverZone = time.FixedZone("AEST", 10*60*60)

// EditResponse is how the simulator answers a create or an edit in JSON. The real answer is not
// documented, so the client must cope with each of these.
type EditResponse int

// The edit response shapes.
const (
	// EditObject returns the webhook object at the top level, as GET does (the default).
	EditObject EditResponse = iota
	// EditWrapped returns {"webhook":{...}}.
	EditWrapped
	// EditIDOnly returns {"id":123} and nothing else.
	EditIDOnly
	// EditEmpty returns 200 with an empty body.
	EditEmpty
)

// oauthClient is a registered OAuth client. Its internal id is what {client} paths use.
type oauthClient struct {
	internalID int64
	identifier string
	secret     string
	admin      bool
	name       string
	created    string
}

// grant is an issued access token.
type grant struct {
	// key is what the token counts and faults under: the client identifier, or for a plain
	// token added with AddToken the token itself.
	key     string
	admin   bool
	expires time.Time // zero: never
}

// base is embedded under a lower-case name so that the field stays private, while its Handler,
// URL, Close and fault injection methods are the Server's own.
type base = simulator.Base

// Server is the simulated PageSeeder server. All its methods are safe for concurrent use.
type Server struct {
	base

	mu            sync.Mutex
	byIdentifier  map[string]*oauthClient
	byInternalID  map[int64]*oauthClient
	grants        map[string]*grant
	hooks         map[int64]*Hook
	tokenRequests map[string]int
	nextHookID    int64
	nextClientID  int64
	acceptAny     bool
	tokenLifetime time.Duration
	editResponse  EditResponse
	pingTransport http.RoundTripper
	pingResult    func(url string) error
	wireID        func(id int64) string
	now           func() time.Time
}

// New starts a simulator on a local httptest server. Call Close when done.
func New() *Server {
	s := NewUnstarted()
	simulator.Start(&s.base)
	return s
}

// NewUnstarted returns a simulator that listens nowhere: mount Handler on a listener of your own.
// Handler serves the whole server: /ps/oauth/token, /ps/service/... and /ps/api/...; URL returns
// the server URL, such as "http://127.0.0.1:1234": the operator's serverUrl.
func NewUnstarted() *Server {
	s := &Server{
		byIdentifier:  map[string]*oauthClient{},
		byInternalID:  map[int64]*oauthClient{},
		grants:        map[string]*grant{},
		hooks:         map[int64]*Hook{},
		tokenRequests: map[string]int{},
		nextHookID:    789,
		nextClientID:  1000,
		tokenLifetime: DefaultTokenLifetime,
		now:           time.Now,
	}
	simulator.Mount(&s.base, s.routes(), "")
	return s
}

// AddClient registers an OAuth client of an administrator, which may use every webhook service.
// Its numeric internalID is what {client} paths use, and the webhooks created under that path
// belong to it.
func (s *Server) AddClient(identifier, secret string, internalID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addClientLocked(identifier, secret, internalID, true)
}

// AddNonAdminClient registers an OAuth client of a member who is not an administrator: it gets
// tokens, but every webhook service answers 403.
func (s *Server) AddNonAdminClient(identifier, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addClientLocked(identifier, secret, 0, false)
}

func (s *Server) addClientLocked(identifier, secret string, internalID int64, admin bool) *oauthClient {
	if internalID == 0 {
		internalID = s.allocClientIDLocked()
	}
	c := &oauthClient{internalID: internalID, identifier: identifier, secret: secret, admin: admin,
		name: "Client " + identifier, created: s.stampLocked()}
	if old, ok := s.byIdentifier[identifier]; ok {
		delete(s.byInternalID, old.internalID)
	}
	s.byIdentifier[identifier] = c
	s.byInternalID[internalID] = c
	return c
}

func (s *Server) allocClientIDLocked() int64 {
	for {
		s.nextClientID++
		if _, taken := s.byInternalID[s.nextClientID]; !taken {
			return s.nextClientID
		}
	}
}

// clientLocked returns the client with the internal id, registering a bare one when unknown
// and create is true.
func (s *Server) clientLocked(internalID int64, create bool) (*oauthClient, bool) {
	if c, ok := s.byInternalID[internalID]; ok {
		return c, true
	}
	if !create {
		return nil, false
	}
	identifier := randomHex(8)
	c := &oauthClient{internalID: internalID, identifier: identifier, secret: randomHex(16), admin: true,
		name: "Client " + identifier, created: s.stampLocked()}
	s.byInternalID[internalID] = c
	s.byIdentifier[identifier] = c
	return c, true
}

// AddToken registers a plain administrator bearer token that never expires. Requests made with
// it count, and faults match, under the token itself.
func (s *Server) AddToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.grants[token] = &grant{key: token, admin: true}
}

// SetAcceptAnyClient makes the simulator accept everything, for the demo: unknown client
// credentials get a token (as a new administrator client), unknown bearer tokens are
// administrators, and an unknown numeric {client} exists.
func (s *Server) SetAcceptAnyClient(accept bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acceptAny = accept
}

// SetTokenLifetime sets the expires_in of the tokens issued from now on; d below one second
// restores DefaultTokenLifetime.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d < time.Second {
		d = DefaultTokenLifetime
	}
	s.tokenLifetime = d
}

// SetEditResponse sets how create and edit answer in JSON.
func (s *Server) SetEditResponse(r EditResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.editResponse = r
}

// SetPingTransport sets the transport that pings use to reach a hook's url; nil restores
// http.DefaultTransport.
func (s *Server) SetPingTransport(rt http.RoundTripper) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pingTransport = rt
}

// SetPingResult replaces the outgoing ping: fn receives the hook's url and returns nil for a
// receiver that answered 2xx and echoed X-PS-Secret, ErrPingStatus or ErrPingSecret for the
// documented failures, or any other error for a connection failure. The envtest suite and the
// demo use func(string) error { return nil } so that pings succeed without a receiver. nil
// restores real pings.
func (s *Server) SetPingResult(fn func(url string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pingResult = fn
}

// SetWireID makes every answer that describes a hook write its id as the JSON string fn returns
// for the stored id, as a server that is not PageSeeder might (PageSeeder writes a number), so
// that a client can be tested against hostile ids; fn returning "", or a nil fn, keeps the
// number. Paths and the stored hooks keep the numeric id.
func (s *Server) SetWireID(fn func(id int64) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wireID = fn
}

// TokenRequests counts the token requests made with the client identifier, failed ones included.
// ResetCounts leaves it counting.
func (s *Server) TokenRequests(identifier string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests[identifier]
}

// Hooks returns the hooks of the client with the internal id, by id.
func (s *Server) Hooks(client int64) []Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hooksLocked(client)
}

func (s *Server) hooksLocked(client int64) []Hook {
	var hooks []Hook
	for _, h := range s.hooks {
		if h.Client == client {
			hooks = append(hooks, *h)
		}
	}
	sort.Slice(hooks, func(i, j int) bool { return hooks[i].ID < hooks[j].ID })
	return hooks
}

// Hook returns the hook with the given id, whichever client it belongs to.
func (s *Server) Hook(id int64) (Hook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hooks[id]
	if !ok {
		return Hook{}, false
	}
	return *h, true
}

// SetStatus sets the hook's status as PageSeeder does after deliveries, or an administrator by
// hand. The modified time does not change: it excludes status updates.
func (s *Server) SetStatus(id int64, status string) {
	s.UpdateOutOfBand(id, func(h *Hook) { h.Status = status })
}

// DeleteOutOfBand removes the hook as if someone deleted it outside the operator.
func (s *Server) DeleteOutOfBand(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hooks, id)
}

// UpdateOutOfBand lets fn change the hook as if someone edited it outside the operator. The id
// and the client cannot change.
func (s *Server) UpdateOutOfBand(id int64, fn func(*Hook)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hooks[id]
	if !ok {
		return
	}
	client := h.Client
	fn(h)
	h.ID, h.Client = id, client
}

// Seed stores h as a hook of the client with the internal id, which becomes known if it was not,
// and returns it as stored. Missing fields get the values a create would give them.
func (s *Server) Seed(client int64, h Hook) Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientLocked(client, true)
	h.Client = client
	if h.ID == 0 {
		h.ID = s.allocHookIDLocked()
	} else if h.ID >= s.nextHookID {
		s.nextHookID = h.ID + 1
	}
	if h.Status == "" {
		h.Status = StatusPending
	}
	if h.Format == "" {
		h.Format = formatJSON
	}
	if h.Object == "" {
		h.Object = objectMinimal
	}
	if h.Created == "" {
		h.Created = s.stampLocked()
	}
	if h.Modified == "" {
		h.Modified = h.Created
	}
	stored := h
	s.hooks[h.ID] = &stored
	return h
}

func (s *Server) allocHookIDLocked() int64 {
	id := s.nextHookID
	s.nextHookID++
	return id
}

func (s *Server) stampLocked() string {
	return s.now().In(serverZone).Format(timeLayout)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
