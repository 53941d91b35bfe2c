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
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// Gate says which namespaces this replica reconciles now, and counts the reconciles in flight
// per namespace, so that a slot is let go only once none of its reconciles still runs.
//
// It is also the replica's fence: the Runner sets a deadline after every renewal of the Lease
// (RenewDeadline), and once it passes unrenewed the gate lets nothing through again and cancels
// the contexts of the reconciles it let through (EnterContext), before the Lease runs out and
// another replica may take the slots.
type Gate struct {
	mu       sync.Mutex
	idle     *sync.Cond
	running  []Slot
	inflight map[string]int
	// deadline is when the gate fences unless extended; zero: never (a gate without a Runner).
	deadline time.Time
	timer    *time.Timer
	// lost ends, with ErrLeaseLost, when the gate fences; it never opens again.
	lost     context.Context
	loseOnce context.CancelCauseFunc
}

// ErrLeaseLost is the cause of the contexts that a fenced gate cancels, and what the Runner of a
// fenced replica ends with.
var ErrLeaseLost = errors.New("shard lease lost: not renewed within the renew deadline")

// NewGate returns a gate that lets nothing through until slots start.
func NewGate() *Gate {
	g := &Gate{inflight: map[string]int{}}
	g.idle = sync.NewCond(&g.mu)
	g.lost, g.loseOnce = context.WithCancelCause(context.Background())
	return g
}

// Enter reports whether the replica reconciles namespace now; when it does, Leave must follow.
func (g *Gate) Enter(namespace string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fencedLocked() || !Covered(g.running, namespace) {
		return false
	}
	g.inflight[namespace]++
	return true
}

// EnterContext is Enter for a reconcile that runs with ctx. The context it returns also ends,
// with cause ErrLeaseLost, when the gate fences, so that the reconcile's SaaS calls stop before
// another replica may take the namespace; a slot handed over in the usual way lets its
// reconciles end instead, and is let go only then. leave ends the reconcile, in place of Leave.
func (g *Gate) EnterContext(ctx context.Context, namespace string) (_ context.Context, leave func(), ok bool) {
	if !g.Enter(namespace) {
		return ctx, func() {}, false
	}
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(g.lost, func() { cancel(context.Cause(g.lost)) })
	return ctx, func() {
		stop()
		cancel(nil)
		g.Leave(namespace)
	}, true
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
	return !g.fencedLocked() && Covered(g.running, namespace)
}

// Running returns the slots that run now.
func (g *Gate) Running() []Slot {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fencedLocked() {
		return nil
	}
	return slices.Clone(g.running)
}

// Share is the part of the namespace space whose slots run now, from 0 to 1 (0 once fenced): the
// operator's hookkeeper_shard_share gauge.
func (g *Gate) Share() float64 { return Share(g.Running()) }

// Lost is closed once the gate has fenced.
func (g *Gate) Lost() <-chan struct{} { return g.lost.Done() }

// extend moves the deadline to at least deadline, and reports whether the gate has not fenced:
// a fenced gate stays fenced, since its replica's caches missed what happened meanwhile.
func (g *Gate) extend(deadline time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fencedLocked() {
		return false
	}
	if deadline.After(g.deadline) {
		g.deadline = deadline
	}
	// The timer cancels the reconciles in flight on time; Enter checks the deadline itself, so
	// that a late timer never lets a new one through.
	if g.timer == nil {
		g.timer = time.AfterFunc(time.Until(g.deadline), g.expire)
	} else {
		g.timer.Reset(time.Until(g.deadline))
	}
	return true
}

func (g *Gate) expire() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fencedLocked()
}

// fencedLocked reports whether the gate has fenced, fencing it first if its deadline has
// passed. Called with g.mu held.
func (g *Gate) fencedLocked() bool {
	if g.lost.Err() != nil {
		return true
	}
	if g.deadline.IsZero() || time.Now().Before(g.deadline) {
		return false
	}
	g.running = nil
	g.loseOnce(ErrLeaseLost)
	g.idle.Broadcast()
	return true
}

func (g *Gate) start(slots []Slot) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fencedLocked() {
		return
	}
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

// RenewDeadline is how long a replica goes on reconciling after the renew time of its Lease:
// two thirds of the Lease duration. client-go's leader election has the same rule (a renew
// deadline shorter than the lease duration) for the same reason: the last third is the time in
// which the reconciles in flight are cancelled, and the margin for the replicas' clocks, before
// the others may take the slots. Within the deadline a failed Sync is retried every quarter
// round.
func RenewDeadline(leaseDuration time.Duration) time.Duration {
	return leaseDuration * 2 / 3
}

// pruneEvery is how many rounds go between two Prunes: a list of the Leases every ten Lease
// durations or so, for Leases that become stale only after ten of them.
const pruneEvery = 30

// Runner runs the sharing for one replica: a Sync every Period, the gate opened and closed as
// the Syncs say, and the Lease deleted when the replica stops. It is a manager Runnable that
// every replica runs, leader or not.
//
// No round waits long: the Lease must be renewed every Period whatever the reconciles do. A slot
// the replica loses is closed in the gate at once, and stays held in the Lease (stopping) until
// its reconciles in flight have ended; a slot it gains is claimed in the Lease and waits
// (pending) until the informers have listed it, then opens.
//
// A replica that cannot renew its Lease within RenewDeadline fences: its gate closes on every
// slot and cancels the reconciles in flight, before the Lease runs out and another replica may
// start them. Its caches have missed what changed meanwhile, and the rest of its memory (account
// snapshots, claims) was built while it owned the slots, so it does not rejoin in place: once the
// API server answers again it deletes its Lease and Start returns an error wrapping
// ErrLeaseLost, which ends the process for the Deployment to start a new one.
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
	// Members, when set, is called after every round that read the Leases with the number of
	// replicas whose Lease is live, this one included: the replicas that may send requests for
	// one SaaS account, among which the client-side rate per credential is split.
	Members func(n int)
	Log     logr.Logger
	// Leader makes the Runner run on the elected leader only (with Membership.Whole).
	Leader bool

	// Used by the Runner's goroutine only.
	stopping, pending []Slot
	pendingGen        uint64
	rounds            int
}

