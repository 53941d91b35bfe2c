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

package operator

import (
	"context"
	"testing"

	promtestutil "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/metrics"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog/catalogtest"
)

// TestRegistryOfTheTestsCatalog builds the registry of the tests' catalog (the four providers and
// the test-only example) exactly as Run builds the catalog's, each provider's base URL flag
// pointing at its simulator: every provider is in it, and a create and a delete through it reach
// the simulator with the operator's User-Agent, land in the simulator's mutation log, and are
// counted under the provider's name. A fifth provider needs nothing of the operator but its line
// in the catalog.
func TestRegistryOfTheTestsCatalog(t *testing.T) {
	loopback, err := egress.Parse("127.0.0.1/32")
	if err != nil {
		t.Fatal(err)
	}
	o := newOperator(t, "--allow-insecure-endpoints")
	o.cfg.Egress = loopback
	o.build.Version = "v0.0.0-seam"
	descs := catalogtest.All()
	sims := catalogtest.Simulators()
	if len(sims) != len(descs) {
		t.Fatalf("%d simulators for %d providers", len(sims), len(descs))
	}
	urls, fakes := serveSimulators(t, sims)
	for _, d := range descs {
		if d.APIURL != nil {
			u := urls[d.Name]
			o.cfg.APIURLs[d.Name] = &u
		}
	}
	reg := o.registryOf(descs)
	if len(reg) != len(descs) {
		t.Fatalf("the registry has %d providers, the tests' catalog %d", len(reg), len(descs))
	}
	ua := o.userAgent()
	for _, d := range descs {
		t.Run(d.Name, func(t *testing.T) {
			fake := fakes[d.Name]
			if fake == nil {
				t.Fatalf("no simulator for %s", d.Name)
			}
			p := reg[d.Type]
			if p == nil {
				t.Fatalf("the registry has no %s", d.Type)
			}
			before := requestsOf(d.Name)
			createAndDelete(t, p, d, fake, urls[d.Name])
			got := fake.Mutations()
			if len(got) < 2 {
				t.Fatalf("the simulator's mutation log holds %d changes after a create and a delete", len(got))
			}
			for _, m := range got {
				if m.UserAgent != ua {
					t.Errorf("%s reached the simulator with User-Agent %q, want the operator's %q", m.Kind, m.UserAgent, ua)
				}
			}
			if n := requestsOf(d.Name) - before; n < 2 {
				t.Errorf("hookkeeper_saas_requests_total{provider=%q} grew by %v for a create and a delete", d.Name, n)
			}
		})
	}
}

// serveSimulators serves each simulator on a loopback port, and returns their API URLs and the
// simulators by provider name.
func serveSimulators(t *testing.T, sims []simulator.Descriptor) (map[string]string, map[string]simulator.Local) {
	t.Helper()
	urls := map[string]string{}
	fakes := map[string]simulator.Local{}
	for _, sd := range sims {
		fake, err := sd.Serve(false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = fake.Close() })
		urls[sd.Provider], fakes[sd.Provider] = fake.URL, fake.Local
	}
	return urls, fakes
}

// createAndDelete creates a remote webhook of the provider's sample spec on an account of the
// simulator, and deletes it, through the registry's provider.
func createAndDelete(t *testing.T, p providers.Provider, d providers.Descriptor, fake simulator.Local, url string) {
	t.Helper()
	acct := fake.NewAccount("seam", url)
	spec := d.Sample()
	spec.TargetURL = "https://hooks.example.com/seam/" + d.Name
	acct.Spec(&spec, 0)
	req := acct.Request("seam/"+d.Name, &spec)
	ctx := context.Background()
	if err := p.Validate(req); err != nil {
		t.Fatal(err)
	}
	remote, err := p.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Delete(ctx, req, remote.ID); err != nil {
		t.Fatal(err)
	}
}

// requestsOf sums hookkeeper_saas_requests_total over the provider's operations and codes.
func requestsOf(provider string) float64 {
	var total float64
	for _, op := range []string{"list", "get", "create", "update", "delete", "token", providers.OperationPing, "other"} {
		for _, code := range []string{"200", "201", "202", "204", "404", "error"} {
			total += promtestutil.ToFloat64(metrics.SaaSRequests.WithLabelValues(provider, op, code))
		}
	}
	return total
}
