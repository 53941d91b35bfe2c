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
	"slices"
	"strings"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
)

func TestCapabilities(t *testing.T) {
	c := eightbyeight.New(eightbyeight.Options{}).Capabilities()
	if !c.CanDeactivate || !c.UniqueNaturalKey {
		t.Errorf("Capabilities = %+v, want CanDeactivate and UniqueNaturalKey", c)
	}
}

func TestRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := newRequest()

	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created.ID != id(subAccount, "MSG") || created.State != "enabled" || !created.Active || created.Created != nil {
		t.Fatalf("created remote = %+v, want id %s, enabled, no creation time", created, id(subAccount, "MSG"))
	}
	post := e.rec.Last(t, "POST")
	if post.Auth != "Bearer "+apiKey {
		t.Errorf("Authorization = %q, want the trimmed bearer key", post.Auth)
	}
	if !strings.HasSuffix(post.URL, "/api/v1/accounts/"+canonicalAccount+"/webhooks") {
		t.Errorf("POST URL = %s", post.URL)
	}
	wantBody := []map[string]any{{"subAccountId": subAccount, "type": "MSG", "url": "https://hooks.example.com/8x8",
		"enabled": true, "httpAuthorization": authorization}}
	if !reflect.DeepEqual(post.Objects(), wantBody) {
		t.Errorf("POST body = %s, want the array %v", post.Raw, wantBody)
	}
	stored, ok := e.srv.Hook(account, subAccount, "MSG")
	if !ok || stored.HTTPAuthorization != authorization || stored.URL != req.Spec.TargetURL || !stored.Enabled {
		t.Fatalf("fake holds %+v (%v), want the hook with the real Authorization", stored, ok)
	}

	got, err := e.prov.Get(ctx, req, created.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if w := got.Object.(*eightbyeight.Webhook); w.HTTPAuthorization != "***" {
		t.Errorf("read Authorization = %q, want it masked", w.HTTPAuthorization)
	}
	if d := e.prov.Diff(req, got); d.Action != providers.ActionNone {
		t.Errorf("Diff right after create = %+v, want None", d)
	}

	changed := newRequest(func(r *providers.Request) {
		r.Spec.TargetURL = "https://hooks.example.com/v2"
		r.Secrets[eightbyeight.AuthorizationSecretPath] = "Bearer rotated-77"
	})
	if d := e.prov.Diff(changed, got); d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, []string{"targetUrl"}) {
		t.Fatalf("Diff after a target change = %+v, want Update of targetUrl", d)
	}
	updated, err := e.prov.Update(ctx, changed, got)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if updated.ID != created.ID || !updated.Active {
		t.Errorf("updated remote = %+v", updated)
	}
	if w := updated.Object.(*eightbyeight.Webhook); w.HTTPAuthorization != "***" {
		t.Errorf("the remote Update returns holds the secret %q, want it masked", w.HTTPAuthorization)
	}
	stored, _ = e.srv.Hook(account, subAccount, "MSG")
	if stored.URL != "https://hooks.example.com/v2" || stored.HTTPAuthorization != "Bearer rotated-77" {
		t.Errorf("after update the fake holds %+v", stored)
	}
	if n := len(e.srv.Hooks(account)); n != 1 {
		t.Errorf("fake holds %d hooks after create and update, want 1", n)
	}

	if err := e.prov.Delete(ctx, req, created.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	del := e.rec.Last(t, "DELETE")
	if want := []map[string]any{{"subAccountId": subAccount, "type": "MSG"}}; !reflect.DeepEqual(del.Objects(), want) {
		t.Errorf("DELETE body = %s, want %v", del.Raw, want)
	}
	if _, err := e.prov.Get(ctx, req, created.ID); !providers.IsNotFound(err) {
		t.Errorf("Get after delete = %v, want NotFound", err)
	}
	if err := e.prov.Delete(ctx, req, created.ID); err != nil {
		t.Errorf("second Delete = %v, want nil (already gone is success)", err)
	}
}

