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

// Package sharding decides which replica of the operator owns which namespaces, from the replicas'
// Leases alone, and restricts each replica's informers to its namespaces.
//
// The key is the 64-bit FNV-1a hash of the namespace name, the hash the API server's sharded
// list and watch (KEP-5866, shardSelector) ranges over. That hash spreads its top bits poorly
// over names that differ only in their last characters (team-01 … team-99 fall in 1/64 of the
// space), so equal fixed ranges would give one replica most of such a cluster. The space is cut
// instead into Slots, prefix ranges like IP networks ("2e/8"), split where the namespaces crowd
// (Partition): every namespace list gives the same cut wherever it is computed. Each slot goes to
// one live member by rendezvous hashing with bounded loads (Assign), so a member joining or
// leaving moves about 1/N of the namespaces. A member starts a slot only once no other live
// member holds an overlapping one (Startable): the previous owner stops its workers for a slot
// it loses and says so in its Lease before the new owner begins.
//
// Membership keeps a replica's Lease and runs the handover over the API server; Runner and Gate
// run it in the operator; Scope cuts the informers' caches.
package sharding

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	apisharding "k8s.io/apimachinery/pkg/sharding"
)

// Key is the field the operator shards by: a Webhook's credentials live in its own namespace, so
// an account's Webhooks, Secrets and snapshot stay on one replica.
const Key = "object.metadata.namespace"

// MinDepth is the depth every cut reaches: at least 2^MinDepth slots, so that the space is shared
// even before any namespace is known.
const MinDepth = 6

// crowd is how many slots the namespaces are spread over at least: a slot holds at most
// len(namespaces)/crowd of them, rounded up to a power of two so that the cut changes only when
// the number of namespaces doubles or halves, not with each one. 256 keeps every member within a
// few percent of its share up to a few dozen members, and a member's selector to a few hundred
// ranges at most (about 220, 19 KB, for 1,000 namespaces numbered at the end over 3 members).
const crowd = 256

// Hash is the API server's hash of a namespace name: FNV-1a, 64 bits.
func Hash(namespace string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(namespace))
	return h.Sum64()
}

// Slot is a prefix range of the hash space: the hashes whose top Bits bits are Prefix, as an IP
// network is the addresses that share its prefix. The zero Slot is the whole space.
type Slot struct {
	Prefix uint64
	Bits   uint8
}

// Contains reports whether hash h is in the slot.
func (s Slot) Contains(h uint64) bool {
	return s.Bits == 0 || h>>(64-uint(s.Bits)) == s.Prefix
}

// Covers reports whether o lies within s.
func (s Slot) Covers(o Slot) bool {
	return s.Bits <= o.Bits && (s.Bits == 0 || o.Prefix>>(uint(o.Bits)-uint(s.Bits)) == s.Prefix)
}

// Overlaps reports whether s and o share any hash: one of them covers the other.
func (s Slot) Overlaps(o Slot) bool { return s.Covers(o) || o.Covers(s) }

// children are the two halves of s.
func (s Slot) children() (Slot, Slot) {
	return Slot{Prefix: s.Prefix << 1, Bits: s.Bits + 1}, Slot{Prefix: s.Prefix<<1 | 1, Bits: s.Bits + 1}
}

// start is the first hash of s; size-1 is how many follow it (as a uint64, 2^64-1 for the whole space).
func (s Slot) start() uint64 {
	if s.Bits == 0 {
		return 0
	}
	return s.Prefix << (64 - uint(s.Bits))
}

func (s Slot) last() uint64 {
	if s.Bits == 0 {
		return math.MaxUint64
	}
	return s.start() | (1<<(64-uint(s.Bits)) - 1)
}

// String writes the slot as its Lease annotation does: the prefix in hex, a slash, its bits.
func (s Slot) String() string {
	return strconv.FormatUint(s.Prefix, 16) + "/" + strconv.Itoa(int(s.Bits))
}

func compareSlots(a, b Slot) int {
	if c := cmp.Compare(a.start(), b.start()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits, b.Bits)
}

// Covered reports whether namespace is in one of slots.
func Covered(slots []Slot, namespace string) bool {
	h := Hash(namespace)
	return slices.ContainsFunc(slots, func(s Slot) bool { return s.Contains(h) })
}

// Share is the part of the hash space slots cover, from 0 to 1 (overlaps counted once).
func Share(slots []Slot) float64 {
	var total float64
	for _, s := range union(slots, nil) {
		total += math.Ldexp(1, -int(s.Bits))
	}
	return total
}

