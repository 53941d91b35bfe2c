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
	ms := newLeaseMembers(t)
	var namespaces []string
	member := func(id string) *Membership {
		m := ms.member(id)
		m.Namespaces = func(context.Context) ([]string, error) { return namespaces, nil }
		return m
	}
	a, b, cc := member("a"), member("b"), member("c")
	checkMembersJoin(t, ms, a, b, cc)

	// Namespaces arrive, crowded where their hash puts them: the slots are cut finer, and the
	// members hand the pieces over without overlap, each with its share of the namespaces.
	for i := range 300 {
		namespaces = append(namespaces, fmt.Sprintf("team-%03d", i))
	}
	checkMembersCutFiner(t, ms, namespaces, a, b, cc)
	checkMembersLeaveAndDie(t, ms, a, b, cc)

	// The Leases say who holds what, for anyone who looks.
	var lease coordinationv1.Lease
	if err := ms.c.Get(ms.ctx, client.ObjectKey{Namespace: "hookkeeper-system", Name: LeaseName("a")}, &lease); err != nil {
		t.Fatal(err)
	}
	fromLease, err := Parse(lease.Annotations[HeldAnnotation])
	if err != nil || Share(fromLease) != 1 || lease.Labels[MemberLabel] != "true" || *lease.Spec.HolderIdentity != "a" {
		t.Errorf("a's Lease: labels %v, annotations %v, holder %v", lease.Labels, lease.Annotations, *lease.Spec.HolderIdentity)
	}
}

// leaseMembers runs Memberships against a real API server on a settable clock, and tracks the slots
// each member runs.
type leaseMembers struct {
	c    client.Client
	ctx  context.Context
	clk  *clock
	held map[string][]Slot
}

// newLeaseMembers starts an API server for leaseMembers.
func newLeaseMembers(t *testing.T) *leaseMembers {
	return &leaseMembers{c: apiServer(t), ctx: t.Context(), clk: &clock{t: time.Now()}, held: map[string][]Slot{}}
}

// member is the Membership of id in hookkeeper-system, with a Lease of 15 seconds on ms's clock.
func (ms *leaseMembers) member(id string) *Membership {
	return &Membership{Client: ms.c, Namespace: "hookkeeper-system", Identity: id, Duration: 15 * time.Second, Now: ms.clk.now}
}

// sync syncs m, which then stops what it must and starts what it may; after its turn, no two
// members' running slots may overlap.
func (ms *leaseMembers) sync(t *testing.T, m *Membership) View {
	t.Helper()
	v, err := m.Sync(ms.ctx, ms.held[m.Identity])
	if err != nil {
		t.Fatal(err)
	}
	ms.held[m.Identity] = union(slices.DeleteFunc(slices.Clone(ms.held[m.Identity]), func(s Slot) bool { return slices.Contains(v.Stop, s) }), v.Start)
	for id, slots := range ms.held {
		for other, theirs := range ms.held {
			if id < other && len(without(slots, theirs)) != len(slots) {
				t.Fatalf("after %s's turn, %s and %s run overlapping slots: %s and %s", m.Identity, id, other, Format(slots), Format(theirs))
			}
		}
	}
	return v
}

// step syncs every member in order, and returns their views by identity.
func (ms *leaseMembers) step(t *testing.T, order ...*Membership) map[string]View {
	t.Helper()
	views := map[string]View{}
	for _, m := range order {
		views[m.Identity] = ms.sync(t, m)
	}
	return views
}

// share is the share of the hash space the members ids run together.
func (ms *leaseMembers) share(ids ...string) float64 {
	var all []Slot
	for _, id := range ids {
		all = append(all, ms.held[id]...)
	}
	return Share(all)
}

// checkMembersJoin has a run alone, then b and c join one after the other: each joining member
// starts only what the others have let go, and in the end the three run what they are assigned,
// the whole space between them.
func checkMembersJoin(t *testing.T, ms *leaseMembers, a, b, cc *Membership) {
	t.Helper()
	// Alone, a takes everything.
	ms.step(t, a)
	if got := ms.share("a"); got != 1 {
		t.Fatalf("a alone runs %v of the space, want all", got)
	}
	// b joins: it may start nothing a still runs. Once a has synced and let go of what it lost,
	// b starts its share.
	v := ms.step(t, b)
	if len(v["b"].Assigned) == 0 || len(v["b"].Start) != 0 {
		t.Fatalf("b joining: assigned %d, start %d; want a share, and nothing to start while a runs it", len(v["b"].Assigned), len(v["b"].Start))
	}
	ms.step(t, a, b)
	ms.step(t, a, b)
	ms.step(t, a, b)
	if ms.share("a", "b") != 1 || len(ms.held["b"]) == 0 {
		t.Fatalf("after the handover a runs %v and b %v of the space, want all between them", ms.share("a"), ms.share("b"))
	}
	// c joins; a slot moving from one member to another takes three rounds: the old owner stops
	// it, then lets it go in its Lease, then the new owner starts it.
	ms.step(t, cc)
	ms.step(t, a, b, cc)
	ms.step(t, a, b, cc)
	views := ms.step(t, a, b, cc)
	for _, id := range []string{"a", "b", "c"} {
		if len(notCoveredBy(ms.held[id], views[id].Assigned)) > 0 || len(notCoveredBy(views[id].Assigned, ms.held[id])) > 0 {
			t.Errorf("%s runs %s, is assigned %s", id, Format(ms.held[id]), Format(views[id].Assigned))
		}
	}
	if got := ms.share("a", "b", "c"); got != 1 {
		t.Fatalf("the three run %v of the space, want all", got)
	}
}

