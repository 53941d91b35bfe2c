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
	"testing"
	"time"

	"github.com/go-logr/logr"
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
