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
	"slices"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	"github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
)

// TestListKeepsSlimHooks checks that a listed Remote keeps only what Diff, Matches, Update and
// SpecOf read (the controller keeps every listed Remote in its account snapshot), and that Diff
// and Update still work from it.
func TestListKeepsSlimHooks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := newRequest(func(r *providers.Request) {
		r.Spec.Autodesk.Filter = "$[?(@.ext=='txt')]"
		r.Spec.Autodesk.HookAttribute = attr(`{"team":"a"}`)
		r.Spec.Autodesk.AutoReactivateHook = ptr(true)
	})
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	// APS fills in the tenant with the scope's URN.
	e.srv.UpdateOutOfBand(created.ID, func(h *fake.Hook) { h.Tenant = folder })
	stored, _ := e.srv.Hook(created.ID)
	if stored.CreatedBy == "" || stored.CreatorType == "" || stored.LastUpdatedDate == "" || stored.URN == "" || stored.Self == "" {
		t.Fatalf("the fake stored %+v, want createdBy, creatorType, lastUpdatedDate, urn and __self__ to prove their absence below", stored)
	}
	listed, err := e.prov.List(ctx, req)
	if err != nil || len(listed) != 1 {
		t.Fatalf("List = %v, %v; want one remote", listed, err)
	}
	l := listed[0]
	h := hookOf(t, l)
	if h.CreatedBy != "" || h.CreatorType != "" || h.LastUpdatedDate != "" || h.URN != "" || h.Self != "" || h.CreatedDate != "" {
		t.Errorf("listed hook keeps fields nothing reads: %+v", *h)
	}
	if h.HookID != created.ID || h.CallbackURL != target || h.System != "data" || h.Event != "dm.version.added" || h.Region != "US" ||
		!maps.Equal(h.Scope, autodesk.Scope{"folder": folder}) || h.Tenant != folder || h.Filter != req.Spec.Autodesk.Filter ||
		string(h.HookAttribute) != `{"team":"a"}` || !bool(h.AutoReactivateHook) || h.Status != "active" {
		t.Errorf("listed hook = %+v, want every field Diff, Matches and SpecOf read", *h)
	}
	if l.Created == nil || !l.SelfReactivating {
		t.Errorf("listed remote = %+v, want the creation time parsed and self-reactivating", l)
	}

	if d := e.prov.Diff(req, l); d.Action != providers.ActionNone {
		t.Errorf("Diff with the creating request = %v %v, want None", d.Action, d.Fields)
	}
	if !e.prov.Matches(req, l) {
		t.Error("Matches with the creating request = false")
	}
	if spec, _, ok := e.prov.SpecOf(req, l); !ok || spec.Autodesk.Filter != req.Spec.Autodesk.Filter || spec.Autodesk.System != "data" {
		t.Errorf("SpecOf = %+v %v, want the filter and the system", spec, ok)
	}
	moved := newRequest(func(r *providers.Request) { r.Spec.TargetURL = target + "/moved" })
	if d := e.prov.Diff(moved, l); d.Action != providers.ActionReplace || !slices.Contains(d.Fields, "targetUrl") {
		t.Errorf("Diff with a new target URL = %v %v, want Replace with targetUrl", d.Action, d.Fields)
	}
	refiltered := newRequest(func(r *providers.Request) {
		r.Spec.Autodesk.Filter = "$[?(@.ext=='dwg')]"
		r.Spec.Autodesk.HookAttribute = attr(`{"team":"a"}`)
		r.Spec.Autodesk.AutoReactivateHook = ptr(true)
	})
	if d := e.prov.Diff(refiltered, l); d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, []string{"autodesk.filter"}) {
		t.Errorf("Diff with another filter = %v %v, want Update autodesk.filter", d.Action, d.Fields)
	}
	updated, err := e.prov.Update(ctx, refiltered, l)
	if err != nil {
		t.Fatalf("Update from the listed remote: %v", err)
	}
	if d := e.prov.Diff(refiltered, updated); d.Action != providers.ActionNone {
		t.Errorf("Diff after Update = %v %v, want None", d.Action, d.Fields)
	}
	if u := hookOf(t, updated); u.CreatedBy != "" || u.URN != "" || u.Self != "" {
		t.Errorf("Update returned %+v, want the slim hook", *u)
	}
}
