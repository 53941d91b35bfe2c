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

package testutil

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Sent is one request as it left the client.
type Sent struct {
	Method string
	// URL is the whole URL, Path its escaped path and Query its parsed query.
	URL    string
	Path   string
	Query  url.Values
	Header http.Header
	// Auth is the Authorization header.
	Auth string
	// Raw is the body as sent.
	Raw string
}

// Form parses the body as a form.
func (s Sent) Form() url.Values {
	f, _ := url.ParseQuery(s.Raw)
	return f
}

// Object parses the body as a JSON object; nil when it is not one.
func (s Sent) Object() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(s.Raw), &m)
	return m
}

// Objects parses the body as a JSON array of objects; nil when it is not one.
func (s Sent) Objects() []map[string]any {
	var m []map[string]any
	_ = json.Unmarshal([]byte(s.Raw), &m)
	return m
}

// Recorder is a transport that remembers every request before it passes it to Next (the
// default transport when nil), to check what went on the wire.
type Recorder struct {
	Next http.RoundTripper
	mu   sync.Mutex
	reqs []Sent
}

// RoundTrip records req and sends it on.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	s := Sent{Method: req.Method, URL: req.URL.String(), Path: req.URL.EscapedPath(), Query: req.URL.Query(),
		Header: req.Header.Clone(), Auth: req.Header.Get("Authorization")}
	if req.Body != nil {
		data, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		s.Raw = string(data)
		req.Body = io.NopCloser(bytes.NewReader(data))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, s)
	r.mu.Unlock()
	next := r.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(req)
}

// All returns every request recorded so far.
func (r *Recorder) All() []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sent(nil), r.reqs...)
}

// Count returns how many requests were recorded.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

// Reset forgets every request recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
}

// Last returns the last request with the given method, or the last of all when method is "".
func (r *Recorder) Last(t testing.TB, method string) Sent {
	t.Helper()
	reqs := r.All()
	for i := len(reqs) - 1; i >= 0; i-- {
		if method == "" || reqs[i].Method == method {
			return reqs[i]
		}
	}
	t.Fatalf("no %s request was sent", method)
	return Sent{}
}

// Find returns the requests with this method whose path ends with suffix.
func (r *Recorder) Find(method, suffix string) []Sent {
	var out []Sent
	for _, s := range r.All() {
		if s.Method == method && strings.HasSuffix(s.Path, suffix) {
			out = append(out, s)
		}
	}
	return out
}

// Bearer returns the bearer token of the last request that carried one.
func (r *Recorder) Bearer(t testing.TB) string {
	t.Helper()
	reqs := r.All()
	for i := len(reqs) - 1; i >= 0; i-- {
		if token, ok := strings.CutPrefix(reqs[i].Auth, "Bearer "); ok {
			return token
		}
	}
	t.Fatal("no bearer token was sent")
	return ""
}
