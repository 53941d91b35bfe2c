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
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apisharding "k8s.io/apimachinery/pkg/sharding"
	serversharding "k8s.io/apiserver/pkg/sharding"
)

// TestHashIsTheServers: a namespace's hash is the one the API server computes.
func TestHashIsTheServers(t *testing.T) {
	for _, ns := range []string{"", "default", "team-a", "kube-system", "ns-0123456789"} {
		h, err := strconv.ParseUint(apisharding.HashField(ns), 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := Hash(ns); got != h {
			t.Errorf("Hash(%q) = %x, the server's is %x", ns, got, h)
		}
	}
}

func members(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("hookkeeper-%c%d", 'a'+i, i*7))
	}
	return out
}

// names are sets of namespace names as clusters name them: numbered at the end (the worst case
// for the hash's top bits), in the middle, or all different.
func names() map[string][]string {
	out := map[string][]string{}
	add := func(pattern string, from, to int) {
		for i := from; i < to; i++ {
			out[pattern] = append(out[pattern], fmt.Sprintf(pattern, i))
		}
	}
	add("team-%02d", 1, 100)
	add("bench-%04d", 0, 1000)
	add("hk-bench-%d", 0, 1000)
	add("tenant-%02d-apps", 0, 30)
	add("ns-%d", 0, 10000)
	out["none"] = nil
	return out
}

// TestPartitionCutsWhereNamespacesCrowd: the slots of a partition cover the hash space once, in
// order; none holds more than its share of the namespaces; and the cut is the same for the same
// namespaces in any order.
func TestPartitionCutsWhereNamespacesCrowd(t *testing.T) {
	for pattern, nss := range names() {
		p := Partition(nss)
		var slots []Slot
		total := 0
		limit := max(1, nextPow2((len(nss)+crowd-1)/crowd))
		for i, w := range p {
			slots = append(slots, w.Slot)
			total += w.Namespaces
			if w.Bits < MinDepth {
				t.Errorf("%s: slot %s is shallower than %d bits", pattern, w.Slot, MinDepth)
			}
			if w.Namespaces > limit {
				t.Errorf("%s: slot %s holds %d namespaces, more than %d", pattern, w.Slot, w.Namespaces, limit)
			}
			if i > 0 && p[i-1].last()+1 != w.start() {
				t.Fatalf("%s: slot %s does not follow %s", pattern, w.Slot, p[i-1].Slot)
			}
			n := 0
			for _, ns := range nss {
				if w.Contains(Hash(ns)) {
					n++
				}
			}
			if n != w.Namespaces {
				t.Errorf("%s: slot %s says %d namespaces, holds %d", pattern, w.Slot, w.Namespaces, n)
			}
		}
		if p[0].start() != 0 || p[len(p)-1].last() != 1<<64-1 || Share(slots) != 1 || total != len(nss) {
			t.Errorf("%s: the partition covers %v of the space and %d of %d namespaces", pattern, Share(slots), total, len(nss))
		}
		shuffled := slices.Clone(nss)
		slices.Reverse(shuffled)
		if !slices.Equal(Partition(shuffled), p) {
			t.Errorf("%s: the order of the namespaces changes the cut", pattern)
		}
	}
	if got := len(Partition(nil)); got != 1<<MinDepth {
		t.Errorf("no namespace: %d slots, want %d", got, 1<<MinDepth)
	}
}

func nextPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// TestAssignEverySlotOnce: every slot of a partition has exactly one owner, whatever the order
// of the members.
func TestAssignEverySlotOnce(t *testing.T) {
	p := Partition(names()["bench-%04d"])
	for n := 1; n <= 10; n++ {
		ms := members(n)
		a := Assign(ms, p)
		reversed := slices.Clone(ms)
		slices.Reverse(reversed)
		b := Assign(reversed, p)
		seen := map[Slot]string{}
		for m, slots := range a {
			if !slices.Equal(slots, b[m]) {
				t.Fatalf("n=%d: %s gets %v or %v depending on the order of the members", n, m, slots, b[m])
			}
			for _, s := range slots {
				if other, dup := seen[s]; dup {
					t.Fatalf("n=%d: slot %s goes to %s and %s", n, s, other, m)
				}
				seen[s] = m
			}
		}
		if len(seen) != len(p) {
			t.Fatalf("n=%d: %d slots assigned, want %d", n, len(seen), len(p))
		}
	}
	if got := Assign(nil, p); len(got) != 0 {
		t.Errorf("Assign(nil) = %v", got)
	}
}

