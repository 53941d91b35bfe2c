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

package example

import (
	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// SpecOf writes remote back as the spec that adopts it unchanged: its target URL, and enabled:
// false for a paused hook (this SaaS can pause one). The SaaS has no secret to leave out.
func (p *Provider) SpecOf(req *providers.Request, remote *providers.Remote) (spec hooksv1alpha1.WebhookSpec, secrets []string, ok bool) {
	var h *Hook
	if remote != nil {
		h, _ = remote.Object.(*Hook)
	}
	if h == nil {
		return hooksv1alpha1.WebhookSpec{}, nil, false
	}
	spec = hooksv1alpha1.WebhookSpec{Provider: Type, TargetURL: h.URL}
	if !h.Active {
		enabled := false
		spec.Enabled = &enabled
	}
	if req != nil && req.Spec != nil {
		spec.CredentialsRef = req.Spec.CredentialsRef
	}
	return spec, nil, true
}

// NameHint: a hook's only name is the operator's marker, so the command's default applies.
func (p *Provider) NameHint(*hooksv1alpha1.WebhookSpec) string { return "" }
