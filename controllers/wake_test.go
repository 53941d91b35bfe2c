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
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// ownedShards owns the namespaces listed.
type ownedShards map[string]bool

func (s ownedShards) Enter(ns string) bool { return s[ns] }
func (s ownedShards) Leave(string)         {}
func (s ownedShards) Owns(ns string) bool  { return s[ns] }

// TestWakeUpNeverBlocks: a full wake channel drops the wake (the Webhook's own requeue brings it
// back) rather than hold the worker that frees a slot.
func TestWakeUpNeverBlocks(t *testing.T) {
	r := &WebhookReconciler{wake: make(chan event.GenericEvent, 1)}
	r.wakeUp(types.NamespacedName{Namespace: "team-a", Name: "one"})
	r.wakeUp(types.NamespacedName{Namespace: "team-a", Name: "two"})
	if got := (<-r.wake).Object.GetName(); got != "one" {
		t.Fatalf("woke %q, want one", got)
	}
	if len(r.wake) != 0 {
		t.Fatal("a wake went into a full channel")
	}
}

// TestRequeueOwnedQueuesOwnNamespacesOnly: a sharded replica whose slots start queues the
// Webhooks of the namespaces it owns, and no other.
func TestRequeueOwnedQueuesOwnNamespacesOnly(t *testing.T) {
	g := newRig(t, newMemSaaS(), hook("mine"),
		hook("theirs", func(wh *hooksv1alpha1.Webhook) { wh.Namespace = "team-b" }))
	g.r.Options.Shards = ownedShards{rigNamespace: true}
	if err := g.r.RequeueOwned(context.Background()); err != nil {
		t.Fatal(err)
	}
	var woke []client.ObjectKey
	for len(g.r.wake) > 0 {
		ev := <-g.r.wake
		woke = append(woke, client.ObjectKeyFromObject(ev.Object))
	}
	if len(woke) != 1 || woke[0] != (client.ObjectKey{Namespace: rigNamespace, Name: "mine"}) {
		t.Fatalf("queued %v, want only %s/mine", woke, rigNamespace)
	}
}
