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

// Package pageseeder manages PageSeeder client webhooks (Allette Systems): a client for the
// webhook services of a PageSeeder server, authenticated as an administrator's OAuth client, and
// the providers.Provider built on it.
//
// Each Webhook names its own server (spec.pageSeeder.serverUrl) and the OAuth client whose
// webhooks it manages (spec.pageSeeder.client, the internal numeric id). A new PageSeeder
// webhook is "pending" until PageSeeder has pinged its url and the receiver echoed the
// X-PS-Secret header; the provider asks for that ping after a create or a url change, and again
// on later syncs while the webhook stays pending.
//
// Several parts of the API are not documented publicly and are marked UNCONFIRMED where the
// code depends on them: the create and edit parameters, the shape of their answers, the delete
// answer, statuses other than pending and active, and the error ids of a missing webhook.
//
// Known limitation: changing spec.pageSeeder.client moves the Webhook to another client's
// webhook list. Get then looks under the new client and finds nothing, so the controller creates
// a webhook there and the one under the old client is left behind; delete it by hand. (Diff
// never sees the two together, so it cannot ask for a replace.)
package pageseeder

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/intern"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
	"github.com/hookkeeper/hookkeeper/providers/internal/oauth"
)

const (
	// ProviderName is the name carried by every error of this package.
	ProviderName = "pageseeder"
	// DefaultServicePath is the service root on the server when spec.pageSeeder.servicePath is
	// empty; current servers also serve the same services under "/ps/api".
	DefaultServicePath = "/ps/service"

	// StatusPending is the status of a webhook that has not passed a ping yet.
	StatusPending = "pending"
	// StatusActive is the status of a webhook that passed its ping.
	StatusActive = "active"
)

// inactiveStatuses are the statuses read as "not delivering". Only pending and active are
// documented; these are the plausible others (UNCONFIRMED). Pending is not among them: such a
// webhook waits for a ping, PageSeeder has not disabled it.
var inactiveStatuses = map[string]bool{"disabled": true, "inactive": true, "error": true, "failed": true}

// Options configure a Provider.
type Options struct {
	// HTTPClient sends every request, token requests included; a client with a 30 s timeout when
	// nil. The provider uses a copy that follows no redirect (httpx.NoRedirects). Since serverUrl
	// comes from the spec, that is from the tenant, the transport at the bottom of HTTPClient
	// should be Egress.Transport(), which checks every connection against the policy once the
	// name is resolved: the provider builds no transport of its own, so that the operator's
	// wrappers (rate limit, metrics) stay in place.
	HTTPClient *http.Client
	// Egress is the operator's --endpoint-allowlist. Every serverUrl, and the token URL on it, is
	// checked with Egress.CheckURL before any request; nil is the empty policy (public addresses
	// only). A refusal, before or while connecting, is an Error of KindInvalid on
	// pageSeeder.serverUrl.
	Egress *egress.Policy
	// AllowInsecure allows an http:// serverUrl (the operator's --allow-insecure-endpoints), for
	// a local sandbox and tests. Without it the credentials only ever travel over https.
	AllowInsecure bool
}

// Provider implements providers.Provider for PageSeeder. Its only state is the cache of OAuth
// tokens, so one value serves every Webhook concurrently.
type Provider struct {
	hc            *http.Client
	allowInsecure bool
	egress        *egress.Policy

	tokens *oauth.Cache
}

var _ providers.Provider = (*Provider)(nil)

// New returns a Provider configured by opts.
func New(opts Options) *Provider {
	p := &Provider{hc: opts.HTTPClient, allowInsecure: opts.AllowInsecure, egress: opts.Egress, tokens: &oauth.Cache{EarlyExpiry: tokenEarlyExpiry}}
	if p.hc == nil {
		p.hc = &http.Client{Timeout: 30 * time.Second}
	}
	// The token requests go through p.hc too (see accessToken), so neither they nor the service
	// calls follow a redirect.
	p.hc = httpx.NoRedirects(p.hc)
	return p
}

// Capabilities reports that PageSeeder cannot pause a webhook: no documented parameter stops
// deliveries while keeping the webhook, so spec.enabled: false deletes it and true creates it
// again. Several webhooks may carry the same name and url, so the natural key is not unique.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{CanDeactivate: false, UniqueNaturalKey: false}
}

