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
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"

	"github.com/hookkeeper/hookkeeper/internal/sharding"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// The analysis of the Lease record runs here on made-up events, without a control plane: a
// checker that cannot fail proves nothing.

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// lease is a version of replica id's Lease, renewed at renew (seconds after t0), covering every
// namespace, or none when ns is "".
func lease(id string, renew float64, ns string) coordinationv1.Lease {
	key, held := claimAll()
	if ns == "" {
		held = ""
	}
	return coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: sharding.LeaseName(id), Annotations: map[string]string{key: held}},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To(id), LeaseDurationSeconds: ptr.To(int32(5)),
			RenewTime: ptr.To(metav1.NewMicroTime(at(renew)))},
	}
}

func events(evs ...leaseEvent) []leaseEvent {
	for i := range evs {
		evs[i].seq = i
		if evs[i].typ == "" {
			evs[i].typ = watch.Modified
		}
		if evs[i].observed.IsZero() && evs[i].lease.Spec.RenewTime != nil {
			evs[i].observed = evs[i].lease.Spec.RenewTime.Add(10 * time.Millisecond)
		}
	}
	return evs
}

func describe(ivs []interval) string {
	var out []string
	for _, iv := range ivs {
		if iv.endKind == endOpen {
			out = append(out, fmt.Sprintf("%s %.1f- open", iv.replica, iv.start.Sub(t0).Seconds()))
			continue
		}
		out = append(out, fmt.Sprintf("%s %.1f-%.1f %s", iv.replica, iv.start.Sub(t0).Seconds(), iv.end.Sub(t0).Seconds(), iv.endKind))
	}
	return strings.Join(out, "; ")
}

