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
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// servicePrefixes are the legacy service root and the current API root; both serve everything.
var servicePrefixes = []string{"/ps/service", "/ps/api"}

// suffixes select the answer's format; none means the Accept header, else XML.
var suffixes = []string{"", ".json", ".xml"}

// knownEvents are the documented events by object; "<object>.*" stands for every action of a
// known object, and anything else is dropped, as PageSeeder ignores invalid events.
var knownEvents = map[string][]string{
	"webhook":         {"ping"},
	"comment":         {"created", "modified", "archived", "unarchived", "deleted"},
	"group":           {"created", "deleted", "archived", "modified"},
	"groupproperties": {"modified"},
	"groupfolder":     {"created", "deleted", "modified"},
	"membership":      {"created", "modified", "deleted"},
	"publication":     {"created", "modified", "deleted"},
	"task":            {"updated"},
	"workflow":        {"updated"},
	"uri":             {"created", "modified", "archived", "deleted"},
	"project":         {"created", "deleted", "archived", "modified"},
	"member":          {"created", "modified", "deleted"},
	"server":          {"started"},
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+tokenPath, s.token)
	mux.HandleFunc(tokenPath, func(w http.ResponseWriter, r *http.Request) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the token endpoint takes POST only")
	})
	for _, p := range servicePrefixes {
		list := p + "/clients/{client}/webhooks"
		one := list + "/{webhook}"
		for _, sfx := range suffixes {
			mux.HandleFunc("GET "+list+sfx, s.service(s.list))
			mux.HandleFunc("POST "+list+sfx, s.service(s.create))
			mux.HandleFunc(list+sfx, badMethod)
			mux.HandleFunc("GET "+one+"/ping"+sfx, s.service(s.ping))
			mux.HandleFunc(one+"/ping"+sfx, badMethod)
		}
		// {webhook} holds the suffix too, such as "789.json".
		mux.HandleFunc("GET "+one, s.service(s.get))
		mux.HandleFunc("PATCH "+one, s.service(s.edit))
		mux.HandleFunc("DELETE "+one, s.service(s.remove))
		mux.HandleFunc(one, badMethod)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, idNotFound, "Unable to find matching service for "+r.URL.Path)
	})
	wrapped := s.Faults.Wrap(mux, s.keyOf, writeFault)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wrapped.ServeHTTP(&exchange{ResponseWriter: w, format: formatOf(r), request: r.URL.Path}, r)
	})
}

// badMethod is PageSeeder's answer to a service called with the wrong HTTP method.
func badMethod(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusBadRequest, idBadMethod, "Unable to tunnel request through specified HTTP method "+r.Method)
}

type serviceHandler func(w http.ResponseWriter, r *http.Request, client int64)

// service checks what every webhook service requires: a valid bearer token, an administrator
// behind it, and a {client} that is the numeric internal id of a known client. The 401 and 403
// bodies are not documented; these follow the error document of the other failures.
func (s *Server) service(h serviceHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		g := s.grant(simulator.BearerToken(r))
		if g == nil {
			writeError(w, r, http.StatusUnauthorized, idUnauthenticated, "Authentication required: send a valid access token")
			return
		}
		if !g.admin {
			writeError(w, r, http.StatusForbidden, idForbidden, "This service requires administrator")
			return
		}
		internalID, err := strconv.ParseInt(r.PathValue("client"), 10, 64)
		var known bool
		if err == nil && internalID > 0 {
			s.mu.Lock()
			_, known = s.clientLocked(internalID, s.acceptAny)
			s.mu.Unlock()
		}
		if !known {
			// Also the answer to the client's string identifier in place of its internal id.
			writeError(w, r, http.StatusNotFound, idNotFound, "Unable to find matching client")
			return
		}
		h(w, r, internalID)
	}
}