// Get reads the webhook with the given id under the spec's client.
func (p *Provider) Get(ctx context.Context, req *providers.Request, id string) (*providers.Remote, error) {
	n, ok := parseID(id)
	if !ok {
		// PageSeeder ids are positive integers: anything else cannot exist, and is never put in a path.
		return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "get",
			Message: "no webhook id " + strconv.Quote(id)}
	}
	c, _, err := p.connect(ctx, req, "get")
	if err != nil {
		return nil, err
	}
	w, err := c.get(ctx, n)
	if err != nil {
		return nil, err
	}
	return toRemote(w), nil
}

// Account is the spec's OAuth client on the spec's PageSeeder site, canonically spelled. The site
// is the service root without its last segment: PageSeeder serves the same data below
// <site>/service and <site>/api, so both service paths name one account.
func (p *Provider) Account(req *providers.Request) string {
	spec, err := pageSeederSpec(req)
	if err != nil {
		return ""
	}
	return siteOf(spec) + "#client=" + strconv.FormatInt(spec.Client, 10)
}

// siteOf is the canonical PageSeeder site of the spec; a serverUrl that is not a URL is kept as
// written, since no request goes there and the account only has to be stable.
func siteOf(spec *hooksv1alpha1.PageSeederSpec) string {
	servicePath := spec.ServicePath
	if servicePath == "" {
		servicePath = DefaultServicePath
	}
	root, ok := providers.CanonicalURL(strings.TrimRight(strings.TrimSpace(spec.ServerURL), "/") + "/" + strings.TrimLeft(servicePath, "/"))
	if !ok {
		return strings.TrimSpace(spec.ServerURL) + " " + servicePath
	}
	if i := strings.LastIndex(root, "/"); i > len("https://") {
		if last := strings.ToLower(root[i+1:]); last == "service" || last == "api" {
			root = root[:i]
		}
	}
	return root
}

// Scope is the webhook list of the spec's OAuth client: the account's.
func (p *Provider) Scope(req *providers.Request) string {
	return p.Account(req)
}

// MaxListed is the most webhooks one OAuth client's list may hold: PageSeeder servers are named by
// tenants, so what one list may cost in memory is bounded here, far above what a real client has.
// MaxListedAdmin is the bound for a server that a cluster administrator named (a ClusterAccount),
// which a platform team may share among many namespaces.
const (
	MaxListed      = 1000
	MaxListedAdmin = 50000
)

// List returns every webhook of the spec's OAuth client. PageSeeder answers the whole list at
// once, each item as a read of one webhook shows it. A repeated id is reported once. An item
// without a usable id (a positive integer) fails the whole list as a malformed answer rather than
// be left out: it may be the webhook a create just made, and a list without it would have the
// controller create it again, at every retry.
func (p *Provider) List(ctx context.Context, req *providers.Request) ([]*providers.Remote, error) {
	c, _, err := p.connect(ctx, req, "list")
	if err != nil {
		return nil, err
	}
	all, err := c.list(ctx)
	if err != nil {
		return nil, err
	}
	limit := MaxListed
	if req.AdminEndpoints {
		limit = MaxListedAdmin
	}
	if len(all) > limit {
		// The server is the tenant's choice: a list of a million ids would be held in memory, for
		// every account the tenant invents, until the account goes idle.
		return nil, &providers.Error{Kind: providers.KindUnavailable, Provider: ProviderName, Op: "list",
			Message: fmt.Sprintf("the server lists %d webhooks for the OAuth client, more than the %d the operator keeps for one account", len(all), limit)}
	}
	remotes := make([]*providers.Remote, 0, len(all))
	seen := make(map[int64]bool, len(all))
	for i := range all {
		w := &all[i]
		if w.ID < 1 {
			return nil, providers.MalformedID(ProviderName, "list", "id")
		}
		if seen[w.ID] {
			continue
		}
		seen[w.ID] = true
		remotes = append(remotes, toRemote(w))
	}
	return remotes, nil
}

// Matches reports whether remote carries the desired name (the Webhook's marker by default) and
// the target url.
func (p *Provider) Matches(req *providers.Request, remote *providers.Remote) bool {
	if req == nil || req.Spec == nil || remote == nil {
		return false
	}
	w, _ := remote.Object.(*Webhook)
	return w != nil && w.Name == desiredName(req) && w.URL == req.Spec.TargetURL
}

