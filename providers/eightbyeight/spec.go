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

package eightbyeight

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

var (
	// accountIDPattern is the path parameter's pattern in 8x8's specification: a GUID with or
	// without dashes, 32 to 36 characters long.
	accountIDPattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}[-]?(?:[0-9A-Fa-f]{4}[-]?){3}[0-9A-Fa-f]{12}$`)
	// subAccountIDPattern is the CRD's: "*", or a name without whitespace, "/" (the id separator)
	// or "*" (which 8x8 reserves for the account-wide webhook).
	subAccountIDPattern = regexp.MustCompile(`^(\*|[^\s/*]+)$`)
)

const maxSubAccountIDLength = 128

// credentialsLocationHeader is 8x8's and the CRD's default place for the OAuth client credentials.
const credentialsLocationHeader = "header"

// Ref locates a webhook: 8x8 keys webhooks by account, sub-account and type.
type Ref struct {
	AccountID    string
	SubAccountID string
	Type         string
}

// ID is the provider's id of the webhook: "<accountId>/<subAccountId>/<type>".
func (r Ref) ID() string {
	return r.AccountID + "/" + r.SubAccountID + "/" + r.Type
}

// ParseID reads an id that ID wrote. It reports false for anything else, including an id whose
// parts 8x8 could never accept.
func ParseID(id string) (Ref, bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 {
		return Ref{}, false
	}
	r := Ref{AccountID: parts[0], SubAccountID: parts[1], Type: parts[2]}
	if !validAccountID(r.AccountID) || !validSubAccountID(r.SubAccountID) || !validType(r.Type) {
		return Ref{}, false
	}
	r.AccountID = canonicalAccountID(r.AccountID)
	return r, true
}

// find returns the webhook at the ref's sub-account and type, or nil. Both compare exactly: "*"
// is a sub-account of its own, not a wildcard, and a legacy webhook without a type matches none.
func (r Ref) find(hooks []Webhook) *Webhook {
	for i := range hooks {
		if hooks[i].SubAccountID == r.SubAccountID && hooks[i].Type == r.Type {
			w := hooks[i]
			return &w
		}
	}
	return nil
}

// remoteRef parses the id of remote, which may be nil.
func remoteRef(remote *providers.Remote) (Ref, bool) {
	if remote == nil {
		return Ref{}, false
	}
	return ParseID(remote.ID)
}

// canonicalAccountID spells an account id the one way ids, claims and requests use, whatever the
// spec wrote: 8x8 keys an account by its GUID, not by how it is written. An id that is not a GUID
// stays as written; validation refuses it before any request.
func canonicalAccountID(s string) string {
	if c, ok := providers.CanonicalGUID(s); ok {
		return c
	}
	return s
}

func validAccountID(s string) bool {
	return len(s) >= 32 && len(s) <= 36 && accountIDPattern.MatchString(s)
}

func validSubAccountID(s string) bool {
	// The CRD counts characters, so this does too. Its pattern lets control and format characters
	// (terminal escapes, bidi controls, zero-width characters) through, and the sub-account is
	// part of the id, which status.id and messages show: ValidID keeps them out, whether the spec
	// or 8x8's list holds them.
	return utf8.RuneCountInString(s) <= maxSubAccountIDLength && subAccountIDPattern.MatchString(s) &&
		providers.ValidID(s, providers.MaxID)
}

func validType(s string) bool {
	switch hooksv1alpha1.EightByEightType(s) {
	case TypeMSG, TypeCADR, TypeCABM:
		return true
	}
	return false
}

// Validate checks the eightByEight block for clients whose API server did not run the CRD's
// validation, and what the schema cannot say about the OAuth token URL. It makes no request.
func (p *Provider) Validate(req *providers.Request) error {
	spec, err := eightByEightSpec(req)
	if err != nil {
		return err
	}
	if !validURL(req.Spec.TargetURL) {
		return providers.Invalid(ProviderName, "targetUrl", "must be an absolute http:// or https:// URL with a host")
	}
	if !validAccountID(spec.AccountID) {
		return providers.Invalid(ProviderName, "eightByEight.accountId",
			"%q is not a GUID of 32 to 36 characters, with or without dashes", spec.AccountID)
	}
	if !validSubAccountID(spec.SubAccountID) {
		return providers.Invalid(ProviderName, "eightByEight.subAccountId",
			`must be "*" or at most %d characters without whitespace, control characters, "/" or "*"`, maxSubAccountIDLength)
	}
	if !validType(string(spec.Type)) {
		return providers.Invalid(ProviderName, "eightByEight.type", "%q is not one of MSG, CADR, CABM", spec.Type)
	}
	if _, ok := RegionURL(spec.Region); !ok {
		return providers.Invalid(ProviderName, "eightByEight.region", "%q is not one of APAC, US, EU, ID", spec.Region)
	}
	if spec.AuthorizationSecretRef != nil && spec.OAuth != nil {
		return providers.Invalid(ProviderName, "eightByEight.oauth", "set at most one of authorizationSecretRef and oauth")
	}
	if o := spec.OAuth; o != nil {
		// 8x8 calls the token URL, not the operator, so http is the user's choice to make.
		if !validURL(o.TokenURL) {
			return providers.Invalid(ProviderName, "eightByEight.oauth.tokenUrl", "must be an absolute http:// or https:// URL with a host")
		}
		if strings.TrimSpace(o.ClientID) == "" {
			return providers.Invalid(ProviderName, "eightByEight.oauth.clientId", "is required")
		}
		switch o.CredentialsLocation {
		case "", credentialsLocationHeader, "body":
		default:
			return providers.Invalid(ProviderName, "eightByEight.oauth.credentialsLocation",
				"%q is not one of header, body", o.CredentialsLocation)
		}
	}
	return nil
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != ""
}

// Diff compares what a read shows. A different key means another webhook, so the controller
// deletes the old key and creates the new one; everything else the upsert changes in place.
// The secrets come back masked and are never compared, only whether each is configured at all;
// enabled is left to the controller, which compares it with Remote.Active.
func (p *Provider) Diff(req *providers.Request, remote *providers.Remote) providers.Diff {
	spec := specOrEmpty(req)
	d := providers.Diff{Action: providers.ActionNone}
	mark := func(differs bool, field string, action providers.Action) {
		if !differs {
			return
		}
		d.Fields = append(d.Fields, field)
		d.Action = max(d.Action, action)
	}
	want := specKey(spec)
	have, ok := remoteRef(remote)
	mark(!ok || have.AccountID != want.AccountID, "eightByEight.accountId", providers.ActionReplace)
	mark(!ok || have.SubAccountID != want.SubAccountID, "eightByEight.subAccountId", providers.ActionReplace)
	mark(!ok || have.Type != want.Type, "eightByEight.type", providers.ActionReplace)

	var w *Webhook
	if remote != nil {
		w, _ = remote.Object.(*Webhook)
	}
	if w == nil {
		// Without the wire object nothing else can be compared; an upsert is harmless.
		mark(true, "targetUrl", providers.ActionUpdate)
		return d
	}
	mark(w.URL != targetURL(req), "targetUrl", providers.ActionUpdate)
	mark((w.HTTPAuthorization != "") != (spec.AuthorizationSecretRef != nil), "eightByEight.authorizationSecretRef", providers.ActionUpdate)
	switch {
	case w.OAuth.configured() != (spec.OAuth != nil):
		mark(true, "eightByEight.oauth", providers.ActionUpdate)
	case spec.OAuth != nil:
		o := spec.OAuth
		mark(w.OAuth.URL != o.TokenURL, "eightByEight.oauth.tokenUrl", providers.ActionUpdate)
		mark(w.OAuth.ClientID != o.ClientID, "eightByEight.oauth.clientId", providers.ActionUpdate)
		mark(credentialsLocation(w.OAuth.CredentialsLocation) != credentialsLocation(o.CredentialsLocation),
			"eightByEight.oauth.credentialsLocation", providers.ActionUpdate)
		mark(w.OAuth.Scope != o.Scope, "eightByEight.oauth.scope", providers.ActionUpdate)
	}
	return d
}

// credentialsLocation applies the default of "header" to an absent value, on either side.
func credentialsLocation(v string) string {
	if v == "" {
		return credentialsLocationHeader
	}
	return v
}

// desired is the webhook the request asks for at ref, with the real secrets: a value read back
// is only "***", and sending that would store it.
func desired(req *providers.Request, ref Ref, op string) (Webhook, error) {
	spec := specOrEmpty(req)
	enabled := req.Spec.IsEnabled()
	w := Webhook{SubAccountID: ref.SubAccountID, Type: ref.Type, URL: req.Spec.TargetURL, Enabled: &enabled}
	if spec.AuthorizationSecretRef != nil {
		v := req.Secret(AuthorizationSecretPath)
		if v == "" {
			return Webhook{}, missingSecret(op, AuthorizationSecretPath)
		}
		w.HTTPAuthorization = v
	}
	if o := spec.OAuth; o != nil {
		v := req.Secret(OAuthClientSecretPath)
		if v == "" {
			return Webhook{}, missingSecret(op, OAuthClientSecretPath)
		}
		w.OAuth = &OAuth{URL: o.TokenURL, ClientID: o.ClientID, ClientSecret: v,
			CredentialsLocation: credentialsLocation(o.CredentialsLocation), Scope: o.Scope}
	}
	return w, nil
}

func missingSecret(op, path string) *providers.Error {
	return &providers.Error{Kind: providers.KindMissingCredentials, Provider: ProviderName, Op: op, Field: path,
		Message: fmt.Sprintf("spec.%s: the referenced Secret value is empty", path)}
}

// masked returns w as a read would show it, so that no secret lingers in a Remote.
func masked(w Webhook) *Webhook {
	if w.HTTPAuthorization != "" {
		w.HTTPAuthorization = Masked
	}
	if w.OAuth != nil {
		o := *w.OAuth
		if o.ClientSecret != "" {
			o.ClientSecret = Masked
		}
		w.OAuth = &o
	}
	return &w
}

func specKey(spec *hooksv1alpha1.EightByEightSpec) Ref {
	return Ref{AccountID: canonicalAccountID(spec.AccountID), SubAccountID: spec.SubAccountID, Type: string(spec.Type)}
}

func targetURL(req *providers.Request) string {
	if req.Spec == nil {
		return ""
	}
	return req.Spec.TargetURL
}

func eightByEightSpec(req *providers.Request) (*hooksv1alpha1.EightByEightSpec, error) {
	if req.Spec == nil || req.Spec.EightByEight == nil {
		return nil, providers.Invalid(ProviderName, "eightByEight", "is required when provider is EightByEight")
	}
	return req.Spec.EightByEight, nil
}

// specOrEmpty serves Diff, which cannot fail: Validate has already rejected a missing block.
func specOrEmpty(req *providers.Request) *hooksv1alpha1.EightByEightSpec {
	if spec, err := eightByEightSpec(req); err == nil {
		return spec
	}
	return &hooksv1alpha1.EightByEightSpec{}
}
