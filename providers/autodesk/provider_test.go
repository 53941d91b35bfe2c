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
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	"github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
)

func TestCapabilities(t *testing.T) {
	c := autodesk.New(autodesk.Options{}).Capabilities()
	if !c.CanDeactivate || !c.UniqueNaturalKey {
		t.Errorf("Capabilities = %+v, want CanDeactivate and UniqueNaturalKey", c)
	}
}

func TestRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := roundTripRequest()

	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	checkRoundTripCreated(t, e, req, created)
	got := checkRoundTripGet(t, e, req, created)
	checkRoundTripUpdate(t, e, req, got)
	checkRoundTripDelete(t, e, req, created)
}

// roundTripRequest is TestRoundTrip's request: in EMEA, with every optional field of the hook set.
func roundTripRequest() *providers.Request {
	expiry := metav1.NewTime(time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC))
	return newRequest(func(r *providers.Request) {
		a := r.Spec.Autodesk
		a.Region = "EMEA"
		a.HookAttribute = attr(`{ "team": "a", "n": 33, "nested": {"ok": true} }`)
		a.Filter = "$[?(@.ext=='txt')]"
		a.HubID, a.ProjectID, a.Tenant = "b.hub-1", "b.project-1", "urn:tenant-1"
		a.AutoReactivateHook = ptr(true)
		a.HookExpiry = &expiry
		a.CallbackWithEventPayloadOnly = ptr(true)
	})
}

// checkRoundTripCreated checks Create's remote, the requests Create sent (one POST with every
// field, one PATCH with the token, all to EMEA, no GET) and the hook the fake stores.
func checkRoundTripCreated(t *testing.T, e *env, req *providers.Request, created *providers.Remote) {
	t.Helper()
	stored, ok := e.srv.Hook(created.ID)
	if !ok {
		t.Fatalf("the fake has no hook %s", created.ID)
	}
	// Create does not read the hook back: its remote is built from the request, so it carries no
	// creation time (the controller records its own) but must already agree with the spec.
	if created.State != "active" || !created.Active || !created.SelfReactivating || created.Created != nil {
		t.Fatalf("created remote = %+v, want active, self-reactivating, without a creation time", created)
	}
	if d := e.prov.Diff(req, created); d.Action != providers.ActionNone {
		t.Errorf("Diff of Create's remote = %v %v, want None", d.Action, d.Fields)
	}
	if !e.prov.Matches(req, created) {
		t.Errorf("Matches(req, Create's remote %+v) = false", hookOf(t, created))
	}
	if gets := e.rec.Find(http.MethodGet, "/hooks/"+created.ID); len(gets) != 0 {
		t.Errorf("Create read the hook back %d times, want never", len(gets))
	}
	posts := e.rec.Find(http.MethodPost, "/systems/data/events/dm.version.added/hooks")
	if len(posts) != 1 {
		t.Fatalf("%d create requests, want 1", len(posts))
	}
	wantBody := map[string]any{
		"callbackUrl": target, "scope": map[string]any{"folder": folder},
		"hookAttribute": map[string]any{"team": "a", "n": 33.0, "nested": map[string]any{"ok": true}},
		"filter":        "$[?(@.ext=='txt')]", "hubId": "b.hub-1", "projectId": "b.project-1", "tenant": "urn:tenant-1",
		"autoReactivateHook": true, "hookExpiry": "2031-05-06T07:08:09.000Z", "callbackWithEventPayloadOnly": true,
	}
	if !reflect.DeepEqual(posts[0].Object(), wantBody) {
		t.Errorf("create body\n got %v\nwant %v", posts[0].Object(), wantBody)
	}
	// The token is not part of HookPayload: it follows in a PATCH, alone since the hook is enabled.
	patches := e.rec.Find(http.MethodPatch, "/hooks/"+created.ID)
	if len(patches) != 1 || !reflect.DeepEqual(patches[0].Object(), map[string]any{"token": signing}) {
		t.Errorf("after create: PATCHes %+v, want one carrying only the token", patches)
	}
	for _, s := range api(e.rec) {
		if s.Header.Get("x-ads-region") != "EMEA" {
			t.Errorf("%s %s sent x-ads-region %q, want EMEA", s.Method, s.Path, s.Header.Get("x-ads-region"))
		}
	}
	if stored.Token != signing || stored.Region != "EMEA" || stored.Status != "active" {
		t.Errorf("stored hook = %+v, want the signing token, EMEA, active", stored)
	}
}

// checkRoundTripGet reads the created hook back, checks it is active with the fake's creation time
// and agrees with req, and returns it.
func checkRoundTripGet(t *testing.T, e *env, req *providers.Request, created *providers.Remote) *providers.Remote {
	t.Helper()
	stored, _ := e.srv.Hook(created.ID)
	got, err := e.prov.Get(context.Background(), req, created.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.ID != created.ID || got.State != "active" || !got.Active || got.Created == nil {
		t.Fatalf("Get after create = %+v, want %s active with a creation time", got, created.ID)
	}
	want, err := time.Parse("2006-01-02T15:04:05.000-0700", stored.CreatedDate)
	if err != nil {
		t.Fatalf("the fake's createdDate %q: %v", stored.CreatedDate, err)
	}
	if !got.Created.Equal(want) {
		t.Errorf("Created = %v, want the fake's createdDate %s", got.Created, stored.CreatedDate)
	}
	if d := e.prov.Diff(req, got); d.Action != providers.ActionNone {
		t.Errorf("Diff right after create = %v %v, want None", d.Action, d.Fields)
	}
	return got
}

// checkRoundTripUpdate clears the optional fields of req and rotates the token, and checks the
// Diff, the Update and what the fake then holds.
func checkRoundTripUpdate(t *testing.T, e *env, req *providers.Request, got *providers.Remote) {
	t.Helper()
	changed := newRequest(func(r *providers.Request) {
		*r.Spec.Autodesk = *req.Spec.Autodesk
		r.Spec.Autodesk.Filter = ""
		r.Spec.Autodesk.HookAttribute = nil
		r.Spec.Autodesk.HookExpiry = nil
		r.Spec.Autodesk.AutoReactivateHook = ptr(false)
		r.Spec.Autodesk.CallbackWithEventPayloadOnly = nil
		r.Secrets[autodesk.SecretRefPath] = "rotated-signing-1"
	})
	d := e.prov.Diff(changed, got)
	wantFields := []string{"autodesk.filter", "autodesk.hookAttribute", "autodesk.autoReactivateHook",
		"autodesk.hookExpiry", "autodesk.callbackWithEventPayloadOnly"}
	if d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, wantFields) {
		t.Fatalf("Diff = %v %v, want Update %v", d.Action, d.Fields, wantFields)
	}
	updated, err := e.prov.Update(context.Background(), changed, got)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if updated.ID != got.ID {
		t.Errorf("Update changed the id from %s to %s", got.ID, updated.ID)
	}
	if d := e.prov.Diff(changed, updated); d.Action != providers.ActionNone {
		t.Errorf("Diff after Update = %v %v, want None", d.Action, d.Fields)
	}
	stored, _ := e.srv.Hook(got.ID)
	if stored.Filter != "" || stored.HookAttribute != nil || stored.HookExpiry != "" || stored.AutoReactivateHook ||
		stored.CallbackWithEventPayloadOnly != "false" || stored.Token != "rotated-signing-1" {
		t.Errorf("after update the fake holds %+v", stored)
	}
}

