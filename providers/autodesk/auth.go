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
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
	"github.com/hookkeeper/hookkeeper/providers/internal/oauth"
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

// assumedLifetime bounds a token whose answer carried no expires_in, which would otherwise be
// kept until refused; tokenEarlyExpiry is oauth2's margin, with which APS tokens were first used.
const (
	assumedLifetime  = 30 * time.Minute
	tokenEarlyExpiry = 10 * time.Second
)

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

// authorize returns what the client needs to authenticate with cr: a fixed bearer token, or the
// cached two-legged token of the client id and secret. Token errors are scrubbed of redact too.
func (p *Provider) authorize(cr credentials, redact []string) (bearer func(context.Context, string) (string, error), refused func(string)) {
	if cr.token != "" {
		return func(context.Context, string) (string, error) { return cr.token, nil }, nil
	}
	cl := oauth.Client{TokenURL: p.tokenURL, ID: cr.clientID, Secret: cr.clientSecret, Scopes: tokenScopes}
	redact = append(append([]string(nil), redact...), cr.clientID, cr.clientSecret, cl.Basic())
	bearer = func(ctx context.Context, op string) (string, error) {
		access, err := p.tokens.Token(ctx, p.hc, cl)
		if err != nil {
			return "", tokenError(op, err, redact)
		}
		return access, nil
	}
	return bearer, func(access string) { p.tokens.Forget(cl, access) }
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
