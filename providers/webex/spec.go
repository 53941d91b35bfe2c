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

package webex

import (
	"strings"
	"unicode/utf8"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// maxNameLength is the limit the CRD puts on spec.webex.name. It is checked again here because
// the default name, "<namespace>/<name>", can exceed it although the CRD accepted the spec.
const maxNameLength = 256

// orgOnlyFilterKeys are the filter keys Webex accepts only on org-wide webhooks.
var orgOnlyFilterKeys = map[string]bool{
	"hostEmail": true, "hostUserId": true, "ownerEmail": true, "ownerId": true,
}

// Validate checks what the CRD schema cannot: the length of the defaulted name, and the
// filter rule for clients whose API server did not run the CEL validation.
func (p *Provider) Validate(req *providers.Request) error {
	spec, err := webexSpec(req)
	if err != nil {
		return err
	}
	if spec.Name != "" && strings.TrimSpace(spec.Name) == "" {
		return providers.Invalid(ProviderName, "webex.name", "is blank: leave it out for the default name, or give a visible name")
	}
	if n := utf8.RuneCountInString(desiredName(req)); n > maxNameLength {
		if spec.Name == "" {
			return providers.Invalid(ProviderName, "webex.name",
				"the default name %q has %d characters, more than Webex's %d: set a shorter name", req.Owner, n, maxNameLength)
		}
		return providers.Invalid(ProviderName, "webex.name", "has %d characters, more than %d", n, maxNameLength)
	}
	if spec.Resource == "" {
		return providers.Invalid(ProviderName, "webex.resource", "is required")
	}
	if spec.Event == "" {
		return providers.Invalid(ProviderName, "webex.event", "is required")
	}
	if key := orgOnlyFilterKey(spec.Filter); key != "" && spec.OwnedBy != hooksv1alpha1.WebexOwnedByOrg {
		return providers.Invalid(ProviderName, "webex.filter", "a filter on %s needs webex.ownedBy: org", key)
	}
	return nil
}

func orgOnlyFilterKey(filter string) string {
	if filter == "" {
		return ""
	}
	for _, term := range strings.Split(filter, "&") {
		key, _, _ := strings.Cut(term, "=")
		if orgOnlyFilterKeys[strings.TrimSpace(key)] {
			return key
		}
	}
	return ""
}

// Diff sorts the differences into those Webex's PUT can apply (name, targetUrl) and those it
// silently ignores (resource, event, filter, ownedBy), which need a new webhook. Secrets and
// status are left to the controller, as the interface asks.
func (p *Provider) Diff(req *providers.Request, remote *providers.Remote) providers.Diff {
	var w *Webhook
	if remote != nil {
		w, _ = remote.Object.(*Webhook)
	}
	if w == nil {
		// Without the wire object nothing can be compared; an update is harmless and returns it.
		return providers.Diff{Action: providers.ActionUpdate, Fields: []string{"targetUrl", "webex.name"}}
	}
	spec := specOrEmpty(req)
	d := providers.Diff{Action: providers.ActionNone}
	mark := func(differs bool, field string, action providers.Action) {
		if !differs {
			return
		}
		d.Fields = append(d.Fields, field)
		d.Action = max(d.Action, action)
	}
	mark(w.TargetURL != targetURL(req), "targetUrl", providers.ActionUpdate)
	mark(w.Name != desiredName(req), "webex.name", providers.ActionUpdate)
	mark(w.Resource != string(spec.Resource), "webex.resource", providers.ActionReplace)
	mark(w.Event != string(spec.Event), "webex.event", providers.ActionReplace)
	mark(w.Filter != spec.Filter, "webex.filter", providers.ActionReplace)
	mark(ownedBy(w.OwnedBy) != ownedBy(string(spec.OwnedBy)), "webex.ownedBy", providers.ActionReplace)
	return d
}

// ownedBy treats an absent owner as the creator, which is Webex's default on both sides.
func ownedBy(v string) string {
	if v == "" {
		return string(hooksv1alpha1.WebexOwnedByCreator)
	}
	return v
}

// desiredName is the remote name: the spec's, or the Webhook's own "<namespace>/<name>", which
// doubles as the marker Matches looks for.
func desiredName(req *providers.Request) string {
	if req.Spec != nil && req.Spec.Webex != nil && req.Spec.Webex.Name != "" {
		return req.Spec.Webex.Name
	}
	return req.Owner
}

func targetURL(req *providers.Request) string {
	if req.Spec == nil {
		return ""
	}
	return req.Spec.TargetURL
}

func webexSpec(req *providers.Request) (*hooksv1alpha1.WebexSpec, error) {
	if req.Spec == nil || req.Spec.Webex == nil {
		return nil, providers.Invalid(ProviderName, "webex", "is required when provider is Webex")
	}
	return req.Spec.Webex, nil
}

// specOrEmpty serves Diff, which cannot fail: Validate has already rejected a missing block.
func specOrEmpty(req *providers.Request) *hooksv1alpha1.WebexSpec {
	if spec, err := webexSpec(req); err == nil {
		return spec
	}
	return &hooksv1alpha1.WebexSpec{}
}
