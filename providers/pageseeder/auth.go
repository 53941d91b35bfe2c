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

package pageseeder

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
	"github.com/hookkeeper/hookkeeper/providers/internal/oauth"
)

// The keys of the credentials Secret: clientId and clientSecret of an OAuth client of an
// administrator, or a ready-made access token.
const (
	CredentialClientID     = "clientId"
	CredentialClientSecret = "clientSecret"
	CredentialToken        = "token"
)

// tokenPath is the OAuth token endpoint, on the server root whatever the service path.
const tokenPath = "/ps/oauth/token"

// tokenEarlyExpiry renews a token this long before it expires, so that it cannot expire between
// the check and the last request of a reconcile.
const tokenEarlyExpiry = time.Minute

// credentials are the values read from the credentials Secret.
type credentials struct {
	clientID, clientSecret, token string
}

func (c credentials) oauth() bool { return c.clientID != "" && c.clientSecret != "" }

// readCredentials prefers the client credentials when both forms are present, since an OAuth
// client renews its own tokens while a plain token eventually expires.
func readCredentials(req *providers.Request, op string) (credentials, error) {
	var c credentials
	for _, f := range []struct {
		key string
		dst *string
	}{{CredentialClientID, &c.clientID}, {CredentialClientSecret, &c.clientSecret}, {CredentialToken, &c.token}} {
		v := strings.TrimSpace(string(req.Credentials[f.key]))
		if !httpx.HeaderSafe(v) {
			return c, missingCredentials(op, `credentials Secret key "`+f.key+`" holds whitespace or control characters`)
		}
		*f.dst = v
	}
	switch {
	case c.oauth() || c.token != "":
		return c, nil
	case c.clientID != "":
		return c, missingCredentials(op, `credentials Secret has "clientId" but no "clientSecret" (or set "token" instead)`)
	case c.clientSecret != "":
		return c, missingCredentials(op, `credentials Secret has "clientSecret" but no "clientId" (or set "token" instead)`)
	}
	return c, missingCredentials(op, `credentials Secret needs "clientId" and "clientSecret", or "token"`)
}

func missingCredentials(op, msg string) error {
	return &providers.Error{Kind: providers.KindMissingCredentials, Provider: ProviderName, Op: op, Message: msg}
}

// accessToken returns a token for the client credentials from the provider's cache (see
// oauth.Cache): fetched once per serverUrl and clientId and reused until a minute before it
// expires; a rotated clientSecret takes effect at once. The token URL is checked against the
// egress policy before any request.
//
// forget drops the token when the server refuses it before its time, as after a restart.
func (p *Provider) accessToken(ctx context.Context, server string, creds credentials, redact []string) (token string, forget func(), err error) {
	if err := p.checkEndpoint("token", server+tokenPath); err != nil {
		return "", nil, err
	}
	cl := oauth.Client{TokenURL: server + tokenPath, ID: creds.clientID, Secret: creds.clientSecret}
	token, err = p.tokens.Token(ctx, p.hc, cl)
	if err != nil {
		return "", nil, tokenError(err, redact)
	}
	return token, func() { p.tokens.Forget(cl, token) }, nil
}

// redactions are every value that must never reach an error: each credential, the forms in
// which a client credential travels (URL-encoded, and the Basic header's base64), and every
// resolved secret. Longest first, so that a value containing another is replaced whole.
func redactions(req *providers.Request, creds credentials) []string {
	values := req.SecretValues()
	if creds.oauth() {
		cl := oauth.Client{ID: creds.clientID, Secret: creds.clientSecret}
		values = append(values, url.QueryEscape(creds.clientID), url.QueryEscape(creds.clientSecret), cl.Basic())
	}
	return sortRedactions(values)
}

func sortRedactions(values []string) []string {
	sort.SliceStable(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	return values
}
