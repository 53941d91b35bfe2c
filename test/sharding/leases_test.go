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
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hookkeeper/hookkeeper/internal/sharding"
)

// coverage reads which namespaces a replica's shard Lease covers. It and claimAll are the only
// places that know the operator's slot model: a change of model (other hash ranges, another
// annotation) changes them and nothing else in the package. An annotation that cannot be read is an
// error, never a Lease that covers nothing.
func coverage(lease *coordinationv1.Lease) (covers func(namespace string) bool, holdsAny bool, err error) {
	slots, err := sharding.Parse(lease.Annotations[sharding.HeldAnnotation])
	if err != nil {
		return nil, false, fmt.Errorf("shard Lease %s: %w", lease.Name, err)
	}
	return func(ns string) bool { return sharding.Covered(slots, ns) }, len(slots) > 0, nil
}

// claimAll is the annotation of a Lease that covers every namespace: for the analysis's own tests,
// and kept here with coverage for the same reason.
func claimAll() (key, value string) {
	return sharding.HeldAnnotation, sharding.Format([]sharding.Slot{{}})
}

// leaseExpiry is when a Lease runs out unless renewed; the zero time when it cannot tell.
func leaseExpiry(l *coordinationv1.Lease) time.Time {
	if l.Spec.RenewTime == nil || l.Spec.LeaseDurationSeconds == nil {
		return time.Time{}
	}
	return l.Spec.RenewTime.Add(time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second)
}

// holder is the replica that holds a Lease, as its User-Agent names it: the Lease's identity has
// a suffix for each process of the replica.
func holder(l *coordinationv1.Lease) string {
	if name := l.Annotations[sharding.ReplicaAnnotation]; name != "" {
		return name
	}
	if l.Spec.HolderIdentity != nil {
		return *l.Spec.HolderIdentity
	}
	return strings.TrimPrefix(l.Name, "hookkeeper-shard-")
}

// leaseEvent is one change of a shard Lease, in the order the API server committed them (one
// watch delivers the events of one resource in commit order).
type leaseEvent struct {
	seq      int
	typ      watch.EventType
	observed time.Time // when the test received it: after the commit
	lease    coordinationv1.Lease
}

// leaseRecorder watches the shard Leases for the whole run and keeps every event.
type leaseRecorder struct {
	mu     sync.Mutex
	events []leaseEvent
	err    error
	done   chan struct{}
}

// recordLeases starts watching the shard Leases of namespace; stop it by cancelling ctx, then
// wait on done.
func recordLeases(ctx context.Context, wc client.WithWatch, namespace string) (*leaseRecorder, error) {
	var list coordinationv1.LeaseList
	if err := wc.List(ctx, &list, client.InNamespace(namespace), client.HasLabels{sharding.MemberLabel}); err != nil {
		return nil, err
	}
	r := &leaseRecorder{done: make(chan struct{})}
	now := time.Now()
	for _, l := range list.Items {
		r.add(watch.Added, now, l.DeepCopy())
	}
	sel := labels.SelectorFromSet(nil)
	if req, err := labels.NewRequirement(sharding.MemberLabel, "exists", nil); err == nil {
		sel = sel.Add(*req)
	}
	rv := list.ResourceVersion
	go func() {
		defer close(r.done)
		for ctx.Err() == nil {
			w, err := wc.Watch(ctx, &coordinationv1.LeaseList{}, &client.ListOptions{Namespace: namespace, LabelSelector: sel,
				Raw: &metav1.ListOptions{ResourceVersion: rv}})
			if err != nil {
				if ctx.Err() == nil {
					r.fail(fmt.Errorf("watching the shard Leases: %w", err))
				}
				return
			}
			for ev := range w.ResultChan() {
				if ev.Type == watch.Error {
					if ctx.Err() == nil {
						r.fail(fmt.Errorf("watching the shard Leases: %v", ev.Object))
					}
					w.Stop()
					return
				}
				l, ok := ev.Object.(*coordinationv1.Lease)
				if !ok {
					continue
				}
				rv = l.ResourceVersion
				r.add(ev.Type, time.Now(), l.DeepCopy())
			}
			w.Stop()
			// The server ended the watch (its timeout): go on from the last event seen.
		}
	}()
	return r, nil
}

func (r *leaseRecorder) add(typ watch.EventType, observed time.Time, l *coordinationv1.Lease) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, leaseEvent{seq: len(r.events), typ: typ, observed: observed, lease: *l})
}

func (r *leaseRecorder) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

func (r *leaseRecorder) snapshot() ([]leaseEvent, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events), r.err
}

// How a replica's coverage of a namespace ended.
const (
	endReleased = "released" // its Lease was written without the namespace
	// endWithdrawn is a claim withdrawn in the round that made it (the same renew time): a
	// replica claims what it may start, reads the others' Leases again, and withdraws what
	// another claimed in the same moment before it starts anything. It never owned the namespace,
	// and counts as coverage for no check.
	endWithdrawn = "withdrawn"
	endDeleted   = "deleted" // its Lease was deleted (the replica stopped gracefully)
	endExpired   = "expired" // its Lease ran out without renewal (the replica died)
	endOpen      = "open"    // it still covers it
)

