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

package sharding

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// apiServer starts a real API server for the Lease tests, or skips them without one.
func apiServer(t *testing.T) client.Client {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is unset: no API server for the Leases (make test sets it)")
	}
	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "hookkeeper-system"}}); err != nil {
		t.Fatal(err)
	}
	return c
}

// clock is a settable time for the members, so that a Lease can run out without waiting.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// TestMembershipHandsOverThroughLeases runs three members against a real API server: their
// assignments partition the hash space; a joining member starts only the slots their previous
// owner has let go; a member that leaves, or whose Lease runs out, gives its slots to the
// others; when namespaces arrive and the slots are cut finer, the members hand the pieces over;
// and at no step does any hash run on two members.
func TestMembershipHandsOverThroughLeases(t *testing.T) {
	c := apiServer(t)
	ctx := t.Context()
	clk := &clock{t: time.Now()}
	var namespaces []string
	member := func(id string) *Membership {
		return &Membership{Client: c, Namespace: "hookkeeper-system", Identity: id, Duration: 15 * time.Second, Now: clk.now,
			Namespaces: func(context.Context) ([]string, error) { return namespaces, nil }}
	}
	held := map[string][]Slot{}
	// step syncs every member in order, each then stopping what it must and starting what it
	// may; after each member's turn, no two members' running slots may overlap.
	step := func(ms ...*Membership) map[string]View {
		t.Helper()
		views := map[string]View{}
		for _, m := range ms {
			v, err := m.Sync(ctx, held[m.Identity])
			if err != nil {
				t.Fatal(err)
			}
			held[m.Identity] = union(slices.DeleteFunc(slices.Clone(held[m.Identity]), func(s Slot) bool { return slices.Contains(v.Stop, s) }), v.Start)
			views[m.Identity] = v
			for id, slots := range held {
				for other, theirs := range held {
					if id < other && len(without(slots, theirs)) != len(slots) {
						t.Fatalf("after %s's turn, %s and %s run overlapping slots: %s and %s", m.Identity, id, other, Format(slots), Format(theirs))
					}
				}
			}
		}
		return views
	}
	share := func(ids ...string) float64 {
		var all []Slot
		for _, id := range ids {
			all = append(all, held[id]...)
		}
		return Share(all)
	}
	a, b, cc := member("a"), member("b"), member("c")

	// Alone, a takes everything.
	step(a)
	if got := share("a"); got != 1 {
		t.Fatalf("a alone runs %v of the space, want all", got)
	}
	// b joins: it may start nothing a still runs. Once a has synced and let go of what it lost,
	// b starts its share.
	v := step(b)
	if len(v["b"].Assigned) == 0 || len(v["b"].Start) != 0 {
		t.Fatalf("b joining: assigned %d, start %d; want a share, and nothing to start while a runs it", len(v["b"].Assigned), len(v["b"].Start))
	}
	step(a, b)
	step(a, b)
	step(a, b)
	if share("a", "b") != 1 || len(held["b"]) == 0 {
		t.Fatalf("after the handover a runs %v and b %v of the space, want all between them", share("a"), share("b"))
	}
	// c joins; a slot moving from one member to another takes three rounds: the old owner stops
	// it, then lets it go in its Lease, then the new owner starts it.
	step(cc)
	step(a, b, cc)
	step(a, b, cc)
	views := step(a, b, cc)
	for _, id := range []string{"a", "b", "c"} {
		if len(notCoveredBy(held[id], views[id].Assigned)) > 0 || len(notCoveredBy(views[id].Assigned, held[id])) > 0 {
			t.Errorf("%s runs %s, is assigned %s", id, Format(held[id]), Format(views[id].Assigned))
		}
	}
	if got := share("a", "b", "c"); got != 1 {
		t.Fatalf("the three run %v of the space, want all", got)
	}

	// Namespaces arrive, crowded where their hash puts them: the slots are cut finer, and the
	// members hand the pieces over without overlap, each with its share of the namespaces.
	for i := range 300 {
		namespaces = append(namespaces, fmt.Sprintf("team-%03d", i))
	}
	for range 4 {
		views = step(a, b, cc)
	}
	if got := share("a", "b", "c"); got != 1 {
		t.Fatalf("after the cut, the three run %v of the space, want all", got)
	}
	for _, id := range []string{"a", "b", "c"} {
		n := 0
		for _, ns := range namespaces {
			if Covered(held[id], ns) {
				n++
			}
		}
		if n < 90 || n > 110 {
			t.Errorf("%s runs %d of the 300 namespaces, want about 100", id, n)
		}
		if views[id].Slots <= 1<<MinDepth {
			t.Errorf("%s cut the space into %d slots for 300 crowded namespaces", id, views[id].Slots)
		}
	}

	// b leaves gracefully: its workers stop, then its Lease goes; a and c take its slots.
	held["b"] = nil
	if err := b.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	step(a, cc)
	step(a, cc)
	step(a, cc)
	if got := share("a", "c"); got != 1 {
		t.Fatalf("after b left, a and c run %v of the space, want all", got)
	}

	// c dies: its Lease is not renewed. Until it runs out nobody takes c's slots; then a does.
	dead := slices.Clone(held["c"])
	clk.t = clk.t.Add(10 * time.Second)
	step(a)
	if len(without(held["a"], dead)) != len(held["a"]) {
		t.Fatalf("a runs slots of c before c's Lease ran out")
	}
	clk.t = clk.t.Add(10 * time.Second)
	delete(held, "c") // c is gone: nothing of it runs any more
	step(a)
	if got := share("a"); got != 1 {
		t.Fatalf("after c's Lease ran out, a runs %v of the space, want all", got)
	}

	// The Leases say who holds what, for anyone who looks.
	var lease coordinationv1.Lease
	if err := c.Get(ctx, client.ObjectKey{Namespace: "hookkeeper-system", Name: LeaseName("a")}, &lease); err != nil {
		t.Fatal(err)
	}
	fromLease, err := Parse(lease.Annotations[HeldAnnotation])
	if err != nil || Share(fromLease) != 1 || lease.Labels[MemberLabel] != "true" || *lease.Spec.HolderIdentity != "a" {
		t.Errorf("a's Lease: labels %v, annotations %v, holder %v", lease.Labels, lease.Annotations, *lease.Spec.HolderIdentity)
	}
}

