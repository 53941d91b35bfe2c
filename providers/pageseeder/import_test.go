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
	"slices"
	"strconv"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
)

// TestSpecOfRoundTrip creates webhooks from specs, lists them and writes each back with SpecOf:
// the spec must describe the webhook so exactly that adopting it changes nothing.
func TestSpecOfRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	basic := e.newRequest()
	full := e.newRequest(func(r *providers.Request) {
		r.Owner = "team-b/publishing"
		r.Spec.TargetURL = e.recv.url("/publish")
		r.Spec.PageSeeder.Name = "publishing events"
		r.Spec.PageSeeder.Events = []string{"uri.modified", "comment.*"}
		r.Spec.PageSeeder.Groups = []string{"acme-docs", "acme-authors"}
		r.Spec.PageSeeder.Projects = nil
		r.Spec.PageSeeder.Server = boolPtr(true)
		r.Spec.PageSeeder.Format = "xml"
		r.Spec.PageSeeder.Object = "basic"
		r.Spec.PageSeeder.InsecureSSL = boolPtr(true)
	})
	byID := map[string]*providers.Request{}
	for _, req := range []*providers.Request{basic, full} {
		created, err := e.prov.Create(ctx, req)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		byID[created.ID] = req
	}

	scope := e.newRequest(func(r *providers.Request) {
		r.Spec.TargetURL = ""
		r.Spec.CredentialsRef.Name = "imported"
		r.Spec.PageSeeder = &hooksv1alpha1.PageSeederSpec{ServerURL: e.srv.URL(), ServicePath: "/ps/service", Client: internalID}
	})
	remotes, err := e.prov.List(ctx, scope)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(remotes) != 2 {
		t.Fatalf("List returned %d webhooks, want 2", len(remotes))
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
		if spec.CredentialsRef.Name != "imported" || spec.TargetURL != orig.Spec.TargetURL || spec.Enabled != nil || len(secrets) != 0 {
			t.Errorf("SpecOf(%s) = %+v, secrets %v", remote.ID, spec, secrets)
		}
		got, want := spec.PageSeeder, orig.Spec.PageSeeder
		wantName := want.Name
		if wantName == "" {
			wantName = orig.Owner
		}
		if got.ServerURL != e.srv.URL() || got.ServicePath != "/ps/service" || got.Client != internalID || got.Name != wantName ||
			!slices.Equal(got.Events, sorted(want.Events)) || !slices.Equal(got.Projects, sorted(want.Projects)) ||
			!slices.Equal(got.Groups, sorted(want.Groups)) || got.Ping != nil {
			t.Errorf("pageSeeder block = %+v, want the fields of %+v named %q", got, want, wantName)
		}
		// json and minimal are the defaults, left out; anything else is kept.
		if want.Format == "json" && got.Format != "" || want.Format == "xml" && got.Format != "xml" ||
			want.Object == "minimal" && got.Object != "" || want.Object == "basic" && got.Object != "basic" {
			t.Errorf("format, object = %q, %q; want those of %+v without defaults", got.Format, got.Object, want)
		}
		if (got.Server != nil) != (want.Server != nil) || (got.InsecureSSL != nil) != (want.InsecureSSL != nil) {
			t.Errorf("server, insecureSSL = %v, %v; want %v, %v", got.Server, got.InsecureSSL, want.Server, want.InsecureSSL)
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

// TestSpecOfPendingOrDisabled: a webhook that is pending or that PageSeeder reports disabled keeps
// enabled at its default, since false would delete it; a pending one only asks for its ping.
func TestSpecOfPendingOrDisabled(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	pending := e.srv.Seed(internalID, fake.Hook{Name: "pending", URL: e.recv.url("/p"), Status: fake.StatusPending})
	disabled := e.srv.Seed(internalID, fake.Hook{Name: "disabled", URL: e.recv.url("/d"), Status: "disabled"})
	scope := e.newRequest(func(r *providers.Request) { r.Spec.PageSeeder.Events = nil })
	remotes, err := e.prov.List(ctx, scope)
	if err != nil || len(remotes) != 2 {
		t.Fatalf("List = %d webhooks, %v; want 2", len(remotes), err)
	}
	for _, remote := range remotes {
		spec, _, ok := e.prov.SpecOf(scope, remote)
		if !ok || spec.Enabled != nil {
			t.Fatalf("SpecOf(%s) = %+v, %v; want enabled unset", remote.ID, spec, ok)
		}
		d := e.prov.Diff(&providers.Request{Owner: "x/y", Spec: &spec}, remote)
		switch remote.ID {
		case idOf(pending):
			if d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, []string{"pageSeeder.ping"}) {
				t.Errorf("Diff(pending) = %v %v, want only the ping", d.Action, d.Fields)
			}
		case idOf(disabled):
			if d.Action != providers.ActionNone || remote.Active {
				t.Errorf("Diff(disabled) = %v %v (active %v), want None", d.Action, d.Fields, remote.Active)
			}
		}
	}
}

func TestSpecOfRefusesForeignObjects(t *testing.T) {
	p := pageseeder.New(pageseeder.Options{})
	for _, r := range []*providers.Remote{nil, {ID: "1"}, {ID: "1", Object: "not a webhook"}} {
		if _, _, ok := p.SpecOf(nil, r); ok {
			t.Errorf("SpecOf(%+v) ok, want false", r)
		}
	}
}

func sorted(items []string) []string {
	if len(items) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(items))
}

func idOf(h fake.Hook) string {
	return strconv.FormatInt(h.ID, 10)
}