// checkMembersCutFiner syncs the three members after namespaces arrived: they run the whole
// space, each about a third of the namespaces, in slots cut finer than the minimum depth.
func checkMembersCutFiner(t *testing.T, ms *leaseMembers, namespaces []string, a, b, cc *Membership) {
	t.Helper()
	var views map[string]View
	for range 4 {
		views = ms.step(t, a, b, cc)
	}
	if got := ms.share("a", "b", "c"); got != 1 {
		t.Fatalf("after the cut, the three run %v of the space, want all", got)
	}
	for _, id := range []string{"a", "b", "c"} {
		n := 0
		for _, ns := range namespaces {
			if Covered(ms.held[id], ns) {
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
}

// checkMembersLeaveAndDie has b leave gracefully, then c die, and checks that a and c, then a
// alone, take their slots, c's only once its Lease ran out.
func checkMembersLeaveAndDie(t *testing.T, ms *leaseMembers, a, b, cc *Membership) {
	t.Helper()
	// b leaves gracefully: its workers stop, then its Lease goes; a and c take its slots.
	ms.held["b"] = nil
	if err := b.Leave(ms.ctx); err != nil {
		t.Fatal(err)
	}
	ms.step(t, a, cc)
	ms.step(t, a, cc)
	ms.step(t, a, cc)
	if got := ms.share("a", "c"); got != 1 {
		t.Fatalf("after b left, a and c run %v of the space, want all", got)
	}

	// c dies: its Lease is not renewed. Until it runs out nobody takes c's slots; then a does.
	dead := slices.Clone(ms.held["c"])
	ms.clk.t = ms.clk.t.Add(10 * time.Second)
	ms.step(t, a)
	if len(without(ms.held["a"], dead)) != len(ms.held["a"]) {
		t.Fatalf("a runs slots of c before c's Lease ran out")
	}
	ms.clk.t = ms.clk.t.Add(10 * time.Second)
	delete(ms.held, "c") // c is gone: nothing of it runs any more
	ms.step(t, a)
	if got := ms.share("a"); got != 1 {
		t.Fatalf("after c's Lease ran out, a runs %v of the space, want all", got)
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
	ms := newLeaseMembers(t)
	member := func(id string, whole bool) *Membership {
		m := ms.member(id)
		m.Whole = whole
		return m
	}
	// Sharded replicas a and b run the space; the leader of a new, unsharded version arrives.
	leader := member("leader", true)
	checkWholeMemberArrives(t, ms, member("a", false), member("b", false), leader)

	// And back: sharded replicas arrive while the leader runs; they start nothing until it goes,
	// and they share the space between themselves, leaving the leader out.
	c2, d := member("c", false), member("d", false)
	for range 3 {
		ms.sync(t, c2)
		ms.sync(t, d)
		ms.sync(t, leader)
	}
	if len(ms.held["c"])+len(ms.held["d"]) != 0 {
		t.Fatalf("sharded replicas started %s and %s while the leader held the space", Format(ms.held["c"]), Format(ms.held["d"]))
	}
	if v := ms.sync(t, c2); Share(v.Assigned) < 0.4 {
		t.Errorf("c is assigned %v of the space while the leader lives, want about half: the leader takes no share", Share(v.Assigned))
	}
	ms.held["leader"] = nil
	if err := leader.Leave(ms.ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		ms.sync(t, c2)
		ms.sync(t, d)
	}
	if Share(append(slices.Clone(ms.held["c"]), ms.held["d"]...)) != 1 || len(ms.held["c"]) == 0 || len(ms.held["d"]) == 0 {
		t.Fatalf("after the leader left, c and d run %s and %s, want the space between them", Format(ms.held["c"]), Format(ms.held["d"]))
	}
}

// checkWholeMemberArrives has the sharded members a and b run the space, then the whole member
// leader arrive: it starts nothing while a or b runs slots, and the whole space once both left.
func checkWholeMemberArrives(t *testing.T, ms *leaseMembers, a, b, leader *Membership) {
	t.Helper()
	for range 4 {
		ms.sync(t, a)
		ms.sync(t, b)
	}
	if Share(append(slices.Clone(ms.held["a"]), ms.held["b"]...)) != 1 {
		t.Fatalf("a and b run %s and %s", Format(ms.held["a"]), Format(ms.held["b"]))
	}
	for range 3 {
		ms.sync(t, leader)
		ms.sync(t, a)
		ms.sync(t, b)
	}
	if len(ms.held["leader"]) != 0 {
		t.Fatalf("the leader started %s while sharded replicas still ran slots", Format(ms.held["leader"]))
	}
	// The old pods go, one after the other: the leader starts only once both are gone.
	ms.held["a"] = nil
	if err := a.Leave(ms.ctx); err != nil {
		t.Fatal(err)
	}
	ms.sync(t, leader)
	ms.sync(t, b)
	if len(ms.held["leader"]) != 0 {
		t.Fatal("the leader started while b still ran slots")
	}
	ms.held["b"] = nil
	if err := b.Leave(ms.ctx); err != nil {
		t.Fatal(err)
	}
	ms.sync(t, leader)
	if Share(ms.held["leader"]) != 1 {
		t.Fatalf("alone, the leader runs %s, want the whole space", Format(ms.held["leader"]))
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
