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
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
)

func TestReadLimited(t *testing.T) {
	if body, err := ReadLimited(strings.NewReader(strings.Repeat("a", MaxBodyBytes))); err != nil || len(body) != MaxBodyBytes {
		t.Errorf("a body of exactly MaxBodyBytes: %d bytes, %v", len(body), err)
	}
	if _, err := ReadLimited(strings.NewReader(strings.Repeat("a", MaxBodyBytes+1))); err == nil {
		t.Error("a body larger than MaxBodyBytes was read")
	}
}

func TestUnavailableScrubsAndKeepsTheCause(t *testing.T) {
	e := Unavailable("p", "get", 0, io.ErrUnexpectedEOF, []string{"secret-1234"})
	if e.Kind != providers.KindUnavailable || e.Provider != "p" || e.Op != "get" || !errors.Is(e, io.ErrUnexpectedEOF) {
		t.Errorf("got %+v, want Unavailable p/get wrapping the cause", e)
	}

	cause := errors.New("proxy refused Bearer secret-1234")
	e = Unavailable("p", "get", 502, cause, []string{"secret-1234"})
	if strings.Contains(e.Error(), "secret-1234") || e.StatusCode != 502 {
		t.Errorf("got %q (status %d), want the secret redacted and status 502", e.Error(), e.StatusCode)
	}
	if errors.Is(e, cause) {
		t.Error("a cause that quotes a credential is still reachable through Unwrap")
	}
}

// failingTransport fails every request with err.
type failingTransport struct{ err error }

func (f failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return nil, f.err
}

func TestSendPassesTransportProviderErrorsThrough(t *testing.T) {
	const secret = "secret-1234"
	cause := errors.New("middleware saw Bearer " + secret)
	tests := []struct {
		name   string
		err    error
		want   providers.Error
		noText string
	}{
		{
			name: "a rate limit keeps its kind and wait, and gets the provider and op",
			err:  &providers.Error{Kind: providers.KindRateLimited, RetryAfter: 7 * time.Second, Message: "slow down"},
			want: providers.Error{Kind: providers.KindRateLimited, Provider: "p", Op: "get", RetryAfter: 7 * time.Second, Message: "slow down"},
		},
		{
			name: "a named provider and op are kept",
			err:  &providers.Error{Kind: providers.KindRateLimited, Provider: "example", Op: "throttle", RetryAfter: time.Second},
			want: providers.Error{Kind: providers.KindRateLimited, Provider: "example", Op: "throttle", RetryAfter: time.Second},
		},
		{
			name:   "texts are scrubbed",
			err:    &providers.Error{Kind: providers.KindUnauthorized, Message: "token " + secret + " refused", TrackingID: "id-" + secret, Err: cause},
			want:   providers.Error{Kind: providers.KindUnauthorized, Provider: "p", Op: "get", Message: "token [redacted] refused", TrackingID: "id-[redacted]"},
			noText: secret,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc := &http.Client{Transport: failingTransport{err: tt.err}}
			req, err := NewRequest(context.Background(), http.MethodGet, "http://saas.example/hooks", secret, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = Send(hc, req, "p", "get", []string{secret})
			var pe *providers.Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v (%T), want a *providers.Error", err, err)
			}
			got := *pe
			got.Err = nil
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if tt.noText != "" {
				for e := error(pe); e != nil; e = errors.Unwrap(e) {
					if strings.Contains(e.Error(), tt.noText) {
						t.Errorf("error text %q carries the secret", e.Error())
					}
				}
			}
		})
	}
}

func TestSendOtherTransportErrorsAreUnavailable(t *testing.T) {
	hc := &http.Client{Transport: failingTransport{err: io.ErrUnexpectedEOF}}
	req, err := NewRequest(context.Background(), http.MethodGet, "http://saas.example/hooks", "tok-0000", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Send(hc, req, "p", "get", nil)
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindUnavailable || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("got %v, want Unavailable wrapping the cause", err)
	}
}

func TestSendReportsTheClientSideRateLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	hc := &http.Client{Transport: ratelimit.Transport(nil, "p", ratelimit.Limit{QPS: 0.001, Burst: 1, MaxWait: time.Millisecond})}
	ctx := ratelimit.WithKey(context.Background(), "cred-hash")
	for i, wantLimited := range []bool{false, true} {
		req, err := NewRequest(ctx, http.MethodGet, srv.URL, "tok-0000", nil, "")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := Send(hc, req, "p", "list", nil)
		switch {
		case !wantLimited && (err != nil || !resp.OK()):
			t.Fatalf("request %d: %v", i, err)
		case wantLimited && (providers.KindOf(err) != providers.KindRateLimited || providers.RetryAfter(err) <= 0):
			t.Fatalf("request %d: got %v, want RateLimited with a RetryAfter", i, err)
		}
	}
}

func TestCredential(t *testing.T) {
	req := &providers.Request{Credentials: map[string][]byte{"token": []byte(" abc \n"), "bad": []byte("a b"), "ctl": []byte("a\x01b")}}
	if v, err := Credential(req, "p", "get", "token"); err != nil || v != "abc" {
		t.Errorf("token = %q, %v; want the trimmed value", v, err)
	}
	for key, want := range map[string]string{"missing": `no key "missing"`, "bad": `"bad" holds whitespace`, "ctl": `"ctl" holds whitespace`} {
		_, err := Credential(req, "p", "get", key)
		if providers.KindOf(err) != providers.KindMissingCredentials || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want MissingCredentials saying %s", key, err, want)
		}
		if strings.Contains(err.Error(), "a b") {
			t.Errorf("%s: the value leaks into %q", key, err)
		}
	}
}
