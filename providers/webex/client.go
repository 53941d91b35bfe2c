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

package webex

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

const (
	// DefaultBaseURL is the public Webex REST API.
	DefaultBaseURL = "https://webexapis.com/v1"

	// StatusActive is the status of a webhook that delivers; it is also the only status a PUT
	// may send, to re-activate a webhook that Webex disabled.
	StatusActive = "active"
	// StatusInactive is the status of a webhook that Webex disabled after failed deliveries.
	StatusInactive = "inactive"

	// ProviderName is the name carried by every error of this package.
	ProviderName = "webex"

	// pageSize is the largest page Webex documents for the list endpoint.
	pageSize = 100
	// maxPages bounds a listing so that a server whose next links never end cannot hold a
	// reconcile forever: 1000 pages of 100 is far beyond the documented per-user limit. A next
	// link seen before stops the listing at once (httpx.Pager).
	maxPages = 1000
	// defaultRateLimitWait is what the official SDK waits when a 429 carries no Retry-After.
	defaultRateLimitWait = 15 * time.Second
)

// Webhook is a webhook as the Webex API represents it on the wire.
type Webhook struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	TargetURL string `json:"targetUrl,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Event     string `json:"event,omitempty"`
	Filter    string `json:"filter,omitempty"`
	Secret    string `json:"secret,omitempty"`
	Status    string `json:"status,omitempty"`
	// Created is kept as text so that an unexpected format never makes a whole list unreadable;
	// CreatedTime parses it.
	Created   string `json:"created,omitempty"`
	OwnedBy   string `json:"ownedBy,omitempty"`
	OrgID     string `json:"orgId,omitempty"`
	CreatedBy string `json:"createdBy,omitempty"`
	AppID     string `json:"appId,omitempty"`
}

// createdLayouts are tried in turn: Go's RFC 3339 parser already accepts "Z", "+00:00" and
// fractional seconds, the others cover offsets written without a colon.
var createdLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
}

// CreatedTime parses Created. It reports false when Created is empty or unreadable.
func (w *Webhook) CreatedTime() (time.Time, bool) {
	s := strings.TrimSpace(w.Created)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range createdLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// CreateRequest is the body of POST /webhooks.
type CreateRequest struct {
	Name      string `json:"name"`
	TargetURL string `json:"targetUrl"`
	Resource  string `json:"resource"`
	Event     string `json:"event"`
	Filter    string `json:"filter,omitempty"`
	Secret    string `json:"secret,omitempty"`
	OwnedBy   string `json:"ownedBy,omitempty"`
}

// UpdateRequest is the body of PUT /webhooks/{id}. Webex requires name and targetUrl on every
// PUT, so they are never omitted; Status may only be StatusActive, or empty.
type UpdateRequest struct {
	Name      string `json:"name"`
	TargetURL string `json:"targetUrl"`
	Secret    string `json:"secret,omitempty"`
	Status    string `json:"status,omitempty"`
}

// ListOptions narrow a listing.
type ListOptions struct {
	// OwnedBy "org" lists only org-wide webhooks; empty lists the token's own.
	OwnedBy string
	// Max is the page size asked for; 0 means the documented maximum of 100.
	Max int
}

// Client calls the Webex webhooks API with one access token. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	hc     *http.Client
	token  string
	redact []string
}

// NewClient returns a client for the API at baseURL (DefaultBaseURL when empty) that
// authenticates with token, through a copy of hc that follows no redirect (see httpx.NoRedirects). Redact lists further values, such as signing secrets, that must
// never appear in an error even when the server echoes them.
func NewClient(baseURL string, hc *http.Client, token string, redact ...string) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("webex: base URL %q is not an absolute URL", baseURL)
	}
	if hc == nil {
		hc = defaultHTTPClient()
	}
	return &Client{base: base, hc: httpx.NoRedirects(hc), token: token, redact: append([]string{token}, redact...)}, nil
}

func defaultHTTPClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second}
}

// List returns every webhook the token can see, following the Link rel="next" header across
// all pages.
func (c *Client) List(ctx context.Context, opts ListOptions) ([]Webhook, error) {
	pager := httpx.NewPager(maxPages)
	var all []Webhook
	for next := c.listURL(opts); next != ""; {
		var page struct {
			Items []Webhook `json:"items"`
		}
		header, err := c.do(ctx, "list", http.MethodGet, next, nil, &page)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if next, err = c.nextPage(next, header); err != nil {
			return nil, err
		}
		if next != "" {
			if err := pager.Next(next); err != nil {
				return nil, c.unavailable("list", 0, err)
			}
		}
	}
	return all, nil
}

func (c *Client) listURL(opts ListOptions) string {
	max := opts.Max
	if max <= 0 || max > pageSize {
		max = pageSize
	}
	q := url.Values{"max": {strconv.Itoa(max)}}
	if opts.OwnedBy != "" {
		q.Set("ownedBy", opts.OwnedBy)
	}
	return c.endpoint("webhooks") + "?" + q.Encode()
}

// nextPage resolves the next link against the page it came from. It refuses a link to another
// origin, because following it would hand the token to that host.
func (c *Client) nextPage(current string, header http.Header) (string, error) {
	link := nextLink(header)
	if link == "" {
		return "", nil
	}
	cur, _ := url.Parse(current)
	ref, err := url.Parse(link)
	if err != nil {
		return "", c.unavailable("list", 0, fmt.Errorf("unreadable next page link: %w", err))
	}
	u := cur.ResolveReference(ref)
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return "", c.unavailable("list", 0, fmt.Errorf("next page link leaves %s", c.base.Host))
	}
	return u.String(), nil
}

// Get returns the webhook with the given id.
func (c *Client) Get(ctx context.Context, id string) (*Webhook, error) {
	var w Webhook
	if _, err := c.do(ctx, "get", http.MethodGet, c.endpoint("webhooks", id), nil, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// Create makes a webhook. Webex answers 200 where REST would say 201; either is accepted.
func (c *Client) Create(ctx context.Context, in CreateRequest) (*Webhook, error) {
	cl := c.withRedactions(in.Secret)
	var w Webhook
	if _, err := cl.do(ctx, "create", http.MethodPost, c.endpoint("webhooks"), in, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// Update changes the name, target URL, secret and status of the webhook with the given id.
// Webex ignores every other field on a PUT.
func (c *Client) Update(ctx context.Context, id string, in UpdateRequest) (*Webhook, error) {
	cl := c.withRedactions(in.Secret)
	var w Webhook
	if _, err := cl.do(ctx, "update", http.MethodPut, c.endpoint("webhooks", id), in, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// Delete removes the webhook with the given id. A webhook that does not exist is reported as
// an error of KindNotFound; callers that want idempotence check for it.
func (c *Client) Delete(ctx context.Context, id string) error {
	_, err := c.do(ctx, "delete", http.MethodDelete, c.endpoint("webhooks", id), nil, nil)
	return err
}

func (c *Client) withRedactions(values ...string) *Client {
	cp := *c
	cp.redact = append(append([]string(nil), c.redact...), values...)
	return &cp
}

// endpoint escapes each segment so that an id can never reach another path.
func (c *Client) endpoint(segments ...string) string {
	escaped := make([]string, len(segments))
	for i, s := range segments {
		escaped[i] = url.PathEscape(s)
	}
	return c.base.String() + "/" + strings.Join(escaped, "/")
}

// do sends one request and decodes a 2xx answer into out. It returns the response headers
// for the caller that pages.
func (c *Client) do(ctx context.Context, op, method, target string, in, out any) (http.Header, error) {
	req, err := httpx.NewJSONRequest(ctx, method, target, c.token, in)
	if err != nil {
		return nil, c.unavailable(op, 0, err)
	}
	resp, err := httpx.Send(c.hc, req, ProviderName, op, c.redact)
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, c.statusError(op, resp)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return nil, c.unavailable(op, resp.StatusCode, fmt.Errorf("unreadable response: %w", err))
		}
	}
	return resp.Header, nil
}
