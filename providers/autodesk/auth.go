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

package autodesk

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

const (
	// CredentialClientID and CredentialClientSecret are the keys of the credentials Secret for
	// two-legged OAuth.
	CredentialClientID     = "clientId"
	CredentialClientSecret = "clientSecret"
	// CredentialToken is the key of a ready-made bearer token, used as it is (a three-legged
	// token, or one fetched elsewhere); it is never refreshed.
	CredentialToken = "token"
)

// tokenScopes are what the webhooks API needs: data:read to read, data:write as well to change.
var tokenScopes = []string{"data:read", "data:write"}

// assumedLifetime bounds a token whose answer carried no expires_in, which oauth2 would otherwise
// keep forever.
const assumedLifetime = 30 * time.Minute

// credentials are what the credentials Secret holds: a client id and secret, or a token.
type credentials struct {
	clientID, clientSecret string
	token                  string
}

func readCredentials(req *providers.Request, op string) (credentials, error) {
	get := func(key string) string { return strings.TrimSpace(string(req.Credentials[key])) }
	id, secret, token := get(CredentialClientID), get(CredentialClientSecret), get(CredentialToken)
	missing := func(msg string) error {
		return &providers.Error{Kind: providers.KindMissingCredentials, Provider: ProviderName, Op: op, Message: msg}
	}
	switch {
	case id != "" && secret != "":
		return credentials{clientID: id, clientSecret: secret}, nil
	case token != "":
		if !httpx.HeaderSafe(token) {
			return credentials{}, missing(`credentials Secret key "token" holds whitespace or control characters`)
		}
		return credentials{token: token}, nil
	case id != "":
		return credentials{}, missing(`credentials Secret has "clientId" but no "clientSecret" (or use "token" instead)`)
	case secret != "":
		return credentials{}, missing(`credentials Secret has "clientSecret" but no "clientId" (or use "token" instead)`)
	}
	return credentials{}, missing(`credentials Secret needs "clientId" and "clientSecret", or "token"`)
}

// tokenCache holds one two-legged token per (token URL, client id, secret), so that every Webhook
// of a credential shares it until shortly before it expires.
//
// It caches tokens rather than oauth2.TokenSources on purpose: a TokenSource keeps the context it
// was made with for every later refresh, so it would either outlive the reconcile whose context
// it took (and fail once that is cancelled) or ignore every caller's deadline. Here each fetch
// runs under its caller's context and the client's timeout.
type tokenCache struct {
	mu      sync.Mutex
	entries map[cacheKey]*cachedToken
}

type cacheKey struct {
	tokenURL, clientID string
	secret             [sha256.Size]byte
}

type cachedToken struct {
	// sem lets one caller fetch at a time; the others wait for its token, or give up with their
	// context.
	sem chan struct{}
	mu  sync.Mutex
	tok *oauth2.Token
}

func (tc *tokenCache) entry(tokenURL string, cr credentials) *cachedToken {
	key := cacheKey{tokenURL: tokenURL, clientID: cr.clientID, secret: sha256.Sum256([]byte(cr.clientSecret))}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.entries == nil {
		tc.entries = map[cacheKey]*cachedToken{}
	}
	e, ok := tc.entries[key]
	if !ok {
		e = &cachedToken{sem: make(chan struct{}, 1)}
		tc.entries[key] = e
	}
	return e
}

// valid returns the cached token while oauth2 deems it valid (until 10 s before it expires).
func (e *cachedToken) valid() *oauth2.Token {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tok.Valid() {
		return e.tok
	}
	return nil
}

// get returns the cached token, or fetches one when there is none or it is about to expire.
func (e *cachedToken) get(ctx context.Context, fetch func(context.Context) (*oauth2.Token, error)) (*oauth2.Token, error) {
	if t := e.valid(); t != nil {
		return t, nil
	}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.sem }()
	if t := e.valid(); t != nil {
		return t, nil // fetched by the caller we waited for
	}
	t, err := fetch(ctx)
	if err != nil {
		return nil, err
	}
	if t.Expiry.IsZero() {
		t.Expiry = time.Now().Add(assumedLifetime)
	}
	e.mu.Lock()
	e.tok = t
	e.mu.Unlock()
	return t, nil
}

