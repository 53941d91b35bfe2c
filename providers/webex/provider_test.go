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
	"slices"
	"strings"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/webex"
	"github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

func TestCapabilities(t *testing.T) {
	if webex.New(webex.Options{}).Capabilities().CanDeactivate {
		t.Error("Webex cannot deactivate through its API, but CanDeactivate is true")
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
	if created.ID == "" || created.State != "active" || !created.Active || created.Created == nil {
		t.Fatalf("created remote = %+v, want id, active state and a creation time", created)
	}
	if auth := e.rec.Last(t, "").Auth; auth != "Bearer "+token {
		t.Errorf("Authorization = %q, want the trimmed bearer token", auth)
	}
	stored, ok := e.srv.Hook(created.ID)
	if !ok {
		t.Fatalf("fake has no hook %s", created.ID)
	}
	if stored.Name != owner || stored.Secret != secret || stored.OwnedBy != "creator" || stored.Filter != req.Spec.Webex.Filter {
		t.Errorf("stored hook = %+v, want name %q, the secret, creator, the filter", stored, owner)
	}
	if _, ok := e.rec.Last(t, "").Object()["ownedBy"]; ok {
		t.Error("create sent ownedBy although it is creator")
	}

	got, err := e.prov.Get(ctx, req, created.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if d := e.prov.Diff(req, got); d.Action != providers.ActionNone {
		t.Errorf("Diff right after create = %+v, want None", d)
	}

	changed := newRequest(func(r *providers.Request) {
		r.Spec.TargetURL = "https://hooks.example.com/v2"
		r.Spec.Webex.Name = "renamed"
		r.Secrets[webex.SecretRefPath] = "rotated-secret-1"
	})
	if d := e.prov.Diff(changed, got); d.Action != providers.ActionUpdate {
		t.Fatalf("Diff after a target change = %+v, want Update", d)
	}
	updated, err := e.prov.Update(ctx, changed, got)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if updated.ID != created.ID {
		t.Errorf("update changed the id from %s to %s", created.ID, updated.ID)
	}
	stored, _ = e.srv.Hook(created.ID)
	if stored.TargetURL != "https://hooks.example.com/v2" || stored.Name != "renamed" || stored.Secret != "rotated-secret-1" {
		t.Errorf("after update the fake holds %+v", stored)
	}

	if err := e.prov.Delete(ctx, req, created.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := e.prov.Get(ctx, req, created.ID); !providers.IsNotFound(err) {
		t.Errorf("Get after delete = %v, want NotFound", err)
	}
	if err := e.prov.Delete(ctx, req, created.ID); err != nil {
		t.Errorf("second Delete = %v, want nil (already gone is success)", err)
	}
}

func TestCreateOrgOwned(t *testing.T) {
	e := newEnv(t)
	req := newRequest(func(r *providers.Request) {
		r.Spec.Webex.OwnedBy = hooksv1alpha1.WebexOwnedByOrg
		r.Spec.Webex.Filter = "hostEmail=a@example.com"
		delete(r.Secrets, webex.SecretRefPath)
	})
	got, err := e.prov.Create(context.Background(), req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	body := e.rec.Last(t, "").Object()
	if body["ownedBy"] != "org" {
		t.Errorf("create body ownedBy = %v, want org", body["ownedBy"])
	}
	if _, ok := body["secret"]; ok {
		t.Error("create sent an empty secret")
	}
	if w := got.Object.(*webex.Webhook); w.OwnedBy != "org" {
		t.Errorf("remote ownedBy = %q, want org", w.OwnedBy)
	}
}

func TestUpdateKeepsImmutableFields(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	orig, err := e.prov.Create(ctx, newRequest())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	changed := newRequest(func(r *providers.Request) {
		r.Spec.Webex.Resource = "rooms"
		r.Spec.Webex.Event = "deleted"
		r.Spec.Webex.Filter = "roomId=other"
		r.Spec.Webex.OwnedBy = hooksv1alpha1.WebexOwnedByOrg
	})
	d := e.prov.Diff(changed, orig)
	if d.Action != providers.ActionReplace {
		t.Errorf("Diff = %+v, want Replace", d)
	}
	if _, err := e.prov.Update(ctx, changed, orig); err != nil {
		t.Fatalf("Update: %v", err)
	}
	stored, _ := e.srv.Hook(orig.ID)
	if stored.Resource != "messages" || stored.Event != "created" || stored.Filter != newRequest().Spec.Webex.Filter || stored.OwnedBy != "creator" {
		t.Errorf("PUT changed an immutable field: %+v", stored)
	}
}

func TestUpdateReactivates(t *testing.T) {
	tests := []struct {
		name       string
		disable    bool
		wantStatus any
	}{
		{name: "active webhook: no status sent", disable: false, wantStatus: nil},
		{name: "disabled webhook: status active sent", disable: true, wantStatus: "active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			req := newRequest()
			created, err := e.prov.Create(ctx, req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if tt.disable {
				e.srv.Disable(created.ID)
			}
			remote, err := e.prov.Get(ctx, req, created.ID)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if remote.Active == tt.disable {
				t.Fatalf("Active = %v with state %q", remote.Active, remote.State)
			}
			if d := e.prov.Diff(req, remote); d.Action != providers.ActionNone {
				t.Errorf("Diff compared the status: %+v", d)
			}
			updated, err := e.prov.Update(ctx, req, remote)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if got := e.rec.Last(t, "").Object()["status"]; got != tt.wantStatus {
				t.Errorf("PUT status = %v, want %v", got, tt.wantStatus)
			}
			if !updated.Active || updated.State != "active" {
				t.Errorf("after update the remote is %+v, want active", updated)
			}
		})
	}
}

func TestFind(t *testing.T) {
	e := newEnv(t)
	spec := newRequest().Spec.Webex
	match := e.srv.Seed(token, fake.Hook{Name: owner, TargetURL: "https://elsewhere.example/", Resource: "messages",
		Event: "created", Filter: spec.Filter})
	e.srv.Seed(token, fake.Hook{Name: owner, TargetURL: "https://x.example/", Resource: "messages", Event: "deleted", Filter: spec.Filter})
	e.srv.Seed(token, fake.Hook{Name: owner, TargetURL: "https://x.example/", Resource: "messages", Event: "created"})
	e.srv.Seed(token, fake.Hook{Name: "team-a/other", TargetURL: "https://x.example/", Resource: "messages", Event: "created", Filter: spec.Filter})
	e.srv.Seed("another-user", fake.Hook{Name: owner, TargetURL: "https://x.example/", Resource: "messages", Event: "created", Filter: spec.Filter})
	e.srv.SetPageSize(2)

	found, err := testutil.Candidates(context.Background(), e.prov, newRequest())
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(found) != 1 || found[0].ID != match.ID {
		t.Fatalf("Find returned %d remotes %+v, want only %s", len(found), found, match.ID)
	}
	if d := e.prov.Diff(newRequest(), found[0]); d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, []string{"targetUrl"}) {
		t.Errorf("Diff of the found webhook = %+v, want Update of targetUrl", d)
	}
}

func TestFindOrgOwnedAsksForOrgHooks(t *testing.T) {
	e := newEnv(t)
	req := newRequest(func(r *providers.Request) {
		r.Spec.Webex.Name = "org-wide"
		r.Spec.Webex.OwnedBy = hooksv1alpha1.WebexOwnedByOrg
	})
	org := e.srv.Seed(token, fake.Hook{Name: "org-wide", TargetURL: "https://x.example/", Resource: "messages",
		Event: "created", Filter: req.Spec.Webex.Filter, OwnedBy: "org"})
	found, err := testutil.Candidates(context.Background(), e.prov, req)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(found) != 1 || found[0].ID != org.ID {
		t.Errorf("Find = %+v, want %s", found, org.ID)
	}
	if u := e.rec.Last(t, "").URL; !strings.Contains(u, "ownedBy=org") {
		t.Errorf("list URL %s lacks ownedBy=org", u)
	}
}

func TestDiff(t *testing.T) {
	base := func() *webex.Webhook {
		spec := newRequest().Spec
		return &webex.Webhook{ID: "id", Name: owner, TargetURL: spec.TargetURL, Resource: "messages", Event: "created",
			Filter: spec.Webex.Filter, OwnedBy: "creator", Secret: "whatever", Status: "active"}
	}
	tests := []struct {
		name       string
		remote     func(w *webex.Webhook)
		req        func(r *providers.Request)
		wantAction providers.Action
		wantFields []string
	}{
		{name: "identical", wantAction: providers.ActionNone},
		{name: "secret and status are not compared", remote: func(w *webex.Webhook) { w.Secret = "x"; w.Status = "inactive" },
			wantAction: providers.ActionNone},
		{name: "empty ownedBy means creator", remote: func(w *webex.Webhook) { w.OwnedBy = "" },
			req: func(r *providers.Request) { r.Spec.Webex.OwnedBy = "" }, wantAction: providers.ActionNone},
		{name: "target url", remote: func(w *webex.Webhook) { w.TargetURL = "https://old.example/" },
			wantAction: providers.ActionUpdate, wantFields: []string{"targetUrl"}},
		{name: "explicit name", req: func(r *providers.Request) { r.Spec.Webex.Name = "custom" },
			wantAction: providers.ActionUpdate, wantFields: []string{"webex.name"}},
		{name: "resource", remote: func(w *webex.Webhook) { w.Resource = "rooms" },
			wantAction: providers.ActionReplace, wantFields: []string{"webex.resource"}},
		{name: "event", remote: func(w *webex.Webhook) { w.Event = "all" },
			wantAction: providers.ActionReplace, wantFields: []string{"webex.event"}},
		{name: "filter removed", req: func(r *providers.Request) { r.Spec.Webex.Filter = "" },
			wantAction: providers.ActionReplace, wantFields: []string{"webex.filter"}},
		{name: "owned by org", remote: func(w *webex.Webhook) { w.OwnedBy = "org" },
			wantAction: providers.ActionReplace, wantFields: []string{"webex.ownedBy"}},
		{name: "update and replace together", remote: func(w *webex.Webhook) { w.Name = "old"; w.Event = "deleted" },
			wantAction: providers.ActionReplace, wantFields: []string{"webex.name", "webex.event"}},
	}
	p := webex.New(webex.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := base()
			if tt.remote != nil {
				tt.remote(w)
			}
			req := newRequest()
			if tt.req != nil {
				tt.req(req)
			}
			d := p.Diff(req, &providers.Remote{ID: w.ID, Object: w})
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
		{name: "host filter with org", mutate: func(r *providers.Request) {
			r.Spec.Webex.Filter = "hostEmail=a@example.com"
			r.Spec.Webex.OwnedBy = hooksv1alpha1.WebexOwnedByOrg
		}},
		{name: "no webex block", mutate: func(r *providers.Request) { r.Spec.Webex = nil }, wantField: "webex"},
		{name: "name too long", mutate: func(r *providers.Request) { r.Spec.Webex.Name = strings.Repeat("n", 257) },
			wantField: "webex.name"},
		{name: "name at the limit", mutate: func(r *providers.Request) { r.Spec.Webex.Name = strings.Repeat("é", 256) }},
		{name: "default name too long", mutate: func(r *providers.Request) { r.Owner = "ns/" + strings.Repeat("n", 254) },
			wantField: "webex.name"},
		{name: "owner filter without org", mutate: func(r *providers.Request) { r.Spec.Webex.Filter = "roomId=1&ownerId=x" },
			wantField: "webex.filter"},
		{name: "hostUserId filter as creator", mutate: func(r *providers.Request) { r.Spec.Webex.Filter = "hostUserId=x" },
			wantField: "webex.filter"},
	}
	p := webex.New(webex.Options{})
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
			if pe.Kind != providers.KindInvalid || pe.Field != tt.wantField {
				t.Errorf("Validate = kind %v field %q, want Invalid %q", pe.Kind, pe.Field, tt.wantField)
			}
		})
	}
}

