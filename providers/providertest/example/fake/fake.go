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

// Package fake is the example provider's simulator: an in-memory Example Hooks API with Bearer
// tokens, each seeing only its own hooks, and the fault injection every simulator has.
package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	"github.com/hookkeeper/hookkeeper/providers/providertest/example"
)

// Fault is a fault to inject; see simulator.Fault.
type Fault = simulator.Fault

type base = simulator.Base

// Server is the simulator.
type Server struct {
	base

	mu     sync.Mutex
	tokens map[string]bool
	any    bool
	hooks  map[string]*owned
	next   int
}

type owned struct {
	token string
	hook  example.Hook
}

// New starts a simulator on a local httptest server. Call Close when done.
func New() *Server {
	s := NewUnstarted()
	simulator.Start(&s.base)
	return s
}

// NewUnstarted returns a simulator that listens nowhere; Handler serves the API at the root.
func NewUnstarted() *Server {
	s := &Server{tokens: map[string]bool{}, hooks: map[string]*owned{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hooks", s.list)
	mux.HandleFunc("POST /hooks", s.create)
	mux.HandleFunc("GET /hooks/{id}", s.get)
	mux.HandleFunc("PUT /hooks/{id}", s.update)
	mux.HandleFunc("DELETE /hooks/{id}", s.delete)
	simulator.Mount(&s.base, s.Faults.Wrap(s.auth(mux), simulator.BearerToken, writeError), "")
	return s
}

// AddToken registers a token.
func (s *Server) AddToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = true
}

// SetAcceptAnyToken makes the simulator take any non-empty token.
func (s *Server) SetAcceptAnyToken(accept bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.any = accept
}

// Hooks returns the token's hooks, by id.
func (s *Server) Hooks(token string) []example.Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []example.Hook
	for _, o := range s.hooks {
		if o.token == token {
			out = append(out, o.hook)
		}
	}
	slices.SortFunc(out, func(a, b example.Hook) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Change changes a hook out of band.
func (s *Server) Change(id string, change func(*example.Hook)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.hooks[id]; ok {
		change(&o.hook)
	}
}

// Remove deletes a hook out of band.
func (s *Server) Remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hooks, id)
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := simulator.BearerToken(r)
		s.mu.Lock()
		ok := token != "" && (s.any || s.tokens[token])
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusUnauthorized, "invalid token", "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Hooks(simulator.BearerToken(r)))
}

// own returns the hook the request's path names, if the request's token owns it; otherwise it
// answers 404, as the API does for another token's hook. Call it with s.mu held.
func (s *Server) own(w http.ResponseWriter, r *http.Request) (*owned, bool) {
	o, ok := s.hooks[r.PathValue("id")]
	if !ok || o.token != simulator.BearerToken(r) {
		writeError(w, http.StatusNotFound, "no such hook", "")
		return nil, false
	}
	return o, true
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.own(w, r); ok {
		writeJSON(w, http.StatusOK, o.hook)
	}
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	in, ok := decode(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	in.ID = fmt.Sprintf("hook-%d", s.next)
	in.Created = time.Now().UTC().Truncate(time.Second)
	s.hooks[in.ID] = &owned{token: simulator.BearerToken(r), hook: in}
	s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationCreate, Remote: in.ID, Name: in.Name, TargetURL: in.URL})
	writeJSON(w, http.StatusCreated, in)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	in, ok := decode(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.own(w, r)
	if !ok {
		return
	}
	kind := simulator.MutationUpdate
	if in.Active && !o.hook.Active {
		kind = simulator.MutationReactivate
	}
	o.hook.Name, o.hook.URL, o.hook.Active = in.Name, in.URL, in.Active
	s.Log.Add(r, simulator.Mutation{Kind: kind, Remote: o.hook.ID, Name: o.hook.Name, TargetURL: o.hook.URL})
	writeJSON(w, http.StatusOK, o.hook)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.own(w, r)
	if !ok {
		return
	}
	delete(s.hooks, o.hook.ID)
	s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationDelete, Remote: o.hook.ID, Name: o.hook.Name, TargetURL: o.hook.URL})
	w.WriteHeader(http.StatusNoContent)
}

// decode reads the hook of a create or update; one without a URL is a 400.
func decode(w http.ResponseWriter, r *http.Request) (example.Hook, bool) {
	var in example.Hook
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.URL == "" {
		writeError(w, http.StatusBadRequest, "a hook needs a url", "")
		return in, false
	}
	return in, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, status, map[string]string{"error": message})
}

// Simulator describes the simulator to the local environment, as every provider's fake does.
var Simulator = simulator.Descriptor{
	Provider: example.Name,
	New: func(acceptAny bool) simulator.Local {
		s := NewUnstarted()
		s.SetAcceptAnyToken(acceptAny)
		return local{s}
	},
}

type local struct{ *Server }

func (l local) NewAccount(seed, _ string) simulator.Account {
	token := "token-" + seed
	l.AddToken(token)
	return simulator.Account{
		Credentials: map[string]string{example.CredentialToken: token},
		Spec:        func(*hooksv1alpha1.WebhookSpec, int) {},
	}
}

func (l local) Try(url string, hooks []hooksv1alpha1.Webhook, secret simulator.SecretLookup) []string {
	var cmds []string
	for _, h := range hooks {
		if token := secret(h.Namespace, h.Spec.CredentialsRef.Name, example.CredentialToken); token != "" {
			cmds = append(cmds, fmt.Sprintf("curl -s -H %s %s/hooks", simulator.ShellQuote("Authorization: Bearer "+token), url))
		}
	}
	return cmds
}
