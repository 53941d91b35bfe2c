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

package webex_test

import (
	"context"
	"reflect"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/webex"
)

// TestSpecOfRoundTrip creates webhooks from specs, lists them and writes each back with SpecOf:
// the spec must describe the webhook so exactly that adopting it changes nothing.
func TestSpecOfRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	signed := newRequest()
	plain := newRequest(func(r *providers.Request) {
		r.Owner = "team-b/rooms"
		r.Spec.TargetURL = "https://hooks.example.com/rooms?team=b"
		r.Spec.Webex = &hooksv1alpha1.WebexSpec{Name: "room events", Resource: "rooms", Event: "all"}
		r.Secrets = nil
	})
	ids := map[string]*providers.Request{}
	for _, req := range []*providers.Request{signed, plain} {
		created, err := e.prov.Create(ctx, req)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		ids[created.ID] = req
	}
	e.srv.Disable(createdIDOf(t, ids, plain))

	scope := &providers.Request{
		Spec:        &hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "imported"}, Webex: &hooksv1alpha1.WebexSpec{}},
		Credentials: map[string][]byte{webex.CredentialToken: []byte(token)},
	}
	remotes, err := e.prov.List(ctx, scope)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(remotes) != 2 {
		t.Fatalf("List returned %d webhooks, want 2", len(remotes))
	}
	for _, remote := range remotes {
		orig := ids[remote.ID]
		spec, secrets, ok := e.prov.SpecOf(scope, remote)
		if !ok {
			t.Fatalf("SpecOf(%s) not ok", remote.ID)
		}
		if spec.CredentialsRef.Name != "imported" || spec.Provider != hooksv1alpha1.ProviderWebex || spec.TargetURL != orig.Spec.TargetURL {
			t.Errorf("SpecOf(%s) = %+v", remote.ID, spec)
		}
		if spec.Enabled != nil {
			t.Errorf("enabled = %v, want unset: false would delete a Webex webhook", *spec.Enabled)
		}
		if spec.Webex.SecretRef != nil {
			t.Errorf("secretRef copied: %+v", spec.Webex.SecretRef)
		}
		wantName := orig.Spec.Webex.Name
		if wantName == "" {
			wantName = orig.Owner
		}
		if spec.Webex.Name != wantName || spec.Webex.Resource != orig.Spec.Webex.Resource ||
			spec.Webex.Event != orig.Spec.Webex.Event || spec.Webex.Filter != orig.Spec.Webex.Filter || spec.Webex.OwnedBy != "" {
			t.Errorf("webex block = %+v, want the fields of %+v named %q", spec.Webex, orig.Spec.Webex, wantName)
		}
		var wantSecrets []string
		if orig.Spec.Webex.SecretRef != nil {
			wantSecrets = []string{webex.SecretRefPath}
		}
		if !reflect.DeepEqual(secrets, wantSecrets) {
			t.Errorf("secrets = %v, want %v", secrets, wantSecrets)
		}

		// Another owner: the remote name must come from the spec, not from the default.
		adopt := &providers.Request{Owner: "imported/webhook", Spec: &spec}
		if err := e.prov.Validate(adopt); err != nil {
			t.Errorf("Validate: %v", err)
		}
		if d := e.prov.Diff(adopt, remote); d.Action != providers.ActionNone {
			t.Errorf("Diff(%s) = %v %v, want None", remote.ID, d.Action, d.Fields)
		}
	}
}

func TestSpecOfOrgOwned(t *testing.T) {
	e := newEnv(t)
	req := newRequest(func(r *providers.Request) {
		r.Spec.Webex.OwnedBy = hooksv1alpha1.WebexOwnedByOrg
		r.Spec.Webex.Filter = "hostEmail=alice@example.com"
	})
	if _, err := e.prov.Create(context.Background(), req); err != nil {
		t.Fatalf("Create: %v", err)
	}
	scope := &providers.Request{
		Spec:        &hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, Webex: &hooksv1alpha1.WebexSpec{OwnedBy: hooksv1alpha1.WebexOwnedByOrg}},
		Credentials: map[string][]byte{webex.CredentialToken: []byte(token)},
	}
	remotes, err := e.prov.List(context.Background(), scope)
	if err != nil || len(remotes) != 1 {
		t.Fatalf("List = %d webhooks, %v; want 1", len(remotes), err)
	}
	spec, _, ok := e.prov.SpecOf(scope, remotes[0])
	if !ok || spec.Webex.OwnedBy != hooksv1alpha1.WebexOwnedByOrg {
		t.Fatalf("SpecOf = %+v, %v; want ownedBy org", spec.Webex, ok)
	}
	adopt := &providers.Request{Owner: "imported/org", Spec: &spec}
	if err := e.prov.Validate(adopt); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if d := e.prov.Diff(adopt, remotes[0]); d.Action != providers.ActionNone {
		t.Errorf("Diff = %v %v, want None", d.Action, d.Fields)
	}
}

func TestSpecOfRefusesForeignObjects(t *testing.T) {
	p := webex.New(webex.Options{})
	for _, r := range []*providers.Remote{nil, {ID: "x"}, {ID: "x", Object: "not a webhook"}} {
		if _, _, ok := p.SpecOf(nil, r); ok {
			t.Errorf("SpecOf(%+v) ok, want false", r)
		}
	}
}

func createdIDOf(t *testing.T, ids map[string]*providers.Request, want *providers.Request) string {
	t.Helper()
	for id, req := range ids {
		if req == want {
			return id
		}
	}
	t.Fatal("no webhook created for the request")
	return ""
}
