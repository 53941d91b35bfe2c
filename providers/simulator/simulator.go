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
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Fault makes matching requests fail. Faults act before authentication and before any change
// of state, except DropResponse, which lets the request change the state and then loses the
// answer. The first matching fault wins.
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
	// Message is the error message of the body; the status text when empty.
	Message string
	// Times is how many requests the fault hits; 0 means until Clear.
	Times int
	// DropResponse applies the request, then answers Status or closes the connection, as when a
	// response is lost on the way back.
	DropResponse bool
	// Delay holds the request this long before the fault (or the normal handling) proceeds.
	Delay time.Duration
}

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
		if !Sleep(r.Context(), fault.Delay) {
			return
		}
		switch {
		case fault.DropResponse:
			dropResponse(w, r, next, fault, writeError)
		case fault.Status != 0:
			writeFault(w, fault, writeError)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// dropResponse runs the request against the state and throws the answer away.
func dropResponse(w http.ResponseWriter, r *http.Request, next http.Handler, fault *Fault, writeError ErrorWriter) {
	next.ServeHTTP(httptest.NewRecorder(), r)
	if fault.Status != 0 {
		writeFault(w, fault, writeError)
		return
	}
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
	_ = conn.Close()
}

func writeFault(w http.ResponseWriter, fault *Fault, writeError ErrorWriter) {
	msg := fault.Message
	if msg == "" {
		msg = http.StatusText(fault.Status)
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
