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

package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/hookkeeper/hookkeeper/providers/internal/oauth"
)

// tokenServer issues numbered tokens to the clients it knows, each living lifetime (no
// expires_in when 0), after delay.
type tokenServer struct {
	*httptest.Server
	mu       sync.Mutex
	secrets  map[string]string
	lifetime time.Duration
	delay    time.Duration
	issued   atomic.Int32
	lastForm url.Values
}

func newTokenServer(t *testing.T, lifetime time.Duration) *tokenServer {
	ts := &tokenServer{secrets: map[string]string{"client-a": "secret-a", "client-b": "secret-b"}, lifetime: lifetime}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		delay, lifetime := ts.delay, ts.lifetime
		ts.mu.Unlock()
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		id, secret, ok := r.BasicAuth()
		_ = r.ParseForm()
		ts.mu.Lock()
		ts.lastForm = r.PostForm
		known := ok && ts.secrets[id] == secret && secret != ""
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !known {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		n := ts.issued.Add(1)
		expires := ""
		if lifetime > 0 {
			expires = fmt.Sprintf(`,"expires_in":%d`, int(lifetime.Seconds()))
		}
		_, _ = fmt.Fprintf(w, `{"access_token":"%s-token-%d","token_type":"Bearer"%s}`, id, n, expires)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) set(f func(ts *tokenServer)) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	f(ts)
}

func (ts *tokenServer) client(id string) oauth.Client {
	return oauth.Client{TokenURL: ts.URL + "/token", ID: id, Secret: "secret-" + id[len(id)-1:]}
}

func mustToken(t *testing.T, c *oauth.Cache, cl oauth.Client) string {
	t.Helper()
	tok, err := c.Token(context.Background(), http.DefaultClient, cl)
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok
}

func TestTokenIsFetchedOnceAndReused(t *testing.T) {
	ts := newTokenServer(t, time.Hour)
	c := &oauth.Cache{EarlyExpiry: time.Minute}
	cl := ts.client("client-a")
	cl.Scopes = []string{"data:read", "data:write"}
	first := mustToken(t, c, cl)
	for range 3 {
		if tok := mustToken(t, c, cl); tok != first {
			t.Fatalf("token %q, want the cached %q", tok, first)
		}
	}
	if n := ts.issued.Load(); n != 1 {
		t.Errorf("%d tokens issued, want 1", n)
	}
	ts.mu.Lock()
	f := ts.lastForm
	ts.mu.Unlock()
	if f.Get("grant_type") != "client_credentials" || f.Get("scope") != "data:read data:write" || f.Has("client_secret") {
		t.Errorf("token request form %v, want client_credentials with the scopes and the secret in the header only", f)
	}
}

func TestEarlyExpiry(t *testing.T) {
	tests := []struct {
		name       string
		lifetime   time.Duration
		early      time.Duration
		assumed    time.Duration
		wantTokens int32
	}{
		{name: "a token good for longer than the margin is reused", lifetime: 2 * time.Minute, early: time.Minute, wantTokens: 1},
		{name: "a token inside the margin is renewed", lifetime: 30 * time.Second, early: time.Minute, wantTokens: 3},
		{name: "a token without expiry is kept", lifetime: 0, early: time.Minute, wantTokens: 1},
		{name: "an assumed lifetime inside the margin renews it", lifetime: 0, early: time.Minute, assumed: time.Second, wantTokens: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, tt.lifetime)
			c := &oauth.Cache{EarlyExpiry: tt.early, AssumedLifetime: tt.assumed}
			for range 3 {
				mustToken(t, c, ts.client("client-a"))
			}
			if n := ts.issued.Load(); n != tt.wantTokens {
				t.Errorf("%d tokens issued, want %d", n, tt.wantTokens)
			}
		})
	}
}

func TestConcurrentCallersShareOneFetch(t *testing.T) {
	ts := newTokenServer(t, time.Hour)
	ts.set(func(ts *tokenServer) { ts.delay = 50 * time.Millisecond })
	c := &oauth.Cache{}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := c.Token(context.Background(), http.DefaultClient, ts.client("client-a"))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Token: %v", err)
		}
	}
	if n := ts.issued.Load(); n != 1 {
		t.Errorf("20 concurrent callers made %d token requests, want 1", n)
	}
}