// TestAssignIsBalanced: each member gets its share of the namespaces within a tenth, whatever
// the names look like, where there are enough namespaces to share (at least 30 per member).
func TestAssignIsBalanced(t *testing.T) {
	for pattern, nss := range names() {
		p := Partition(nss)
		for _, n := range []int{2, 3, 4, 10} {
			if len(nss) < 30*n {
				continue
			}
			share := float64(len(nss)) / float64(n)
			for m, slots := range Assign(members(n), p) {
				got := 0
				for _, ns := range nss {
					if Covered(slots, ns) {
						got++
					}
				}
				if float64(got) < 0.9*share || float64(got) > 1.1*share {
					t.Errorf("%s over %d members: %s owns %d namespaces, want %.0f ± 10%%", pattern, n, m, got, share)
				}
			}
		}
	}
}

// TestJoinAndLeaveMoveAboutOneNth: a member joining or leaving moves about 1/N of the namespaces
// (at most 1.5 times that, over many sets of member names), not a reshuffle.
func TestJoinAndLeaveMoveAboutOneNth(t *testing.T) {
	nss := names()["hk-bench-%d"]
	p := Partition(nss)
	for _, n := range []int{2, 3, 4, 9} {
		for trial := range 30 {
			var ms []string
			for i := range n + 1 {
				ms = append(ms, fmt.Sprintf("hookkeeper-%d-%d", trial, i*7919+trial))
			}
			before, after := Assign(ms[:n], p), Assign(ms, p)
			moved := 0
			for _, ns := range nss {
				if owner(before, ns) != owner(after, ns) {
					moved++
				}
			}
			if ideal := float64(len(nss)) / float64(n+1); float64(moved) > 1.5*ideal || float64(moved) < 0.8*ideal {
				t.Errorf("n=%d↔%d, names %v: %d namespaces moved, want about %.0f", n, n+1, ms, moved, ideal)
			}
		}
	}
}

func owner(a map[string][]Slot, ns string) string {
	for m, slots := range a {
		if Covered(slots, ns) {
			return m
		}
	}
	return ""
}

// TestSelectorsParseAndPartition: each member's selector is one the API server parses, and on
// the client the members' selectors put every namespace in exactly one member's slice, its
// slot's owner's.
func TestSelectorsParseAndPartition(t *testing.T) {
	nss := names()["team-%02d"]
	a := Assign(members(3), Partition(nss))
	selectors := map[string]apisharding.Selector{}
	for m, slots := range a {
		sel := Selector(slots)
		parsed, err := serversharding.Parse(sel.String())
		if err != nil {
			t.Fatalf("the API server's parser refuses %s's selector %q: %v", m, sel.String(), err)
		}
		if !slices.Equal(parsed.Requirements(), sel.Requirements()) {
			t.Errorf("%s: the server reads %v, we sent %v", m, parsed.Requirements(), sel.Requirements())
		}
		selectors[m] = sel
	}
	for _, ns := range append(nss, names()["ns-%d"][:2000]...) {
		obj := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "x"}}
		var matched []string
		for m, sel := range selectors {
			ok, err := sel.Matches(obj)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				matched = append(matched, m)
			}
		}
		if len(matched) != 1 || matched[0] != owner(a, ns) {
			t.Fatalf("namespace %s (owner %s) matched %v", ns, owner(a, ns), matched)
		}
	}
	var all []Slot
	for _, w := range Partition(nss) {
		all = append(all, w.Slot)
	}
	if got := Selector(all).String(); got != "shardRange(object.metadata.namespace, '0x0000000000000000', '0x10000000000000000')" {
		t.Errorf("every slot gives %q, want the whole space in one range", got)
	}
	if got := Selector([]Slot{{}}).String(); got != "shardRange(object.metadata.namespace, '0x0000000000000000', '0x10000000000000000')" {
		t.Errorf("the whole space gives %q", got)
	}
	none := Selector(nil)
	if ok, _ := none.Matches(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "default"}}); ok || none.Empty() {
		t.Errorf("no slot must match nothing: %q", none.String())
	}
	if _, err := serversharding.Parse(none.String()); err != nil {
		t.Errorf("the API server refuses the selector of no slot %q: %v", none.String(), err)
	}
}