// grant returns the valid grant of a bearer token, or nil.
func (s *Server) grant(token string) *grant {
	if token == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grants[token]
	switch {
	case !ok && s.acceptAny:
		g = &grant{key: token, admin: true}
		s.grants[token] = g
	case !ok:
		return nil
	case !g.expires.IsZero() && !s.now().Before(g.expires):
		delete(s.grants, token)
		return nil
	}
	return g
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, client int64) {
	s.mu.Lock()
	hooks := s.hooksLocked(client)
	wire := make([]hookJSON, len(hooks))
	for i := range hooks {
		wire[i] = s.hookWireLocked(&hooks[i])
	}
	s.mu.Unlock()
	if formatOf(r) == formatJSON {
		writeJSON(w, http.StatusOK, map[string][]hookJSON{"webhooks": wire})
		return
	}
	doc := hooksXML{Hooks: make([]hookXML, len(wire))}
	for i, h := range wire {
		doc.Hooks[i] = toXML(h)
	}
	writeXML(w, http.StatusOK, doc)
}

// hookID reads the {webhook} path value, which may carry the format suffix.
func hookID(r *http.Request) (int64, bool) {
	v := r.PathValue("webhook")
	v = strings.TrimSuffix(strings.TrimSuffix(v, ".json"), ".xml")
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id > 0
}

// ownedLocked finds a hook of the client; another client's hook is as missing as a deleted one.
func (s *Server) ownedLocked(r *http.Request, client int64) (*Hook, bool) {
	id, ok := hookID(r)
	if !ok {
		return nil, false
	}
	h, ok := s.hooks[id]
	if !ok || h.Client != client {
		return nil, false
	}
	return h, true
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusNotFound, idNotFound, "Unable to find matching webhook")
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, client int64) {
	s.mu.Lock()
	h, ok := s.ownedLocked(r, client)
	var wire hookJSON
	if ok {
		wire = s.hookWireLocked(h)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, r)
		return
	}
	writeHook(w, r, http.StatusOK, wire)
}

// create takes the UNCONFIRMED parameters that the <webhook> element's attributes suggest: url
// (required), name, events, projects, groups, server, format, object, insecuressl. A new hook
// is pending until a ping succeeds.
func (s *Server) create(w http.ResponseWriter, r *http.Request, client int64) {
	if err := r.ParseForm(); err != nil {
		writeError(w, r, http.StatusBadRequest, idRequires, "Unreadable parameters")
		return
	}
	h := Hook{Client: client, Format: formatJSON, Object: objectMinimal, Status: StatusPending}
	if msg := applyParams(&h, r.Form, true); msg != "" {
		writeError(w, r, http.StatusBadRequest, idRequires, msg)
		return
	}
	s.mu.Lock()
	h.ID = s.allocHookIDLocked()
	h.Created = s.stampLocked()
	h.Modified = h.Created
	stored := h
	s.hooks[h.ID] = &stored
	s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationCreate, Remote: strconv.FormatInt(h.ID, 10), Name: h.Name, TargetURL: h.URL})
	wire := s.hookWireLocked(&stored)
	shape := s.editResponse
	s.mu.Unlock()
	s.writeEdited(w, r, shape, wire)
}

// edit changes the parameters sent and leaves the others. A new url is unverified, so the hook
// goes back to pending until the next ping: a guess, as the real behaviour is not documented.
func (s *Server) edit(w http.ResponseWriter, r *http.Request, client int64) {
	if err := r.ParseForm(); err != nil {
		writeError(w, r, http.StatusBadRequest, idRequires, "Unreadable parameters")
		return
	}
	s.mu.Lock()
	h, ok := s.ownedLocked(r, client)
	if !ok {
		s.mu.Unlock()
		notFound(w, r)
		return
	}
	next := *h
	if msg := applyParams(&next, r.Form, false); msg != "" {
		s.mu.Unlock()
		writeError(w, r, http.StatusBadRequest, idRequires, msg)
		return
	}
	if next.URL != h.URL {
		next.Status = StatusPending
	}
	if next != *h {
		next.Modified = s.stampLocked()
	}
	*h = next
	s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationUpdate, Remote: strconv.FormatInt(h.ID, 10), Name: h.Name, TargetURL: h.URL})
	wire := s.hookWireLocked(h)
	shape := s.editResponse
	s.mu.Unlock()
	s.writeEdited(w, r, shape, wire)
}

