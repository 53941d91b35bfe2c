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

package simulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// keyHeader carries the credential of a test request.
const keyHeader = "X-Test-Key"

// testServer is a SaaS whose only state is how many requests it applied, behind Faults.
type testServer struct {
	faults   *Faults
	url      string
	client   *http.Client
	applied  atomic.Int64
	finished atomic.Int64 // handlers that returned, whatever happened in them
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	s := &testServer{faults: &Faults{}}
	apply := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.applied.Add(1)
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "applied")
	})
	writeError := func(w http.ResponseWriter, status int, message, retryAfter string) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, message)
	}
	keyOf := func(r *http.Request) string { return r.Header.Get(keyHeader) }
	wrapped := s.faults.Wrap(apply, keyOf, writeError)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.finished.Add(1)
		wrapped.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	// A fresh connection per request: the client would otherwise replay an idempotent request
	// whose reused connection broke, and a test would count two applications.
	transport := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(transport.CloseIdleConnections)
	// Redirects are answers to check here, not to follow.
	s.url, s.client = ts.URL, &http.Client{Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return s
}

// call is one request of a test and what it should get.
type call struct {
	method, path, key string
	// timeout gives up on the request after this long; 0 waits for the answer.
	timeout time.Duration
	// wantStatus is the answer's status; 0 means the client gets an error instead.
	wantStatus int
	// wantTimeout says that the error is the client's own timeout.
	wantTimeout bool
	// wantRetryAfter is the expected Retry-After header.
	wantRetryAfter string
	// wantLocation is the expected Location header.
	wantLocation string
}

