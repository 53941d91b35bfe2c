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
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
)

// TestListKeepsSlimWebhooks checks that a listed Remote keeps only what Diff, Matches, Update and
// SpecOf read (the controller keeps every listed Remote in its account snapshot), and that Diff
// and Update still work from it.
func TestListKeepsSlimWebhooks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.newRequest(func(r *providers.Request) { r.Spec.PageSeeder.Ping = boolPtr(false) })
	created, err := e.prov.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	listed, err := e.prov.List(ctx, req)
	if err != nil || len(listed) != 1 {
		t.Fatalf("List = %v, %v; want one remote", listed, err)
	}
	l := listed[0]
	for _, r := range []*providers.Remote{created, l} {
		w := r.Object.(*pageseeder.Webhook)
		if w.Created != "" {
			t.Errorf("Remote.Object keeps the creation text %q, already parsed into Remote.Created", w.Created)
		}
		if r.Created == nil {
			t.Error("Remote.Created is nil: the creation time must still be parsed before it is dropped")
		}
		if w.Name != owner || w.URL != req.Spec.TargetURL || !slices.Equal(w.Events, req.Spec.PageSeeder.Events) ||
			!slices.Equal(w.Projects, req.Spec.PageSeeder.Projects) || w.Format != "json" || w.Object != "minimal" || w.ClientID != internalID {
			t.Errorf("Remote.Object = %+v, want every field Diff, Matches and SpecOf read", *w)
		}
	}

	if d := e.prov.Diff(req, l); d.Action != providers.ActionNone {
		t.Errorf("Diff with the creating request = %v %v, want None", d.Action, d.Fields)
	}
	if !e.prov.Matches(req, l) {
		t.Error("Matches with the creating request = false")
	}
	if spec, _, ok := e.prov.SpecOf(req, l); !ok || !slices.Equal(spec.PageSeeder.Events, []string{"comment.*", "membership.created"}) {
		t.Errorf("SpecOf = %+v %v, want the events", spec, ok)
	}
	changed := e.newRequest(func(r *providers.Request) {
		r.Spec.PageSeeder.Ping = boolPtr(false)
		r.Spec.PageSeeder.Events = []string{"comment.*"}
	})
	if d := e.prov.Diff(changed, l); d.Action != providers.ActionUpdate || !slices.Equal(d.Fields, []string{"pageSeeder.events"}) {
		t.Errorf("Diff with fewer events = %v %v, want Update pageSeeder.events", d.Action, d.Fields)
	}
	updated, err := e.prov.Update(ctx, changed, l)
	if err != nil {
		t.Fatalf("Update from the listed remote: %v", err)
	}
	if d := e.prov.Diff(changed, updated); d.Action != providers.ActionNone {
		t.Errorf("Diff after Update = %v %v, want None", d.Action, d.Fields)
	}
	if w := updated.Object.(*pageseeder.Webhook); w.Created != "" {
		t.Errorf("Update returned %+v, want the slim webhook", *w)
	}
}
