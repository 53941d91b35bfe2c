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
	"encoding/json"
	"net/http"
	"strings"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

// errorBody is the error document Webex sends with a failed request.
type errorBody struct {
	Message string `json:"message"`
	Errors  []struct {
		Description string `json:"description"`
	} `json:"errors"`
	TrackingID string `json:"trackingId"`
}

// statusError turns a non-2xx response into the taxonomy the controller understands.
func (c *Client) statusError(op string, resp *httpx.Response) *providers.Error {
	var eb errorBody
	_ = json.Unmarshal(resp.Body, &eb) // a body that is not the error document still yields a status error
	e := &providers.Error{
		Kind:       providers.KindForStatus(resp.StatusCode),
		Provider:   ProviderName,
		Op:         op,
		StatusCode: resp.StatusCode,
		Message:    c.scrub(errorMessage(&eb, resp.StatusCode)),
		TrackingID: c.scrub(trackingID(&eb, resp.Header)),
	}
	if resp.StatusCode == http.StatusLocked && resp.Header.Get("Retry-After") != "" {
		// Webex documents 423 as a temporary lock with a wait, which is a rate limit in all but name.
		e.Kind = providers.KindRateLimited
	}
	httpx.SetRetryAfter(e, resp.Header, defaultRateLimitWait)
	return e
}

func errorMessage(eb *errorBody, code int) string {
	if m := strings.TrimSpace(eb.Message); m != "" {
		return m
	}
	for _, d := range eb.Errors {
		if m := strings.TrimSpace(d.Description); m != "" {
			return m
		}
	}
	if text := http.StatusText(code); text != "" {
		return strings.ToLower(text)
	}
	return "unexpected response"
}

// trackingID prefers the body, as the official SDK does, and falls back on the header that
// some gateways set when they answer before the API does.
func trackingID(eb *errorBody, h http.Header) string {
	if eb.TrackingID != "" {
		return eb.TrackingID
	}
	return h.Get("trackingId")
}

// unavailable wraps a failure without a usable answer: the request may not have reached Webex,
// so the controller retries it with backoff.
func (c *Client) unavailable(op string, code int, err error) *providers.Error {
	return httpx.Unavailable(ProviderName, op, code, err, c.redact)
}

// scrub makes text of the answer safe for an error: no credential, no control character, short.
func (c *Client) scrub(s string) string {
	return httpx.SafeText(s, c.redact)
}
