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
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

const (
	apiPrefix = "/webhooks/v1"

	statusActive      = "active"
	statusInactive    = "inactive"
	statusReactivated = "reactivated"

	creatorApplication = "Application"
	defaultRegion      = "US"

	// maxRequestBytes bounds what the fake reads of a request body.
	maxRequestBytes = 1 << 20
	// maxHookAttributeBytes is APS's documented limit on hookAttribute.
	maxHookAttributeBytes = 1024

	msgNotFound = "The specified resource was not found."
	msgExists   = "The specified webhook already exists."
)

var (
	validRegions = setOf("US", "EMEA", "AUS", "CAN", "DEU", "IND", "JPN", "GBR")
	// patchable are the only attributes a PATCH may carry.
	patchable = setOf("status", "filter", "hookAttribute", "token", "autoReactivateHook", "hookExpiry",
		"callbackWithEventPayloadOnly")
	statusFilters = setOf(statusActive, statusInactive, statusReactivated)
)

func setOf(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	hooks := apiPrefix + "/systems/{system}/events/{event}/hooks"
	api.HandleFunc("POST "+hooks, s.authed(true, s.create))
	api.HandleFunc("GET "+hooks, s.authed(false, s.listEvent))
	api.HandleFunc("GET "+hooks+"/{id}", s.authed(false, s.get))
	api.HandleFunc("PATCH "+hooks+"/{id}", s.authed(true, s.patch))
	api.HandleFunc("DELETE "+hooks+"/{id}", s.authed(true, s.remove))
	api.HandleFunc("GET "+apiPrefix+"/systems/{system}/hooks", s.authed(false, s.listSystem))
	api.HandleFunc("GET "+apiPrefix+"/hooks", s.authed(false, s.listAll))
	api.HandleFunc("GET "+apiPrefix+"/app/hooks", s.authed(false, s.listApp))
	api.HandleFunc("POST "+apiPrefix+"/tokens", s.authed(true, s.createAppToken))
	api.HandleFunc("PUT "+apiPrefix+"/tokens/@me", s.authed(true, s.replaceAppToken))
	api.HandleFunc("DELETE "+apiPrefix+"/tokens/@me", s.authed(true, s.deleteAppToken))
	api.HandleFunc("/", unrouted)

	root := http.NewServeMux()
	root.Handle(tokenPath, s.Faults.Wrap(http.HandlerFunc(s.token), s.requestKey, writeTokenFault))
	root.Handle("/", s.Faults.Wrap(api, s.requestKey, writeFault))
	return s.countTokenRequests(root)
}

// unrouted answers in the API's error format rather than the mux's plain text.
func unrouted(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if strings.HasPrefix(p, apiPrefix+"/") &&
		(strings.HasSuffix(p, "/hooks") || strings.Contains(p, "/hooks/") || strings.HasPrefix(p, apiPrefix+"/tokens")) {
		writeServiceError(w, http.StatusMethodNotAllowed, "Method not allowed.")
		return
	}
	writeServiceError(w, http.StatusNotFound, msgNotFound)
}

