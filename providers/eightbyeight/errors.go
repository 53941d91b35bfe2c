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
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

// codeNotFound is 8x8's error code for "Not found", which it may send with a 400.
const codeNotFound = 1300

// errorBody is the error envelope of the 8x8 APIs.
type errorBody struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	ErrorID   string `json:"errorId"`
	Timestamp string `json:"timestamp"`
}

// statusError turns a non-2xx response into the taxonomy the controller understands.
func (c *Client) statusError(op string, resp *httpx.Response) *providers.Error {
	var eb errorBody
	_ = json.Unmarshal(resp.Body, &eb) // a body that is not the envelope still yields a status error
	e := &providers.Error{
		Kind:       providers.KindForStatus(resp.StatusCode),
		Provider:   ProviderName,
		Op:         op,
		StatusCode: resp.StatusCode,
		Message:    errorMessage(c.scrub(eb.Message), eb.Code, resp.StatusCode),
		TrackingID: c.scrub(strings.TrimSpace(eb.ErrorID)),
	}
	if op == "delete" && resp.StatusCode == http.StatusBadRequest && eb.Code == codeNotFound {
		// Whether 8x8 answers a DELETE of a missing key with 200, 404 or 400/1300 is not
		// documented: the code is the more specific of the two signals.
		e.Kind = providers.KindNotFound
	}
	httpx.SetRetryAfter(e, resp.Header, defaultRateLimitWait)
	return e
}

// errorMessage is "<message> (code N)", the code being what 8x8's error table is indexed by. The
// message is the answer's, already made safe, so that cutting it never drops the code.
func errorMessage(message string, code, status int) string {
	msg := message
	if msg == "" {
		msg = strings.ToLower(http.StatusText(status))
	}
	if msg == "" {
		msg = "unexpected response"
	}
	if code != 0 {
		msg = fmt.Sprintf("%s (code %d)", msg, code)
	}
	return msg
}

// unavailable wraps a failure without a usable answer: the request may not have reached 8x8, so
// the controller retries it with backoff.
func (c *Client) unavailable(op string, status int, err error) *providers.Error {
	return httpx.Unavailable(ProviderName, op, status, err, c.redact)
}

// scrub makes text of the answer safe for an error: no credential, no control character, short.
func (c *Client) scrub(s string) string {
	return httpx.SafeText(s, c.redact)
}
