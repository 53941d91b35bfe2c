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

// Package simulator holds what every SaaS simulator (providers/*/fake) shares: request counting
// per credential and fault injection (errors, Retry-After, delays, lost responses), so that the
// tests of every provider inject faults the same way.
package simulator

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Fault makes matching requests fail. Faults act before authentication and before any change
// of state, except DropResponse, which lets the request change the state and then loses the
// answer. The first matching fault wins.
//
// What the client sees, by the fields set (Delay always comes first, and a client that gives up
// during it leaves the request unapplied):
//   - Status: that error answer; the request is not applied.
//   - Reset: the connection is torn down without an answer; the request is not applied, as
//     when a connection dies before the SaaS reads it.
//   - DropResponse: the request is applied, then the client gets Status, or with Status 0 a
//     closed connection, as when an answer is lost on the way back.
//   - DropResponse and Hang: the request is applied, then the answer is held until the client
//     gives up (at most MaxHang), so that the client's own timeout fires after the SaaS made the
//     change. Hang without DropResponse does nothing.
//   - Delay alone: the request is handled normally, late.
type Fault struct {
	// Key limits the fault to requests made with this credential (the bearer token, or the
	// simulator's own key for token requests); empty matches any.
	Key string
	// Method limits the fault to this HTTP method; empty matches any.
	Method string
	// Path limits the fault to URL paths with this prefix; empty matches any.
	Path string
	// Status is the answer, such as 429 or 503. With DropResponse, 0 closes the connection instead.
	Status int
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
	// Location is sent as the Location header when not empty: with a 3xx Status, a redirect.
	Location string
	// Message is the error message of the body; the status text when empty.
	Message string
	// Times is how many requests the fault hits; 0 means until Clear.
	Times int
	// DropResponse applies the request, then answers Status or closes the connection, as when a
	// response is lost on the way back.
	DropResponse bool
	// Delay holds the request this long before the fault (or the normal handling) proceeds.
	Delay time.Duration
	// Reset closes the connection without applying the request or answering it. It wins over
	// DropResponse and Status.
	Reset bool
	// Hang, with DropResponse, holds the answer of the applied request until the client gives up
	// or MaxHang has passed, whichever comes first; then the answer is dropped as DropResponse says.
	Hang bool
}

// MaxHang bounds how long a Hang fault holds an answer when the client never gives up, so that a
// test server cannot keep a handler running forever.
const MaxHang = 5 * time.Minute

// ErrorWriter writes an error response in the simulated SaaS's own format.
type ErrorWriter func(w http.ResponseWriter, status int, message, retryAfter string)

// KeyFunc returns the credential a request is made with, or "".
type KeyFunc func(r *http.Request) string

type activeFault struct {
	Fault
	left int // below zero: unlimited
}

// Faults counts requests per credential and injects faults. The zero value is ready to use and
// safe for concurrent use.
type Faults struct {
	mu     sync.Mutex
	faults []*activeFault
	perKey map[string]int
	total  int
}

// Inject adds a fault after those already injected.
func (f *Faults) Inject(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	left := fault.Times
	if left <= 0 {
		left = -1
	}
	f.faults = append(f.faults, &activeFault{Fault: fault, left: left})
}

// Clear removes every fault.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// Requests returns how many requests were made with the credential key, failed ones included.
func (f *Faults) Requests(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.perKey[key]
}

// Total returns how many requests were made in all.
func (f *Faults) Total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// ResetCounts sets every request count back to zero.
func (f *Faults) ResetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.perKey = nil
	f.total = 0
}

func (a *activeFault) matches(key string, r *http.Request) bool {
	return (a.Key == "" || a.Key == key) &&
		(a.Method == "" || strings.EqualFold(a.Method, r.Method)) &&
		(a.Path == "" || strings.HasPrefix(r.URL.Path, a.Path))
}

// admit counts the request and takes one hit of the first fault that matches it, if any.
func (f *Faults) admit(key string, r *http.Request) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total++
	if key != "" {
		if f.perKey == nil {
			f.perKey = map[string]int{}
		}
		f.perKey[key]++
	}
	for i, a := range f.faults {
		if !a.matches(key, r) {
			continue
		}
		fault := a.Fault
		if a.left > 0 {
			a.left--
			if a.left == 0 {
				f.faults = append(f.faults[:i:i], f.faults[i+1:]...)
			}
		}
		return &fault
	}
	return nil
}

// Wrap counts every request to next by its credential and applies the injected faults, writing
// errors with writeError.
func (f *Faults) Wrap(next http.Handler, key KeyFunc, writeError ErrorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fault := f.admit(key(r), r)
		if fault == nil {
			next.ServeHTTP(w, r)
			return
		}
		if fault.Delay > 0 || (fault.Hang && fault.DropResponse) {
			readAhead(r)
		}
		if !Sleep(r.Context(), fault.Delay) {
			return
		}
		switch {
		case fault.Reset:
			closeConnection(w, writeError, true)
		case fault.DropResponse:
			dropResponse(w, r, next, fault, writeError)
		case fault.Status != 0:
			writeFault(w, fault, writeError)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// maxReadAhead bounds what readAhead holds in memory.
const maxReadAhead = 1 << 20

// readAhead reads the request body into memory (up to maxReadAhead; the rest stays on the wire),
// and leaves a copy in its place. The server watches for a client that hangs up, and cancels
// r.Context(), only once the body has been read to its end: without this, a Delay or a Hang would
// go on, and a delayed request would be applied, after the client gave up.
func readAhead(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxReadAhead))
	if err != nil {
		// The client is already gone; what was read is all the handler gets.
		r.Body = io.NopCloser(bytes.NewReader(data))
		return
	}
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), r.Body))
}

// dropResponse runs the request against the state and throws the answer away, after holding it
// for a Hang fault.
func dropResponse(w http.ResponseWriter, r *http.Request, next http.Handler, fault *Fault, writeError ErrorWriter) {
	next.ServeHTTP(httptest.NewRecorder(), r)
	if fault.Hang {
		_ = Sleep(r.Context(), MaxHang)
	}
	if fault.Status != 0 {
		writeFault(w, fault, writeError)
		return
	}
	closeConnection(w, writeError, false)
}

// closeConnection ends the connection without a response; with reset, a TCP connection is torn
// down with a reset (RST) rather than an orderly close, as a crashed peer or a middlebox would do
// it. A writer that cannot be hijacked gets a 502 instead, the nearest an answer can come.
func closeConnection(w http.ResponseWriter, writeError ErrorWriter, reset bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		writeError(w, http.StatusBadGateway, http.StatusText(http.StatusBadGateway), "")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		writeError(w, http.StatusBadGateway, http.StatusText(http.StatusBadGateway), "")
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func writeFault(w http.ResponseWriter, fault *Fault, writeError ErrorWriter) {
	msg := fault.Message
	if msg == "" {
		msg = http.StatusText(fault.Status)
	}
	if fault.Location != "" {
		w.Header().Set("Location", fault.Location)
	}
	writeError(w, fault.Status, msg, fault.RetryAfter)
}

// Sleep waits d, or less when the client gives up; it reports whether to go on.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// BearerToken returns the token of a "Bearer" Authorization header, or "".
func BearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
