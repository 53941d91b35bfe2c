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

package providertest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

// TokenEnv is the OAuth token endpoint of a SaaS whose requests carry client-credentials tokens
// (the Env's credentials are such a client).
type TokenEnv struct {
	// Fault makes the next token request with these credentials fail with status, the
	// Retry-After header value retryAfter (none when empty) and message in the body.
	Fault func(status int, retryAfter, message string)
	// Redirect makes the next token request answer status, a 3xx, with the Location location.
	Redirect func(status int, location string)
	// Delay makes the next token request with these credentials wait d before it is answered.
	Delay func(d time.Duration)
	// Requests returns how many token requests the simulator received for these credentials.
	Requests func() int
	// Op is the Op of a token error; the method's own when empty.
	Op string
	// MessagePrefix starts the Message of a token error, such as "token endpoint: ".
	MessagePrefix string
}

func (te *TokenEnv) op(method string) string {
	if te.Op != "" {
		return te.Op
	}
	return method
}

// runToken adds the checks of the token request, when the Env has a token endpoint.
func runToken(t *testing.T, setup func(t *testing.T) *Env) {
	for _, c := range tokenCases {
		t.Run("token error "+c.name, func(t *testing.T) { tokenError(t, setup(t), c) })
	}
	t.Run("token request under the client-side rate limit", func(t *testing.T) { tokenRateLimited(t, setup(t)) })
	t.Run("token request follows no redirect", func(t *testing.T) { tokenNoRedirect(t, setup(t)) })
	t.Run("token error text is one short line", func(t *testing.T) { tokenExcerpt(t, setup(t)) })
	t.Run("a caller waiting for a token keeps its deadline", func(t *testing.T) { tokenWait(t, setup(t)) })
}

func needToken(t *testing.T, e *Env) *TokenEnv {
	t.Helper()
	need(t, e.NewProvider != nil, "NewProvider")
	return e.Token
}

// tokenCases are the answers of a token endpoint that mean the same on every SaaS: the request is
// fixed, so a 4xx points at the credentials.
var tokenCases = []errorCase{
	{name: "400", status: 400, kind: providers.KindUnauthorized},
	{name: "403", status: 403, kind: providers.KindUnauthorized},
	{name: "429", status: 429, retryAfter: "9", kind: providers.KindRateLimited, wait: 9 * time.Second},
	{name: "500", status: 500, kind: providers.KindUnavailable},
	{name: "503", status: 503, retryAfter: "30", kind: providers.KindUnavailable, wait: 30 * time.Second},
}

// tokenError: a failed token request fails the call with the status's kind, status, Retry-After
// and the endpoint's message, scrubbed of the credentials it echoed, and no API request is made.
func tokenError(t *testing.T, e *Env, c errorCase) {
	te := needToken(t, e)
	rec := &testutil.Recorder{}
	p := e.NewProvider(&http.Client{Transport: rec})
	te.Fault(c.status, c.retryAfter, "simulated token failure for "+strings.Join(e.Secrets, " / "))
	_, err := p.List(ctx(t), e.Request("ns/token-error"))
	pe := testutil.ProviderError(t, err)
	if pe.Kind != c.kind || pe.StatusCode != c.status || pe.Op != te.op("list") || pe.Provider == "" ||
		(e.Name != "" && pe.Provider != e.Name) {
		t.Errorf("List under a %d token fault: %v (kind %v, status %d, op %q, provider %q), want kind %v, op %q",
			c.status, err, pe.Kind, pe.StatusCode, pe.Op, pe.Provider, c.kind, te.op("list"))
	}
	if pe.RetryAfter != c.wait {
		t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, c.wait)
	}
	if !strings.HasPrefix(pe.Message, te.MessagePrefix) || !strings.Contains(pe.Message, "simulated token failure") ||
		!strings.Contains(pe.Message, "[redacted]") {
		t.Errorf("message %q does not say the token request failed with the endpoint's message, scrubbed", pe.Message)
	}
	if n := rec.Count(); n != 1 {
		t.Errorf("%d requests, want the token request alone: %+v", n, rec.All())
	}
	testutil.AssertNoSecrets(t, err, e.Secrets, e.Secrets)
}

