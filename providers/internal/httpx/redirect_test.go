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

package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/providers"
)

// redirectPair is a server that answers every request with a redirect to a second server, on
// another port, which counts what reaches it.
type redirectPair struct {
	origin, target *httptest.Server
	received       atomic.Int32
}

func newRedirectPair(t *testing.T, status int, withLocation bool) *redirectPair {
	p := &redirectPair{}
	p.target = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		p.received.Add(1)
	}))
	t.Cleanup(p.target.Close)
	p.origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if withLocation {
			w.Header().Set("Location", p.target.URL+"/collect/path-secret?q=query-secret")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "body-secret\r\n\x1b[31m")
	}))
	t.Cleanup(p.origin.Close)
	return p
}

func (p *redirectPair) send(t *testing.T, hc *http.Client) error {
	t.Helper()
	req, err := NewRequest(context.Background(), http.MethodPost, p.origin.URL+"/hooks", "bearer-secret",
		strings.NewReader(`{"secret":"payload-secret"}`), "application/json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Send(hc, req, "p", "create", []string{"bearer-secret"})
	return err
}

func TestNoRedirectsSendsNothingToTheTarget(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			p := newRedirectPair(t, status, true)
			err := p.send(t, NoRedirects(&http.Client{Timeout: 5 * time.Second}))
			if n := p.received.Load(); n != 0 {
				t.Fatalf("the redirect target received %d requests, want 0", n)
			}
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Kind != providers.KindUnavailable || !errors.Is(err, ErrRedirect) {
				t.Fatalf("got %v, want Unavailable wrapping ErrRedirect", err)
			}
			if pe.Provider != "p" || pe.Op != "create" || pe.StatusCode != status {
				t.Errorf("got provider %q op %q status %d, want p, create, %d", pe.Provider, pe.Op, pe.StatusCode, status)
			}
			host := strings.TrimPrefix(p.target.URL, "http://")
			if !strings.Contains(err.Error(), "redirected to "+host) {
				t.Errorf("error %q does not name the target %s", err, host)
			}
			for _, leak := range []string{"path-secret", "query-secret", "body-secret", "bearer-secret", "/collect"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q carries %q", err, leak)
				}
			}
		})
	}
}

// TestRedirectPairFollowedWithoutNoRedirects proves that the pair above does redirect, so that
// the test of NoRedirects cannot pass for want of a redirect.
func TestRedirectPairFollowedWithoutNoRedirects(t *testing.T) {
	p := newRedirectPair(t, http.StatusTemporaryRedirect, true)
	if err := p.send(t, &http.Client{Timeout: 5 * time.Second}); err != nil {
		t.Fatalf("a plain client: %v", err)
	}
	if n := p.received.Load(); n != 1 {
		t.Fatalf("the redirect target received %d requests from a plain client, want 1", n)
	}
}

func TestSendRefusesA3xxWithoutLocation(t *testing.T) {
	p := newRedirectPair(t, http.StatusMultipleChoices, false)
	err := p.send(t, &http.Client{Timeout: 5 * time.Second})
	if !errors.Is(err, ErrRedirect) || providers.KindOf(err) != providers.KindUnavailable {
		t.Fatalf("got %v, want Unavailable wrapping ErrRedirect", err)
	}
	if strings.Contains(err.Error(), "body-secret") {
		t.Errorf("error %q carries the body", err)
	}
}

func TestNoRedirectsCopiesTheClient(t *testing.T) {
	rt := failingTransport{err: io.EOF}
	orig := &http.Client{Timeout: 7 * time.Second, Transport: rt}
	got := NoRedirects(orig)
	if got == orig || orig.CheckRedirect != nil {
		t.Fatal("NoRedirects modified the client it was given")
	}
	if got.Timeout != orig.Timeout || got.Transport != orig.Transport || got.CheckRedirect == nil {
		t.Fatalf("NoRedirects lost the timeout or transport, or set no check: %+v", got)
	}
	if NoRedirects(nil).CheckRedirect == nil {
		t.Fatal("NoRedirects(nil) follows redirects")
	}
}

func TestRedirectedNamesOnlyTheHost(t *testing.T) {
	cases := []struct {
		name   string
		target *url.URL
		want   string
	}{
		{"host and port", &url.URL{Scheme: "https", Host: "evil.example:8443", Path: "/a/b", RawQuery: "c=d"}, "redirected to evil.example:8443, "},
		{"no target", nil, "redirected elsewhere, "},
		{"a target without host", &url.URL{Path: "/a"}, "redirected elsewhere, "},
		{"a host with control characters", &url.URL{Host: "evil.example\r\n\x1b[2Jforged"}, "redirected to evil.example forged, "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Redirected(307, c.target).Error()
			if !strings.Contains(got, c.want) || strings.Contains(got, "/a") {
				t.Fatalf("Redirected(%v) = %q, want it to contain %q and no path", c.target, got, c.want)
			}
		})
	}
}

// TestSendReportsAnEgressRefusalAsInvalid: a connection that the egress policy refuses is the
// spec's fault, KindInvalid, with the refusal reachable, and nothing reaches the server.
func TestSendReportsAnEgressRefusalAsInvalid(t *testing.T) {
	var reached atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	defer srv.Close()
	var empty *egress.Policy
	hc := NoRedirects(&http.Client{Transport: empty.Transport(), Timeout: 5 * time.Second})
	req, err := NewRequest(context.Background(), http.MethodGet, srv.URL+"/hooks", "bearer-secret", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Send(hc, req, "p", "list", []string{"bearer-secret"})
	var refused *egress.RefusedError
	if providers.KindOf(err) != providers.KindInvalid || !errors.As(err, &refused) || refused.Reason != "loopback address" {
		t.Fatalf("got %v, want Invalid wrapping a loopback refusal", err)
	}
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Provider != "p" || pe.Op != "list" {
		t.Errorf("got %+v, want provider p and op list", pe)
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the server received %d requests", n)
	}
}
