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
	"hash/maphash"
	"slices"
	"testing"
	"time"
	"unsafe"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/providertest/example"
)

func indexedWebhook(ns, name, uid, id string, secrets ...string) *hooksv1alpha1.Webhook {
	wh := &hooksv1alpha1.Webhook{}
	wh.Namespace, wh.Name, wh.UID = ns, name, types.UID(uid)
	wh.Spec.Provider = example.Type
	wh.Status.ID = id
	if len(secrets) > 0 {
		wh.Spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: secrets[0]}
	}
	return wh
}

// The index follows the informer's adds, updates and deletes (tombstones too), answers who
// records a remote id without naming the asker, and lists a namespace's Webhooks only.
func TestWebhookIndex(t *testing.T) {
	reg := providers.Registry{example.Type: example.New("https://example.test", nil)}
	x := newWebhookIndex(reg)
	x.synced = func() bool { return true }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := &indexCheck{t: t, x: x, ctx: ctx}
	c.recordedOwners()
	c.sharedHash()
	c.namespacesAndSecrets()
	// Before the informer's first list has reached the index, an answer waits for it.
	x.synced = func() bool { return false }
	short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancelShort()
	if _, err := x.recordedBy(short, c.key("42"), ""); err == nil {
		t.Fatal("an index that has not seen the first list answered")
	}
}

// indexCheck is one webhookIndex under test, with its questions.
type indexCheck struct {
	t   *testing.T
	x   *webhookIndex
	ctx context.Context
}

// key is the index's key of remote id.
func (c *indexCheck) key(id string) string { return c.x.remoteKeyOf(indexedWebhook("", "", "", id)) }

// owners are the Webhooks that record remote id, but except.
func (c *indexCheck) owners(id string, except types.UID) []types.NamespacedName {
	c.t.Helper()
	got, err := c.x.recordedBy(c.ctx, c.key(id), except)
	if err != nil {
		c.t.Fatal(err)
	}
	return got
}

// recordedOwners: who records an id follows the Webhooks' status, a conflict names both, and
// nothing stays once no Webhook records the id.
func (c *indexCheck) recordedOwners() {
	t, x := c.t, c.x
	a := indexedWebhook("team-a", "a", "uid-a", "")
	b := indexedWebhook("team-b", "b", "uid-b", "42")
	x.put(a)
	x.put(b)
	if got := c.owners("42", "uid-a"); len(got) != 1 || got[0] != (types.NamespacedName{Namespace: "team-b", Name: "b"}) {
		t.Fatalf("owners of 42 = %v, want team-b/b", got)
	}
	if got := c.owners("42", "uid-b"); len(got) != 0 {
		t.Fatalf("a Webhook is named as the other owner of its own id: %v", got)
	}
	// a takes 42 as well (a conflict): both are recorded; then b moves to 43.
	a2 := indexedWebhook("team-a", "a", "uid-a", "42")
	x.put(a2)
	if got := c.owners("42", ""); len(got) != 2 {
		t.Fatalf("owners of 42 = %v, want both", got)
	}
	x.put(indexedWebhook("team-b", "b", "uid-b", "43"))
	if got := c.owners("42", ""); len(got) != 1 || got[0].Name != "a" {
		t.Fatalf("owners of 42 after b moved = %v, want a", got)
	}
	// b is deleted through a tombstone; a's status loses its id.
	x.remove(toolscache.DeletedFinalStateUnknown{Key: "team-b/b", Obj: b})
	x.put(a)
	if got := c.owners("43", ""); len(got) != 0 {
		t.Fatalf("a deleted Webhook still owns 43: %v", got)
	}
	if got := c.owners("42", ""); len(got) != 0 {
		t.Fatalf("a Webhook whose status lost its id still owns 42: %v", got)
	}
	if len(x.byRemote) != 0 || len(x.remoteOf) != 0 {
		t.Fatalf("the index keeps entries for no remote id: %v %v", x.byRemote, x.remoteOf)
	}
}

// sharedHash: a hash shared by two keys never names the Webhook of the other key.
func (c *indexCheck) sharedHash() {
	t, x := c.t, c.x
	z := indexedWebhook("team-z", "z", "uid-z", "99")
	x.put(z)
	h := maphash.String(x.seed, c.key("42"))
	x.byRemote[h] = append(x.byRemote[h], claim{uid: z.UID, key: types.NamespacedName{Namespace: "team-z", Name: "z"}})
	if got := c.owners("42", ""); len(got) != 0 {
		t.Fatalf("a Webhook recording 99 is named as the owner of 42 through a shared hash: %v", got)
	}
	delete(x.byRemote, h)
	x.remove(z)
}