func TestGetEmptyIDIsNotFound(t *testing.T) {
	e := newEnv(t)
	if _, err := e.prov.Get(context.Background(), newRequest(), ""); !providers.IsNotFound(err) {
		t.Errorf("Get(\"\") = %v, want NotFound", err)
	}
	if e.srv.RequestsTotal() != 0 {
		t.Error("Get with an empty id made a request")
	}
}

func TestScope(t *testing.T) {
	const base = "https://webex.example/v1"
	p := webex.New(webex.Options{BaseURL: base + "/"})
	byOwner := func(ownedBy hooksv1alpha1.WebexOwnedBy) func(*providers.Request) {
		return func(r *providers.Request) { r.Spec.Webex.OwnedBy = ownedBy }
	}
	creator := p.Scope(newRequest(byOwner(hooksv1alpha1.WebexOwnedByCreator)))
	if creator != base+"/webhooks" {
		t.Errorf("creator scope = %q, want the list URL %s/webhooks", creator, base)
	}
	if unset := p.Scope(newRequest(byOwner(""))); unset != creator {
		t.Errorf("an unset ownedBy has the scope %q, want the creator's %q", unset, creator)
	}
	org := p.Scope(newRequest(byOwner(hooksv1alpha1.WebexOwnedByOrg)))
	if org != base+"/webhooks?ownedBy=org" {
		t.Errorf("org scope = %q, want the org list URL", org)
	}
	other := p.Scope(newRequest(func(r *providers.Request) {
		r.Owner, r.Spec.TargetURL, r.Spec.Webex.Name = "team-b/else", "https://else.example/", "renamed"
		r.Spec.Webex.Resource, r.Spec.Webex.Event, r.Spec.Webex.Filter = "rooms", "updated", ""
	}))
	if other != creator {
		t.Errorf("a webhook of another resource has the scope %q, want %q: the list is the same", other, creator)
	}
	for _, s := range []string{creator, org} {
		if strings.Contains(s, token) || strings.Contains(s, secret) {
			t.Errorf("scope %q holds a credential", s)
		}
	}
}

