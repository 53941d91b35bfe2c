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
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestRunnerHoldsSlotsWhileReconcilesEnd runs two Runners against a real API server, with a
// Lease of 3 s renewed every second. A reconcile that does not end keeps its namespace's slot
// held by the replica that runs it, through many Lease durations, when the slot is reassigned
// and when that replica shuts down; the other replica starts it only once the reconcile has
// ended. The rounds go on meanwhile: a hung reconcile never lets the Lease run out.
func TestRunnerHoldsSlotsWhileReconcilesEnd(t *testing.T) {
	c := apiServer(t)
	runner := func(id string) *Runner {
		return &Runner{
			Membership: &Membership{Client: c, Namespace: "hookkeeper-system", Identity: id, Duration: 3 * time.Second},
			Gate:       NewGate(), Period: time.Second, Log: logr.Discard(),
		}
	}
	start := func(r *Runner) (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = r.Start(ctx) }()
		return func() { cancel(); <-done }
	}
	waitFor := func(what string, timeout time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(timeout)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("after %s: %s", timeout, what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	a, b := runner("a"), runner("b")
	stopA := start(a)
	defer func() {
		if stopA != nil {
			stopA()
		}
	}()
	waitFor("a alone runs the whole space", 20*time.Second, func() bool { return Share(a.Gate.Running()) == 1 })

	// A namespace that b gets once it joins, and a reconcile of it on a that does not end.
	bShare := Assign([]string{"a", "b"}, Partition(nil))["b"]
	ns := ""
	for i := 0; ns == ""; i++ {
		if candidate := fmt.Sprintf("team-%d", i); Covered(bShare, candidate) {
			ns = candidate
		}
	}
	if !a.Gate.Enter(ns) {
		t.Fatalf("a does not reconcile %s", ns)
	}
	stopB := start(b)
	defer stopB()
	waitFor("b runs its share, but the slot of the reconcile in flight", 20*time.Second, func() bool {
		return Share(b.Gate.Running()) > 0.4 && !a.Gate.Owns(ns)
	})
	// Five Lease durations: a's Lease is renewed all along, and b never starts the slot.
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b.Gate.Owns(ns) {
			t.Fatalf("b started %s while a's reconcile of it was still in flight", ns)
		}
	}
	a.Gate.Leave(ns)
	waitFor("b starts the slot once a's reconcile ended", 20*time.Second, func() bool { return b.Gate.Owns(ns) })

	// Now the other way round, at shutdown: a reconcile in flight on b, and b stops. a takes the
	// slot only once the reconcile has ended, and then at once (b deleted its Lease).
	if !b.Gate.Enter(ns) {
		t.Fatalf("b does not reconcile %s", ns)
	}
	stopped := make(chan struct{})
	go func() { stopB(); close(stopped) }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if a.Gate.Owns(ns) {
			t.Fatalf("a started %s while b, shutting down, still reconciled it", ns)
		}
	}
	select {
	case <-stopped:
		t.Fatal("b stopped before its reconcile ended")
	default:
	}
	b.Gate.Leave(ns)
	<-stopped
	waitFor("a runs the whole space again", 10*time.Second, func() bool { return Share(a.Gate.Running()) == 1 })
}

// TestGateFencesAtItsDeadline: past the deadline the gate lets nothing through, owns nothing,
// cancels the contexts of the reconciles it let through with ErrLeaseLost, and never opens
// again; until then an extension keeps it open.
func TestGateFencesAtItsDeadline(t *testing.T) {
	g := NewGate()
	if !g.extend(time.Now().Add(300 * time.Millisecond)) {
		t.Fatal("a new gate is fenced")
	}
	g.start([]Slot{{}})
	ctx, leave, ok := g.EnterContext(t.Context(), "team-a")
	if !ok {
		t.Fatal("the gate does not let team-a through")
	}
	defer leave()
	// Extended before the deadline: still open after the first one.
	time.Sleep(200 * time.Millisecond)
	if !g.extend(time.Now().Add(300 * time.Millisecond)) {
		t.Fatal("the gate fenced before its deadline")
	}
	time.Sleep(200 * time.Millisecond)
	if !g.Owns("team-a") || ctx.Err() != nil {
		t.Fatalf("past the first deadline but before the extended one: owns %v, context %v", g.Owns("team-a"), ctx.Err())
	}
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the reconcile's context is not cancelled past the deadline")
	}
	if cause := context.Cause(ctx); !errors.Is(cause, ErrLeaseLost) {
		t.Errorf("the reconcile's context ended with %v, want ErrLeaseLost", cause)
	}
	if g.Enter("team-a") || g.Owns("team-a") || len(g.Running()) != 0 {
		t.Error("a fenced gate still lets reconciles through")
	}
	// A renewal that comes too late opens nothing.
	if g.extend(time.Now().Add(time.Minute)) {
		t.Error("a fenced gate accepted a new deadline")
	}
	g.start([]Slot{{}})
	if g.Enter("team-a") {
		t.Error("a fenced gate opened again")
	}
	// A reconcile that ends in time leaves nothing behind: its leave cancels only its own context.
	g2 := NewGate()
	g2.start([]Slot{{}})
	c1, leave1, _ := g2.EnterContext(t.Context(), "team-a")
	c2, leave2, _ := g2.EnterContext(t.Context(), "team-a")
	leave1()
	if c1.Err() == nil || c2.Err() != nil {
		t.Errorf("after the first reconcile left: its context %v, the other's %v", c1.Err(), c2.Err())
	}
	leave2()
	if n := len(g2.inflight); n != 0 {
		t.Error("reconciles still counted after both left")
	}
}

