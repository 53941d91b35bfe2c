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
// create/read/update/delete round trip, not-found after delete, idempotent delete, the candidates
// for adoption (List filtered by Matches), typed errors for 400/401/404/429/5xx with Retry-After
// carried, on every operation, no secret in any error string, no redirect followed, and a SaaS's
// message cut to one safe line; below the API, a closed or slow server, a create whose answer
// was lost, a transport that quotes the credentials, and credentials that cannot be used; and,
// for a SaaS that issues OAuth tokens, the failures of the token request. It also holds the
// account snapshot to its promises: List reports what Get reads, over every page; Scope is shared
// by the Webhooks of one account and names no secret; List's Remotes are fresh, and no method
// modifies them.
package providertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
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
	// Redirect makes the next API request with these credentials (not a token request) answer
	// status, a 3xx, with the Location header location.
	Redirect func(status int, location string)
	// Secrets are every credential and secret value the requests carry; none may appear in an error.
	Secrets []string
	// Count returns how many remote webhooks the simulator holds for these credentials.
	Count func() int
	// Requests returns how many requests the simulator received with these credentials so far,
	// failed ones included.
	Requests func() int
	// SetPageSize sets the largest page of the simulator's list endpoint; nil when the SaaS
	// answers its list in one piece.
	SetPageSize func(n int)

	// Name is the provider's name, which every error must carry; any name when empty.
	Name string
	// Ops maps an interface method (list, get, create, update, delete) to the Op its errors
	// carry when that is not the method's name.
	Ops map[string]string
	// NewProvider builds another provider like Provider, on the same simulator, over hc, so that
	// the table can record its requests, give it a short timeout or a transport that fails.
	NewProvider func(hc *http.Client) providers.Provider
	// Close stops the simulator: later requests cannot connect.
	Close func()
	// Delay makes the next API request with these credentials (not a token request) wait d
	// before it is answered.
	Delay func(d time.Duration)
	// DropCreate makes the next create request with these credentials be applied and its answer
	// lost: the connection is closed when status is 0, else status is answered.
	DropCreate func(status int)
	// MissingCredentials are credentials Secrets that the provider must refuse before any request.
	MissingCredentials []MissingCredentials
	// Token is the SaaS's OAuth token endpoint; nil when it issues no tokens.
	Token *TokenEnv
}

// Run runs the behaviour table against the Env that setup returns for each case.
func Run(t *testing.T, setup func(t *testing.T) *Env) {
	t.Run("round trip", func(t *testing.T) { roundTrip(t, setup(t)) })
	t.Run("delete", func(t *testing.T) { deleteTwice(t, setup(t)) })
	t.Run("candidates: list filtered by matches adopts what create made", func(t *testing.T) { candidates(t, setup(t)) })
	for _, c := range errorCases {
		t.Run("error "+c.name, func(t *testing.T) { typedError(t, setup(t), c) })
	}
	t.Run("no secret in errors", func(t *testing.T) { noSecretInErrors(t, setup(t)) })
	t.Run("no redirect is followed", func(t *testing.T) { noRedirect(t, setup(t)) })
	t.Run("SaaS text in errors is one short line", func(t *testing.T) { saasTextExcerpt(t, setup(t)) })
	t.Run("list reports what get reads", func(t *testing.T) { listLikeGet(t, setup(t)) })
	t.Run("scope", func(t *testing.T) { scope(t, setup(t)) })
	t.Run("list of an empty account", func(t *testing.T) { listEmpty(t, setup(t)) })
	t.Run("list follows pages", func(t *testing.T) { listPages(t, setup(t)) })
	t.Run("list remotes are fresh and never modified", func(t *testing.T) { listFresh(t, setup(t)) })
	runFailures(t, setup)
	if e := setup(t); e.Token != nil {
		runToken(t, setup)
	}
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
	checkShown(t, "Create", remote)
	return req, remote
}