// do sends c and checks the outcome, then waits for the handler to return so that what it did
// is counted.
func (s *testServer) do(t *testing.T, c call) {
	t.Helper()
	method, path := c.method, c.path
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = "/hooks"
	}
	ctx := context.Background()
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	if c.key != "" {
		req.Header.Set(keyHeader, c.key)
	}
	before := s.finished.Load()
	resp, err := s.client.Do(req)
	switch {
	case err != nil && c.wantStatus != 0:
		t.Errorf("%s %s: error %v, want status %d", method, path, err, c.wantStatus)
	case err != nil && c.wantTimeout && !errors.Is(err, context.DeadlineExceeded):
		t.Errorf("%s %s: error %v, want the client's timeout", method, path, err)
	case err != nil && !c.wantTimeout && errors.Is(err, context.DeadlineExceeded):
		t.Errorf("%s %s: the client timed out, want the connection to fail at once", method, path)
	case err == nil:
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != c.wantStatus || c.wantStatus == 0 {
			t.Errorf("%s %s: status %d, want %d (0: a client error)", method, path, resp.StatusCode, c.wantStatus)
		}
		if got := resp.Header.Get("Retry-After"); got != c.wantRetryAfter {
			t.Errorf("%s %s: Retry-After %q, want %q", method, path, got, c.wantRetryAfter)
		}
		if got := resp.Header.Get("Location"); got != c.wantLocation {
			t.Errorf("%s %s: Location %q, want %q", method, path, got, c.wantLocation)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.finished.Load() == before {
		if time.Now().After(deadline) {
			t.Fatalf("%s %s: the handler is still running after the client left", method, path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// faultCase is the faults injected into a test server, the calls made to it, and how many of
// those requests the server should have applied.
type faultCase struct {
	name        string
	faults      []Fault
	calls       []call
	wantApplied int64
}

// faultCases are the faults of TestFaults, alone and together.
var faultCases = []faultCase{
	{
		name:        "no fault",
		calls:       []call{{wantStatus: 200}},
		wantApplied: 1,
	},
	{
		name:        "status is not applied",
		faults:      []Fault{{Status: 503, RetryAfter: "7"}},
		calls:       []call{{wantStatus: 503, wantRetryAfter: "7"}},
		wantApplied: 0,
	},
	{
		name:        "a redirect is not applied",
		faults:      []Fault{{Status: 307, Location: "http://127.0.0.1:1/elsewhere", Times: 1}},
		calls:       []call{{wantStatus: 307, wantLocation: "http://127.0.0.1:1/elsewhere"}, {wantStatus: 200}},
		wantApplied: 1,
	},
	{
		name:        "dropped response with a status is applied",
		faults:      []Fault{{Status: 502, DropResponse: true}},
		calls:       []call{{wantStatus: 502}},
		wantApplied: 1,
	},
	{
		name:        "dropped response without a status is applied and closes the connection",
		faults:      []Fault{{DropResponse: true}},
		calls:       []call{{}},
		wantApplied: 1,
	},
	{
		name:        "reset is not applied",
		faults:      []Fault{{Reset: true}},
		calls:       []call{{}},
		wantApplied: 0,
	},
	{
		name:        "reset wins over a dropped response",
		faults:      []Fault{{Reset: true, DropResponse: true, Status: 500}},
		calls:       []call{{}},
		wantApplied: 0,
	},
	{
		name:        "hang is applied and outlasts the client",
		faults:      []Fault{{DropResponse: true, Hang: true}},
		calls:       []call{{timeout: 200 * time.Millisecond, wantTimeout: true}},
		wantApplied: 1,
	},
	{
		name:        "hang without a dropped response does nothing",
		faults:      []Fault{{Hang: true}},
		calls:       []call{{timeout: 5 * time.Second, wantStatus: 200}},
		wantApplied: 1,
	},
	{
		name:        "delay past the client's timeout is not applied",
		faults:      []Fault{{Delay: 5 * time.Second, DropResponse: true}},
		calls:       []call{{timeout: 200 * time.Millisecond, wantTimeout: true}},
		wantApplied: 0,
	},
	{
		name:        "short delay then normal handling",
		faults:      []Fault{{Delay: 20 * time.Millisecond}},
		calls:       []call{{wantStatus: 200}},
		wantApplied: 1,
	},
	{
		name:        "times counts hits",
		faults:      []Fault{{Status: 429, Times: 2}},
		calls:       []call{{wantStatus: 429}, {wantStatus: 429}, {wantStatus: 200}, {wantStatus: 200}},
		wantApplied: 2,
	},
	{
		name:        "first matching fault wins",
		faults:      []Fault{{Status: 500, Times: 1}, {Status: 503}},
		calls:       []call{{wantStatus: 500}, {wantStatus: 503}},
		wantApplied: 0,
	},
	{
		name:   "key, method and path must all match",
		faults: []Fault{{Key: "a", Method: "post", Path: "/hooks", Status: 429, RetryAfter: "3"}},
		calls: []call{
			{key: "a", wantStatus: 429, wantRetryAfter: "3"},
			{key: "a", path: "/hooks/42", wantStatus: 429, wantRetryAfter: "3"},
			{key: "b", wantStatus: 200},
			{wantStatus: 200},
			{key: "a", method: http.MethodGet, wantStatus: 200},
			{key: "a", path: "/other", wantStatus: 200},
		},
		wantApplied: 4,
	},
}

func TestFaults(t *testing.T) {
	for _, tt := range faultCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t)
			for _, f := range tt.faults {
				s.faults.Inject(f)
			}
			for _, c := range tt.calls {
				s.do(t, c)
			}
			if got := s.applied.Load(); got != tt.wantApplied {
				t.Errorf("applied %d times, want %d", got, tt.wantApplied)
			}
		})
	}
}

func TestClearRemovesFaults(t *testing.T) {
	s := newTestServer(t)
	s.faults.Inject(Fault{Status: 503})
	s.do(t, call{wantStatus: 503})
	s.faults.Clear()
	s.do(t, call{wantStatus: 200})
}

func TestRequestCounts(t *testing.T) {
	s := newTestServer(t)
	s.faults.Inject(Fault{Key: "a", Status: 500, Times: 1})
	for _, c := range []call{
		{key: "a", wantStatus: 500},
		{key: "a", wantStatus: 200},
		{key: "b", wantStatus: 200},
		{wantStatus: 200},
	} {
		s.do(t, c)
	}
	if got := s.faults.Requests("a"); got != 2 {
		t.Errorf("Requests(a) = %d, want 2, the failed one included", got)
	}
	if got := s.faults.Requests("b"); got != 1 {
		t.Errorf("Requests(b) = %d, want 1", got)
	}
	if got := s.faults.Requests(""); got != 0 {
		t.Errorf("Requests(\"\") = %d, want 0: requests without a credential count only in Total", got)
	}
	if got := s.faults.Total(); got != 4 {
		t.Errorf("Total = %d, want 4", got)
	}
	s.faults.ResetCounts()
	if a, total := s.faults.Requests("a"), s.faults.Total(); a != 0 || total != 0 {
		t.Errorf("after ResetCounts: Requests(a) = %d, Total = %d, want 0 and 0", a, total)
	}
	s.do(t, call{key: "a", wantStatus: 200})
	if a, total := s.faults.Requests("a"), s.faults.Total(); a != 1 || total != 1 {
		t.Errorf("counting after ResetCounts: Requests(a) = %d, Total = %d, want 1 and 1", a, total)
	}
}