// cuttable is a client whose requests, once cut, hang until their context ends, as through a
// proxy that holds the connections without answering.
type cuttable struct {
	client.Client
	cut atomic.Bool
}

func (c *cuttable) wait(ctx context.Context) error {
	if !c.cut.Load() {
		return nil
	}
	<-ctx.Done()
	return ctx.Err()
}

func (c *cuttable) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	return c.Client.Get(ctx, key, obj, opts...)
}

func (c *cuttable) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	return c.Client.List(ctx, list, opts...)
}

func (c *cuttable) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	return c.Client.Create(ctx, obj, opts...)
}

func (c *cuttable) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	return c.Client.Update(ctx, obj, opts...)
}

func (c *cuttable) Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	return c.Client.Delete(ctx, obj, opts...)
}

// TestRunnerFencesWhenCutOff runs two Runners against a real API server with a Lease of 3 s, and
// cuts one off from it. The cut-off one closes its gate and cancels its reconcile in flight
// within the renew deadline of its last renewal, before its Lease runs out and before the other
// starts any of its slots; it never opens again; once back in touch it deletes its Lease and
// Start returns ErrLeaseLost. Meanwhile the other takes the whole space.
func TestRunnerFencesWhenCutOff(t *testing.T) {
	c := apiServer(t)
	const duration = 3 * time.Second
	cutClient := &cuttable{Client: c}
	a, b := fencingRunner("a", c, duration), fencingRunner("b", cutClient, duration)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := make(chan error, 2)
	go func() { ended <- a.Start(ctx) }()
	bEnded := make(chan error, 1)
	go func() { bEnded <- b.Start(ctx) }()
	waitUntil(t, "a and b share the space", 30*time.Second, func() bool {
		return Share(a.Gate.Running()) > 0 && Share(b.Gate.Running()) > 0 && Share(a.Gate.Running())+Share(b.Gate.Running()) == 1
	})
	ns := ""
	for i := 0; ns == ""; i++ {
		if candidate := fmt.Sprintf("team-%d", i); b.Gate.Owns(candidate) {
			ns = candidate
		}
	}
	rctx, leave, ok := b.Gate.EnterContext(context.Background(), ns)
	if !ok {
		t.Fatalf("b does not reconcile %s", ns)
	}
	defer leave()

	cutClient.cut.Store(true)
	cutAt := time.Now()
	fencedAt, cancelledAt := waitForFencing(t, a, b, ns, rctx, cutAt, duration)
	checkFencedBeforeLeaseRanOut(t, c, cutAt, fencedAt, cancelledAt, duration)
	if cause := context.Cause(rctx); !errors.Is(cause, ErrLeaseLost) {
		t.Errorf("b's reconcile ended with %v, want ErrLeaseLost", cause)
	}
	waitUntil(t, "a takes the whole space", 20*time.Second, func() bool { return Share(a.Gate.Running()) == 1 })
	if len(b.Gate.Running()) != 0 || b.Gate.Enter(ns) {
		t.Fatal("b, fenced, lets reconciles through")
	}
	leave()
	select {
	case err := <-bEnded:
		t.Fatalf("b's Runner ended while still cut off: %v", err)
	case <-time.After(duration):
	}

	cutClient.cut.Store(false)
	checkBackInTouch(t, c, b, bEnded, ns)
	cancel()
	if err := <-ended; err != nil {
		t.Errorf("a's Runner: %v", err)
	}
}

// fencingRunner is the Runner of id in hookkeeper-system, through c, with a Lease of duration
// renewed every third of it.
func fencingRunner(id string, c client.Client, duration time.Duration) *Runner {
	return &Runner{
		Membership: &Membership{Client: c, Namespace: "hookkeeper-system", Identity: id, Duration: duration},
		Gate:       NewGate(), Period: duration / 3, Log: logr.Discard(),
	}
}

