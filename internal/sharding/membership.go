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
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	// MemberLabel marks the Leases of the replicas that share the work.
	MemberLabel = "hooks.hookkeeper.dev/shard-member"
	// HeldAnnotation lists, in a member's Lease, the slots whose workers it runs (Format).
	HeldAnnotation = "hooks.hookkeeper.dev/held-slots"
	// WholeAnnotation marks the Lease of a leader that does not shard (Membership.Whole): the
	// sharded replicas leave it out of their assignment, and wait for it to go.
	WholeAnnotation = "hooks.hookkeeper.dev/whole"
	// ReplicaAnnotation names, in a member's Lease, the replica whose process holds it
	// (Membership.Name), such as its pod: the Lease's own name has a suffix per process.
	ReplicaAnnotation = "hooks.hookkeeper.dev/replica"
	// leasePrefix starts the name of every member's Lease.
	leasePrefix = "hookkeeper-shard-"
	// staleAfter is how many Lease durations a Lease goes unrenewed before Prune deletes it: far
	// more than the renew deadline, after which its process has stopped every reconcile.
	staleAfter = 10
)

// With --sharding every replica reads the namespace names, to cut the slots where they crowd.
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=list;watch

// Membership is one replica's side of the sharing: it keeps the replica's Lease, with the slots
// it holds, and reads the others'. It is not safe for concurrent use.
type Membership struct {
	// Client reads and writes Leases in Namespace.
	Client    client.Client
	Namespace string
	// Identity is the process's name in the Leases, unique to it (ProcessIdentity): two
	// processes that shared a Lease would each renew what the other holds.
	Identity string
	// Name is the replica's name, such as its pod name, for the people and tests that read the
	// Leases (ReplicaAnnotation); empty: Identity.
	Name string
	// Duration is how long a Lease lasts without renewal: a replica that dies is replaced once
	// its Lease has run out.
	Duration time.Duration
	// Now is the clock; time.Now when nil. The Runner fences the replica by time.Now at the renew
	// time Now gave plus RenewDeadline.
	Now func() time.Time
	// Namespaces returns the namespaces the slots are cut for (Partition); nil: none known, and
	// the space is cut into 2^MinDepth equal slots.
	Namespaces func(ctx context.Context) ([]string, error)
	// Whole makes the member claim the whole space, whoever else is there: the elected leader of
	// an operator that does not shard. It starts once no sharded replica holds anything, and
	// while it holds the space no sharded replica starts any of it, so that switching between
	// the two modes in a rolling update never gives a namespace two owners.
	Whole bool

	// renewed is the renew time of the last write of the Lease that succeeded.
	renewed time.Time
}

// ProcessIdentity returns a Lease identity for a process of the replica name: the name and a
// random suffix. A process that restarts in its pod, or two operators on one host outside a
// cluster, then never write one Lease: the others would count them as one member, and each would
// renew in its Lease what the other holds.
func ProcessIdentity(name string) string {
	const letters = "bcdfghjklmnpqrstvwxz2456789"
	suffix := make([]byte, 6)
	for i := range suffix {
		suffix[i] = letters[rand.IntN(len(letters))]
	}
	return name + "-" + string(suffix)
}

// View is what a replica does after a Sync.
type View struct {
	// Members are every replica whose Lease is live, sorted.
	Members []string
	// Assigned are the replica's slots by Assign over Members.
	Assigned []Slot
	// Slots is how many slots the space is cut into.
	Slots int
	// Start are the slots to start now: assigned, run by no other live member, and already
	// claimed in the replica's Lease.
	Start []Slot
	// Stop are the running slots that are no longer the replica's: stop their workers, then Sync
	// again, which lets them go in the Lease.
	Stop []Slot
}

