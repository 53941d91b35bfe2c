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

// Package eightbyeight manages 8x8 Chat Apps webhooks: a typed client for the 8x8 webhook
// configuration API and the providers.Provider built on it.
//
// 8x8 keeps at most one webhook per (account, sub-account, type) and gives it no id, so the
// provider's id is "<accountId>/<subAccountId>/<type>", every read lists the account, and create
// and update are the same upsert.
package eightbyeight

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/intern"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

const (
	// CredentialAPIKey is the key of the credentials Secret that holds the 8x8 API key.
	CredentialAPIKey = "apiKey"
	// AuthorizationSecretPath is the key of the delivery Authorization value in providers.Request.Secrets.
	AuthorizationSecretPath = "eightByEight.authorizationSecretRef"
	// OAuthClientSecretPath is the key of the OAuth client secret in providers.Request.Secrets.
	OAuthClientSecretPath = "eightByEight.oauth.clientSecretRef"

	// StateEnabled and StateDisabled are the remote states, from the webhook's enabled flag.
	StateEnabled  = "enabled"
	StateDisabled = "disabled"

	// Masked is what 8x8 returns in place of httpAuthorization and oauth.clientSecret.
	Masked = "***"
)

// The webhook types of the Chat Apps API.
const (
	TypeMSG  hooksv1alpha1.EightByEightType = "MSG"
	TypeCADR hooksv1alpha1.EightByEightType = "CADR"
	TypeCABM hooksv1alpha1.EightByEightType = "CABM"
)

// The regions, each a data centre with a host of its own.
const (
	RegionAPAC hooksv1alpha1.EightByEightRegion = "APAC"
	RegionUS   hooksv1alpha1.EightByEightRegion = "US"
	RegionEU   hooksv1alpha1.EightByEightRegion = "EU"
	RegionID   hooksv1alpha1.EightByEightRegion = "ID"
)

var regionURLs = map[hooksv1alpha1.EightByEightRegion]string{
	RegionAPAC: "https://chatapps.8x8.com",
	RegionUS:   "https://chatapps.us.8x8.com",
	RegionEU:   "https://chatapps.8x8.uk",
	RegionID:   "https://chatapps.8x8.id",
}

// RegionURL returns the API host of a region; the empty region is APAC, the CRD's default. It
// reports false for a region it does not know.
func RegionURL(region hooksv1alpha1.EightByEightRegion) (string, bool) {
	if region == "" {
		region = RegionAPAC
	}
	u, ok := regionURLs[region]
	return u, ok
}

// Options configure a Provider.
type Options struct {
	// BaseURL, when set, is used for every region instead of the region's host (the
	// --eightbyeight-api-url flag); tests point it at a fake.
	BaseURL string
	// HTTPClient sends the requests; a client with a 30 s timeout when nil. The provider uses a
	// copy that follows no redirect (httpx.NoRedirects).
	HTTPClient *http.Client
}

// Provider implements providers.Provider for 8x8. It keeps no per-webhook state, so one value
// serves every Webhook concurrently.
type Provider struct {
	baseURL string
	hc      *http.Client
}

var _ providers.Provider = (*Provider)(nil)

// New returns a Provider for the API that opts describe.
func New(opts Options) *Provider {
	p := &Provider{baseURL: strings.TrimRight(opts.BaseURL, "/"), hc: opts.HTTPClient}
	if p.hc == nil {
		p.hc = defaultHTTPClient()
	}
	p.hc = httpx.NoRedirects(p.hc)
	return p
}

// BaseURL returns the API root the provider calls for region: the override when one is set,
// else the region's host.
func (p *Provider) BaseURL(region hooksv1alpha1.EightByEightRegion) (string, error) {
	if p.baseURL != "" {
		return p.baseURL, nil
	}
	u, ok := RegionURL(region)
	if !ok {
		return "", fmt.Errorf("unknown region %q", region)
	}
	return u, nil
}

// Capabilities reports that 8x8 can pause a webhook (enabled: false) and holds at most one per
// (account, sub-account, type).
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{CanDeactivate: true, UniqueNaturalKey: true}
}