// TestSecretsAreNeverSentMasked reads the webhook back, where its secret is "***", and updates
// from that read: the fake must end up with the real secret.
func TestSecretsAreNeverSentMasked(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*providers.Request)
		stored func(h fake.Hook) string
		sent   func(body map[string]any) any
		want   string
	}{
		{name: "httpAuthorization", mutate: func(*providers.Request) {},
			stored: func(h fake.Hook) string { return h.HTTPAuthorization },
			sent:   func(b map[string]any) any { return b["httpAuthorization"] },
			want:   authorization},
		{name: "oauth client secret", mutate: withOAuth,
			stored: func(h fake.Hook) string { return h.OAuth.ClientSecret },
			sent:   func(b map[string]any) any { return b["oauth"].(map[string]any)["clientSecret"] },
			want:   oauthSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			req := newRequest(tt.mutate)
			created, err := e.prov.Create(ctx, req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if w := created.Object.(*eightbyeight.Webhook); !strings.Contains(w.HTTPAuthorization+oauthSecretOf(w), "***") {
				t.Fatalf("the read-back remote %+v shows no masked secret, so this test proves nothing", w)
			}
			read, err := e.prov.Get(ctx, req, created.ID)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if d := e.prov.Diff(req, read); d.Action != providers.ActionNone {
				t.Errorf("Diff compared a masked secret: %+v", d)
			}
			if _, err := e.prov.Update(ctx, req, read); err != nil {
				t.Fatalf("Update: %v", err)
			}
			if got := tt.sent(e.rec.Last(t, "POST").Objects()[0]); got != tt.want {
				t.Errorf("Update sent %v, want the real secret", got)
			}
			h, _ := e.srv.Hook(account, subAccount, "MSG")
			if got := tt.stored(h); got != tt.want {
				t.Errorf("after Update the fake stores %q, want the real secret", got)
			}
		})
	}
}

func oauthSecretOf(w *eightbyeight.Webhook) string {
	if w.OAuth == nil {
		return ""
	}
	return w.OAuth.ClientSecret
}

func TestOAuthIsSentInFull(t *testing.T) {
	e := newEnv(t)
	req := newRequest(withOAuth)
	if _, err := e.prov.Create(context.Background(), req); err != nil {
		t.Fatalf("Create: %v", err)
	}
	body := e.rec.Last(t, "POST").Objects()[0]
	want := map[string]any{"url": "https://auth.example.com/oauth/token", "clientId": "hookkeeper-client",
		"clientSecret": oauthSecret, "credentialsLocation": "header", "scope": "read write"}
	if !reflect.DeepEqual(body["oauth"], want) {
		t.Errorf("oauth sent = %v, want %v (credentialsLocation defaulted to header)", body["oauth"], want)
	}
	if _, ok := body["httpAuthorization"]; ok {
		t.Error("httpAuthorization sent alongside oauth")
	}
}

func TestEnabledIsSentAndReported(t *testing.T) {
	tests := []struct {
		name       string
		enabled    *bool
		wantSent   bool
		wantState  string
		wantActive bool
	}{
		{name: "default", enabled: nil, wantSent: true, wantState: "enabled", wantActive: true},
		{name: "enabled", enabled: boolPtr(true), wantSent: true, wantState: "enabled", wantActive: true},
		{name: "disabled", enabled: boolPtr(false), wantSent: false, wantState: "disabled", wantActive: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			req := newRequest(func(r *providers.Request) { r.Spec.Enabled = tt.enabled })
			got, err := e.prov.Create(context.Background(), req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if sent := e.rec.Last(t, "POST").Objects()[0]["enabled"]; sent != tt.wantSent {
				t.Errorf("enabled sent = %v, want %v", sent, tt.wantSent)
			}
			if got.State != tt.wantState || got.Active != tt.wantActive {
				t.Errorf("remote state %q active %v, want %q %v", got.State, got.Active, tt.wantState, tt.wantActive)
			}
		})
	}
}

func TestUpdateTogglesEnabled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := newRequest()
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	e.srv.Disable(account, subAccount, "MSG")
	remote, err := e.prov.Get(ctx, req, created.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if remote.Active || remote.State != "disabled" {
		t.Fatalf("after an out-of-band disable the remote is %+v", remote)
	}
	if d := e.prov.Diff(req, remote); d.Action != providers.ActionNone {
		t.Errorf("Diff compared enabled: %+v", d)
	}
	updated, err := e.prov.Update(ctx, req, remote)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if h, _ := e.srv.Hook(account, subAccount, "MSG"); !h.Enabled || !updated.Active || updated.State != "enabled" {
		t.Errorf("after re-enabling: stored %+v, remote %+v", h, updated)
	}

	off := newRequest(func(r *providers.Request) { r.Spec.Enabled = boolPtr(false) })
	updated, err = e.prov.Update(ctx, off, updated)
	if err != nil {
		t.Fatalf("Update to disabled: %v", err)
	}
	if h, _ := e.srv.Hook(account, subAccount, "MSG"); h.Enabled || updated.Active {
		t.Errorf("after disabling: stored %+v, remote %+v", h, updated)
	}
}

