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

package controllers

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
)

// TestNamespaceShareHoldsAcrossCredentials: a namespace's Webhooks together take at most the
// share of workers, however many accounts (credentials) they use, so a tenant with five hung
// credentials holds no more workers than a tenant with one; a freed slot wakes the namespace's
// waiting Webhook.
func TestNamespaceShareHoldsAcrossCredentials(t *testing.T) {
	now := time.Now()
	var woken []types.NamespacedName
	a := newAccounts(func() time.Time { return now }, 2, func(k types.NamespacedName) { woken = append(woken, k) })
	tenant := func(i int) types.NamespacedName {
		return types.NamespacedName{Namespace: "greedy", Name: fmt.Sprintf("hook-%d", i)}
	}
	var entered []*account
	for i := range 5 {
		acct := a.get(fmt.Sprintf("cred-%d", i), "scope", "PageSeeder|https://hung.example#client=1", nil)
		if a.enter(acct, tenant(i)) {
			entered = append(entered, acct)
		}
	}
	if len(entered) != 2 {
		t.Fatalf("%d Webhooks of one namespace, each on its own credential, entered; want the share, 2", len(entered))
	}
	other := a.get("cred-other", "scope", "Webex|https://webexapis.com/v1", nil)
	if !a.enter(other, types.NamespacedName{Namespace: "polite", Name: "hook"}) {
		t.Fatal("another namespace's Webhook found no worker")
	}
	a.leave(other, types.NamespacedName{Namespace: "polite", Name: "hook"})
	a.leave(entered[0], tenant(0))
	if len(woken) != 1 || woken[0].Namespace != "greedy" {
		t.Errorf("woken %v, want one of the greedy namespace's waiting Webhooks", woken)
	}
	if !a.enter(a.get("cred-4", "scope", "PageSeeder|https://hung.example#client=1", nil), tenant(4)) {
		t.Error("a freed namespace slot is not taken")
	}
}

// TestSweepFreesIdleAccounts: an account that no reconcile asked for during the idle time goes,
// snapshot and all; one that Webhooks still claim keeps its claims but drops its snapshot; one in
// use stays whole.
func TestSweepFreesIdleAccounts(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	a := newAccounts(func() time.Time { return now }, 1, nil)
	list := func(n int) func(context.Context) ([]*providers.Remote, error) {
		return func(context.Context) ([]*providers.Remote, error) {
			out := make([]*providers.Remote, n)
			for i := range out {
				out[i] = &providers.Remote{ID: fmt.Sprint(i)}
			}
			return out, nil
		}
	}
	clock := func() time.Time { return now }
	gone := a.get("cred-a", "scope-a", "P|a", nil)
	claimed := a.get("cred-b", "scope-b", "P|b", nil)
	for _, acct := range []*account{gone, claimed} {
		if err := acct.snapshot(context.Background(), clock, now, list(1000)); err != nil {
			t.Fatal(err)
		}
	}
	a.take(claimed, "uid-1", types.NamespacedName{Namespace: "ns", Name: "hook"}, "7")

	now = now.Add(5 * time.Minute)
	busy := a.get("cred-c", "scope-c", "P|c", nil)
	a.sweep(10 * time.Minute)
	if a.size() != 3 {
		t.Fatalf("%d accounts after a sweep before the idle time, want 3", a.size())
	}

	now = now.Add(6 * time.Minute)
	if !a.enter(busy, types.NamespacedName{Namespace: "ns", Name: "busy"}) {
		t.Fatal("enter")
	}
	a.sweep(10 * time.Minute)
	if a.size() != 2 {
		t.Errorf("%d accounts after the idle time, want 2: the claimed one and the busy one", a.size())
	}
	if again := a.get("cred-a", "scope-a", "P|a", nil); again == gone {
		t.Error("the idle account was kept")
	}
	if _, ok := claimed.find("1"); ok {
		t.Error("the claimed idle account kept its snapshot")
	}
	if c, ok := a.other(claimed, "uid-2", "7"); !ok || c.uid != "uid-1" {
		t.Error("the claimed idle account lost its claim")
	}
	if len(a.byIdent["P|a"]) != 1 {
		t.Errorf("%d account objects for the ident P|a, want the new one alone", len(a.byIdent["P|a"]))
	}
}