// tokenRateLimited: the client-side rate limit, when it refuses a token request, reaches the
// caller as a rate limit with its wait rather than as an unreachable token endpoint.
func tokenRateLimited(t *testing.T, e *Env) {
	te := needToken(t, e)
	hc := &http.Client{Transport: ratelimit.Transport(nil, e.Name, ratelimit.Limit{QPS: 0.001, Burst: 1, MaxWait: time.Millisecond})}
	p := e.NewProvider(hc)
	c := ratelimit.WithKey(ctx(t), "credential-hash")
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(other.Close)
	takeTurn(t, c, hc, other.URL) // the credential's only turn
	_, err := p.List(c, e.Request("ns/token-throttled"))
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindRateLimited || pe.RetryAfter <= 0 || (e.Name != "" && pe.Provider != e.Name) {
		t.Fatalf("got %v (kind %v, RetryAfter %v, provider %q), want RateLimited with a RetryAfter", pe, pe.Kind, pe.RetryAfter, pe.Provider)
	}
	if n := te.Requests(); n != 0 {
		t.Errorf("%d token requests reached the SaaS past the limit", n)
	}
	testutil.AssertNoSecrets(t, err, e.Secrets, e.Secrets)
}

func takeTurn(t *testing.T, c context.Context, hc *http.Client, url string) {
	t.Helper()
	req, err := http.NewRequestWithContext(c, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("first request: %v", err)
	}
	_ = resp.Body.Close()
}

// tokenNoRedirect: a redirect of the token request, which carries the client id and secret in
// a Basic header, sends nothing to its target, and fails the call Unavailable with ErrRedirect
// and the target's host, not its path.
func tokenNoRedirect(t *testing.T, e *Env) {
	te := needToken(t, e)
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		target := newRedirectTarget(t)
		rec := &testutil.Recorder{}
		p := e.NewProvider(&http.Client{Transport: rec})
		te.Redirect(status, target.URL+"/steal?x=1")
		_, err := p.List(ctx(t), e.Request("ns/token-redirected"))
		if got := target.requests(); len(got) != 0 {
			t.Fatalf("%d: the redirect target received %v", status, got)
		}
		pe := testutil.ProviderError(t, err)
		if pe.Kind != providers.KindUnavailable || pe.Op != te.op("list") || !errors.Is(err, httpx.ErrRedirect) {
			t.Errorf("%d: %v (kind %v, op %q), want an Unavailable error wrapping ErrRedirect", status, err, pe.Kind, pe.Op)
		}
		if host := strings.TrimPrefix(target.URL, "http://"); !strings.Contains(err.Error(), host) || strings.Contains(err.Error(), "steal") {
			t.Errorf("%d: error %q must name %s and not the path", status, err, host)
		}
		if n := rec.Count(); n != 1 {
			t.Errorf("%d: %d requests, want the token request alone", status, n)
		}
		testutil.AssertNoSecrets(t, err, e.Secrets, e.Secrets)
	}
}

// tokenExcerpt: the token endpoint's message reaches the error cut short, on one line.
func tokenExcerpt(t *testing.T, e *Env) {
	te := needToken(t, e)
	te.Fault(400, "", "bad\r\nlevel=info forged \x1b[2J"+strings.Repeat("x", 100000))
	_, err := e.Provider.List(ctx(t), e.Request("ns/token-verbose"))
	pe := testutil.ProviderError(t, err)
	if !strings.Contains(pe.Message, "bad level=info forged x") || strings.ContainsAny(pe.Message, "\r\n\x1b") {
		t.Errorf("message %q is not the sanitized start of the answer's", pe.Message)
	}
	if n := len([]rune(pe.Message)); n > providers.MaxExcerpt+len(te.MessagePrefix) {
		t.Errorf("message has %d characters, want it cut", n)
	}
}

// tokenWait: while one call fetches a slow token, another call of the same client waits for it,
// but no longer than its own deadline, and then fails Unavailable.
func tokenWait(t *testing.T, e *Env) {
	te := needToken(t, e)
	need(t, te.Delay != nil, "Token.Delay")
	te.Delay(300 * time.Millisecond)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = e.Provider.List(context.Background(), e.Request("ns/token-first"))
	}()
	t.Cleanup(func() { <-done })
	time.Sleep(50 * time.Millisecond) // let the first call take the fetch
	c, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Provider.List(c, e.Request("ns/token-waiting"))
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable {
		t.Errorf("the waiting call got %v (kind %v), want Unavailable", err, pe.Kind)
	}
	if waited := time.Since(start); waited > 200*time.Millisecond {
		t.Errorf("the waiting call ignored its deadline for %v", waited)
	}
}
