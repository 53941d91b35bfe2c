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

package fake

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

const (
	statusActive   = "active"
	statusInactive = "inactive"
	ownedByCreator = "creator"
	ownedByOrg     = "org"

	// maxRequestBytes bounds what the fake reads of a request body.
	maxRequestBytes = 1 << 20

	msgNoToken  = "The request requires a valid access token set in the Authorization request header."
	msgNotFound = "The requested resource could not be found."
)

var (
	validResources = setOf("all", "attachmentActions", "dataSources", "memberships", "messages", "rooms",
		"meetings", "recordings", "convergedRecordings", "meetingParticipants", "meetingTranscripts",
		"telephony_calls", "telephony_conference", "telephony_mwi", "uc_counters", "serviceApp", "adminBatchJobs")
	validEvents = setOf("all", "created", "updated", "deleted", "started", "ended", "joined", "left",
		"migrated", "authorized", "deauthorized", "statusChanged")
	orgOnlyFilterKeys = setOf("hostEmail", "hostUserId", "ownerEmail", "ownerId")
)

func setOf(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/webhooks", s.authed(s.list))
	mux.HandleFunc("POST /v1/webhooks", s.authed(s.create))
	mux.HandleFunc("GET /v1/webhooks/{id}", s.authed(s.get))
	mux.HandleFunc("PUT /v1/webhooks/{id}", s.authed(s.update))
	mux.HandleFunc("DELETE /v1/webhooks/{id}", s.authed(s.remove))
	mux.HandleFunc("/", s.unrouted)
	return s.Faults.Wrap(mux, simulator.BearerToken, writeError)
}

// unrouted answers in Webex's error format rather than the mux's plain text, so that clients
// are always tested against one error shape.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/webhooks" || strings.HasPrefix(r.URL.Path, "/v1/webhooks/") {
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed.", "")
		return
	}
	writeError(w, http.StatusNotFound, msgNotFound, "")
}

type userHandler func(w http.ResponseWriter, r *http.Request, token string)

func (s *Server) authed(h userHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := simulator.BearerToken(r)
		if !s.knownToken(token) {
			writeError(w, http.StatusUnauthorized, msgNoToken, "")
			return
		}
		h(w, r, token)
	}
}

func (s *Server) knownToken(token string) bool {
	if token == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[token]; ok {
		return true
	}
	if s.acceptAny {
		s.addTokenLocked(token)
	}
	return s.acceptAny
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, token string) {
	q := r.URL.Query()
	ownedBy := q.Get("ownedBy")
	if ownedBy != "" && ownedBy != ownedByOrg {
		writeError(w, http.StatusBadRequest, "The only allowed value of ownedBy is org.", "")
		return
	}
	after, err := decodeCursor(q.Get("after"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid value for after.", "")
		return
	}
	s.mu.Lock()
	limit, ok := pageLimit(q.Get("max"), s.pageSize)
	recs := s.visibleLocked(token, ownedBy, after)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "Invalid value for max: it must be a positive number.", "")
		return
	}
	if len(recs) > limit {
		recs = recs[:limit]
		w.Header().Set("Link", "<"+nextURL(r, recs[limit-1].seq)+`>; rel="next"`)
	}
	items := make([]Hook, len(recs))
	for i, rec := range recs {
		items[i] = rec.hook
	}
	writeJSON(w, http.StatusOK, map[string][]Hook{"items": items})
}

// pageLimit honors max up to the configured page size, as Webex clamps an oversized max.
func pageLimit(max string, pageSize int) (int, bool) {
	if max == "" {
		return pageSize, true
	}
	n, err := strconv.Atoi(max)
	if err != nil || n < 1 {
		return 0, false
	}
	return min(n, pageSize), true
}

// nextURL repeats the request's query with a cursor, as an absolute URL built from the Host
// header so that it is right both on httptest and behind a real listener.
func nextURL(r *http.Request, last uint64) string {
	q := r.URL.Query()
	q.Set("after", base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(last, 10))))
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

func decodeCursor(cursor string) (uint64, error) {
	if cursor == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(string(raw), 10, 64)
}

type createBody struct {
	Name      string `json:"name"`
	TargetURL string `json:"targetUrl"`
	Resource  string `json:"resource"`
	Event     string `json:"event"`
	Filter    string `json:"filter"`
	Secret    string `json:"secret"`
	OwnedBy   string `json:"ownedBy"`
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, token string) {
	var in createBody
	if !readBody(w, r, &in) {
		return
	}
	if msg := validateCreate(&in); msg != "" {
		writeError(w, http.StatusBadRequest, msg, "")
		return
	}
	h := Hook{
		ID: webexID("WEBHOOK"), Name: in.Name, TargetURL: in.TargetURL, Resource: in.Resource,
		Event: in.Event, Filter: in.Filter, Secret: in.Secret, Status: statusActive, OwnedBy: in.OwnedBy,
	}
	s.mu.Lock()
	s.fillLocked(&h, s.users[token])
	s.storeLocked(token, h)
	s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationCreate, Remote: h.ID, Name: h.Name, TargetURL: h.TargetURL})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, h)
}

