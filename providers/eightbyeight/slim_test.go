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
	"slices"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
)

// TestListKeepsSlimWebhooks checks that a listed Remote keeps only what Diff, Update and SpecOf
// read (the controller keeps every listed Remote in its account snapshot), and that Diff and
// Update still work from it.
func TestListKeepsSlimWebhooks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := newRequest(withOAuth)
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	listed, err := e.prov.List(ctx, req)
	if err != nil || len(listed) != 1 {
		t.Fatalf("List = %v, %v; want one remote", listed, err)
	}
	l := listed[0]
	o := req.Spec.EightByEight.OAuth
	for _, r := range []*providers.Remote{created, l} {
		w := r.Object.(*eightbyeight.Webhook)
		if w.SubAccountID != "" || w.Type != "" {
			t.Errorf("Remote.Object keeps the sub-account and type, which its ID %s carries: %+v", r.ID, *w)
		}
		if w.URL != req.Spec.TargetURL || !w.IsEnabled() || w.HTTPAuthorization != "" || w.OAuth == nil ||
			*w.OAuth != (eightbyeight.OAuth{URL: o.TokenURL, ClientID: o.ClientID, ClientSecret: eightbyeight.Masked, CredentialsLocation: "header", Scope: o.Scope}) {
			t.Errorf("Remote.Object = %+v (OAuth %+v), want every field Diff and SpecOf read, the secret masked", *w, w.OAuth)
		}
	}
	if l.ID != created.ID || !l.Active {
		t.Errorf("listed remote = %+v, want %s active", l, created.ID)
	}

	if d := e.prov.Diff(req, l); d.Action != providers.ActionNone {
		t.Errorf("Diff with the creating request = %v %v, want None", d.Action, d.Fields)
	}
	if !e.prov.Matches(req, l) {
		t.Error("Matches with the creating request = false")
	}
	if spec, secrets, ok := e.prov.SpecOf(req, l); !ok || spec.EightByEight.SubAccountID != subAccount || spec.EightByEight.OAuth == nil ||
		!slices.Equal(secrets, []string{eightbyeight.OAuthClientSecretPath}) {
		t.Errorf("SpecOf = %+v %v %v, want the sub-account, the OAuth block and its secret reference", spec, secrets, ok)
	}
	rescoped := newRequest(withOAuth, func(r *providers.Request) { r.Spec.EightByEight.OAuth.Scope = "read" })
	if d := e.prov.Diff(rescoped, l); d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, []string{"eightByEight.oauth.scope"}) {
		t.Errorf("Diff with another OAuth scope = %v %v, want Update eightByEight.oauth.scope", d.Action, d.Fields)
	}
	other := newRequest(withOAuth, func(r *providers.Request) { r.Spec.EightByEight.Type = eightbyeight.TypeCADR })
	if d := e.prov.Diff(other, l); d.Action != providers.ActionReplace || !slices.Equal(d.Fields, []string{"eightByEight.type"}) {
		t.Errorf("Diff with another type = %v %v, want Replace eightByEight.type", d.Action, d.Fields)
	}
	updated, err := e.prov.Update(ctx, rescoped, l)
	if err != nil {
		t.Fatalf("Update from the listed remote: %v", err)
	}
	if d := e.prov.Diff(rescoped, updated); d.Action != providers.ActionNone {
		t.Errorf("Diff after Update = %v %v, want None", d.Action, d.Fields)
	}
	if stored, _ := e.srv.Hook(account, subAccount, "MSG"); stored.OAuth == nil || stored.OAuth.Scope != "read" || stored.OAuth.ClientSecret != oauthSecret {
		t.Errorf("after Update the fake holds %+v, want the new scope and the real client secret", stored)
	}
}