// Sync is one round of the sharing. running are the slots whose workers run now. Every slot a
// replica runs is in its Lease from before it starts until after it stops, so that no other
// replica starts it meanwhile:
//
//  1. read every member's Lease; the live ones give the assignment;
//  2. claim in the replica's Lease what it runs plus the assigned slots nobody else claims;
//  3. read the Leases again: a slot another live member claimed in the same moment goes to the
//     one that the assignment, read again, gives it to (the other lets it go at once);
//  4. return the slots to start and those to stop.
//
// A Lease of another member that cannot be read is an error: taking it for one that holds
// nothing could give a slot two owners.
func (m *Membership) Sync(ctx context.Context, running []Slot) (View, error) {
	now := m.now()
	members, err := m.read(ctx)
	if err != nil {
		return View{}, err
	}
	if !slices.ContainsFunc(members, func(x Member) bool { return x.ID == m.Identity }) {
		// A replica counts itself from its first round, so that its share is known at once.
		members = append(members, Member{ID: m.Identity, Expires: now.Add(m.Duration)})
	}
	var namespaces []string
	if m.Namespaces != nil && !m.Whole {
		if namespaces, err = m.Namespaces(ctx); err != nil {
			return View{}, fmt.Errorf("listing the namespaces to cut the slots for: %w", err)
		}
	}
	partition := Partition(namespaces)
	assign := func(members []Member) []Slot {
		if m.Whole {
			return []Slot{{}}
		}
		// A leader that does not shard takes no share: the space is the sharded replicas'.
		sharded := slices.DeleteFunc(slices.Clone(members), func(x Member) bool { return x.Whole })
		return Assign(Live(sharded, now), partition)[m.Identity]
	}
	assigned := assign(members)
	candidates := Startable(m.Identity, notCoveredBy(assigned, running), members, now)
	if err := m.renew(ctx, union(running, candidates), now); err != nil {
		return View{}, err
	}
	if len(candidates) > 0 {
		// Another member may have claimed one of them in the same moment, from another view.
		if members, err = m.read(ctx); err != nil {
			return View{}, err
		}
		again := assign(members)
		startable := Startable(m.Identity, candidates, members, now)
		var confirmed []Slot
		for _, s := range candidates {
			if coveredBy(s, again) && slices.Contains(startable, s) {
				confirmed = append(confirmed, s)
			}
		}
		if len(confirmed) != len(candidates) {
			if err := m.renew(ctx, union(running, confirmed), now); err != nil {
				return View{}, err
			}
		}
		candidates, assigned = confirmed, again
	}
	return View{
		Members:  Live(members, now),
		Assigned: assigned,
		Slots:    len(partition),
		Start:    candidates,
		// A running slot the assignment no longer covers whole stops whole; the part of it that
		// is still the replica's starts again as its own slot.
		Stop: notCoveredBy(running, assigned),
	}, nil
}

// Renewed returns the renew time of the last write of the Lease that succeeded (Sync, Hold), as
// Now gave it; zero before the first.
func (m *Membership) Renewed() time.Time { return m.renewed }

func (m *Membership) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// LeaseName is the name of a member's Lease.
func LeaseName(identity string) string {
	return leasePrefix + identity
}

// read returns every member as its Lease shows it.
func (m *Membership) read(ctx context.Context) ([]Member, error) {
	var list coordinationv1.LeaseList
	if err := m.Client.List(ctx, &list, client.InNamespace(m.Namespace), client.HasLabels{MemberLabel}); err != nil {
		return nil, fmt.Errorf("listing the shard Leases: %w", err)
	}
	members := make([]Member, 0, len(list.Items))
	for i := range list.Items {
		member, err := memberOf(&list.Items[i])
		if err != nil {
			return nil, err
		}
		members = append(members, member)
	}
	return members, nil
}

// Hold renews the replica's Lease with held, and nothing else: a replica whose reconciles are
// still ending keeps its slots while it stops.
func (m *Membership) Hold(ctx context.Context, held []Slot) error {
	return m.renew(ctx, union(held, nil), m.now())
}

// Leave deletes the replica's Lease: call it once its workers have stopped, so that the others
// take its slots at once rather than when the Lease would have run out.
func (m *Membership) Leave(ctx context.Context) error {
	lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: m.Namespace, Name: LeaseName(m.Identity)}}
	if err := m.Client.Delete(ctx, lease); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting the shard Lease %s: %w", lease.Name, err)
	}
	return nil
}

