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
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/webex"
)

// TestListKeepsSlimObjects checks that a listed Remote keeps only what Diff, Matches, Update and
// SpecOf read (the controller keeps every listed Remote in its account snapshot), and that Diff
// and Update still work from it.
func TestListKeepsSlimObjects(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := newRequest()
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	stored, _ := e.srv.Hook(created.ID)
	if stored.OrgID == "" || stored.CreatedBy == "" || stored.AppID == "" || stored.Created == "" {
		t.Fatalf("the fake stored %+v, want orgId, createdBy, appId and created to prove their absence below", stored)
	}
	listed, err := e.prov.List(ctx, req)
	if err != nil || len(listed) != 1 {
		t.Fatalf("List = %v, %v; want one remote", listed, err)
	}
	for _, r := range []*providers.Remote{created, listed[0]} {
		w := r.Object.(*webex.Webhook)
		want := webex.Webhook{ID: created.ID, Name: owner, TargetURL: req.Spec.TargetURL, Resource: "messages", Event: "created",
			Filter: req.Spec.Webex.Filter, Secret: "***", Status: "active", OwnedBy: "creator"}
		if *w != want {
			t.Errorf("Remote.Object = %+v, want only the read fields, the secret masked: %+v", *w, want)
		}
		if r.Created == nil {
			t.Error("Remote.Created is nil: the creation time must still be parsed before it is dropped")
		}
	}

	l := listed[0]
	if d := e.prov.Diff(req, l); d.Action != providers.ActionNone {
		t.Errorf("Diff with the creating request = %v %v, want None", d.Action, d.Fields)
	}
	if !e.prov.Matches(req, l) {
		t.Error("Matches with the creating request = false")
	}
	if spec, secrets, ok := e.prov.SpecOf(req, l); !ok || spec.TargetURL != req.Spec.TargetURL || !slices.Equal(secrets, []string{webex.SecretRefPath}) {
		t.Errorf("SpecOf = %+v %v %v, want the target URL and the secret reference", spec, secrets, ok)
	}
	moved := newRequest(func(r *providers.Request) { r.Spec.TargetURL = "https://hooks.example.com/moved" })
	if d := e.prov.Diff(moved, l); d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, []string{"targetUrl"}) {
		t.Errorf("Diff with a new target URL = %v %v, want Update targetUrl", d.Action, d.Fields)
	}
	other := newRequest(func(r *providers.Request) { r.Spec.Webex.Event = "deleted" })
	if d := e.prov.Diff(other, l); d.Action != providers.ActionReplace || !slices.Equal(d.Fields, []string{"webex.event"}) {
		t.Errorf("Diff with another event = %v %v, want Replace webex.event", d.Action, d.Fields)
	}
	updated, err := e.prov.Update(ctx, moved, l)
	if err != nil {
		t.Fatalf("Update from the listed remote: %v", err)
	}
	if d := e.prov.Diff(moved, updated); d.Action != providers.ActionNone {
		t.Errorf("Diff after Update = %v %v, want None", d.Action, d.Fields)
	}
	if w := updated.Object.(*webex.Webhook); w.OrgID != "" || w.CreatedBy != "" || w.AppID != "" || w.Created != "" {
		t.Errorf("Update returned %+v, want the slim object", *w)
	}
}