// checkRoundTripDelete deletes the hook, twice, and checks it is gone.
func checkRoundTripDelete(t *testing.T, e *env, req *providers.Request, created *providers.Remote) {
	t.Helper()
	ctx := context.Background()
	if err := e.prov.Delete(ctx, req, created.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := e.prov.Get(ctx, req, created.ID); !providers.IsNotFound(err) {
		t.Errorf("Get after delete = %v, want NotFound", err)
	}
	if err := e.prov.Delete(ctx, req, created.ID); err != nil {
		t.Errorf("second Delete = %v, want nil (already gone is success)", err)
	}
	if n := len(e.srv.Hooks(clientID)); n != 0 {
		t.Errorf("the fake still holds %d hooks", n)
	}
}

func TestCreateAppliesStatusAndTokenAfterwards(t *testing.T) {
	tests := []struct {
		name       string
		enabled    bool
		secret     string
		wantPatch  map[string]any
		wantState  string
		wantActive bool
	}{
		{name: "enabled without token: no PATCH", enabled: true, wantState: "active", wantActive: true},
		{name: "enabled with token", enabled: true, secret: signing, wantPatch: map[string]any{"token": signing},
			wantState: "active", wantActive: true},
		{name: "disabled without token", enabled: false, wantPatch: map[string]any{"status": "inactive"},
			wantState: "inactive", wantActive: false},
		{name: "disabled with token: one PATCH", enabled: false, secret: signing,
			wantPatch: map[string]any{"status": "inactive", "token": signing}, wantState: "inactive", wantActive: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			req := newRequest(func(r *providers.Request) {
				r.Spec.Enabled = ptr(tt.enabled)
				r.Secrets = map[string]string{}
				if tt.secret != "" {
					r.Secrets[autodesk.SecretRefPath] = tt.secret
				}
			})
			created, err := e.prov.Create(context.Background(), req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			patches := e.rec.Find(http.MethodPatch, "/hooks/"+created.ID)
			switch {
			case tt.wantPatch == nil && len(patches) != 0:
				t.Errorf("PATCHes %+v, want none", patches)
			case tt.wantPatch != nil && (len(patches) != 1 || !reflect.DeepEqual(patches[0].Object(), tt.wantPatch)):
				t.Errorf("PATCHes %+v, want one with %v", patches, tt.wantPatch)
			}
			if created.State != tt.wantState || created.Active != tt.wantActive {
				t.Errorf("created remote state %q active %v, want %q %v", created.State, created.Active, tt.wantState, tt.wantActive)
			}
			if d := e.prov.Diff(req, created); d.Action != providers.ActionNone {
				t.Errorf("Diff = %v %v, want None", d.Action, d.Fields)
			}
		})
	}
}

// createdRemoteExpiry is a hookExpiry not in UTC, and with a fraction of a second, which APS's
// hookExpiry does not keep.
var createdRemoteExpiry = metav1.NewTime(time.Date(2032, 11, 12, 13, 14, 15, 250e6, time.FixedZone("x", -5*3600)))

// createdRemoteCase is a spec, by its mutation of newRequest's, and the state Create should report.
type createdRemoteCase struct {
	name       string
	mutate     func(r *providers.Request)
	wantState  string
	wantActive bool
	wantSelf   bool
}

// createdRemoteCases are the specs of TestCreatedRemoteAgreesWithTheSpec: every optional field
// set, disabled and enabled, and every optional field at its empty value.
var createdRemoteCases = []createdRemoteCase{
	{name: "every optional field, disabled", mutate: func(r *providers.Request) {
		a := r.Spec.Autodesk
		r.Spec.Enabled = ptr(false)
		a.Region = "EMEA"
		a.Scope = map[string]string{"folder": folder, "project": "b.project-9"}
		a.Filter = "$[?(@.ext=='rvt' || @.ext=='dwg')]"
		a.HookAttribute = attr(`{ "team": "b", "n": 7, "list": [1, "two", null], "nested": {"z": false, "a": {}} }`)
		a.HookExpiry = &createdRemoteExpiry
		a.AutoReactivateHook = ptr(true)
		a.CallbackWithEventPayloadOnly = ptr(true)
		a.Tenant, a.HubID, a.ProjectID = "urn:tenant-9", "b.hub-9", "b.project-9"
	}, wantState: autodesk.StatusInactive, wantSelf: true},
	{name: "every optional field, enabled, no token", mutate: func(r *providers.Request) {
		a := r.Spec.Autodesk
		r.Spec.Enabled = ptr(true)
		a.Region = "JPN"
		a.Filter = "$[?(@.ext=='txt')]"
		a.HookAttribute = attr(`{"k":"v"}`)
		a.HookExpiry = &createdRemoteExpiry
		a.AutoReactivateHook = ptr(true)
		a.CallbackWithEventPayloadOnly = ptr(true)
		a.Tenant, a.HubID, a.ProjectID = "urn:tenant-8", "b.hub-8", "b.project-8"
		r.Secrets = nil
	}, wantState: autodesk.StatusActive, wantActive: true, wantSelf: true},
	{name: "optional fields at their empty values", mutate: func(r *providers.Request) {
		a := r.Spec.Autodesk
		r.Spec.Enabled = ptr(true)
		a.HookAttribute = attr(`{}`)
		a.AutoReactivateHook = ptr(false)
		a.CallbackWithEventPayloadOnly = ptr(false)
	}, wantState: autodesk.StatusActive, wantActive: true},
}

// TestCreatedRemoteAgreesWithTheSpec checks the remote Create builds without reading the hook
// back: given to Diff with the request that made it, it must ask for nothing, whatever optional
// field the spec uses, and it must describe the hook as a later Get reads it.
func TestCreatedRemoteAgreesWithTheSpec(t *testing.T) {
	for _, tt := range createdRemoteCases {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			req := newRequest(tt.mutate)
			if err := e.prov.Validate(req); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			created, err := e.prov.Create(context.Background(), req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			checkCreatedRemote(t, e, req, created, tt)
			checkCreatedRemoteAgreesWithGet(t, e, req, created)
		})
	}
}

// checkCreatedRemote checks the remote Create returned: the state tt wants, no creation time,
// no difference from req, and no read of the hook back.
func checkCreatedRemote(t *testing.T, e *env, req *providers.Request, created *providers.Remote, tt createdRemoteCase) {
	t.Helper()
	if _, ok := e.srv.Hook(created.ID); !ok {
		t.Fatalf("the fake has no hook %s", created.ID)
	}
	if created.State != tt.wantState || created.Active != tt.wantActive || created.SelfReactivating != tt.wantSelf ||
		created.Created != nil {
		t.Errorf("created remote = %+v, want state %q, active %v, self-reactivating %v, no creation time",
			created, tt.wantState, tt.wantActive, tt.wantSelf)
	}
	if d := e.prov.Diff(req, created); d.Action != providers.ActionNone || len(d.Fields) != 0 {
		t.Errorf("Diff of Create's remote with the same request = %v %v, want None", d.Action, d.Fields)
	}
	if !e.prov.Matches(req, created) {
		t.Errorf("Matches(req, Create's remote) = false")
	}
	if gets := e.rec.Find(http.MethodGet, "/hooks/"+created.ID); len(gets) != 0 {
		t.Errorf("Create read the hook back %d times, want never", len(gets))
	}
}

