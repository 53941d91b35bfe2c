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

// Package autodesk manages Autodesk Platform Services (APS) webhooks, which APS calls hooks: a
// client for the Webhooks API v1 with two-legged OAuth, and the providers.Provider built on it.
//
// APS addresses a hook by region, system, event and id, while status.id keeps only the id (the
// hookId). The system, event and region come from the spec, which the controller always passes.
// When the spec's system, event or region changed, the hook is no longer where the spec says:
// Get and Delete then look for the id among all the app's hooks (GET /webhooks/v1/hooks, in each
// region, the spec's first), so that Diff can ask for a replace and Delete removes the old hook
// instead of leaving it to deliver forever.
package autodesk

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/intern"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
	"github.com/hookkeeper/hookkeeper/providers/internal/oauth"
)

// SecretRefPath is the key of the hook's signing token in providers.Request.Secrets.
const SecretRefPath = "autodesk.secretRef"

// Options configure a Provider.
type Options struct {
	// BaseURL is the APS host, DefaultBaseURL when empty; /webhooks/v1 and
	// /authentication/v2/token are below it. Tests point it at a fake.
	BaseURL string
	// HTTPClient sends the requests, token requests included; a client with a 30 s timeout when
	// nil. The provider uses a copy that follows no redirect (httpx.NoRedirects).
	HTTPClient *http.Client
}

// Provider implements providers.Provider for APS. It keeps no per-webhook state, only the
// two-legged tokens of each credential, so one value serves every Webhook concurrently.
type Provider struct {
	base     string
	tokenURL string
	baseErr  error
	hc       *http.Client
	tokens   *oauth.Cache
}

var _ providers.Provider = (*Provider)(nil)

// New returns a Provider for the APS host that opts describe.
func New(opts Options) *Provider {
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	p := &Provider{base: base, tokenURL: base + tokenPath, hc: opts.HTTPClient,
		tokens: &oauth.Cache{EarlyExpiry: tokenEarlyExpiry, AssumedLifetime: assumedLifetime}}
	if u, err := url.Parse(base); err != nil || u.Scheme == "" || u.Host == "" {
		p.baseErr = errors.New("autodesk: base URL " + base + " is not an absolute URL")
	}
	if p.hc == nil {
		p.hc = &http.Client{Timeout: 30 * time.Second}
	}
	// The token requests go through p.hc too (see authorize), so neither they nor the API
	// requests follow a redirect.
	p.hc = httpx.NoRedirects(p.hc)
	return p
}

// Capabilities reports that APS can deactivate a hook (PATCH status inactive) and refuses a second
// identical hook with 409.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{CanDeactivate: true, UniqueNaturalKey: true}
}

// Get reads the hook with the given id where the spec says it is, and looks for it elsewhere
// when it is not there (see the package documentation).
func (p *Provider) Get(ctx context.Context, req *providers.Request, id string) (*providers.Remote, error) {
	if id == "" {
		return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "get",
			Message: "no hook id"}
	}
	spec, err := autodeskSpec(req)
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "get")
	if err != nil {
		return nil, err
	}
	here := specLocation(spec)
	h, err := c.get(ctx, "get", here, id)
	if err == nil {
		return remoteOf("get", h)
	}
	if !providers.IsNotFound(err) {
		return nil, err
	}
	moved, lerr := c.locate(ctx, "get", id, here)
	if lerr != nil {
		return nil, lerr
	}
	if moved == nil {
		return nil, err
	}
	return remoteOf("get", moved)
}

// Account is the APS API in the spec's region, canonically spelled: APS keeps hooks per region,
// and an empty region is US.
func (p *Provider) Account(req *providers.Request) string {
	region := DefaultRegion
	if spec, err := autodeskSpec(req); err == nil {
		region = specLocation(spec).Region
	}
	base, ok := providers.CanonicalURL(p.base)
	if !ok {
		base = p.base
	}
	return base + webhooksPath + "/hooks?region=" + url.QueryEscape(strings.ToUpper(strings.TrimSpace(region)))
}

// Scope is the list of every hook the credentials own in the spec's region: the account's.
func (p *Provider) Scope(req *providers.Request) string {
	return p.Account(req)
}