// createBody is HookPayload. Typed fields make a value of the wrong JSON type a 400, as a strict
// server would answer.
type createBody struct {
	CallbackURL                  string          `json:"callbackUrl"`
	Scope                        map[string]any  `json:"scope"`
	HookAttribute                json.RawMessage `json:"hookAttribute"`
	Filter                       string          `json:"filter"`
	HubID                        string          `json:"hubId"`
	ProjectID                    string          `json:"projectId"`
	Tenant                       string          `json:"tenant"`
	AutoReactivateHook           *bool           `json:"autoReactivateHook"`
	HookExpiry                   *string         `json:"hookExpiry"`
	CallbackWithEventPayloadOnly *bool           `json:"callbackWithEventPayloadOnly"`
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, c call) {
	var in createBody
	if !readBody(w, r, &in) {
		return
	}
	scope, msg := validateCreate(&in)
	if msg != "" {
		writeServiceError(w, http.StatusBadRequest, msg)
		return
	}
	now := time.Now().UTC().Format(dateLayout)
	h := Hook{
		HookID:             uuid.NewString(),
		Tenant:             in.Tenant,
		CallbackURL:        in.CallbackURL,
		Event:              r.PathValue("event"),
		System:             r.PathValue("system"),
		CreatedDate:        now,
		LastUpdatedDate:    now,
		CreatorType:        creatorApplication,
		Status:             statusActive,
		AutoReactivateHook: in.AutoReactivateHook != nil && *in.AutoReactivateHook,
		Scope:              scope,
		HookAttribute:      compactObject(in.HookAttribute),
		Filter:             in.Filter,
		HubID:              in.HubID,
		ProjectID:          in.ProjectID,
		Region:             c.region,
	}
	if h.Tenant == "" {
		// APS reports a tenant although none was sent (the scope's URN in its examples): a client
		// that compares it strictly would replace the hook forever.
		h.Tenant = firstScopeValue(scope)
	}
	if in.HookExpiry != nil {
		h.HookExpiry = *in.HookExpiry
	}
	if in.CallbackWithEventPayloadOnly != nil {
		h.CallbackWithEventPayloadOnly = strconv.FormatBool(*in.CallbackWithEventPayloadOnly)
	} else {
		h.CallbackWithEventPayloadOnly = "false"
	}
	fillDerived(&h)
	s.mu.Lock()
	if s.duplicateLocked(c, &h) {
		s.mu.Unlock()
		writeServiceError(w, http.StatusConflict, msgExists)
		return
	}
	h.CreatedBy = s.createdByLocked(c.app)
	s.storeLocked(c.app, h)
	s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationCreate, Remote: h.HookID, TargetURL: h.CallbackURL})
	location := locationHost + apiPrefix + h.Self
	if s.relativeLocation {
		location = apiPrefix + h.Self
	}
	s.mu.Unlock()
	w.Header().Set("Location", location)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

func validateCreate(in *createBody) (map[string]string, string) {
	if strings.TrimSpace(in.CallbackURL) == "" {
		return nil, "callbackUrl is required."
	}
	if u, err := url.Parse(in.CallbackURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, "callbackUrl must be an absolute http or https URL."
	}
	if len(in.Scope) == 0 {
		return nil, "scope is required."
	}
	scope := make(map[string]string, len(in.Scope))
	for k, v := range in.Scope {
		str, ok := v.(string)
		if !ok || str == "" {
			return nil, "scope." + k + " must be a non-empty string."
		}
		scope[k] = str
	}
	if msg := validateHookAttribute(in.HookAttribute); msg != "" {
		return nil, msg
	}
	if in.HookExpiry != nil && *in.HookExpiry != "" && !validDate(*in.HookExpiry) {
		return nil, "hookExpiry must be an ISO 8601 date and time."
	}
	return scope, ""
}

func validateHookAttribute(raw json.RawMessage) string {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return ""
	}
	if trimmed[0] != '{' {
		return "hookAttribute must be a JSON object."
	}
	if len(compactObject(raw)) > maxHookAttributeBytes {
		return "hookAttribute must be less than 1KB in size."
	}
	return ""
}

func validDate(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, dateLayout, "2006-01-02T15:04:05.999999999Z0700"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// compactObject stores hookAttribute compacted; null and absence are both nil.
func compactObject(raw json.RawMessage) json.RawMessage {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, trimmed); err != nil {
		return nil
	}
	return buf.Bytes()
}

