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

package simulator_test

import (
	"context"
	"net/http"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog/catalogtest"
)

// TestEverySimulatorRecordsMutations drives each provider of the tests' catalog (the example
// included), built from its descriptor with a User-Agent as the operator builds it (Build),
// against its simulator: the create, the update and the delete are recorded in order, each with
// the User-Agent, the remote id and the target URL; reads are not.
func TestEverySimulatorRecordsMutations(t *testing.T) {
	loopback, err := egress.Parse("127.0.0.1/32")
	if err != nil {
		t.Fatal(err)
	}
	ua := providers.UserAgent("v0.0.0-test", "replica-x")
	for _, sd := range catalogtest.Simulators() {
		t.Run(sd.Provider, func(t *testing.T) {
			d, ok := catalogtest.ByName(sd.Provider)
			if !ok {
				t.Fatalf("no provider %q in the catalog", sd.Provider)
			}
			fake, err := sd.Serve(false)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = fake.Close() })
			url := fake.URL
			acct := fake.NewAccount("mutations", url)

			settings := providers.Settings{HTTPClient: &http.Client{Transport: loopback.Transport()}, AllowInsecure: true,
				Egress: loopback, UserAgent: ua}
			if d.APIURL != nil {
				settings.BaseURL = url
			}
			p := d.Build(settings)
			spec := hooksv1alpha1.WebhookSpec{Provider: d.Type, TargetURL: "https://hooks.example.com/team-a/first"}
			acct.Spec(&spec, 0)
			req := acct.Request("team-a/first", &spec)
			driveLifecycle(t, p, req)
			checkMutations(t, fake.Mutations(), ua, spec.TargetURL)
		})
	}
}

// driveLifecycle validates req and, through p, creates its remote webhook, lists, moves it to
// another target URL (updating it if p says so) and deletes it.
func driveLifecycle(t *testing.T, p providers.Implementation, req *providers.Request) {
	t.Helper()
	ctx := context.Background()
	if err := p.Validate(req); err != nil {
		t.Fatal(err)
	}
	remote, err := p.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.List(ctx, req); err != nil {
		t.Fatal(err)
	}
	req.Spec.TargetURL = "https://hooks.example.com/team-a/second"
	if d := p.Diff(req, remote); d.Action == providers.ActionUpdate {
		if remote, err = p.Update(ctx, req, remote); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Delete(ctx, req, remote.ID); err != nil {
		t.Fatal(err)
	}
}

// checkMutations checks the mutations got of driveLifecycle: each with the User-Agent ua, the
// remote id and a time, a create first and a delete last, all of the created remote, the
// delete with the updated target URL when there was an update.
func checkMutations(t *testing.T, got []simulator.Mutation, ua, updated string) {
	t.Helper()
	var kinds []simulator.MutationKind
	for _, m := range got {
		kinds = append(kinds, m.Kind)
		if m.UserAgent != ua || m.Remote == "" || m.Time.IsZero() {
			t.Errorf("%s: User-Agent %q, remote %q, time %v; want %q, an id and a time", m.Kind, m.UserAgent, m.Remote, m.Time, ua)
		}
		if m.Name != "" && m.Name != "team-a/first" {
			t.Errorf("%s: name %q, want the owner's marker team-a/first or none", m.Kind, m.Name)
		}
	}
	t.Logf("mutations: %v", kinds)
	if len(got) < 2 || got[0].Kind != simulator.MutationCreate || got[len(got)-1].Kind != simulator.MutationDelete {
		t.Fatalf("mutations %v: want a create first and a delete last", kinds)
	}
	if got[0].TargetURL != "https://hooks.example.com/team-a/first" {
		t.Errorf("the create's target URL is %q", got[0].TargetURL)
	}
	for _, m := range got[1:] {
		if m.Remote != got[0].Remote {
			t.Errorf("%s of remote %q, want the created %q", m.Kind, m.Remote, got[0].Remote)
		}
	}
	if last := got[len(got)-1]; last.TargetURL != updated && len(got) > 2 {
		t.Errorf("the delete's target URL is %q, want the updated %q (mutations %v)", last.TargetURL, updated, kinds)
	}
}
