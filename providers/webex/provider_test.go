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
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/testutil"
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
	if auth := e.rec.last(t).Auth; auth != "Bearer "+token {
		t.Errorf("Authorization = %q, want the trimmed bearer token", auth)
	}
	stored, ok := e.srv.Hook(created.ID)
	if !ok {
		t.Fatalf("fake has no hook %s", created.ID)
	}
	if stored.Name != owner || stored.Secret != secret || stored.OwnedBy != "creator" || stored.Filter != req.Spec.Webex.Filter {
		t.Errorf("stored hook = %+v, want name %q, the secret, creator, the filter", stored, owner)
	}
	if _, ok := e.rec.last(t).Body["ownedBy"]; ok {
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
	body := e.rec.last(t).Body
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
			if got := e.rec.last(t).Body["status"]; got != tt.wantStatus {
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

	found, err := e.prov.Find(context.Background(), newRequest())
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
	found, err := e.prov.Find(context.Background(), req)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(found) != 1 || found[0].ID != org.ID {
		t.Errorf("Find = %+v, want %s", found, org.ID)
	}
	if u := e.rec.last(t).URL; !strings.Contains(u, "ownedBy=org") {
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