func TestIntervals(t *testing.T) {
	const ns = "t00-faults"
	for _, tc := range []struct {
		name   string
		events []leaseEvent
		now    float64
		want   string
	}{
		{"a handover by release", events(
			leaseEvent{typ: watch.Added, lease: lease("a", 0, ns)},
			leaseEvent{lease: lease("a", 1, ns)},
			leaseEvent{typ: watch.Added, lease: lease("b", 1.5, "")},
			leaseEvent{lease: lease("a", 2, "")},
			leaseEvent{lease: lease("b", 3, ns)},
		), 4, "a 0.0-2.0 released; b 3.0- open"},
		{"a replica killed: its coverage ends at expiry", events(
			leaseEvent{typ: watch.Added, lease: lease("a", 0, ns)},
			leaseEvent{lease: lease("a", 1, ns)},
			leaseEvent{typ: watch.Added, lease: lease("b", 6.5, ns)},
		), 10, "a 0.0-6.0 expired; b 6.5- open"},
		{"a Lease renewed late: a gap, then a new interval", events(
			leaseEvent{typ: watch.Added, lease: lease("a", 0, ns)},
			leaseEvent{lease: lease("a", 7, ns)},
		), 8, "a 0.0-5.0 expired; a 7.0- open"},
		{"two claims in the same moment, both withdrawn in their round, then one kept", events(
			leaseEvent{typ: watch.Added, lease: lease("a", 0, ns)},
			leaseEvent{typ: watch.Added, lease: lease("b", 0.1, ns)},
			leaseEvent{lease: lease("a", 0, "")},
			leaseEvent{lease: lease("b", 0.1, "")},
			leaseEvent{lease: lease("a", 1.7, ns)},
		), 2, "a 0.0-0.0 withdrawn; b 0.1-0.1 withdrawn; a 1.7- open"},
		{"a graceful stop: the Lease deleted", events(
			leaseEvent{typ: watch.Added, lease: lease("a", 0, ns)},
			leaseEvent{typ: watch.Deleted, lease: lease("a", 1, ns), observed: at(2)},
		), 10, "a 0.0-2.0 deleted"},
	} {
		ivs, err := intervals(tc.events, []string{ns}, at(tc.now))
		if err != nil {
			t.Fatal(err)
		}
		if got := describe(ivs[ns]); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if _, err := intervals(events(leaseEvent{lease: func() coordinationv1.Lease {
		l := lease("a", 0, ns)
		key, _ := claimAll()
		l.Annotations[key] = "x/y"
		return l
	}()}), []string{ns}, at(1)); err == nil {
		t.Error("a Lease whose claims cannot be read was taken for one that covers nothing")
	}
}

func TestOverlaps(t *testing.T) {
	released := interval{replica: "a", start: at(0), startSeq: 0, end: at(2), endSeq: 5, endKind: endReleased}
	expired := interval{replica: "a", start: at(0), startSeq: 0, end: at(6), endSeq: -1, endKind: endExpired}
	open := interval{replica: "a", start: at(0), startSeq: 0, endKind: endOpen}
	withdrawn := interval{replica: "a", start: at(1), startSeq: 1, end: at(1), endSeq: 3, endKind: endWithdrawn}
	for _, tc := range []struct {
		name string
		a, b interval
		want bool
	}{
		{"a withdrawn claim owns nothing", withdrawn, interval{start: at(1.1), startSeq: 2, endKind: endOpen}, false},
		{"nor does one against an owner", open, withdrawn, false},
		// Between commits, the watch's order decides, whatever the clocks wrote.
		{"claimed after the release was committed", released, interval{start: at(1.9), startSeq: 6}, false},
		{"claimed before the release was committed", released, interval{start: at(2.1), startSeq: 4}, true},
		{"claimed after the expiry", expired, interval{start: at(6), startSeq: 3}, false},
		{"claimed before the expiry", expired, interval{start: at(5.9), startSeq: 3}, true},
		{"claimed while still held", open, interval{start: at(9), startSeq: 3}, true},
	} {
		if got := overlaps(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: overlaps = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLargestGap(t *testing.T) {
	ivs := []interval{
		{start: at(0), end: at(2), endKind: endReleased},
		{start: at(3), end: at(10), endKind: endExpired},
		{start: at(1), end: at(2.5), endKind: endReleased},
		{start: at(14), endKind: endOpen},
	}
	if gap, from := largestGap(ivs, at(0), at(20)); gap != 4*time.Second || !from.Equal(at(10)) {
		t.Errorf("largest gap %s from %s, want 4s from 10s", gap, from.Sub(t0))
	}
	if gap, _ := largestGap(ivs[:2], at(0), at(20)); gap != 10*time.Second {
		t.Errorf("nothing after 10s: gap %s, want 10s to the end of the window", gap)
	}
	if gap, _ := largestGap(nil, at(0), at(3)); gap != 3*time.Second {
		t.Errorf("no owner at all: gap %s, want the whole window", gap)
	}
}

func TestAttribute(t *testing.T) {
	const ns = "t00-faults"
	cov := map[string][]interval{ns: {
		{replica: "replica-1", namespace: ns, start: at(0), end: at(2), endKind: endReleased},
		{replica: "replica-2", namespace: ns, start: at(3), endKind: endOpen},
	}}
	keys := []client.ObjectKey{{Namespace: ns, Name: "hook-00"}}
	replicas := []string{"replica-1", "replica-2"}
	mutation := func(ua string, when float64) simulator.Mutation {
		return simulator.Mutation{Time: at(when), Kind: simulator.MutationCreate, UserAgent: ua, Remote: "r1",
			TargetURL: targetURL(ns, "hook-00")}
	}
	for _, tc := range []struct {
		name        string
		m           simulator.Mutation
		wantReplica string
		wantProblem []string // what the message must name; none when the mutation is fine
	}{
		{"under its owner's coverage", mutation("hookkeeper/dev (replica-1)", 1), "replica-1", nil},
		{"at the very end of it", mutation("hookkeeper/dev (replica-1)", 2), "replica-1", nil},
		{"after its owner let go", mutation("hookkeeper/dev (replica-1)", 2.5), "replica-1",
			[]string{"hook-00", "replica-1", "12:00:02.500", "nobody else"}},
		{"while another replica owned it", mutation("hookkeeper/dev (replica-1)", 4), "replica-1",
			[]string{"hook-00", "replica-1", "replica-2 12:00:03.000"}},
		{"with no identity", mutation("hookkeeper/dev", 1), "", []string{"hook-00", "names no replica"}},
		{"for no Webhook of the run", simulator.Mutation{Time: at(1), Kind: simulator.MutationDelete, UserAgent: "hookkeeper/dev (replica-1)",
			Remote: "r9", TargetURL: "https://elsewhere.example.com/x"}, "", []string{"r9", "no Webhook"}},
	} {
		id, problem := attribute(hooksv1alpha1.ProviderType("Example"), tc.m, cov, keys, replicas)
		if id != tc.wantReplica || (problem == "") != (tc.wantProblem == nil) {
			t.Errorf("%s: replica %q, problem %q; want %q and a problem: %v", tc.name, id, problem, tc.wantReplica, tc.wantProblem != nil)
		}
		for _, s := range tc.wantProblem {
			if !strings.Contains(problem, s) {
				t.Errorf("%s: %q does not name %q", tc.name, problem, s)
			}
		}
	}
}
