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

package pageseeder_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
)

func TestCapabilities(t *testing.T) {
	c := pageseeder.New(pageseeder.Options{}).Capabilities()
	if c.CanDeactivate || c.UniqueNaturalKey {
		t.Errorf("Capabilities = %+v, want neither: PageSeeder cannot pause a webhook and allows duplicates", c)
	}
}

// TestRoundTripWithPing follows one webhook from create (pending, pinged, active) through an
// update that moves its url (pending again, pinged again) to its deletion.
func TestRoundTripWithPing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.newRequest()

	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created.State != "active" || !created.Active || created.Created == nil {
		t.Fatalf("created remote = %+v, want active after the ping, with a creation time", created)
	}
	id, _ := strconv.ParseInt(created.ID, 10, 64)
	stored, ok := e.srv.Hook(id)
	if !ok || stored.Status != "active" || stored.Client != internalID {
		t.Fatalf("fake holds %+v (%v), want an active hook of client %d", stored, ok, internalID)
	}
	if n := e.recv.pings.Load(); n != 1 {
		t.Errorf("receiver got %d pings, want 1", n)
	}
	if body := e.recv.lastBody(); !strings.Contains(body, `"webhook.ping"`) {
		t.Errorf("ping body %q is not a webhook.ping event", body)
	}
	if pings := e.rec.Find("GET", "/clients/123/webhooks/"+created.ID+"/ping.json"); len(pings) != 1 {
		t.Errorf("%d ping service calls, want 1", len(pings))
	}

	got, err := e.prov.Get(ctx, req, created.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if d := e.prov.Diff(req, got); d.Action != providers.ActionNone {
		t.Errorf("Diff right after create = %+v, want None", d)
	}

	moved := e.newRequest(func(r *providers.Request) { r.Spec.TargetURL = e.recv.url("/moved") })
	d := e.prov.Diff(moved, got)
	if d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, []string{"targetUrl"}) {
		t.Fatalf("Diff after a url change = %+v, want Update of targetUrl", d)
	}
	updated, err := e.prov.Update(ctx, moved, got)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if updated.ID != created.ID || updated.State != "active" {
		t.Errorf("updated remote = %+v, want the same id, active again", updated)
	}
	if n := e.recv.pings.Load(); n != 2 {
		t.Errorf("receiver got %d pings, want a second one for the new url", n)
	}
	if stored, _ := e.srv.Hook(id); stored.URL != e.recv.url("/moved") {
		t.Errorf("after update the fake holds url %q", stored.URL)
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

// TestCreateWithFailingPing: a receiver that fails the ping does not fail the create. The
// webhook is returned pending, Diff asks for a ping, and once the receiver behaves, Update
// pings it active.
func TestCreateWithFailingPing(t *testing.T) {
	tests := []struct {
		name   string
		mode   string
		target func(e *env) string
	}{
		{name: "no X-PS-Secret echo (170B)", mode: "silent"},
		{name: "receiver answers 500 (170A)", mode: "fail"},
		{name: "receiver unreachable (170C)", mode: "echo", target: func(e *env) string { return "http://127.0.0.1:1/hook" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.recv.mode.Store(tt.mode)
			req := e.newRequest()
			if tt.target != nil {
				req.Spec.TargetURL = tt.target(e)
			}
			created, err := e.prov.Create(ctx, req)
			if err != nil {
				t.Fatalf("Create with a failing ping = %v, want success", err)
			}
			if created.State != "pending" || !created.Active || created.ID == "" {
				t.Fatalf("created remote = %+v, want pending, counted active, with an id", created)
			}
			d := e.prov.Diff(req, created)
			if d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, []string{"pageSeeder.ping"}) {
				t.Fatalf("Diff of a pending webhook = %+v, want Update of pageSeeder.ping", d)
			}
			if n := len(e.rec.Find("PATCH", ".json")); n != 0 {
				t.Fatalf("%d PATCH requests before the update", n)
			}

			e.recv.mode.Store("silent")
			again, err := e.prov.Update(ctx, req, created)
			if err != nil {
				t.Fatalf("Update while the receiver still fails = %v, want the webhook as it stands", err)
			}
			if again.State != "pending" {
				t.Errorf("state after a second failed ping = %q, want pending", again.State)
			}

			e.recv.mode.Store("echo")
			if tt.target != nil {
				req.Spec.TargetURL = e.recv.url("/hook")
			}
			fixed, err := e.prov.Update(ctx, req, again)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if fixed.State != "active" {
				t.Fatalf("state after a successful ping = %q, want active", fixed.State)
			}
			if d := e.prov.Diff(req, fixed); d.Action != providers.ActionNone {
				t.Errorf("Diff once active = %+v, want None", d)
			}
			if n := len(e.rec.Find("PATCH", ".json")); tt.target == nil && n != 0 {
				t.Errorf("%d PATCH requests when only a ping was due, want 0", n)
			}
		})
	}
}

