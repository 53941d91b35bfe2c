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

// stop lets no new reconcile of slots through and waits until those in flight have ended.
func (g *Gate) stop(slots []Slot) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running = slices.DeleteFunc(g.running, func(s Slot) bool { return slices.Contains(slots, s) })
	for {
		busy := false
		for ns := range g.inflight {
			if Covered(slots, ns) && !Covered(g.running, ns) {
				busy = true
			}
		}
		if !busy {
			return
		}
		g.idle.Wait()
	}
}

// Runner runs the sharing for one replica: a Sync every Period, the gate opened and closed as
// the Syncs say, and the Lease deleted when the replica stops. It is a manager Runnable that
// every replica runs, leader or not.
type Runner struct {
	Membership *Membership
	Gate       *Gate
	// Period is the time between two Syncs; a third of the Lease duration is usual.
	Period time.Duration
	// Scope, when set, is what the informers hold: a slot enters it, and the informers list it,
	// before the gate opens on the slot; it leaves it after the gate has closed.
	Scope *Scope
	// Started is called with the slots that just started, to queue their Webhooks.
	Started func(slots []Slot)
	Log     logr.Logger
}

// NeedLeaderElection is false: every replica shares the work.
func (r *Runner) NeedLeaderElection() bool { return false }

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
			r.Gate.stop(r.Gate.Running())
			leaveCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := r.Membership.Leave(leaveCtx); err != nil {
				r.Log.Error(err, "Leaving the shards")
			}
			return nil
		case <-ticker.C:
		}
	}
}

func (r *Runner) round(ctx context.Context) {
	v, err := r.Membership.Sync(ctx, r.Gate.Running())
	if err != nil {
		if ctx.Err() == nil {
			r.Log.Error(err, "Syncing the shards")
		}
		return
	}
	if len(v.Stop) > 0 {
		r.Gate.stop(v.Stop)
		r.Log.Info("Stopped shard slots", "slots", Format(v.Stop), "members", len(v.Members), "share", Share(r.Gate.Running()))
	}
	if len(v.Start) > 0 && r.Scope != nil {
		// The informers must hold a slot's objects before its workers start, or a reconcile
		// would take a Webhook the cache has not received yet for one that is gone.
		gen := r.Scope.Set(union(r.Gate.Running(), v.Start))
		wait, cancel := context.WithTimeout(ctx, 2*r.Period)
		err := r.Scope.WaitListed(wait, gen)
		cancel()
		if err != nil {
			// The slots stay claimed in the Lease; the next round tries again.
			if ctx.Err() == nil {
				r.Log.Error(err, "Not starting shard slots yet", "slots", Format(v.Start))
			}
			return
		}
	}
	if len(v.Start) > 0 {
		r.Gate.start(v.Start)
		r.Log.Info("Started shard slots", "slots", Format(v.Start), "members", len(v.Members), "share", Share(r.Gate.Running()), "of", v.Slots)
		if r.Started != nil {
			r.Started(v.Start)
		}
	}
	if r.Scope != nil && len(v.Stop) > 0 {
		// What the replica no longer runs leaves its informers' caches.
		r.Scope.Set(r.Gate.Running())
	}
}