// coveredBy reports whether every hash of s is in one of by.
func coveredBy(s Slot, by []Slot) bool {
	inside := false
	for _, b := range by {
		if b.Covers(s) {
			return true
		}
		if s.Covers(b) {
			inside = true
		}
	}
	if !inside || s.Bits == 64 {
		return false
	}
	l, r := s.children()
	return coveredBy(l, by) && coveredBy(r, by)
}

// union returns the slots of a and b in order, without those another of them covers.
func union(a, b []Slot) []Slot {
	all := append(slices.Clone(a), b...)
	slices.SortFunc(all, compareSlots)
	all = slices.Compact(all)
	out := all[:0]
	for _, s := range all {
		// Sorted by start then size, a covering slot comes before what it covers.
		if len(out) > 0 && out[len(out)-1].Covers(s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// without returns the slots of a that no slot of b overlaps.
func without(a, b []Slot) []Slot {
	return slices.DeleteFunc(slices.Clone(a), func(s Slot) bool {
		return slices.ContainsFunc(b, s.Overlaps)
	})
}

// notCoveredBy returns the slots of a that b does not cover whole.
func notCoveredBy(a, b []Slot) []Slot {
	return slices.DeleteFunc(slices.Clone(a), func(s Slot) bool { return coveredBy(s, b) })
}

// Weighted is a slot of a Partition with the number of namespaces in it.
type Weighted struct {
	Slot
	Namespaces int
}

// Partition cuts the hash space into slots for namespaces: every slot at least MinDepth bits
// deep, and split further while it holds more than its share (len/256, rounded up to a power of
// two). The cut depends only on the set of namespaces, so every replica that sees the same
// namespaces cuts the same way. The slots are in hash order.
func Partition(namespaces []string) []Weighted {
	hashes := make([]uint64, 0, len(namespaces))
	for _, ns := range namespaces {
		hashes = append(hashes, Hash(ns))
	}
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	limit := 1
	if n := (len(hashes) + crowd - 1) / crowd; n > 1 {
		limit = 1 << bits.Len(uint(n-1))
	}
	var out []Weighted
	var split func(s Slot, hs []uint64)
	split = func(s Slot, hs []uint64) {
		if s.Bits >= MinDepth && (len(hs) <= limit || s.Bits == 64) {
			out = append(out, Weighted{Slot: s, Namespaces: len(hs)})
			return
		}
		l, r := s.children()
		// hs is sorted: those of the left half come first.
		i, _ := slices.BinarySearch(hs, r.start())
		split(l, hs[:i])
		split(r, hs[i:])
	}
	split(Slot{}, hashes)
	return out
}

// Assign gives every slot of a partition to one of members (their Lease holder identities) by
// rendezvous hashing with bounded loads: each slot goes to the member with the highest hash of
// (member, slot) among those whose share would stay within its bound: the namespaces over the
// members, rounded up, for slots that hold namespaces (the heaviest placed first; a slot that
// fits under no member's bound goes to the least loaded); the empty slots over the members, for
// those that hold none. So no member gets much more than its share, the result is the same
// wherever it is computed, and a member joining or leaving moves little more than its share. The
// result has an entry for every member, its slots in order; with no member it is empty.
func Assign(members []string, partition []Weighted) map[string][]Slot {
	out := make(map[string][]Slot, len(members))
	if len(members) == 0 {
		return out
	}
	ms := slices.Clone(members)
	slices.Sort(ms)
	ms = slices.Compact(ms)
	for _, m := range ms {
		out[m] = nil
	}
	var full, empty []Weighted
	total := 0
	for _, w := range partition {
		if w.Namespaces > 0 {
			full = append(full, w)
			total += w.Namespaces
		} else {
			empty = append(empty, w)
		}
	}
	// The heaviest first, so that the light ones fill the gaps the bound leaves.
	slices.SortStableFunc(full, func(a, b Weighted) int { return cmp.Compare(b.Namespaces, a.Namespaces) })
	n := len(ms)
	place(out, ms, full, (total+n-1)/n)
	place(out, ms, empty, 0)
	for m := range out {
		slices.SortFunc(out[m], compareSlots)
	}
	return out
}

// place gives each slot to the highest-scoring member under bound (in namespaces; 0: in slots,
// the slots over the members), or, when no member is under it, to the least loaded.
func place(out map[string][]Slot, ms []string, slots []Weighted, bound int) {
	load := map[string]int{}
	count := func(w Weighted) int { return w.Namespaces }
	if bound == 0 {
		bound = (len(slots) + len(ms) - 1) / len(ms)
		count = func(Weighted) int { return 1 }
	}
	for _, w := range slots {
		best, bestScore := "", uint64(0)
		for _, m := range ms {
			if load[m]+count(w) > bound {
				continue
			}
			if score := weight(m, w.Slot); best == "" || score > bestScore {
				best, bestScore = m, score
			}
		}
		if best == "" {
			for _, m := range ms {
				if best == "" || load[m] < load[best] {
					best = m
				}
			}
		}
		load[best] += count(w)
		out[best] = append(out[best], w.Slot)
	}
}

func weight(member string, s Slot) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(member))
	var b [10]byte
	b[0] = 0
	b[1] = s.Bits
	for i := range 8 {
		b[2+i] = byte(s.Prefix >> (8 * i))
	}
	_, _ = h.Write(b[:])
	// FNV mixes poorly for inputs that differ in their last bytes: finish with a 64-bit mixer so
	// that every member's scores are spread over the whole range.
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// Selector returns the shard selector of slots, adjacent slots merged into one range, for the
// shardSelector of a list or watch and for filtering on the client when the server ignores it.
// No slot gives a selector of the single hash 0 (the API server refuses an empty range, and
// apisharding.NewSelector with no range matches everything).
func Selector(slots []Slot) apisharding.Selector {
	sorted := union(slots, nil)
	var reqs []apisharding.ShardRangeRequirement
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j].last() != math.MaxUint64 && sorted[j+1].start() == sorted[j].last()+1 {
			j++
		}
		end := fmt.Sprintf("0x%016x", sorted[j].last()+1)
		if sorted[j].last() == math.MaxUint64 {
			end = "0x10000000000000000"
		}
		reqs = append(reqs, apisharding.ShardRangeRequirement{Key: Key, Start: fmt.Sprintf("0x%016x", sorted[i].start()), End: end})
		i = j + 1
	}
	if len(reqs) == 0 {
		reqs = append(reqs, apisharding.ShardRangeRequirement{Key: Key, Start: "0x0000000000000000", End: "0x0000000000000001"})
	}
	return apisharding.NewSelector(reqs...)
}