// TestKeyChangeReplaces follows what the controller does when the key changes: it reads the old
// id, Diff says Replace, it deletes the old key and creates the new one.
func TestKeyChangeReplaces(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(*providers.Request)
		wantField string
		newID     string
	}{
		{name: "sub-account", mutate: func(r *providers.Request) { r.Spec.EightByEight.SubAccountID = "Onion_Sales" },
			wantField: "eightByEight.subAccountId", newID: id("Onion_Sales", "MSG")},
		{name: "type", mutate: func(r *providers.Request) { r.Spec.EightByEight.Type = eightbyeight.TypeCADR },
			wantField: "eightByEight.type", newID: id(subAccount, "CADR")},
		{name: "all sub-accounts", mutate: func(r *providers.Request) { r.Spec.EightByEight.SubAccountID = "*" },
			wantField: "eightByEight.subAccountId", newID: id("*", "MSG")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			old, err := e.prov.Create(ctx, newRequest())
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			moved := newRequest(tt.mutate)
			remote, err := e.prov.Get(ctx, moved, old.ID)
			if err != nil {
				t.Fatalf("Get of the old id with the new spec: %v", err)
			}
			d := e.prov.Diff(moved, remote)
			if d.Action != providers.ActionReplace || !slices.Equal(d.Fields, []string{tt.wantField}) {
				t.Fatalf("Diff = %+v, want Replace of %s", d, tt.wantField)
			}
			if err := e.prov.Delete(ctx, moved, old.ID); err != nil {
				t.Fatalf("Delete old: %v", err)
			}
			created, err := e.prov.Create(ctx, moved)
			if err != nil {
				t.Fatalf("Create new: %v", err)
			}
			if created.ID != tt.newID {
				t.Errorf("new id %s, want %s", created.ID, tt.newID)
			}
			hooks := e.srv.Hooks(account)
			if len(hooks) != 1 || hooks[0].SubAccountID+"/"+hooks[0].Type != strings.TrimPrefix(tt.newID, canonicalAccount+"/") {
				t.Errorf("fake holds %+v, want only the new key", hooks)
			}
		})
	}
}

func TestAccountChangeReplaces(t *testing.T) {
	e := newEnv(t)
	e.srv.AddKey(apiKey, otherAccount)
	ctx := context.Background()
	old, err := e.prov.Create(ctx, newRequest())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	moved := newRequest(func(r *providers.Request) { r.Spec.EightByEight.AccountID = otherAccount })
	remote, err := e.prov.Get(ctx, moved, old.ID)
	if err != nil {
		t.Fatalf("Get of the old id: %v (the old account must be listed, not the spec's)", err)
	}
	if d := e.prov.Diff(moved, remote); d.Action != providers.ActionReplace || !slices.Equal(d.Fields, []string{"eightByEight.accountId"}) {
		t.Errorf("Diff = %+v, want Replace of eightByEight.accountId", d)
	}
	if err := e.prov.Delete(ctx, moved, old.ID); err != nil {
		t.Fatalf("Delete old: %v", err)
	}
	if n := len(e.srv.Hooks(account)); n != 0 {
		t.Errorf("the old account still holds %d hooks: Delete used the spec's account, not the id's", n)
	}
}

func TestUpdateStaysAtTheRemoteKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old, err := e.prov.Create(ctx, newRequest())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	moved := newRequest(func(r *providers.Request) { r.Spec.EightByEight.SubAccountID = "elsewhere" })
	got, err := e.prov.Update(ctx, moved, old)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got.ID != old.ID || len(e.srv.Hooks(account)) != 1 {
		t.Errorf("Update moved the webhook: id %s, %d hooks", got.ID, len(e.srv.Hooks(account)))
	}
}

