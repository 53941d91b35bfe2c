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

package eightbyeight_test

import (
	"context"
	"reflect"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
)

// TestSpecOfRoundTrip creates webhooks from specs, lists them and writes each back with SpecOf:
// the spec must describe the webhook so exactly that adopting it changes nothing.
func TestSpecOfRoundTrip(t *testing.T) {
	e := newEnv(t)
	byID := createSpecOfWebhooks(t, e)
	scope := &providers.Request{
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:       hooksv1alpha1.ProviderEightByEight,
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "imported"},
			EightByEight:   &hooksv1alpha1.EightByEightSpec{AccountID: account, Region: eightbyeight.RegionEU},
		},
		Credentials: map[string][]byte{eightbyeight.CredentialAPIKey: []byte(apiKey)},
	}
	remotes, err := e.prov.List(context.Background(), scope)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(remotes) != 3 {
		t.Fatalf("List returned %d webhooks, want 3", len(remotes))
	}
	for _, remote := range remotes {
		orig := byID[remote.ID]
		if orig == nil {
			t.Fatalf("List returned unknown webhook %s", remote.ID)
		}
		spec, secrets, ok := e.prov.SpecOf(scope, remote)
		if !ok {
			t.Fatalf("SpecOf(%s) not ok", remote.ID)
		}
		checkSpecOf(t, remote, spec, secrets, orig)
		for path, ref := range spec.SecretRefs() {
			if ref.Name == "" {
				setRefName(&spec, path, "webhook-secrets")
			}
		}

		adopt := &providers.Request{Owner: "imported/webhook", Spec: &spec}
		if err := e.prov.Validate(adopt); err != nil {
			t.Errorf("Validate: %v", err)
		}
		if d := e.prov.Diff(adopt, remote); d.Action != providers.ActionNone {
			t.Errorf("Diff(%s) = %v %v, want None", remote.ID, d.Action, d.Fields)
		}
	}
}

// createSpecOfWebhooks creates three webhooks, with a static Authorization, with OAuth (disabled,
// its credentials in the body) and with neither, and returns their requests by webhook id.
func createSpecOfWebhooks(t *testing.T, e *env) map[string]*providers.Request {
	t.Helper()
	static := newRequest()
	oauth := newRequest(withOAuth, func(r *providers.Request) {
		r.Spec.EightByEight.SubAccountID = "*"
		r.Spec.EightByEight.Type = eightbyeight.TypeCADR
		r.Spec.EightByEight.OAuth.CredentialsLocation = "body"
		r.Spec.Enabled = boolPtr(false)
	})
	plain := newRequest(func(r *providers.Request) {
		r.Spec.EightByEight.Type = eightbyeight.TypeCABM
		r.Spec.EightByEight.AuthorizationSecretRef = nil
		r.Spec.TargetURL = "https://hooks.example.com/8x8/cabm"
		r.Secrets = nil
	})
	byID := map[string]*providers.Request{}
	for _, req := range []*providers.Request{static, oauth, plain} {
		created, err := e.prov.Create(context.Background(), req)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		byID[created.ID] = req
	}
	return byID
}

// checkSpecOf checks the spec and the secrets SpecOf wrote for remote against orig, the request
// that created it: its key in the scope's region, and its secret references left for the caller to
// name.
func checkSpecOf(t *testing.T, remote *providers.Remote, spec hooksv1alpha1.WebhookSpec, secrets []string, orig *providers.Request) {
	t.Helper()
	got, want := spec.EightByEight, orig.Spec.EightByEight
	if spec.CredentialsRef.Name != "imported" || spec.TargetURL != orig.Spec.TargetURL || spec.IsEnabled() != orig.Spec.IsEnabled() {
		t.Errorf("SpecOf(%s) = %+v", remote.ID, spec)
	}
	if got.AccountID != canonicalAccount || got.SubAccountID != want.SubAccountID || got.Type != want.Type || got.Region != eightbyeight.RegionEU {
		t.Errorf("key = %+v, want that of %+v in the scope's region", got, want)
	}

	// The references keep their place but are for the caller to name: 8x8 shows only "***".
	var wantSecrets []string
	if want.AuthorizationSecretRef != nil {
		wantSecrets = append(wantSecrets, eightbyeight.AuthorizationSecretPath)
		if got.AuthorizationSecretRef == nil || got.AuthorizationSecretRef.Name != "" || got.AuthorizationSecretRef.Key != eightbyeight.ImportAuthorizationKey {
			t.Errorf("authorizationSecretRef = %+v, want key %q and no name", got.AuthorizationSecretRef, eightbyeight.ImportAuthorizationKey)
		}
	}
	if want.OAuth != nil {
		wantSecrets = append(wantSecrets, eightbyeight.OAuthClientSecretPath)
		o := got.OAuth
		if o == nil || o.TokenURL != want.OAuth.TokenURL || o.ClientID != want.OAuth.ClientID || o.Scope != want.OAuth.Scope ||
			o.CredentialsLocation != "body" || o.ClientSecretRef != (hooksv1alpha1.SecretKeySelector{Key: eightbyeight.ImportOAuthClientSecretKey}) {
			t.Errorf("oauth = %+v, want the fields of %+v", o, want.OAuth)
		}
	}
	if !reflect.DeepEqual(secrets, wantSecrets) {
		t.Errorf("secrets = %v, want %v", secrets, wantSecrets)
	}
}

func TestSpecOfRefusesForeignObjects(t *testing.T) {
	p := eightbyeight.New(eightbyeight.Options{})
	for _, r := range []*providers.Remote{nil, {ID: id(subAccount, "MSG")}, {ID: "not-an-id", Object: &eightbyeight.Webhook{}}} {
		if _, _, ok := p.SpecOf(nil, r); ok {
			t.Errorf("SpecOf(%+v) ok, want false", r)
		}
	}
}

// setRefName names the Secret of the reference at path, as the import command does.
func setRefName(spec *hooksv1alpha1.WebhookSpec, path, name string) {
	switch path {
	case eightbyeight.AuthorizationSecretPath:
		spec.EightByEight.AuthorizationSecretRef.Name = name
	case eightbyeight.OAuthClientSecretPath:
		spec.EightByEight.OAuth.ClientSecretRef.Name = name
	}
}
