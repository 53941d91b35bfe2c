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

// Package testutil holds the test helpers every provider's tests share. It is imported by _test
// files only.
package testutil

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
)

// ProviderError asserts that err is a *providers.Error and returns it.
func ProviderError(t testing.TB, err error) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *providers.Error", err, err)
	}
	return pe
}

// AssertNoSecrets checks every text an error offers: that of err and of each error it wraps
// must contain none of inText, and the Message and TrackingID of the *providers.Error inside it
// none of inFields. Empty values are skipped.
func AssertNoSecrets(t testing.TB, err error, inText, inFields []string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range inText {
			if s != "" && strings.Contains(e.Error(), s) {
				t.Errorf("error text %q contains %q", e.Error(), s)
			}
		}
	}
	var pe *providers.Error
	if errors.As(err, &pe) {
		for _, s := range inFields {
			if s != "" && (strings.Contains(pe.TrackingID, s) || strings.Contains(pe.Message, s)) {
				t.Errorf("error fields carry %q: %+v", s, pe)
			}
		}
	}
}

// LeakyTransport fails every request with an error that quotes the Authorization header, as a
// badly written proxy or middleware might.
type LeakyTransport struct{}

// RoundTrip fails with the request's Authorization header in the error text.
func (LeakyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, errors.New("proxy refused request with " + req.Header.Get("Authorization"))
}

// FuzzStatus maps any fuzzed number onto a final HTTP status, keeping the realistic ones as they are.
func FuzzStatus(code int) int {
	if code >= 200 && code <= 599 {
		return code
	}
	if code < 0 {
		code = -(code + 1)
	}
	return 200 + code%400
}

// CheckFuzzErr asserts the error contract: nil, or a *providers.Error of a known kind whose text
// carries none of the secrets.
func CheckFuzzErr(t testing.TB, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %q is not a *providers.Error", err, err)
	}
	if pe.Kind < providers.KindUnavailable || pe.Kind > providers.KindMissingCredentials {
		t.Fatalf("error %q has kind %d, not a known kind", err, pe.Kind)
	}
	for _, s := range secrets {
		for _, text := range []string{err.Error(), pe.Message, pe.TrackingID} {
			// Case-insensitive: error ids are upper-cased, which once let an echoed secret through.
			if strings.Contains(strings.ToUpper(text), strings.ToUpper(s)) {
				t.Fatalf("error %q leaks the secret %q", text, s)
			}
		}
	}
}

// FuzzServer answers the first requests of each iteration with the fuzzed response, and any
// later one (a next page) with rest, so that a self-referencing next link cannot make an
// iteration walk a thousand pages.
type FuzzServer struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	header http.Header
	body   []byte
	calls  int
}

// NewFuzzServer starts a FuzzServer that answers later requests with rest.
func NewFuzzServer(f *testing.F, rest string) *FuzzServer {
	s := &FuzzServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		s.calls++
		first, status, header, body := s.calls <= 2, s.status, s.header, s.body
		s.mu.Unlock()
		if !first {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(rest))
			return
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	f.Cleanup(s.Close)
	return s
}

// Set makes the next requests answer status, header and body.
func (s *FuzzServer) Set(status int, header http.Header, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.header, s.body, s.calls = status, header, body, 0
}

// Candidates returns the remote webhooks of req's scope that the provider matches with req: List
// filtered by Matches, the way the controller finds a webhook to adopt.
func Candidates(ctx context.Context, p providers.Provider, req *providers.Request) ([]*providers.Remote, error) {
	listed, err := p.List(ctx, req)
	if err != nil {
		return nil, err
	}
	var out []*providers.Remote
	for _, r := range listed {
		if p.Matches(req, r) {
			out = append(out, r)
		}
	}
	return out, nil
}
