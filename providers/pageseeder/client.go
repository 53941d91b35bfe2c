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

package pageseeder

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

// client calls the webhook services of one PageSeeder client with one access token. Every path
// carries the .json suffix and every request Accept: application/json, as PageSeeder's own SDK
// does; errors may still come back as XML.
type client struct {
	hc *http.Client
	// root is the service root: serverUrl plus servicePath, without a trailing slash.
	root string
	// owner is the internal numeric id of the OAuth client whose webhooks these are.
	owner  int64
	token  string
	redact []string
	// forgetToken drops a cached OAuth token that the server refused, so that the next call
	// fetches a new one; nil for a plain token.
	forgetToken func()
}

func (c *client) webhooksPath() string {
	return fmt.Sprintf("/clients/%d/webhooks", c.owner)
}

func (c *client) webhookPath(id int64) string {
	return fmt.Sprintf("%s/%d", c.webhooksPath(), id)
}

// list returns every webhook of the client: the service documents no paging.
func (c *client) list(ctx context.Context) ([]Webhook, error) {
	body, status, err := c.do(ctx, "list", http.MethodGet, c.webhooksPath()+".json", nil)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var items []Webhook
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, c.unreadable("list", status, err)
		}
		return items, nil
	}
	var page struct {
		Webhooks []Webhook `json:"webhooks"`
	}
	if err := json.Unmarshal(trimmed, &page); err != nil {
		return nil, c.unreadable("list", status, err)
	}
	return page.Webhooks, nil
}

func (c *client) get(ctx context.Context, id int64) (*Webhook, error) {
	body, status, err := c.do(ctx, "get", http.MethodGet, c.webhookPath(id)+".json", nil)
	if err != nil {
		return nil, err
	}
	w := decodeWebhook(body)
	if !w.usable() {
		return nil, c.unreadable("get", status, fmt.Errorf("no webhook in the response"))
	}
	return w, nil
}

// create posts the parameters and returns what the answer holds, which may be nothing usable:
// the shape of the answer is not documented.
func (c *client) create(ctx context.Context, params url.Values) (*Webhook, error) {
	body, _, err := c.do(ctx, "create", http.MethodPost, c.webhooksPath()+".json", params)
	if err != nil {
		return nil, err
	}
	return decodeWebhook(body), nil
}

// edit patches the parameters; like create, its answer may hold nothing usable.
func (c *client) edit(ctx context.Context, id int64, params url.Values) (*Webhook, error) {
	body, _, err := c.do(ctx, "update", http.MethodPatch, c.webhookPath(id)+".json", params)
	if err != nil {
		return nil, err
	}
	return decodeWebhook(body), nil
}

// remove deletes the webhook. The answer's body is not documented and is not read.
func (c *client) remove(ctx context.Context, id int64) error {
	_, _, err := c.do(ctx, "delete", http.MethodDelete, c.webhookPath(id)+".json", nil)
	return err
}

// ping asks PageSeeder to post webhook.ping to the webhook's url; on success the webhook moves
// from pending to active. The request is counted as a "ping", not as the call (create, update)
// that asks for it.
func (c *client) ping(ctx context.Context, id int64) error {
	ctx = providers.WithOperation(ctx, providers.OperationPing)
	_, _, err := c.do(ctx, "ping", http.MethodGet, c.webhookPath(id)+"/ping.json", nil)
	return err
}

// decodeWebhook reads a webhook at the top level or wrapped as {"webhook":{...}}; it returns
// nil when the body holds neither.
func decodeWebhook(body []byte) *Webhook {
	var wrapped struct {
		Webhook *Webhook `json:"webhook"`
	}
	if json.Unmarshal(body, &wrapped) == nil && wrapped.Webhook != nil && wrapped.Webhook.ID > 0 {
		return wrapped.Webhook
	}
	var w Webhook
	if json.Unmarshal(body, &w) == nil && w.ID > 0 {
		return &w
	}
	return nil
}

// do sends one request and returns the body of a 2xx answer.
func (c *client) do(ctx context.Context, op, method, path string, form url.Values) ([]byte, int, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := httpx.NewRequest(ctx, method, c.root+path, c.token, body, "application/x-www-form-urlencoded; charset=UTF-8")
	if err != nil {
		return nil, 0, unavailable(op, 0, err, c.redact)
	}
	resp, err := httpx.Send(c.hc, req, ProviderName, op, c.redact)
	if err != nil {
		if refused := refusedEndpoint(op, err); refused != nil {
			return nil, 0, refused
		}
		return nil, 0, err
	}
	if !resp.OK() {
		if resp.StatusCode == http.StatusUnauthorized && c.forgetToken != nil {
			c.forgetToken()
		}
		return nil, resp.StatusCode, c.statusError(op, resp)
	}
	return resp.Body, resp.StatusCode, nil
}

func (c *client) unreadable(op string, status int, err error) error {
	return unavailable(op, status, fmt.Errorf("unreadable response: %w", err), c.redact)
}

// scrub makes text of the answer safe for an error: no credential, no control character, short.
func (c *client) scrub(s string) string {
	return httpx.SafeText(s, c.redact)
}
