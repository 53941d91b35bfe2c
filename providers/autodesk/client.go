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

package autodesk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

const (
	// DefaultBaseURL is the APS host; the webhooks API and the token endpoint live below it.
	DefaultBaseURL = "https://developer.api.autodesk.com"
	// ProviderName is the name carried by every error of this package.
	ProviderName = "autodesk"

	// StatusActive, StatusInactive and StatusReactivated are the hook states APS reports;
	// only inactive stops deliveries.
	StatusActive      = "active"
	StatusInactive    = "inactive"
	StatusReactivated = "reactivated"

	// DefaultRegion is where APS keeps a hook when no region is named.
	DefaultRegion = "US"

	webhooksPath = "/webhooks/v1"
	tokenPath    = "/authentication/v2/token"

	// maxPages bounds a listing so that a server whose next links never end cannot hold a
	// reconcile forever: 1000 pages of 200 is far beyond any app's hooks. A page state seen
	// before stops the listing at once (httpx.Pager).
	maxPages = 1000
	// defaultRateLimitWait applies when a 429 carries no Retry-After. APS documents none.
	defaultRateLimitWait = 10 * time.Second
)

// Regions are the APS regions, the default first.
var Regions = []string{"US", "EMEA", "AUS", "CAN", "DEU", "IND", "JPN", "GBR"}

// Hook is a hook as the APS Webhooks API represents it on the wire (HookDetails), plus the
// region it was read from, which the wire does not carry.
type Hook struct {
	HookID          string `json:"hookId"`
	Tenant          string `json:"tenant,omitempty"`
	CallbackURL     string `json:"callbackUrl,omitempty"`
	CreatedBy       string `json:"createdBy,omitempty"`
	Event           string `json:"event,omitempty"`
	CreatedDate     string `json:"createdDate,omitempty"`
	LastUpdatedDate string `json:"lastUpdatedDate,omitempty"`
	System          string `json:"system,omitempty"`
	CreatorType     string `json:"creatorType,omitempty"`
	Status          string `json:"status,omitempty"`
	// AutoReactivateHook is a boolean on the wire.
	AutoReactivateHook Bool `json:"autoReactivateHook,omitempty"`
	// HookExpiry is returned only when it was set.
	HookExpiry    string          `json:"hookExpiry,omitempty"`
	Scope         Scope           `json:"scope,omitempty"`
	HookAttribute json.RawMessage `json:"hookAttribute,omitempty"`
	Filter        string          `json:"filter,omitempty"`
	HubID         string          `json:"hubId,omitempty"`
	ProjectID     string          `json:"projectId,omitempty"`
	// CallbackWithEventPayloadOnly is documented as a string in HookDetails although create
	// takes a boolean; Bool reads both.
	CallbackWithEventPayloadOnly Bool   `json:"callbackWithEventPayloadOnly,omitempty"`
	URN                          string `json:"urn,omitempty"`
	// Self is the hook's path relative to /webhooks/v1: "/systems/{s}/events/{e}/hooks/{id}".
	Self string `json:"__self__,omitempty"`

	// Region is the region the hook was read from.
	Region string `json:"-"`
}

// Bool reads a JSON boolean, or a string "true"/"false" in any case; anything else is false.
type Bool bool

// UnmarshalJSON accepts true, false, "true", "false" and null, and reads any other value as false
// rather than failing a whole list over one odd field.
func (b *Bool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(strings.TrimSpace(string(data)), `"`)
	v, err := strconv.ParseBool(strings.ToLower(s))
	*b = Bool(err == nil && v)
	return nil
}

// Scope is a hook's scope, such as {"folder": "urn:..."}. Values that are not strings are kept
// as their JSON text rather than failing the whole response.
type Scope map[string]string

// UnmarshalJSON reads a JSON object of any values; null leaves the scope empty.
func (s *Scope) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		*s = nil
		return nil
	}
	out := make(Scope, len(raw))
	for k, v := range raw {
		var str string
		if json.Unmarshal(v, &str) == nil {
			out[k] = str
		} else {
			out[k] = string(v)
		}
	}
	*s = out
	return nil
}

// timeLayouts are tried in turn: APS writes "2017-09-14T06:57:50.597+0000" (no colon in the
// offset) for dates it sets and RFC 3339 for hookExpiry.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
}

func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// CreatedTime parses CreatedDate. It reports false when it is empty or unreadable.
func (h *Hook) CreatedTime() (time.Time, bool) { return parseTime(h.CreatedDate) }