// waitUntil polls cond every 10 ms, and fails the test if it is not true within timeout.
func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitForFencing waits for b, cut off at cutAt, to stop owning ns and to cancel rctx, its
// reconcile of ns, and returns when it did each. It fails the test if a starts ns first, or if b
// still runs ns after two Lease durations.
func waitForFencing(t *testing.T, a, b *Runner, ns string, rctx context.Context, cutAt time.Time, duration time.Duration) (fencedAt, cancelledAt time.Time) {
	t.Helper()
	for fencedAt.IsZero() || cancelledAt.IsZero() {
		now := time.Now()
		if fencedAt.IsZero() && !b.Gate.Owns(ns) {
			fencedAt = now
		}
		if cancelledAt.IsZero() && rctx.Err() != nil {
			cancelledAt = now
		}
		if a.Gate.Owns(ns) && (fencedAt.IsZero() || cancelledAt.IsZero()) {
			t.Fatalf("a started %s while b still ran it", ns)
		}
		if now.After(cutAt.Add(2 * duration)) {
			t.Fatalf("b, cut off, still runs %s after two Lease durations", ns)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fencedAt, cancelledAt
}

// checkFencedBeforeLeaseRanOut checks that b fenced and cancelled its reconcile well before its
// Lease, as the API server has it, ran out.
func checkFencedBeforeLeaseRanOut(t *testing.T, c client.Client, cutAt, fencedAt, cancelledAt time.Time, duration time.Duration) {
	t.Helper()
	// b's Lease as the API server has it, read once b's last write has surely landed: what a
	// waits for.
	lease := &coordinationv1.Lease{}
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: "hookkeeper-system", Name: LeaseName("b")}, lease); err != nil {
		t.Fatal(err)
	}
	expires := lease.Spec.RenewTime.Add(duration)
	t.Logf("cut at +0; b fenced at +%s, cancelled its reconcile at +%s; its Lease ran out at +%s",
		fencedAt.Sub(cutAt).Round(time.Millisecond), cancelledAt.Sub(cutAt).Round(time.Millisecond), expires.Sub(cutAt).Round(time.Millisecond))
	if limit := expires.Add(-duration / 6); fencedAt.After(limit) || cancelledAt.After(limit) {
		t.Errorf("b fenced at %s, cancelled at %s: want both well before its Lease ran out at %s",
			fencedAt.Format("15:04:05.000"), cancelledAt.Format("15:04:05.000"), expires.Format("15:04:05.000"))
	}
}

// checkBackInTouch checks that b, back in touch with the API server, deletes its Lease and ends
// with ErrLeaseLost, and never opens again.
func checkBackInTouch(t *testing.T, c client.Client, b *Runner, bEnded <-chan error, ns string) {
	t.Helper()
	select {
	case err := <-bEnded:
		if !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("b's Runner ended with %v, want ErrLeaseLost", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("b's Runner did not end once back in touch")
	}
	err := c.Get(t.Context(), client.ObjectKey{Namespace: "hookkeeper-system", Name: LeaseName("b")}, &coordinationv1.Lease{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("b's Lease after it ended: %v, want NotFound", err)
	}
	if b.Gate.Enter(ns) {
		t.Error("b's gate opened again")
	}
}

// TestRunnerCountsLiveMembers: every round tells how many replicas hold a live Lease, the
// replica itself included: 1 alone, 2 once another joins, 1 again once it has left.
func TestRunnerCountsLiveMembers(t *testing.T) {
	c := apiServer(t)
	type counted struct{ n atomic.Int64 }
	runner := func(id string, into *counted) *Runner {
		return &Runner{
			Membership: &Membership{Client: c, Namespace: "hookkeeper-system", Identity: id, Duration: 3 * time.Second},
			Gate:       NewGate(), Period: 200 * time.Millisecond, Log: logr.Discard(),
			Members: func(n int) { into.n.Store(int64(n)) },
		}
	}
	start := func(r *Runner) (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = r.Start(ctx) }()
		return func() { cancel(); <-done }
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("after 20s: %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	var a, b counted
	stopA := start(runner("a", &a))
	defer stopA()
	waitFor("a counts itself", func() bool { return a.n.Load() == 1 })
	stopB := start(runner("b", &b))
	waitFor("a and b count 2", func() bool { return a.n.Load() == 2 && b.n.Load() == 2 })
	// b leaves: its Lease is deleted, and a counts itself alone at its next round.
	stopB()
	waitFor("a counts 1 once b has left", func() bool { return a.n.Load() == 1 })
}

// A gate's Share is the part of the space its running slots cover, 0 before any starts and once
// it fences: the operator's hookkeeper_shard_share.
func TestGateShare(t *testing.T) {
	g := NewGate()
	if s := g.Share(); s != 0 {
		t.Errorf("a new gate's share: %v, want 0", s)
	}
	g.start([]Slot{{Prefix: 0, Bits: 1}, {Prefix: 2, Bits: 2}})
	if s := g.Share(); s != 0.75 {
		t.Errorf("share of 0/1 and 2/2: %v, want 0.75", s)
	}
	g.extend(time.Now().Add(10 * time.Millisecond))
	time.Sleep(20 * time.Millisecond)
	if s := g.Share(); s != 0 {
		t.Errorf("a fenced gate's share: %v, want 0", s)
	}
}
