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
// Leases alone. The 64-bit FNV-1a hash space of namespace names, the space the API server's
// sharded list and watch (KEP-5866, shardSelector) works in, is cut into Slots equal ranges. Each
// slot goes to one live member by rendezvous hashing, so that the assignment is the same
// wherever it is computed, and a member joining or leaving moves about 1/N of the slots. A member
// starts a slot only once no other live member still holds it (Startable): the previous owner
// stops its workers for a slot it loses and says so in its Lease before the new owner begins.
//
// Membership keeps a replica's Lease and runs the handover over the API server; the rest of the
// package is pure. Nothing in the operator uses it yet.
package sharding

import (
	"fmt"
	"hash/fnv"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	apisharding "k8s.io/apimachinery/pkg/sharding"
)

// Slots is how many equal ranges the hash space is cut into. 256 keeps each replica's share
// within a few percent of 1/N for up to a few dozen replicas, and its selector short.
const Slots = 256

// Key is the field the operator shards by: a Webhook's credentials live in its own namespace, so
// an account's Webhooks, Secrets and snapshot stay on one replica.
const Key = "object.metadata.namespace"

// slotShift maps a 64-bit hash to its slot: the top 8 bits.
var slotShift = 64 - bits.Len(uint(Slots-1))

// Slot is one range of the hash space, [Slot<<56, (Slot+1)<<56).
type Slot int

// SlotOf returns the slot of a namespace, from the same FNV-1a 64-bit hash the API server uses.
func SlotOf(namespace string) Slot {
	h := fnv.New64a()
	_, _ = h.Write([]byte(namespace))
	return Slot(h.Sum64() >> slotShift)
}

// bounds returns the slot's range as the 0x-prefixed, 16-digit hex bounds a shard selector wants;
// the end of the last slot is 2^64, written 0x10000000000000000.
func (s Slot) bounds() (start, end string) {
	start = fmt.Sprintf("0x%016x", uint64(s)<<slotShift)
	if int(s) == Slots-1 {
		return start, "0x10000000000000000"
	}
	return start, fmt.Sprintf("0x%016x", uint64(s+1)<<slotShift)
}

// Assign gives every slot to one of members (their Lease holder identities) by rendezvous
// hashing with bounded loads: each slot goes to the member with the highest hash of (member,
// slot) among those that own fewer than their share (Slots/N, rounded up). So no member owns more
// than its share, none much less, the result is the same wherever it is computed, and a member
// joining or leaving moves little more than its share of the slots. The result has an entry for every member,
// its slots in order; with no member it is empty.
func Assign(members []string) map[string][]Slot {
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
	limit := (Slots + len(ms) - 1) / len(ms)
	for s := range Slot(Slots) {
		best, bestScore := "", uint64(0)
		for _, m := range ms {
			if len(out[m]) >= limit {
				continue
			}
			if score := weight(m, s); best == "" || score > bestScore {
				best, bestScore = m, score
			}
		}
		out[best] = append(out[best], s)
	}
	return out
}

func weight(member string, s Slot) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(member))
	_, _ = h.Write([]byte{0, byte(s), byte(s >> 8)})
	// FNV's low bits mix poorly for short inputs that differ in their last bytes: finish with a
	// 64-bit mixer so that every member's scores are spread over the whole range.
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
// No slot gives a selector that matches nothing; every slot, one that matches everything.
func Selector(slots []Slot) apisharding.Selector {
	sorted := slices.Clone(slots)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var reqs []apisharding.ShardRangeRequirement
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] == sorted[j]+1 {
			j++
		}
		start, _ := sorted[i].bounds()
		_, end := sorted[j].bounds()
		reqs = append(reqs, apisharding.ShardRangeRequirement{Key: Key, Start: start, End: end})
		i = j + 1
	}
	if len(reqs) == 0 {
		// apisharding.NewSelector with no requirement would match everything, and the API server
		// refuses an empty range: the narrowest range it takes, the single hash 0, which no
		// namespace of a real cluster is known to have.
		reqs = append(reqs, apisharding.ShardRangeRequirement{Key: Key, Start: "0x0000000000000000", End: "0x0000000000000001"})
	}
	return apisharding.NewSelector(reqs...)
}

// Member is one replica as its Lease shows it.
type Member struct {
	// ID is the Lease's holder identity.
	ID string
	// Held are the slots whose workers the member runs now, from its Lease.
	Held []Slot
	// Expires is when the Lease runs out unless renewed: renew time plus duration.
	Expires time.Time
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

// Startable returns the slots of assigned that self may start at now: those no other member
// holds under a live Lease. A member that lost a slot keeps it held until its workers for it have
// stopped; a member that died stops holding anything once its Lease has run out.
func Startable(self string, assigned []Slot, members []Member, now time.Time) []Slot {
	taken := map[Slot]bool{}
	for _, m := range members {
		if m.ID == self || !now.Before(m.Expires) {
			continue
		}
		for _, s := range m.Held {
			taken[s] = true
		}
	}
	var out []Slot
	for _, s := range assigned {
		if !taken[s] {
			out = append(out, s)
		}
	}
	return out
}

// Format writes slots as the compact list a Lease annotation holds: "0-15,32,40-47".
func Format(slots []Slot) string {
	sorted := slices.Clone(slots)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var parts []string
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] == sorted[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(int(sorted[i])))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", sorted[i], sorted[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// Parse reads what Format writes. A slot out of range or a malformed item is an error: a Lease
// that cannot be read must not be taken for one that holds nothing.
func Parse(s string) ([]Slot, error) {
	var out []Slot
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for _, item := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(item), "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 || a >= Slots {
			return nil, fmt.Errorf("slot %q is not a number from 0 to %d", item, Slots-1)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b >= Slots {
				return nil, fmt.Errorf("slot range %q is not from..to within 0 to %d", item, Slots-1)
			}
		}
		for s := a; s <= b; s++ {
			out = append(out, Slot(s))
		}
	}
	return out, nil
}