// checkShown holds a Remote to what status, messages and events may show of it: an id that
// providers.ValidID accepts and a state that providers.State keeps as it is.
func checkShown(t *testing.T, op string, r *providers.Remote) {
	t.Helper()
	if !providers.ValidID(r.ID, providers.MaxID) {
		t.Fatalf("%s returned id %q, which providers.ValidID refuses", op, r.ID)
	}
	if providers.State(r.State) != r.State {
		t.Fatalf("%s returned state %q, not a providers.State token", op, r.State)
	}
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
	checkShown(t, "Get", got)
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

// candidates checks what the controller adopts instead of creating a duplicate: List filtered by
// Matches gives, for each Webhook created, exactly its own remote webhook, among others of the
// account, and nothing for a Webhook never created.
func candidates(t *testing.T, e *Env) {
	_, findable := mustCreate(t, e, "ns/findable")
	_, other := mustCreate(t, e, "ns/other")
	for owner, want := range map[string][]string{
		"ns/findable": {findable.ID}, "ns/other": {other.ID}, "ns/never-created": nil,
	} {
		req := e.Request(owner)
		listed := mustList(t, e, req)
		var got []string
		for _, id := range sortedIDs(listed) {
			if e.Provider.Matches(req, listed[id]) {
				got = append(got, id)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("for %s: List filtered by Matches = %v, want %v", owner, got, want)
		}
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

// redirectTarget is a server on another port of 127.0.0.1 that records what reaches it.
type redirectTarget struct {
	*httptest.Server
	mu       sync.Mutex
	received []string
}

func newRedirectTarget(t *testing.T) *redirectTarget {
	rt := &redirectTarget{}
	rt.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		rt.mu.Lock()
		defer rt.mu.Unlock()
		rt.received = append(rt.received, fmt.Sprintf("%s %s Authorization=%q body=%q", r.Method, r.URL, r.Header.Get("Authorization"), body))
	}))
	t.Cleanup(rt.Close)
	return rt
}

func (rt *redirectTarget) requests() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return slices.Clone(rt.received)
}

// noRedirect checks that a redirect of a read or of a write with a body (307 and 308 keep the
// method and body) sends nothing to its target, and that the error names the target's host but
// not its path or query.
func noRedirect(t *testing.T, e *Env) {
	if e.Redirect == nil {
		t.Fatal("the Env has no Redirect: every provider must show that it follows no redirect")
	}
	req, created := mustCreate(t, e, "ns/redirected")
	target := newRedirectTarget(t)
	location := target.URL + "/collect/path-secret?q=query-secret"
	host := strings.TrimPrefix(target.URL, "http://")
	calls := []struct {
		name   string
		status int
		call   func() error
	}{
		{"get", http.StatusFound, func() error { _, err := e.Provider.Get(ctx(t), req, created.ID); return err }},
		{"create", http.StatusTemporaryRedirect, func() error { _, err := e.Provider.Create(ctx(t), e.Request("ns/redirected-create")); return err }},
		{"delete", http.StatusPermanentRedirect, func() error { return e.Provider.Delete(ctx(t), req, created.ID) }},
	}
	for _, c := range calls {
		e.Redirect(c.status, location)
		err := c.call()
		if got := target.requests(); len(got) != 0 {
			t.Fatalf("%s answered %d: the redirect target received %v", c.name, c.status, got)
		}
		if k := providers.KindOf(err); err == nil || k != providers.KindUnavailable {
			t.Fatalf("%s answered %d: %v (kind %v), want an Unavailable error", c.name, c.status, err, k)
		}
		if msg := err.Error(); !strings.Contains(msg, host) || strings.Contains(msg, "path-secret") || strings.Contains(msg, "query-secret") {
			t.Fatalf("%s answered %d: error %q must name %s and neither the path nor the query", c.name, c.status, msg, host)
		}
	}
}

// saasTextExcerpt makes the SaaS answer with a message that tries to forge a log line, colour a
// terminal and reorder text, followed by a quarter of a mebibyte (Webex repeats its message in
// the answer, which a client reads up to a mebibyte): the error must keep the kind, and carry
// the start of the message on one short line.
func saasTextExcerpt(t *testing.T, e *Env) {
	req, created := mustCreate(t, e, "ns/verbose")
	const head = "line one\r\nlevel=info msg=forged \x1b[31mred\x1b[0m \u202eevil"
	e.Fault(400, "", head+strings.Repeat(" filler", (1<<18)/7))
	_, err := e.Provider.Get(ctx(t), req, created.ID)
	if k := providers.KindOf(err); err == nil || k != providers.KindInvalid {
		t.Fatalf("Get under a 400 with a long message: %v (kind %v), want Invalid", err, k)
	}
	msg := err.Error()
	if !strings.Contains(msg, "line one level=info msg=forged red evil filler") {
		t.Errorf("error %q lost the start of the SaaS's message", msg)
	}
	if strings.ContainsAny(msg, "\r\n\x1b\u202e") {
		t.Errorf("error %q keeps a control, escape or bidi character", msg)
	}
	if n := len([]rune(msg)); n > 2*providers.MaxExcerpt+100 {
		t.Errorf("error has %d characters: the SaaS's message was not cut", n)
	}
}