// Create makes the webhook and, when spec ping is on, asks PageSeeder to ping it. A failed ping
// does not fail the create: the webhook exists and its id must reach the status, so it is
// returned pending, and Diff asks for another ping on the next sync.
func (p *Provider) Create(ctx context.Context, req *providers.Request) (*providers.Remote, error) {
	c, spec, err := p.connect(ctx, req, "create")
	if err != nil {
		return nil, err
	}
	w, err := c.create(ctx, params(req))
	if err != nil {
		return nil, err
	}
	if !w.usable() {
		if w, err = p.readBackCreated(ctx, c, req, w); err != nil {
			return nil, err
		}
	}
	if pingEnabled(spec) && !strings.EqualFold(w.Status, StatusActive) && c.ping(ctx, w.ID) == nil {
		// A ping that succeeds moves the webhook from pending to active: no need to read it
		// again, which would add a request to every create.
		w = w.clone()
		w.Status = StatusActive
	}
	return toRemote(w), nil
}

// readBackCreated finds the webhook a create answered without describing it: by its id when the
// answer had one, else as the newest of the client's webhooks with the name and url just sent.
func (p *Provider) readBackCreated(ctx context.Context, c *client, req *providers.Request, partial *Webhook) (*Webhook, error) {
	if partial != nil && partial.ID > 0 {
		w, err := c.get(ctx, partial.ID)
		if err != nil {
			return nil, notReadBack("create", err)
		}
		return w, nil
	}
	all, err := c.list(ctx)
	if err != nil {
		return nil, notReadBack("create", err)
	}
	var newest *Webhook
	for i := range all {
		w := &all[i]
		if w.Name == desiredName(req) && w.URL == req.Spec.TargetURL && (newest == nil || w.ID > newest.ID) {
			newest = w
		}
	}
	switch {
	case newest == nil:
		return nil, &providers.Error{Kind: providers.KindUnavailable, Provider: ProviderName, Op: "create",
			Message: "the create succeeded but the new webhook is not in the list"}
	case newest.ID < 1:
		// As in List: the webhook exists, and the next list that names it by a usable id lets
		// the controller adopt it instead of creating another.
		return nil, providers.MalformedID(ProviderName, "create", "id")
	}
	return newest, nil
}

// notReadBack keeps a read that follows a successful write from reporting NotFound, which would
// tell the controller the webhook is gone.
func notReadBack(op string, err error) error {
	if providers.IsNotFound(err) {
		return &providers.Error{Kind: providers.KindUnavailable, Provider: ProviderName, Op: op,
			Message: "the webhook cannot be read back: " + err.Error(), Err: err}
	}
	return err
}

// Update patches every field when any differs (all of them are editable in place: UNCONFIRMED,
// see params), then pings the webhook when spec ping is on and its url changed, it is still
// pending, or PageSeeder reports it not active: the ping is the documented way back to active.
// A ping the receiver fails (170A, 170B, 170C) is not an error: the webhook is returned as it
// stands, pending, and the next sync pings again. Any other failure of the ping service is.
//
// PageSeeder ignores events it does not know. Rather than patch them again on every sync, an
// update that loses requested events fails as Invalid, naming them.
func (p *Provider) Update(ctx context.Context, req *providers.Request, remote *providers.Remote) (*providers.Remote, error) {
	if remote == nil {
		return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "update", Message: "no webhook id"}
	}
	id, ok := parseID(remote.ID)
	if !ok {
		return nil, &providers.Error{Kind: providers.KindNotFound, Provider: ProviderName, Op: "update",
			Message: "no webhook id " + strconv.Quote(remote.ID)}
	}
	c, spec, err := p.connect(ctx, req, "update")
	if err != nil {
		return nil, err
	}
	// A copy, so that the Remote returned never shares its object with the one given, which the
	// controller may keep in its snapshot.
	w, _ := remote.Object.(*Webhook)
	w = w.clone()
	urlChanged := w == nil || w.URL != req.Spec.TargetURL
	if w == nil || len(fieldDiff(req, w)) > 0 {
		if w, err = c.edit(ctx, id, params(req)); err != nil {
			return nil, err
		}
		if !w.usable() {
			if w, err = c.get(ctx, id); err != nil {
				return nil, notReadBack("update", err)
			}
		}
		if lost := missing(spec.Events, w.Events); len(lost) > 0 {
			return nil, &providers.Error{Kind: providers.KindInvalid, Provider: ProviderName, Op: "update",
				Field: "pageSeeder.events", Message: "PageSeeder ignored events it does not know: " + strings.Join(lost, ", ")}
		}
	}
	if pingEnabled(spec) && (urlChanged || !strings.EqualFold(w.Status, StatusActive)) {
		err := c.ping(ctx, id)
		switch {
		case isPingFailure(err):
			return toRemote(w), nil
		case err != nil:
			return nil, err
		}
		if w, err = c.get(ctx, id); err != nil {
			return nil, notReadBack("update", err)
		}
	}
	return toRemote(w), nil
}

