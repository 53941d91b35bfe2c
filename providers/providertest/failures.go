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

package providertest

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
)

// MissingCredentials is a credentials Secret the provider must refuse before sending anything.
type MissingCredentials struct {
	Name        string
	Credentials map[string][]byte
	// Keys are the credential keys, quoted, that the error must name, such as `"token"`.
	Keys []string
}

// runFailures adds the checks of failures below the API: a closed or slow server, a lost answer,
// a transport that quotes the credentials, and credentials that cannot be used.
func runFailures(t *testing.T, setup func(t *testing.T) *Env) {
	t.Run("typed errors on every operation", func(t *testing.T) { typedErrorsEveryOp(t, setup) })
	t.Run("closed server is unavailable", func(t *testing.T) { closedServer(t, setup(t)) })
	t.Run("timeout is unavailable", func(t *testing.T) { timeout(t, setup(t)) })
	t.Run("dropped create answer is found again/connection closed", func(t *testing.T) { droppedCreate(t, setup(t), 0) })
	t.Run("dropped create answer is found again/502 from a gateway", func(t *testing.T) {
		droppedCreate(t, setup(t), http.StatusBadGateway)
	})
	t.Run("transport error text is scrubbed", func(t *testing.T) { leakyTransport(t, setup(t)) })
	t.Run("missing credentials make no request", func(t *testing.T) { missingCredentials(t, setup) })
}

// opName is the Op that errors of the interface method name carry.
func (e *Env) opName(name string) string {
	if op, ok := e.Ops[name]; ok {
		return op
	}
	return name
}

// need fails the check when the Env lacks a hook it needs: every provider must pass it.
func need(t *testing.T, set bool, hook string) {
	t.Helper()
	if !set {
		t.Fatalf("the Env has no %s: every provider must pass this check", hook)
	}
}

// op is one call of the provider interface, on the remote webhook given.
type op struct {
	name string
	call func(t *testing.T, p providers.Provider, req *providers.Request, remote *providers.Remote) error
}

var ops = []op{
	{"list", func(t *testing.T, p providers.Provider, req *providers.Request, _ *providers.Remote) error {
		_, err := p.List(ctx(t), req)
		return err
	}},
	{"get", func(t *testing.T, p providers.Provider, req *providers.Request, r *providers.Remote) error {
		_, err := p.Get(ctx(t), req, r.ID)
		return err
	}},
	{"create", func(t *testing.T, p providers.Provider, req *providers.Request, _ *providers.Remote) error {
		_, err := p.Create(ctx(t), req)
		return err
	}},
	{"update", func(t *testing.T, p providers.Provider, req *providers.Request, r *providers.Remote) error {
		_, err := p.Update(ctx(t), req, r)
		return err
	}},
	{"delete", func(t *testing.T, p providers.Provider, req *providers.Request, r *providers.Remote) error {
		return p.Delete(ctx(t), req, r.ID)
	}},
}

// typedErrorsEveryOp makes each operation meet each failing status: the error is a
// *providers.Error of the status's kind that carries the status, the provider's name, an
// operation, the SaaS's message, its tracking id when it sent one, and Retry-After; and neither
// its text nor its fields carry a credential or secret that the SaaS echoed.
func typedErrorsEveryOp(t *testing.T, setup func(t *testing.T) *Env) {
	for _, c := range errorCases {
		for _, o := range ops {
			if o.name == "delete" && c.status == http.StatusNotFound {
				continue // already gone is success
			}
			t.Run(c.name+"/"+o.name, func(t *testing.T) {
				e := setup(t)
				req, created := mustCreate(t, e, "ns/every-op")
				remote, err := e.Provider.Get(ctx(t), req, created.ID)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if o.name == "update" {
					e.Mutate(req)
				}
				e.Fault(c.status, c.retryAfter, "simulated failure for "+strings.Join(e.Secrets, " / "))
				err = o.call(t, e.Provider, req, remote)
				pe := testutil.ProviderError(t, err)
				if pe.Kind != c.kind || pe.StatusCode != c.status || pe.Op != e.opName(o.name) || pe.Provider == "" ||
					(e.Name != "" && pe.Provider != e.Name) {
					t.Errorf("%s under a %d fault: %v (kind %v, status %d, op %q, provider %q), want kind %v with the status and op %q",
						o.name, c.status, err, pe.Kind, pe.StatusCode, pe.Op, pe.Provider, c.kind, e.opName(o.name))
				}
				if c.wait > 0 && pe.RetryAfter != c.wait {
					t.Errorf("Retry-After %s carried as %s", c.retryAfter, pe.RetryAfter)
				}
				if c.status != http.StatusNotFound && (!strings.Contains(pe.Message, "simulated failure") || !strings.Contains(pe.Message, "[redacted]")) {
					t.Errorf("message %q lost the SaaS's text, or shows no redaction of the echoed secrets", pe.Message)
				}
				if pe.TrackingID != "" && !strings.Contains(pe.Error(), pe.TrackingID) {
					t.Errorf("tracking id %q is not in %q", pe.TrackingID, pe.Error())
				}
				testutil.AssertNoSecrets(t, err, e.Secrets, e.Secrets)
			})
		}
	}
}