// drop forgets access if it is still the cached token: APS refused it before it expired.
func (e *cachedToken) drop(access string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tok != nil && e.tok.AccessToken == access {
		e.tok = nil
	}
}

// authorize returns what the client needs to authenticate with cr: a fixed bearer token, or the
// cached two-legged token of the client id and secret. Token errors are scrubbed of redact too.
func (p *Provider) authorize(cr credentials, redact []string) (bearer func(context.Context, string) (string, error), refused func(string)) {
	if cr.token != "" {
		return func(context.Context, string) (string, error) { return cr.token, nil }, nil
	}
	entry := p.tokens.entry(p.tokenURL, cr)
	cfg := &clientcredentials.Config{
		ClientID:     cr.clientID,
		ClientSecret: cr.clientSecret,
		TokenURL:     p.tokenURL,
		Scopes:       tokenScopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	// The Basic header travels base64-encoded (of the form-encoded id and secret): a proxy that
	// quotes it must not leak it either.
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(cr.clientID) + ":" + url.QueryEscape(cr.clientSecret)))
	redact = append(append([]string(nil), redact...), cr.clientID, cr.clientSecret, basic)
	bearer = func(ctx context.Context, op string) (string, error) {
		t, err := entry.get(ctx, func(ctx context.Context) (*oauth2.Token, error) {
			return cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, p.hc))
		})
		if err != nil {
			return "", tokenError(op, err, redact)
		}
		return t.AccessToken, nil
	}
	return bearer, entry.drop
}

// credentialCodes are the OAuth error codes that mean the client id, secret or scope was refused.
var credentialCodes = map[string]bool{
	"invalid_client": true, "unauthorized_client": true, "invalid_grant": true, "invalid_scope": true,
	"access_denied": true,
}

// tokenError maps a failed token request. oauth2's RetrieveError quotes the whole response body,
// which may echo the secret, so neither it nor its text is kept: only a scrubbed message. An
// error of our own that the transport raised before the request left, such as the client-side
// rate limit, keeps its kind and RetryAfter.
func tokenError(op string, err error, redact []string) *providers.Error {
	if pe := httpx.Carried(err, ProviderName, op, redact); pe != nil {
		return pe
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		e := unavailable(op, 0, fmt.Errorf("token endpoint: %w", err), redact)
		return e
	}
	code := 0
	header := http.Header{}
	if re.Response != nil {
		code = re.Response.StatusCode
		header = re.Response.Header
	}
	msg := bodyMessage(re.Body)
	if msg == "" {
		msg = strings.TrimSpace(strings.Trim(re.ErrorCode+": "+re.ErrorDescription, ": "))
	}
	if msg == "" {
		msg = errorMessage(nil, code)
	}
	e := &providers.Error{
		Kind:       tokenKind(code, re.ErrorCode),
		Provider:   ProviderName,
		Op:         op,
		StatusCode: code,
		Message:    "token endpoint: " + httpx.SafeText(msg, redact),
		TrackingID: httpx.SafeText(trackingID(header), redact),
	}
	setRetryAfter(e, header)
	return e
}

// tokenKind: a refused credential is Unauthorized whatever the status (APS answers 401, OAuth
// says 400 invalid_client); any other 4xx also points at the credentials, since the request
// itself is fixed; 429 is a rate limit; 5xx, 408 and the rest are worth retrying.
func tokenKind(code int, errorCode string) providers.Kind {
	switch {
	case credentialCodes[errorCode]:
		return providers.KindUnauthorized
	case code == http.StatusTooManyRequests:
		return providers.KindRateLimited
	case code == http.StatusRequestTimeout:
		return providers.KindUnavailable
	case code >= 400 && code < 500:
		return providers.KindUnauthorized
	}
	return providers.KindUnavailable
}