// Get finds the webhook with the given id in its account's list. An id that is not of the form
// "<accountId>/<subAccountId>/<type>" names nothing that can exist, so it is NotFound, not
// Invalid: the controller then looks for the webhook by its key instead of blocking.
func (p *Provider) Get(ctx context.Context, req *providers.Request, id string) (*providers.Remote, error) {
	key, ok := ParseID(id)
	if !ok {
		return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "get",
			Message: fmt.Sprintf("%q is not an 8x8 webhook id (<accountId>/<subAccountId>/<type>)", id)}
	}
	c, err := p.client(req, "get")
	if err != nil {
		return nil, err
	}
	hooks, err := c.List(ctx, key.AccountID)
	if err != nil {
		return nil, err
	}
	if w := key.find(hooks); w != nil {
		return toRemote(key, w), nil
	}
	return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "get",
		Message: fmt.Sprintf("no %s webhook for sub-account %q in account %s", key.Type, key.SubAccountID, key.AccountID)}
}

// Account is the 8x8 account in the spec's region: the region's API, canonically spelled, and the
// account's GUID in one spelling (with or without dashes, in any case, it is one account).
func (p *Provider) Account(req *providers.Request) string {
	var region hooksv1alpha1.EightByEightRegion
	var account string
	if spec, err := eightByEightSpec(req); err == nil {
		region, account = spec.Region, canonicalAccountID(spec.AccountID)
	}
	base, err := p.BaseURL(region)
	if err != nil {
		// List fails for such a request; the account only has to be stable.
		base = "region:" + string(region)
	} else if c, ok := providers.CanonicalURL(base); ok {
		base = c
	}
	return base + "/api/v1/accounts/" + url.PathEscape(account)
}

// Scope is the account's webhook list, which 8x8 answers whole: the account's.
func (p *Provider) Scope(req *providers.Request) string {
	return p.Account(req)
}

// List returns every webhook of the spec's account, as Get reports each. 8x8 answers the whole
// list at once. A webhook that no id can name (a legacy one without a type, say) is left out,
// since Get could not read it either; so is a second one at a key already seen, as Get reads
// the first.
func (p *Provider) List(ctx context.Context, req *providers.Request) ([]*providers.Remote, error) {
	spec, err := eightByEightSpec(req)
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "list")
	if err != nil {
		return nil, err
	}
	account := canonicalAccountID(spec.AccountID)
	hooks, err := c.List(ctx, account)
	if err != nil {
		return nil, err
	}
	remotes := make([]*providers.Remote, 0, len(hooks))
	seen := make(map[string]bool, len(hooks))
	for i := range hooks {
		w := &hooks[i]
		ref := Ref{AccountID: account, SubAccountID: w.SubAccountID, Type: w.Type}
		if parsed, ok := ParseID(ref.ID()); !ok || parsed != ref || seen[ref.ID()] {
			continue
		}
		seen[ref.ID()] = true
		remotes = append(remotes, toRemote(ref, w))
	}
	return remotes, nil
}

// Matches reports whether remote sits at the spec's key: its account, sub-account and type.
func (p *Provider) Matches(req *providers.Request, remote *providers.Remote) bool {
	spec, err := eightByEightSpec(req)
	if err != nil {
		return false
	}
	ref, ok := remoteRef(remote)
	return ok && ref == specKey(spec)
}

// Create upserts the webhook and reads it back, since the upsert answers nothing.
func (p *Provider) Create(ctx context.Context, req *providers.Request) (*providers.Remote, error) {
	// Validated here as well, because an upsert without a valid type would configure CADR and MSG.
	if err := p.Validate(req); err != nil {
		return nil, err
	}
	key := specKey(req.Spec.EightByEight)
	in, err := desired(req, key, "create")
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "create")
	if err != nil {
		return nil, err
	}
	if err := c.Upsert(ctx, key.AccountID, in); err != nil {
		return nil, err
	}
	// As for Update: the upsert answers nothing, and what 8x8 now holds is what was sent. Listing
	// the account to see it would double the cost of every create; the next list brings it.
	return toRemote(key, masked(in)), nil
}

