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
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

// defaultRateLimitWait is the wait after a 429 without Retry-After. PageSeeder documents no
// rate limit at all, so this is a modest guess rather than a vendor's figure.
const defaultRateLimitWait = 5 * time.Second

// pingFailureIDs are the documented ids of a ping the receiver failed: 170A the receiver did not
// answer 2xx, 170B it did not echo X-PS-Secret, 170C it could not be reached.
var pingFailureIDs = map[string]bool{"170A": true, "170B": true, "170C": true}

// serviceError is what PageSeeder's error documents say: an id (hex, such as "0201") and a
// message.
type serviceError struct {
	ID      string
	Message string
}

// parseServiceError reads the error documents PageSeeder is known to send: JSON flat
// {"id","request","message"}, JSON wrapped {"error":{"id","message"}}, either with
// "description" in place of "message", OAuth's {"error","error_description"}, and XML
// <error id="..."><request/><message/></error>, which a server may send even to a .json call.
// Anything else gives an empty result.
func parseServiceError(body []byte) serviceError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return serviceError{}
	}
	if body[0] == '<' {
		var doc struct {
			XMLName xml.Name
			ID      string `xml:"id,attr"`
			Message string `xml:"message"`
		}
		if xml.Unmarshal(body, &doc) != nil || doc.XMLName.Local != "error" {
			return serviceError{}
		}
		return serviceError{ID: strings.TrimSpace(doc.ID), Message: strings.TrimSpace(doc.Message)}
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return serviceError{}
	}
	if inner, ok := top["error"]; ok {
		var nested map[string]json.RawMessage
		if json.Unmarshal(inner, &nested) == nil {
			return fromFields(nested)
		}
		// OAuth's form: "error" is a code, "error_description" the explanation.
		se := fromFields(top)
		code := jsonText(inner)
		se.Message = firstNonEmpty(jsonText(top["error_description"]), se.Message, code)
		return se
	}
	return fromFields(top)
}

func fromFields(m map[string]json.RawMessage) serviceError {
	return serviceError{
		ID:      jsonText(m["id"]),
		Message: firstNonEmpty(jsonText(m["message"]), jsonText(m["description"])),
	}
}

// jsonText reads a JSON string or number as text; anything else is "".
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// normalizeID writes an error id the way the documentation does in prose: no "0x", upper case.
func normalizeID(id string) string {
	id = strings.TrimSpace(id)
	if len(id) > 2 && (id[:2] == "0x" || id[:2] == "0X") {
		id = id[2:]
	}
	return strings.ToUpper(id)
}

// statusError turns a non-2xx response into the taxonomy the controller understands. A 404 is
// KindNotFound whatever the error id, since the ids of a missing webhook are not documented.
func (c *client) statusError(op string, resp *httpx.Response) *providers.Error {
	se := parseServiceError(resp.Body)
	msg := se.Message
	if msg == "" {
		msg = statusText(resp.StatusCode)
	}
	e := &providers.Error{
		Kind:       providers.KindForStatus(resp.StatusCode),
		Provider:   ProviderName,
		Op:         op,
		StatusCode: resp.StatusCode,
		Message:    c.scrub(msg),
		TrackingID: normalizeID(c.scrub(se.ID)),
	}
	setRetryAfter(e, resp.Header)
	return e
}

func setRetryAfter(e *providers.Error, h http.Header) {
	httpx.SetRetryAfter(e, h, defaultRateLimitWait)
}

func statusText(code int) string {
	if text := http.StatusText(code); text != "" {
		return strings.ToLower(text)
	}
	return "unexpected response"
}

// isPingFailure reports whether err is PageSeeder's report that the receiver failed the ping,
// as opposed to a failure of the service itself.
func isPingFailure(err error) bool {
	var pe *providers.Error
	return errors.As(err, &pe) && pingFailureIDs[pe.TrackingID]
}

// tokenError classifies a failed token request: refused credentials (400, 401, 403, or an
// OAuth error in a 2xx answer) are Unauthorized, 429 RateLimited, and everything else,
// including a 404 from a serverUrl that is no PageSeeder, Unavailable: never NotFound, which
// would make the controller believe the webhook is gone. The oauth2 package's own error text
// quotes the whole response body, so it is never kept; the message is rebuilt from the parsed,
// scrubbed fields. An error of our own that the transport raised before the request left, such
// as the client-side rate limit, keeps its kind and RetryAfter.
func tokenError(err error, redact []string) *providers.Error {
	if refused := refusedEndpoint("token", err); refused != nil {
		return refused
	}
	if pe := httpx.Carried(err, ProviderName, "token", redact); pe != nil {
		return pe
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return unavailable("token", 0, err, redact)
	}
	code := 0
	header := http.Header{}
	if re.Response != nil {
		code, header = re.Response.StatusCode, re.Response.Header
	}
	se := parseServiceError(re.Body)
	msg := se.Message
	switch {
	case re.ErrorCode != "" && re.ErrorDescription != "":
		msg = re.ErrorCode + ": " + re.ErrorDescription
	case re.ErrorCode != "":
		msg = firstNonEmpty(msg, re.ErrorCode)
	}
	if msg == "" {
		msg = statusText(code)
	}
	e := &providers.Error{
		Kind:       providers.KindUnavailable,
		Provider:   ProviderName,
		Op:         "token",
		StatusCode: code,
		Message:    "token request refused: " + httpx.SafeText(msg, redact),
		TrackingID: normalizeID(httpx.SafeText(se.ID, redact)),
	}
	switch {
	case code == http.StatusTooManyRequests:
		e.Kind = providers.KindRateLimited
	case code == http.StatusBadRequest || code == http.StatusUnauthorized || code == http.StatusForbidden,
		code >= 200 && code <= 299:
		e.Kind = providers.KindUnauthorized
	}
	setRetryAfter(e, header)
	return e
}

// refusedEndpoint is the error of an endpoint that the egress policy refused, before a request
// or while connecting, or nil when err is no refusal. serverUrl is at fault, and only a new
// serverUrl or a new --endpoint-allowlist changes that: KindInvalid, which the controller does
// not retry until the spec changes, rather than KindUnavailable, which it would retry forever.
// The message is the refusal's, which names the host and the flag but never the address the
// name resolved to.
func refusedEndpoint(op string, err error) *providers.Error {
	var refused *egress.RefusedError
	if !errors.As(err, &refused) {
		return nil
	}
	e := providers.Invalid(ProviderName, "pageSeeder.serverUrl", "%s", refused.Error())
	e.Op, e.Err = op, refused
	return e
}

// unavailable wraps a failure without a usable answer: the request may not have reached
// PageSeeder, so the controller retries it with backoff.
func unavailable(op string, code int, err error, redact []string) *providers.Error {
	return httpx.Unavailable(ProviderName, op, code, err, redact)
}