func firstScopeValue(scope map[string]string) string {
	keys := make([]string, 0, len(scope))
	for k := range scope {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return scope[keys[0]]
}

// duplicateLocked applies APS's 409 rule as the fake reads it: the same app, region, system,
// event, callbackUrl and scope. Which fields APS really compares is unconfirmed.
func (s *Server) duplicateLocked(c call, h *Hook) bool {
	for _, r := range s.hooks {
		o := &r.hook
		if r.app == c.app && o.Region == c.region && o.System == h.System && o.Event == h.Event &&
			o.CallbackURL == h.CallbackURL && maps.Equal(o.Scope, h.Scope) {
			return true
		}
	}
	return false
}

// findLocked returns the hook that the path names for this app and region: a hook under
// another system or event is as missing as one that does not exist.
func (s *Server) findLocked(r *http.Request, c call) (*record, bool) {
	rec, ok := s.hooks[r.PathValue("id")]
	if !ok || rec.app != c.app || rec.hook.Region != c.region ||
		rec.hook.System != r.PathValue("system") || rec.hook.Event != r.PathValue("event") {
		return nil, false
	}
	return rec, true
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, c call) {
	s.mu.Lock()
	rec, ok := s.findLocked(r, c)
	var h Hook
	if ok {
		h = copyHook(rec.hook)
	}
	s.mu.Unlock()
	if !ok {
		writeServiceError(w, http.StatusNotFound, msgNotFound)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request, c call) {
	var in map[string]json.RawMessage
	if !readBody(w, r, &in) {
		return
	}
	for k := range in {
		if !patchable[k] {
			writeServiceError(w, http.StatusBadRequest, "The attribute "+k+" cannot be updated.")
			return
		}
	}
	change, msg := parsePatch(in)
	if msg != "" {
		writeServiceError(w, http.StatusBadRequest, msg)
		return
	}
	s.mu.Lock()
	rec, ok := s.findLocked(r, c)
	var h Hook
	if ok {
		kind := simulator.MutationUpdate
		was := rec.hook.Status
		change(&rec.hook)
		if was != statusActive && rec.hook.Status == statusActive {
			kind = simulator.MutationReactivate
		}
		rec.hook.LastUpdatedDate = time.Now().UTC().Format(dateLayout)
		h = copyHook(rec.hook)
		s.Log.Add(r, simulator.Mutation{Kind: kind, Remote: h.HookID, TargetURL: h.CallbackURL})
	}
	status := s.patchStatus
	s.mu.Unlock()
	if !ok {
		writeServiceError(w, http.StatusNotFound, msgNotFound)
		return
	}
	if status == http.StatusOK {
		writeJSON(w, http.StatusOK, h)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// parsePatch checks every attribute before anything changes, so that a bad request changes
// nothing, and returns the change to apply.
func parsePatch(in map[string]json.RawMessage) (func(*Hook), string) {
	var steps []func(*Hook)
	isNull := func(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }
	for k, raw := range in {
		switch k {
		case "status":
			var v string
			if json.Unmarshal(raw, &v) != nil || (v != statusActive && v != statusInactive) {
				return nil, "status must be active or inactive."
			}
			steps = append(steps, func(h *Hook) { h.Status = v })
		case "filter":
			var v string
			if !isNull(raw) && json.Unmarshal(raw, &v) != nil {
				return nil, "filter must be a string or null."
			}
			steps = append(steps, func(h *Hook) { h.Filter = v })
		case "hookAttribute":
			if msg := validateHookAttribute(raw); msg != "" {
				return nil, msg
			}
			v := compactObject(raw)
			steps = append(steps, func(h *Hook) { h.HookAttribute = v })
		case "token":
			var v string
			if json.Unmarshal(raw, &v) != nil || v == "" {
				return nil, "token must be a non-empty string."
			}
			steps = append(steps, func(h *Hook) { h.Token = v })
		case "autoReactivateHook":
			var v bool
			if json.Unmarshal(raw, &v) != nil {
				return nil, "autoReactivateHook must be a boolean."
			}
			steps = append(steps, func(h *Hook) { h.AutoReactivateHook = v })
		case "hookExpiry":
			var v string
			if !isNull(raw) && (json.Unmarshal(raw, &v) != nil || (v != "" && !validDate(v))) {
				return nil, "hookExpiry must be an ISO 8601 date and time, or null."
			}
			steps = append(steps, func(h *Hook) { h.HookExpiry = v })
		case "callbackWithEventPayloadOnly":
			var v bool
			if json.Unmarshal(raw, &v) != nil {
				return nil, "callbackWithEventPayloadOnly must be a boolean."
			}
			steps = append(steps, func(h *Hook) { h.CallbackWithEventPayloadOnly = strconv.FormatBool(v) })
		}
	}
	return func(h *Hook) {
		for _, step := range steps {
			step(h)
		}
	}, ""
}

func (s *Server) remove(w http.ResponseWriter, r *http.Request, c call) {
	s.mu.Lock()
	rec, ok := s.findLocked(r, c)
	if ok {
		delete(s.hooks, rec.hook.HookID)
		s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationDelete, Remote: rec.hook.HookID, TargetURL: rec.hook.CallbackURL})
	}
	s.mu.Unlock()
	if !ok {
		writeServiceError(w, http.StatusNotFound, msgNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listEvent(w http.ResponseWriter, r *http.Request, c call) {
	system, event := r.PathValue("system"), r.PathValue("event")
	q := r.URL.Query()
	scopeName, scopeValue := q.Get("scopeName"), q.Get("scopeValue")
	s.list(w, r, c, listing{
		next: "/systems/" + system + "/events/" + event + "/hooks",
		match: func(h *Hook) bool {
			if h.System != system || h.Event != event {
				return false
			}
			if scopeName == "" {
				return true // scopeValue means nothing without scopeName
			}
			v, ok := h.Scope[scopeName]
			return ok && (scopeValue == "" || v == scopeValue)
		},
	})
}

func (s *Server) listSystem(w http.ResponseWriter, r *http.Request, c call) {
	system := r.PathValue("system")
	s.list(w, r, c, listing{
		next:  "/systems/" + system + "/hooks",
		match: func(h *Hook) bool { return h.System == system },
	})
}

func (s *Server) listAll(w http.ResponseWriter, r *http.Request, c call) {
	s.list(w, r, c, listing{next: "/hooks"})
}

// listApp reproduces the documented example, whose next link says "/hooks" although the list
// is /app/hooks: a client must re-request its own path with the pageState.
func (s *Server) listApp(w http.ResponseWriter, r *http.Request, c call) {
	sortOrder := r.URL.Query().Get("sort")
	if sortOrder != "" && sortOrder != "asc" && sortOrder != "desc" {
		writeServiceError(w, http.StatusBadRequest, "sort must be asc or desc.")
		return
	}
	s.list(w, r, c, listing{next: "/hooks", byUpdate: true, ascending: sortOrder == "asc"})
}

// listing describes one list endpoint.
type listing struct {
	// next is the path, relative to /webhooks/v1, that the next link names.
	next string
	// match selects the hooks; nil selects all.
	match func(*Hook) bool
	// byUpdate sorts by lastUpdatedDate (descending unless ascending) instead of creation.
	byUpdate, ascending bool
}

type page struct {
	Links map[string]string `json:"links"`
	Data  []Hook            `json:"data"`
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, c call, l listing) {
	q := r.URL.Query()
	status := q.Get("status")
	if status != "" && !statusFilters[status] {
		writeServiceError(w, http.StatusBadRequest, "status must be active, inactive or reactivated.")
		return
	}
	offset, ok := decodePageState(q.Get("pageState"), r.URL.Path)
	if !ok {
		writeServiceError(w, http.StatusBadRequest, "Invalid pageState.")
		return
	}
	s.mu.Lock()
	var recs []*record
	for _, rec := range s.hooks {
		h := &rec.hook
		if rec.app == c.app && h.Region == c.region && (status == "" || h.Status == status) && (l.match == nil || l.match(h)) {
			recs = append(recs, rec)
		}
	}
	sortRecords(recs, l)
	size := s.pageSize
	var data []Hook
	for i := offset; i < len(recs) && len(data) < size; i++ {
		data = append(data, copyHook(recs[i].hook))
	}
	more := offset+len(data) < len(recs)
	s.mu.Unlock()
	if len(data) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := page{Links: map[string]string{}, Data: data}
	if more {
		out.Links["next"] = l.next + "?pageState=" + encodePageState(offset+len(data), r.URL.Path)
	}
	writeJSON(w, http.StatusOK, out)
}

func sortRecords(recs []*record, l listing) {
	sort.Slice(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if l.byUpdate && a.hook.LastUpdatedDate != b.hook.LastUpdatedDate {
			if l.ascending {
				return a.hook.LastUpdatedDate < b.hook.LastUpdatedDate
			}
			return a.hook.LastUpdatedDate > b.hook.LastUpdatedDate
		}
		return a.seq < b.seq
	})
}

// encodePageState binds the offset to the list it came from: APS says page states are not
// portable, and the fake refuses one from another list.
func encodePageState(offset int, path string) string {
	return base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "\x00" + path))
}

func decodePageState(state, path string) (int, bool) {
	if state == "" {
		return 0, true
	}
	raw, err := base64.StdEncoding.DecodeString(state)
	if err != nil {
		return 0, false
	}
	off, p, ok := strings.Cut(string(raw), "\x00")
	n, err := strconv.Atoi(off)
	if !ok || err != nil || n < 0 || p != path {
		return 0, false
	}
	return n, true
}

type tokenBody struct {
	Token string `json:"token"`
}

func (s *Server) createAppToken(w http.ResponseWriter, r *http.Request, c call) {
	var in tokenBody
	if !readBody(w, r, &in) {
		return
	}
	if in.Token == "" {
		writeServiceError(w, http.StatusBadRequest, "token is required.")
		return
	}
	s.mu.Lock()
	_, exists := s.appTokens[c.app]
	if !exists {
		s.appTokens[c.app] = in.Token
	}
	s.mu.Unlock()
	if exists {
		writeServiceError(w, http.StatusBadRequest, "Secret token already exists.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": 200, "detail": []string{"Token created successfully for client: *****"}})
}

func (s *Server) replaceAppToken(w http.ResponseWriter, r *http.Request, c call) {
	var in tokenBody
	if !readBody(w, r, &in) {
		return
	}
	if in.Token == "" {
		writeServiceError(w, http.StatusBadRequest, "token is required.")
		return
	}
	s.mu.Lock()
	s.appTokens[c.app] = in.Token
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteAppToken(w http.ResponseWriter, _ *http.Request, c call) {
	s.mu.Lock()
	delete(s.appTokens, c.app)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// readBody decodes a JSON request body, answering 400 itself when it cannot.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeServiceError(w, http.StatusRequestEntityTooLarge, "Request body too large.")
	case err != nil:
		writeServiceError(w, http.StatusBadRequest, "Unreadable request body.")
	case len(bytes.TrimSpace(data)) == 0:
		writeServiceError(w, http.StatusBadRequest, "The request body is missing.")
	case json.Unmarshal(data, v) != nil:
		writeServiceError(w, http.StatusBadRequest, "The request body is not valid JSON for this operation.")
	default:
		return true
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeServiceError answers as the webhooks service might: APS documents only {"id"}, the rest
// of this shape ({status, detail[]}, as its token success answer) is a guess.
func writeServiceError(w http.ResponseWriter, status int, message string) {
	id := uuid.NewString()
	w.Header().Set("x-ads-troubleshooting-id", id)
	writeJSON(w, status, map[string]any{"id": id, "status": status, "detail": []string{message}})
}

// writeGatewayError answers as the APS gateway does for authentication and quota failures.
func writeGatewayError(w http.ResponseWriter, status int, message, retryAfter string) {
	w.Header().Set("x-ads-troubleshooting-id", uuid.NewString())
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, status, map[string]string{"developerMessage": message})
}

// writeOAuthError answers in RFC 6749's {error, error_description} shape.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// writeFault answers an injected fault on the API: the gateway's shape for 401, 403 and 429
// (APS's 429 is {"developerMessage":"Quota limit exceeded."}), the service's otherwise.
func writeFault(w http.ResponseWriter, status int, message, retryAfter string) {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests:
		writeGatewayError(w, status, message, retryAfter)
	default:
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		writeServiceError(w, status, message)
	}
}

// writeTokenFault answers an injected fault on the token endpoint: OAuth's shape for 400 and 401.
func writeTokenFault(w http.ResponseWriter, status int, message, retryAfter string) {
	switch status {
	case http.StatusBadRequest:
		writeOAuthError(w, status, "invalid_request", message)
	case http.StatusUnauthorized:
		writeOAuthError(w, status, "invalid_client", message)
	default:
		writeGatewayError(w, status, message, retryAfter)
	}
}
