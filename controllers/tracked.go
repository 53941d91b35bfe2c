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

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// tracked is the Webhook one reconcile works on, and the last state of it written to the API
// server: every write of the reconcile (finalizers, status) goes through here.
type tracked struct {
	wh   *hooksv1alpha1.Webhook
	base *hooksv1alpha1.Webhook
	// gone is set once the finalizer is removed: the object may no longer exist.
	gone bool
}

// key is the Webhook's namespace and name.
func (s *tracked) key() types.NamespacedName {
	return types.NamespacedName{Namespace: s.wh.Namespace, Name: s.wh.Name}
}

// patchStatus writes the status with a merge patch when it differs from what was last written.
func (r *WebhookReconciler) patchStatus(ctx context.Context, s *tracked) error {
	if s.gone || equality.Semantic.DeepEqual(s.base.Status, s.wh.Status) {
		return nil
	}
	if err := r.Status().Patch(ctx, s.wh, client.MergeFrom(s.base)); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	s.base = s.wh.DeepCopy()
	return nil
}

// patchMeta writes a change of finalizers with an optimistic lock, so a concurrent writer's
// finalizer is never dropped.
func (r *WebhookReconciler) patchMeta(ctx context.Context, s *tracked) error {
	status := s.wh.Status
	if err := r.Patch(ctx, s.wh, client.MergeFromWithOptions(s.base, client.MergeFromWithOptimisticLock{})); err != nil {
		return err
	}
	// The patch response carries the stored status; keep the one this reconcile computed.
	s.wh.Status = status
	s.base.ObjectMeta = *s.wh.ObjectMeta.DeepCopy()
	return nil
}
