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

// Package example is a fifth provider that exists for the tests only: the proof that a SaaS is
// one package. It talks to a tiny webhook API (its simulator is in fake/): Bearer tokens, and
// /hooks with list, create, read, update and delete. It has no spec block of its own: a webhook
// is spec.targetUrl, spec.enabled and the owner's name marker, which is all this SaaS knows.
//
// It is added to the program the way a real provider is: this package with its Descriptor (whose
// New returns a providers.Implementation: the controller's methods and the import command's), its
// simulator in fake/ with its simulator.Descriptor, and one line in a list of descriptors: the
// tests' list, providers/catalog/catalogtest.WithExample, is catalog.All() and this one, and
// the checks the catalog's tests run on every provider run on it too. A real provider also adds
// its spec block to api/v1alpha1 and its value to the spec.provider enum; the envtest suite does
// the latter for this one on its copy of the CRD.
package example

import (
	"context"
	"net/http"
	"net/url"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

const (
	// Type is the provider's spec.provider value.
	Type hooksv1alpha1.ProviderType = "Example"
	// Name is its lower-case name: flag prefix and metrics label.
	Name = "example"
	// CredentialToken is the key of the credentials Secret that holds the API token.
	CredentialToken = "token"
)

// Descriptor describes the example provider to the rest of the program.
var Descriptor = providers.Descriptor{
	Type:           Type,
	Name:           Name,
	DisplayName:    "Example Hooks",
	ShortName:      "Example",
	DefaultQPS:     10,
	CredentialKeys: [][]string{{CredentialToken}},
	APIURL:         &providers.URLFlag{Default: "https://api.example.com", Usage: "Base URL of the Example Hooks API."},
	New: func(s providers.Settings) providers.Implementation {
		return New(s.BaseURL, s.HTTPClient)
	},
	Sample: func() hooksv1alpha1.WebhookSpec {
		return hooksv1alpha1.WebhookSpec{Provider: Type, TargetURL: "https://hooks.example.com/example"}
	},
}

// Hook is a webhook as the Example Hooks API sends and takes it.
type Hook struct {
	ID      string    `json:"id,omitempty"`
	Name    string    `json:"name"`
	URL     string    `json:"url"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created,omitzero"`
}

// Provider implements providers.Provider for Example Hooks.
type Provider struct {
	base string
	hc   *http.Client
}

// New returns the provider for the API at base.
func New(base string, hc *http.Client) *Provider {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Provider{base: base, hc: httpx.NoRedirects(hc)}
}

// Capabilities: a hook can be paused, and any number of hooks may look alike.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{CanDeactivate: true}
}

// Validate has nothing to check beyond the CRD's schema.
func (p *Provider) Validate(*providers.Request) error { return nil }

// Account is the API, canonically spelled: hook ids are unique across it.
func (p *Provider) Account(*providers.Request) string {
	if u, ok := providers.CanonicalURL(p.base); ok {
		return u
	}
	return p.base
}

// Scope is the account: one list per token covers every hook the token sees.
func (p *Provider) Scope(req *providers.Request) string { return p.Account(req) + "/hooks" }

// Matches keeps the hook that carries the owner's name marker.
func (p *Provider) Matches(req *providers.Request, remote *providers.Remote) bool {
	h, ok := remote.Object.(*Hook)
	return ok && h.Name == req.Owner
}

// Get reads one hook.
func (p *Provider) Get(ctx context.Context, req *providers.Request, id string) (*providers.Remote, error) {
	var h Hook
	if err := p.do(ctx, req, "get", http.MethodGet, "/hooks/"+url.PathEscape(id), nil, &h); err != nil {
		return nil, err
	}
	return toRemote(&h), nil
}

// List reads every hook of the token.
func (p *Provider) List(ctx context.Context, req *providers.Request) ([]*providers.Remote, error) {
	var hooks []Hook
	if err := p.do(ctx, req, "list", http.MethodGet, "/hooks", nil, &hooks); err != nil {
		return nil, err
	}
	out := make([]*providers.Remote, 0, len(hooks))
	for i := range hooks {
		out = append(out, toRemote(&hooks[i]))
	}
	return out, nil
}

// Create makes the hook, named with the owner's marker.
func (p *Provider) Create(ctx context.Context, req *providers.Request) (*providers.Remote, error) {
	in := Hook{Name: req.Owner, URL: req.Spec.TargetURL, Active: req.Spec.IsEnabled()}
	var h Hook
	if err := p.do(ctx, req, "create", http.MethodPost, "/hooks", &in, &h); err != nil {
		return nil, err
	}
	return toRemote(&h), nil
}

// Diff: the URL changes in place; activation is the controller's to compare.
func (p *Provider) Diff(req *providers.Request, remote *providers.Remote) providers.Diff {
	h, ok := remote.Object.(*Hook)
	if !ok || h.URL != req.Spec.TargetURL {
		return providers.Diff{Action: providers.ActionUpdate, Fields: []string{"targetUrl"}}
	}
	return providers.Diff{Action: providers.ActionNone}
}

// Update sets the URL and the activation in place.
func (p *Provider) Update(ctx context.Context, req *providers.Request, remote *providers.Remote) (*providers.Remote, error) {
	in := Hook{Name: req.Owner, URL: req.Spec.TargetURL, Active: req.Spec.IsEnabled()}
	var h Hook
	if err := p.do(ctx, req, "update", http.MethodPut, "/hooks/"+url.PathEscape(remote.ID), &in, &h); err != nil {
		return nil, err
	}
	return toRemote(&h), nil
}

// Delete removes the hook; one already gone is success.
func (p *Provider) Delete(ctx context.Context, req *providers.Request, id string) error {
	err := p.do(ctx, req, "delete", http.MethodDelete, "/hooks/"+url.PathEscape(id), nil, nil)
	if providers.IsNotFound(err) {
		return nil
	}
	return err
}

func toRemote(h *Hook) *providers.Remote {
	state := "active"
	if !h.Active {
		state = "paused"
	}
	r := &providers.Remote{ID: h.ID, State: state, Active: h.Active, Object: h}
	if !h.Created.IsZero() {
		created := h.Created
		r.Created = &created
	}
	return r
}