// checkCreatedRemoteAgreesWithGet checks that what APS holds, as Get reads it, is what Create
// described.
func checkCreatedRemoteAgreesWithGet(t *testing.T, e *env, req *providers.Request, created *providers.Remote) {
	t.Helper()
	got, err := e.prov.Get(context.Background(), req, created.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.Created == nil {
		t.Errorf("Get returned no creation time: %+v", got)
	}
	if got.ID != created.ID || got.State != created.State || got.Active != created.Active ||
		got.SelfReactivating != created.SelfReactivating {
		t.Errorf("Get = %+v, Create said %+v", got, created)
	}
	if d := e.prov.Diff(req, got); d.Action != providers.ActionNone {
		t.Errorf("Diff of the hook read back = %v %v, want None", d.Action, d.Fields)
	}
	c, g := hookOf(t, created), hookOf(t, got)
	if c.HookID != g.HookID || c.CallbackURL != g.CallbackURL || c.Region != g.Region || c.System != g.System ||
		c.Event != g.Event || c.Status != g.Status || !maps.Equal(c.Scope, g.Scope) || c.Filter != g.Filter ||
		c.HubID != g.HubID || c.ProjectID != g.ProjectID || c.AutoReactivateHook != g.AutoReactivateHook ||
		c.CallbackWithEventPayloadOnly != g.CallbackWithEventPayloadOnly {
		t.Errorf("Create's hook\n %+v\nGet's hook\n %+v", c, g)
	}
	if req.Spec.Autodesk.Tenant != "" && c.Tenant != g.Tenant {
		t.Errorf("tenant %q, Get read %q", c.Tenant, g.Tenant)
	}
	if !sameJSON(t, c.HookAttribute, g.HookAttribute) {
		t.Errorf("hookAttribute %s, Get read %s", c.HookAttribute, g.HookAttribute)
	}
	if ce, ge := expiryOf(t, c.HookExpiry), expiryOf(t, g.HookExpiry); !ce.Equal(ge) {
		t.Errorf("hookExpiry %q, Get read %q", c.HookExpiry, g.HookExpiry)
	}
}

// sameJSON compares two JSON values, absent and {} both standing for none.
func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	decode := func(raw json.RawMessage) any {
		if len(raw) == 0 {
			return nil
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("unreadable JSON %s: %v", raw, err)
		}
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			return nil
		}
		return v
	}
	return reflect.DeepEqual(decode(a), decode(b))
}

// expiryOf reads a hookExpiry, the zero time when there is none.
func expiryOf(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v
		}
	}
	t.Fatalf("unreadable hookExpiry %q", s)
	return time.Time{}
}

func TestCreateReadsTheIDFromLocation(t *testing.T) {
	for _, relative := range []bool{false, true} {
		e := newEnv(t)
		e.srv.SetRelativeLocation(relative)
		created, err := e.prov.Create(context.Background(), newRequest())
		if err != nil {
			t.Fatalf("relative=%v: Create: %v", relative, err)
		}
		if created.ID == "" {
			t.Fatalf("relative=%v: Create returned no id", relative)
		}
		if _, ok := e.srv.Hook(created.ID); !ok {
			t.Errorf("relative=%v: the fake has no hook %s", relative, created.ID)
		}
		hooks := e.srv.Hooks(clientID)
		if len(hooks) != 1 || created.ID != hooks[0].HookID {
			t.Errorf("relative=%v: created id %q, fake holds %+v", relative, created.ID, hooks)
		}
		// The Location names developer.api.autodesk.com (or nothing) whatever host answered: the
		// client must read the id from it, never follow it, and the hook is not read back.
		var sentReqs []string
		for _, s := range e.rec.All() {
			sentReqs = append(sentReqs, s.Method+" "+s.Path)
		}
		wantReqs := []string{"POST /authentication/v2/token", "POST " + eventPath, "PATCH " + eventPath + "/" + created.ID}
		if !slices.Equal(sentReqs, wantReqs) {
			t.Errorf("relative=%v: requests %v, want token, POST and PATCH %v", relative, sentReqs, wantReqs)
		}
	}
}

func TestCreateConflictThenFindAdopts(t *testing.T) {
	e := newEnv(t)
	existing := e.srv.Seed(clientID, fake.Hook{CallbackURL: target, System: "data", Event: "dm.version.added",
		Scope: map[string]string{"folder": folder}})
	_, err := e.prov.Create(context.Background(), newRequest())
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindConflict || pe.StatusCode != http.StatusConflict || pe.Op != "create" {
		t.Fatalf("Create of an existing hook = %v (kind %v), want a 409 Conflict", err, pe.Kind)
	}
	found, err := autodesk.FindHooks(context.Background(), e.prov, newRequest())
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(found) != 1 || found[0].ID != existing.HookID {
		t.Fatalf("Find = %+v, want the existing hook %s", found, existing.HookID)
	}
	if n := len(e.srv.Hooks(clientID)); n != 1 {
		t.Errorf("the fake holds %d hooks, want 1", n)
	}
}

func TestFindHooksFollowsEveryPageAndMatchesCallbackAndScope(t *testing.T) {
	e := newEnv(t)
	seed := func(app string, h fake.Hook) fake.Hook {
		if h.System == "" {
			h.System = "data"
		}
		if h.Event == "" {
			h.Event = "dm.version.added"
		}
		if h.Scope == nil {
			h.Scope = map[string]string{"folder": folder}
		}
		return e.srv.Seed(app, h)
	}
	for i := range 4 {
		seed(clientID, fake.Hook{CallbackURL: target + "/other-" + string(rune('a'+i))})
	}
	match := seed(clientID, fake.Hook{CallbackURL: target})
	seed(clientID, fake.Hook{CallbackURL: target, Scope: map[string]string{"folder": folder, "extra": "x"}})
	seed(clientID, fake.Hook{CallbackURL: target, Scope: map[string]string{"folder": "urn:another"}})
	seed(clientID, fake.Hook{CallbackURL: target, Event: "dm.version.deleted"})
	seed(clientID, fake.Hook{CallbackURL: target, Region: "EMEA"})
	seed("someone-else", fake.Hook{CallbackURL: target})
	e.srv.SetPageSize(2)

	found, err := autodesk.FindHooks(context.Background(), e.prov, newRequest())
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(found) != 1 || found[0].ID != match.HookID {
		ids := []string{}
		for _, f := range found {
			ids = append(ids, f.ID)
		}
		t.Fatalf("Find = %v, want only %s", ids, match.HookID)
	}
	lists := e.rec.Find(http.MethodGet, "/systems/data/events/dm.version.added/hooks")
	// 6 hooks pass the server's scopeName filter (4 others, the match, the extra scope): 3 pages of 2.
	if len(lists) != 3 {
		t.Fatalf("%d list requests, want 3 pages", len(lists))
	}
	for i, l := range lists {
		if l.Query.Get("scopeName") != "folder" || l.Query.Get("scopeValue") != folder {
			t.Errorf("page %d query %v lacks scopeName=folder and scopeValue", i, l.Query)
		}
		if (i == 0) != (l.Query.Get("pageState") == "") {
			t.Errorf("page %d pageState %q", i, l.Query.Get("pageState"))
		}
	}
	if d := e.prov.Diff(newRequest(), found[0]); d.Action != providers.ActionNone {
		t.Errorf("Diff of the found hook = %v %v, want None", d.Action, d.Fields)
	}
}