func TestFind(t *testing.T) {
	e := newEnv(t)
	e.srv.Seed(account, fake.Hook{SubAccountID: subAccount, Type: "MSG", URL: "https://elsewhere.example/", Enabled: true})
	e.srv.Seed(account, fake.Hook{SubAccountID: subAccount, Type: "CADR", URL: "https://x.example/", Enabled: true})
	e.srv.Seed(account, fake.Hook{SubAccountID: "Onion_Sales", Type: "MSG", URL: "https://x.example/", Enabled: true})
	e.srv.Seed(account, fake.Hook{SubAccountID: "*", Type: "MSG", URL: "https://x.example/all", Enabled: true})
	e.srv.Seed(account, fake.Hook{SubAccountID: subAccount, URL: "https://legacy.example/", Enabled: true})
	e.srv.AddKey(apiKey, otherAccount)
	e.srv.Seed(otherAccount, fake.Hook{SubAccountID: subAccount, Type: "CABM", URL: "https://x.example/", Enabled: true})

	tests := []struct {
		name    string
		mutate  func(*providers.Request)
		wantIDs []string
	}{
		{name: "exact key", wantIDs: []string{id(subAccount, "MSG")}},
		{name: "star is its own sub-account", mutate: func(r *providers.Request) { r.Spec.EightByEight.SubAccountID = "*" },
			wantIDs: []string{id("*", "MSG")}},
		{name: "nothing at this key", mutate: func(r *providers.Request) { r.Spec.EightByEight.Type = eightbyeight.TypeCABM }},
		{name: "the key in another account", mutate: func(r *providers.Request) {
			r.Spec.EightByEight.AccountID = otherAccount
			r.Spec.EightByEight.Type = eightbyeight.TypeCABM
		}, wantIDs: []string{otherAccount + "/" + subAccount + "/CABM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest()
			if tt.mutate != nil {
				tt.mutate(req)
			}
			found, err := testutil.Candidates(context.Background(), e.prov, req)
			if err != nil {
				t.Fatalf("Find: %v", err)
			}
			var ids []string
			for _, f := range found {
				ids = append(ids, f.ID)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("Find = %v, want %v", ids, tt.wantIDs)
			}
		})
	}
	found, _ := testutil.Candidates(context.Background(), e.prov, newRequest())
	if d := e.prov.Diff(newRequest(), found[0]); d.Action != providers.ActionUpdate ||
		!slices.Equal(d.Fields, []string{"targetUrl", "eightByEight.authorizationSecretRef"}) {
		t.Errorf("Diff of the found webhook = %+v, want Update of targetUrl and the Authorization", d)
	}
}

// diffBaseWebhook is the webhook TestDiff's cases change: the one newRequest describes.
func diffBaseWebhook() *eightbyeight.Webhook {
	return &eightbyeight.Webhook{SubAccountID: subAccount, Type: "MSG", URL: "https://hooks.example.com/8x8",
		Enabled: boolPtr(true), HTTPAuthorization: "***"}
}

// diffOAuthRemote gives w, in place of its Authorization, the OAuth settings withOAuth puts in the
// request (the credentials in the header, the default).
func diffOAuthRemote(w *eightbyeight.Webhook) {
	w.HTTPAuthorization = ""
	w.OAuth = &eightbyeight.OAuth{URL: "https://auth.example.com/oauth/token", ClientID: "hookkeeper-client",
		ClientSecret: "***", CredentialsLocation: "header", Scope: "read write"}
}

// diffCase is a change to the webhook, its id or the request, and what Diff should make of it.
type diffCase struct {
	name       string
	id         string
	noObject   bool
	remote     func(w *eightbyeight.Webhook)
	req        func(r *providers.Request)
	wantAction providers.Action
	wantFields []string
}