// Delete removes the webhook; one that is already gone counts as removed.
func (p *Provider) Delete(ctx context.Context, req *providers.Request, id string) error {
	n, ok := parseID(id)
	if !ok {
		return nil
	}
	c, _, err := p.connect(ctx, req, "delete")
	if err != nil {
		return err
	}
	if err := c.remove(ctx, n); err != nil && !providers.IsNotFound(err) {
		return err
	}
	return nil
}

// connect checks what every call needs from the spec, before any credential is sent, and
// returns a client holding a usable access token.
func (p *Provider) connect(ctx context.Context, req *providers.Request, op string) (*client, *hooksv1alpha1.PageSeederSpec, error) {
	spec, err := pageSeederSpec(req)
	if err != nil {
		return nil, nil, err
	}
	server, root, err := p.endpoints(spec)
	if err != nil {
		return nil, nil, err
	}
	if spec.Client < 1 {
		return nil, nil, providers.Invalid(ProviderName, "pageSeeder.client", "must be the internal numeric id of the OAuth client, 1 or more")
	}
	creds, err := readCredentials(req, op)
	if err != nil {
		return nil, nil, err
	}
	c := &client{hc: p.hc, root: root, owner: spec.Client, redact: redactions(req, creds)}
	if !creds.oauth() {
		c.token = creds.token
		return c, spec, nil
	}
	token, forget, err := p.accessToken(ctx, server, creds, c.redact)
	if err != nil {
		return nil, nil, err
	}
	c.token, c.forgetToken = token, forget
	c.redact = sortRedactions(append(c.redact, token))
	return c, spec, nil
}

// toRemote reports a webhook in the neutral shape. The status comes from a server the tenant
// may run, so Remote.State is its providers.State token; the id needs no such care, being a
// positive integer once decoded.
func toRemote(w *Webhook) *providers.Remote {
	o := slim(w)
	r := &providers.Remote{
		ID:     strconv.FormatInt(w.ID, 10),
		State:  providers.State(o.Status),
		Active: !inactiveStatuses[strings.ToLower(w.Status)],
		// A pending hook waits for a successful ping: it exists, but PageSeeder will not post to it.
		Pending: strings.EqualFold(w.Status, StatusPending),
		Object:  o,
	}
	if t, ok := w.CreatedTime(); ok {
		r.Created = &t
	}
	return r
}

// slim returns a copy of w for a Remote, which the controller keeps in its account snapshot. It
// holds what Diff, Matches, Update and SpecOf read: the name, url, events, projects, groups,
// server, format, object, insecuressl, status and client id; and modified, which nothing reads
// but Get has always reported (and List must report what Get does). The creation time is already
// parsed into Remote.Created, so its text is dropped. The values that repeat from webhook to
// webhook (status, format, object, and the items of the lists, which are event names, project
// and group names) are interned, so that a snapshot holds each once; the lists are new slices of
// their exact length. w itself is left as it was.
func slim(w *Webhook) *Webhook {
	return &Webhook{
		ID:          w.ID,
		Name:        w.Name,
		URL:         w.URL,
		Events:      intern.Strings(w.Events),
		Projects:    intern.Strings(w.Projects),
		Groups:      intern.Strings(w.Groups),
		Server:      w.Server,
		Format:      intern.String(w.Format),
		Object:      intern.String(w.Object),
		InsecureSSL: w.InsecureSSL,
		Status:      intern.String(w.Status),
		Modified:    w.Modified,
		ClientID:    w.ClientID,
	}
}

func parseID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil && n > 0
}
