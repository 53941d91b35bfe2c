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

// Package httpx holds the HTTP plumbing that every provider's client shares: building an
// authenticated request, reading a bounded answer, and turning what went wrong before there was
// a usable answer into a *providers.Error that carries no credential. Decoding a SaaS's own error
// documents stays with each provider, since no two SaaS write them alike.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/providers"
)

// MaxBodyBytes caps what is read of any response, so a misbehaving server cannot exhaust memory.
const MaxBodyBytes = 1 << 20

// NewRequest builds a request that authenticates with the bearer token and asks for JSON. The
// Content-Type is set only when there is a body.
func NewRequest(ctx context.Context, method, target, token string, body io.Reader, contentType string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", DefaultUserAgent)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// NewJSONRequest is NewRequest with in encoded as the JSON body; a nil in sends no body.
func NewJSONRequest(ctx context.Context, method, target, token string, in any) (*http.Request, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	return NewRequest(ctx, method, target, token, body, "application/json")
}

// Response is an answer, already read and closed.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// OK reports whether the status is a 2xx.
func (r *Response) OK() bool {
	return r.StatusCode >= 200 && r.StatusCode <= 299
}

// Send sends req with hc and reads the whole answer, whatever its status: judging the status is
// the caller's. A request that cannot be sent, or an answer that cannot be read, is an error of
// KindUnavailable made by Unavailable, except that a connection an egress policy refused is
// KindInvalid (see refused), and a *providers.Error raised by hc's transport or
// redirect check (such as the client-side rate limit's KindRateLimited, or Redirected) is returned
// as Carried finds it. hc should come from NoRedirects; a 3xx answer that still reaches Send
// (one without a Location, which no client follows) becomes the error Redirected makes too, and
// its body is not read.
func Send(hc *http.Client, req *http.Request, provider, op string, redact []string) (*Response, error) {
	resp, err := hc.Do(req)
	if err != nil {
		if pe := Carried(err, provider, op, redact); pe != nil {
			return nil, pe
		}
		if pe := refused(err, provider, op); pe != nil {
			return nil, pe
		}
		return nil, Unavailable(provider, op, 0, err, redact)
	}
	defer func() { _ = resp.Body.Close() }()
	if redirectStatus(resp) {
		e := Redirected(resp.StatusCode, redirectTarget(resp))
		e.Provider, e.Op = provider, op
		return nil, e
	}
	body, err := ReadLimited(resp.Body)
	if err != nil {
		return nil, Unavailable(provider, op, resp.StatusCode, err, redact)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// refused returns the error of a connection that an egress policy refused, or nil. Only an
// endpoint that a spec supplies dials through a policy, so the spec is at fault: KindInvalid,
// not retried until it changes. Its text is the refusal's own, which never names the address a
// name resolved to, and the refusal stays reachable for errors.As whatever the scrub would do
// to the client's error around it.
func refused(err error, provider, op string) *providers.Error {
	var re *egress.RefusedError
	if !errors.As(err, &re) {
		return nil
	}
	return &providers.Error{Kind: providers.KindInvalid, Provider: provider, Op: op, Message: re.Error(), Err: re}
}

// ReadLimited reads r to the end, and fails rather than read more than MaxBodyBytes.
func ReadLimited(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading response: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("response larger than %d bytes", MaxBodyBytes)
	}
	return body, nil
}

// Unavailable wraps a failure without a usable answer: the request may not have reached the
// SaaS, so the controller retries it with backoff. Every value of redact is scrubbed from the
// message.
func Unavailable(provider, op string, status int, err error, redact []string) *providers.Error {
	msg := providers.Scrub(err.Error(), redact...)
	wrapped := &scrubbedError{msg: msg, err: err}
	if msg != err.Error() {
		// The cause itself quotes a credential, so anything that unwrapped it would leak: keep
		// only its scrubbed text and give up errors.Is on it.
		wrapped.err = nil
	}
	return &providers.Error{
		Kind:       providers.KindUnavailable,
		Provider:   provider,
		Op:         op,
		StatusCode: status,
		Message:    msg,
		Err:        wrapped,
	}
}

// Carried returns a copy of the *providers.Error that err wraps, such as one a transport raised
// and http.Client wrapped in a *url.Error, or nil when err wraps none. The copy keeps the kind,
// RetryAfter and the rest, names provider and op where the original names none, and has every
// value of redact scrubbed from its texts, so that it can be returned as it is.
func Carried(err error, provider, op string, redact []string) *providers.Error {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return nil
	}
	out := *pe
	if out.Provider == "" {
		out.Provider = provider
	}
	if out.Op == "" {
		out.Op = op
	}
	out.Message = providers.Scrub(out.Message, redact...)
	out.TrackingID = providers.Scrub(out.TrackingID, redact...)
	if out.Err != nil {
		if text := out.Err.Error(); providers.Scrub(text, redact...) != text {
			// As in Unavailable: a cause that quotes a credential keeps only its scrubbed text.
			out.Err = &scrubbedError{msg: providers.Scrub(text, redact...)}
		}
	}
	return &out
}

// scrubbedError keeps the transport error reachable for errors.Is and errors.As (a timeout, a
// refused connection) while its own text is the scrubbed one.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

func (e *scrubbedError) Unwrap() error { return e.err }

// SafeText is text from a SaaS answer made ready for an error: every value of redact scrubbed
// first (so that cutting cannot leave a secret's prefix behind, and collapsing spaces cannot hide
// a secret from the scrub), then sanitized and cut by providers.Excerpt.
func SafeText(s string, redact []string) string {
	return providers.Excerpt(providers.Scrub(s, redact...))
}

// SetRetryAfter carries the Retry-After header into e: always for a rate limit (defaultWait when
// the header is absent), and for any other error whose answer sends one; never less than a second.
func SetRetryAfter(e *providers.Error, h http.Header, defaultWait time.Duration) {
	retryAfter := h.Get("Retry-After")
	switch {
	case e.Kind == providers.KindRateLimited:
		e.RetryAfter = providers.ParseRetryAfter(retryAfter, time.Now(), defaultWait, time.Second)
	case retryAfter != "":
		e.RetryAfter = providers.ParseRetryAfter(retryAfter, time.Now(), 0, time.Second)
	}
}

// HeaderSafe reports whether a credential can travel in an HTTP header: a value with whitespace
// or control characters inside cannot, and saying so beats a transport error that hides why.
func HeaderSafe(v string) bool {
	return strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) < 0
}

// Credential reads the required key of the credentials Secret, trimmed, for use in a header. Its
// errors are of KindMissingCredentials and name the key, never the value.
func Credential(req *providers.Request, provider, op, key string) (string, error) {
	v := strings.TrimSpace(string(req.Credentials[key]))
	switch {
	case v == "":
		return "", &providers.Error{Kind: providers.KindMissingCredentials, Provider: provider, Op: op,
			Message: fmt.Sprintf("credentials Secret has no key %q, or it is empty", key)}
	case !HeaderSafe(v):
		return "", &providers.Error{Kind: providers.KindMissingCredentials, Provider: provider, Op: op,
			Message: fmt.Sprintf("credentials Secret key %q holds whitespace or control characters", key)}
	}
	return v, nil
}
