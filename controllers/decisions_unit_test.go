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

package controllers

import (
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// decision is one case of the reconcile decisions: the SaaS's webhooks and the objects before,
// the reconciles made, and what the SaaS, the Webhooks' status and the events hold after.
type decision struct {
	name    string
	remote  []memHook
	saas    func(*memSaaS)
	objects []client.Object
	steps   []step
	// state is the SaaS's webhooks after the steps ("id owner url active"); writes are the
	// requests that changed it, in order.
	state  []string
	writes []string
	// ids are the status.id of Webhooks after the steps; events are reasons that must appear.
	ids    map[string]string
	events []string
}

// step is one reconcile of Webhook name, after the clock moved by advance: the Ready reason it
// leaves ("" when the Webhook is gone), its requeue and the SaaS requests it made.
type step struct {
	name    string
	advance time.Duration
	reason  string
	requeue requeue
	calls   []string
}

// requeue is the range RequeueAfter must be in; the zero value is no requeue.
type requeue struct{ min, max time.Duration }

var (
	resynced = requeue{rigResync, rigResync * 11 / 10}
	noResync = requeue{}
)

func after(d time.Duration) requeue { return requeue{d, d} }

// Webhook URLs the cases share.
const (
	urlHook  = "https://receiver.test/hook"
	urlNew   = "https://receiver.test/new"
	urlFirst = "https://receiver.test/first"
)

var decisions = []decision{{
	name:    "create, then nothing more",
	objects: []client.Object{hook("hook")},
	steps: []step{
		{name: "hook", reason: hooksv1alpha1.ReasonAvailable, requeue: resynced, calls: []string{"list", "create"}},
		{name: "hook", reason: hooksv1alpha1.ReasonAvailable, requeue: resynced},
	},
	state: []string{"h101 team-a/hook " + urlHook + " true"}, writes: []string{"create"},
	ids: map[string]string{"hook": "h101"}, events: []string{"Created"},
}, {
	name:    "adopt by the natural key and name marker",
	remote:  []memHook{{"h7", "team-a/hook", urlHook, true}},
	objects: []client.Object{hook("hook")},
	steps:   []step{{name: "hook", reason: hooksv1alpha1.ReasonAvailable, requeue: resynced, calls: []string{"list"}}},
	state:   []string{"h7 team-a/hook " + urlHook + " true"},
	ids:     map[string]string{"hook": "h7"}, events: []string{"Adopted"},
}, {
	name:    "update in place on a spec change",
	remote:  []memHook{{"h7", "team-a/hook", urlHook, true}},
	objects: []client.Object{hook("hook", recorded("h7"), targetURL(urlNew))},
	steps:   []step{{name: "hook", reason: hooksv1alpha1.ReasonAvailable, requeue: resynced, calls: []string{"list", "update h7"}}},
	state:   []string{"h7 team-a/hook " + urlNew + " true"}, writes: []string{"update h7"},
	ids: map[string]string{"hook": "h7"}, events: []string{"Updated"},
}, {
	name:    "replace where the SaaS cannot change a field in place",
	remote:  []memHook{{"h7", "team-a/hook", urlHook, true}},
	saas:    func(s *memSaaS) { s.immutableURL = true },
	objects: []client.Object{hook("hook", recorded("h7"), targetURL(urlNew))},
	steps: []step{{name: "hook", reason: hooksv1alpha1.ReasonAvailable, requeue: resynced,
		calls: []string{"list", "delete h7", "create"}}},
	state: []string{"h101 team-a/hook " + urlNew + " true"}, writes: []string{"delete h7", "create"},
	ids: map[string]string{"hook": "h101"}, events: []string{"Replaced"},
}, {
	name:    "re-activate a webhook the SaaS disabled, once the delay has passed",
	remote:  []memHook{{"h7", "team-a/hook", urlHook, false}},
	objects: []client.Object{hook("hook", recorded("h7"))},
	steps: []step{
		{name: "hook", reason: hooksv1alpha1.ReasonRemoteDisabled, requeue: after(time.Minute), calls: []string{"list"}},
		{name: "hook", advance: 30 * time.Second, reason: hooksv1alpha1.ReasonRemoteDisabled, requeue: after(30 * time.Second),
			calls: []string{"list"}},
		{name: "hook", advance: 31 * time.Second, reason: hooksv1alpha1.ReasonAvailable, requeue: resynced,
			calls: []string{"list", "update h7"}},
	},
	state: []string{"h7 team-a/hook " + urlHook + " true"}, writes: []string{"update h7"},
	ids: map[string]string{"hook": "h7"}, events: []string{hooksv1alpha1.ReasonRemoteDisabled, "Reactivated"},
}, {
	name:    "delete with deletionPolicy Delete",
	remote:  []memHook{{"h7", "team-a/hook", urlHook, true}},
	objects: []client.Object{hook("hook", recorded("h7"), deleting)},
	steps:   []step{{name: "hook", calls: []string{"list", "delete h7"}}},
	writes:  []string{"delete h7"}, events: []string{"Deleted"},
}, {
	name:    "delete: a remote webhook already gone counts as deleted",
	objects: []client.Object{hook("hook", recorded("h7"), deleting)},
	steps:   []step{{name: "hook", calls: []string{"list", "get h7"}}},
}, {
	name:    "delete with no id on record: what the Webhook made is found by its name marker",
	remote:  []memHook{{"h7", "team-a/hook", urlHook, true}, {"h8", "team-a/other", urlHook, true}},
	objects: []client.Object{hook("hook", recorded(""), deleting)},
	steps:   []step{{name: "hook", calls: []string{"list", "delete h7"}}},
	state:   []string{"h8 team-a/other " + urlHook + " true"}, writes: []string{"delete h7"},
}, {
	name:    "a remote webhook that vanished is created again",
	objects: []client.Object{hook("hook", recorded("h7"))},
	steps: []step{{name: "hook", reason: hooksv1alpha1.ReasonAvailable, requeue: resynced,
		calls: []string{"list", "get h7", "list", "create"}}},
	state: []string{"h101 team-a/hook " + urlHook + " true"}, writes: []string{"create"},
	ids: map[string]string{"hook": "h101"}, events: []string{"RemoteGone", "Created"},
}, {
	name:   "one webhook per natural key: a match another Webhook manages is a conflict, not a duplicate",
	remote: []memHook{{"h7", "team-a/first", urlFirst, true}},
	saas:   func(s *memSaaS) { s.uniqueURL = true },
	objects: []client.Object{hook("first", recorded("h7")),
		hook("second", targetURL(urlFirst))},
	steps: []step{{name: "second", reason: hooksv1alpha1.ReasonConflict, requeue: resynced, calls: []string{"list"}}},
	state: []string{"h7 team-a/first " + urlFirst + " true"},
	ids:   map[string]string{"first": "h7", "second": ""},
}, {
	name:    "leave the remote webhook with deletionPolicy Orphan",
	remote:  []memHook{{"h7", "team-a/hook", urlHook, true}},
	objects: []client.Object{hook("hook", recorded("h7"), deleting, orphan)},
	steps:   []step{{name: "hook"}},
	state:   []string{"h7 team-a/hook " + urlHook + " true"}, events: []string{"Orphaned"},
}, {
	name:   "conflict: the external-id annotation names another Webhook's remote webhook",
	remote: []memHook{{"h7", "team-a/first", urlFirst, true}},
	objects: []client.Object{hook("first", recorded("h7")),
		hook("second", annotated(hooksv1alpha1.AnnotationExternalID, "h7"))},
	steps: []step{
		{name: "second", reason: hooksv1alpha1.ReasonConflict, requeue: resynced, calls: []string{"list"}},
		{name: "first", reason: hooksv1alpha1.ReasonAvailable, requeue: resynced},
	},
	state: []string{"h7 team-a/first " + urlFirst + " true"},
	ids:   map[string]string{"first": "h7", "second": ""}, events: []string{hooksv1alpha1.ReasonConflict},
}, {
	name:   "conflict: of two Webhooks that record one remote webhook, the younger gives it up",
	remote: []memHook{{"h7", "team-a/first", urlFirst, true}},
	objects: []client.Object{hook("first", recorded("h7"), targetURL(urlFirst)),
		hook("second", recorded("h7"), createdLater)},
	steps: []step{{name: "second", reason: hooksv1alpha1.ReasonConflict, requeue: resynced, calls: []string{"list"}}},
	state: []string{"h7 team-a/first " + urlFirst + " true"},
	ids:   map[string]string{"first": "h7", "second": ""},
}, {
	name:    "Retry-After: a 429 closes the gate, and no request goes out until it opens",
	saas:    func(s *memSaaS) { s.retryAfter = 30 * time.Second },
	objects: []client.Object{hook("hook")},
	steps: []step{
		{name: "hook", reason: hooksv1alpha1.ReasonRateLimited, requeue: after(30*time.Second + 100*time.Millisecond), calls: []string{"list"}},
		{name: "hook", advance: 10 * time.Second, reason: hooksv1alpha1.ReasonRateLimited, requeue: after(20*time.Second + 100*time.Millisecond)},
		{name: "hook", advance: 21 * time.Second, reason: hooksv1alpha1.ReasonAvailable, requeue: resynced, calls: []string{"list", "create"}},
	},
	state: []string{"h101 team-a/hook " + urlHook + " true"}, writes: []string{"create"},
	ids: map[string]string{"hook": "h101"}, events: []string{hooksv1alpha1.ReasonRateLimited},
}, {
	name:    "credentials missing: no request to the SaaS",
	objects: []client.Object{hook("hook", noCredentials)},
	steps:   []step{{name: "hook", reason: hooksv1alpha1.ReasonCredentialsNotFound, requeue: after(credentialsRetry)}},
	ids:     map[string]string{"hook": ""}, events: []string{hooksv1alpha1.ReasonCredentialsNotFound},
}, {
	name: "an account that does not permit the namespace: no request to the SaaS",
	objects: []client.Object{hook("hook", onClusterAccount("corp")), &hooksv1alpha1.ClusterAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "corp"},
		Spec: hooksv1alpha1.ClusterAccountSpec{CredentialsRef: hooksv1alpha1.SecretReference{Namespace: "hookkeeper-system", Name: "corp"},
			AccountSettings: hooksv1alpha1.AccountSettings{Provider: memType}}}},
	steps:  []step{{name: "hook", reason: hooksv1alpha1.ReasonAccountNotPermitted, requeue: resynced}},
	ids:    map[string]string{"hook": ""},
	events: []string{hooksv1alpha1.ReasonAccountNotPermitted},
}, {
	name:    "paused: no request to the SaaS",
	objects: []client.Object{hook("hook", annotated(hooksv1alpha1.AnnotationPaused, "true"))},
	steps:   []step{{name: "hook", reason: hooksv1alpha1.ReasonPaused}},
}}