func TestPingDisabled(t *testing.T) {
	e := newEnv(t)
	req := e.newRequest(func(r *providers.Request) { r.Spec.PageSeeder.Ping = boolPtr(false) })
	created, err := e.prov.Create(context.Background(), req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created.State != "pending" {
		t.Errorf("state = %q, want pending: nothing pinged it", created.State)
	}
	if n := len(e.rec.Find("GET", "/ping.json")); n != 0 || e.recv.pings.Load() != 0 {
		t.Errorf("%d ping calls and %d pings with ping: false", n, e.recv.pings.Load())
	}
	if d := e.prov.Diff(req, created); d.Action != providers.ActionNone {
		t.Errorf("Diff of a pending webhook with ping: false = %+v, want None", d)
	}
}

func TestCreateSendsTheDocumentedRequest(t *testing.T) {
	e := newEnv(t)
	req := e.newRequest(func(r *providers.Request) {
		r.Spec.PageSeeder.Name = "doc events"
		r.Spec.PageSeeder.Groups = []string{"acme-docs", "acme-specs"}
		r.Spec.PageSeeder.Server = boolPtr(true)
		r.Spec.PageSeeder.Format = "xml"
		r.Spec.PageSeeder.Object = "basic"
		r.Spec.PageSeeder.InsecureSSL = boolPtr(true)
	})
	if _, err := e.prov.Create(context.Background(), req); err != nil {
		t.Fatalf("Create: %v", err)
	}
	posts := e.rec.Find("POST", "/ps/service/clients/123/webhooks.json")
	if len(posts) != 1 {
		t.Fatalf("%d POSTs to the webhooks service, want 1: %+v", len(posts), e.rec.All())
	}
	p := posts[0]
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || p.Header.Get("Accept") != "application/json" {
		t.Errorf("Content-Type %q, Accept %q", p.Header.Get("Content-Type"), p.Header.Get("Accept"))
	}
	if !strings.HasPrefix(p.Auth, "Bearer ") || strings.Contains(p.Auth, clientSecret) {
		t.Errorf("Authorization %q, want a bearer token", p.Auth)
	}
	want := map[string]string{
		"url": req.Spec.TargetURL, "name": "doc events", "events": "comment.*,membership.created",
		"projects": "acme", "groups": "acme-docs,acme-specs", "server": "true", "format": "xml",
		"object": "basic", "insecuressl": "true",
	}
	for k, v := range want {
		if got := p.Form().Get(k); got != v {
			t.Errorf("parameter %s = %q, want %q", k, got, v)
		}
	}
	hooks := e.srv.Hooks(internalID)
	if len(hooks) != 1 || hooks[0].Events != "comment.*,membership.created" || !hooks[0].Server || hooks[0].Format != "xml" {
		t.Errorf("fake holds %+v", hooks)
	}
}

// TestEditResponseShapes: whatever create and edit answer, the provider returns the webhook.
func TestEditResponseShapes(t *testing.T) {
	tests := []struct {
		name       string
		shape      fake.EditResponse
		wantGets   int // reads of the one webhook after the create, besides the one after the ping
		wantListed bool
	}{
		{name: "object", shape: fake.EditObject},
		{name: "wrapped", shape: fake.EditWrapped},
		{name: "id only", shape: fake.EditIDOnly, wantGets: 1},
		{name: "empty", shape: fake.EditEmpty, wantListed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.srv.SetEditResponse(tt.shape)
			req := e.newRequest(func(r *providers.Request) { r.Spec.PageSeeder.Ping = boolPtr(false) })
			// A look-alike made earlier: read-back by listing must pick the new one.
			older := e.srv.Seed(internalID, fake.Hook{Name: owner, URL: req.Spec.TargetURL})
			created, err := e.prov.Create(ctx, req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			hooks := e.srv.Hooks(internalID)
			newest := hooks[len(hooks)-1]
			if created.ID != strconv.FormatInt(newest.ID, 10) || newest.ID == older.ID || created.State != "pending" {
				t.Fatalf("Create returned %+v, want the new hook %d, pending", created, newest.ID)
			}
			if w := created.Object.(*pageseeder.Webhook); w.URL != req.Spec.TargetURL || w.Name != owner {
				t.Errorf("returned webhook %+v lacks the url or name", w)
			}
			if n := len(e.rec.Find("GET", "/webhooks/"+created.ID+".json")); n != tt.wantGets {
				t.Errorf("%d reads of the new webhook, want %d", n, tt.wantGets)
			}
			if n := len(e.rec.Find("GET", "/webhooks.json")); (n == 1) != tt.wantListed {
				t.Errorf("%d listings, want listed = %v", n, tt.wantListed)
			}

			renamed := e.newRequest(func(r *providers.Request) {
				r.Spec.PageSeeder.Ping = boolPtr(false)
				r.Spec.PageSeeder.Name = "renamed"
			})
			updated, err := e.prov.Update(ctx, renamed, created)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if w := updated.Object.(*pageseeder.Webhook); w.Name != "renamed" || updated.ID != created.ID {
				t.Errorf("Update returned %+v (%+v), want the renamed webhook", updated, w)
			}
		})
	}
}

func TestUpdatePatchesEveryField(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.newRequest()
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	changed := e.newRequest(func(r *providers.Request) {
		r.Spec.PageSeeder.Name = "new name"
		r.Spec.PageSeeder.Events = []string{"uri.*"}
		r.Spec.PageSeeder.Projects = nil
		r.Spec.PageSeeder.Groups = []string{"acme-docs"}
		r.Spec.PageSeeder.Server = boolPtr(true)
		r.Spec.PageSeeder.Format = "xml"
		r.Spec.PageSeeder.Object = "basic"
		r.Spec.PageSeeder.InsecureSSL = boolPtr(true)
	})
	d := e.prov.Diff(changed, created)
	wantFields := []string{"pageSeeder.name", "pageSeeder.events", "pageSeeder.projects", "pageSeeder.groups",
		"pageSeeder.server", "pageSeeder.format", "pageSeeder.object", "pageSeeder.insecureSSL"}
	if d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, wantFields) {
		t.Fatalf("Diff = %v %v, want Update %v", d.Action, d.Fields, wantFields)
	}
	updated, err := e.prov.Update(ctx, changed, created)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	patches := e.rec.Find("PATCH", "/ps/service/clients/123/webhooks/"+created.ID+".json")
	if len(patches) != 1 || !strings.HasPrefix(patches[0].Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Fatalf("PATCH requests %+v, want one form-encoded", patches)
	}
	if got := patches[0].Form().Get("projects"); got != "" || !patches[0].Form().Has("projects") {
		t.Errorf("projects sent as %q (present %v), want an empty value that clears it", got, patches[0].Form().Has("projects"))
	}
	id, _ := strconv.ParseInt(created.ID, 10, 64)
	stored, _ := e.srv.Hook(id)
	if stored.Name != "new name" || stored.Events != "uri.*" || stored.Projects != "" || stored.Groups != "acme-docs" ||
		!stored.Server || stored.Format != "xml" || stored.Object != "basic" || !stored.InsecureSSL {
		t.Errorf("after the PATCH the fake holds %+v", stored)
	}
	if n := e.recv.pings.Load(); n != 1 {
		t.Errorf("%d pings, want only the create's: the url did not change", n)
	}
	if d := e.prov.Diff(changed, updated); d.Action != providers.ActionNone {
		t.Errorf("Diff after Update = %+v, want None", d)
	}
}

