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

package config

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// CheckNamespaces stops the operator at start when a namespace of --watch-namespaces does not
// exist, or it may not read Webhooks there: a typo would otherwise leave that team's Webhooks
// untouched without a word. Without permission to read Namespaces, a namespace-scoped install
// still tells: its Role cannot exist in a namespace that does not.
func CheckNamespaces(ctx context.Context, reader client.Reader, namespaces []string) error {
	for _, ns := range namespaces {
		err := reader.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{})
		if apierrors.IsForbidden(err) {
			err = reader.List(ctx, &hooksv1alpha1.WebhookList{}, client.InNamespace(ns), client.Limit(1))
			if apierrors.IsForbidden(err) {
				return fmt.Errorf("--watch-namespaces: entry %q: no such namespace, or the operator may not read Webhooks in it", ns)
			}
		}
		switch {
		case err == nil:
		case apierrors.IsNotFound(err):
			return fmt.Errorf("--watch-namespaces: entry %q: no such namespace", ns)
		default:
			return fmt.Errorf("--watch-namespaces: checking namespace %q: %w", ns, err)
		}
	}
	return nil
}

// CheckAccountSecretNamespaces stops the operator at start when --watch-namespaces restricts the
// cache and the operator may not list the Secrets of an account-secret namespace outside it: its
// cache would otherwise wait for that informer until the manager gives up, without naming the
// flag. Without --watch-namespaces, the ClusterRole that reads every Secret covers them.
func CheckAccountSecretNamespaces(ctx context.Context, reader client.Reader, watched, accountSecrets []string) error {
	if len(watched) == 0 {
		return nil
	}
	for _, ns := range accountSecrets {
		if slices.Contains(watched, ns) {
			continue
		}
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("SecretList"))
		opts := []client.ListOption{client.Limit(1)}
		where := "namespace " + strconv.Quote(ns)
		if ns == AnyNamespace {
			where = "every namespace"
		} else {
			opts = append(opts, client.InNamespace(ns))
		}
		err := reader.List(ctx, list, opts...)
		switch {
		case err == nil:
		case apierrors.IsForbidden(err):
			return fmt.Errorf("--account-secret-namespaces: the operator may not list Secrets in %s (it needs get, list and watch on Secrets there)", where)
		default:
			return fmt.Errorf("--account-secret-namespaces: listing Secrets in %s: %w", where, err)
		}
	}
	return nil
}