func mustList(t *testing.T, e *Env, req *providers.Request) map[string]*providers.Remote {
	t.Helper()
	listed, err := e.Provider.List(ctx(t), req)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	byID := make(map[string]*providers.Remote, len(listed))
	for _, r := range listed {
		if r == nil || r.ID == "" {
			t.Fatalf("List returned a remote without an id: %+v", r)
		}
		checkShown(t, "List", r)
		if _, dup := byID[r.ID]; dup {
			t.Fatalf("List returned %s twice", r.ID)
		}
		byID[r.ID] = r
	}
	return byID
}

func sortedIDs[T any](m map[string]T) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// remoteDiff describes how two remotes differ in what Diff, Update and the controller read, or
// returns "" when they agree.
func remoteDiff(a, b *providers.Remote) string {
	var d []string
	if a.ID != b.ID {
		d = append(d, fmt.Sprintf("ID %q vs %q", a.ID, b.ID))
	}
	if a.State != b.State {
		d = append(d, fmt.Sprintf("State %q vs %q", a.State, b.State))
	}
	if a.Active != b.Active || a.Pending != b.Pending || a.SelfReactivating != b.SelfReactivating {
		d = append(d, fmt.Sprintf("Active/Pending/SelfReactivating %v/%v/%v vs %v/%v/%v",
			a.Active, a.Pending, a.SelfReactivating, b.Active, b.Pending, b.SelfReactivating))
	}
	if (a.Created == nil) != (b.Created == nil) || (a.Created != nil && !a.Created.Equal(*b.Created)) {
		d = append(d, fmt.Sprintf("Created %v vs %v", a.Created, b.Created))
	}
	if !reflect.DeepEqual(a.Object, b.Object) {
		d = append(d, fmt.Sprintf("Object %+v vs %+v", a.Object, b.Object))
	}
	return strings.Join(d, "; ")
}

// samePointer reports whether two objects are the same non-nil pointer.
func samePointer(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.Kind() == reflect.Pointer && vb.Kind() == reflect.Pointer && !va.IsNil() && va.Pointer() == vb.Pointer()
}

// listLikeGet checks that the snapshot can stand in for Get: the webhooks of two Webhooks of one
// account are both listed, each as Get reads it, and Diff finds nothing to do on them.
func listLikeGet(t *testing.T, e *Env) {
	reqA, a := mustCreate(t, e, "ns/listed-a")
	reqB, b := mustCreate(t, e, "ns/listed-b")
	if sa, sb := e.Provider.Scope(reqA), e.Provider.Scope(reqB); sa != sb {
		t.Fatalf("two Webhooks of one account have the scopes %q and %q", sa, sb)
	}
	listed := mustList(t, e, reqA)
	if got, want := sortedIDs(listed), sortedIDs(map[string]bool{a.ID: true, b.ID: true}); !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	for _, c := range []struct {
		req, other *providers.Request
		id         string
	}{{reqA, reqB, a.ID}, {reqB, reqA, b.ID}} {
		l := listed[c.id]
		got, err := e.Provider.Get(ctx(t), c.req, c.id)
		if err != nil {
			t.Fatalf("Get(%s): %v", c.id, err)
		}
		if d := remoteDiff(got, l); d != "" {
			t.Errorf("List and Get disagree on %s: %s", c.id, d)
		}
		if d := e.Provider.Diff(c.req, l); d.Action != providers.ActionNone {
			t.Errorf("Diff of the listed %s with the request that created it = %v %v, want None", c.id, d.Action, d.Fields)
		}
		if !e.Provider.Matches(c.req, l) {
			t.Errorf("Matches(%s, its own webhook %s) = false", c.req.Owner, c.id)
		}
		if e.Provider.Matches(c.other, l) {
			t.Errorf("Matches(%s, %s) = true, but %s is another Webhook's", c.other.Owner, c.id, c.id)
		}
	}
}

