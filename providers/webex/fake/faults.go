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

package fake

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// Fault makes matching requests fail. Faults act before authentication and before any change
// of state, except DropResponse, which lets the request change the state and then loses the
// answer. The first matching fault wins.
type Fault struct {
	// Token limits the fault to requests with this bearer token; empty matches any.
	Token string
	// Method limits the fault to this HTTP method; empty matches any.
	Method string
	// Path limits the fault to URL paths with this prefix, such as "/v1/webhooks"; empty matches any.
	Path string
	// Status is the answer, such as 429 or 503. With DropResponse, 0 closes the connection instead.
	Status int
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
	// Message is the error message of the body; the status text when empty.
	Message string
	// Times is how many requests the fault hits; 0 means until ClearFaults.
	Times int
	// DropResponse applies the request, then answers Status or closes the connection, as when a
	// response is lost on the way back.
	DropResponse bool
	// Delay holds the request this long before the fault (or the normal handling) proceeds.
	Delay time.Duration
}

type activeFault struct {
	Fault
	left int // below zero: unlimited
}

// InjectFault adds a fault after those already injected.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left <= 0 {
		left = -1
	}
	s.faults = append(s.faults, &activeFault{Fault: f, left: left})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (f *Fault) matches(token string, r *http.Request) bool {
	return (f.Token == "" || f.Token == token) &&
		(f.Method == "" || strings.EqualFold(f.Method, r.Method)) &&
		(f.Path == "" || strings.HasPrefix(r.URL.Path, f.Path))
}

// admit counts the request and takes one hit of the first fault that matches it, if any.
func (s *Server) admit(token string, r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	if token != "" {
		s.perToken[token]++
	}
	for i, af := range s.faults {
		if !af.matches(token, r) {
			continue
		}
		f := af.Fault
		if af.left > 0 {
			af.left--
			if af.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &f
	}
	return nil
}

func (s *Server) withFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.admit(bearerToken(r), r)
		if f == nil {
			next.ServeHTTP(w, r)
			return
		}
		if !sleep(r.Context(), f.Delay) {
			return
		}
		switch {
		case f.DropResponse:
			dropResponse(w, r, next, f)
		case f.Status != 0:
			writeFault(w, f)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// dropResponse runs the request against the state and throws the answer away.
func dropResponse(w http.ResponseWriter, r *http.Request, next http.Handler, f *Fault) {
	next.ServeHTTP(httptest.NewRecorder(), r)
	if f.Status != 0 {
		writeFault(w, f)
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

func writeFault(w http.ResponseWriter, f *Fault) {
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	writeError(w, f.Status, msg, f.RetryAfter)
}

// sleep waits d, or less when the client gives up; it reports whether to go on.
func sleep(ctx context.Context, d time.Duration) bool {
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
