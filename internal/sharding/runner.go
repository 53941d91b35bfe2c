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
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// Gate says which namespaces this replica reconciles now, and counts the reconciles in flight
// per namespace, so that a slot is let go only once none of its reconciles still runs.
type Gate struct {
	mu       sync.Mutex
	idle     *sync.Cond
	running  []Slot
	inflight map[string]int
}

// NewGate returns a gate that lets nothing through until slots start.
func NewGate() *Gate {
	g := &Gate{inflight: map[string]int{}}
	g.idle = sync.NewCond(&g.mu)
	return g
}

// Enter reports whether the replica reconciles namespace now; when it does, Leave must follow.
func (g *Gate) Enter(namespace string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !Covered(g.running, namespace) {
		return false
	}
	g.inflight[namespace]++
	return true
}

// Leave ends a reconcile that Enter let through.
func (g *Gate) Leave(namespace string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inflight[namespace]--
	if g.inflight[namespace] <= 0 {
		delete(g.inflight, namespace)
		g.idle.Broadcast()
	}
}

// Owns reports whether namespace's slot runs here, without entering it.
func (g *Gate) Owns(namespace string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return Covered(g.running, namespace)
}

// Running returns the slots that run now.
func (g *Gate) Running() []Slot {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.running)
}

func (g *Gate) start(slots []Slot) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running = union(g.running, slots)
}

// stop lets no new reconcile of slots through; those in flight go on until they end (drained).
func (g *Gate) stop(slots []Slot) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running = slices.DeleteFunc(g.running, func(s Slot) bool { return slices.Contains(slots, s) })
}

// busy reports whether a reconcile of a namespace in slots, and no longer in a running slot, is
// still in flight. Called with g.mu held.
func (g *Gate) busy(slots []Slot) bool {
	for ns := range g.inflight {
		if Covered(slots, ns) && !Covered(g.running, ns) {
			return true
		}
	}
	return false
}

// busySlots returns the slots of slots that a reconcile in flight still uses.
func (g *Gate) busySlots(slots []Slot) []Slot {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Slot
	for _, s := range slots {
		if g.busy([]Slot{s}) {
			out = append(out, s)
		}
	}
	return out
}

// waitDrained waits until no reconcile of slots is in flight any more, for at most timeout,
// and reports whether none is.
func (g *Gate) waitDrained(slots []Slot, timeout time.Duration) bool {
	timer := time.AfterFunc(timeout, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.idle.Broadcast()
	})
	defer timer.Stop()
	deadline := time.Now().Add(timeout)
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.busy(slots) {
		if !time.Now().Before(deadline) {
			return false
		}
		g.idle.Wait()
	}
	return true
}

// Runner runs the sharing for one replica: a Sync every Period, the gate opened and closed as
// the Syncs say, and the Lease deleted when the replica stops. It is a manager Runnable that
// every replica runs, leader or not.
//
// No round waits long: the Lease must be renewed every Period whatever the reconciles do. A slot
// the replica loses is closed in the gate at once, and stays held in the Lease (stopping) until
// its reconciles in flight have ended; a slot it gains is claimed in the Lease and waits
// (pending) until the informers have listed it, then opens.
type Runner struct {
	Membership *Membership
	Gate       *Gate
	// Period is the time between two Syncs; a third of the Lease duration is usual.
	Period time.Duration
	// Scope, when set, is what the informers hold: a slot enters it, and the informers list it,
	// before the gate opens on the slot; it leaves it once its reconciles have ended.
	Scope *Scope
	// Started is called with the slots that just started, to queue their Webhooks.
	Started func(slots []Slot)
	Log     logr.Logger
	// Leader makes the Runner run on the elected leader only (with Membership.Whole).
	Leader bool

	// Used by the Runner's goroutine only.
	stopping, pending []Slot
	pendingGen        uint64
}

// NeedLeaderElection is false when every replica shares the work, true for the Runner of an
// elected leader.
func (r *Runner) NeedLeaderElection() bool { return r.Leader }