// Update upserts the full webhook at the remote's key: every field, the real secrets (never the
// masked values read back) and enabled as the spec says. The key is the remote's so that an
// update never creates a second webhook; a key change is a replace, which Diff reports.
func (p *Provider) Update(ctx context.Context, req *providers.Request, remote *providers.Remote) (*providers.Remote, error) {
	if err := p.Validate(req); err != nil {
		return nil, err
	}
	key, ok := remoteRef(remote)
	if !ok {
		return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "update",
			Message: "no valid webhook id"}
	}
	in, err := desired(req, key, "update")
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "update")
	if err != nil {
		return nil, err
	}
	if err := c.Upsert(ctx, key.AccountID, in); err != nil {
		return nil, err
	}
	// The upsert answers nothing; what 8x8 now holds is what was sent, shown as a read shows it.
	return toRemote(key, masked(in)), nil
}

// Delete removes the webhook with the given id; one that is already gone, or an id that names
// nothing that can exist, counts as removed.
func (p *Provider) Delete(ctx context.Context, req *providers.Request, id string) error {
	key, ok := ParseID(id)
	if !ok {
		return nil
	}
	c, err := p.client(req, "delete")
	if err != nil {
		return err
	}
	err = c.Delete(ctx, key.AccountID, Key{SubAccountID: key.SubAccountID, Type: key.Type})
	if err != nil && !providers.IsNotFound(err) {
		return err
	}
	return nil
}

// client builds a Client for the request's API key and region. Every credential and resolved
// secret is registered for scrubbing, not only the key, because any of them could be echoed back.
func (p *Provider) client(req *providers.Request, op string) (*Client, error) {
	apiKey, err := credentialAPIKey(req, op)
	if err != nil {
		return nil, err
	}
	var region hooksv1alpha1.EightByEightRegion
	if req.Spec != nil && req.Spec.EightByEight != nil {
		region = req.Spec.EightByEight.Region
	}
	base, err := p.BaseURL(region)
	if err != nil {
		return nil, providers.Invalid(ProviderName, "eightByEight.region", "%s", err.Error())
	}
	c, err := NewClient(base, p.hc, apiKey, req.SecretValues()...)
	if err != nil {
		return nil, &providers.Error{Kind: providers.KindUnavailable, Provider: ProviderName, Op: op,
			Message: err.Error(), Err: err}
	}
	return c, nil
}

func credentialAPIKey(req *providers.Request, op string) (string, error) {
	return httpx.Credential(req, ProviderName, op, CredentialAPIKey)
}

// toRemote reports a webhook in the neutral shape. 8x8 reports no creation time.
func toRemote(key Ref, w *Webhook) *providers.Remote {
	r := &providers.Remote{ID: key.ID(), State: StateDisabled, Active: w.IsEnabled(), Object: slim(w)}
	if r.Active {
		r.State = StateEnabled
	}
	return r
}

// slim returns a copy of w for a Remote, which the controller keeps in its account snapshot. It
// holds what Diff, Update and SpecOf read: the url, enabled, and the OAuth token URL, client id,
// credentials location and scope. The secrets are read only for whether they are set, so a set
// one is kept as Masked (a constant: what 8x8 reads back anyway, and no secret in the snapshot).
// The sub-account and type are left out: the Remote's ID carries them, and Diff, Matches, Update
// and SpecOf read them from there. The OAuth token URL, repeated across an account's webhooks,
// is interned. w itself is left as it was.
func slim(w *Webhook) *Webhook {
	s := &Webhook{URL: w.URL, Enabled: w.Enabled, HTTPAuthorization: masks(w.HTTPAuthorization)}
	if o := w.OAuth; o != nil {
		s.OAuth = &OAuth{URL: intern.String(o.URL), ClientID: o.ClientID, ClientSecret: masks(o.ClientSecret),
			CredentialsLocation: intern.String(o.CredentialsLocation), Scope: o.Scope}
	}
	return s
}

// masks returns Masked for a set secret and "" for none.
func masks(secret string) string {
	if secret == "" {
		return ""
	}
	return Masked
}