// scope checks that Webhooks of one account share a scope, and that it can be logged and used
// as a key: no credential or secret of the request is in it, and it costs no request.
func scope(t *testing.T, e *Env) {
	a, b := e.Request("ns/scope-a"), e.Request("ns/scope-b")
	b.Spec.TargetURL += "/elsewhere"
	before := e.Requests()
	sa, sb := e.Provider.Scope(a), e.Provider.Scope(b)
	if n := e.Requests() - before; n != 0 {
		t.Errorf("Scope made %d requests, want none", n)
	}
	if sa == "" {
		t.Fatal("Scope is empty")
	}
	if sa != sb {
		t.Fatalf("requests differing in owner and target URL have the scopes %q and %q", sa, sb)
	}
	secrets := append([]string{}, e.Secrets...)
	for _, v := range a.Credentials {
		secrets = append(secrets, strings.TrimSpace(string(v)))
	}
	for _, v := range a.Secrets {
		secrets = append(secrets, v)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(sa, s) {
			t.Fatalf("Scope %q holds a credential or secret", sa)
		}
	}
}

func listEmpty(t *testing.T, e *Env) {
	listed, err := e.Provider.List(ctx(t), e.Request("ns/nothing-yet"))
	if err != nil {
		t.Fatalf("List of an empty account: %v", err)
	}
	if len(listed) != 0 {
		t.Fatalf("List of an empty account returned %d remotes", len(listed))
	}
}

// listPages checks that List reads every page: with pages of one webhook, three webhooks take
// three requests at least.
func listPages(t *testing.T, e *Env) {
	want := map[string]bool{}
	for _, owner := range []string{"ns/page-1", "ns/page-2", "ns/page-3"} {
		_, r := mustCreate(t, e, owner)
		want[r.ID] = true
	}
	if e.SetPageSize != nil {
		e.SetPageSize(1)
	}
	before := e.Requests()
	listed := mustList(t, e, e.Request("ns/page-1"))
	if got := sortedIDs(listed); !slices.Equal(got, sortedIDs(want)) {
		t.Fatalf("List = %v, want %v", got, sortedIDs(want))
	}
	if n := e.Requests() - before; e.SetPageSize != nil && n < 3 {
		t.Fatalf("List of three webhooks on pages of one made %d requests: the pages were not used", n)
	}
}

// listFresh checks that each List answers values of its own, which the controller may keep and
// share between Webhooks, and that Diff, Matches and Update leave the Remote they are given as
// it was.
func listFresh(t *testing.T, e *Env) {
	req, created := mustCreate(t, e, "ns/fresh")
	first, second := mustList(t, e, req), mustList(t, e, req)
	if !slices.Equal(sortedIDs(first), sortedIDs(second)) {
		t.Fatalf("two Lists disagree: %v and %v", sortedIDs(first), sortedIDs(second))
	}
	for id, r := range first {
		if r == second[id] || samePointer(r.Object, second[id].Object) {
			t.Fatalf("two Lists share the remote %s", id)
		}
		if d := remoteDiff(r, second[id]); d != "" {
			t.Fatalf("two Lists disagree on %s: %s", id, d)
		}
	}
	given, pristine := first[created.ID], second[created.ID]
	e.Provider.Diff(req, given)
	e.Provider.Matches(req, given)
	changed := e.Request("ns/fresh")
	e.Mutate(changed)
	if d := e.Provider.Diff(changed, given); d.Action != providers.ActionUpdate {
		t.Fatalf("Diff after Mutate = %v %v, want Update", d.Action, d.Fields)
	}
	updated, err := e.Provider.Update(ctx(t), changed, given)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if d := remoteDiff(given, pristine); d != "" {
		t.Fatalf("Diff, Matches or Update modified the Remote they were given: %s", d)
	}
	if updated == given || samePointer(updated.Object, given.Object) {
		t.Fatal("Update returned the Remote it was given, or shares its object")
	}
}