// List returns every hook the credentials own in the spec's region, of every system and event,
// all pages, from GET /webhooks/v1/hooks: the list that accepts both two-legged and three-legged
// tokens (/app/hooks takes two-legged ones only). Its items are the HookDetails a read returns,
// and each Remote is addressed as Get addresses it. A hook listed twice, as a list shifting
// between pages may do, is reported once.
func (p *Provider) List(ctx context.Context, req *providers.Request) ([]*providers.Remote, error) {
	spec, err := autodeskSpec(req)
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "list")
	if err != nil {
		return nil, err
	}
	region := specLocation(spec).Region
	hooks, err := c.list(ctx, "list", region, webhooksPath+"/hooks", nil)
	if err != nil {
		return nil, err
	}
	remotes := make([]*providers.Remote, 0, len(hooks))
	seen := make(map[string]bool, len(hooks))
	for i := range hooks {
		h := hooks[i]
		if h.HookID == "" || seen[h.HookID] {
			continue
		}
		seen[h.HookID] = true
		own := locationOf(&h, location{Region: region})
		h.Region, h.System, h.Event = own.Region, own.System, own.Event
		// One unusable id fails the whole list rather than leave the hook out: it may be the hook
		// a create just made, and a list without it would have the controller create it again.
		r, err := remoteOf("list", &h)
		if err != nil {
			return nil, err
		}
		remotes = append(remotes, r)
	}
	return remotes, nil
}

// Matches reports whether remote is a hook of the spec's region, system and event with the
// spec's callback URL and scope: one APS would refuse to create again with 409.
func (p *Provider) Matches(req *providers.Request, remote *providers.Remote) bool {
	spec, err := autodeskSpec(req)
	if err != nil || remote == nil {
		return false
	}
	h, _ := remote.Object.(*Hook)
	return h != nil && matchesHook(req, spec, h)
}

// matchesHook is the predicate of Matches and of the search after a create without id. What the hook does not tell about its
// location is taken from the spec, as the list it came from was the spec's.
func matchesHook(req *providers.Request, spec *hooksv1alpha1.AutodeskSpec, h *Hook) bool {
	want := specLocation(spec)
	return h.CallbackURL == targetURL(req) && sameScope(h.Scope, spec.Scope) && locationOf(h, want) == want
}

// Create makes the hook, then applies what the create payload cannot carry (the signing token and
// a disabled status) with a PATCH. It returns the hook as it sent it (see createdHook) rather
// than reading it back. When a step after the POST fails, the error is returned and the
// controller recovers the hook on the next reconcile (Matches picks it), whose update applies the
// rest.
func (p *Provider) Create(ctx context.Context, req *providers.Request) (*providers.Remote, error) {
	spec, err := autodeskSpec(req)
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "create")
	if err != nil {
		return nil, err
	}
	loc := specLocation(spec)
	id, err := c.create(ctx, loc, newCreatePayload(req, spec))
	if err != nil {
		return nil, err // a 409 is KindConflict: the controller then adopts what Matches picks
	}
	if id == "" {
		if id, err = c.recoverID(ctx, req, spec); err != nil {
			return nil, err
		}
	}
	if !providers.ValidID(id, maxIDLength) {
		// The hook exists but this id cannot name it, nor go into the PATCH's path: the next
		// reconcile finds the hook by Matches once a list shows it with a usable id (a list that
		// shows it with this one fails, as List says, so nothing is created twice), and its
		// update applies the rest.
		return nil, providers.MalformedID(ProviderName, "create", "hookId")
	}
	after := map[string]any{}
	if !req.Spec.IsEnabled() {
		after["status"] = StatusInactive
	}
	if secret := req.Secret(SecretRefPath); secret != "" {
		after["token"] = secret
	}
	if len(after) > 0 {
		if err := c.patch(ctx, "create", loc, id, after); err != nil {
			return nil, err
		}
	}
	status := StatusActive
	if !req.Spec.IsEnabled() {
		status = StatusInactive
	}
	return toRemote(createdHook(req, spec, loc, id, status)), nil
}

// createdHook is the hook APS has just made, as the create and patch described it. APS answers
// a create with a Location and no body; reading the hook back would double the cost of every
// create, and the next list of the account brings what APS really holds. It has no creation
// time, so the controller records its own.
func createdHook(req *providers.Request, spec *hooksv1alpha1.AutodeskSpec, loc location, id, status string) *Hook {
	in := newCreatePayload(req, spec)
	h := &Hook{
		HookID:                       id,
		Tenant:                       in.Tenant,
		CallbackURL:                  in.CallbackURL,
		Event:                        loc.Event,
		System:                       loc.System,
		Status:                       status,
		AutoReactivateHook:           Bool(isTrue(in.AutoReactivateHook)),
		HookExpiry:                   in.HookExpiry,
		Scope:                        Scope(maps.Clone(in.Scope)),
		HookAttribute:                in.HookAttribute,
		Filter:                       in.Filter,
		HubID:                        in.HubID,
		ProjectID:                    in.ProjectID,
		CallbackWithEventPayloadOnly: Bool(isTrue(in.CallbackWithEventPayloadOnly)),
		Region:                       loc.Region,
	}
	return h
}