// location is where a hook lives: APS addresses a hook by region, system and event, not by id alone.
type location struct {
	Region, System, Event string
}

// locationOf reads the hook's own system and event, from its fields or else from __self__, and
// falls back on def for what it cannot tell.
func locationOf(h *Hook, def location) location {
	loc := location{Region: h.Region, System: h.System, Event: h.Event}
	if loc.System == "" || loc.Event == "" {
		// "/systems/{s}/events/{e}/hooks/{id}"
		parts := strings.Split(strings.Trim(h.Self, "/"), "/")
		if len(parts) == 6 && parts[0] == "systems" && parts[2] == "events" && parts[4] == "hooks" {
			if loc.System == "" {
				loc.System = parts[1]
			}
			if loc.Event == "" {
				loc.Event = parts[3]
			}
		}
	}
	if loc.Region == "" {
		loc.Region = def.Region
	}
	if loc.System == "" {
		loc.System = def.System
	}
	if loc.Event == "" {
		loc.Event = def.Event
	}
	return loc
}

// segment escapes one path segment but keeps "*", which event wildcards use and which RFC 3986
// allows unescaped.
func segment(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "%2A", "*")
}

func eventHooksPath(loc location) string {
	return webhooksPath + "/systems/" + segment(loc.System) + "/events/" + segment(loc.Event) + "/hooks"
}

func hookPath(loc location, id string) string {
	return eventHooksPath(loc) + "/" + segment(id)
}

// createPayload is HookPayload.
type createPayload struct {
	CallbackURL                  string            `json:"callbackUrl"`
	Scope                        map[string]string `json:"scope"`
	HookAttribute                json.RawMessage   `json:"hookAttribute,omitempty"`
	Filter                       string            `json:"filter,omitempty"`
	HubID                        string            `json:"hubId,omitempty"`
	ProjectID                    string            `json:"projectId,omitempty"`
	Tenant                       string            `json:"tenant,omitempty"`
	AutoReactivateHook           *bool             `json:"autoReactivateHook,omitempty"`
	HookExpiry                   string            `json:"hookExpiry,omitempty"`
	CallbackWithEventPayloadOnly *bool             `json:"callbackWithEventPayloadOnly,omitempty"`
}

// client calls the APS webhooks API with one credential. It is cheap: one is built per call.
type client struct {
	base   string
	hc     *http.Client
	bearer func(ctx context.Context, op string) (string, error)
	// refused drops a token the API answered 401 to, so that the next call fetches a new one.
	refused func(token string)
	redact  []string
}

// response is a 2xx answer, already read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// get reads the hook at loc.
func (c *client) get(ctx context.Context, op string, loc location, id string) (*Hook, error) {
	resp, err := c.do(ctx, op, http.MethodGet, loc.Region, hookPath(loc, id), nil, nil)
	if err != nil {
		return nil, err
	}
	var h Hook
	if err := json.Unmarshal(resp.body, &h); err != nil {
		return nil, c.unavailable(op, resp.status, fmt.Errorf("unreadable hook: %w", err))
	}
	if h.HookID == "" {
		h.HookID = id
	}
	h.Region = loc.Region
	own := locationOf(&h, loc)
	h.System, h.Event = own.System, own.Event
	return &h, nil
}

// create makes a hook and returns its id, read from the Location header of the 201 (whose body
// is empty), or from a body if APS ever sends one. It returns "" when neither names it.
func (c *client) create(ctx context.Context, loc location, in *createPayload) (string, error) {
	resp, err := c.do(ctx, "create", http.MethodPost, loc.Region, eventHooksPath(loc), nil, in)
	if err != nil {
		return "", err
	}
	if id := hookIDFromLocation(resp.header.Get("Location")); id != "" {
		return id, nil
	}
	var body struct {
		HookID string `json:"hookId"`
	}
	if json.Unmarshal(resp.body, &body) == nil && body.HookID != "" {
		return body.HookID, nil
	}
	return "", nil
}

// hookIDFromLocation returns the last path segment of an absolute or relative Location, or ""
// when it names no hook.
func hookIDFromLocation(location string) string {
	location = strings.TrimSpace(location)
	if location == "" {
		return ""
	}
	u, err := url.Parse(location)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.Path, "/")
	id := p[strings.LastIndex(p, "/")+1:]
	if id == "hooks" {
		return ""
	}
	return id
}

