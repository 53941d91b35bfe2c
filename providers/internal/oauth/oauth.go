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

// Package oauth is the cache of OAuth 2.0 client-credentials tokens that the providers whose
// SaaS issues them share (APS, PageSeeder): one token per client of a token endpoint, fetched by
// one caller at a time under that caller's context, reused until shortly before it expires, and
// dropped when the API refuses it. It returns oauth2's errors as they are; each provider maps
// them, since the kinds and messages of a token failure are its own.
package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Client is one OAuth client of one token endpoint.
type Client struct {
	TokenURL string
	ID       string
	Secret   string
	// Scopes are sent with every token request; none when empty.
	Scopes []string
}

// Basic is the value of the Authorization header of the token request without its "Basic "
// prefix: the base64 of the form-encoded id and secret. A proxy that quotes the header must not
// leak it, so the providers scrub it too.
func (c Client) Basic() string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.ID) + ":" + url.QueryEscape(c.Secret)))
}

// Cache holds the last token of each client, keyed by token URL and client id. A new secret
// replaces the entry once the endpoint has accepted it: a rotated secret takes effect at once,
// an old one is never served the new one's token, the cache holds one entry per client, and a
// secret the endpoint refuses leaves the entry alone. The last point matters across tenants: a
// client id is no secret, so a Webhook in another namespace may name it with a wrong secret, and
// must not make the owner's token be fetched again and again.
//
// It caches tokens rather than oauth2.TokenSources on purpose: a TokenSource keeps the context it
// was made with for every later refresh, so it would either outlive the reconcile whose context
// it took (and fail once that is cancelled) or ignore every caller's deadline. Here each fetch
// runs under its caller's context and the client's timeout.
type Cache struct {
	// EarlyExpiry renews a token this long before it expires, so that it cannot expire between
	// the check and the last request of a reconcile.
	EarlyExpiry time.Duration
	// AssumedLifetime bounds a token whose answer carried no expires_in; when zero, such a token
	// is kept until the API refuses it.
	AssumedLifetime time.Duration

	mu sync.Mutex
	// entries are the clients' accepted secrets and tokens; candidates, the secrets not (yet)
	// accepted, each with its own single fetch, dropped when the endpoint refuses them.
	entries    map[key]*entry
	candidates map[candidateKey]*entry
}

type key struct{ tokenURL, clientID string }

type candidateKey struct {
	key
	secret [sha256.Size]byte
}

type entry struct {
	secret [sha256.Size]byte
	// sem lets one caller fetch at a time; the others wait for its token, or give up with their
	// context.
	sem chan struct{}
	mu  sync.Mutex
	tok *oauth2.Token
}

// entry returns the entry of cl's secret: the client's own when the secret is the accepted one,
// else a candidate, which settle promotes or drops once its fetch is answered.
func (c *Cache) entry(cl Client) (e *entry, candidate bool) {
	k, secret := key{cl.TokenURL, cl.ID}, sha256.Sum256([]byte(cl.Secret))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries, c.candidates = map[key]*entry{}, map[candidateKey]*entry{}
	}
	if e := c.entries[k]; e != nil && e.secret == secret {
		return e, false
	}
	ck := candidateKey{k, secret}
	e = c.candidates[ck]
	if e == nil {
		e = &entry{secret: secret, sem: make(chan struct{}, 1)}
		c.candidates[ck] = e
	}
	return e, true
}

// settle makes an accepted candidate the client's entry, or drops a refused one.
func (c *Cache) settle(cl Client, e *entry, accepted bool) {
	k := key{cl.TokenURL, cl.ID}
	ck := candidateKey{k, e.secret}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.candidates[ck] != e {
		return
	}
	delete(c.candidates, ck)
	if accepted {
		c.entries[k] = e
		c.sweepLocked(time.Now())
	}
}

// sweepLocked drops the entries whose token has expired: the clients of credentials rotated away
// (another client id, another server) or no longer used, which would otherwise stay for the life
// of the process. A client still in use would fetch a new token the next time anyway; its secret
// is then a candidate again, which a wrong secret cannot displace.
func (c *Cache) sweepLocked(now time.Time) {
	for k, e := range c.entries {
		e.mu.Lock()
		stale := e.tok != nil && !e.tok.Expiry.IsZero() && e.tok.Expiry.Before(now)
		e.mu.Unlock()
		if stale {
			delete(c.entries, k)
		}
	}
}

// Len is how many clients the cache holds tokens for.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Token returns an access token of cl: the cached one while it is good for EarlyExpiry more,
// or one fetched from cl.TokenURL over hc under ctx. Concurrent callers for one client and secret
// wait for a single fetch. An error is oauth2's (an *oauth2.RetrieveError for an answer) or
// ctx's, which the caller maps.
func (c *Cache) Token(ctx context.Context, hc *http.Client, cl Client) (string, error) {
	e, candidate := c.entry(cl)
	if t := e.valid(c.EarlyExpiry); t != nil {
		return t.AccessToken, nil
	}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-e.sem }()
	if t := e.valid(c.EarlyExpiry); t != nil {
		return t.AccessToken, nil // fetched by the caller we waited for
	}
	cfg := &clientcredentials.Config{ClientID: cl.ID, ClientSecret: cl.Secret, TokenURL: cl.TokenURL,
		Scopes: cl.Scopes, AuthStyle: oauth2.AuthStyleInHeader}
	t, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err != nil {
		if candidate && ctx.Err() == nil {
			c.settle(cl, e, false)
		}
		return "", err
	}
	if t.Expiry.IsZero() && c.AssumedLifetime > 0 {
		t.Expiry = time.Now().Add(c.AssumedLifetime)
	}
	e.mu.Lock()
	e.tok = t
	e.mu.Unlock()
	if candidate {
		c.settle(cl, e, true)
	}
	return t.AccessToken, nil
}

// Forget drops access if it is still cl's cached token: the API refused it before its time (as
// after a restart of the SaaS), so the next call fetches another.
func (c *Cache) Forget(cl Client, access string) {
	c.mu.Lock()
	e := c.entries[key{cl.TokenURL, cl.ID}]
	c.mu.Unlock()
	if e == nil || e.secret != sha256.Sum256([]byte(cl.Secret)) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tok != nil && e.tok.AccessToken == access {
		e.tok = nil
	}
}

// valid returns the cached token while it is good for early more; a token without an expiry
// stays good.
func (e *entry) valid(early time.Duration) *oauth2.Token {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tok == nil || e.tok.AccessToken == "" {
		return nil
	}
	if !e.tok.Expiry.IsZero() && !time.Now().Add(early).Before(e.tok.Expiry) {
		return nil
	}
	return e.tok
}
