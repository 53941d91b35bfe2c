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

package autodesk

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// SpecOf writes remote, one of the hooks List returned for req, back as the spec of a Webhook
// that would adopt it without any change: Diff of that spec against remote is ActionNone. The
// region is the hook's own, else req's; the credentials reference comes from req.
//
// Fields at their default are left out, and so is a tenant equal to one of the scope's values,
// which APS fills in by itself when none was given. A hook APS reports inactive gets enabled:
// false, so that adopting it does not start deliveries again.
//
// APS never shows a hook's signing token, not even whether it has one, so secrets always names
// "autodesk.secretRef", which the spec leaves out: without it the operator leaves the token as it
// is. ok is false when remote is not an APS hook.
func (p *Provider) SpecOf(req *providers.Request, remote *providers.Remote) (spec hooksv1alpha1.WebhookSpec, secrets []string, ok bool) {
	var h *Hook
	if remote != nil {
		h, _ = remote.Object.(*Hook)
	}
	if h == nil {
		return hooksv1alpha1.WebhookSpec{}, nil, false
	}
	def := location{Region: DefaultRegion}
	if req != nil && req.Spec != nil && req.Spec.Autodesk != nil {
		def = specLocation(req.Spec.Autodesk)
	}
	loc := locationOf(h, def)
	block := &hooksv1alpha1.AutodeskSpec{
		System:    loc.System,
		Event:     loc.Event,
		Region:    hooksv1alpha1.AutodeskRegion(loc.Region),
		Scope:     maps.Clone(map[string]string(h.Scope)),
		Filter:    h.Filter,
		HubID:     h.HubID,
		ProjectID: h.ProjectID,
	}
	if h.Tenant != "" && !slices.Contains(slices.Collect(maps.Values(block.Scope)), h.Tenant) {
		block.Tenant = h.Tenant
	}
	if attr := compactJSON(&apiextensionsv1.JSON{Raw: h.HookAttribute}); len(attr) > 0 && attr[0] == '{' && !bytes.Equal(attr, []byte("{}")) {
		block.HookAttribute = &apiextensionsv1.JSON{Raw: attr}
	}
	if h.AutoReactivateHook {
		block.AutoReactivateHook = new(true)
	}
	if h.CallbackWithEventPayloadOnly {
		block.CallbackWithEventPayloadOnly = new(true)
	}
	if t, ok := parseTime(h.HookExpiry); ok {
		expiry := metav1.NewTime(t.UTC())
		block.HookExpiry = &expiry
	}
	spec = hooksv1alpha1.WebhookSpec{
		Provider:  hooksv1alpha1.ProviderAutodesk,
		TargetURL: h.CallbackURL,
		Autodesk:  block,
	}
	if req != nil && req.Spec != nil {
		spec.CredentialsRef = req.Spec.CredentialsRef
	}
	if !remote.Active {
		spec.Enabled = new(false)
	}
	return spec, []string{SecretRefPath}, true
}

// NameHint is what the import command names a Webhook of spec after: its system and event, since
// APS hooks have no name.
func (p *Provider) NameHint(spec *hooksv1alpha1.WebhookSpec) string {
	if spec.Autodesk == nil {
		return ""
	}
	return spec.Autodesk.System + "-" + spec.Autodesk.Event
}

// importFlags are APS's flags of `hookkeeper import`.
var importFlags = []providers.ImportFlag{
	{Name: "region", Usage: "US (the default), EMEA, AUS, CAN, DEU, IND, JPN or GBR.", Account: true},
}

// importScope reads --region into the listing's spec.
func importScope(values map[string]string, _ bool) (func(*hooksv1alpha1.WebhookSpec), error) {
	region := strings.ToUpper(values["region"])
	if region != "" && !slices.Contains(Regions, region) {
		return nil, fmt.Errorf("--region %q is not one of %s", region, strings.Join(Regions, ", "))
	}
	return func(spec *hooksv1alpha1.WebhookSpec) {
		spec.Autodesk = &hooksv1alpha1.AutodeskSpec{Region: hooksv1alpha1.AutodeskRegion(region)}
	}, nil
}
