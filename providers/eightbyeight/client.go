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

package eightbyeight

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

const (
	// ProviderName is the name carried by every error of this package.
	ProviderName = "eightbyeight"

	// defaultRateLimitWait is used when a 429 carries no Retry-After: 8x8 documents "Retry-After: 1"
	// for its messaging APIs, so one second is its own idea of a short wait.
	defaultRateLimitWait = time.Second
)

// Webhook is a Chat Apps webhook as 8x8 represents it on the wire. There is no id: the account in
// the path, SubAccountID and Type identify it.
type Webhook struct {
	SubAccountID string `json:"subAccountId"`
	// Type is MSG, CADR or CABM. 8x8 reads an absent type as "CADR and MSG", so the client
	// always sends one.
	Type string `json:"type,omitempty"`
	URL  string `json:"url"`
	// Enabled is a pointer because 8x8 documents true as the default of an absent value; the
	// client always sends it.
	Enabled *bool `json:"enabled,omitempty"`
	// HTTPAuthorization is the Authorization header 8x8 sends with each delivery. 8x8 reads it
	// back as "***".
	HTTPAuthorization string `json:"httpAuthorization,omitempty"`
	OAuth             *OAuth `json:"oauth,omitempty"`
}

// IsEnabled reports Enabled, which 8x8 defaults to true.
func (w *Webhook) IsEnabled() bool {
	return w.Enabled == nil || *w.Enabled
}

// OAuth is the client-credentials configuration 8x8 uses to fetch a token for each delivery.
type OAuth struct {
	URL      string `json:"url"`
	ClientID string `json:"clientId"`
	// ClientSecret is read back as "***".
	ClientSecret string `json:"clientSecret,omitempty"`
	// CredentialsLocation is "header" (HTTP Basic) or "body" (form fields).
	CredentialsLocation string `json:"credentialsLocation"`
	Scope               string `json:"scope,omitempty"`
}

// configured reports whether o holds a configuration at all: a server may answer an empty
// object, or null, for a webhook without OAuth.
func (o *OAuth) configured() bool {
	return o != nil && (o.URL != "" || o.ClientID != "" || o.ClientSecret != "")
}

// Key identifies a webhook within an account; it is the body item of a DELETE.
type Key struct {
	SubAccountID string `json:"subAccountId"`
	Type         string `json:"type"`
}

// Client calls the 8x8 webhook configuration API of one region with one API key. It is safe for
// concurrent use.
type Client struct {
	base   *url.URL
	hc     *http.Client
	apiKey string
	redact []string
}

// NewClient returns a client for the API at baseURL, such as "https://chatapps.8x8.com", that
// authenticates with apiKey, through a copy of hc that follows no redirect (see
// httpx.NoRedirects). Redact lists further values, such as the delivery secrets, that must
// never appear in an error even when the server echoes them.
func NewClient(baseURL string, hc *http.Client, apiKey string, redact ...string) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("eightbyeight: base URL %q is not an absolute http(s) URL", baseURL)
	}
	if hc == nil {
		hc = defaultHTTPClient()
	}
	return &Client{base: base, hc: httpx.NoRedirects(hc), apiKey: apiKey, redact: append([]string{apiKey}, redact...)}, nil
}

func defaultHTTPClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second}
}

// List returns every webhook of the account. 8x8 documents a JSON array; an empty body or null
// is read as no webhooks, since an empty account is where a server is most likely to cut corners.
func (c *Client) List(ctx context.Context, accountID string) ([]Webhook, error) {
	body, err := c.do(ctx, "list", http.MethodGet, accountID, nil)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return nil, nil
	}
	var hooks []Webhook
	if err := json.Unmarshal(trimmed, &hooks); err != nil {
		return nil, c.unavailable("list", http.StatusOK, fmt.Errorf("unreadable webhook list: %w", err))
	}
	return hooks, nil
}

// Upsert creates the webhooks, or replaces those whose (subAccountId, type) exist already. 8x8
// answers 200 without a documented body, so whatever comes back is ignored.
func (c *Client) Upsert(ctx context.Context, accountID string, hooks ...Webhook) error {
	cl := c.withRedactions(secretsOf(hooks)...)
	_, err := cl.do(ctx, "upsert", http.MethodPost, accountID, hooks)
	return err
}

// Delete removes the webhooks with the given keys. A key that does not exist is reported as an
// error of KindNotFound, whether 8x8 says so with a 404 or with a 400 of code 1300; callers that
// want idempotence check for it.
func (c *Client) Delete(ctx context.Context, accountID string, keys ...Key) error {
	_, err := c.do(ctx, "delete", http.MethodDelete, accountID, keys)
	return err
}

func secretsOf(hooks []Webhook) []string {
	var values []string
	for _, h := range hooks {
		values = append(values, h.HTTPAuthorization)
		if h.OAuth != nil {
			values = append(values, h.OAuth.ClientSecret)
		}
	}
	return values
}

func (c *Client) withRedactions(values ...string) *Client {
	cp := *c
	cp.redact = append(append([]string(nil), c.redact...), values...)
	return &cp
}

// endpoint escapes the account id so that it can never reach another path.
func (c *Client) endpoint(accountID string) string {
	return c.base.String() + "/api/v1/accounts/" + url.PathEscape(accountID) + "/webhooks"
}

// do sends one request and returns the body of a 2xx answer.
func (c *Client) do(ctx context.Context, op, method, accountID string, in any) ([]byte, error) {
	req, err := httpx.NewJSONRequest(ctx, method, c.endpoint(accountID), c.apiKey, in)
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
	return resp.Body, nil
}