// TestStartableWaitsForThePreviousOwner: a slot that a slot another live member still holds
// overlaps (the same, a larger or a smaller one) is not startable; once that member lets go, or
// its Lease runs out, it is.
func TestStartableWaitsForThePreviousOwner(t *testing.T) {
	now := time.Now()
	live, dead := now.Add(10*time.Second), now.Add(-time.Second)
	s := func(prefix uint64, bits uint8) Slot { return Slot{Prefix: prefix, Bits: bits} }
	mine := []Slot{s(1, 6), s(2, 6), s(3, 6), s(4, 6)}
	for _, tc := range []struct {
		name    string
		members []Member
		want    []Slot
	}{
		{"nobody else", []Member{{ID: "me", Held: []Slot{s(1, 6)}, Expires: live}}, mine},
		{"the previous owner still holds two", []Member{{ID: "old", Held: []Slot{s(2, 6), s(3, 6), s(9, 6)}, Expires: live}}, []Slot{s(1, 6), s(4, 6)}},
		{"the previous owner holds a larger slot", []Member{{ID: "old", Held: []Slot{s(0, 4)}, Expires: live}}, []Slot{s(4, 6)}},
		{"the previous owner holds a part of one", []Member{{ID: "old", Held: []Slot{s(0b000010_1, 7)}, Expires: live}}, []Slot{s(1, 6), s(3, 6), s(4, 6)}},
		{"the previous owner let go", []Member{{ID: "old", Held: []Slot{s(9, 6)}, Expires: live}}, mine},
		{"the previous owner died", []Member{{ID: "old", Held: mine, Expires: dead}}, mine},
		{"its Lease runs out right now", []Member{{ID: "old", Held: []Slot{s(1, 6)}, Expires: now}}, mine},
	} {
		if got := Startable("me", mine, tc.members, now); !slices.Equal(got, tc.want) {
			t.Errorf("%s: startable %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := Live([]Member{{ID: "b", Expires: live}, {ID: "a", Expires: live}, {ID: "c", Expires: dead}}, now); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Live = %v, want [a b]", got)
	}
}

// TestCoverage: a slot is covered by one that covers it, or by slots that cover its halves.
func TestCoverage(t *testing.T) {
	s := func(prefix uint64, bits uint8) Slot { return Slot{Prefix: prefix, Bits: bits} }
	for _, tc := range []struct {
		slot Slot
		by   []Slot
		want bool
	}{
		{s(1, 6), []Slot{s(1, 6)}, true},
		{s(1, 6), []Slot{s(0, 5)}, true},
		{s(1, 6), []Slot{{}}, true},
		{s(1, 6), []Slot{s(2, 7), s(3, 7)}, true},
		{s(1, 6), []Slot{s(2, 7), s(6, 8), s(7, 8)}, true},
		{s(1, 6), []Slot{s(2, 7), s(6, 8)}, false},
		{s(1, 6), []Slot{s(2, 6)}, false},
		{s(0, 5), []Slot{s(1, 6)}, false},
		{s(1, 6), nil, false},
	} {
		if got := coveredBy(tc.slot, tc.by); got != tc.want {
			t.Errorf("coveredBy(%s, %v) = %t, want %t", tc.slot, tc.by, got, tc.want)
		}
	}
	if got := union([]Slot{s(2, 7), s(0, 5), s(9, 6)}, []Slot{s(1, 6), s(9, 6)}); !slices.Equal(got, []Slot{s(0, 5), s(9, 6)}) {
		t.Errorf("union = %v", got)
	}
	if got := Share([]Slot{s(0, 1), s(2, 2), s(1, 2)}); got != 0.75 {
		t.Errorf("Share = %v, want 0.75", got)
	}
}

// TestFormatAndParse: the Lease annotation round-trips, and a malformed one is an error.
func TestFormatAndParse(t *testing.T) {
	slots := []Slot{{Prefix: 0x2e, Bits: 8}, {Prefix: 0, Bits: 6}, {Prefix: 0x2f1, Bits: 12}, {Prefix: 0xffffffffffffffff, Bits: 64}}
	text := Format(slots)
	if text != "0/6,2e/8,2f1/12,ffffffffffffffff/64" {
		t.Errorf("Format = %q", text)
	}
	back, err := Parse(text)
	if err != nil || Format(back) != text || len(back) != len(slots) {
		t.Errorf("Parse(%q) = %v, %v", text, back, err)
	}
	if got, err := Parse(""); err != nil || got != nil {
		t.Errorf("Parse(\"\") = %v, %v", got, err)
	}
	for _, bad := range []string{"x", "1", "1/", "/6", "40/6", "1/65", "1/-1", "0-255", "1/6,,2/6", "g/8"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a malformed list", bad)
		}
	}
}
