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

// Package webex manages Cisco Webex webhooks: a typed client for the Webex Webhooks REST API
// and the providers.Provider built on it.
package webex

import (
	"context"
	"net/http"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/intern"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

const (
	// CredentialToken is the key of the credentials Secret that holds the access token.
	CredentialToken = "token"
	// SecretRefPath is the key of the signing secret in providers.Request.Secrets.
	SecretRefPath = "webex.secretRef"
)

// Options configure a Provider.
type Options struct {
	// BaseURL is the API root, DefaultBaseURL when empty; tests point it at a fake.
	BaseURL string
	// HTTPClient sends the requests; a client with a 30 s timeout when nil. The provider uses a
	// copy that follows no redirect (httpx.NoRedirects).
	HTTPClient *http.Client
}

// Provider implements providers.Provider for Webex. It keeps no per-webhook state, so one
// value serves every Webhook concurrently.
type Provider struct {
	baseURL string
	hc      *http.Client
}

var _ providers.Provider = (*Provider)(nil)

// New returns a Provider for the API that opts describe.
func New(opts Options) *Provider {
	p := &Provider{baseURL: opts.BaseURL, hc: opts.HTTPClient}
	if p.baseURL == "" {
		p.baseURL = DefaultBaseURL
	}
	if p.hc == nil {
		p.hc = defaultHTTPClient()
	}
	p.hc = httpx.NoRedirects(p.hc)
	return p
}

// Capabilities reports that Webex cannot pause a webhook: its PUT only re-activates.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{CanDeactivate: false}
}

// Get reads the webhook with the given id.
func (p *Provider) Get(ctx context.Context, req *providers.Request, id string) (*providers.Remote, error) {
	if id == "" {
		return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "get",
			Message: "no webhook id"}
	}
	c, err := p.client(req, "get")
	if err != nil {
		return nil, err
	}
	w, err := c.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return remoteOf("get", w)
}

// Account is the Webex API the operator talks to, canonically spelled: Webex ids are unique across
// it, whichever token reads them.
func (p *Provider) Account(*providers.Request) string {
	if u, ok := providers.CanonicalURL(p.baseURL); ok {
		return u
	}
	return p.baseURL
}

// Scope is the URL of the list the request's webhook belongs to. Webex lists the token's own
// webhooks by default and the organisation's webhooks only with ownedBy=org, so an org-owned
// spec has a list, and a scope, of its own.
func (p *Provider) Scope(req *providers.Request) string {
	u := p.Account(req) + "/webhooks"
	if spec, err := webexSpec(req); err == nil && spec.OwnedBy == hooksv1alpha1.WebexOwnedByOrg {
		u += "?ownedBy=" + string(hooksv1alpha1.WebexOwnedByOrg)
	}
	return u
}

// List returns every webhook of the request's scope, following the next links across all pages.
// The list items are the same objects a read of one webhook returns.
func (p *Provider) List(ctx context.Context, req *providers.Request) ([]*providers.Remote, error) {
	spec, err := webexSpec(req)
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "list")
	if err != nil {
		return nil, err
	}
	opts := ListOptions{}
	if spec.OwnedBy == hooksv1alpha1.WebexOwnedByOrg {
		opts.OwnedBy = string(hooksv1alpha1.WebexOwnedByOrg)
	}
	all, err := c.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	remotes := make([]*providers.Remote, 0, len(all))
	for i := range all {
		// One unusable id fails the whole list rather than leave the item out: it may be the
		// webhook a create just made, and a list without it would have the controller create it
		// again.
		r, err := remoteOf("list", &all[i])
		if err != nil {
			return nil, err
		}
		remotes = append(remotes, r)
	}
	return remotes, nil
}

// Matches reports whether remote carries the desired name and the spec's immutable fields
// (resource, event, filter, owner): a webhook that can be adopted without a replace.
func (p *Provider) Matches(req *providers.Request, remote *providers.Remote) bool {
	spec, err := webexSpec(req)
	if err != nil || remote == nil {
		return false
	}
	w, _ := remote.Object.(*Webhook)
	if w == nil {
		return false
	}
	return w.Name == desiredName(req) && w.Resource == string(spec.Resource) && w.Event == string(spec.Event) &&
		w.Filter == spec.Filter && sameOwner(w.OwnedBy, spec.OwnedBy)
}

// Create makes the webhook with the signing secret. Webex creates every webhook active.
func (p *Provider) Create(ctx context.Context, req *providers.Request) (*providers.Remote, error) {
	spec, err := webexSpec(req)
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "create")
	if err != nil {
		return nil, err
	}
	in := CreateRequest{
		Name:      desiredName(req),
		TargetURL: req.Spec.TargetURL,
		Resource:  string(spec.Resource),
		Event:     string(spec.Event),
		Filter:    spec.Filter,
		Secret:    req.Secret(SecretRefPath),
	}
	if spec.OwnedBy == hooksv1alpha1.WebexOwnedByOrg {
		in.OwnedBy = string(spec.OwnedBy)
	}
	w, err := c.Create(ctx, in)
	if err != nil {
		return nil, err
	}
	// An answer whose id is refused leaves the webhook made but unrecorded: the next reconcile
	// finds it by its name marker once a list shows it with a usable id, and a list that shows
	// it with this one fails as List says, so nothing is created twice.
	return remoteOf("create", w)
}

