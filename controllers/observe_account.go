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

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// snapshotAge is how old the account snapshot may be for this reconcile of wh: most of a resync
// period for a Ready Webhook, so that an account is listed about once per period, and a few
// seconds for one that is not Ready.
//
// It returns the time before which a snapshot is too old. A new value of reconcile-requested-at
// asks for what the SaaS holds now: only a list begun after this reconcile started will do (a
// list already under way for another Webhook will not), so that Webhooks annotated together
// still share lists. The first value seen after a start of the operator forces nothing: the
// operator starts with no snapshot at all.
func (r *WebhookReconciler) snapshotAge(wh *hooksv1alpha1.Webhook) time.Time {
	now := r.now()
	v := wh.Annotations[hooksv1alpha1.AnnotationReconcileRequestedAt]
	if old, seen := r.syncRequests.Swap(wh.UID, v); seen && v != "" && old.(string) != v {
		return now
	}
	switch readyReason(wh) {
	case hooksv1alpha1.ReasonAvailable, hooksv1alpha1.ReasonDisabled:
		return now.Add(-r.Options.ResyncPeriod * 9 / 10)
	}
	return now.Add(-unsettledAge)
}

// view returns the account snapshot of y, listing the account when it was listed before
// notBefore. A list has a deadline of its own, all pages included, so that a server that answers
// slowly, page after page, cannot hold the account's snapshot (and the Webhooks waiting for it)
// for longer.
func (r *WebhookReconciler) view(ctx context.Context, y *syncCtx, notBefore time.Time) (*view, error) {
	return y.acct.snapshot(ctx, r.now, notBefore, func(ctx context.Context) ([]*providers.Remote, error) {
		ctx, cancel := context.WithTimeout(ctx, r.listTimeout())
		defer cancel()
		return y.prov.List(ctx, y.req)
	})
}

// listTimeout bounds one list of an account, every page included.
func (r *WebhookReconciler) listTimeout() time.Duration {
	if r.Options.ListTimeout > 0 {
		return r.Options.ListTimeout
	}
	return time.Minute
}

// lookup returns the remote webhook with the id. A webhook missing from the snapshot is asked
// for directly before it is declared gone: the snapshot may predate it, or it may live outside
// the listed scope (another region, say).
func (r *WebhookReconciler) lookup(ctx context.Context, y *syncCtx, id string) (*providers.Remote, error) {
	v, err := r.view(ctx, y, y.notBefore)
	if err != nil {
		return nil, err
	}
	if remote, ok := v.byID[id]; ok {
		return remote, nil
	}
	remote, err := y.prov.Get(ctx, y.req, id)
	if err != nil {
		return nil, err
	}
	y.acct.put(remote)
	return remote, nil
}

// candidates returns the remote webhooks of the snapshot that the provider matches with req:
// what Find would return, from a snapshot young enough to create safely.
func (r *WebhookReconciler) candidates(ctx context.Context, y *syncCtx, notBefore time.Time) ([]*providers.Remote, error) {
	if limit := r.now().Add(-unsettledAge); notBefore.Before(limit) {
		notBefore = limit
	}
	v, err := r.view(ctx, y, notBefore)
	if err != nil {
		return nil, err
	}
	var out []*providers.Remote
	for _, remote := range v.remotes {
		if y.prov.Matches(y.req, remote) {
			out = append(out, remote)
		}
	}
	return out, nil
}

// mutationFailed handles a failed update of remote webhook id. A 404 means the snapshot was
// stale: the webhook went away since it was listed, so it is looked for again and created.
func (r *WebhookReconciler) mutationFailed(ctx context.Context, y *syncCtx, id string, err error) (ctrl.Result, error) {
	y.acct.invalidate()
	if !providers.IsNotFound(err) {
		return r.failure(ctx, y.wh, y.gate, err)
	}
	ctrl.LoggerFrom(ctx).Info("Remote webhook vanished before it could be updated; creating it again", "id", id)
	r.warn(y.wh, "RemoteGone", fmt.Sprintf("remote webhook %s no longer exists; it will be created again", id))
	r.clearRemote(y.wh)
	setReady(y.wh, metav1.ConditionFalse, hooksv1alpha1.ReasonProviderUnavailable,
		fmt.Sprintf("remote webhook %s vanished before it could be updated; creating it again", id))
	return ctrl.Result{RequeueAfter: retrySoon}, nil
}
