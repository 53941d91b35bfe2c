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

package providers

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies a provider error; the controller maps each kind to a Ready reason and a requeue.
type Kind int

// The error kinds.
const (
	// KindUnavailable: 5xx, timeouts, connection errors, unreadable responses. Retried with backoff.
	KindUnavailable Kind = iota
	// KindNotFound: the remote webhook (or the account) does not exist.
	KindNotFound
	// KindInvalid: the SaaS (or Validate) rejected the spec. Not retried until the spec changes.
	KindInvalid
	// KindUnauthorized: the credentials were refused (401 or 403).
	KindUnauthorized
	// KindRateLimited: 429 (or 423 with Retry-After). No request before RetryAfter.
	KindRateLimited
	// KindConflict: the remote webhook already exists and cannot be told apart.
	KindConflict
	// KindMissingCredentials: the credentials Secret lacks a key the provider needs, or holds an
	// unusable value. Reported as CredentialsNotFound; no request is made.
	KindMissingCredentials
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindUnavailable:
		return "Unavailable"
	case KindNotFound:
		return "NotFound"
	case KindInvalid:
		return "Invalid"
	case KindUnauthorized:
		return "Unauthorized"
	case KindRateLimited:
		return "RateLimited"
	case KindConflict:
		return "Conflict"
	case KindMissingCredentials:
		return "MissingCredentials"
	}
	return "Unknown"
}

// Error is the one error type providers return. Its message comes from the SaaS and must never
// contain a credential: providers build it from the response body, never from the request.
type Error struct {
	// Kind classifies the error.
	Kind Kind
	// Provider is the SaaS's name: its descriptor's Name.
	Provider string
	// Op is the operation, such as "create" or "list".
	Op string
	// StatusCode is the HTTP status, 0 for errors without a response.
	StatusCode int
	// Message is the SaaS's own explanation, or ours for Validate and transport errors.
	Message string
	// Field is the spec path at fault, for KindInvalid from Validate.
	Field string
	// TrackingID is the SaaS's request id, when it gives one; useful in a support ticket.
	TrackingID string
	// RetryAfter is how long to wait before the next request, from Retry-After.
	RetryAfter time.Duration
	// Err is the underlying transport error, if any.
	Err error
}

// Error describes the failure without any credential, on one line: the texts that may come from
// a server (Message, TrackingID, and the cause's text) are sanitized as Excerpt does, so that even
// a message built without Excerpt cannot forge a log line or hide behind terminal escapes. The
// message (or the cause's text) is cut at MaxMessage bytes and the tracking id at MaxExcerpt
// characters: the controller puts this text in the Ready condition and in an event, whose writes
// must never fail on size. Providers still cut a SaaS's text with Excerpt where they decode it.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Provider != "" {
		b.WriteString(e.Provider)
		b.WriteString(" ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "HTTP %d: ", e.StatusCode)
	}
	switch {
	case e.Message != "":
		b.WriteString(sanitize(e.Message, 0, MaxMessage))
	case e.Err != nil:
		b.WriteString(sanitize(e.Err.Error(), 0, MaxMessage))
	default:
		b.WriteString(strings.ToLower(e.Kind.String()))
	}
	if e.TrackingID != "" {
		fmt.Fprintf(&b, " (trackingId %s)", Excerpt(e.TrackingID))
	}
	return b.String()
}

// Unwrap returns the transport error.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err: that of the *Error inside it, KindUnavailable otherwise.
func KindOf(err error) Kind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return KindUnavailable
}

// IsNotFound reports whether err says the remote webhook does not exist.
func IsNotFound(err error) bool {
	var pe *Error
	return errors.As(err, &pe) && pe.Kind == KindNotFound
}

// RetryAfter returns the wait that err asks for, or 0.
func RetryAfter(err error) time.Duration {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.RetryAfter
	}
	return 0
}

// Invalid returns a KindInvalid error that names the spec field at fault.
func Invalid(provider, field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Provider: provider, Op: "validate", Field: field,
		Message: "spec." + field + ": " + fmt.Sprintf(format, args...)}
}

// MaxRetryAfter caps the wait a Retry-After header may ask for. The header comes from the
// server, which for PageSeeder is whatever the tenant's serverUrl names: without a cap, one
// answer could park a Webhook for days. An hour is longer than any documented SaaS wait.
const MaxRetryAfter = time.Hour

// ParseRetryAfter reads a Retry-After header: seconds or an HTTP date. It returns def when the
// header is missing or unreadable, and never less than min. A header that asks for more than
// MaxRetryAfter (one hour), in seconds or as a date, counts as MaxRetryAfter; def and min are
// the caller's and are not capped.
func ParseRetryAfter(value string, now time.Time, def, min time.Duration) time.Duration {
	d := def
	if asked, ok := parseRetryAfter(strings.TrimSpace(value), now); ok {
		d = asked
	}
	if d < min {
		d = min
	}
	return d
}

// parseRetryAfter reads a non-empty header, capped at MaxRetryAfter.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	const maxSecs = int64(MaxRetryAfter / time.Second)
	var secs int64
	if _, err := fmt.Sscanf(value, "%d", &secs); err == nil && fmt.Sprint(secs) == value {
		// Capped in seconds, since multiplying an absurd value would overflow.
		return time.Duration(max(-1, min(secs, maxSecs))) * time.Second, true
	}
	if t, err := time.Parse(time.RFC1123, value); err == nil {
		return min(t.Sub(now), MaxRetryAfter), true
	}
	return 0, false
}

// KindForStatus maps an HTTP status code of a failed response to a Kind.
func KindForStatus(code int) Kind {
	switch {
	case code == 404 || code == 410:
		return KindNotFound
	case code == 401 || code == 403:
		return KindUnauthorized
	case code == 429:
		return KindRateLimited
	case code == 409:
		return KindConflict
	case code >= 500 || code == 408 || code == 423:
		return KindUnavailable
	case code >= 400:
		return KindInvalid
	}
	return KindUnavailable
}

// Scrub replaces every occurrence of each secret (of four or more characters) in s, so that a
// SaaS message that echoes a credential cannot carry it into a status, an event or a log.
func Scrub(s string, secrets ...string) string {
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}
