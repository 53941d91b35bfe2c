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
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// With --sharding, the manager's cache holds the Secrets of the replica's own namespaces only,
// while a ClusterAccount's Secret lives in an account-secret namespace (the operator's own, by
// default) that one replica owns, and the Webhooks on the account are spread over all of them.
// The account-secret cache holds the Secrets (metadata only, as the manager's cache holds them)
// of those namespaces whole, on every replica: the account's credentials are read from it like
// any other Secret, and their rotation is watched through it, by every replica.

// NewAccountSecretCache returns a cache of the Secrets of namespaces, for a replica whose
// manager's cache does not hold them all (--sharding), added to mgr so that it starts with the
// manager's caches; nil when there is nothing to cache, or when namespaces is "*" (every
// namespace: the whole cluster's Secrets on every replica would undo the sharding; those Secrets
// are then read from the API server when the replica's slice does not hold them).
func NewAccountSecretCache(mgr manager.Manager, namespaces []string) (cache.Cache, error) {
	if len(namespaces) == 0 || slices.Contains(namespaces, "*") {
		return nil, nil
	}
	opts := CacheOptions(namespaces)
	opts.Scheme, opts.Mapper, opts.HTTPClient = mgr.GetScheme(), mgr.GetRESTMapper(), mgr.GetHTTPClient()
	c, err := cache.New(mgr.GetConfig(), opts)
	if err != nil {
		return nil, err
	}
	if err := mgr.Add(managerCache{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// managerCache makes a cache one of the manager's caches: started before the controllers, and
// synced before they start.
type managerCache struct{ cache.Cache }

func (c managerCache) GetCache() cache.Cache { return c.Cache }

// inAccountSecretCache reports whether the Secrets of namespace are read and watched through the
// account-secret cache rather than the manager's.
func (r *WebhookReconciler) inAccountSecretCache(namespace string) bool {
	return r.AccountSecrets != nil && slices.Contains(r.Options.AccountSecretNamespaces, namespace)
}

// getSecretMeta reads a Secret's metadata from the cache that holds its namespace.
func (r *WebhookReconciler) getSecretMeta(ctx context.Context, key client.ObjectKey) (*metav1.PartialObjectMetadata, error) {
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	var reader client.Reader = r.Client
	if r.inAccountSecretCache(key.Namespace) {
		reader = r.AccountSecrets
	}
	return meta, reader.Get(ctx, key, meta)
}

// secretSources are the watches of Secret metadata with h: the manager's cache, and the
// account-secret cache for the namespaces it holds, so that each Secret's events come once.
func (r *WebhookReconciler) secretSources(mgr manager.Manager, h handler.EventHandler) []source.Source {
	secret := &metav1.PartialObjectMetadata{}
	secret.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if r.AccountSecrets == nil {
		return []source.Source{source.Kind(mgr.GetCache(), client.Object(secret), h)}
	}
	elsewhere := predicate.NewPredicateFuncs(func(obj client.Object) bool { return !r.inAccountSecretCache(obj.GetNamespace()) })
	return []source.Source{
		source.Kind(mgr.GetCache(), client.Object(secret), h, elsewhere),
		source.Kind(r.AccountSecrets, client.Object(secret.DeepCopy()), h),
	}
}