func TestFindHooksUsesTheFirstScopeKeyInOrder(t *testing.T) {
	e := newEnv(t)
	scope := map[string]string{"workflow": "wf-1", "folder": folder, "project": "p-1"}
	req := newRequest(func(r *providers.Request) { r.Spec.Autodesk.Scope = scope })
	created, err := e.prov.Create(context.Background(), req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	found, err := autodesk.FindHooks(context.Background(), e.prov, req)
	if err != nil || len(found) != 1 || found[0].ID != created.ID {
		t.Fatalf("Find = %+v, %v; want %s", found, err, created.ID)
	}
	l := e.rec.Find(http.MethodGet, "/events/dm.version.added/hooks")
	if q := l[len(l)-1].Query; q.Get("scopeName") != "folder" || q.Get("scopeValue") != folder {
		t.Errorf("query %v, want the alphabetically first key, folder", q)
	}
}

func TestFindHooksEmptyListIs204(t *testing.T) {
	e := newEnv(t)
	found, err := autodesk.FindHooks(context.Background(), e.prov, newRequest())
	if err != nil || len(found) != 0 {
		t.Fatalf("Find on an empty app = %v, %v; want nothing", found, err)
	}
	if n := len(api(e.rec)); n != 1 {
		t.Errorf("%d API requests, want one list answered 204", n)
	}
}

func TestRegionIsolation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	us := newRequest()
	emea := newRequest(func(r *providers.Request) { r.Spec.Autodesk.Region = "EMEA" })
	inUS, err := e.prov.Create(ctx, us)
	if err != nil {
		t.Fatalf("Create in US: %v", err)
	}
	// The same callback, scope and event in another region is another hook, not a 409.
	inEMEA, err := e.prov.Create(ctx, emea)
	if err != nil {
		t.Fatalf("Create in EMEA: %v", err)
	}
	for _, tt := range []struct {
		req  *providers.Request
		want string
	}{{us, inUS.ID}, {emea, inEMEA.ID}} {
		found, err := autodesk.FindHooks(ctx, e.prov, tt.req)
		if err != nil || len(found) != 1 || found[0].ID != tt.want {
			t.Errorf("Find in %s = %+v, %v; want only %s", tt.req.Spec.Autodesk.Region, found, err, tt.want)
		}
	}
	if h, _ := e.srv.Hook(inEMEA.ID); h.Region != "EMEA" {
		t.Errorf("the EMEA hook is stored in %q", h.Region)
	}
	if h, _ := e.srv.Hook(inUS.ID); h.Region != "US" {
		t.Errorf("the default region is %q, want US", h.Region)
	}
}

func TestUpdateAcceptsPatch200And204(t *testing.T) {
	for _, code := range []int{http.StatusNoContent, http.StatusOK} {
		e := newEnv(t)
		e.srv.SetPatchStatus(code)
		req := newRequest()
		created, err := e.prov.Create(context.Background(), req)
		if err != nil {
			t.Fatalf("PATCH %d: Create: %v", code, err)
		}
		if gets := e.rec.Find(http.MethodGet, "/hooks/"+created.ID); len(gets) != 0 {
			t.Errorf("PATCH %d: Create read the hook back %d times, want never", code, len(gets))
		}
		if patches := e.rec.Find(http.MethodPatch, "/hooks/"+created.ID); len(patches) != 1 {
			t.Errorf("PATCH %d: %d PATCHes from Create, want the token's", code, len(patches))
		}
		changed := newRequest(func(r *providers.Request) { r.Spec.Autodesk.Filter = "$[?(@.ext=='rvt')]" })
		updated, err := e.prov.Update(context.Background(), changed, created)
		if err != nil {
			t.Fatalf("PATCH %d: Update: %v", code, err)
		}
		if hookOf(t, updated).Filter != "$[?(@.ext=='rvt')]" {
			t.Errorf("PATCH %d: updated remote %+v lacks the new filter", code, hookOf(t, updated))
		}
		if gets := e.rec.Find(http.MethodGet, "/hooks/"+created.ID); len(gets) != 1 {
			t.Errorf("PATCH %d: %d GETs of the hook, want only the one after update", code, len(gets))
		}
		if patches := e.rec.Find(http.MethodPatch, "/hooks/"+created.ID); len(patches) != 2 {
			t.Errorf("PATCH %d: %d PATCHes of the hook, want Create's and Update's", code, len(patches))
		}
		if d := e.prov.Diff(changed, updated); d.Action != providers.ActionNone {
			t.Errorf("PATCH %d: Diff after Update = %v %v, want None", code, d.Action, d.Fields)
		}
	}
}

func TestUpdateSendsEveryPatchableField(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *providers.Request)
		want   map[string]any
	}{
		{name: "nothing set: nulls clear, false flags, token",
			want: map[string]any{"status": "active", "filter": nil, "hookAttribute": nil, "hookExpiry": nil,
				"autoReactivateHook": false, "callbackWithEventPayloadOnly": false, "token": signing}},
		{name: "everything set, disabled, no token",
			mutate: func(r *providers.Request) {
				a := r.Spec.Autodesk
				r.Spec.Enabled = ptr(false)
				a.Filter = "$[?(@.ext=='dwg')]"
				a.HookAttribute = attr(`{"k": [1, 2]}`)
				exp := metav1.NewTime(time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)))
				a.HookExpiry = &exp
				a.AutoReactivateHook = ptr(true)
				a.CallbackWithEventPayloadOnly = ptr(true)
				r.Secrets = nil
			},
			want: map[string]any{"status": "inactive", "filter": "$[?(@.ext=='dwg')]", "hookAttribute": map[string]any{"k": []any{1.0, 2.0}},
				"hookExpiry": "2030-01-02T02:04:05.000Z", "autoReactivateHook": true, "callbackWithEventPayloadOnly": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			created, err := e.prov.Create(context.Background(), newRequest())
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			e.rec.Reset()
			req := newRequest()
			if tt.mutate != nil {
				tt.mutate(req)
			}
			updated, err := e.prov.Update(context.Background(), req, created)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			patches := e.rec.Find(http.MethodPatch, "/hooks/"+created.ID)
			if len(patches) != 1 || !reflect.DeepEqual(patches[0].Object(), tt.want) {
				t.Fatalf("PATCH bodies %+v\nwant %v", patches, tt.want)
			}
			if d := e.prov.Diff(req, updated); d.Action != providers.ActionNone {
				t.Errorf("Diff after the update = %v %v", d.Action, d.Fields)
			}
		})
	}
}

