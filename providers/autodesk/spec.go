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
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// maxHookAttributeBytes is APS's limit on hookAttribute ("less than 1KB").
const maxHookAttributeBytes = 1024

// expiryLayout writes hookExpiry as APS's examples do: UTC with milliseconds.
const expiryLayout = "2006-01-02T15:04:05.000Z07:00"

// Validate checks what the CRD schema cannot, and again what a client that skipped the schema
// could get wrong, since a bad region or scope would only fail later and less clearly.
func (p *Provider) Validate(req *providers.Request) error {
	spec, err := autodeskSpec(req)
	if err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(spec.System) == "":
		return providers.Invalid(ProviderName, "autodesk.system", "is required, such as data")
	case strings.TrimSpace(spec.Event) == "":
		return providers.Invalid(ProviderName, "autodesk.event", "is required, such as dm.version.added")
	case spec.Region != "" && !slices.Contains(Regions, string(spec.Region)):
		return providers.Invalid(ProviderName, "autodesk.region", "%q is not one of %s", spec.Region, strings.Join(Regions, ", "))
	case len(spec.Scope) == 0:
		return providers.Invalid(ProviderName, "autodesk.scope", "needs at least one entry, such as folder: urn:adsk.wipprod:fs.folder:co.abc")
	}
	for _, k := range sortedKeys(spec.Scope) {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(spec.Scope[k]) == "" {
			return providers.Invalid(ProviderName, "autodesk.scope", "entry %q has an empty name or value", k)
		}
		if v := spec.Scope[k]; strings.TrimSpace(v) != v || strings.TrimSpace(k) != k {
			return providers.Invalid(ProviderName, "autodesk.scope", "entry %q has a name or value that starts or ends with whitespace", k)
		}
	}
	if spec.HookAttribute != nil {
		raw := bytes.TrimSpace(spec.HookAttribute.Raw)
		if len(raw) > 0 && string(raw) != "null" {
			var obj map[string]any
			if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
				return providers.Invalid(ProviderName, "autodesk.hookAttribute", "must be a JSON object")
			}
			if n := len(compactJSON(spec.HookAttribute)); n > maxHookAttributeBytes {
				return providers.Invalid(ProviderName, "autodesk.hookAttribute",
					"is %d bytes of JSON, more than the %d APS allows", n, maxHookAttributeBytes)
			}
		}
	}
	return nil
}

// Diff sorts the differences into those APS's PATCH can apply (filter, hookAttribute,
// autoReactivateHook, hookExpiry, callbackWithEventPayloadOnly) and those that need a new hook.
// The signing token is never returned, so it is not compared; the status is left to
// Remote.Active. Tenant, hubId and projectId are compared only when the spec sets them: APS fills
// in a tenant of its own (the scope's URN in its examples), and a strict comparison would replace
// the hook on every reconcile.
func (p *Provider) Diff(req *providers.Request, remote *providers.Remote) providers.Diff {
	var h *Hook
	if remote != nil {
		h, _ = remote.Object.(*Hook)
	}
	if h == nil {
		// Without the wire object nothing can be compared; an update is harmless and returns it.
		return providers.Diff{Action: providers.ActionUpdate, Fields: []string{"autodesk.filter"}}
	}
	spec := specOrEmpty(req)
	want := specLocation(spec)
	own := locationOf(h, want)
	d := providers.Diff{Action: providers.ActionNone}
	mark := func(differs bool, field string, action providers.Action) {
		if differs {
			d.Fields = append(d.Fields, field)
			d.Action = max(d.Action, action)
		}
	}
	replace, update := providers.ActionReplace, providers.ActionUpdate
	mark(h.CallbackURL != targetURL(req), "targetUrl", replace)
	mark(!sameScope(h.Scope, spec.Scope), "autodesk.scope", replace)
	mark(own.System != want.System, "autodesk.system", replace)
	mark(own.Event != want.Event, "autodesk.event", replace)
	mark(own.Region != want.Region, "autodesk.region", replace)
	mark(spec.Tenant != "" && h.Tenant != spec.Tenant, "autodesk.tenant", replace)
	mark(spec.HubID != "" && h.HubID != spec.HubID, "autodesk.hubId", replace)
	mark(spec.ProjectID != "" && h.ProjectID != spec.ProjectID, "autodesk.projectId", replace)
	mark(h.Filter != spec.Filter, "autodesk.filter", update)
	mark(!sameAttribute(spec.HookAttribute, h.HookAttribute), "autodesk.hookAttribute", update)
	mark(bool(h.AutoReactivateHook) != isTrue(spec.AutoReactivateHook), "autodesk.autoReactivateHook", update)
	mark(!sameExpiry(spec.HookExpiry, h.HookExpiry), "autodesk.hookExpiry", update)
	mark(bool(h.CallbackWithEventPayloadOnly) != isTrue(spec.CallbackWithEventPayloadOnly),
		"autodesk.callbackWithEventPayloadOnly", update)
	return d
}