func TestUpdateReportsEventsPageSeederIgnored(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.prov.Create(ctx, e.newRequest())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	req := e.newRequest(func(r *providers.Request) {
		r.Spec.PageSeeder.Events = []string{"comment.created", "nosuch.event", "comment.exploded"}
	})
	_, err = e.prov.Update(ctx, req, created)
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindInvalid || pe.Field != "pageSeeder.events" ||
		!strings.Contains(pe.Message, "nosuch.event") || !strings.Contains(pe.Message, "comment.exploded") ||
		strings.Contains(pe.Message, "comment.created") {
		t.Errorf("Update = %v (kind %v, field %q), want Invalid naming only the ignored events", pe, pe.Kind, pe.Field)
	}
}

func TestUpdatePingsAWebhookPageSeederDisabled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.newRequest()
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	id, _ := strconv.ParseInt(created.ID, 10, 64)
	e.srv.SetStatus(id, "disabled")
	remote, err := e.prov.Get(ctx, req, created.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if remote.Active || remote.State != "disabled" {
		t.Fatalf("remote = %+v, want disabled and not active", remote)
	}
	if d := e.prov.Diff(req, remote); d.Action != providers.ActionNone {
		t.Errorf("Diff compared the status of a disabled webhook: %+v", d)
	}
	updated, err := e.prov.Update(ctx, req, remote)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if !updated.Active || updated.State != "active" {
		t.Errorf("after Update the remote is %+v, want active", updated)
	}
	if n := len(e.rec.Find("PATCH", ".json")); n != 0 {
		t.Errorf("%d PATCH requests, want none: only the ping was needed", n)
	}
}