// TestMembershipRefusesAnUnreadableLease: a Lease whose held slots cannot be read stops the
// sync rather than count as holding nothing.
func TestMembershipRefusesAnUnreadableLease(t *testing.T) {
	c := apiServer(t)
	ctx := context.Background()
	now := time.Now()
	renew := metav1.NewMicroTime(now)
	bad := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Namespace: "hookkeeper-system", Name: LeaseName("broken"),
			Labels: map[string]string{MemberLabel: "true"}, Annotations: map[string]string{HeldAnnotation: "0-999"}},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: new("broken"), LeaseDurationSeconds: new(int32(15)), RenewTime: &renew},
	}
	if err := c.Create(ctx, bad); err != nil {
		t.Fatal(err)
	}
	m := &Membership{Client: c, Namespace: "hookkeeper-system", Identity: "a", Duration: 15 * time.Second}
	if _, err := m.Sync(ctx, nil); err == nil {
		t.Fatal("Sync read a Lease with held slots 0-999 as if it held nothing")
	}
}

// TestWholeMemberAndShardedMembersNeverOverlap: the leader of an operator that does not shard
// claims the whole space; during a rolling update between the two modes it starts only once the
// sharded replicas hold nothing, and they start nothing while it holds the space.
func TestWholeMemberAndShardedMembersNeverOverlap(t *testing.T) {
	c := apiServer(t)
	ctx := t.Context()
	clk := &clock{t: time.Now()}
	member := func(id string, whole bool) *Membership {
		return &Membership{Client: c, Namespace: "hookkeeper-system", Identity: id, Duration: 15 * time.Second, Now: clk.now, Whole: whole}
	}
	held := map[string][]Slot{}
	sync := func(m *Membership) View {
		t.Helper()
		v, err := m.Sync(ctx, held[m.Identity])
		if err != nil {
			t.Fatal(err)
		}
		held[m.Identity] = union(slices.DeleteFunc(slices.Clone(held[m.Identity]), func(s Slot) bool { return slices.Contains(v.Stop, s) }), v.Start)
		for id, slots := range held {
			for other, theirs := range held {
				if id < other && len(without(slots, theirs)) != len(slots) {
					t.Fatalf("after %s's turn, %s and %s run overlapping slots: %s and %s", m.Identity, id, other, Format(slots), Format(theirs))
				}
			}
		}
		return v
	}

	// Sharded replicas a and b run the space; the leader of a new, unsharded version arrives.
	a, b, leader := member("a", false), member("b", false), member("leader", true)
	for range 4 {
		sync(a)
		sync(b)
	}
	if Share(append(slices.Clone(held["a"]), held["b"]...)) != 1 {
		t.Fatalf("a and b run %s and %s", Format(held["a"]), Format(held["b"]))
	}
	for range 3 {
		sync(leader)
		sync(a)
		sync(b)
	}
	if len(held["leader"]) != 0 {
		t.Fatalf("the leader started %s while sharded replicas still ran slots", Format(held["leader"]))
	}
	// The old pods go, one after the other: the leader starts only once both are gone.
	held["a"] = nil
	if err := a.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	sync(leader)
	sync(b)
	if len(held["leader"]) != 0 {
		t.Fatal("the leader started while b still ran slots")
	}
	held["b"] = nil
	if err := b.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	sync(leader)
	if Share(held["leader"]) != 1 {
		t.Fatalf("alone, the leader runs %s, want the whole space", Format(held["leader"]))
	}

	// And back: sharded replicas arrive while the leader runs; they start nothing until it goes,
	// and they share the space between themselves, leaving the leader out.
	c2, d := member("c", false), member("d", false)
	for range 3 {
		sync(c2)
		sync(d)
		sync(leader)
	}
	if len(held["c"])+len(held["d"]) != 0 {
		t.Fatalf("sharded replicas started %s and %s while the leader held the space", Format(held["c"]), Format(held["d"]))
	}
	if v := sync(c2); Share(v.Assigned) < 0.4 {
		t.Errorf("c is assigned %v of the space while the leader lives, want about half: the leader takes no share", Share(v.Assigned))
	}
	held["leader"] = nil
	if err := leader.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		sync(c2)
		sync(d)
	}
	if Share(append(slices.Clone(held["c"]), held["d"]...)) != 1 || len(held["c"]) == 0 || len(held["d"]) == 0 {
		t.Fatalf("after the leader left, c and d run %s and %s, want the space between them", Format(held["c"]), Format(held["d"]))
	}
}