// diffCases are the cases of TestDiff.
var diffCases = []diffCase{
	{name: "identical", wantAction: providers.ActionNone},
	{name: "masked or differing secret values are not compared",
		remote: func(w *eightbyeight.Webhook) { w.HTTPAuthorization = "Basic something-else" }, wantAction: providers.ActionNone},
	{name: "enabled is not compared", remote: func(w *eightbyeight.Webhook) { w.Enabled = boolPtr(false) },
		wantAction: providers.ActionNone},
	{name: "target url", remote: func(w *eightbyeight.Webhook) { w.URL = "https://old.example/" },
		wantAction: providers.ActionUpdate, wantFields: []string{"targetUrl"}},
	{name: "authorization removed from the spec", req: func(r *providers.Request) { r.Spec.EightByEight.AuthorizationSecretRef = nil },
		wantAction: providers.ActionUpdate, wantFields: []string{"eightByEight.authorizationSecretRef"}},
	{name: "authorization missing remotely", remote: func(w *eightbyeight.Webhook) { w.HTTPAuthorization = "" },
		wantAction: providers.ActionUpdate, wantFields: []string{"eightByEight.authorizationSecretRef"}},
	{name: "oauth identical", remote: diffOAuthRemote, req: withOAuth, wantAction: providers.ActionNone},
	{name: "oauth default location", remote: diffOAuthRemote, req: func(r *providers.Request) {
		withOAuth(r)
		r.Spec.EightByEight.OAuth.CredentialsLocation = "header"
	}, wantAction: providers.ActionNone},
	{name: "oauth added", req: withOAuth, wantAction: providers.ActionUpdate,
		wantFields: []string{"eightByEight.authorizationSecretRef", "eightByEight.oauth"}},
	{name: "empty oauth object is no oauth", remote: func(w *eightbyeight.Webhook) { w.OAuth = &eightbyeight.OAuth{} },
		wantAction: providers.ActionNone},
	{name: "oauth fields", remote: func(w *eightbyeight.Webhook) {
		diffOAuthRemote(w)
		w.OAuth.URL = "https://old.example/token"
		w.OAuth.ClientID = "old"
		w.OAuth.CredentialsLocation = "body"
		w.OAuth.Scope = ""
	}, req: withOAuth, wantAction: providers.ActionUpdate, wantFields: []string{"eightByEight.oauth.tokenUrl",
		"eightByEight.oauth.clientId", "eightByEight.oauth.credentialsLocation", "eightByEight.oauth.scope"}},
	{name: "sub-account", id: id("Onion_Sales", "MSG"), wantAction: providers.ActionReplace,
		wantFields: []string{"eightByEight.subAccountId"}},
	{name: "type", id: id(subAccount, "CABM"), wantAction: providers.ActionReplace,
		wantFields: []string{"eightByEight.type"}},
	{name: "account", id: otherAccount + "/" + subAccount + "/MSG", wantAction: providers.ActionReplace,
		wantFields: []string{"eightByEight.accountId"}},
	{name: "replace and update together", id: id(subAccount, "CADR"),
		remote: func(w *eightbyeight.Webhook) { w.URL = "https://old.example/" }, wantAction: providers.ActionReplace,
		wantFields: []string{"eightByEight.type", "targetUrl"}},
	{name: "unreadable id", id: "not-an-id", wantAction: providers.ActionReplace,
		wantFields: []string{"eightByEight.accountId", "eightByEight.subAccountId", "eightByEight.type"}},
	{name: "no wire object", noObject: true, wantAction: providers.ActionUpdate, wantFields: []string{"targetUrl"}},
}