// Member is one replica as its Lease shows it.
type Member struct {
	// ID is the Lease's holder identity.
	ID string
	// Held are the slots whose workers the member runs now, or is about to, from its Lease.
	Held []Slot
	// Expires is when the Lease runs out unless renewed: renew time plus duration.
	Expires time.Time
	// Whole is a leader that does not shard (Membership.Whole): it holds, or waits for, the
	// whole space, and takes no share of the assignment.
	Whole bool
}

// Live returns the IDs of the members whose Lease has not run out at now, sorted.
func Live(members []Member, now time.Time) []string {
	var ids []string
	for _, m := range members {
		if now.Before(m.Expires) {
			ids = append(ids, m.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// Startable returns the slots of assigned that self may start at now: those that no slot another
// member holds under a live Lease overlaps. A member that lost a slot keeps it held until its
// workers for it have stopped; a member that died stops holding anything once its Lease has run out.
func Startable(self string, assigned []Slot, members []Member, now time.Time) []Slot {
	var taken []Slot
	for _, m := range members {
		if m.ID == self || !now.Before(m.Expires) {
			continue
		}
		taken = append(taken, m.Held...)
	}
	return without(assigned, taken)
}

// Format writes slots as the list a Lease annotation holds, in hash order: "0/6,2e/8,2f1/12".
func Format(slots []Slot) string {
	parts := make([]string, 0, len(slots))
	for _, s := range union(slots, nil) {
		parts = append(parts, s.String())
	}
	return strings.Join(parts, ",")
}

// Parse reads what Format writes. A malformed item is an error: a Lease that cannot be read must
// not be taken for one that holds nothing.
func Parse(s string) ([]Slot, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []Slot
	for _, item := range strings.Split(s, ",") {
		prefix, size, ok := strings.Cut(strings.TrimSpace(item), "/")
		p, perr := strconv.ParseUint(prefix, 16, 64)
		b, berr := strconv.Atoi(size)
		if !ok || perr != nil || berr != nil || b < 0 || b > 64 || (b < 64 && p>>uint(b) != 0) {
			return nil, fmt.Errorf("slot %q is not a hex prefix and its bits (0 to 64), such as 2e/8", item)
		}
		out = append(out, Slot{Prefix: p, Bits: uint8(b)})
	}
	return out, nil
}