// Start runs until ctx ends, then stops every slot and leaves.
func (r *Runner) Start(ctx context.Context) error {
	if r.Scope != nil {
		if _, err := r.Scope.ProbeMode(ctx, r.Membership.Client, r.Membership.Namespace); err != nil {
			// The informers still filter for themselves; the mode stays unknown until they can tell.
			r.Log.Error(err, "Probing the API server for sharded list and watch")
		}
	}
	ticker := time.NewTicker(r.Period)
	defer ticker.Stop()
	for {
		r.round(ctx)
		select {
		case <-ctx.Done():
			r.leave()
			return nil
		case <-ticker.C:
		}
	}
}

// leave stops every slot, keeps the Lease renewed until the reconciles in flight have ended (for
// at most a minute), then deletes it. If they do not end, the Lease is left to run out, so that
// no other replica starts the slots while they may still run here.
func (r *Runner) leave() {
	running := r.Gate.Running()
	r.Gate.stop(running)
	held := r.held(running)
	bg := context.Background()
	for range int(time.Minute / r.Period) {
		if r.Gate.waitDrained(held, r.Period) {
			ctx, cancel := context.WithTimeout(bg, 10*time.Second)
			defer cancel()
			if err := r.Membership.Leave(ctx); err != nil {
				r.Log.Error(err, "Leaving the shards")
			}
			return
		}
		ctx, cancel := context.WithTimeout(bg, r.Period)
		if err := r.Membership.Hold(ctx, held); err != nil {
			r.Log.Error(err, "Renewing the shard Lease while reconciles end")
		}
		cancel()
	}
	r.Log.Info("Reconciles still in flight after a minute: the shard Lease is left to run out")
}

func (r *Runner) round(ctx context.Context) {
	running := r.Gate.Running()
	v, err := r.Membership.Sync(ctx, r.held(running))
	if err != nil {
		if ctx.Err() == nil {
			r.Log.Error(err, "Syncing the shards")
		}
		return
	}
	var closed []Slot
	for _, s := range v.Stop {
		switch {
		case slices.Contains(running, s):
			closed = append(closed, s)
		case slices.Contains(r.pending, s):
			r.pending = slices.DeleteFunc(r.pending, func(p Slot) bool { return p == s })
		}
	}
	if len(closed) > 0 {
		r.Gate.stop(closed)
		r.stopping = append(r.stopping, closed...)
		r.Log.Info("Stopped shard slots", "slots", Format(closed), "members", len(v.Members), "share", Share(r.Gate.Running()))
	}
	r.pending = append(r.pending, v.Start...)
	if r.Scope != nil && len(v.Start) > 0 {
		// The informers must hold a slot's objects before its workers start, or a reconcile
		// would take a Webhook the cache has not received yet for one that is gone.
		r.pendingGen = r.Scope.Set(r.scope())
	}
	// Short waits, so that the round ends well within the Lease: what is not ready now is
	// looked at again next round.
	if len(r.pending) > 0 {
		ready := r.Scope == nil
		if !ready {
			wait, cancel := context.WithTimeout(ctx, r.Period/2)
			ready = r.Scope.WaitListed(wait, r.pendingGen) == nil
			cancel()
		}
		if ready {
			started := r.pending
			r.pending = nil
			r.Gate.start(started)
			r.Log.Info("Started shard slots", "slots", Format(started), "members", len(v.Members), "share", Share(r.Gate.Running()), "of", v.Slots)
			if r.Started != nil {
				r.Started(started)
			}
		}
	}
	if len(r.stopping) > 0 {
		r.Gate.waitDrained(r.stopping, r.Period/4)
		// The slots whose reconciles have ended leave: the next Sync lets them go in the Lease,
		// and the informers' caches drop them. The others stay held until theirs end.
		still := r.Gate.busySlots(r.stopping)
		if len(still) < len(r.stopping) {
			r.stopping = still
			if r.Scope != nil {
				r.Scope.Set(r.scope())
			}
		}
	}
}

// held is what the replica's Lease must hold: the running slots, and those stopping or pending.
func (r *Runner) held(running []Slot) []Slot {
	return append(append(slices.Clone(running), r.stopping...), r.pending...)
}

// scope is what the informers must hold: every slot running, pending or stopping.
func (r *Runner) scope() []Slot {
	return union(union(r.Gate.Running(), r.pending), r.stopping)
}