func (s *Server) writeEdited(w http.ResponseWriter, r *http.Request, shape EditResponse, h hookJSON) {
	if formatOf(r) != formatJSON {
		writeHook(w, r, http.StatusOK, h)
		return
	}
	switch shape {
	case EditWrapped:
		writeJSON(w, http.StatusOK, map[string]hookJSON{"webhook": h})
	case EditIDOnly:
		writeJSON(w, http.StatusOK, map[string]any{"id": h.ID})
	case EditEmpty:
		w.WriteHeader(http.StatusOK)
	default:
		writeJSON(w, http.StatusOK, h)
	}
}

// remove answers with the deleted webhook; the real response body is not documented.
func (s *Server) remove(w http.ResponseWriter, r *http.Request, client int64) {
	s.mu.Lock()
	h, ok := s.ownedLocked(r, client)
	var wire hookJSON
	if ok {
		wire = s.hookWireLocked(h)
		delete(s.hooks, h.ID)
		s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationDelete, Remote: strconv.FormatInt(h.ID, 10), Name: h.Name, TargetURL: h.URL})
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, r)
		return
	}
	writeHook(w, r, http.StatusOK, wire)
}

// applyParams checks every parameter before it changes anything, so that a rejected request
// leaves the hook as it was. It returns the error message, or "".
func applyParams(h *Hook, form url.Values, create bool) string {
	has := func(name string) bool { _, ok := form[name]; return ok }
	if create && strings.TrimSpace(form.Get("url")) == "" {
		return "Failed @Requires check: missing parameter 'url'"
	}
	next := *h
	if has("url") {
		u, err := url.Parse(strings.TrimSpace(form.Get("url")))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "Failed @Requires check: parameter 'url' must be an absolute http or https URL"
		}
		next.URL = u.String()
	}
	if has("name") {
		next.Name = form.Get("name")
	}
	if has("format") {
		switch v := form.Get("format"); v {
		case formatJSON, formatXML:
			next.Format = v
		default:
			return "Failed @Requires check: parameter 'format' must be json or xml"
		}
	}
	if has("object") {
		switch v := form.Get("object"); v {
		case objectMinimal, objectBasic:
			next.Object = v
		default:
			return "Failed @Requires check: parameter 'object' must be minimal or basic"
		}
	}
	for name, field := range map[string]*bool{"server": &next.Server, "insecuressl": &next.InsecureSSL} {
		if !has(name) {
			continue
		}
		v, err := strconv.ParseBool(form.Get(name))
		if err != nil {
			return "Failed @Requires check: parameter '" + name + "' must be true or false"
		}
		*field = v
	}
	if has("events") {
		next.Events = filterEvents(form.Get("events"))
	}
	if has("projects") {
		next.Projects = normalizeList(form.Get("projects"))
	}
	if has("groups") {
		next.Groups = normalizeList(form.Get("groups"))
	}
	*h = next
	return ""
}

// filterEvents keeps the valid events, once each, in the order given.
func filterEvents(events string) string {
	var kept []string
	seen := map[string]bool{}
	for _, e := range strings.Split(events, ",") {
		e = strings.TrimSpace(e)
		object, action, ok := strings.Cut(e, ".")
		actions, known := knownEvents[object]
		if !ok || !known || seen[e] || (action != "*" && !slices.Contains(actions, action)) {
			continue
		}
		seen[e] = true
		kept = append(kept, e)
	}
	return strings.Join(kept, ",")
}

func normalizeList(values string) string {
	var kept []string
	for _, v := range strings.Split(values, ",") {
		if v = strings.TrimSpace(v); v != "" {
			kept = append(kept, v)
		}
	}
	return strings.Join(kept, ",")
}