// TestGatesAreKeyedByCredentialAndAccount: the Retry-After gate (and the client-side rate) of a
// reconcile is its credential on its canonical account, so a 429 from a server that the same
// credential was aimed at holds back nothing on the real server, while every spelling of one
// account shares its gate.
func TestGatesAreKeyedByCredentialAndAccount(t *testing.T) {
	now := time.Now()
	r := &WebhookReconciler{Gates: NewGates(func() time.Time { return now }),
		accounts: newAccounts(func() time.Time { return now }, 1, nil)}
	prov := pageseeder.New(pageseeder.Options{AllowInsecure: true})
	creds := map[string][]byte{"clientId": []byte("same-client"), "clientSecret": []byte("same-secret")}
	gate := func(server string) string {
		wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "hook", UID: "uid"},
			Spec: hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderPageSeeder, TargetURL: "https://hooks.example.com/x",
				PageSeeder: &hooksv1alpha1.PageSeederSpec{ServerURL: server, Client: 1}}}
		req := &providers.Request{Owner: "ns/hook", Spec: &wh.Spec, Credentials: creds}
		return r.newSyncCtx(&tracked{wh: wh, base: wh.DeepCopy()}, prov, req).gate
	}
	hostile, real := gate("https://evil.example"), gate("https://ps.example.org")
	r.Gates.Block(hostile, time.Hour)
	if w := r.Gates.Wait(real); w != 0 {
		t.Errorf("the real server's gate waits %s after the hostile server's 429", w)
	}
	if w := r.Gates.Wait(gate("HTTPS://PS.Example.org:443/")); w != 0 {
		t.Errorf("another spelling of the real server waits %s", w)
	}
	if gate("HTTPS://PS.Example.org:443/") != real {
		t.Error("two spellings of one account have two gates")
	}
	if w := r.Gates.Wait(gate("https://evil.example.")); w != time.Hour {
		t.Errorf("the hostile server's gate, spelled otherwise, waits %s, want an hour", w)
	}
}

// TestSharedAccountServesTheNamespaceThatHoldsFewest: on one account shared by namespaces, a slot
// that frees goes to a waiting Webhook of the namespace that holds fewest of the account's slots,
// and while one waits, the namespace that holds more takes no new slot: one namespace creating
// hundreds of Webhooks does not hold back another namespace's first.
func TestSharedAccountServesTheNamespaceThatHoldsFewest(t *testing.T) {
	now := time.Now()
	var woken []types.NamespacedName
	a := newAccounts(func() time.Time { return now }, 2, func(k types.NamespacedName) { woken = append(woken, k) })
	shared := a.get("platform-cred", "scope", "Webex|https://webexapis.com/v1", nil)
	busy := func(i int) types.NamespacedName {
		return types.NamespacedName{Namespace: "busy", Name: fmt.Sprintf("hook-%d", i)}
	}
	first := types.NamespacedName{Namespace: "quiet", Name: "first"}
	if !a.enter(shared, busy(0)) || !a.enter(shared, busy(1)) {
		t.Fatal("the busy namespace could not take the account's two slots")
	}
	for i := 2; i < 50; i++ {
		if a.enter(shared, busy(i)) {
			t.Fatalf("busy Webhook %d entered a full account", i)
		}
	}
	if a.enter(shared, first) {
		t.Fatal("the quiet namespace's Webhook entered a full account")
	}
	a.leave(shared, busy(0))
	if len(woken) != 1 || woken[0] != first {
		t.Fatalf("woken %v, want the quiet namespace's first Webhook", woken)
	}
	// A busy Webhook that reaches a worker before the woken one does not take its slot.
	if a.enter(shared, busy(2)) {
		t.Error("the busy namespace took the freed slot while the quiet one waited")
	}
	if !a.enter(shared, first) {
		t.Fatal("the woken Webhook of the quiet namespace found no slot")
	}
	woken = nil
	a.leave(shared, first)
	if len(woken) != 1 || woken[0].Namespace != "busy" {
		t.Fatalf("woken %v, want a waiting Webhook of the busy namespace", woken)
	}
	if !a.enter(shared, woken[0]) {
		t.Error("with nobody poorer waiting, the busy namespace's woken Webhook found no slot")
	}
}
