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

// Package providertest is the behaviour table every provider and its simulator must pass: the
// create/read/update/delete round trip, not-found after delete, idempotent delete, adoption
// through Find, typed errors for 400/401/404/429/5xx with Retry-After carried, and no secret in
// any error string.
package providertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/providers"
)

// Env is one provider wired to a fresh simulator, with one set of valid credentials.
type Env struct {
	// Provider is the provider under test, pointed at the simulator.
	Provider providers.Provider
	// Request returns a valid request for a webhook owned by owner ("<namespace>/<name>");
	// different owners must give webhooks that do not collide.
	Request func(owner string) *providers.Request
	// Mutate changes req in a way the SaaS applies in place (Diff must say ActionUpdate).
	Mutate func(req *providers.Request)
	// Fault makes the next API request with these credentials (not a token request) fail with
	// status, the Retry-After header value retryAfter (none when empty) and message in the body.
	Fault func(status int, retryAfter, message string)
	// Secrets are every credential and secret value the requests carry; none may appear in an error.
	Secrets []string
	// Count returns how many remote webhooks the simulator holds for these credentials.
	Count func() int
}

// Run runs the behaviour table against the Env that setup returns for each case.
func Run(t *testing.T, setup func(t *testing.T) *Env) {
	t.Run("round trip", func(t *testing.T) { roundTrip(t, setup(t)) })
	t.Run("delete", func(t *testing.T) { deleteTwice(t, setup(t)) })
	t.Run("find adopts what create made", func(t *testing.T) { find(t, setup(t)) })
	for _, c := range errorCases {
		t.Run("error "+c.name, func(t *testing.T) { typedError(t, setup(t), c) })
	}
	t.Run("no secret in errors", func(t *testing.T) { noSecretInErrors(t, setup(t)) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func mustCreate(t *testing.T, e *Env, owner string) (*providers.Request, *providers.Remote) {
	t.Helper()
	req := e.Request(owner)
	if err := e.Provider.Validate(req); err != nil {
		t.Fatalf("Validate of a valid request: %v", err)
	}
	remote, err := e.Provider.Create(ctx(t), req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if remote == nil || remote.ID == "" {
		t.Fatalf("Create returned no id: %+v", remote)
	}
	return req, remote
}

func roundTrip(t *testing.T, e *Env) {
	req, created := mustCreate(t, e, "ns/round-trip")
	if n := e.Count(); n != 1 {
		t.Fatalf("simulator holds %d webhooks after one create, want 1", n)
	}
	got, err := e.Provider.Get(ctx(t), req, created.ID)
	if err != nil {
		t.Fatalf("Get(%s): %v", created.ID, err)
	}
	if got.ID != created.ID || !got.Active || got.State == "" {
		t.Fatalf("Get returned %+v, want id %s, active, with a state", got, created.ID)
	}
	if d := e.Provider.Diff(req, got); d.Action != providers.ActionNone {
		t.Fatalf("Diff right after create = %v %v, want None", d.Action, d.Fields)
	}
	e.Mutate(req)
	d := e.Provider.Diff(req, got)
	if d.Action != providers.ActionUpdate || len(d.Fields) == 0 {
		t.Fatalf("Diff after Mutate = %v %v, want Update with the fields", d.Action, d.Fields)
	}
	if _, err := e.Provider.Update(ctx(t), req, got); err != nil {
		t.Fatalf("Update: %v", err)
	}
	after, err := e.Provider.Get(ctx(t), req, created.ID)
	if err != nil {
		t.Fatalf("Get after Update: %v", err)
	}
	if after.ID != created.ID {
		t.Fatalf("Update changed the id from %s to %s", created.ID, after.ID)
	}
	if d := e.Provider.Diff(req, after); d.Action != providers.ActionNone {
		t.Fatalf("Diff after Update = %v %v, want None", d.Action, d.Fields)
	}
	if n := e.Count(); n != 1 {
		t.Fatalf("simulator holds %d webhooks after create and update, want 1", n)
	}
}

func deleteTwice(t *testing.T, e *Env) {
	req, created := mustCreate(t, e, "ns/delete-me")
	if err := e.Provider.Delete(ctx(t), req, created.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := e.Provider.Get(ctx(t), req, created.ID); !providers.IsNotFound(err) {
		t.Fatalf("Get after Delete = %v, want a NotFound error", err)
	}
	if err := e.Provider.Delete(ctx(t), req, created.ID); err != nil {
		t.Fatalf("second Delete = %v, want nil (already gone is success)", err)
	}
	if n := e.Count(); n != 0 {
		t.Fatalf("simulator holds %d webhooks after delete, want 0", n)
	}
}

func find(t *testing.T, e *Env) {
	req, created := mustCreate(t, e, "ns/findable")
	mustCreate(t, e, "ns/other")
	found, err := e.Provider.Find(ctx(t), req)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(found) != 1 || found[0].ID != created.ID {
		ids := []string{}
		for _, f := range found {
			ids = append(ids, f.ID)
		}
		t.Fatalf("Find = %v, want exactly [%s]", ids, created.ID)
	}
	fresh := e.Request("ns/never-created")
	none, err := e.Provider.Find(ctx(t), fresh)
	if err != nil {
		t.Fatalf("Find for a webhook never created: %v", err)
	}
	if len(none) != 0 {
		t.Fatalf("Find for a webhook never created returned %d candidates", len(none))
	}
}

type errorCase struct {
	name       string
	status     int
	retryAfter string
	kind       providers.Kind
	wait       time.Duration
}

var errorCases = []errorCase{
	{name: "400", status: 400, kind: providers.KindInvalid},
	{name: "401", status: 401, kind: providers.KindUnauthorized},
	{name: "403", status: 403, kind: providers.KindUnauthorized},
	{name: "404", status: 404, kind: providers.KindNotFound},
	{name: "429", status: 429, retryAfter: "7", kind: providers.KindRateLimited, wait: 7 * time.Second},
	{name: "500", status: 500, kind: providers.KindUnavailable},
	{name: "503", status: 503, kind: providers.KindUnavailable},
}

func typedError(t *testing.T, e *Env, c errorCase) {
	req, created := mustCreate(t, e, "ns/faulty")
	e.Fault(c.status, c.retryAfter, "simulated failure")
	_, err := e.Provider.Get(ctx(t), req, created.ID)
	if err == nil {
		t.Fatalf("Get under a %d fault succeeded", c.status)
	}
	if k := providers.KindOf(err); k != c.kind {
		t.Fatalf("Get under a %d fault: kind %v (%v), want %v", c.status, k, err, c.kind)
	}
	if c.wait > 0 && providers.RetryAfter(err) != c.wait {
		t.Fatalf("Retry-After %s carried as %s, want %s", c.retryAfter, providers.RetryAfter(err), c.wait)
	}
	if !strings.Contains(err.Error(), "simulated failure") && c.status != 404 {
		t.Fatalf("the SaaS's message is lost: %q", err.Error())
	}
}

func noSecretInErrors(t *testing.T, e *Env) {
	req, created := mustCreate(t, e, "ns/leaky")
	echo := "rejected: " + strings.Join(e.Secrets, " / ")
	for _, status := range []int{400, 401, 429, 500} {
		e.Fault(status, "1", echo)
		_, err := e.Provider.Get(ctx(t), req, created.ID)
		if err == nil {
			t.Fatalf("Get under a %d fault succeeded", status)
		}
		for _, s := range e.Secrets {
			if s != "" && strings.Contains(err.Error(), s) {
				t.Fatalf("HTTP %d: error %q contains a secret", status, err.Error())
			}
		}
	}
}