func TestDiff(t *testing.T) {
	p := eightbyeight.New(eightbyeight.Options{})
	for _, tt := range diffCases {
		t.Run(tt.name, func(t *testing.T) {
			w := diffBaseWebhook()
			if tt.remote != nil {
				tt.remote(w)
			}
			req := newRequest()
			if tt.req != nil {
				tt.req(req)
			}
			remote := &providers.Remote{ID: id(subAccount, "MSG"), Object: w}
			if tt.id != "" {
				remote.ID = tt.id
			}
			if tt.noObject {
				remote.Object = nil
			}
			d := p.Diff(req, remote)
			if d.Action != tt.wantAction || !slices.Equal(d.Fields, tt.wantFields) {
				t.Errorf("Diff = %v %v, want %v %v", d.Action, d.Fields, tt.wantAction, tt.wantFields)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(r *providers.Request)
		wantField string
	}{
		{name: "valid"},
		{name: "valid with oauth over http, all sub-accounts, no region", mutate: func(r *providers.Request) {
			withOAuth(r)
			r.Spec.EightByEight.OAuth.TokenURL = "http://auth.internal:8080/token"
			r.Spec.EightByEight.OAuth.CredentialsLocation = "body"
			r.Spec.EightByEight.SubAccountID = "*"
			r.Spec.EightByEight.Region = ""
		}},
		{name: "account id without dashes", mutate: func(r *providers.Request) { r.Spec.EightByEight.AccountID = otherAccount }},
		{name: "no eightByEight block", mutate: func(r *providers.Request) { r.Spec.EightByEight = nil }, wantField: "eightByEight"},
		{name: "account id not a guid", mutate: func(r *providers.Request) {
			r.Spec.EightByEight.AccountID = "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"
		}, wantField: "eightByEight.accountId"},
		{name: "account id too short", mutate: func(r *providers.Request) { r.Spec.EightByEight.AccountID = "0123abcd" },
			wantField: "eightByEight.accountId"},
		{name: "account id with a path", mutate: func(r *providers.Request) { r.Spec.EightByEight.AccountID = account + "/x" },
			wantField: "eightByEight.accountId"},
		{name: "empty type", mutate: func(r *providers.Request) { r.Spec.EightByEight.Type = "" }, wantField: "eightByEight.type"},
		{name: "legacy type", mutate: func(r *providers.Request) { r.Spec.EightByEight.Type = "DR" }, wantField: "eightByEight.type"},
		{name: "unknown region", mutate: func(r *providers.Request) { r.Spec.EightByEight.Region = "MARS" },
			wantField: "eightByEight.region"},
		{name: "sub-account with a slash", mutate: func(r *providers.Request) { r.Spec.EightByEight.SubAccountID = "a/b" },
			wantField: "eightByEight.subAccountId"},
		{name: "empty sub-account", mutate: func(r *providers.Request) { r.Spec.EightByEight.SubAccountID = "" },
			wantField: "eightByEight.subAccountId"},
		{name: "both authorization and oauth", mutate: func(r *providers.Request) {
			withOAuth(r)
			r.Spec.EightByEight.AuthorizationSecretRef = &hooksv1alpha1.SecretKeySelector{Name: "a", Key: "b"}
		}, wantField: "eightByEight.oauth"},
		{name: "relative token url", mutate: func(r *providers.Request) {
			withOAuth(r)
			r.Spec.EightByEight.OAuth.TokenURL = "/oauth/token"
		}, wantField: "eightByEight.oauth.tokenUrl"},
		{name: "ftp token url", mutate: func(r *providers.Request) {
			withOAuth(r)
			r.Spec.EightByEight.OAuth.TokenURL = "ftp://auth.example.com/token"
		}, wantField: "eightByEight.oauth.tokenUrl"},
		{name: "no client id", mutate: func(r *providers.Request) {
			withOAuth(r)
			r.Spec.EightByEight.OAuth.ClientID = ""
		}, wantField: "eightByEight.oauth.clientId"},
		{name: "credentials in the query", mutate: func(r *providers.Request) {
			withOAuth(r)
			r.Spec.EightByEight.OAuth.CredentialsLocation = "query"
		}, wantField: "eightByEight.oauth.credentialsLocation"},
		{name: "target url without host", mutate: func(r *providers.Request) { r.Spec.TargetURL = "https:///x" },
			wantField: "targetUrl"},
	}
	p := eightbyeight.New(eightbyeight.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest()
			if tt.mutate != nil {
				tt.mutate(req)
			}
			err := p.Validate(req)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			pe := testutil.ProviderError(t, err)
			if pe.Kind != providers.KindInvalid || pe.Field != tt.wantField || !strings.Contains(pe.Error(), "spec."+tt.wantField) {
				t.Errorf("Validate = %v (kind %v field %q), want Invalid naming %q", pe, pe.Kind, pe.Field, tt.wantField)
			}
		})
	}
}

func TestCreateAndUpdateValidateFirst(t *testing.T) {
	e := newEnv(t)
	req := newRequest(func(r *providers.Request) { r.Spec.EightByEight.Type = "" })
	if _, err := e.prov.Create(context.Background(), req); providers.KindOf(err) != providers.KindInvalid {
		t.Errorf("Create without a type = %v, want Invalid (an untyped upsert would configure CADR and MSG)", err)
	}
	remote := &providers.Remote{ID: id(subAccount, "MSG")}
	if _, err := e.prov.Update(context.Background(), req, remote); providers.KindOf(err) != providers.KindInvalid {
		t.Errorf("Update without a type = %v, want Invalid", err)
	}
	if n := e.srv.RequestsTotal(); n != 0 {
		t.Errorf("%d requests made for an invalid spec", n)
	}
}

func TestMalformedIDs(t *testing.T) {
	ids := []string{"", "abc", account + "/" + subAccount, account + "/" + subAccount + "/MSG/x",
		"not-a-guid/" + subAccount + "/MSG", account + "//MSG", account + "/" + subAccount + "/DR",
		account + "/with space/MSG"}
	for _, bad := range ids {
		t.Run(bad, func(t *testing.T) {
			e := newEnv(t)
			if _, err := e.prov.Get(context.Background(), newRequest(), bad); !providers.IsNotFound(err) {
				t.Errorf("Get(%q) = %v, want NotFound", bad, err)
			}
			if err := e.prov.Delete(context.Background(), newRequest(), bad); err != nil {
				t.Errorf("Delete(%q) = %v, want nil: it names nothing that can exist", bad, err)
			}
			_, err := e.prov.Update(context.Background(), newRequest(), &providers.Remote{ID: bad})
			if !providers.IsNotFound(err) {
				t.Errorf("Update(%q) = %v, want NotFound", bad, err)
			}
			if n := e.srv.RequestsTotal(); n != 0 {
				t.Errorf("%d requests made for a malformed id", n)
			}
		})
	}
}

func TestParseIDRoundTrip(t *testing.T) {
	for _, ref := range []eightbyeight.Ref{
		{AccountID: canonicalAccount, SubAccountID: subAccount, Type: "MSG"},
		{AccountID: otherAccount, SubAccountID: "*", Type: "CABM"},
	} {
		got, ok := eightbyeight.ParseID(ref.ID())
		if !ok || got != ref {
			t.Errorf("ParseID(%q) = %+v, %v; want %+v", ref.ID(), got, ok, ref)
		}
	}
}

func TestMissingDeliverySecretMakesNoRequest(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*providers.Request)
		path   string
	}{
		{name: "authorization", mutate: func(r *providers.Request) { r.Secrets = nil }, path: eightbyeight.AuthorizationSecretPath},
		{name: "oauth", mutate: func(r *providers.Request) { withOAuth(r); r.Secrets = map[string]string{} },
			path: eightbyeight.OAuthClientSecretPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			req := newRequest(tt.mutate)
			_, err := e.prov.Create(context.Background(), req)
			pe := testutil.ProviderError(t, err)
			if pe.Kind != providers.KindMissingCredentials || pe.Field != tt.path {
				t.Errorf("Create = %v (kind %v, field %q), want MissingCredentials for %s", pe, pe.Kind, pe.Field, tt.path)
			}
			if n := e.srv.RequestsTotal(); n != 0 {
				t.Errorf("%d requests made without the delivery secret", n)
			}
		})
	}
}

