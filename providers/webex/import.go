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
	"fmt"
	"strings"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// SpecOf writes remote, one of the webhooks List returned for req, back as the spec of a Webhook
// that would adopt it without any change: Diff of that spec against remote is ActionNone. The
// credentials reference is taken from req. The remote name is kept as webex.name, since the
// default name would differ from it.
//
// Secrets are never copied. When the webhook has a signing secret, secrets names
// "webex.secretRef" and the spec leaves it out: without it the operator never sends a secret, so
// the one Webex holds stays in place, unmanaged. enabled is left to its default even for a
// webhook that Webex disabled: Webex cannot pause a webhook, so false would delete it, while true
// lets the operator re-activate it. ok is false when remote is not a Webex webhook.
func (p *Provider) SpecOf(req *providers.Request, remote *providers.Remote) (spec hooksv1alpha1.WebhookSpec, secrets []string, ok bool) {
	var w *Webhook
	if remote != nil {
		w, _ = remote.Object.(*Webhook)
	}
	if w == nil {
		return hooksv1alpha1.WebhookSpec{}, nil, false
	}
	spec = hooksv1alpha1.WebhookSpec{
		Provider:  hooksv1alpha1.ProviderWebex,
		TargetURL: w.TargetURL,
		Webex: &hooksv1alpha1.WebexSpec{
			Name:     w.Name,
			Resource: hooksv1alpha1.WebexResource(w.Resource),
			Event:    hooksv1alpha1.WebexEvent(w.Event),
			Filter:   w.Filter,
		},
	}
	if req != nil && req.Spec != nil {
		spec.CredentialsRef = req.Spec.CredentialsRef
	}
	// creator is the default; only an org-wide webhook needs saying so.
	if ownedBy(w.OwnedBy) == string(hooksv1alpha1.WebexOwnedByOrg) {
		spec.Webex.OwnedBy = hooksv1alpha1.WebexOwnedByOrg
	}
	if w.Secret != "" {
		secrets = append(secrets, SecretRefPath)
	}
	return spec, secrets, true
}

// NameHint is what the import command names a Webhook of spec after: the remote name, if any.
func (p *Provider) NameHint(spec *hooksv1alpha1.WebhookSpec) string {
	if spec.Webex != nil {
		return strings.TrimSpace(spec.Webex.Name)
	}
	return ""
}

// importFlags are Webex's flags of `hookkeeper import`.
var importFlags = []providers.ImportFlag{
	{Name: "owned-by", Usage: "\"org\" lists the organisation's webhooks (an administrator's token) instead of the token's own."},
}

// importScope reads --owned-by into the listing's spec.
func importScope(values map[string]string, _ bool) (func(*hooksv1alpha1.WebhookSpec), error) {
	ownedBy := values["owned-by"]
	switch ownedBy {
	case "", string(hooksv1alpha1.WebexOwnedByCreator), string(hooksv1alpha1.WebexOwnedByOrg):
	default:
		return nil, fmt.Errorf("--owned-by %q is not one of creator, org", ownedBy)
	}
	return func(spec *hooksv1alpha1.WebhookSpec) {
		spec.Webex = &hooksv1alpha1.WebexSpec{OwnedBy: hooksv1alpha1.WebexOwnedBy(ownedBy)}
	}, nil
}