// NeedLeaderElection is false when every replica shares the work, true for the Runner of an
// elected leader.
func (r *Runner) NeedLeaderElection() bool { return r.Leader }

// Start runs until ctx ends, then stops every slot and leaves; or, once the replica has fenced,
// until the API server answers again (rejoin).
func (r *Runner) Start(ctx context.Context) error {
	if r.Scope != nil {
		if _, err := r.Scope.ProbeMode(ctx, r.Membership.Client, r.Membership.Namespace); err != nil {
			// The informers still filter for themselves; the mode stays unknown until they can tell.
			r.Log.Error(err, "Probing the API server for sharded list and watch")
		}
	}
	next := time.NewTimer(0)
	defer next.Stop()
	for {
		select {
		case <-ctx.Done():
			r.leave()
			return nil
		case <-r.Gate.Lost():
			return r.rejoin(ctx)
		case <-next.C:
		}
		began := time.Now()
		wait := r.Period
		if !r.round(ctx) {
			wait = r.Period / 4
		}
		next.Reset(max(0, wait-time.Since(began)))
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
		select {
		case <-r.Gate.Lost():
			// Past the deadline the reconciles are cancelled: wait for them to end, and renew
			// nothing that another replica may have started since.
			continue
		default:
		}
		ctx, cancel := r.renewContext(bg)
		if err := r.Membership.Hold(ctx, held); err != nil {
			r.Log.Error(err, "Renewing the shard Lease while reconciles end")
		}
		r.extend()
		cancel()
	}
	r.Log.Info("Reconciles still in flight after a minute: the shard Lease is left to run out")
}

// rejoin runs once the gate has fenced: it waits until the API server answers again, then deletes
// the Lease, which ran out or is about to, and returns an error wrapping ErrLeaseLost.
func (r *Runner) rejoin(ctx context.Context) error {
	lease := LeaseName(r.Membership.Identity)
	renewed := r.Membership.Renewed()
	r.Log.Info("Lost shard lease", "lease", lease, "renewed", renewed.Format(time.RFC3339Nano),
		"renewDeadline", RenewDeadline(r.Membership.Duration).String(), "duration", r.Membership.Duration.String(),
		"meaning", "no renewal within the renew deadline: every reconcile of this replica has stopped, before another replica may take its namespaces; "+
			"once the API server answers again the process exits, to rejoin with fresh caches")
	// The reconciles in flight were cancelled with the gate; a short wait lets them return.
	r.Gate.waitDrained([]Slot{{}}, r.Period)
	for {
		attempt, cancel := context.WithTimeout(ctx, r.Period)
		err := r.Membership.Leave(attempt)
		cancel()
		if err == nil {
			r.Log.Info("Back in touch with the API server after losing the shard lease: exiting to rejoin with a fresh process", "lease", lease)
			return fmt.Errorf("%w (renewed last at %s): the API server answers again, and a new process rejoins with fresh caches",
				ErrLeaseLost, renewed.Format(time.RFC3339Nano))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(r.Period):
		}
	}
}

// renewContext bounds a write of the Lease: by the gate's deadline, after which a renewal comes
// too late, or by a round before the first one.
func (r *Runner) renewContext(parent context.Context) (context.Context, context.CancelFunc) {
	if renewed := r.Membership.Renewed(); !renewed.IsZero() {
		return context.WithDeadline(parent, renewed.Add(RenewDeadline(r.Membership.Duration)))
	}
	return context.WithTimeout(parent, r.Period)
}

// extend moves the gate's deadline past the last renewal, and reports whether the gate is still
// open to it.
func (r *Runner) extend() bool {
	renewed := r.Membership.Renewed()
	if renewed.IsZero() {
		return true
	}
	return r.Gate.extend(renewed.Add(RenewDeadline(r.Membership.Duration)))
}

// round is one Sync and what it says to do; it reports whether the Lease was renewed.
func (r *Runner) round(ctx context.Context) bool {
	running := r.Gate.Running()
	syncCtx, cancel := r.renewContext(ctx)
	v, err := r.Membership.Sync(syncCtx, r.held(running))
	cancel()
	// A Sync that renewed the Lease and failed afterwards still moves the deadline.
	if !r.extend() {
		return false
	}
	if err != nil {
		if ctx.Err() == nil {
			r.Log.Error(err, "Syncing the shards")
		}
		return false
	}
	if r.Members != nil {
		r.Members(len(v.Members))
	}
	if r.rounds++; r.rounds%pruneEvery == 1 {
		r.prune(ctx)
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
	return true
}

// prune deletes the stale Leases of processes gone without leaving (Membership.Prune); it is
// housekeeping, so a failure is only logged, and it may take a quarter of a round at most.
func (r *Runner) prune(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.Period/4)
	defer cancel()
	pruned, err := r.Membership.Prune(ctx)
	if err != nil && ctx.Err() == nil {
		r.Log.Error(err, "Deleting stale shard Leases")
	}
	if len(pruned) > 0 {
		r.Log.Info("Deleted stale shard Leases", "leases", pruned)
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