func TestCancelledContextWhileWaitingForAToken(t *testing.T) {
	ts := newTokenServer(t, time.Hour)
	ts.set(func(ts *tokenServer) { ts.delay = 300 * time.Millisecond })
	c := &oauth.Cache{}
	go func() { _, _ = c.Token(context.Background(), http.DefaultClient, ts.client("client-a")) }()
	time.Sleep(50 * time.Millisecond) // let the first caller take the fetch
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Token(ctx, http.DefaultClient, ts.client("client-a"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting caller got %v, want its deadline", err)
	}
	if waited := time.Since(start); waited > 200*time.Millisecond {
		t.Errorf("the waiting caller ignored its deadline for %v", waited)
	}
}

func TestTokensAreKeptPerClientAndSecret(t *testing.T) {
	ts := newTokenServer(t, time.Hour)
	c := &oauth.Cache{}
	a, b := ts.client("client-a"), ts.client("client-b")
	ta, tb := mustToken(t, c, a), mustToken(t, c, b)
	if ta == tb || mustToken(t, c, a) != ta || mustToken(t, c, b) != tb {
		t.Fatalf("tokens %q and %q: want one per client, reused", ta, tb)
	}
	other := a
	other.TokenURL = ts.URL + "/other-token"
	if mustToken(t, c, other) == ta {
		t.Error("another token URL was served the first one's token")
	}
	// A rotated secret fetches at once; the old one is not served the new one's token, and a
	// secret the endpoint refuses gets its error.
	ts.set(func(ts *tokenServer) { ts.secrets["client-a"] = "rotated" })
	rotated := a
	rotated.Secret = "rotated"
	if tok := mustToken(t, c, rotated); tok == ta {
		t.Error("the rotated secret was served the old secret's token")
	}
	var re *oauth2.RetrieveError
	if _, err := c.Token(context.Background(), http.DefaultClient, a); !errors.As(err, &re) || re.Response.StatusCode != 401 {
		t.Errorf("the old secret got %v, want the endpoint's 401 as an *oauth2.RetrieveError", err)
	}
}

func TestForgetDropsOnlyTheRefusedToken(t *testing.T) {
	ts := newTokenServer(t, time.Hour)
	c := &oauth.Cache{}
	cl := ts.client("client-a")
	first := mustToken(t, c, cl)
	c.Forget(cl, "some-other-token")
	if tok := mustToken(t, c, cl); tok != first {
		t.Fatalf("forgetting another token dropped %q", first)
	}
	c.Forget(cl, first)
	second := mustToken(t, c, cl)
	if second == first {
		t.Fatalf("a forgotten token %q was served again", first)
	}
	c.Forget(cl, first) // a late caller with the old token must not drop the new one
	if tok := mustToken(t, c, cl); tok != second {
		t.Errorf("token %q, want %q kept", tok, second)
	}
	if n := ts.issued.Load(); n != 2 {
		t.Errorf("%d tokens issued, want 2", n)
	}
}

func TestBasicIsTheHeaderValue(t *testing.T) {
	cl := oauth.Client{ID: "id:1", Secret: "s&2"}
	r, _ := http.NewRequest(http.MethodPost, "http://x/", nil)
	r.SetBasicAuth(url.QueryEscape(cl.ID), url.QueryEscape(cl.Secret))
	if got := r.Header.Get("Authorization"); got != "Basic "+cl.Basic() {
		t.Errorf("Basic() = %q, want the value of %q", cl.Basic(), got)
	}
}

// TestARefusedSecretLeavesTheOwnersToken: a client id is no secret, so another tenant may name
// it with a wrong secret; the endpoint refuses that secret, and the owner's token stays cached:
// no fetch is forced on the owner, however often the wrong secret comes.
func TestARefusedSecretLeavesTheOwnersToken(t *testing.T) {
	ts := newTokenServer(t, time.Hour)
	c := &oauth.Cache{}
	owner := ts.client("client-a")
	first := mustToken(t, c, owner)
	intruder := owner
	intruder.Secret = "guessed"
	for range 3 {
		if _, err := c.Token(context.Background(), http.DefaultClient, intruder); err == nil {
			t.Fatal("a wrong secret got a token")
		}
		if tok := mustToken(t, c, owner); tok != first {
			t.Fatalf("after a refused secret the owner got %q, want its cached %q", tok, first)
		}
	}
	if n := ts.issued.Load(); n != 1 {
		t.Errorf("%d tokens issued, want the owner's one", n)
	}
}

// TestExpiredClientsAreDropped: the token of a client that nobody asks for any more (credentials
// rotated to another client id, say) leaves the cache once it has expired, when another client's
// token is taken in; a live one stays.
func TestExpiredClientsAreDropped(t *testing.T) {
	ts := newTokenServer(t, time.Second)
	c := &oauth.Cache{}
	mustToken(t, c, ts.client("client-a"))
	if n := c.Len(); n != 1 {
		t.Fatalf("%d clients cached, want 1", n)
	}
	time.Sleep(1100 * time.Millisecond)
	ts.set(func(ts *tokenServer) { ts.lifetime = time.Hour })
	mustToken(t, c, ts.client("client-b"))
	if n := c.Len(); n != 1 {
		t.Errorf("%d clients cached after client-a's token expired, want only client-b", n)
	}
}
