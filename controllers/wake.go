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

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// The wake channel queues a Webhook again from outside the work queue's own events: when a worker
// of its account's share frees up, when room opens under its account's limit, and when a sharded
// replica's slots start here.

// RequeueOwned queues every Webhook of the namespaces this replica now owns, as a sharded replica
// does when slots start here. It blocks until each is queued.
func (r *WebhookReconciler) RequeueOwned(ctx context.Context) error {
	shards := r.Options.Shards
	if shards == nil || r.wake == nil {
		return nil
	}
	var list hooksv1alpha1.WebhookList
	if err := r.List(ctx, &list); err != nil {
		return err
	}
	for i := range list.Items {
		wh := &list.Items[i]
		if !shards.Owns(wh.Namespace) {
			continue
		}
		select {
		case r.wake <- event.GenericEvent{Object: wh}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// wakeUp queues a Webhook again without blocking the worker that frees its account's slot; when
// the channel is full, the Webhook's own safety requeue brings it back.
func (r *WebhookReconciler) wakeUp(key types.NamespacedName) {
	wh := &hooksv1alpha1.Webhook{}
	wh.Namespace, wh.Name = key.Namespace, key.Name
	select {
	case r.wake <- event.GenericEvent{Object: wh}:
	default:
	}
}