// recoverID finds the hook just created when the 201 named no id.
func (c *client) recoverID(ctx context.Context, req *providers.Request, spec *hooksv1alpha1.AutodeskSpec) (string, error) {
	hooks, err := c.findHooks(ctx, "create", req, spec)
	if err != nil {
		return "", err
	}
	if len(hooks) != 1 {
		return "", c.unavailable("create", http.StatusCreated,
			errors.New("APS created the hook but its answer named no id, and no single hook matches"))
	}
	return hooks[0].HookID, nil
}

// findHooks lists the spec's event with the first scope entry as filter and keeps the hooks
// that matchesHook keeps, each once, as List does.
func (c *client) findHooks(ctx context.Context, op string, req *providers.Request, spec *hooksv1alpha1.AutodeskSpec) ([]Hook, error) {
	loc := specLocation(spec)
	q := url.Values{}
	if keys := sortedKeys(spec.Scope); len(keys) > 0 {
		q.Set("scopeName", keys[0])
		q.Set("scopeValue", spec.Scope[keys[0]])
	}
	hooks, err := c.list(ctx, op, loc.Region, eventHooksPath(loc), q)
	if err != nil {
		return nil, err
	}
	var found []Hook
	seen := map[string]bool{}
	for i := range hooks {
		h := &hooks[i]
		if h.HookID != "" && !seen[h.HookID] && matchesHook(req, spec, h) {
			seen[h.HookID] = true
			own := locationOf(h, loc)
			h.Region, h.System, h.Event = own.Region, own.System, own.Event
			found = append(found, *h)
		}
	}
	return found, nil
}

// Update applies the in-place fields, the signing token and the status with one PATCH, then reads
// the hook back. Every patchable field is sent, so that one call also undoes changes made outside
// the operator and re-activates a hook that APS disabled.
func (p *Provider) Update(ctx context.Context, req *providers.Request, remote *providers.Remote) (*providers.Remote, error) {
	spec, err := autodeskSpec(req)
	if err != nil {
		return nil, err
	}
	if remote == nil || remote.ID == "" {
		return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "update",
			Message: "no hook id"}
	}
	c, err := p.client(req, "update")
	if err != nil {
		return nil, err
	}
	loc := specLocation(spec)
	if h, ok := remote.Object.(*Hook); ok && h != nil {
		loc = locationOf(h, loc)
	}
	if err := c.patch(ctx, "update", loc, remote.ID, newPatchBody(req, spec)); err != nil {
		return nil, err
	}
	h, err := c.get(ctx, "update", loc, remote.ID)
	if err != nil {
		return nil, err
	}
	return remoteOf("update", h)
}

// Delete removes the hook where the spec says it is, or where it moved to when the spec's
// system, event or region changed. A hook that is gone counts as removed.
func (p *Provider) Delete(ctx context.Context, req *providers.Request, id string) error {
	if id == "" {
		return nil
	}
	spec, err := autodeskSpec(req)
	if err != nil {
		return err
	}
	c, err := p.client(req, "delete")
	if err != nil {
		return err
	}
	here := specLocation(spec)
	err = c.delete(ctx, here, id)
	if err == nil || !providers.IsNotFound(err) {
		return err
	}
	moved, err := c.locate(ctx, "delete", id, here)
	if err != nil || moved == nil {
		return err
	}
	if err := c.delete(ctx, locationOf(moved, here), id); err != nil && !providers.IsNotFound(err) {
		return err
	}
	return nil
}