// TestReconcileDecisions runs each case of decisions against a reconciler on a fake client and
// an in-memory SaaS: no API server.
func TestReconcileDecisions(t *testing.T) {
	for _, tc := range decisions {
		t.Run(tc.name, func(t *testing.T) { runDecision(t, tc) })
	}
}

func runDecision(t *testing.T, tc decision) {
	saas := newMemSaaS(tc.remote...)
	if tc.saas != nil {
		tc.saas(saas)
	}
	objs := make([]client.Object, len(tc.objects))
	for i, o := range tc.objects {
		objs[i] = o.DeepCopyObject().(client.Object)
	}
	g := newRig(t, saas, objs...)
	for i, s := range tc.steps {
		g.now = g.now.Add(s.advance)
		from := saas.requests()
		res, err := g.reconcile(s.name)
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, s.name, err)
		}
		if got := res.RequeueAfter; got < s.requeue.min || got > s.requeue.max {
			t.Errorf("step %d (%s): RequeueAfter %s, want within [%s, %s]", i, s.name, got, s.requeue.min, s.requeue.max)
		}
		if got := saas.callsFrom(from); !slices.Equal(got, s.calls) {
			t.Errorf("step %d (%s): SaaS requests %q, want %q", i, s.name, got, s.calls)
		}
		if got := readyOf(g.webhook(s.name)); got != s.reason {
			t.Errorf("step %d (%s): Ready reason %q, want %q", i, s.name, got, s.reason)
		}
	}
	expectAfter(t, g, tc)
}