// Update applies name, target URL and secret in place, and re-activates a webhook that Webex
// disabled. Webex requires name and targetUrl on every PUT, so both are always sent.
func (p *Provider) Update(ctx context.Context, req *providers.Request, remote *providers.Remote) (*providers.Remote, error) {
	if _, err := webexSpec(req); err != nil {
		return nil, err
	}
	if remote == nil || remote.ID == "" {
		return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "update",
			Message: "no webhook id"}
	}
	c, err := p.client(req, "update")
	if err != nil {
		return nil, err
	}
	in := UpdateRequest{
		Name:      desiredName(req),
		TargetURL: req.Spec.TargetURL,
		Secret:    req.Secret(SecretRefPath),
	}
	if !remote.Active {
		in.Status = StatusActive
	}
	w, err := c.Update(ctx, remote.ID, in)
	if err != nil {
		return nil, err
	}
	return remoteOf("update", w)
}

// Delete removes the webhook; one that is already gone counts as removed.
func (p *Provider) Delete(ctx context.Context, req *providers.Request, id string) error {
	if id == "" {
		return nil
	}
	c, err := p.client(req, "delete")
	if err != nil {
		return err
	}
	if err := c.Delete(ctx, id); err != nil && !providers.IsNotFound(err) {
		return err
	}
	return nil
}

// client builds a Client for the request's token. Every credential and resolved secret is
// registered for scrubbing, not only the token, because any of them could be echoed back.
func (p *Provider) client(req *providers.Request, op string) (*Client, error) {
	token, err := credentialToken(req, op)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(p.baseURL, p.hc, token, req.SecretValues()...)
	if err != nil {
		return nil, &providers.Error{Kind: providers.KindUnavailable, Provider: ProviderName, Op: op,
			Message: err.Error(), Err: err}
	}
	return c, nil
}

func credentialToken(req *providers.Request, op string) (string, error) {
	return httpx.Credential(req, ProviderName, op, CredentialToken)
}

// maxIDLength caps a Webex id: base64 of a ciscospark:// URI, about 80 characters.
const maxIDLength = providers.MaxID

// remoteOf is toRemote for a webhook as Webex answered op: one whose id is not a usable id
// (providers.ValidID) is a malformed answer, never a Remote, since the id would reach
// status.id, messages and request paths.
func remoteOf(op string, w *Webhook) (*providers.Remote, error) {
	if !providers.ValidID(w.ID, maxIDLength) {
		return nil, providers.MalformedID(ProviderName, op, "id")
	}
	return toRemote(w), nil
}

// toRemote reports a webhook in the neutral shape. An empty status is read as active, since
// only "inactive" is documented to stop deliveries. The state is the status's providers.State
// token.
func toRemote(w *Webhook) *providers.Remote {
	o := slim(w)
	r := &providers.Remote{
		ID:     w.ID,
		State:  providers.State(o.Status),
		Active: w.Status != StatusInactive,
		Object: o,
	}
	if t, ok := w.CreatedTime(); ok {
		r.Created = &t
	}
	return r
}

// slim returns a copy of w holding only what Diff, Matches and SpecOf read: the name, target URL,
// resource, event, filter and owner they compare or import, whether a secret is set (SpecOf
// reports it; the value itself is read by nothing, so a set one is kept as maskedSecret and the
// snapshot holds no signing secret), and the id and status (shared with the Remote's ID and
// State). The creation
// time is already parsed into Remote.Created; orgId, createdBy and appId are read by nothing. The
// controller keeps every listed Remote in its account snapshot, so what is cleared here is heap
// saved per webhook. The values that repeat from webhook to webhook (resource, event, status,
// ownedBy) are interned, so that a snapshot holds each once. w itself is left as it was.
func slim(w *Webhook) *Webhook {
	return &Webhook{
		ID:        w.ID,
		Name:      w.Name,
		TargetURL: w.TargetURL,
		Resource:  intern.String(w.Resource),
		Event:     intern.String(w.Event),
		Filter:    w.Filter,
		Secret:    mask(w.Secret),
		Status:    intern.String(w.Status),
		OwnedBy:   intern.String(w.OwnedBy),
	}
}

// maskedSecret stands for a set secret in a Remote's object.
const maskedSecret = "***"

// mask returns maskedSecret for a set secret and "" for none.
func mask(secret string) string {
	if secret == "" {
		return ""
	}
	return maskedSecret
}

// sameOwner compares ownedBy values, where empty means creator on both sides.
func sameOwner(remote string, spec hooksv1alpha1.WebexOwnedBy) bool {
	if remote == "" {
		remote = string(hooksv1alpha1.WebexOwnedByCreator)
	}
	if spec == "" {
		spec = hooksv1alpha1.WebexOwnedByCreator
	}
	return remote == string(spec)
}