// interval is a time during which one replica's live Lease covered one namespace.
type interval struct {
	replica, namespace string
	// start is the renew time written with the first Lease version that covers the namespace:
	// the replica starts the namespace's workers only after that write.
	start    time.Time
	startSeq int
	// end is the renew time of the version that lets it go (released: written only after the
	// replica's workers for it stopped), when the watch saw the Lease deleted (deleted), or
	// renew time plus duration (expired). endSeq is the event that ended it; -1 for expired and
	// open.
	end     time.Time
	endSeq  int
	endKind string
}

func (iv interval) String() string {
	end := iv.end.Format("15:04:05.000")
	if iv.endKind == endOpen {
		end = "now"
	}
	return fmt.Sprintf("%s %s–%s (%s)", iv.replica, iv.start.Format("15:04:05.000"), end, iv.endKind)
}

// contains reports whether t is within the interval.
func (iv interval) contains(t time.Time) bool {
	return iv.endKind != endWithdrawn && !t.Before(iv.start) && (iv.endKind == endOpen || !t.After(iv.end))
}

// intervals derives, from the Lease events, every interval during which a replica's live Lease
// covered each of namespaces. A Lease that went longer than its duration without renewal stops
// covering at its expiry, whether or not it is renewed later; one that is never renewed again
// (its replica died) ends at expiry too, if that is before now.
func intervals(events []leaseEvent, namespaces []string, now time.Time) (map[string][]interval, error) {
	byLease := map[string][]leaseEvent{}
	var names []string
	for _, e := range events {
		if _, ok := byLease[e.lease.Name]; !ok {
			names = append(names, e.lease.Name)
		}
		byLease[e.lease.Name] = append(byLease[e.lease.Name], e)
	}
	out := map[string][]interval{}
	for _, name := range names {
		open := map[string]*interval{}
		var lastExpiry time.Time
		closeAll := func(end time.Time, seq int, kind string) {
			for ns, iv := range open {
				iv.end, iv.endSeq, iv.endKind = end, seq, kind
				out[ns] = append(out[ns], *iv)
				delete(open, ns)
			}
		}
		for _, e := range byLease[name] {
			l := &e.lease
			renew := time.Time{}
			if l.Spec.RenewTime != nil {
				renew = l.Spec.RenewTime.Time
			}
			if len(open) > 0 && !lastExpiry.IsZero() && (e.typ == watch.Deleted && e.observed.After(lastExpiry) || renew.After(lastExpiry)) {
				closeAll(lastExpiry, -1, endExpired)
			}
			if e.typ == watch.Deleted {
				closeAll(e.observed, e.seq, endDeleted)
				lastExpiry = time.Time{}
				continue
			}
			covers, _, err := coverage(l)
			if err != nil {
				return nil, err
			}
			for _, ns := range namespaces {
				iv, isOpen := open[ns]
				switch {
				case covers(ns) && !isOpen:
					open[ns] = &interval{replica: holder(l), namespace: ns, start: renew, startSeq: e.seq}
				case !covers(ns) && isOpen:
					iv.end, iv.endSeq, iv.endKind = renew, e.seq, endReleased
					if renew.Equal(iv.start) {
						iv.endKind = endWithdrawn
					}
					out[ns] = append(out[ns], *iv)
					delete(open, ns)
				}
			}
			lastExpiry = leaseExpiry(l)
		}
		if !lastExpiry.IsZero() && lastExpiry.Before(now) {
			closeAll(lastExpiry, -1, endExpired)
		}
		closeAll(time.Time{}, math.MaxInt, endOpen)
	}
	for ns := range out {
		sort.Slice(out[ns], func(i, j int) bool { return out[ns][i].startSeq < out[ns][j].startSeq })
	}
	return out, nil
}

// overlaps reports whether b, which started after a in commit order, began while a still
// covered the namespace; a withdrawn claim overlaps nothing. Between two commits the order of the watch is exact; against a Lease
// that ran out, the renew time b wrote with its claim is the clock its replica judged the expiry
// with.
func overlaps(a, b interval) bool {
	if a.endKind == endWithdrawn || b.endKind == endWithdrawn {
		return false
	}
	switch a.endKind {
	case endOpen:
		return true
	case endExpired:
		return b.start.Before(a.end)
	default:
		return b.startSeq < a.endSeq
	}
}

// largestGap returns the longest time within [from, to] during which none of ivs covers the
// namespace, and where it starts.
func largestGap(ivs []interval, from, to time.Time) (gap time.Duration, at time.Time) {
	type span struct{ s, e time.Time }
	var spans []span
	for _, iv := range ivs {
		e := iv.end
		if iv.endKind == endOpen {
			e = to
		}
		spans = append(spans, span{iv.start, e})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].s.Before(spans[j].s) })
	cursor := from
	for _, sp := range spans {
		if sp.s.After(cursor) && cursor.Before(to) {
			end := sp.s
			if end.After(to) {
				end = to
			}
			if d := end.Sub(cursor); d > gap {
				gap, at = d, cursor
			}
		}
		if sp.e.After(cursor) {
			cursor = sp.e
		}
	}
	if to.After(cursor) && to.Sub(cursor) > gap {
		gap, at = to.Sub(cursor), cursor
	}
	return gap, at
}