func TestScope(t *testing.T) {
	p := eightbyeight.New(eightbyeight.Options{})
	inRegion := func(region hooksv1alpha1.EightByEightRegion) func(*providers.Request) {
		return func(r *providers.Request) { r.Spec.EightByEight.Region = region }
	}
	apac := p.Scope(newRequest(inRegion(eightbyeight.RegionAPAC)))
	if want := "https://chatapps.8x8.com/api/v1/accounts/" + canonicalAccount; apac != want {
		t.Errorf("APAC scope = %q, want the account's list URL %q", apac, want)
	}
	if s := p.Scope(newRequest(inRegion(""))); s != apac {
		t.Errorf("the default region has the scope %q, want APAC's %q", s, apac)
	}
	if s := p.Scope(newRequest(inRegion(eightbyeight.RegionEU))); s != "https://chatapps.8x8.uk/api/v1/accounts/"+canonicalAccount {
		t.Errorf("EU scope = %q, want the EU host", s)
	}
	other := p.Scope(newRequest(func(r *providers.Request) {
		r.Spec.EightByEight.SubAccountID, r.Spec.EightByEight.Type = "Onion_Sales", eightbyeight.TypeCADR
		r.Spec.TargetURL = "https://else.example/"
		withOAuth(r)
	}))
	if other != apac {
		t.Errorf("another key of the account has the scope %q, want %q", other, apac)
	}
	if s := p.Scope(newRequest(func(r *providers.Request) { r.Spec.EightByEight.AccountID = otherAccount })); s == apac {
		t.Error("another account has the same scope")
	}
	// The override replaces every region's host, so it is what the scope names.
	if s := eightbyeight.New(eightbyeight.Options{BaseURL: "http://fake.local/"}).Scope(newRequest(inRegion(eightbyeight.RegionUS))); s != "http://fake.local/api/v1/accounts/"+canonicalAccount {
		t.Errorf("scope with a base URL override = %q", s)
	}
	for _, s := range []string{apac, other} {
		if strings.Contains(s, apiKey) || strings.Contains(s, authorization) || strings.Contains(s, oauthSecret) {
			t.Errorf("scope %q holds a secret", s)
		}
	}
}