// TestProcessIdentity: two processes of one replica name get distinct Lease identities, each
// the name and a suffix, fit for a Lease name.
func TestProcessIdentity(t *testing.T) {
	a, b := ProcessIdentity("hookkeeper-5d8f9-x7k2q"), ProcessIdentity("hookkeeper-5d8f9-x7k2q")
	if a == b {
		t.Fatalf("two processes share the identity %s", a)
	}
	for _, id := range []string{a, b} {
		if !strings.HasPrefix(id, "hookkeeper-5d8f9-x7k2q-") {
			t.Errorf("identity %s does not start with the replica's name", id)
		}
		if errs := validation.IsDNS1123Subdomain(LeaseName(id)); len(errs) > 0 {
			t.Errorf("Lease name %s: %v", LeaseName(id), errs)
		}
	}
}

// TestPruneDeletesOnlyStaleLeases runs against a real API server: Prune deletes the Leases not
// renewed for staleAfter Lease durations, and keeps the live one, the one that ran out lately,
// its own whatever its age, and a stale one renewed between its read and its delete.
func TestPruneDeletesOnlyStaleLeases(t *testing.T) {
	c := apiServer(t)
	ctx := t.Context()
	clk := &clock{t: time.Now()}
	const duration = 15 * time.Second
	member := func(id string) *Membership {
		return &Membership{Client: c, Namespace: "hookkeeper-system", Identity: id, Name: "pod", Duration: duration, Now: clk.now}
	}
	start := clk.t
	for _, id := range []string{"self", "stale", "renewed"} {
		if _, err := member(id).Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	clk.t = start.Add(staleAfter*duration - time.Second)
	if _, err := member("recent").Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	clk.t = start.Add(staleAfter*duration + time.Second)
	if _, err := member("live").Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// "renewed" is renewed after Prune has listed it: a client that renews it on the first delete.
	renewing := &renewOnDelete{Client: c, renew: member("renewed"), lease: LeaseName("renewed")}
	self := member("self")
	self.Client = renewing
	pruned, err := self.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pruned, []string{LeaseName("stale")}) {
		t.Errorf("pruned %v, want only %s", pruned, LeaseName("stale"))
	}
	var list coordinationv1.LeaseList
	if err := c.List(ctx, &list, client.InNamespace("hookkeeper-system"), client.HasLabels{MemberLabel}); err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, l := range list.Items {
		left = append(left, l.Name)
		if l.Annotations[ReplicaAnnotation] != "pod" {
			t.Errorf("Lease %s names replica %q, want pod", l.Name, l.Annotations[ReplicaAnnotation])
		}
	}
	slices.Sort(left)
	want := []string{LeaseName("live"), LeaseName("recent"), LeaseName("renewed"), LeaseName("self")}
	if !slices.Equal(left, want) {
		t.Errorf("Leases left %v, want %v", left, want)
	}
}

// renewOnDelete renews one member's Lease just before the first delete of it goes through.
type renewOnDelete struct {
	client.Client
	renew *Membership
	lease string
	done  bool
}

func (c *renewOnDelete) Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error {
	if obj.GetName() == c.lease && !c.done {
		c.done = true
		if err := c.renew.Hold(ctx, nil); err != nil {
			return err
		}
	}
	return c.Client.Delete(ctx, obj, opts...)
}