func (m *Membership) renew(ctx context.Context, held []Slot, now time.Time) error {
	lease := &coordinationv1.Lease{}
	key := client.ObjectKey{Namespace: m.Namespace, Name: LeaseName(m.Identity)}
	err := m.Client.Get(ctx, key, lease)
	if apierrors.IsNotFound(err) {
		lease = &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
		m.fill(lease, held, now)
		if err := m.Client.Create(ctx, lease); err != nil {
			return fmt.Errorf("creating the shard Lease %s: %w", key.Name, err)
		}
		m.renewed = now
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the shard Lease %s: %w", key.Name, err)
	}
	m.fill(lease, held, now)
	// An optimistic update: if two processes claim one identity, one of them fails here.
	if err := m.Client.Update(ctx, lease); err != nil {
		return fmt.Errorf("renewing the shard Lease %s: %w", key.Name, err)
	}
	m.renewed = now
	return nil
}

// Prune deletes the Leases not renewed for staleAfter Lease durations, and returns their names.
// Every process has a Lease of its own, so each one that ended without leaving (killed, or on a
// lost node) leaves one behind. Its process, if it still runs, stopped reconciling long ago and
// exits without writing the Lease again (Runner); the delete holds only for the version read, so
// that a Lease renewed meanwhile stays.
func (m *Membership) Prune(ctx context.Context) ([]string, error) {
	var list coordinationv1.LeaseList
	if err := m.Client.List(ctx, &list, client.InNamespace(m.Namespace), client.HasLabels{MemberLabel}); err != nil {
		return nil, fmt.Errorf("listing the shard Leases: %w", err)
	}
	now := m.now()
	var pruned []string
	for i := range list.Items {
		lease := &list.Items[i]
		spec := lease.Spec
		if lease.Name == LeaseName(m.Identity) || spec.RenewTime == nil || spec.LeaseDurationSeconds == nil {
			continue
		}
		duration := max(m.Duration, time.Duration(*spec.LeaseDurationSeconds)*time.Second)
		if now.Sub(spec.RenewTime.Time) < staleAfter*duration {
			continue
		}
		err := m.Client.Delete(ctx, lease, client.Preconditions{UID: &lease.UID, ResourceVersion: &lease.ResourceVersion})
		switch {
		case err == nil:
			pruned = append(pruned, lease.Name)
		case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
		default:
			return pruned, fmt.Errorf("deleting the stale shard Lease %s: %w", lease.Name, err)
		}
	}
	return pruned, nil
}

func (m *Membership) fill(lease *coordinationv1.Lease, held []Slot, now time.Time) {
	if lease.Labels == nil {
		lease.Labels = map[string]string{}
	}
	lease.Labels[MemberLabel] = "true"
	if lease.Annotations == nil {
		lease.Annotations = map[string]string{}
	}
	lease.Annotations[HeldAnnotation] = Format(held)
	lease.Annotations[ReplicaAnnotation] = cmp.Or(m.Name, m.Identity)
	if m.Whole {
		lease.Annotations[WholeAnnotation] = "true"
	} else {
		delete(lease.Annotations, WholeAnnotation)
	}
	lease.Spec.HolderIdentity = ptr.To(m.Identity)
	lease.Spec.LeaseDurationSeconds = ptr.To(int32(m.Duration / time.Second))
	renew := metav1.NewMicroTime(now)
	lease.Spec.RenewTime = &renew
	if lease.Spec.AcquireTime == nil {
		lease.Spec.AcquireTime = &renew
	}
}

// memberOf reads a member from its Lease. A Lease without holder, renewal or duration belongs to
// nobody alive; one whose held slots cannot be read is an error.
func memberOf(lease *coordinationv1.Lease) (Member, error) {
	spec := lease.Spec
	if spec.HolderIdentity == nil || spec.RenewTime == nil || spec.LeaseDurationSeconds == nil {
		return Member{ID: lease.Name}, nil
	}
	held, err := Parse(lease.Annotations[HeldAnnotation])
	if err != nil {
		return Member{}, fmt.Errorf("shard Lease %s: %s: %w", lease.Name, HeldAnnotation, err)
	}
	return Member{
		ID:      *spec.HolderIdentity,
		Held:    held,
		Expires: spec.RenewTime.Add(time.Duration(*spec.LeaseDurationSeconds) * time.Second),
		Whole:   lease.Annotations[WholeAnnotation] == "true",
	}, nil
}
