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

package autodesk_test

import (
	"context"
	"maps"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
)

// TestSpecOfRoundTrip creates hooks from specs, lists them and writes each back with SpecOf: the
// spec must describe the hook so exactly that adopting it changes nothing.
func TestSpecOfRoundTrip(t *testing.T) {
	e := newEnv(t)
	byID := createSpecOfHooks(t, e)
	scope := specOfScope()
	remotes, err := e.prov.List(context.Background(), scope)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(remotes) != 2 {
		t.Fatalf("List returned %d hooks, want 2", len(remotes))
	}
	for _, remote := range remotes {
		orig := byID[remote.ID]
		if orig == nil {
			t.Fatalf("List returned unknown hook %s", remote.ID)
		}
		checkSpecOf(t, e, scope, remote, orig)
	}
}

// createSpecOfHooks creates two hooks in EMEA, one with every optional field and one disabled
// without a token, and one in US, and returns the requests of those in EMEA by hook id.
func createSpecOfHooks(t *testing.T, e *env) map[string]*providers.Request {
	t.Helper()
	ctx := context.Background()
	expiry := metav1.NewTime(time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second))
	full := newRequest(func(r *providers.Request) {
		r.Spec.Autodesk.Region = "EMEA"
		r.Spec.Autodesk.Scope = map[string]string{"folder": folder, "workflow": "wf-1"}
		r.Spec.Autodesk.HookAttribute = attr(`{ "team": "b", "n": 2 }`)
		r.Spec.Autodesk.Filter = "$[?(@.ext=='rvt')]"
		r.Spec.Autodesk.HubID = "b.hub-1"
		r.Spec.Autodesk.ProjectID = "b.project-1"
		r.Spec.Autodesk.Tenant = "tenant-b"
		r.Spec.Autodesk.AutoReactivateHook = ptr(true)
		r.Spec.Autodesk.HookExpiry = &expiry
		r.Spec.Autodesk.CallbackWithEventPayloadOnly = ptr(true)
	})
	disabled := newRequest(func(r *providers.Request) {
		r.Spec.Autodesk.Region = "EMEA"
		r.Spec.Autodesk.System = "derivative"
		r.Spec.Autodesk.Event = "extraction.finished"
		r.Spec.Autodesk.Scope = map[string]string{"workflow": "wf-2"}
		r.Spec.Autodesk.SecretRef = nil
		r.Spec.Enabled = ptr(false)
		r.Secrets = nil
	})
	byID := map[string]*providers.Request{}
	for _, req := range []*providers.Request{full, disabled} {
		created, err := e.prov.Create(ctx, req)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		byID[created.ID] = req
	}
	// A hook of another region is not in the EMEA list.
	if _, err := e.prov.Create(ctx, newRequest()); err != nil {
		t.Fatalf("Create in US: %v", err)
	}
	return byID
}

// specOfScope is the request an import lists EMEA with: credentials "imported", no hook fields.
func specOfScope() *providers.Request {
	return &providers.Request{
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:       hooksv1alpha1.ProviderAutodesk,
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "imported"},
			Autodesk:       &hooksv1alpha1.AutodeskSpec{Region: "EMEA"},
		},
		Credentials: map[string][]byte{autodesk.CredentialClientID: []byte(clientID), autodesk.CredentialClientSecret: []byte(clientSecret)},
	}
}

// checkSpecOf checks the spec SpecOf writes for remote: the fields of orig, the request that
// created it, no secretRef copied, the token's path among the secrets, and a spec that validates
// and that Diff finds nothing to change in.
func checkSpecOf(t *testing.T, e *env, scope *providers.Request, remote *providers.Remote, orig *providers.Request) {
	t.Helper()
	spec, secrets, ok := e.prov.SpecOf(scope, remote)
	if !ok {
		t.Fatalf("SpecOf(%s) not ok", remote.ID)
	}
	if spec.CredentialsRef.Name != "imported" || spec.TargetURL != orig.Spec.TargetURL || spec.IsEnabled() != orig.Spec.IsEnabled() {
		t.Errorf("SpecOf(%s) = %+v", remote.ID, spec)
	}
	got, want := spec.Autodesk, orig.Spec.Autodesk
	if got.System != want.System || got.Event != want.Event || got.Region != "EMEA" || !maps.Equal(got.Scope, want.Scope) ||
		got.Filter != want.Filter || got.HubID != want.HubID || got.ProjectID != want.ProjectID || got.Tenant != want.Tenant {
		t.Errorf("autodesk block = %+v, want the fields of %+v", got, want)
	}
	if (got.HookExpiry == nil) != (want.HookExpiry == nil) || (got.HookExpiry != nil && !got.HookExpiry.Equal(want.HookExpiry)) {
		t.Errorf("hookExpiry = %v, want %v", got.HookExpiry, want.HookExpiry)
	}
	if got.SecretRef != nil {
		t.Errorf("secretRef copied: %+v", got.SecretRef)
	}
	if len(secrets) != 1 || secrets[0] != autodesk.SecretRefPath {
		t.Errorf("secrets = %v, want [%s]: APS never tells whether a hook has a token", secrets, autodesk.SecretRefPath)
	}
	adopt := &providers.Request{Owner: "imported/hook", Spec: &spec}
	if err := e.prov.Validate(adopt); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if d := e.prov.Diff(adopt, remote); d.Action != providers.ActionNone {
		t.Errorf("Diff(%s) = %v %v, want None", remote.ID, d.Action, d.Fields)
	}
}

// TestSpecOfLeavesOutDefaults: a hook made from a minimal spec comes back as a minimal spec, the
// tenant APS filled in by itself included.
func TestSpecOfLeavesOutDefaults(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	if _, err := e.prov.Create(ctx, newRequest()); err != nil {
		t.Fatalf("Create: %v", err)
	}
	scope := newRequest(func(r *providers.Request) { r.Spec.Autodesk = &hooksv1alpha1.AutodeskSpec{} })
	remotes, err := e.prov.List(ctx, scope)
	if err != nil || len(remotes) != 1 {
		t.Fatalf("List = %d hooks, %v; want 1", len(remotes), err)
	}
	spec, _, ok := e.prov.SpecOf(scope, remotes[0])
	want := hooksv1alpha1.AutodeskSpec{System: "data", Event: "dm.version.added", Region: "US", Scope: map[string]string{"folder": folder}}
	if !ok || spec.Enabled != nil || spec.Autodesk.Tenant != "" || spec.Autodesk.HookAttribute != nil ||
		spec.Autodesk.AutoReactivateHook != nil || spec.Autodesk.CallbackWithEventPayloadOnly != nil || spec.Autodesk.HookExpiry != nil ||
		spec.Autodesk.System != want.System || spec.Autodesk.Event != want.Event || spec.Autodesk.Region != want.Region {
		t.Errorf("SpecOf = %+v %+v, want %+v", spec, spec.Autodesk, want)
	}
	if d := e.prov.Diff(&providers.Request{Owner: "x/y", Spec: &spec}, remotes[0]); d.Action != providers.ActionNone {
		t.Errorf("Diff = %v %v, want None", d.Action, d.Fields)
	}
}

func TestSpecOfRefusesForeignObjects(t *testing.T) {
	p := autodesk.New(autodesk.Options{})
	for _, r := range []*providers.Remote{nil, {ID: "x"}, {ID: "x", Object: "not a hook"}} {
		if _, _, ok := p.SpecOf(nil, r); ok {
			t.Errorf("SpecOf(%+v) ok, want false", r)
		}
	}
}