func TestUpdateReactivatesAHookAPSDisabled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := newRequest()
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	e.srv.Disable(created.ID)
	remote, err := e.prov.Get(ctx, req, created.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if remote.Active || remote.State != "inactive" {
		t.Fatalf("disabled hook read as %+v", remote)
	}
	if d := e.prov.Diff(req, remote); d.Action != providers.ActionNone {
		t.Errorf("Diff compared the status: %v %v", d.Action, d.Fields)
	}
	updated, err := e.prov.Update(ctx, req, remote)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if !updated.Active || updated.State != "active" {
		t.Errorf("after Update the hook is %+v, want active", updated)
	}
}

func TestReactivatedCountsAsActive(t *testing.T) {
	e := newEnv(t)
	h := e.srv.Seed(clientID, fake.Hook{CallbackURL: target, System: "data", Event: "dm.version.added",
		Scope: map[string]string{"folder": folder}, Status: "reactivated", AutoReactivateHook: true})
	got, err := e.prov.Get(context.Background(), newRequest(), h.HookID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !got.Active || got.State != "reactivated" {
		t.Errorf("remote = %+v, want reactivated and active", got)
	}
}

// TestLocationChangeIsAReplace changes what addresses the hook: Get must still find it so that
// Diff asks for a replace, and Delete must remove the old hook rather than call it gone.
func TestLocationChangeIsAReplace(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(r *providers.Request)
		wantField string
	}{
		{name: "event", mutate: func(r *providers.Request) { r.Spec.Autodesk.Event = "dm.version.deleted" }, wantField: "autodesk.event"},
		{name: "system", mutate: func(r *providers.Request) { r.Spec.Autodesk.System = "adsk.c4r" }, wantField: "autodesk.system"},
		{name: "region", mutate: func(r *providers.Request) { r.Spec.Autodesk.Region = "JPN" }, wantField: "autodesk.region"},
		{name: "wildcard event", mutate: func(r *providers.Request) { r.Spec.Autodesk.Event = "dm.*" }, wantField: "autodesk.event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			old, err := e.prov.Create(ctx, newRequest())
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			changed := newRequest(tt.mutate)
			got, err := e.prov.Get(ctx, changed, old.ID)
			if err != nil {
				t.Fatalf("Get under the changed spec: %v", err)
			}
			if got.ID != old.ID {
				t.Fatalf("Get returned %s, want %s", got.ID, old.ID)
			}
			d := e.prov.Diff(changed, got)
			if d.Action != providers.ActionReplace || !slices.Equal(d.Fields, []string{tt.wantField}) {
				t.Fatalf("Diff = %v %v, want Replace [%s]", d.Action, d.Fields, tt.wantField)
			}
			// The controller's replace: delete by id under the new spec, then create.
			if err := e.prov.Delete(ctx, changed, old.ID); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, ok := e.srv.Hook(old.ID); ok {
				t.Fatal("the old hook survived the replace's delete")
			}
			created, err := e.prov.Create(ctx, changed)
			if err != nil {
				t.Fatalf("Create under the changed spec: %v", err)
			}
			wantPath := "/webhooks/v1/systems/" + changed.Spec.Autodesk.System + "/events/" + changed.Spec.Autodesk.Event + "/hooks"
			if posts := e.rec.Find(http.MethodPost, wantPath); len(posts) == 0 {
				t.Errorf("no create was sent to %s, as written (a wildcard stays unescaped)", wantPath)
			}
			again, err := e.prov.Get(ctx, changed, created.ID)
			if err != nil {
				t.Fatalf("Get of the new hook: %v", err)
			}
			if d := e.prov.Diff(changed, again); d.Action != providers.ActionNone {
				t.Errorf("Diff of the new hook = %v %v", d.Action, d.Fields)
			}
		})
	}
}

func TestGetOfAHookThatIsNowhereSearchesEveryRegion(t *testing.T) {
	e := newEnv(t)
	e.srv.Seed(clientID, fake.Hook{CallbackURL: target, System: "data", Event: "dm.version.added",
		Scope: map[string]string{"folder": folder}, Region: "GBR"})
	_, err := e.prov.Get(context.Background(), newRequest(), "0f60f6a0-0000-0000-0000-000000000000")
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindNotFound || pe.StatusCode != 404 || pe.Op != "get" {
		t.Fatalf("Get of an unknown id = %v, want the 404 of the direct read", err)
	}
	var regions []string
	for _, s := range e.rec.Find(http.MethodGet, "/webhooks/v1/hooks") {
		regions = append(regions, s.Header.Get("x-ads-region"))
	}
	if !slices.Equal(regions, autodesk.Regions) {
		t.Errorf("searched regions %v, want %v (the spec's first)", regions, autodesk.Regions)
	}
}

func TestDeleteOfAHookGoneOutOfBand(t *testing.T) {
	e := newEnv(t)
	created, err := e.prov.Create(context.Background(), newRequest())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	e.srv.DeleteOutOfBand(created.ID)
	if err := e.prov.Delete(context.Background(), newRequest(), created.ID); err != nil {
		t.Errorf("Delete of a vanished hook = %v, want nil", err)
	}
}

// diffExpiry is the hookExpiry of TestDiff's cases.
var diffExpiry = metav1.NewTime(time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC))

// diffBaseHook is the hook TestDiff's cases change: the one newRequest describes.
func diffBaseHook() *autodesk.Hook {
	return &autodesk.Hook{HookID: "h", CallbackURL: target, System: "data", Event: "dm.version.added", Region: "US",
		Scope: autodesk.Scope{"folder": folder}, Status: "active", Tenant: folder,
		CallbackWithEventPayloadOnly: false}
}

// diffCase is a change to the hook or to the request, and what Diff should make of it.
type diffCase struct {
	name       string
	remote     func(h *autodesk.Hook)
	req        func(r *providers.Request)
	wantAction providers.Action
	wantFields []string
}