// locate looks for the hook id among all the app's hooks, in the region here first and then in
// the others. It returns nil when the hook is nowhere, or only where here already looked: the
// direct read is trusted for its own address. Errors of the other regions that say the app has
// no access there are skipped; transient ones are returned, since "not found" would be a guess.
func (c *client) locate(ctx context.Context, op, id string, here location) (*Hook, error) {
	regions := append([]string{here.Region}, slices.DeleteFunc(slices.Clone(Regions), func(r string) bool { return r == here.Region })...)
	for i, region := range regions {
		hooks, err := c.list(ctx, op, region, webhooksPath+"/hooks", nil)
		if err != nil {
			if k := providers.KindOf(err); i > 0 && (k == providers.KindUnauthorized || k == providers.KindNotFound || k == providers.KindInvalid) {
				continue
			}
			return nil, err
		}
		for j := range hooks {
			h := &hooks[j]
			if h.HookID != id {
				continue
			}
			own := locationOf(h, location{Region: region})
			if own == here {
				return nil, nil
			}
			h.Region, h.System, h.Event = own.Region, own.System, own.Event
			return h, nil
		}
	}
	return nil, nil
}

// client builds a client for the request's credentials. Every credential and resolved secret is
// registered for scrubbing, because any of them could be echoed back.
func (p *Provider) client(req *providers.Request, op string) (*client, error) {
	if p.baseErr != nil {
		return nil, &providers.Error{Kind: providers.KindUnavailable, Provider: ProviderName, Op: op,
			Message: p.baseErr.Error(), Err: p.baseErr}
	}
	cr, err := readCredentials(req, op)
	if err != nil {
		return nil, err
	}
	redact := req.SecretValues()
	bearer, refused := p.authorize(cr, redact)
	return &client{base: p.base, hc: p.hc, bearer: bearer, refused: refused, redact: redact}, nil
}

// maxIDLength caps an APS hook id: a UUID, 36 characters.
const maxIDLength = 128

// remoteOf is toRemote for a hook as APS answered op: one whose hookId is not a usable id
// (providers.ValidID) is a malformed answer, never a Remote, since the id would reach status.id,
// messages and request paths.
func remoteOf(op string, h *Hook) (*providers.Remote, error) {
	if !providers.ValidID(h.HookID, maxIDLength) {
		return nil, providers.MalformedID(ProviderName, op, "hookId")
	}
	return toRemote(h), nil
}

// toRemote reports a hook in the neutral shape. Only inactive stops deliveries: active and
// reactivated (re-enabled, no event since) both deliver. The state is the status's
// providers.State token.
func toRemote(h *Hook) *providers.Remote {
	o := slim(h)
	r := &providers.Remote{
		ID:     h.HookID,
		State:  providers.State(o.Status),
		Active: h.Status != StatusInactive,
		// APS re-activates such a hook on its own; the operator must not race it.
		SelfReactivating: bool(h.AutoReactivateHook),
		Object:           o,
	}
	if t, ok := h.CreatedTime(); ok {
		r.Created = &t
	}
	return r
}

// slim returns a copy of h holding only what Diff, Matches, Update and SpecOf read: the callback
// URL, scope, tenant, hub and project ids, filter, hookAttribute, the two flags, the expiry, and
// the region, system and event that address the hook (system and event filled in from __self__
// where the hook did not name them, so that __self__ itself is not kept). The id and status are
// shared with the Remote's ID and State. The creation date is already parsed into
// Remote.Created; createdBy, creatorType, lastUpdatedDate and urn are read by nothing. The
// controller keeps every listed Remote in its account snapshot, so what is left out here is heap
// saved per hook. A tenant equal to a scope value (APS fills in the scope's URN) shares that
// value's string, and the values that repeat from hook to hook (system, event, status, region)
// are interned, so that a snapshot holds each once. h itself is left as it was.
func slim(h *Hook) *Hook {
	loc := locationOf(h, location{Region: h.Region})
	s := &Hook{
		HookID:                       h.HookID,
		Tenant:                       h.Tenant,
		CallbackURL:                  h.CallbackURL,
		Event:                        intern.String(loc.Event),
		System:                       intern.String(loc.System),
		Status:                       intern.String(h.Status),
		AutoReactivateHook:           h.AutoReactivateHook,
		HookExpiry:                   h.HookExpiry,
		Scope:                        h.Scope,
		HookAttribute:                h.HookAttribute,
		Filter:                       h.Filter,
		HubID:                        h.HubID,
		ProjectID:                    h.ProjectID,
		CallbackWithEventPayloadOnly: h.CallbackWithEventPayloadOnly,
		Region:                       intern.String(h.Region),
	}
	for _, v := range s.Scope {
		if v == s.Tenant {
			s.Tenant = v
			break
		}
	}
	return s
}