// namespacesAndSecrets: the Webhooks of a namespace, those that read a Secret, and an emptied
// namespace leaving the index.
func (c *indexCheck) namespacesAndSecrets() {
	t, x := c.t, c.x
	x.put(indexedWebhook("team-a", "a", "uid-a", ""))
	x.put(indexedWebhook("team-a", "c", "uid-c", "", "creds"))
	var names []string
	x.eachInNamespace("team-a", func(wh *hooksv1alpha1.Webhook) { names = append(names, wh.Name) })
	slices.Sort(names)
	if !slices.Equal(names, []string{"a", "c"}) {
		t.Fatalf("team-a holds %v, want [a c]", names)
	}
	r := &WebhookReconciler{index: x}
	s := indexedWebhook("team-a", "creds", "uid-s", "")
	if reqs := r.webhooksForSecret(c.ctx, s); len(reqs) != 1 || reqs[0].Name != "c" {
		t.Fatalf("Secret creds maps to %v, want team-a/c only", reqs)
	}
	x.remove(indexedWebhook("team-a", "a", "uid-a", ""))
	x.remove(indexedWebhook("team-a", "c", "uid-c", ""))
	if len(x.byNamespace) != 0 {
		t.Fatalf("an emptied namespace stays in the index: %v", x.byNamespace)
	}
}

// Equal strings of cached objects share one copy; the table stays bounded.
func TestInternShares(t *testing.T) {
	in := newInterner()
	mk := func() *hooksv1alpha1.Webhook {
		wh := indexedWebhook(string([]byte("team-a")), "a", "uid-a", "", string([]byte("creds")))
		wh.Finalizers = []string{string([]byte("hooks.hookkeeper.dev/finalizer"))}
		wh.Status.Conditions = []metav1.Condition{{Type: string([]byte("Ready")), Reason: string([]byte("Created")), Message: string([]byte("made"))}}
		return wh
	}
	a, b := mk(), mk()
	in.internObject(a)
	in.internObject(b)
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	if !same(a.Namespace, b.Namespace) || !same(a.Spec.CredentialsRef.Name, b.Spec.CredentialsRef.Name) ||
		!same(a.Finalizers[0], b.Finalizers[0]) || !same(a.Status.Conditions[0].Reason, b.Status.Conditions[0].Reason) {
		t.Fatal("equal strings of two objects do not share one copy")
	}
	if a.Namespace != "team-a" || b.Status.Conditions[0].Reason != "Created" {
		t.Fatal("interning changed a value")
	}
	// The table's bounds are intern.Table's (tested there): at most 1024 strings, none over
	// 128 bytes.
	if in.table.MaxStrings != 1024 || in.table.MaxLen != 128 {
		t.Fatalf("the interner's bounds are %d strings of %d bytes, want 1024 of 128", in.table.MaxStrings, in.table.MaxLen)
	}
}

// TestIndexKeysOnTheRecordedAccount: a status that records the account its id lives on is indexed
// under that account, not the one the spec names now: after a tenant moves serverUrl, its old id
// matches no Webhook's id on the new account. Of two Webhooks recording one remote webhook, the
// older is the one that precedes, whichever asks.
func TestIndexKeysOnTheRecordedAccount(t *testing.T) {
	reg := providers.Registry{example.Type: example.New("https://example.test", nil)}
	x := newWebhookIndex(reg)
	x.synced = func() bool { return true }
	ctx := context.Background()
	here := identKey(example.Type, reg[example.Type].Account(nil))

	moved := indexedWebhook("tenant", "moved", "uid-moved", "791")
	moved.Status.RemoteAccount = identKey(example.Type, "https://tenant-server.example")
	victim := indexedWebhook("victim", "hook", "uid-victim", "791")
	victim.Status.RemoteAccount = here
	x.put(moved)
	x.put(victim)
	if got, _ := x.recordedBy(ctx, remoteKey(here, "791"), "uid-asker"); !slices.Equal(got, []types.NamespacedName{{Namespace: "victim", Name: "hook"}}) {
		t.Errorf("recorders of 791 here = %v, want the victim alone", got)
	}

	older := indexedWebhook("a", "older", "uid-b", "42")
	older.CreationTimestamp = metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	younger := indexedWebhook("b", "younger", "uid-a", "42")
	younger.CreationTimestamp = metav1.NewTime(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	legacy := indexedWebhook("c", "legacy", "uid-c", "42") // no remoteAccount: the spec's account
	legacy.CreationTimestamp = younger.CreationTimestamp
	for _, wh := range []*hooksv1alpha1.Webhook{older, younger, legacy} {
		wh.Status.RemoteAccount = ""
		x.put(wh)
	}
	older.Status.RemoteAccount = here
	x.put(older)
	key := remoteKey(here, "42")
	if first, ok, _ := x.precedingRecorder(ctx, key, younger); !ok || first.Name != "older" {
		t.Errorf("for the younger Webhook, %v (%v) precedes; want the older", first, ok)
	}
	if first, ok, _ := x.precedingRecorder(ctx, key, older); ok {
		t.Errorf("for the older Webhook, %v precedes; want none", first)
	}
	// Created in the same second: the smaller UID comes first.
	if first, ok, _ := x.precedingRecorder(ctx, key, legacy); !ok || first.Name != "older" {
		t.Errorf("for the legacy Webhook, %v (%v) precedes; want the older", first, ok)
	}
	older.Status.ID = ""
	x.put(older)
	if first, ok, _ := x.precedingRecorder(ctx, key, legacy); !ok || first.Name != "younger" {
		t.Errorf("at the same second, %v (%v) precedes the legacy Webhook; want the smaller UID's", first, ok)
	}
}