// newCreatePayload is the POST body. The signing token and the status are not part of it: Create
// PATCHes them afterwards.
func newCreatePayload(req *providers.Request, spec *hooksv1alpha1.AutodeskSpec) *createPayload {
	in := &createPayload{
		CallbackURL:                  req.Spec.TargetURL,
		Scope:                        spec.Scope,
		HookAttribute:                compactJSON(spec.HookAttribute),
		Filter:                       spec.Filter,
		HubID:                        spec.HubID,
		ProjectID:                    spec.ProjectID,
		Tenant:                       spec.Tenant,
		AutoReactivateHook:           spec.AutoReactivateHook,
		CallbackWithEventPayloadOnly: spec.CallbackWithEventPayloadOnly,
	}
	if spec.HookExpiry != nil && !spec.HookExpiry.IsZero() {
		in.HookExpiry = spec.HookExpiry.UTC().Format(expiryLayout)
	}
	return in
}

// newPatchBody is the PATCH body: every patchable field, null clearing filter, hookAttribute and
// hookExpiry, and the token only when the spec names one (APS cannot show it, so an absent token
// is left as it is rather than guessed at).
func newPatchBody(req *providers.Request, spec *hooksv1alpha1.AutodeskSpec) map[string]any {
	status := StatusActive
	if !req.Spec.IsEnabled() {
		status = StatusInactive
	}
	body := map[string]any{
		"status":                       status,
		"filter":                       nil,
		"hookAttribute":                nil,
		"autoReactivateHook":           isTrue(spec.AutoReactivateHook),
		"hookExpiry":                   nil,
		"callbackWithEventPayloadOnly": isTrue(spec.CallbackWithEventPayloadOnly),
	}
	if spec.Filter != "" {
		body["filter"] = spec.Filter
	}
	if attr := compactJSON(spec.HookAttribute); attr != nil {
		body["hookAttribute"] = attr
	}
	if spec.HookExpiry != nil && !spec.HookExpiry.IsZero() {
		body["hookExpiry"] = spec.HookExpiry.UTC().Format(expiryLayout)
	}
	if secret := req.Secret(SecretRefPath); secret != "" {
		body["token"] = secret
	}
	return body
}

// compactJSON returns hookAttribute compacted, or nil when it is unset, null or not JSON.
func compactJSON(v *apiextensionsv1.JSON) json.RawMessage {
	if v == nil {
		return nil
	}
	raw := bytes.TrimSpace(v.Raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return nil
	}
	return buf.Bytes()
}

// sameAttribute compares hookAttribute as JSON values, so that key order and spacing do not
// matter; unset, null and {} are all "none".
func sameAttribute(spec *apiextensionsv1.JSON, remote json.RawMessage) bool {
	var a, b any
	if raw := compactJSON(spec); raw != nil {
		_ = json.Unmarshal(raw, &a)
	}
	if len(bytes.TrimSpace(remote)) > 0 {
		_ = json.Unmarshal(remote, &b)
	}
	return reflect.DeepEqual(noneIfEmpty(a), noneIfEmpty(b))
}

func noneIfEmpty(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		return nil
	}
	return v
}

// sameExpiry compares to the second, as the spec holds it; an unreadable remote value is
// compared as text with what the operator would send.
func sameExpiry(spec *metav1.Time, remote string) bool {
	remote = strings.TrimSpace(remote)
	if spec == nil || spec.IsZero() {
		return remote == ""
	}
	t, ok := parseTime(remote)
	if !ok {
		return remote == spec.UTC().Format(expiryLayout)
	}
	return t.Truncate(time.Second).Equal(spec.Truncate(time.Second))
}

func sameScope(remote Scope, spec map[string]string) bool {
	return maps.Equal(map[string]string(remote), spec)
}

func isTrue(b *bool) bool { return b != nil && *b }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// specLocation is where the spec says the hook lives.
func specLocation(spec *hooksv1alpha1.AutodeskSpec) location {
	region := string(spec.Region)
	if region == "" {
		region = DefaultRegion
	}
	return location{Region: region, System: spec.System, Event: spec.Event}
}

func targetURL(req *providers.Request) string {
	if req.Spec == nil {
		return ""
	}
	return req.Spec.TargetURL
}

func autodeskSpec(req *providers.Request) (*hooksv1alpha1.AutodeskSpec, error) {
	if req == nil || req.Spec == nil || req.Spec.Autodesk == nil {
		return nil, providers.Invalid(ProviderName, "autodesk", "is required when provider is Autodesk")
	}
	return req.Spec.Autodesk, nil
}

// specOrEmpty serves Diff, which cannot fail: Validate has already rejected a missing block.
func specOrEmpty(req *providers.Request) *hooksv1alpha1.AutodeskSpec {
	if spec, err := autodeskSpec(req); err == nil {
		return spec
	}
	return &hooksv1alpha1.AutodeskSpec{}
}