func TestListOrgOwnedAsksForOrgHooks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	creatorReq := newRequest()
	orgReq := newRequest(func(r *providers.Request) {
		r.Spec.Webex.Name = "org-wide"
		r.Spec.Webex.OwnedBy = hooksv1alpha1.WebexOwnedByOrg
	})
	mine := e.srv.Seed(token, fake.Hook{Name: owner, TargetURL: "https://x.example/", Resource: "messages",
		Event: "created", Filter: creatorReq.Spec.Webex.Filter})
	org := e.srv.Seed(token, fake.Hook{Name: "org-wide", TargetURL: "https://x.example/", Resource: "messages",
		Event: "created", Filter: orgReq.Spec.Webex.Filter, OwnedBy: "org"})
	e.srv.SetPageSize(1)

	listed, err := e.prov.List(ctx, orgReq)
	if err != nil {
		t.Fatalf("List for an org-owned spec: %v", err)
	}
	if len(listed) != 1 || listed[0].ID != org.ID {
		t.Errorf("List for an org-owned spec = %+v, want only the org webhook %s", listed, org.ID)
	}
	for _, s := range e.rec.All() {
		if !strings.Contains(s.URL, "ownedBy=org") {
			t.Errorf("list request %s lacks ownedBy=org", s.URL)
		}
	}

	e.rec.Reset()
	listed, err = e.prov.List(ctx, creatorReq)
	if err != nil {
		t.Fatalf("List for a creator-owned spec: %v", err)
	}
	var ids []string
	for _, r := range listed {
		ids = append(ids, r.ID)
	}
	// The token's own list holds both here; Matches keeps the creator's for a creator spec.
	if !slices.Equal(ids, []string{mine.ID, org.ID}) {
		t.Errorf("List for a creator-owned spec = %v, want %v over two pages", ids, []string{mine.ID, org.ID})
	}
	if n := len(e.rec.All()); n != 2 {
		t.Errorf("%d list requests for two webhooks on pages of one, want 2", n)
	}
	for _, s := range e.rec.All() {
		if strings.Contains(s.URL, "ownedBy") {
			t.Errorf("list request %s names ownedBy for a creator-owned spec", s.URL)
		}
	}
	for _, r := range listed {
		if want := r.ID == mine.ID; e.prov.Matches(creatorReq, r) != want {
			t.Errorf("Matches(creator spec, %s) = %v, want %v", r.ID, !want, want)
		}
		if e.prov.Matches(orgReq, r) != (r.ID == org.ID) {
			t.Errorf("Matches(org spec, %s) = %v, want %v", r.ID, r.ID != org.ID, r.ID == org.ID)
		}
	}
}