func TestDiff(t *testing.T) {
	base := func() *pageseeder.Webhook {
		return &pageseeder.Webhook{ID: 789, Name: owner, URL: "https://hooks.example.com/ps",
			Events: []string{"comment.*", "membership.created"}, Projects: []string{"acme"},
			Format: "json", Object: "minimal", Status: "active"}
	}
	tests := []struct {
		name       string
		remote     func(w *pageseeder.Webhook)
		req        func(r *providers.Request)
		wantAction providers.Action
		wantFields []string
	}{
		{name: "identical", wantAction: providers.ActionNone},
		{name: "events in another order", remote: func(w *pageseeder.Webhook) { w.Events = []string{"membership.created", "comment.*"} },
			wantAction: providers.ActionNone},
		{name: "duplicate event in the spec", req: func(r *providers.Request) {
			r.Spec.PageSeeder.Events = []string{"comment.*", "membership.created", "comment.*"}
		}, wantAction: providers.ActionNone},
		{name: "remote format and object missing mean the defaults", remote: func(w *pageseeder.Webhook) { w.Format, w.Object = "", "" },
			req: func(r *providers.Request) { r.Spec.PageSeeder.Format, r.Spec.PageSeeder.Object = "", "" }, wantAction: providers.ActionNone},
		{name: "status disabled is not compared", remote: func(w *pageseeder.Webhook) { w.Status = "disabled" },
			wantAction: providers.ActionNone},
		{name: "url", remote: func(w *pageseeder.Webhook) { w.URL = "https://old.example/" },
			wantAction: providers.ActionUpdate, wantFields: []string{"targetUrl"}},
		{name: "explicit name", req: func(r *providers.Request) { r.Spec.PageSeeder.Name = "custom" },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.name"}},
		{name: "event removed", req: func(r *providers.Request) { r.Spec.PageSeeder.Events = []string{"comment.*"} },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.events"}},
		{name: "all events", req: func(r *providers.Request) { r.Spec.PageSeeder.Events = nil },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.events"}},
		{name: "projects", remote: func(w *pageseeder.Webhook) { w.Projects = nil },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.projects"}},
		{name: "groups", req: func(r *providers.Request) { r.Spec.PageSeeder.Groups = []string{"g"} },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.groups"}},
		{name: "server", req: func(r *providers.Request) { r.Spec.PageSeeder.Server = boolPtr(true) },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.server"}},
		{name: "format", remote: func(w *pageseeder.Webhook) { w.Format = "xml" },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.format"}},
		{name: "object", req: func(r *providers.Request) { r.Spec.PageSeeder.Object = "basic" },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.object"}},
		{name: "insecure ssl", remote: func(w *pageseeder.Webhook) { w.InsecureSSL = true },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.insecureSSL"}},
		{name: "pending asks for a ping", remote: func(w *pageseeder.Webhook) { w.Status = "pending" },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.ping"}},
		{name: "pending with ping off", remote: func(w *pageseeder.Webhook) { w.Status = "pending" },
			req: func(r *providers.Request) { r.Spec.PageSeeder.Ping = boolPtr(false) }, wantAction: providers.ActionNone},
		{name: "several", remote: func(w *pageseeder.Webhook) { w.Name = "old"; w.Status = "Pending" },
			wantAction: providers.ActionUpdate, wantFields: []string{"pageSeeder.name", "pageSeeder.ping"}},
	}
	p := pageseeder.New(pageseeder.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := base()
			if tt.remote != nil {
				tt.remote(w)
			}
			req := newRequest("https://ps.example.org", "https://hooks.example.com/ps")
			if tt.req != nil {
				tt.req(req)
			}
			d := p.Diff(req, &providers.Remote{ID: "789", Object: w})
			if d.Action != tt.wantAction || !slices.Equal(d.Fields, tt.wantFields) {
				t.Errorf("Diff = %v %v, want %v %v", d.Action, d.Fields, tt.wantAction, tt.wantFields)
			}
		})
	}
	if d := p.Diff(newRequest("https://ps.example.org", "https://x/"), &providers.Remote{ID: "1"}); d.Action != providers.ActionUpdate {
		t.Errorf("Diff without the wire object = %+v, want Update", d)
	}
}

func TestFind(t *testing.T) {
	e := newEnv(t)
	req := e.newRequest()
	match := e.srv.Seed(internalID, fake.Hook{Name: owner, URL: req.Spec.TargetURL, Events: "task.updated"})
	e.srv.Seed(internalID, fake.Hook{Name: owner, URL: "https://elsewhere.example/"})
	e.srv.Seed(internalID, fake.Hook{Name: "team-a/other", URL: req.Spec.TargetURL})
	e.srv.Seed(999, fake.Hook{Name: owner, URL: req.Spec.TargetURL})

	found, err := testutil.Candidates(context.Background(), e.prov, req)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(found) != 1 || found[0].ID != strconv.FormatInt(match.ID, 10) {
		t.Fatalf("Find returned %+v, want only %d", found, match.ID)
	}
	if d := e.prov.Diff(req, found[0]); d.Action != providers.ActionUpdate || !slices.Contains(d.Fields, "pageSeeder.events") {
		t.Errorf("Diff of the found webhook = %+v, want an Update of its events", d)
	}
	if lists := e.rec.Find("GET", "/ps/service/clients/123/webhooks.json"); len(lists) != 1 {
		t.Errorf("%d list calls, want 1", len(lists))
	}
}

func TestServicePaths(t *testing.T) {
	for _, path := range []string{"", "/ps/service", "/ps/api", "/ps/api/"} {
		t.Run("servicePath "+path, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			req := e.newRequest(func(r *providers.Request) { r.Spec.PageSeeder.ServicePath = path })
			created, err := e.prov.Create(ctx, req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if _, err := e.prov.Get(ctx, req, created.ID); err != nil {
				t.Fatalf("Get: %v", err)
			}
			if err := e.prov.Delete(ctx, req, created.ID); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			want := strings.TrimSuffix(path, "/")
			if want == "" {
				want = "/ps/service"
			}
			for _, s := range e.rec.All() {
				if s.Path != "/ps/oauth/token" && !strings.HasPrefix(s.Path, want+"/clients/123/webhooks") {
					t.Errorf("%s %s is not under %s", s.Method, s.Path, want)
				}
			}
			if n := len(e.srv.Hooks(internalID)); n != 0 {
				t.Errorf("%d hooks left", n)
			}
		})
	}
}

func TestRemoteFields(t *testing.T) {
	e := newEnv(t)
	h := e.srv.Seed(internalID, fake.Hook{Name: owner, URL: "https://x.example/", Status: "error",
		Created: "2019-05-07T12:04:59+10:00"})
	r, err := e.prov.Get(context.Background(), e.newRequest(), strconv.FormatInt(h.ID, 10))
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := time.Date(2019, 5, 7, 2, 4, 59, 0, time.UTC)
	if r.ID != strconv.FormatInt(h.ID, 10) || r.State != "error" || r.Active || r.Created == nil || !r.Created.Equal(want) {
		t.Errorf("remote = %+v (created %v), want id %d, state error, not active, created %v", r, r.Created, h.ID, want)
	}
	w := r.Object.(*pageseeder.Webhook)
	if w.ClientID != internalID || w.Modified == "" {
		t.Errorf("webhook = %+v, want the embedded client id %d and a modified time", w, internalID)
	}
}

func TestActiveByStatus(t *testing.T) {
	tests := map[string]bool{"pending": true, "active": true, "Active": true, "": true, "something-new": true,
		"disabled": false, "inactive": false, "error": false, "failed": false, "DISABLED": false}
	e := newEnv(t)
	for status, want := range tests {
		h := e.srv.Seed(internalID, fake.Hook{Name: "s", URL: "https://x.example/", Status: status})
		if status == "" {
			e.srv.SetStatus(h.ID, "")
		}
		r, err := e.prov.Get(context.Background(), e.newRequest(), strconv.FormatInt(h.ID, 10))
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if r.Active != want || r.State != strings.ToLower(status) {
			t.Errorf("status %q: Active %v state %q, want %v and the status in lower case", status, r.Active, r.State, want)
		}
	}
}

func TestInvalidIDsMakeNoRequest(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"", "abc", "0", "-4", "12/../13"} {
		if _, err := e.prov.Get(context.Background(), e.newRequest(), id); !providers.IsNotFound(err) {
			t.Errorf("Get(%q) = %v, want NotFound", id, err)
		}
		if err := e.prov.Delete(context.Background(), e.newRequest(), id); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", id, err)
		}
		if _, err := e.prov.Update(context.Background(), e.newRequest(), &providers.Remote{ID: id}); !providers.IsNotFound(err) {
			t.Errorf("Update(%q) = %v, want NotFound", id, err)
		}
	}
	if n := e.srv.RequestsTotal(); n != 0 {
		t.Errorf("%d requests for ids that cannot exist", n)
	}
}

func TestDeleteOfAWebhookDeletedOutOfBand(t *testing.T) {
	e := newEnv(t)
	h := e.srv.Seed(internalID, fake.Hook{Name: owner, URL: "https://x.example/"})
	e.srv.DeleteOutOfBand(h.ID)
	if err := e.prov.Delete(context.Background(), e.newRequest(), strconv.FormatInt(h.ID, 10)); err != nil {
		t.Errorf("Delete = %v, want nil", err)
	}
	if n := len(e.rec.Find("DELETE", strconv.FormatInt(h.ID, 10)+".json")); n != 1 {
		t.Errorf("%d DELETE requests, want 1", n)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name          string
		allowInsecure bool
		mutate        func(r *providers.Request)
		wantField     string
		wantText      string
	}{
		{name: "valid"},
		{name: "http allowed with the flag", allowInsecure: true,
			mutate: func(r *providers.Request) { r.Spec.PageSeeder.ServerURL = "http://ps.local:8080" }},
		{name: "http refused", mutate: func(r *providers.Request) { r.Spec.PageSeeder.ServerURL = "http://ps.local:8080" },
			wantField: "pageSeeder.serverUrl", wantText: "--allow-insecure-endpoints"},
		{name: "no block", mutate: func(r *providers.Request) { r.Spec.PageSeeder = nil }, wantField: "pageSeeder"},
		{name: "not absolute", mutate: func(r *providers.Request) { r.Spec.PageSeeder.ServerURL = "ps.example.org" },
			wantField: "pageSeeder.serverUrl"},
		{name: "ftp", mutate: func(r *providers.Request) { r.Spec.PageSeeder.ServerURL = "ftp://ps.example.org" },
			wantField: "pageSeeder.serverUrl"},
		{name: "user info", mutate: func(r *providers.Request) { r.Spec.PageSeeder.ServerURL = "https://u:p@ps.example.org" },
			wantField: "pageSeeder.serverUrl"},
		{name: "service path escapes", mutate: func(r *providers.Request) { r.Spec.PageSeeder.ServicePath = "/ps/../admin" },
			wantField: "pageSeeder.servicePath"},
		{name: "client zero", mutate: func(r *providers.Request) { r.Spec.PageSeeder.Client = 0 }, wantField: "pageSeeder.client"},
		{name: "format", mutate: func(r *providers.Request) { r.Spec.PageSeeder.Format = "yaml" }, wantField: "pageSeeder.format"},
		{name: "object", mutate: func(r *providers.Request) { r.Spec.PageSeeder.Object = "full" }, wantField: "pageSeeder.object"},
		{name: "formats left to defaults", mutate: func(r *providers.Request) { r.Spec.PageSeeder.Format, r.Spec.PageSeeder.Object = "", "" }},
		{name: "name too long", mutate: func(r *providers.Request) { r.Spec.PageSeeder.Name = strings.Repeat("n", 257) },
			wantField: "pageSeeder.name"},
		{name: "default name too long", mutate: func(r *providers.Request) { r.Owner = "ns/" + strings.Repeat("n", 254) },
			wantField: "pageSeeder.name", wantText: "set a shorter name"},
		{name: "event with a comma", mutate: func(r *providers.Request) { r.Spec.PageSeeder.Events = []string{"a.b,c.d"} },
			wantField: "pageSeeder.events"},
		{name: "empty group", mutate: func(r *providers.Request) { r.Spec.PageSeeder.Groups = []string{" "} },
			wantField: "pageSeeder.groups"},
		{name: "no target", mutate: func(r *providers.Request) { r.Spec.TargetURL = "" }, wantField: "targetUrl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pageseeder.New(pageseeder.Options{AllowInsecure: tt.allowInsecure})
			req := newRequest("https://ps.example.org", "https://hooks.example.com/ps")
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
			if pe.Kind != providers.KindInvalid || pe.Field != tt.wantField || !strings.Contains(pe.Error(), tt.wantText) {
				t.Errorf("Validate = %v (kind %v field %q), want Invalid %q mentioning %q", pe, pe.Kind, pe.Field, tt.wantField, tt.wantText)
			}
		})
	}
}

// TestHTTPSRequiredBeforeAnyRequest: without --allow-insecure-endpoints no call sends the
// credentials to an http server, even when Validate was skipped.
func TestHTTPSRequiredBeforeAnyRequest(t *testing.T) {
	srv := fake.New()
	defer srv.Close()
	srv.AddClient(clientID, clientSecret, internalID)
	p := pageseeder.New(pageseeder.Options{})
	req := newRequest(srv.URL(), "https://hooks.example.com/ps")
	calls := map[string]error{
		"find":   func() error { _, err := testutil.Candidates(context.Background(), p, req); return err }(),
		"get":    func() error { _, err := p.Get(context.Background(), req, "789"); return err }(),
		"create": func() error { _, err := p.Create(context.Background(), req); return err }(),
		"update": func() error { _, err := p.Update(context.Background(), req, &providers.Remote{ID: "789"}); return err }(),
		"delete": p.Delete(context.Background(), req, "789"),
	}
	for op, err := range calls {
		pe := testutil.ProviderError(t, err)
		if pe.Kind != providers.KindInvalid || pe.Field != "pageSeeder.serverUrl" ||
			!strings.Contains(pe.Message, "https") || !strings.Contains(pe.Message, "--allow-insecure-endpoints") {
			t.Errorf("%s: %v (kind %v, field %q), want Invalid pageSeeder.serverUrl", op, pe, pe.Kind, pe.Field)
		}
	}
	if n := srv.RequestsTotal(); n != 0 {
		t.Errorf("%d requests reached the http server", n)
	}
}

func TestScope(t *testing.T) {
	p := pageseeder.New(pageseeder.Options{})
	at := func(server, servicePath string, client int64) string {
		return p.Scope(newRequest(server, "https://hooks.example.com/ps", func(r *providers.Request) {
			r.Spec.PageSeeder.ServicePath, r.Spec.PageSeeder.Client = servicePath, client
		}))
	}
	base := at("https://ps.example.org", "", internalID)
	if base != "https://ps.example.org/ps#client=123" {
		t.Errorf("scope = %q, want the client on the default site", base)
	}
	// PageSeeder serves one site's data below both <site>/service and <site>/api: one account.
	for _, same := range []struct{ server, path string }{
		{"https://ps.example.org/", ""}, {"https://ps.example.org", "/ps/service"}, {"https://ps.example.org", "/ps/service/"},
		{"https://ps.example.org", "/ps/api"}, {"HTTPS://PS.Example.org:443", ""}, {"https://ps.example.org.", "/ps/api/"},
	} {
		if s := at(same.server, same.path, internalID); s != base {
			t.Errorf("serverUrl %q and servicePath %q have the scope %q, want %q", same.server, same.path, s, base)
		}
	}
	for _, other := range []string{
		at("https://ps.example.org", "/other/service", internalID),
		at("https://other.example.org", "", internalID),
		at("https://ps.example.org", "", 124),
	} {
		if other == base {
			t.Errorf("another site, server or client shares the scope %q", base)
		}
	}
	same := p.Scope(newRequest("https://ps.example.org", "https://else.example/", func(r *providers.Request) {
		r.Owner = "team-b/else"
		r.Spec.PageSeeder.Events = []string{"task.updated"}
		r.Credentials = map[string][]byte{pageseeder.CredentialToken: []byte("plain-token-0a1b2c")}
	}))
	if same != base {
		t.Errorf("another webhook of the client has the scope %q, want %q", same, base)
	}
	if strings.Contains(base, clientID) || strings.Contains(base, clientSecret) {
		t.Errorf("scope %q holds a credential", base)
	}
	if s := p.Scope(&providers.Request{Spec: &hooksv1alpha1.WebhookSpec{}}); s != "" {
		t.Errorf("scope without a pageSeeder block = %q, want empty", s)
	}
}

func TestListReturnsTheClientsWebhooks(t *testing.T) {
	e := newEnv(t)
	req := e.newRequest()
	a := e.srv.Seed(internalID, fake.Hook{Name: owner, URL: req.Spec.TargetURL, Status: fake.StatusActive})
	b := e.srv.Seed(internalID, fake.Hook{Name: "team-a/other", URL: "https://x.example/", Events: "task.updated"})
	e.srv.Seed(999, fake.Hook{Name: owner, URL: req.Spec.TargetURL})
	ctx := context.Background()

	listed, err := e.prov.List(ctx, req)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var ids []string
	for _, r := range listed {
		ids = append(ids, r.ID)
	}
	if want := []string{strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10)}; !slices.Equal(ids, want) {
		t.Fatalf("List = %v, want the client's own %v", ids, want)
	}
	if lists := e.rec.Find("GET", "/ps/service/clients/123/webhooks.json"); len(lists) != 1 {
		t.Errorf("%d list calls, want 1", len(lists))
	}
	if !listed[0].Active || listed[0].Pending || !listed[1].Pending {
		t.Errorf("listed states: %+v and %+v, want active, then pending", listed[0], listed[1])
	}
	if !e.prov.Matches(req, listed[0]) || e.prov.Matches(req, listed[1]) {
		t.Error("Matches must keep the webhook with the desired name and url only")
	}
}

func TestUpdateNeverSharesTheObjectItWasGiven(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.newRequest(func(r *providers.Request) { r.Spec.PageSeeder.Ping = boolPtr(false) })
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	listed, err := e.prov.List(ctx, req)
	if err != nil || len(listed) != 1 {
		t.Fatalf("List = %+v, %v", listed, err)
	}
	given := listed[0]
	// Nothing differs and no ping is asked for, so Update has nothing to send.
	updated, err := e.prov.Update(ctx, req, given)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if updated.ID != created.ID {
		t.Fatalf("Update returned %s, want %s", updated.ID, created.ID)
	}
	got, kept := updated.Object.(*pageseeder.Webhook), given.Object.(*pageseeder.Webhook)
	if got == kept {
		t.Fatal("Update returned the object of the Remote it was given")
	}
	got.Events[0] = "changed.by-the-caller"
	if kept.Events[0] == "changed.by-the-caller" {
		t.Error("the returned object shares its events with the given one")
	}
}

// opTransport notes the operation each request's context names, as the operator's metrics read it.
type opTransport struct {
	mu  sync.Mutex
	ops map[string]string // path -> operation
}

func (o *opTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	o.mu.Lock()
	o.ops[r.Method+" "+r.URL.Path] = providers.OperationOf(r.Context())
	o.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// TestPingIsItsOwnOperation: the verification ping is named "ping" for the metrics, while the
// create request keeps the operation of the call (so that SaaS requests per created Webhook can
// leave the pings out, as they are a second request PageSeeder requires).
func TestPingIsItsOwnOperation(t *testing.T) {
	e := newEnv(t)
	ops := &opTransport{ops: map[string]string{}}
	prov := pageseeder.New(pageseeder.Options{HTTPClient: &http.Client{Transport: ops, Timeout: 10 * time.Second}, AllowInsecure: true, Egress: loopback})
	created, err := prov.Create(providers.WithOperation(context.Background(), "create"), e.newRequest())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	ping := "GET /ps/service/clients/123/webhooks/" + created.ID + "/ping.json"
	if got := ops.ops[ping]; got != providers.OperationPing {
		t.Errorf("the ping request names the operation %q, want ping (requests: %v)", got, ops.ops)
	}
	if got := ops.ops["POST /ps/service/clients/123/webhooks.json"]; got != "create" {
		t.Errorf("the create request names the operation %q, want create (requests: %v)", got, ops.ops)
	}
}

// TestListIsCapped: a server that lists more webhooks for one OAuth client than the operator
// keeps for an account is refused, with a message that says so, rather than held in memory; at
// the cap it is listed whole.
func TestListIsCapped(t *testing.T) {
	e := newEnv(t)
	for range pageseeder.MaxListed {
		e.srv.Seed(internalID, fake.Hook{Name: "filler", URL: "https://filler.example/"})
	}
	req := newRequest(e.srv.URL(), "https://hooks.example.com/ps")
	listed, err := e.prov.List(context.Background(), req)
	if err != nil || len(listed) != pageseeder.MaxListed {
		t.Fatalf("List at the cap = %d remotes, %v; want %d", len(listed), err, pageseeder.MaxListed)
	}
	e.srv.Seed(internalID, fake.Hook{Name: "one too many", URL: "https://filler.example/"})
	_, err = e.prov.List(context.Background(), req)
	if providers.KindOf(err) != providers.KindUnavailable || !strings.Contains(err.Error(), "more than the 1000") {
		t.Errorf("List above the cap: %v, want Unavailable naming the cap", err)
	}
	// A server that a cluster administrator named (a ClusterAccount's) has the higher bound.
	req.AdminEndpoints = true
	if listed, err := e.prov.List(context.Background(), req); err != nil || len(listed) != pageseeder.MaxListed+1 {
		t.Errorf("List of a ClusterAccount's server above the tenants' cap = %d remotes, %v; want them all", len(listed), err)
	}
}