// diffCases are the cases of TestDiff: differences Diff ignores, then those that need an Update, then
// those that need a Replace.
var diffCases = []diffCase{
	{name: "identical", wantAction: providers.ActionNone},
	{name: "status and token are not compared", remote: func(h *autodesk.Hook) { h.Status = "inactive" },
		req: func(r *providers.Request) { r.Secrets[autodesk.SecretRefPath] = "other" }, wantAction: providers.ActionNone},
	{name: "a tenant APS filled in is not a difference", remote: func(h *autodesk.Hook) { h.Tenant = "urn:whatever" },
		wantAction: providers.ActionNone},
	{name: "system and event read from __self__", remote: func(h *autodesk.Hook) {
		h.System, h.Event = "", ""
		h.Self = "/systems/data/events/dm.version.added/hooks/h"
	}, wantAction: providers.ActionNone},
	{name: "hookAttribute in another order and spacing", remote: func(h *autodesk.Hook) {
		h.HookAttribute = json.RawMessage(`{"b":{"y":2,"x":1},"a":[1,"z"]}`)
	}, req: func(r *providers.Request) {
		r.Spec.Autodesk.HookAttribute = attr(`{ "a": [1, "z"], "b": {"x": 1, "y": 2} }`)
	},
		wantAction: providers.ActionNone},
	{name: "empty hookAttribute equals none", remote: func(h *autodesk.Hook) { h.HookAttribute = json.RawMessage(`{}`) },
		wantAction: providers.ActionNone},
	{name: "callbackWithEventPayloadOnly as the string true", remote: func(h *autodesk.Hook) { h.CallbackWithEventPayloadOnly = true },
		req: func(r *providers.Request) { r.Spec.Autodesk.CallbackWithEventPayloadOnly = ptr(true) }, wantAction: providers.ActionNone},
	{name: "hookExpiry in APS's own form", remote: func(h *autodesk.Hook) { h.HookExpiry = "2030-03-04T05:06:07.000+0000" },
		req: func(r *providers.Request) { r.Spec.Autodesk.HookExpiry = &diffExpiry }, wantAction: providers.ActionNone},
	{name: "absent flags equal false", req: func(r *providers.Request) {
		r.Spec.Autodesk.AutoReactivateHook = ptr(false)
		r.Spec.Autodesk.CallbackWithEventPayloadOnly = ptr(false)
	}, wantAction: providers.ActionNone},

	{name: "filter", req: func(r *providers.Request) { r.Spec.Autodesk.Filter = "$[?(@.ext=='txt')]" },
		wantAction: providers.ActionUpdate, wantFields: []string{"autodesk.filter"}},
	{name: "hookAttribute value", remote: func(h *autodesk.Hook) { h.HookAttribute = json.RawMessage(`{"a":1}`) },
		req:        func(r *providers.Request) { r.Spec.Autodesk.HookAttribute = attr(`{"a":2}`) },
		wantAction: providers.ActionUpdate, wantFields: []string{"autodesk.hookAttribute"}},
	{name: "hookAttribute removed", remote: func(h *autodesk.Hook) { h.HookAttribute = json.RawMessage(`{"a":1}`) },
		wantAction: providers.ActionUpdate, wantFields: []string{"autodesk.hookAttribute"}},
	{name: "autoReactivateHook", req: func(r *providers.Request) { r.Spec.Autodesk.AutoReactivateHook = ptr(true) },
		wantAction: providers.ActionUpdate, wantFields: []string{"autodesk.autoReactivateHook"}},
	{name: "hookExpiry set", req: func(r *providers.Request) { r.Spec.Autodesk.HookExpiry = &diffExpiry },
		wantAction: providers.ActionUpdate, wantFields: []string{"autodesk.hookExpiry"}},
	{name: "hookExpiry cleared", remote: func(h *autodesk.Hook) { h.HookExpiry = "2030-03-04T05:06:07.000Z" },
		wantAction: providers.ActionUpdate, wantFields: []string{"autodesk.hookExpiry"}},
	{name: "callbackWithEventPayloadOnly string false vs true", req: func(r *providers.Request) {
		r.Spec.Autodesk.CallbackWithEventPayloadOnly = ptr(true)
	}, wantAction: providers.ActionUpdate, wantFields: []string{"autodesk.callbackWithEventPayloadOnly"}},

	{name: "callback URL", req: func(r *providers.Request) { r.Spec.TargetURL = "https://elsewhere.example/" },
		wantAction: providers.ActionReplace, wantFields: []string{"targetUrl"}},
	{name: "scope value", req: func(r *providers.Request) { r.Spec.Autodesk.Scope = map[string]string{"folder": "urn:x"} },
		wantAction: providers.ActionReplace, wantFields: []string{"autodesk.scope"}},
	{name: "scope key added", req: func(r *providers.Request) { r.Spec.Autodesk.Scope["project"] = "p" },
		wantAction: providers.ActionReplace, wantFields: []string{"autodesk.scope"}},
	{name: "system", remote: func(h *autodesk.Hook) { h.System = "derivative" },
		wantAction: providers.ActionReplace, wantFields: []string{"autodesk.system"}},
	{name: "event", remote: func(h *autodesk.Hook) { h.Event = "dm.version.deleted" },
		wantAction: providers.ActionReplace, wantFields: []string{"autodesk.event"}},
	{name: "region", req: func(r *providers.Request) { r.Spec.Autodesk.Region = "EMEA" },
		wantAction: providers.ActionReplace, wantFields: []string{"autodesk.region"}},
	{name: "tenant the spec sets", req: func(r *providers.Request) { r.Spec.Autodesk.Tenant = "urn:tenant" },
		wantAction: providers.ActionReplace, wantFields: []string{"autodesk.tenant"}},
	{name: "hubId", req: func(r *providers.Request) { r.Spec.Autodesk.HubID = "b.hub" },
		wantAction: providers.ActionReplace, wantFields: []string{"autodesk.hubId"}},
	{name: "projectId", remote: func(h *autodesk.Hook) { h.ProjectID = "b.old" },
		req:        func(r *providers.Request) { r.Spec.Autodesk.ProjectID = "b.new" },
		wantAction: providers.ActionReplace, wantFields: []string{"autodesk.projectId"}},
	{name: "update and replace together", req: func(r *providers.Request) {
		r.Spec.Autodesk.Filter = "$[?(@.ext=='txt')]"
		r.Spec.TargetURL = "https://elsewhere.example/"
	}, wantAction: providers.ActionReplace, wantFields: []string{"targetUrl", "autodesk.filter"}},
}

func TestDiff(t *testing.T) {
	p := autodesk.New(autodesk.Options{})
	for _, tt := range diffCases {
		t.Run(tt.name, func(t *testing.T) {
			h := diffBaseHook()
			if tt.remote != nil {
				tt.remote(h)
			}
			req := newRequest()
			if tt.req != nil {
				tt.req(req)
			}
			d := p.Diff(req, &providers.Remote{ID: h.HookID, Object: h})
			if d.Action != tt.wantAction || !slices.Equal(d.Fields, tt.wantFields) {
				t.Errorf("Diff = %v %v, want %v %v", d.Action, d.Fields, tt.wantAction, tt.wantFields)
			}
		})
	}
}

