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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
)

// deletionRetry is how often a deletion blocked on credentials is tried again.
const deletionRetry = 15 * time.Second

// reconcileDelete deletes the remote webhook (404 counts as done), or leaves it for
// deletionPolicy Orphan or a paused Webhook, then removes the finalizer. When the credentials are
// missing or refused it retries for DeletionTimeout, then gives up with a Warning event that names
// the remote webhook left behind: a namespace deletion never hangs on a lost Secret.
func (r *WebhookReconciler) reconcileDelete(ctx context.Context, s *tracked) (ctrl.Result, error) {
	wh := s.wh
	if !controllerutil.ContainsFinalizer(wh, hooksv1alpha1.Finalizer) {
		return ctrl.Result{}, nil
	}
	id := wh.Status.ID
	if id == "" {
		id = wh.Annotations[hooksv1alpha1.AnnotationExternalID]
	}
	switch {
	case wh.Spec.DeletionPolicy == hooksv1alpha1.DeletionPolicyOrphan:
		if id != "" {
			r.event(wh, "Orphaned", "left remote webhook "+id+" in place (deletionPolicy: Orphan)")
		}
		return r.release(ctx, s)
	case wh.Annotations[hooksv1alpha1.AnnotationPaused] == "true":
		if id != "" {
			r.warn(wh, "RemoteLeftBehind", "the Webhook is paused, so remote webhook "+id+" was left in place")
		}
		return r.release(ctx, s)
	}
	prov, ok := r.Providers[wh.Spec.Provider]
	if !ok {
		return r.release(ctx, s)
	}
	if id == "" && wh.Spec.AccountRef != nil {
		// Nothing on record: only a Webhook its account permits may look for what it made (after
		// a crash between create and status write); for any other, no request reaches the SaaS.
		if v, err := r.sharedAccount(ctx, wh); err != nil || r.permitted(ctx, wh, v) != nil {
			return r.release(ctx, s)
		}
	}
	req, err := r.buildRequest(ctx, wh, false)
	if err != nil {
		if id == "" && providers.KindOf(err) == providers.KindMissingCredentials {
			// Nothing was ever recorded remotely and nothing can be looked up: let it go.
			return r.release(ctx, s)
		}
		return r.deleteBlocked(ctx, s, id, err)
	}
	y := r.newSyncCtx(s, prov, req)
	ctx = ratelimit.WithKey(ctx, y.gate)
	if wait := r.Gates.Wait(y.gate); wait > 0 {
		return r.rateLimited(wh, wait)
	}
	if !r.accounts.enter(y.acct, s.key()) {
		return waitForShare()
	}
	defer r.accounts.leave(y.acct, s.key())
	ids, err := r.remotesToDelete(ctx, y, id)
	if err != nil {
		return r.deleteFailed(ctx, s, id, y.gate, err)
	}
	for _, rid := range ids {
		if err := prov.Delete(ctx, req, rid); err != nil {
			y.acct.invalidate()
			return r.deleteFailed(ctx, s, rid, y.gate, err)
		}
		y.acct.remove(rid)
		ctrl.LoggerFrom(ctx).Info("Deleted remote webhook", "provider", wh.Spec.Provider, "id", rid)
		r.event(wh, "Deleted", "deleted remote webhook "+rid)
	}
	return r.release(ctx, s)
}

// remotesToDelete returns the remote webhook to delete. With no id on record (the status was lost,
// or a crash came between create and status write) it looks for what this Webhook would own.
func (r *WebhookReconciler) remotesToDelete(ctx context.Context, y *syncCtx, id string) ([]string, error) {
	wh, prov := y.wh, y.prov
	if id != "" {
		if wh.Status.ID != "" && wh.Status.RemoteAccount != "" && wh.Status.RemoteAccount != y.acct.ident {
			// The id lives on the account the Webhook had before: on this one it may be anyone's.
			return nil, r.leavePrevious(ctx, y)
		}
		// Whether the id comes from status or from the external-id annotation, another Webhook
		// may own it (this one may be in Conflict): only a remote webhook that no other Webhook
		// claims or records is deleted, checked by the id the SaaS names it with, whatever
		// spelling the annotation or an old status holds.
		remote, err := r.lookup(ctx, y, id)
		if providers.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		owner, err := r.owners.other(ctx, y.acct, y.wh, remote.ID)
		if err != nil {
			return nil, err
		}
		if owner != "" {
			r.warn(wh, "RemoteLeftBehind", fmt.Sprintf("remote webhook %s was not deleted: it is managed by %s", remote.ID, owner))
			return nil, nil
		}
		return []string{remote.ID}, nil
	}
	if !wh.Spec.IsEnabled() && !prov.Capabilities().CanDeactivate {
		return nil, nil
	}
	candidates, err := r.candidates(ctx, y, r.now())
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range candidates {
		owner, err := r.owners.other(ctx, y.acct, y.wh, c.ID)
		if err != nil {
			return nil, err
		}
		if owner == "" {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// deleteFailed handles a failed remote deletion: credential problems are bounded, the rest back off.
func (r *WebhookReconciler) deleteFailed(ctx context.Context, s *tracked, id, gate string, err error) (ctrl.Result, error) {
	switch providers.KindOf(err) {
	case providers.KindUnauthorized, providers.KindMissingCredentials, providers.KindInvalid:
		return r.deleteBlocked(ctx, s, id, err)
	}
	return r.failure(ctx, s.wh, gate, err)
}

// deleteBlocked retries a deletion the operator cannot perform until DeletionTimeout has passed
// since the deletion began, then lets the Webhook go and says what was left behind.
func (r *WebhookReconciler) deleteBlocked(ctx context.Context, s *tracked, id string, err error) (ctrl.Result, error) {
	wh := s.wh
	deadline := wh.DeletionTimestamp.Add(r.Options.DeletionTimeout)
	if wait := deadline.Sub(r.now()); wait > 0 {
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonDeleting,
			fmt.Sprintf("cannot delete the remote webhook yet (%s); giving up in %s", err.Error(), wait.Round(time.Second)))
		if wait > deletionRetry {
			wait = deletionRetry
		}
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	what := "the remote webhook, if any,"
	if id != "" {
		what = "remote webhook " + id
	}
	msg := fmt.Sprintf("gave up deleting %s after %s: %s; delete it by hand", what, r.Options.DeletionTimeout, err.Error())
	ctrl.LoggerFrom(ctx).Info("Removed finalizer without deleting the remote webhook", "provider", wh.Spec.Provider, "id", id)
	r.warn(wh, "RemoteLeftBehind", msg)
	return r.release(ctx, s)
}

// release removes the finalizer; the Webhook may disappear right after.
func (r *WebhookReconciler) release(ctx context.Context, s *tracked) (ctrl.Result, error) {
	if controllerutil.RemoveFinalizer(s.wh, hooksv1alpha1.Finalizer) {
		if err := r.patchMeta(ctx, s); err != nil {
			return ctrl.Result{}, err
		}
	}
	s.gone = true
	r.wakeWaitingForLimit(s.wh)
	r.syncRequests.forget(s.wh.UID)
	r.accounts.drop(s.wh.UID)
	r.accounts.unpromise(s.key())
	return ctrl.Result{}, nil
}