func TestMatches(t *testing.T) {
	p := webex.New(webex.Options{})
	req := newRequest()
	spec := req.Spec.Webex
	base := webex.Webhook{ID: "w1", Name: owner, TargetURL: "https://elsewhere.example/", Resource: string(spec.Resource),
		Event: string(spec.Event), Filter: spec.Filter, OwnedBy: "creator", Status: "inactive"}
	tests := []struct {
		name   string
		change func(*webex.Webhook)
		want   bool
	}{
		{name: "same name and immutable fields, whatever the target and status", want: true},
		{name: "no ownedBy reads as creator", change: func(w *webex.Webhook) { w.OwnedBy = "" }, want: true},
		{name: "another name", change: func(w *webex.Webhook) { w.Name = "team-a/other" }},
		{name: "another resource", change: func(w *webex.Webhook) { w.Resource = "rooms" }},
		{name: "another event", change: func(w *webex.Webhook) { w.Event = "deleted" }},
		{name: "another filter", change: func(w *webex.Webhook) { w.Filter = "" }},
		{name: "org-owned", change: func(w *webex.Webhook) { w.OwnedBy = "org" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := base
			if tt.change != nil {
				tt.change(&w)
			}
			if got := p.Matches(req, &providers.Remote{ID: w.ID, Object: &w}); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
	if p.Matches(req, &providers.Remote{ID: "w1"}) || p.Matches(req, nil) {
		t.Error("Matches without a wire object is true")
	}
	if p.Matches(&providers.Request{Owner: owner, Spec: &hooksv1alpha1.WebhookSpec{}}, &providers.Remote{ID: "w1", Object: &base}) {
		t.Error("Matches without a webex block is true")
	}
}