func TestDiffWithoutWireObjectAsksForAnUpdate(t *testing.T) {
	d := autodesk.New(autodesk.Options{}).Diff(newRequest(), &providers.Remote{ID: "x"})
	if d.Action != providers.ActionUpdate || len(d.Fields) == 0 {
		t.Errorf("Diff = %+v, want Update with a field", d)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(r *providers.Request)
		wantField string
	}{
		{name: "valid"},
		{name: "hookAttribute of exactly 1024 bytes", mutate: func(r *providers.Request) {
			r.Spec.Autodesk.HookAttribute = attr(`{"k":"` + strings.Repeat("x", 1024-8) + `"}`)
		}},
		{name: "hookAttribute whose spacing exceeds 1024 bytes but not its JSON", mutate: func(r *providers.Request) {
			r.Spec.Autodesk.HookAttribute = attr(`{"k":` + strings.Repeat(" ", 2000) + `1}`)
		}},
		{name: "hookExpiry in the past is APS's business", mutate: func(r *providers.Request) {
			past := metav1.NewTime(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
			r.Spec.Autodesk.HookExpiry = &past
		}},
		{name: "every region", mutate: func(r *providers.Request) { r.Spec.Autodesk.Region = "IND" }},
		{name: "no autodesk block", mutate: func(r *providers.Request) { r.Spec.Autodesk = nil }, wantField: "autodesk"},
		{name: "no scope", mutate: func(r *providers.Request) { r.Spec.Autodesk.Scope = nil }, wantField: "autodesk.scope"},
		{name: "empty scope value", mutate: func(r *providers.Request) { r.Spec.Autodesk.Scope = map[string]string{"folder": " "} },
			wantField: "autodesk.scope"},
		{name: "no system", mutate: func(r *providers.Request) { r.Spec.Autodesk.System = "" }, wantField: "autodesk.system"},
		{name: "no event", mutate: func(r *providers.Request) { r.Spec.Autodesk.Event = "" }, wantField: "autodesk.event"},
		{name: "unknown region", mutate: func(r *providers.Request) { r.Spec.Autodesk.Region = "MOON" }, wantField: "autodesk.region"},
		{name: "hookAttribute of 1025 bytes", mutate: func(r *providers.Request) {
			r.Spec.Autodesk.HookAttribute = attr(`{"k":"` + strings.Repeat("x", 1025-8) + `"}`)
		}, wantField: "autodesk.hookAttribute"},
		{name: "hookAttribute array", mutate: func(r *providers.Request) { r.Spec.Autodesk.HookAttribute = attr(`[1,2]`) },
			wantField: "autodesk.hookAttribute"},
		{name: "hookAttribute string", mutate: func(r *providers.Request) { r.Spec.Autodesk.HookAttribute = attr(`"x"`) },
			wantField: "autodesk.hookAttribute"},
		{name: "hookAttribute broken", mutate: func(r *providers.Request) { r.Spec.Autodesk.HookAttribute = attr(`{"a":`) },
			wantField: "autodesk.hookAttribute"},
	}
	p := autodesk.New(autodesk.Options{})
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
				t.Errorf("Validate = %v (kind %v field %q), want Invalid %q", pe, pe.Kind, pe.Field, tt.wantField)
			}
		})
	}
}

func TestGetEmptyIDIsNotFound(t *testing.T) {
	e := newEnv(t)
	if _, err := e.prov.Get(context.Background(), newRequest(), ""); !providers.IsNotFound(err) {
		t.Errorf("Get(\"\") = %v, want NotFound", err)
	}
	if err := e.prov.Delete(context.Background(), newRequest(), ""); err != nil {
		t.Errorf("Delete(\"\") = %v, want nil", err)
	}
	if e.srv.RequestsTotal() != 0 {
		t.Error("an empty id made a request")
	}
}

