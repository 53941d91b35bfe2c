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

// TestSlotOfIsTheServersHash: a namespace's slot comes from the hash the API server computes.
func TestSlotOfIsTheServersHash(t *testing.T) {
	for _, ns := range []string{"", "default", "team-a", "kube-system", "ns-0123456789"} {
		h, err := strconv.ParseUint(apisharding.HashField(ns), 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := SlotOf(ns), Slot(h>>slotShift); got != want {
			t.Errorf("SlotOf(%q) = %d, the server's hash puts it in %d", ns, got, want)
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

// TestAssignEverySlotOnce: every slot has exactly one owner, whatever the order of the members.
func TestAssignEverySlotOnce(t *testing.T) {
	for n := 1; n <= 10; n++ {
		ms := members(n)
		a := Assign(ms)
		reversed := slices.Clone(ms)
		slices.Reverse(reversed)
		b := Assign(reversed)
		seen := map[Slot]string{}
		for m, slots := range a {
			if !slices.Equal(slots, b[m]) {
				t.Fatalf("n=%d: %s gets %v or %v depending on the order of the members", n, m, slots, b[m])
			}
			for _, s := range slots {
				if other, dup := seen[s]; dup {
					t.Fatalf("n=%d: slot %d goes to %s and %s", n, s, other, m)
				}
				seen[s] = m
			}
		}
		if len(seen) != Slots {
			t.Fatalf("n=%d: %d slots assigned, want %d", n, len(seen), Slots)
		}
	}
	if got := Assign(nil); len(got) != 0 {
		t.Errorf("Assign(nil) = %v", got)
	}
}

// TestAssignIsBalanced: no member owns more than its share rounded up, and none falls short by
// more than what the others' rounding up leaves (so with 3 replicas, each owns 84 to 86 of 256).
func TestAssignIsBalanced(t *testing.T) {
	for n := 1; n <= 12; n++ {
		limit := (Slots + n - 1) / n
		least := Slots - (n-1)*limit
		for m, slots := range Assign(members(n)) {
			if len(slots) < least || len(slots) > limit {
				t.Errorf("n=%d: %s owns %d slots, want %d to %d", n, m, len(slots), least, limit)
			}
		}
	}
}

// TestJoinAndLeaveMoveAboutOneNth: a member joining or leaving moves about 1/N of the slots (at
// most 1.7 times that, over many sets of names), not a reshuffle.
func TestJoinAndLeaveMoveAboutOneNth(t *testing.T) {
	for _, n := range []int{2, 3, 4, 9} {
		for trial := range 50 {
			var ms []string
			for i := range n + 1 {
				ms = append(ms, fmt.Sprintf("hookkeeper-%d-%d", trial, i*7919+trial))
			}
			before, after := owners(Assign(ms[:n])), owners(Assign(ms))
			moved := 0
			for s := range Slot(Slots) {
				if before[s] != after[s] {
					moved++
				}
			}
			if ideal := float64(Slots) / float64(n+1); float64(moved) > 1.7*ideal || float64(moved) < 0.9*ideal {
				t.Errorf("n=%d↔%d, names %v: %d slots moved, want about %.0f", n, n+1, ms, moved, ideal)
			}
		}
	}
}

func owners(a map[string][]Slot) map[Slot]string {
	out := map[Slot]string{}
	for m, slots := range a {
		for _, s := range slots {
			out[s] = m
		}
	}
	return out
}

// TestSelectorsParseAndPartition: each member's selector is one the API server parses, and on
// the client the members' selectors put every namespace in exactly one member's slice, its slot's.
func TestSelectorsParseAndPartition(t *testing.T) {
	a := Assign(members(3))
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
	slotOwner := owners(a)
	for i := range 2000 {
		ns := fmt.Sprintf("tenant-%d", i)
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
		if len(matched) != 1 || matched[0] != slotOwner[SlotOf(ns)] {
			t.Fatalf("namespace %s (slot %d, owner %s) matched %v", ns, SlotOf(ns), slotOwner[SlotOf(ns)], matched)
		}
	}
	all := make([]Slot, Slots)
	for i := range all {
		all[i] = Slot(i)
	}
	if got := Selector(all).String(); got != "shardRange(object.metadata.namespace, '0x0000000000000000', '0x10000000000000000')" {
		t.Errorf("every slot gives %q, want the whole space in one range", got)
	}
	none := Selector(nil)
	if ok, _ := none.Matches(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "default"}}); ok || none.Empty() {
		t.Errorf("no slot must match nothing: %q", none.String())
	}
}

// TestStartableWaitsForThePreviousOwner: a slot that another live member still holds is not
// startable; once that member lets go, or its Lease runs out, it is.
func TestStartableWaitsForThePreviousOwner(t *testing.T) {
	now := time.Now()
	live, dead := now.Add(10*time.Second), now.Add(-time.Second)
	mine := []Slot{1, 2, 3, 4}
	for _, tc := range []struct {
		name    string
		members []Member
		want    []Slot
	}{
		{"nobody else", []Member{{ID: "me", Held: []Slot{1}, Expires: live}}, []Slot{1, 2, 3, 4}},
		{"the previous owner still holds two", []Member{{ID: "old", Held: []Slot{2, 3, 9}, Expires: live}}, []Slot{1, 4}},
		{"the previous owner let go", []Member{{ID: "old", Held: []Slot{9}, Expires: live}}, []Slot{1, 2, 3, 4}},
		{"the previous owner died", []Member{{ID: "old", Held: []Slot{1, 2, 3, 4}, Expires: dead}}, []Slot{1, 2, 3, 4}},
		{"its Lease runs out right now", []Member{{ID: "old", Held: []Slot{1}, Expires: now}}, []Slot{1, 2, 3, 4}},
	} {
		if got := Startable("me", mine, tc.members, now); !slices.Equal(got, tc.want) {
			t.Errorf("%s: startable %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := Live([]Member{{ID: "b", Expires: live}, {ID: "a", Expires: live}, {ID: "c", Expires: dead}}, now); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Live = %v, want [a b]", got)
	}
}

// TestFormatAndParse: the Lease annotation round-trips, and a malformed one is an error.
func TestFormatAndParse(t *testing.T) {
	slots := []Slot{40, 0, 1, 2, 3, 7, 41, 255, 42}
	text := Format(slots)
	if text != "0-3,7,40-42,255" {
		t.Errorf("Format = %q", text)
	}
	back, err := Parse(text)
	want := slices.Clone(slots)
	slices.Sort(want)
	if err != nil || !slices.Equal(back, want) {
		t.Errorf("Parse(%q) = %v, %v; want %v", text, back, err, want)
	}
	if got, err := Parse(""); err != nil || got != nil {
		t.Errorf("Parse(\"\") = %v, %v", got, err)
	}
	for _, bad := range []string{"x", "1-", "3-1", "256", "-1", "0-300", "1,,2"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a malformed list", bad)
		}
	}
}