// expectAfter checks the SaaS, the Webhooks' status and the events once the steps are done.
func expectAfter(t *testing.T, g *rig, tc decision) {
	t.Helper()
	if got := g.saas.state(); !slices.Equal(got, tc.state) {
		t.Errorf("SaaS holds %q, want %q", got, tc.state)
	}
	if got := g.saas.writes(); !slices.Equal(got, tc.writes) {
		t.Errorf("SaaS writes %q, want %q", got, tc.writes)
	}
	for name, id := range tc.ids {
		wh := g.webhook(name)
		if wh == nil {
			t.Errorf("Webhook %s is gone, want status.id %q", name, id)
		} else if wh.Status.ID != id {
			t.Errorf("Webhook %s: status.id %q, want %q", name, wh.Status.ID, id)
		}
	}
	for _, reason := range tc.events {
		if !slices.Contains(g.events.reasons, reason) {
			t.Errorf("no %s event; events: %q", reason, g.events.reasons)
		}
	}
}

// readyOf is the Webhook's Ready reason, "" when it is gone.
func readyOf(wh *hooksv1alpha1.Webhook) string {
	if wh == nil {
		return ""
	}
	if c := meta.FindStatusCondition(wh.Status.Conditions, hooksv1alpha1.ConditionReady); c != nil {
		return c.Reason
	}
	return "(none)"
}
