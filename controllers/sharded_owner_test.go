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

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// TestShardedOwnerCheckAsksTheAPIServer: a sharded replica's cache holds its own namespaces only,
// so a remote webhook that a Webhook of another replica's namespace records on the same SaaS
// account (a shared ClusterAccount) is found by asking the API server for status.id; a record on
// another account, or the asking Webhook's own, is not an owner. The owner is never named when it
// lives in another namespace.
func TestShardedOwnerCheckAsksTheAPIServer(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := hooksv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	recorded := func(ns, name, uid, id, account string) *hooksv1alpha1.Webhook {
		wh := indexedWebhook(ns, name, uid, id, "creds")
		wh.Status.RemoteAccount = account
		return wh
	}
	const shared = "Webex|https://webexapis.com/v1"
	c := fake.NewClientBuilder().WithScheme(scheme).
		WithObjects(recorded("team-b", "theirs", "uid-b", "hook-1", shared), recorded("team-c", "elsewhere", "uid-c", "hook-2", "Webex|https://other.example")).
		WithIndex(&hooksv1alpha1.Webhook{}, "status.id", func(o client.Object) []string { return []string{o.(*hooksv1alpha1.Webhook).Status.ID} }).
		Build()
	o := &ownership{reader: c, sharded: true}
	mine := recorded("team-a", "mine", "uid-a", "", shared)
	ctx := context.Background()
	owner, err := o.recordedElsewhere(ctx, shared, mine, "hook-1")
	if err != nil || owner != "a Webhook in another namespace" {
		t.Errorf("hook-1: owner %q, %v; want the other namespace's Webhook, unnamed", owner, err)
	}
	if owner, err := o.recordedElsewhere(ctx, shared, mine, "hook-2"); err != nil || owner != "" {
		t.Errorf("hook-2 is recorded on another account: owner %q, %v", owner, err)
	}
	self := recorded("team-b", "theirs", "uid-b", "hook-1", shared)
	if owner, err := o.recordedElsewhere(ctx, shared, self, "hook-1"); err != nil || owner != "" {
		t.Errorf("a Webhook's own record: owner %q, %v", owner, err)
	}
}