// patch changes the hook at loc. APS's OpenAPI says 200, its examples 204: any 2xx will do.
func (c *client) patch(ctx context.Context, op string, loc location, id string, body map[string]any) error {
	_, err := c.do(ctx, op, http.MethodPatch, loc.Region, hookPath(loc, id), nil, body)
	return err
}

// delete removes the hook at loc. A missing hook is an error of KindNotFound.
func (c *client) delete(ctx context.Context, loc location, id string) error {
	_, err := c.do(ctx, "delete", http.MethodDelete, loc.Region, hookPath(loc, id), nil, nil)
	return err
}

// list returns every hook of a list endpoint. It re-requests path with the pageState taken from
// links.next rather than following next, whose documented form varies (relative to
// /webhooks/v1, a different list's path, or the bare state).
func (c *client) list(ctx context.Context, op, region, path string, query url.Values) ([]Hook, error) {
	var all []Hook
	pager := httpx.NewPager(maxPages)
	state := ""
	for {
		q := url.Values{}
		maps.Copy(q, query)
		if state != "" {
			q.Set("pageState", state)
		}
		resp, err := c.do(ctx, op, http.MethodGet, region, path, q, nil)
		if err != nil {
			return nil, err
		}
		if resp.status == http.StatusNoContent || len(bytes.TrimSpace(resp.body)) == 0 {
			return all, nil
		}
		var page struct {
			Links json.RawMessage `json:"links"`
			Data  []Hook          `json:"data"`
		}
		if err := json.Unmarshal(resp.body, &page); err != nil {
			return nil, c.unavailable(op, resp.status, fmt.Errorf("unreadable hook list: %w", err))
		}
		for i := range page.Data {
			page.Data[i].Region = region
		}
		all = append(all, page.Data...)
		next := nextLink(page.Links)
		if next == "" {
			return all, nil
		}
		if state, err = pageState(next); err != nil {
			return nil, c.unavailable(op, resp.status, err)
		}
		if err := pager.Next(state); err != nil {
			return nil, c.unavailable(op, resp.status, err)
		}
	}
}

// nextLink reads links.next, which may be missing, null, empty, or inside a links that is
// itself null or {}.
func nextLink(links json.RawMessage) string {
	var l map[string]any
	if json.Unmarshal(links, &l) != nil {
		return ""
	}
	next, _ := l["next"].(string)
	return strings.TrimSpace(next)
}

// pageState extracts the state from a next link such as "/hooks?pageState=AMM...". The value is
// taken raw, so that a "+" of standard base64 is not read as a space. A next without a path or
// query is taken as the bare state, as the OpenAPI's "Base64 encoded string" suggests.
func pageState(next string) (string, error) {
	_, query, hasQuery := strings.Cut(next, "?")
	if hasQuery {
		for _, kv := range strings.Split(query, "&") {
			if k, v, ok := strings.Cut(kv, "="); ok && k == "pageState" && v != "" {
				if un, err := url.PathUnescape(v); err == nil {
					return un, nil
				}
				return v, nil
			}
		}
	}
	if !hasQuery && !strings.HasPrefix(next, "/") && !strings.Contains(next, "://") {
		return next, nil
	}
	return "", errors.New("the next page link carries no pageState")
}

// do sends one request and returns a 2xx answer. Every other answer becomes a *providers.Error.
func (c *client) do(ctx context.Context, op, method, region, path string, query url.Values, in any) (*response, error) {
	token, err := c.bearer(ctx, op)
	if err != nil {
		return nil, err
	}
	cl := c.withRedactions(token)
	req, err := cl.newRequest(ctx, method, region, path, query, in, token)
	if err != nil {
		return nil, cl.unavailable(op, 0, err)
	}
	resp, err := httpx.Send(cl.hc, req, ProviderName, op, cl.redact)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized && cl.refused != nil {
		cl.refused(token)
	}
	if !resp.OK() {
		return nil, cl.statusError(op, resp.StatusCode, resp.Header, resp.Body)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: resp.Body}, nil
}

func (c *client) newRequest(ctx context.Context, method, region, path string, query url.Values, in any, token string) (*http.Request, error) {
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := httpx.NewJSONRequest(ctx, method, target, token, in)
	if err != nil {
		return nil, err
	}
	req.Header.Set("x-ads-region", region)
	return req, nil
}

func (c *client) withRedactions(values ...string) *client {
	cp := *c
	cp.redact = append(append([]string(nil), c.redact...), values...)
	return &cp
}
