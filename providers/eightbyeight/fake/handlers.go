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
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// The 8x8 error codes the fake sends.
const (
	codeInvalidParameter  = 1000
	codeIllegalSubAccount = 1001
	codeUnauthorized      = 1200
	codeForbidden         = 1201
	codeNotFound          = 1300
	codeInternal          = 2000
	codeQuota             = 429
)

const (
	typeMSG  = "MSG"
	typeCADR = "CADR"
	typeCABM = "CABM"

	// maxRequestBytes bounds what the fake reads of a request body.
	maxRequestBytes = 1 << 20
	// timestampLayout writes seven fractional digits and "+00:00", like 8x8's examples.
	timestampLayout = "2006-01-02T15:04:05.0000000-07:00"

	webhooksPath = "/api/v1/accounts/{accountId}/webhooks"

	msgUnauthorized = "Request was not authenticated properly"
	msgForbidden    = "Access forbidden"
	msgSubAccount   = "Provided subAccountId doesn't belongs to your account"
	msgNotFound     = "Not found"
)

var accountIDPattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}[-]?(?:[0-9A-Fa-f]{4}[-]?){3}[0-9A-Fa-f]{12}$`)

// untypedTypes are what a POST or DELETE without a type applies to in Chat Apps.
var untypedTypes = []string{typeCADR, typeMSG}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+webhooksPath, s.authed(s.list))
	mux.HandleFunc("POST "+webhooksPath, s.authed(s.upsert))
	mux.HandleFunc("DELETE "+webhooksPath, s.authed(s.remove))
	mux.HandleFunc("/", unrouted)
	return s.Faults.Wrap(mux, simulator.BearerToken, writeFault)
}

// unrouted answers in 8x8's error format rather than the mux's plain text, so that clients are
// always tested against one error shape.
func unrouted(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/v1/accounts/") && strings.HasSuffix(r.URL.Path, "/webhooks") {
		writeError(w, http.StatusMethodNotAllowed, codeInvalidParameter, "Method not allowed", "")
		return
	}
	writeError(w, http.StatusNotFound, codeNotFound, msgNotFound, "")
}

type accountHandler func(w http.ResponseWriter, r *http.Request, account string)

// authed checks the key, then the account id's form, then the key's right to the account, and
// hands on the canonical account id.
func (s *Server) authed(h accountHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := simulator.BearerToken(r)
		accountID := r.PathValue("accountId")
		known, allowed := s.access(key, canonical(accountID))
		switch {
		case !known:
			writeError(w, http.StatusUnauthorized, codeUnauthorized, msgUnauthorized, "")
		case len(accountID) < 32 || len(accountID) > 36 || !accountIDPattern.MatchString(accountID):
			writeError(w, http.StatusBadRequest, codeInvalidParameter, "Invalid parameter: accountId", "")
		case !allowed:
			writeError(w, http.StatusForbidden, codeForbidden, msgForbidden, "")
		default:
			h(w, r, canonical(accountID))
		}
	}
}

func (s *Server) access(key, account string) (known, allowed bool) {
	if key == "" {
		return false, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.acceptAny {
		return true, true
	}
	accounts, ok := s.keys[key]
	return ok, accounts[account]
}

func (s *Server) list(w http.ResponseWriter, _ *http.Request, account string) {
	s.mu.Lock()
	hooks := s.hooksLocked(account, Hook.masked)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, hooks)
}

// postItem takes subAccountId and enabled as pointers, to tell absent from empty or false.
type postItem struct {
	SubAccountID      *string `json:"subAccountId"`
	Type              string  `json:"type"`
	URL               string  `json:"url"`
	Enabled           *bool   `json:"enabled"`
	HTTPAuthorization string  `json:"httpAuthorization"`
	OAuth             *OAuth  `json:"oauth"`
}

// apiError is a refusal in 8x8's terms.
type apiError struct {
	status  int
	code    int
	message string
}

func invalid(message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeInvalidParameter, message: message}
}

func (s *Server) upsert(w http.ResponseWriter, r *http.Request, account string) {
	var items []postItem
	if !readBody(w, r, &items) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accountLocked(account)
	for _, it := range items {
		if e := validatePost(&it, a); e != nil {
			writeError(w, e.status, e.code, e.message, "")
			return
		}
	}
	for _, it := range items {
		enabled := it.Enabled == nil || *it.Enabled
		for _, typ := range typesOf(it.Type) {
			h := Hook{SubAccountID: *it.SubAccountID, Type: typ, URL: it.URL, Enabled: enabled,
				HTTPAuthorization: it.HTTPAuthorization, OAuth: it.OAuth}
			kind := simulator.MutationCreate
			if old, ok := a.hooks[hookKey{h.SubAccountID, h.Type}]; ok {
				kind = simulator.MutationUpdate
				if !old.hook.Enabled && h.Enabled {
					kind = simulator.MutationReactivate
				}
			}
			s.storeLocked(a, h.clone())
			s.Log.Add(r, simulator.Mutation{Kind: kind, Remote: account + "/" + h.SubAccountID + "/" + h.Type, TargetURL: h.URL})
		}
	}
	w.WriteHeader(http.StatusOK)
}

func validatePost(it *postItem, a *account) *apiError {
	if e := validateKey(it.SubAccountID, it.Type, a); e != nil {
		return e
	}
	if u, err := url.Parse(it.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("Invalid parameter: url must be an absolute http or https URL")
	}
	if it.HTTPAuthorization != "" && it.OAuth != nil {
		return invalid("Invalid parameter: set either httpAuthorization or oauth, not both")
	}
	if o := it.OAuth; o != nil {
		switch {
		case o.URL == "":
			return invalid("Invalid parameter: oauth.url is required")
		case o.ClientID == "":
			return invalid("Invalid parameter: oauth.clientId is required")
		case o.ClientSecret == "":
			return invalid("Invalid parameter: oauth.clientSecret is required")
		case o.CredentialsLocation != "header" && o.CredentialsLocation != "body":
			return invalid("Invalid parameter: oauth.credentialsLocation must be header or body")
		}
	}
	return nil
}

// validateKey checks the parts every POST and DELETE item shares.
func validateKey(sub *string, typ string, a *account) *apiError {
	if sub == nil || *sub == "" {
		return invalid("Invalid parameter: subAccountId is required")
	}
	switch typ {
	case "", typeMSG, typeCADR, typeCABM:
	default:
		return invalid("Invalid parameter: type must be one of CADR, MSG, CABM")
	}
	if a.subs != nil && *sub != "*" && !a.subs[*sub] {
		return &apiError{status: http.StatusBadRequest, code: codeIllegalSubAccount, message: msgSubAccount}
	}
	return nil
}

func typesOf(typ string) []string {
	if typ == "" {
		return untypedTypes
	}
	return []string{typ}
}

type deleteItem struct {
	SubAccountID *string `json:"subAccountId"`
	Type         string  `json:"type"`
}

// remove deletes exactly the keys named: "*" is the account-wide hook's own sub-account, not a
// wildcard. An item that reaches no hook fails the whole request with code 1300.
func (s *Server) remove(w http.ResponseWriter, r *http.Request, account string) {
	var items []deleteItem
	if !readBody(w, r, &items) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accountLocked(account)
	var doomed []hookKey
	for _, it := range items {
		if e := validateKey(it.SubAccountID, it.Type, a); e != nil {
			writeError(w, e.status, e.code, e.message, "")
			return
		}
		found := false
		for _, typ := range typesOf(it.Type) {
			k := hookKey{*it.SubAccountID, typ}
			if _, ok := a.hooks[k]; ok {
				doomed = append(doomed, k)
				found = true
			}
		}
		if !found {
			writeError(w, http.StatusBadRequest, codeNotFound, "Webhook not found", "")
			return
		}
	}
	for _, k := range doomed {
		s.Log.Add(r, simulator.Mutation{Kind: simulator.MutationDelete, Remote: account + "/" + k.sub + "/" + k.typ, TargetURL: a.hooks[k].hook.URL})
		delete(a.hooks, k)
	}
	w.WriteHeader(http.StatusOK)
}

// readBody decodes a JSON array of at least one item, answering 400 itself when it cannot.
func readBody[T any](w http.ResponseWriter, r *http.Request, items *[]T) bool {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, codeInvalidParameter, "Request body too large", "")
	case err != nil:
		writeError(w, http.StatusBadRequest, codeInvalidParameter, "Unreadable request body", "")
	case json.Unmarshal(data, items) != nil:
		writeError(w, http.StatusBadRequest, codeInvalidParameter, "Invalid JSON request body: an array of webhooks is expected", "")
	case len(*items) == 0:
		writeError(w, http.StatusBadRequest, codeInvalidParameter, "Invalid parameter: at least one webhook is required", "")
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

type errorBody struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	ErrorID   string `json:"errorId"`
	Timestamp string `json:"timestamp"`
}

// writeError answers in 8x8's error envelope.
func writeError(w http.ResponseWriter, status, code int, message, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, status, errorBody{
		Code:      code,
		Message:   message,
		ErrorID:   uuid.NewString(),
		Timestamp: time.Now().UTC().Format(timestampLayout),
	})
}

// writeFault answers an injected fault with the code 8x8 uses for its status, and 8x8's own
// wording when the fault brings none of its own.
func writeFault(w http.ResponseWriter, status int, message, retryAfter string) {
	code, text := status, message
	switch {
	case status == http.StatusBadRequest:
		code = codeInvalidParameter
	case status == http.StatusUnauthorized:
		code = codeUnauthorized
		text = defaultText(message, status, msgUnauthorized)
	case status == http.StatusForbidden:
		code = codeForbidden
		text = defaultText(message, status, msgForbidden)
	case status == http.StatusNotFound:
		code = codeNotFound
	case status == http.StatusTooManyRequests:
		code = codeQuota
		text = defaultText(message, status, "Quota exceeded. Please try again in 1 second(s).")
	case status >= 500:
		code = codeInternal
		text = defaultText(message, status, "Internal server error")
	}
	writeError(w, status, code, text, retryAfter)
}

func defaultText(message string, status int, text string) string {
	if message == http.StatusText(status) {
		return text
	}
	return message
}