func TestHookCreatedTime(t *testing.T) {
	want := time.Date(2017, 9, 14, 6, 57, 50, 597e6, time.UTC)
	tests := []struct {
		in     string
		want   time.Time
		wantOK bool
	}{
		{in: "2017-09-14T06:57:50.597+0000", want: want, wantOK: true},
		{in: "2017-09-14T06:57:50.597Z", want: want, wantOK: true},
		{in: "2017-09-14T08:57:50.597+02:00", want: want, wantOK: true},
		{in: "2017-09-14T06:57:50+0000", want: want.Truncate(time.Second), wantOK: true},
		{in: "2017-09-14T06:57:50.597", want: want, wantOK: true},
		{in: "", wantOK: false},
		{in: "last tuesday", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			h := autodesk.Hook{CreatedDate: tt.in}
			got, ok := h.CreatedTime()
			if ok != tt.wantOK || (ok && !got.Equal(tt.want)) {
				t.Errorf("CreatedTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestHookWireTolerance(t *testing.T) {
	tests := []struct {
		name        string
		json        string
		wantPayload bool
		wantAuto    bool
		wantScope   autodesk.Scope
	}{
		{name: "string true", json: `{"callbackWithEventPayloadOnly":"true","autoReactivateHook":true,"scope":{"folder":"f"}}`,
			wantPayload: true, wantAuto: true, wantScope: autodesk.Scope{"folder": "f"}},
		{name: "string True", json: `{"callbackWithEventPayloadOnly":"True"}`, wantPayload: true},
		{name: "boolean true", json: `{"callbackWithEventPayloadOnly":true}`, wantPayload: true},
		{name: "string false", json: `{"callbackWithEventPayloadOnly":"false","autoReactivateHook":"false"}`},
		{name: "null", json: `{"callbackWithEventPayloadOnly":null,"scope":null}`},
		{name: "odd values read as false", json: `{"callbackWithEventPayloadOnly":"yes please","autoReactivateHook":{}}`},
		{name: "non-string scope values kept as JSON", json: `{"scope":{"folder":"f","depth":3}}`,
			wantScope: autodesk.Scope{"folder": "f", "depth": "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h autodesk.Hook
			if err := json.Unmarshal([]byte(tt.json), &h); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if bool(h.CallbackWithEventPayloadOnly) != tt.wantPayload || bool(h.AutoReactivateHook) != tt.wantAuto {
				t.Errorf("payloadOnly %v auto %v, want %v %v", h.CallbackWithEventPayloadOnly, h.AutoReactivateHook, tt.wantPayload, tt.wantAuto)
			}
			if !reflect.DeepEqual(h.Scope, tt.wantScope) && (len(h.Scope) != 0 || len(tt.wantScope) != 0) {
				t.Errorf("scope %v, want %v", h.Scope, tt.wantScope)
			}
		})
	}
}

func TestScope(t *testing.T) {
	p := autodesk.New(autodesk.Options{BaseURL: "https://aps.example/"})
	inRegion := func(region hooksv1alpha1.AutodeskRegion) func(*providers.Request) {
		return func(r *providers.Request) { r.Spec.Autodesk.Region = region }
	}
	us := p.Scope(newRequest(inRegion("US")))
	if us != "https://aps.example/webhooks/v1/hooks?region=US" {
		t.Errorf("US scope = %q, want the region's list of all hooks", us)
	}
	if s := p.Scope(newRequest(inRegion(""))); s != us {
		t.Errorf("the default region has the scope %q, want US's %q", s, us)
	}
	if s := p.Scope(newRequest(inRegion("EMEA"))); s != "https://aps.example/webhooks/v1/hooks?region=EMEA" {
		t.Errorf("EMEA scope = %q", s)
	}
	// Every system, event, scope and callback of the region is in the one list.
	other := p.Scope(newRequest(func(r *providers.Request) {
		r.Spec.TargetURL = "https://else.example/"
		r.Spec.Autodesk.System, r.Spec.Autodesk.Event = "derivative", "extraction.finished"
		r.Spec.Autodesk.Scope = map[string]string{"workflow": "wf-1"}
	}))
	if other != us {
		t.Errorf("another system and event of the region have the scope %q, want %q", other, us)
	}
	if d := autodesk.New(autodesk.Options{}).Scope(newRequest()); d != autodesk.DefaultBaseURL+"/webhooks/v1/hooks?region=US" {
		t.Errorf("scope on the default host = %q", d)
	}
	for _, s := range []string{us, other} {
		if strings.Contains(s, clientID) || strings.Contains(s, clientSecret) || strings.Contains(s, signing) {
			t.Errorf("scope %q holds a credential", s)
		}
	}
}

func TestListCoversEverySystemAndEventOfTheRegion(t *testing.T) {
	e := newEnv(t)
	seeded := seedListHooks(e)
	e.srv.SetPageSize(2)
	ctx := context.Background()
	req := newRequest()

	listed, err := e.prov.List(ctx, req)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var ids []string
	for _, r := range listed {
		ids = append(ids, r.ID)
	}
	if want := []string{seeded.match.HookID, seeded.otherEvent.HookID, seeded.otherCallback.HookID}; !slices.Equal(ids, want) {
		t.Fatalf("List in US = %v, want %v", ids, want)
	}
	checkListRequests(t, e)
	checkListedRemotes(t, e, req, listed)
	checkFindAgreesWithList(t, e, req, listed, seeded.match.HookID)

	inEMEA, err := e.prov.List(ctx, newRequest(func(r *providers.Request) { r.Spec.Autodesk.Region = "EMEA" }))
	if err != nil || len(inEMEA) != 1 || inEMEA[0].ID != seeded.emea.HookID || hookOf(t, inEMEA[0]).Region != "EMEA" {
		t.Errorf("List in EMEA = %+v, %v; want only %s, addressed in EMEA", inEMEA, err, seeded.emea.HookID)
	}
}

// listSeeded are the hooks seedListHooks puts in the fake.
type listSeeded struct {
	match, otherEvent, otherCallback, emea fake.Hook
}

// seedListHooks seeds the fake with hooks of the client in US: one newRequest matches, one of
// another system and event, one with another callback; one of the client in EMEA; and one of
// another application.
func seedListHooks(e *env) listSeeded {
	seed := func(app string, h fake.Hook) fake.Hook {
		if h.System == "" {
			h.System, h.Event = "data", "dm.version.added"
		}
		if h.Scope == nil {
			h.Scope = map[string]string{"folder": folder}
		}
		return e.srv.Seed(app, h)
	}
	var s listSeeded
	s.match = seed(clientID, fake.Hook{CallbackURL: target, AutoReactivateHook: true, Status: "inactive"})
	s.otherEvent = seed(clientID, fake.Hook{CallbackURL: target, System: "derivative", Event: "extraction.finished",
		Scope: map[string]string{"workflow": "wf-1"}})
	s.otherCallback = seed(clientID, fake.Hook{CallbackURL: target + "/other"})
	s.emea = seed(clientID, fake.Hook{CallbackURL: target, Region: "EMEA"})
	seed("someone-else", fake.Hook{CallbackURL: target})
	return s
}

// checkListRequests checks that List read two pages of GET /webhooks/v1/hooks in US, and sent
// nothing else.
func checkListRequests(t *testing.T, e *env) {
	t.Helper()
	lists := e.rec.Find(http.MethodGet, "/webhooks/v1/hooks")
	if len(lists) != 2 {
		t.Fatalf("%d requests to GET /webhooks/v1/hooks, want 2 pages", len(lists))
	}
	for _, l := range lists {
		if l.Header.Get("x-ads-region") != "US" {
			t.Errorf("list asked for region %q, want US", l.Header.Get("x-ads-region"))
		}
	}
	if n := len(api(e.rec)); n != len(lists) {
		t.Errorf("%d API requests, want only the list's %d", n, len(lists))
	}
}

// checkListedRemotes checks the state of the first listed remote, the address of the second, and
// that Get reads each as List did.
func checkListedRemotes(t *testing.T, e *env, req *providers.Request, listed []*providers.Remote) {
	t.Helper()
	first := listed[0]
	if first.Active || !first.SelfReactivating || first.State != "inactive" || first.Created == nil {
		t.Errorf("listed remote = %+v, want inactive, self-reactivating, with a creation time", first)
	}
	h := hookOf(t, listed[1])
	if h.Region != "US" || h.System != "derivative" || h.Event != "extraction.finished" {
		t.Errorf("listed hook is addressed as %s/%s/%s, want US/derivative/extraction.finished", h.Region, h.System, h.Event)
	}
	for _, r := range listed {
		got, err := e.prov.Get(context.Background(), req, r.ID)
		if err != nil {
			t.Fatalf("Get(%s): %v", r.ID, err)
		}
		if !reflect.DeepEqual(got.Object, r.Object) {
			t.Errorf("Get(%s) = %+v, List said %+v", r.ID, got.Object, r.Object)
		}
	}
}

// checkFindAgreesWithList checks that FindHooks and List filtered by Matches both find only the
// hook matchID.
func checkFindAgreesWithList(t *testing.T, e *env, req *providers.Request, listed []*providers.Remote, matchID string) {
	t.Helper()
	found, err := autodesk.FindHooks(context.Background(), e.prov, req)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	var matched []string
	for _, r := range listed {
		if e.prov.Matches(req, r) {
			matched = append(matched, r.ID)
		}
	}
	if len(found) != 1 || found[0].ID != matchID || !slices.Equal(matched, []string{matchID}) {
		t.Errorf("Find = %+v and List filtered by Matches = %v, want both only %s", found, matched, matchID)
	}
}

func TestMatches(t *testing.T) {
	p := autodesk.New(autodesk.Options{})
	req := newRequest(func(r *providers.Request) { r.Spec.Autodesk.Region = "EMEA" })
	base := autodesk.Hook{HookID: "h1", CallbackURL: target, System: "data", Event: "dm.version.added", Region: "EMEA",
		Scope: autodesk.Scope{"folder": folder}, Filter: "$[?(@.ext=='txt')]", Status: "inactive"}
	tests := []struct {
		name   string
		change func(*autodesk.Hook)
		want   bool
	}{
		{name: "same callback, scope and location, whatever the rest", want: true},
		{name: "location read from __self__", change: func(h *autodesk.Hook) {
			h.System, h.Event, h.Self = "", "", "/systems/data/events/dm.version.added/hooks/h1"
		}, want: true},
		{name: "another callback", change: func(h *autodesk.Hook) { h.CallbackURL = target + "/x" }},
		{name: "a wider scope", change: func(h *autodesk.Hook) { h.Scope = autodesk.Scope{"folder": folder, "x": "y"} }},
		{name: "another event", change: func(h *autodesk.Hook) { h.Event = "dm.version.deleted" }},
		{name: "another system", change: func(h *autodesk.Hook) { h.System = "derivative" }},
		{name: "another region", change: func(h *autodesk.Hook) { h.Region = "US" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := base
			if tt.change != nil {
				tt.change(&h)
			}
			if got := p.Matches(req, &providers.Remote{ID: h.HookID, Object: &h}); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
	if p.Matches(req, &providers.Remote{ID: "h1"}) || p.Matches(req, nil) {
		t.Error("Matches without a wire object is true")
	}
}
