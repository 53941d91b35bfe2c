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
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	policy "github.com/hookkeeper/hookkeeper/internal/accounts"
	"github.com/hookkeeper/hookkeeper/providers"
)

// This file is where a Webhook meets the Account or ClusterAccount it names: finding the account,
// and the platform team's rules (internal/accounts decides them; this file feeds it from the
// cache). The watches that bring a Webhook back when its account, its namespace's labels or the
// account's Secret change are in watches.go.

// sharedAccount looks up the account a Webhook names, from the cache.
func (r *WebhookReconciler) sharedAccount(ctx context.Context, wh *hooksv1alpha1.Webhook) (*policy.View, error) {
	ref := wh.Spec.AccountRef
	if ref.IsCluster() {
		ca := &hooksv1alpha1.ClusterAccount{}
		if err := r.Get(ctx, client.ObjectKey{Name: ref.Name}, ca); err != nil {
			if apierrors.IsNotFound(err) {
				return nil, policy.NotFound(ref)
			}
			return nil, err
		}
		v := policy.FromClusterAccount(ca)
		if !r.secretNamespaceAllowed(v.SecretNamespace) {
			return nil, &providers.Error{Kind: providers.KindMissingCredentials, Op: "resolve account", Message: fmt.Sprintf(
				"%s: its spec.credentialsRef.namespace is not one of the operator's --account-secret-namespaces, so the operator does not read it", v)}
		}
		return v, nil
	}
	a := &hooksv1alpha1.Account{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: wh.Namespace, Name: ref.Name}, a); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, policy.NotFound(ref)
		}
		return nil, err
	}
	return policy.FromAccount(a), nil
}

// secretNamespaceAllowed reports whether a ClusterAccount may keep its credentials in ns.
func (r *WebhookReconciler) secretNamespaceAllowed(ns string) bool {
	return slices.Contains(r.Options.AccountSecretNamespaces, "*") || slices.Contains(r.Options.AccountSecretNamespaces, ns)
}

// permitted applies the account's rules to a live Webhook: its namespace may use the account, its
// target is allowed, the external-id annotation is allowed, and the namespace is within its limit.
// Nothing here makes a request to the SaaS.
func (r *WebhookReconciler) permitted(ctx context.Context, wh *hooksv1alpha1.Webhook, v *policy.View) error {
	var ns *corev1.Namespace
	if v.IsCluster() {
		meta := &metav1.PartialObjectMetadata{}
		meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
		err := r.Get(ctx, client.ObjectKey{Name: wh.Namespace}, meta)
		switch {
		case err == nil:
			ns = &corev1.Namespace{ObjectMeta: meta.ObjectMeta}
		case !apierrors.IsNotFound(err):
			return err
		}
	}
	if err := v.Permission(wh.Namespace, ns); err != nil {
		return err
	}
	if err := v.TargetPermission(wh.Spec.TargetURL); err != nil {
		return err
	}
	if err := v.AdoptionPermission(wh); err != nil {
		return err
	}
	var siblings []*hooksv1alpha1.Webhook
	r.index.eachInNamespace(wh.Namespace, func(o *hooksv1alpha1.Webhook) {
		if sameAccountRef(o.Spec.AccountRef, wh.Spec.AccountRef) {
			siblings = append(siblings, o)
		}
	})
	return v.LimitPermission(wh, siblings)
}

// sameAccountRef reports whether two references name the same account.
func sameAccountRef(a, b *hooksv1alpha1.AccountReference) bool {
	if a == nil || b == nil {
		return false
	}
	return a.IsCluster() == b.IsCluster() && a.Name == b.Name
}

// accountRequest builds the request of a Webhook on an account: its spec completed with the
// account's fields, the account's credentials, the account's 8x8 OAuth secret, and the Webhook's
// own signing secrets from its own namespace. live applies the account's rules first; a Webhook
// being deleted skips them, so that deleting a Webhook always deletes what it made.
func (r *WebhookReconciler) accountRequest(ctx context.Context, wh *hooksv1alpha1.Webhook, live bool) (*providers.Request, error) {
	v, err := r.sharedAccount(ctx, wh)
	if err != nil {
		return nil, err
	}
	if live {
		if err := r.permitted(ctx, wh, v); err != nil {
			return nil, err
		}
	}
	resolved, err := v.Resolve(&wh.Spec)
	if err != nil {
		return nil, err
	}
	where := v.String()
	creds, err := r.readSecret(ctx, wh, client.ObjectKey{Namespace: v.SecretNamespace, Name: v.SecretName}, where+" spec.credentialsRef")
	if err != nil {
		return nil, err
	}
	req := &providers.Request{Owner: wh.Namespace + "/" + wh.Name, Spec: resolved.Spec, Credentials: creds.Data, Secrets: map[string]string{},
		AdminEndpoints: v.IsCluster()}
	for path, ref := range resolved.Spec.SecretRefs() {
		key, field := client.ObjectKey{Namespace: wh.Namespace, Name: ref.Name}, "spec."+path
		if resolved.AccountSecrets[path] {
			key, field = client.ObjectKey{Namespace: v.SecretNamespace, Name: ref.Name}, where+" spec."+path
		}
		if err := r.resolveSecret(ctx, wh, req, path, key, field, ref.Key); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// accountRefused reports a Webhook that its account's rules refuse: Stalled, with the rule in the
// message, and no request to the SaaS. A change of the account, of the namespace's labels, of the
// Webhook or (for the limit) the release of another Webhook of the namespace on the account brings
// it back at once; the resync is only a safety net.
func (r *WebhookReconciler) accountRefused(wh *hooksv1alpha1.Webhook, refusal *policy.Refusal) (reconcile.Result, error) {
	r.warn(wh, refusal.Reason, refusal.Message)
	setReady(wh, metav1.ConditionFalse, refusal.Reason, refusal.Message)
	return r.resync(), nil
}

// wakeWaitingForLimit queues the Webhooks of a namespace that wait for room under their account's
// limit, when one of the namespace's Webhooks on that account goes.
func (r *WebhookReconciler) wakeWaitingForLimit(gone *hooksv1alpha1.Webhook) {
	if gone.Spec.AccountRef == nil || r.index == nil {
		return
	}
	r.index.eachInNamespace(gone.Namespace, func(wh *hooksv1alpha1.Webhook) {
		if wh.UID == gone.UID || !sameAccountRef(wh.Spec.AccountRef, gone.Spec.AccountRef) {
			return
		}
		if c := meta.FindStatusCondition(wh.Status.Conditions, hooksv1alpha1.ConditionReady); c != nil && c.Reason == hooksv1alpha1.ReasonAccountLimitReached {
			r.wakeUp(types.NamespacedName{Namespace: wh.Namespace, Name: wh.Name})
		}
	})
}