// closedServer: once the SaaS cannot be reached, every call fails Unavailable, without a status,
// wrapping the dial error, and naming no secret.
func closedServer(t *testing.T, e *Env) {
	need(t, e.Close != nil, "Close")
	req, created := mustCreate(t, e, "ns/closed")
	e.Close()
	for _, o := range []op{ops[0], ops[2], ops[4]} {
		err := o.call(t, e.Provider, req, created)
		pe := testutil.ProviderError(t, err)
		if pe.Kind != providers.KindUnavailable || pe.StatusCode != 0 || pe.Err == nil || (o.name == "list" && pe.Op != "list") {
			t.Errorf("%s on a closed server: %v (kind %v, status %d, op %q, wrapped %v), want Unavailable wrapping the cause",
				o.name, err, pe.Kind, pe.StatusCode, pe.Op, pe.Err)
		}
		var opErr *net.OpError
		if !errors.As(err, &opErr) {
			t.Errorf("%s: the dial error is not reachable through Unwrap: %v", o.name, err)
		}
		testutil.AssertNoSecrets(t, err, e.Secrets, e.Secrets)
	}
}

// timeout: an answer later than the client's timeout is an Unavailable timeout.
func timeout(t *testing.T, e *Env) {
	need(t, e.NewProvider != nil && e.Delay != nil, "NewProvider or Delay")
	req, created := mustCreate(t, e, "ns/slow")
	p := e.NewProvider(&http.Client{Timeout: 200 * time.Millisecond})
	if _, err := p.List(ctx(t), req); err != nil { // a token, where the SaaS needs one, is not what is slow
		t.Fatalf("List: %v", err)
	}
	e.Delay(2 * time.Second)
	_, err := p.Get(ctx(t), req, created.ID)
	pe := testutil.ProviderError(t, err)
	var ne net.Error
	if pe.Kind != providers.KindUnavailable || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("Get of a late answer: %v (kind %v), want an Unavailable timeout", err, pe.Kind)
	}
	testutil.AssertNoSecrets(t, err, e.Secrets, e.Secrets)
}

// droppedCreate: a create the SaaS applied but whose answer was lost fails Unavailable (with
// the gateway's status, if any), and List filtered by Matches then finds the webhook to adopt.
func droppedCreate(t *testing.T, e *Env, status int) {
	need(t, e.DropCreate != nil, "DropCreate")
	req := e.Request("ns/dropped")
	e.DropCreate(status)
	_, err := e.Provider.Create(ctx(t), req)
	if pe := testutil.ProviderError(t, err); pe.Kind != providers.KindUnavailable || pe.StatusCode != status {
		t.Fatalf("Create whose answer was lost = %v (kind %v, status %d), want Unavailable %d", err, pe.Kind, pe.StatusCode, status)
	}
	if n := e.Count(); n != 1 {
		t.Fatalf("the simulator holds %d webhooks, want the 1 whose answer was lost", n)
	}
	found, err := testutil.Candidates(ctx(t), e.Provider, req)
	if err != nil || len(found) != 1 {
		t.Errorf("candidates = %v, %v; want the lost webhook", found, err)
	}
}

// leakyTransport: a transport whose error quotes the Authorization header (of a token request
// too) gives an Unavailable error with the value redacted, Basic credentials included.
func leakyTransport(t *testing.T, e *Env) {
	need(t, e.NewProvider != nil, "NewProvider")
	p := e.NewProvider(&http.Client{Transport: testutil.LeakyTransport{}})
	_, err := p.Create(ctx(t), e.Request("ns/leaky-transport"))
	pe := testutil.ProviderError(t, err)
	if pe.Kind != providers.KindUnavailable || !strings.Contains(pe.Error(), "[redacted]") {
		t.Fatalf("Create over a leaky transport: %v (kind %v), want Unavailable with the echoed credential redacted", err, pe.Kind)
	}
	const basic = "Basic " // the base64 of client credentials must not survive either
	if i := strings.Index(pe.Error(), basic); i >= 0 && !strings.HasPrefix(pe.Error()[i+len(basic):], "[redacted]") {
		t.Errorf("the Basic credentials survived: %q", pe.Error())
	}
	testutil.AssertNoSecrets(t, err, e.Secrets, e.Secrets)
}

// missingCredentials: credentials that cannot be used fail every call, before any request, as
// MissingCredentials of the method called, naming the keys to set.
func missingCredentials(t *testing.T, setup func(t *testing.T) *Env) {
	e := setup(t)
	need(t, e.NewProvider != nil && len(e.MissingCredentials) > 0, "NewProvider or MissingCredentials")
	for _, c := range e.MissingCredentials {
		t.Run(c.Name, func(t *testing.T) {
			e := setup(t)
			req, created := mustCreate(t, e, "ns/no-credentials")
			remote, err := e.Provider.Get(ctx(t), req, created.ID)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			rec := &testutil.Recorder{}
			p := e.NewProvider(&http.Client{Transport: rec})
			req.Credentials = c.Credentials
			for _, o := range ops {
				err := o.call(t, p, req, remote)
				pe := testutil.ProviderError(t, err)
				if pe.Kind != providers.KindMissingCredentials || pe.Op != o.name {
					t.Errorf("%s: %v (kind %v, op %q), want MissingCredentials of that op", o.name, err, pe.Kind, pe.Op)
				}
				for _, k := range c.Keys {
					if !strings.Contains(pe.Message, k) || !strings.Contains(pe.Error(), k) {
						t.Errorf("%s: %q does not name %s", o.name, pe.Error(), k)
					}
				}
				testutil.AssertNoSecrets(t, err, e.Secrets, e.Secrets)
			}
			if n := rec.Count(); n != 0 {
				t.Errorf("%d requests were made without usable credentials: %+v", n, rec.All())
			}
		})
	}
}
