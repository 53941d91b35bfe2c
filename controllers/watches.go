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

// The watches of the Webhook controller: which Webhooks a change brings back. Webhooks (spec,
// annotations, deletion); the Secrets they read, their own and their accounts'; Accounts and
// ClusterAccounts; and the labels of the namespaces that ClusterAccounts select by. Nothing here
// reconciles: each maps an event to the Webhooks to queue.

import (
	"context"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	policy "github.com/hookkeeper/hookkeeper/internal/accounts"
)

// setupWebhookController registers the Webhook controller and its watches.
func (r *WebhookReconciler) setupWebhookController(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&hooksv1alpha1.Webhook{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{},
			predicate.AnnotationChangedPredicate{},
			deletionStarted,
		)))
	// Secrets as metadata only: a change is seen, and the data of only the Secrets that Webhooks
	// read is fetched (secrets.go), never the rest of the cluster's.
	for _, src := range r.secretSources(mgr, r.secretHandler()) {
		b = b.WatchesRawSource(src)
	}
	return b.
		// Accounts and ClusterAccounts, and the labels of namespaces that ClusterAccounts select
		// by: a grant, a revoke or a rule change reaches the Webhooks on the account at once.
		Watches(&hooksv1alpha1.Account{}, handler.EnqueueRequestsFromMapFunc(r.webhooksForAccount),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&hooksv1alpha1.ClusterAccount{}, handler.EnqueueRequestsFromMapFunc(r.webhooksForClusterAccount),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesMetadata(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(r.webhooksForNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		WatchesRawSource(source.Channel(r.wake, &handler.EnqueueRequestForObject{})).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: r.workers(),
			// 5xx and network errors back off from 1s per Webhook, up to 5m or half a resync
			// period, whichever is less: a Webhook is Ready again within one resync period after
			// an outage ends.
			RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, r.maxBackoff()),
		}).
		Named("webhook").
		Complete(r)
}

// secretHandler enqueues the Webhooks that read a Secret when it changes. When it is deleted, it
// also remembers its data for a while, so that those Webhooks can still be deleted cleanly.
func (r *WebhookReconciler) secretHandler() handler.EventHandler {
	enqueue := func(ctx context.Context, obj client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		for _, req := range r.webhooksForSecret(ctx, obj) {
			q.Add(req)
		}
	}
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			r.secrets.created(client.ObjectKeyFromObject(e.Object))
			enqueue(ctx, e.Object, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if data, ok := r.secrets.updated(client.ObjectKeyFromObject(e.ObjectNew)); ok {
				// Credentials rotated (or the Secret touched): the old credentials' snapshots go.
				for p := range r.Providers {
					r.accounts.retire(credentialKey(p, data))
				}
			}
			enqueue(ctx, e.ObjectNew, q)
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			key := client.ObjectKeyFromObject(e.Object)
			reqs := r.webhooksForSecret(ctx, e.Object)
			// The event carries no data: what the operator last read of the Secret is kept.
			r.secrets.removed(key, len(reqs) > 0)
			for _, req := range reqs {
				q.Add(req)
			}
		},
		GenericFunc: func(ctx context.Context, e event.GenericEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, e.Object, q)
		},
	}
}

// webhooksForSecret maps a Secret to the Webhooks in its namespace that read it, and to the
// Webhooks on the accounts that read it.
func (r *WebhookReconciler) webhooksForSecret(ctx context.Context, obj client.Object) []reconcile.Request {
	reqs := r.webhooksForAccountSecret(ctx, obj)
	r.index.eachInNamespace(obj.GetNamespace(), func(wh *hooksv1alpha1.Webhook) {
		if slices.Contains(wh.Spec.SecretNames(), obj.GetName()) {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: wh.Namespace, Name: wh.Name}})
		}
	})
	return reqs
}

// deletionStarted passes updates that set the deletion timestamp.
var deletionStarted = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return e.ObjectOld != nil && e.ObjectNew != nil &&
			e.ObjectOld.GetDeletionTimestamp().IsZero() && !e.ObjectNew.GetDeletionTimestamp().IsZero()
	},
}

// webhooksForAccount maps an Account to the Webhooks of its namespace that name it.
func (r *WebhookReconciler) webhooksForAccount(_ context.Context, obj client.Object) []reconcile.Request {
	ref := &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindAccount, Name: obj.GetName()}
	var reqs []reconcile.Request
	r.index.eachInNamespace(obj.GetNamespace(), func(wh *hooksv1alpha1.Webhook) {
		if sameAccountRef(wh.Spec.AccountRef, ref) {
			reqs = append(reqs, requestFor(wh))
		}
	})
	return reqs
}

// webhooksForClusterAccount maps a ClusterAccount to every Webhook that names it.
func (r *WebhookReconciler) webhooksForClusterAccount(_ context.Context, obj client.Object) []reconcile.Request {
	ref := &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: obj.GetName()}
	var reqs []reconcile.Request
	r.index.each(func(wh *hooksv1alpha1.Webhook) {
		if sameAccountRef(wh.Spec.AccountRef, ref) {
			reqs = append(reqs, requestFor(wh))
		}
	})
	return reqs
}

// webhooksForNamespace maps a Namespace (its labels changed) to its Webhooks on ClusterAccounts,
// whose permission may have changed with them.
func (r *WebhookReconciler) webhooksForNamespace(_ context.Context, obj client.Object) []reconcile.Request {
	var reqs []reconcile.Request
	r.index.eachInNamespace(obj.GetName(), func(wh *hooksv1alpha1.Webhook) {
		if wh.Spec.AccountRef.IsCluster() {
			reqs = append(reqs, requestFor(wh))
		}
	})
	return reqs
}

// webhooksForAccountSecret maps a Secret to the Webhooks on the accounts that read it: a rotated
// account credential is applied at once to every Webhook on the account.
func (r *WebhookReconciler) webhooksForAccountSecret(ctx context.Context, obj client.Object) []reconcile.Request {
	var reqs []reconcile.Request
	if r.Client == nil {
		return nil
	}
	reads := func(v *policy.View) bool {
		if v.SecretNamespace != obj.GetNamespace() {
			return false
		}
		return v.SecretName == obj.GetName() || slices.Contains(v.Settings.SecretNames(), obj.GetName())
	}
	var list hooksv1alpha1.AccountList
	if err := r.List(ctx, &list, client.InNamespace(obj.GetNamespace())); err == nil {
		for i := range list.Items {
			if reads(policy.FromAccount(&list.Items[i])) {
				reqs = append(reqs, r.webhooksForAccount(ctx, &list.Items[i])...)
			}
		}
	}
	if !r.secretNamespaceAllowed(obj.GetNamespace()) {
		return reqs
	}
	var clusterList hooksv1alpha1.ClusterAccountList
	if err := r.List(ctx, &clusterList); err == nil {
		for i := range clusterList.Items {
			if reads(policy.FromClusterAccount(&clusterList.Items[i])) {
				reqs = append(reqs, r.webhooksForClusterAccount(ctx, &clusterList.Items[i])...)
			}
		}
	}
	return reqs
}

func requestFor(wh *hooksv1alpha1.Webhook) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: wh.Namespace, Name: wh.Name}}
}