func TestListReportsEveryKeyOnce(t *testing.T) {
	e := newEnv(t)
	e.srv.Seed(account, fake.Hook{SubAccountID: subAccount, Type: "MSG", URL: "https://x.example/msg", Enabled: true})
	e.srv.Seed(account, fake.Hook{SubAccountID: subAccount, Type: "CADR", URL: "https://x.example/dr", Enabled: false})
	e.srv.Seed(account, fake.Hook{SubAccountID: "*", Type: "CABM", URL: "https://x.example/all", Enabled: true})
	// A legacy webhook without a type: no id names it, and Get cannot read it either.
	e.srv.Seed(account, fake.Hook{SubAccountID: subAccount, URL: "https://legacy.example/", Enabled: true})
	e.srv.AddKey(apiKey, otherAccount)
	e.srv.Seed(otherAccount, fake.Hook{SubAccountID: subAccount, Type: "MSG", URL: "https://x.example/", Enabled: true})
	ctx := context.Background()
	req := newRequest()

	listed, err := e.prov.List(ctx, req)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var ids []string
	for _, r := range listed {
		ids = append(ids, r.ID)
		got, err := e.prov.Get(ctx, req, r.ID)
		if err != nil {
			t.Errorf("Get(%s) of a listed webhook: %v", r.ID, err)
		} else if got.Active != r.Active || got.State != r.State {
			t.Errorf("Get(%s) = %+v, List said %+v", r.ID, got, r)
		}
	}
	want := []string{id(subAccount, "MSG"), id(subAccount, "CADR"), id("*", "CABM")}
	if !slices.Equal(ids, want) {
		t.Errorf("List = %v, want %v", ids, want)
	}
	if n := e.rec.Count(); n != 1+len(want) {
		t.Errorf("%d requests, want one list and one per Get", n)
	}
	if listed[1].Active || listed[1].State != eightbyeight.StateDisabled {
		t.Errorf("the disabled CADR webhook is listed as %+v", listed[1])
	}
	for i, r := range listed {
		if e.prov.Matches(req, r) != (i == 0) {
			t.Errorf("Matches(MSG spec, %s) = %v", r.ID, i != 0)
		}
	}
}

// TestEverySpellingOfTheAccountIsOneAccount: 8x8 keys an account by its GUID, so an account id
// with or without dashes, in either case, lists, matches and names the same webhooks with the same
// ids: two namespaces that spell one account differently must meet on one remote webhook (and one
// of them get Conflict), not both manage it under two ids.
func TestEverySpellingOfTheAccountIsOneAccount(t *testing.T) {
	e := newEnv(t)
	e.srv.Seed(account, fake.Hook{SubAccountID: subAccount, Type: "MSG", URL: "https://x.example/", Enabled: true})
	upper := strings.ToUpper(strings.ReplaceAll(account, "-", ""))
	req := newRequest(func(r *providers.Request) { r.Spec.EightByEight.AccountID = upper })
	listed, err := e.prov.List(context.Background(), req)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(listed) != 1 || listed[0].ID != id(subAccount, "MSG") {
		t.Fatalf("List = %+v, want the id %s with the account in its one spelling", listed, id(subAccount, "MSG"))
	}
	if !e.prov.Matches(req, listed[0]) || !e.prov.Matches(newRequest(), listed[0]) {
		t.Error("Matches must take the account in any spelling")
	}
	if s, want := e.prov.Scope(req), e.prov.Scope(newRequest()); s != want {
		t.Errorf("two spellings of the account have the scopes %q and %q", s, want)
	}
	if a, want := e.prov.Account(req), e.prov.Account(newRequest()); a != want {
		t.Errorf("two spellings of the account are the accounts %q and %q", a, want)
	}
	got, err := e.prov.Get(context.Background(), req, upper+"/"+subAccount+"/MSG")
	if err != nil || got.ID != id(subAccount, "MSG") {
		t.Errorf("Get by an id in another spelling = %+v, %v; want the id %s", got, err, id(subAccount, "MSG"))
	}
}