func validateCreate(in *createBody) string {
	switch {
	case in.Name == "":
		return missing("name")
	case in.TargetURL == "":
		return missing("targetUrl")
	case in.Resource == "":
		return missing("resource")
	case in.Event == "":
		return missing("event")
	case !validResources[in.Resource]:
		return "Invalid value for resource: " + in.Resource
	case !validEvents[in.Event]:
		return "Invalid value for event: " + in.Event
	case in.OwnedBy != "" && in.OwnedBy != ownedByCreator && in.OwnedBy != ownedByOrg:
		return "Invalid value for ownedBy: " + in.OwnedBy
	case in.OwnedBy != ownedByOrg && hasOrgOnlyFilter(in.Filter):
		return "A filter on hostEmail, hostUserId, ownerEmail or ownerId requires ownedBy org."
	}
	return ""
}

func hasOrgOnlyFilter(filter string) bool {
	for _, term := range strings.Split(filter, "&") {
		key, _, _ := strings.Cut(term, "=")
		if orgOnlyFilterKeys[key] {
			return true
		}
	}
	return false
}

func missing(field string) string {
	return "Missing required field: " + field
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, token string) {
	s.mu.Lock()
	rec, ok := s.ownedLocked(token, r.PathValue("id"))
	var h Hook
	if ok {
		h = rec.hook
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, msgNotFound, "")
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// updateBody takes the secret as a pointer so that an explicit "" can be told from an absent one.
// Every other field Webex ignores on a PUT is simply not decoded.
type updateBody struct {
	Name      string  `json:"name"`
	TargetURL string  `json:"targetUrl"`
	Secret    *string `json:"secret"`
	Status    string  `json:"status"`
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, token string) {
	var in updateBody
	if !readBody(w, r, &in) {
		return
	}
	if msg := validateUpdate(&in); msg != "" {
		writeError(w, http.StatusBadRequest, msg, "")
		return
	}
	s.mu.Lock()
	rec, ok := s.ownedLocked(token, r.PathValue("id"))
	if ok {
		kind := simulator.MutationUpdate
		if rec.hook.Status != statusActive && in.Status == statusActive {
			kind = simulator.MutationReactivate
		}
		applyUpdate(&rec.hook, &in)
		s.Log.Add(r, simulator.Mutation{Kind: kind, Remote: rec.hook.ID, Name: rec.hook.Name, TargetURL: rec.hook.TargetURL})
	}
	var h Hook
	if ok {
		h = rec.hook
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, msgNotFound, "")
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// validateUpdate rejects "inactive": Webex documents the PUT as unable to deactivate, and an
// error is the conservative reading of what it does with such a request.
func validateUpdate(in *updateBody) string {
	switch {
	case in.Name == "":
		return missing("name")
	case in.TargetURL == "":
		return missing("targetUrl")
	case in.Status != "" && in.Status != statusActive:
		return "Invalid value for status: only active is allowed."
	}
	return ""
}

func applyUpdate(h *Hook, in *updateBody) {
	h.Name = in.Name
	h.TargetURL = in.TargetURL
	if in.Secret != nil {
		h.Secret = *in.Secret
	}
	if in.Status != "" {
		h.Status = in.Status
	}
}

func (s *Server) remove(w http.ResponseWriter, r *http.Request, token string) {
	s.mu.Lock()
	rec, ok := s.ownedLocked(token, r.PathValue("id"))
	if ok {
		delete(s.hooks, rec.hook.ID)
		s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationDelete, Remote: rec.hook.ID, Name: rec.hook.Name, TargetURL: rec.hook.TargetURL})
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, msgNotFound, "")
		return
	}
	w.Header().Set("TrackingId", newTrackingID())
	w.WriteHeader(http.StatusNoContent)
}

// ownedLocked finds a hook of this user; another user's hook is as invisible as a missing one.
func (s *Server) ownedLocked(token, id string) (*record, bool) {
	rec, ok := s.hooks[id]
	if !ok || rec.owner != token {
		return nil, false
	}
	return rec, true
}

// readBody decodes a JSON request body, answering 400 itself when it cannot.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "Request body too large.", "")
	case err != nil:
		writeError(w, http.StatusBadRequest, "Unreadable request body.", "")
	case len(strings.TrimSpace(string(data))) == 0:
		writeError(w, http.StatusBadRequest, "Required request body is missing", "")
	case json.Unmarshal(data, v) != nil:
		writeError(w, http.StatusBadRequest, "Invalid JSON in request body.", "")
	default:
		return true
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if w.Header().Get("TrackingId") == "" {
		w.Header().Set("TrackingId", newTrackingID())
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type errorDescription struct {
	Description string `json:"description"`
}

type errorBody struct {
	Message    string             `json:"message"`
	Errors     []errorDescription `json:"errors"`
	TrackingID string             `json:"trackingId"`
}

// writeError answers in Webex's error format, with the same tracking id in body and header.
func writeError(w http.ResponseWriter, status int, message, retryAfter string) {
	id := newTrackingID()
	w.Header().Set("TrackingId", id)
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, status, errorBody{
		Message:    message,
		Errors:     []errorDescription{{Description: message}},
		TrackingID: id,
	})
}

func newTrackingID() string {
	return "ROUTER_" + uuid.NewString()
}
