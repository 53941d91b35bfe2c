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

// Package providers defines what every SaaS integration implements: a small, idempotent
// Get/List/Create/Update/Delete contract over neutral types, and the error taxonomy the
// controller maps to Ready reasons and requeues in one place.
//
// Providers never read Kubernetes objects: the controller resolves the Secrets and hands the
// plain values in. Providers never sleep or retry: the work queue does.
package providers

import (
	"context"
	"sort"
	"strings"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// Provider talks to one SaaS webhook API. Implementations must be safe for concurrent use, and
// never modify a *Remote they are given: the controller shares them between Webhooks.
type Provider interface {
	// Capabilities describe what the SaaS can do; the controller adapts to them.
	Capabilities() Capabilities

	// Validate reports problems of the spec that the CRD schema cannot express, as an Error of
	// KindInvalid that names the field. It makes no request.
	Validate(req *Request) error

	// Get reads the remote webhook with the given id. It returns an Error of KindNotFound when
	// the webhook does not exist. It never mutates anything.
	Get(ctx context.Context, req *Request, id string) (*Remote, error)

	// Account names the SaaS account that the request's remote webhooks live on: the server and
	// the account on it, never the credentials, in one spelling for every way of writing it
	// (CanonicalURL, CanonicalGUID). Remote ids are unique within an account only, so the
	// controller keys on it whatever says who owns a remote webhook (claims, owner checks,
	// status.remoteAccount) and whatever the SaaS applies per account (Retry-After, rates). It
	// makes no request.
	Account(req *Request) string

	// Scope names the part of the account that List covers for the request: Account, and what
	// narrows the list (Webex's ownedBy, say), in the same canonical spelling. Requests with the
	// same credentials and the same Scope share one list. It makes no request.
	Scope(req *Request) string

	// List returns every remote webhook in the request's scope, all pages: the account snapshot
	// from which the controller observes every Webhook of that scope (by id, and the candidates
	// that Matches picks). The Remotes
	// are fresh values that the caller may keep. It never mutates.
	List(ctx context.Context, req *Request) ([]*Remote, error)

	// Matches reports whether a remote webhook of the request's scope is a candidate for it: one
	// with the request's natural key and name marker, which the controller may adopt instead of
	// creating a duplicate. It makes no request.
	Matches(req *Request, remote *Remote) bool

	// Create makes the remote webhook as the request describes it, including its secrets and,
	// where the SaaS allows, its enabled state, and returns it as the SaaS reports it.
	Create(ctx context.Context, req *Request) (*Remote, error)

	// Diff compares the request with a remote webhook. Secrets are not compared (many SaaS mask
	// them): the controller tracks them by hash. Activation is not compared either: see Remote.Active.
	Diff(req *Request, remote *Remote) Diff

	// Update changes the remote webhook in place to match the request: fields, secrets and
	// activation (enabled, or re-activated after the SaaS disabled it).
	Update(ctx context.Context, req *Request, remote *Remote) (*Remote, error)

	// Delete removes the remote webhook. A webhook that is already gone is success.
	Delete(ctx context.Context, req *Request, id string) error
}

// Importer is what `hookkeeper import` needs of a provider beyond Provider: every provider
// implements it, which Implementation, the type of Descriptor.New, makes a compile-time check.
type Importer interface {
	// SpecOf writes remote, one of the webhooks List returned for req, back as the spec of a
	// Webhook that would adopt it without any change: Diff of that spec against remote is
	// ActionNone. The credentials reference is taken from req. Secrets are never copied: secrets
	// lists the paths of the secret references (as WebhookSpec.SecretRefs reports them) the
	// webhook has a secret for, which the spec leaves out. ok is false when remote is not one
	// of the provider's webhooks.
	SpecOf(req *Request, remote *Remote) (spec hooksv1alpha1.WebhookSpec, secrets []string, ok bool)
	// NameHint is what the import command names a Webhook of spec after (the remote name where
	// the SaaS has one, else what the webhook listens to); "" for the command's default.
	NameHint(spec *hooksv1alpha1.WebhookSpec) string
}

// Implementation is everything a provider package implements: the controller's Provider and the
// import command's Importer. Descriptor.New returns it, so that a provider lacking a method does
// not compile.
type Implementation interface {
	Provider
	Importer
}

// Capabilities describe what a SaaS can do.
type Capabilities struct {
	// CanDeactivate is true when the SaaS can stop deliveries without deleting the webhook.
	// When false, spec.enabled: false deletes the remote webhook and true creates it again.
	CanDeactivate bool
	// UniqueNaturalKey is true when the SaaS holds at most one webhook per natural key (8x8 keys
	// webhooks by account, sub-account and type; APS refuses a second identical hook with 409).
	// A match that another Webhook already manages is then a Conflict, never a reason to create.
	UniqueNaturalKey bool
}

// Request is everything a provider needs to act for one Webhook.
type Request struct {
	// Owner is "<namespace>/<name>" of the Webhook: the default remote name and the marker that
	// finds a webhook again when the status was lost.
	Owner string
	// Spec is the Webhook's spec, with the API server's defaults applied.
	Spec *hooksv1alpha1.WebhookSpec
	// Credentials are the key/value pairs of the credentials Secret.
	Credentials map[string][]byte
	// Secrets are the resolved values of spec.SecretRefs(), keyed the same way ("webex.secretRef").
	Secrets map[string]string
	// AdminEndpoints is true when the account-level endpoints (a PageSeeder server) come from a
	// ClusterAccount, which only a cluster administrator writes, not from a tenant: bounds meant
	// for a server a tenant runs (how many webhooks one list may hold) may be those of a real
	// deployment. The egress policy applies all the same.
	AdminEndpoints bool
}

// SecretValues returns every credential and resolved secret of the request, longest first: what
// a provider scrubs from any text that may reach an error (a value containing another is then
// replaced whole).
func (r *Request) SecretValues() []string {
	values := make([]string, 0, len(r.Credentials)+len(r.Secrets))
	for _, v := range r.Credentials {
		values = append(values, strings.TrimSpace(string(v)))
	}
	for _, v := range r.Secrets {
		values = append(values, v)
	}
	sort.SliceStable(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	return values
}

// Secret returns the resolved value of the secret reference at path, or "".
func (r *Request) Secret(path string) string {
	return r.Secrets[path]
}

// Remote is a remote webhook as the SaaS reports it.
type Remote struct {
	// ID is the remote id (8x8, which has none: "<accountId>/<subAccountId>/<type>"). It reaches
	// status.id, messages, events and logs, so providers report only ids that ValidID accepts:
	// an answer with another one is a MalformedID error.
	ID string
	// State is the SaaS's own word for the state (active, inactive, pending, reactivated...) as
	// State makes it a short token: anything else a SaaS sends is UnknownState.
	State string
	// Active is false when the webhook does not deliver: the SaaS disabled it after failed
	// deliveries, or the operator deactivated it because spec.enabled is false.
	Active bool
	// Pending is true while the SaaS has not verified the webhook yet (PageSeeder before a
	// successful ping): it exists but does not deliver. Ready stays False, reason Creating.
	Pending bool
	// SelfReactivating is true when the SaaS re-activates the webhook itself after it disabled
	// it (APS with autoReactivateHook): the operator then leaves re-activation to the SaaS.
	SelfReactivating bool
	// Created is the remote creation time, nil when the SaaS does not report one.
	Created *time.Time
	// Object is the provider's own representation, for its Diff and Update.
	Object any
}

// Action is what Diff asks the controller to do.
type Action int

// The actions, from least to most disruptive.
const (
	// ActionNone: the remote webhook matches the request.
	ActionNone Action = iota
	// ActionUpdate: the differences can be applied in place.
	ActionUpdate
	// ActionReplace: a field the SaaS cannot change differs; delete and create again.
	ActionReplace
)

// String returns the action's name.
func (a Action) String() string {
	switch a {
	case ActionNone:
		return "None"
	case ActionUpdate:
		return "Update"
	case ActionReplace:
		return "Replace"
	}
	return "Unknown"
}

// Diff is the result of comparing a request with a remote webhook.
type Diff struct {
	// Action is the least disruptive action that brings the remote webhook in line.
	Action Action
	// Fields are the spec paths that differ, such as "targetUrl" or "webex.resource".
	Fields []string
}

// Registry maps each provider type to its implementation. It is built explicitly in main.
type Registry map[hooksv1alpha1.ProviderType]Provider
