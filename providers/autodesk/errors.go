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
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

// messageFields are the body fields read into an error's message, in this order. APS documents
// only {"id"} for the webhooks service; its gateway sends developerMessage, its token endpoint
// OAuth's error_description; the others are there because the full shape is unconfirmed.
var messageFields = []string{"developerMessage", "detail", "message", "errorMessage", "title", "error_description"}

// codeFields are short error codes, such as "invalid_client", put before the message.
var codeFields = []string{"error", "errorCode", "code"}

// trackingHeaders name the request id a support ticket needs, first found wins.
var trackingHeaders = []string{"x-ads-troubleshooting-id", "x-request-id"}

// statusError turns a non-2xx response into the taxonomy the controller understands.
func (c *client) statusError(op string, code int, header http.Header, body []byte) *providers.Error {
	e := &providers.Error{
		Kind:       providers.KindForStatus(code),
		Provider:   ProviderName,
		Op:         op,
		StatusCode: code,
		Message:    c.scrub(errorMessage(body, code)),
		TrackingID: c.scrub(trackingID(header)),
	}
	setRetryAfter(e, header)
	return e
}

// setRetryAfter carries Retry-After: always for a 429 (10 s when absent, at least 1 s), and for
// any other status that sends one.
func setRetryAfter(e *providers.Error, header http.Header) {
	httpx.SetRetryAfter(e, header, defaultRateLimitWait)
}

// errorMessage reads whichever known fields the body has, since its shape is unconfirmed, and
// falls back on the status text.
func errorMessage(body []byte, code int) string {
	if m := bodyMessage(body); m != "" {
		return m
	}
	if text := http.StatusText(code); text != "" {
		return strings.ToLower(text)
	}
	return "unexpected response"
}

func bodyMessage(body []byte) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	for _, name := range messageFields {
		for _, s := range texts(fields[name]) {
			add(s)
		}
	}
	if id := text(fields["id"]); id != "" {
		add("id " + id)
	}
	msg := strings.Join(parts, "; ")
	for _, name := range codeFields {
		if code := text(fields[name]); code != "" && !slices.Contains(parts, code) {
			if msg == "" {
				return code
			}
			return code + ": " + msg
		}
	}
	return msg
}

// text reads a JSON string, or "".
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// texts reads a JSON string or an array of strings; other values give nothing.
func texts(raw json.RawMessage) []string {
	if s := text(raw); s != "" {
		return []string{s}
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	return list
}

func trackingID(h http.Header) string {
	for _, name := range trackingHeaders {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			return v
		}
	}
	return ""
}

// unavailable wraps a failure without a usable answer: the request may not have reached APS, so
// the controller retries it with backoff.
func (c *client) unavailable(op string, code int, err error) *providers.Error {
	return unavailable(op, code, err, c.redact)
}

func unavailable(op string, code int, err error, redact []string) *providers.Error {
	return httpx.Unavailable(ProviderName, op, code, err, redact)
}

// scrub makes text of the answer safe for an error: no credential, no control character, short.
func (c *client) scrub(s string) string {
	return httpx.SafeText(s, c.redact)
}
