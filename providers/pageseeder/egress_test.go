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
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
)

// rebindName is a host name that the tests' resolver answers with 127.0.0.1: as a name of the
// tenant's would that resolved to a public address when it was checked, and to the cluster's
// own network when it is used.
const rebindName = "ps.rebind.example"

// egressEnv is a fake PageSeeder on 127.0.0.1 behind a provider configured as the operator
// configures it: Egress is the policy, and the transport at the bottom of HTTPClient dials
// through it, resolving names with a resolver of the test's own.
type egressEnv struct {
	srv  *fake.Server
	prov *pageseeder.Provider
	// byName is the fake's URL with rebindName in place of 127.0.0.1.
	byName string
}

func newEgressEnv(t *testing.T, policy string) *egressEnv {
	t.Helper()
	srv := fake.New()
	t.Cleanup(srv.Close)
	srv.AddClient(clientID, clientSecret, internalID)
	srv.AddToken("plain-token-5e6f7a8b")
	srv.SetPingResult(func(string) error { return nil })
	resolver := testutil.NewResolver(map[string][]netip.Addr{rebindName: {netip.MustParseAddr("127.0.0.1")}})
	p := mustPolicy(policy).WithResolver(resolver.Resolver)
	hc := &http.Client{Transport: p.Transport(), Timeout: 10 * time.Second}
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.Host = net.JoinHostPort(rebindName, u.Port())
	return &egressEnv{srv: srv, byName: u.String(),
		prov: pageseeder.New(pageseeder.Options{HTTPClient: hc, AllowInsecure: true, Egress: p})}
}

// calls runs every operation of the provider for req; each returns its error.
func calls(p *pageseeder.Provider, req *providers.Request) map[string]func() error {
	ctx := context.Background()
	existing := &providers.Remote{ID: "789", Object: &pageseeder.Webhook{ID: 789, URL: "https://old.example.com/"}}
	return map[string]func() error{
		"validate": func() error { return p.Validate(req) },
		"list":     func() error { _, err := p.List(ctx, req); return err },
		"find":     func() error { _, err := testutil.Candidates(ctx, p, req); return err },
		"get":      func() error { _, err := p.Get(ctx, req, "789"); return err },
		"create":   func() error { _, err := p.Create(ctx, req); return err },
		"update":   func() error { _, err := p.Update(ctx, req, existing); return err },
		"delete":   func() error { return p.Delete(ctx, req, "789") },
	}
}

// assertRefusedEndpoint checks that err is the Invalid error on serverUrl that the controller
// reports as InvalidSpec, naming the flag and not the address a name resolved to.
func assertRefusedEndpoint(t *testing.T, op string, err error, resolved bool) {
	t.Helper()
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindInvalid || pe.Field != "pageSeeder.serverUrl" {
		t.Fatalf("%s: %v (kind %v, field %q), want Invalid on pageSeeder.serverUrl", op, err, pe.Kind, pe.Field)
	}
	msg := pe.Error()
	if !strings.Contains(msg, "spec.pageSeeder.serverUrl") || !strings.Contains(msg, "--endpoint-allowlist") {
		t.Errorf("%s: %q must name spec.pageSeeder.serverUrl and --endpoint-allowlist", op, msg)
	}
	if !errors.As(err, new(*egress.RefusedError)) {
		t.Errorf("%s: %v does not wrap the refusal", op, err)
	}
	if resolved && strings.Contains(msg, "127.0.0.1") {
		t.Errorf("%s: %q names the address the name resolved to", op, msg)
	}
}

// TestEgressRefusesTheServerBeforeAnyRequest: with a policy that allows nothing private, a
// serverUrl on 127.0.0.1 fails every operation as Invalid, and the server hears nothing.
func TestEgressRefusesTheServerBeforeAnyRequest(t *testing.T) {
	for _, policy := range []string{"", "10.0.0.0/8", "ps.example.com", "*.corp.example,192.168.0.0/16"} {
		t.Run("policy "+policy, func(t *testing.T) {
			e := newEgressEnv(t, policy)
			req := newRequest(e.srv.URL(), "https://hooks.example.com/ps")
			for op, call := range calls(e.prov, req) {
				assertRefusedEndpoint(t, op, call(), false)
			}
			if n := e.srv.RequestsTotal(); n != 0 {
				t.Errorf("%d requests reached the server", n)
			}
		})
	}
}

// TestEgressAllowsTheListedServer: the same server is reached once the policy allows it, by
// its address or by a listed name, whatever that name resolves to.
func TestEgressAllowsTheListedServer(t *testing.T) {
	for _, c := range []struct{ policy, by string }{
		{"127.0.0.1/32", "address"}, {"127.0.0.1/32", "name"}, {rebindName, "name"}, {"*.rebind.example", "name"},
	} {
		t.Run(c.policy+" by "+c.by, func(t *testing.T) {
			e := newEgressEnv(t, c.policy)
			server := e.srv.URL()
			if c.by == "name" {
				server = e.byName
			}
			req := newRequest(server, "https://hooks.example.com/ps")
			if err := e.prov.Validate(req); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			created, err := e.prov.Create(context.Background(), req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if err := e.prov.Delete(context.Background(), req, created.ID); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if e.srv.RequestsTotal() == 0 {
				t.Fatal("no request reached the server")
			}
		})
	}
}

// TestEgressRefusesARebindingNameWhenDialing: a name passes every check that can be made
// before connecting, and resolves to 127.0.0.1 when the connection is made. The dialer refuses
// the connection, for the token request and for each service call with a plain token, as
// Invalid on serverUrl, and no request reaches the server.
func TestEgressRefusesARebindingNameWhenDialing(t *testing.T) {
	for _, policy := range []string{"", "10.0.0.0/8"} {
		t.Run("policy "+policy, func(t *testing.T) {
			e := newEgressEnv(t, policy)
			oauth := newRequest(e.byName, "https://hooks.example.com/ps")
			if err := e.prov.Validate(oauth); err != nil {
				t.Fatalf("Validate must leave a name to the dialer: %v", err)
			}
			_, err := e.prov.List(context.Background(), oauth)
			assertRefusedEndpoint(t, "token", err, true)
			if pe := testutil.ProviderError(t, err); pe.Op != "token" {
				t.Errorf("op %q, want token", pe.Op)
			}
			plain := newRequest(e.byName, "https://hooks.example.com/ps", func(r *providers.Request) {
				r.Credentials = map[string][]byte{pageseeder.CredentialToken: []byte("plain-token-5e6f7a8b")}
			})
			for op, call := range calls(e.prov, plain) {
				if op != "validate" {
					assertRefusedEndpoint(t, op, call(), true)
				}
			}
			if n := e.srv.RequestsTotal(); n != 0 {
				t.Errorf("%d requests reached the server", n)
			}
		})
	}
}

// TestNilEgressIsTheEmptyPolicy: without Egress, a serverUrl on 127.0.0.1 is refused before
// any request, even with a client whose transport checks nothing.
func TestNilEgressIsTheEmptyPolicy(t *testing.T) {
	srv := fake.New()
	defer srv.Close()
	srv.AddClient(clientID, clientSecret, internalID)
	p := pageseeder.New(pageseeder.Options{HTTPClient: &http.Client{Timeout: 5 * time.Second}, AllowInsecure: true})
	_, err := p.List(context.Background(), newRequest(srv.URL(), "https://hooks.example.com/ps"))
	assertRefusedEndpoint(t, "list", err, false)
	if n := srv.RequestsTotal(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}
