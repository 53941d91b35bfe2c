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
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
)

// CacheOptions are the manager's cache options the reconciler expects: objects kept without
// what the operator never reads (managedFields and kubectl's last-applied-configuration
// annotation, which repeats the whole object) and, when namespaces are given, every cache and
// watch (Webhooks and Secret metadata) limited to those namespaces.
func CacheOptions(namespaces []string) cache.Options {
	opts := cache.Options{DefaultTransform: stripUnread}
	if len(namespaces) > 0 {
		opts.DefaultNamespaces = make(map[string]cache.Config, len(namespaces))
		for _, ns := range namespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	return opts
}

// stripUnread drops from an object the cache is about to keep what the operator never reads:
// managedFields, and kubectl's last-applied-configuration annotation. The operator writes
// finalizers and status with patches computed from the cached object, which therefore never
// name either; an annotation change that kubectl applies also changes the annotation itself, so
// the predicates still see it. The strings that repeat across objects then share one copy.
func stripUnread(in any) (any, error) {
	if obj, ok := in.(metav1.Object); ok {
		obj.SetManagedFields(nil)
		if a := obj.GetAnnotations(); a != nil {
			if _, ok := a[corev1.LastAppliedConfigAnnotation]; ok {
				delete(a, corev1.LastAppliedConfigAnnotation)
				if len(a) == 0 {
					a = nil
				}
				obj.SetAnnotations(a)
			}
		}
	}
	cacheStrings.internObject(in)
	return in, nil
}
