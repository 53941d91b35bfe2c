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
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/metrics"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
)

const (
	// pendingRetry is how soon a webhook the SaaS has not verified yet is looked at again.
	pendingRetry = 2 * time.Minute
	// unsettledAge is how old an account snapshot may be for a Webhook that is not Ready:
	// young enough that a webhook made by someone else a moment ago is seen.
	unsettledAge = 5 * time.Second
	// maintainedAge is how old the operator's own snapshot of an account may be for the search
	// before a create (see searchAge); never more than most of a resync period.
	maintainedAge = time.Minute
	// retrySoon is the wait before trying again after the SaaS contradicted the snapshot.
	retrySoon = 100 * time.Millisecond
	// shareRetry is the safety net of a Webhook waiting for its account's share of the workers;
	// it is normally woken long before.
	shareRetry = 30 * time.Second
)

// syncCtx is one reconcile's context for a live Webhook.
type syncCtx struct {
	*tracked
	prov providers.Provider
	req  *providers.Request
	// credential is the hash of the request's credentials (credentialKey).
	credential string
	// gate keys the Retry-After gate and the client-side rate: the credential on its canonical
	// SaaS account, so that the same credential aimed at another server (one that answers 429 for
	// an hour, say) holds back nothing on the real one.
	gate string
	// acct is the account the Webhook belongs to: its snapshot, claims, create turns and
	// worker share. A snapshot listed before notBefore is too old for this reconcile, and one
	// listed before searchFrom too old for the search before a create.
	acct       *account
	notBefore  time.Time
	searchFrom time.Time
}

// newSyncCtx resolves the account of a request. It makes no request.
func (r *WebhookReconciler) newSyncCtx(s *tracked, prov providers.Provider, req *providers.Request) *syncCtx {
	credential := credentialKey(s.wh.Spec.Provider, req.Credentials)
	ident := identKey(s.wh.Spec.Provider, prov.Account(req))
	y := &syncCtx{tracked: s, prov: prov, req: req, credential: credential, gate: credential + "|" + ident}
	y.acct = r.accounts.get(credential, prov.Scope(req), ident, req)
	return y
}

// waitForShare is the answer to a reconcile whose account already uses its share of the workers:
// nothing is written, and the Webhook is woken as soon as a worker of its account is free (the
// requeue is only a safety net).
func waitForShare() (ctrl.Result, error) {
	return ctrl.Result{RequeueAfter: shareRetry}, nil
}

// reconcileNormal applies the account's rules and takes a worker share, registers the finalizer
// before anything exists remotely, then observes the remote webhook and creates, adopts, updates,
// replaces or re-activates it.
func (r *WebhookReconciler) reconcileNormal(ctx context.Context, s *tracked) (ctrl.Result, error) {
	wh := s.wh
	if wh.Annotations[hooksv1alpha1.AnnotationPaused] == "true" {
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonPaused,
			"the "+hooksv1alpha1.AnnotationPaused+" annotation is set: no calls to the SaaS")
		return ctrl.Result{}, nil
	}
	prov, ok := r.Providers[wh.Spec.Provider]
	if !ok {
		err := providers.Invalid("", "provider", "%q is not supported by this operator", wh.Spec.Provider)
		return r.failure(ctx, wh, "", err)
	}
	req, err := r.buildRequest(ctx, wh, true)
	if err != nil {
		return r.failure(ctx, wh, "", err)
	}
	y := r.newSyncCtx(s, prov, req)
	notBefore, forced := r.snapshotAge(wh)
	y.notBefore, y.searchFrom = notBefore, notBefore
	if !forced {
		y.searchFrom = r.now().Add(-r.searchAge(y))
	}
	// Every request of this reconcile counts against the client-side rate of this credential.
	ctx = ratelimit.WithKey(ctx, y.gate)
	if err := prov.Validate(req); err != nil {
		return r.failure(ctx, wh, y.gate, err)
	}
	if wait := r.Gates.Wait(y.gate); wait > 0 {
		return r.rateLimited(wh, wait)
	}
	if !r.accounts.enter(y.acct, s.key()) {
		return waitForShare()
	}
	defer r.accounts.leave(y.acct, s.key())
	// The finalizer is written once the Webhook has its account's share of the workers, before
	// anything remote: a namespace that creates hundreds of Webhooks at once on a shared account
	// does not spend the API server's writes (and the workers' time) on Webhooks that must wait
	// anyway, ahead of another namespace's first.
	if controllerutil.AddFinalizer(wh, hooksv1alpha1.Finalizer) {
		if err := r.patchMeta(ctx, s); err != nil {
			return ctrl.Result{}, err
		}
	}
	if !wh.Spec.IsEnabled() && !prov.Capabilities().CanDeactivate {
		return r.ensureAbsent(ctx, y)
	}
	remote, err := r.observe(ctx, y)
	if err != nil {
		return r.failure(ctx, wh, y.gate, err)
	}
	if remote == nil {
		return r.create(ctx, y)
	}
	return r.converge(ctx, y, remote)
}

// create makes the remote webhook and writes its id to status at once.
func (r *WebhookReconciler) create(ctx context.Context, y *syncCtx) (ctrl.Result, error) {
	wh := y.wh
	if y.prov.Capabilities().UniqueNaturalKey {
		// Another worker may be creating the same key for another Webhook right now: take turns,
		// and look again once it is this one's turn.
		defer y.acct.lockCreates()()
		found, err := r.findCandidate(ctx, y)
		if err != nil {
			return r.failure(ctx, wh, y.gate, err)
		}
		if found != nil {
			return r.converge(ctx, y, found)
		}
	}
	remote, err := y.prov.Create(ctx, y.req)
	if err != nil {
		// The create may have been applied: look at the SaaS again before the next attempt.
		y.acct.invalidate()
	}
	if providers.KindOf(err) == providers.KindConflict {
		// The SaaS says it exists already (a race, or a lost response): adopt it if it is ours to take.
		found, ferr := r.findCandidate(ctx, y)
		if ferr != nil {
			return r.failure(ctx, wh, y.gate, ferr)
		}
		if found != nil {
			return r.converge(ctx, y, found)
		}
	}
	if err != nil {
		return r.failure(ctx, wh, y.gate, err)
	}
	y.acct.put(remote)
	now := metav1.NewTime(r.now().UTC().Truncate(time.Second))
	r.recordRemote(y, remote, &now)
	wh.Status.AppliedSecretHash = r.secretHash(wh, y.req.Secrets)
	wh.Status.Reactivations = 0
	ctrl.LoggerFrom(ctx).Info("Created remote webhook", "provider", wh.Spec.Provider, "id", remote.ID)
	r.event(wh, "Created", "created remote webhook "+remote.ID)
	return r.finish(ctx, y, remote)
}

// converge brings an existing remote webhook in line: replace, update in place, re-activate.
func (r *WebhookReconciler) converge(ctx context.Context, y *syncCtx, remote *providers.Remote) (ctrl.Result, error) {
	wh := y.wh
	diff := y.prov.Diff(y.req, remote)
	if diff.Action == providers.ActionReplace {
		return r.replace(ctx, y, remote, diff)
	}
	enabled := wh.Spec.IsEnabled()
	if enabled && !remote.Active && readyReason(wh) != hooksv1alpha1.ReasonDisabled {
		return r.remoteDisabled(ctx, y, remote)
	}
	hash := r.secretHash(wh, y.req.Secrets)
	var why []string
	if diff.Action == providers.ActionUpdate {
		why = append(why, diff.Fields...)
	}
	if !r.secretsApplied(wh, hash, y.req.Secrets) {
		why = append(why, "secrets")
	}
	if enabled != remote.Active {
		why = append(why, "enabled")
	}
	if len(why) == 0 {
		r.recordRemote(y, remote, nil)
		r.maybeResetReactivations(wh)
		wh.Status.AppliedSecretHash = hash // replaces an earlier release's unkeyed hash
		return r.finish(ctx, y, remote)
	}
	updated, err := y.prov.Update(ctx, y.req, remote)
	if err != nil {
		return r.mutationFailed(ctx, y, remote.ID, err)
	}
	y.acct.put(updated)
	r.recordRemote(y, updated, nil)
	wh.Status.AppliedSecretHash = hash
	ctrl.LoggerFrom(ctx).Info("Updated remote webhook", "provider", wh.Spec.Provider, "id", updated.ID, "fields", why)
	r.event(wh, "Updated", fmt.Sprintf("updated remote webhook %s in place: %s", updated.ID, strings.Join(why, ", ")))
	return r.finish(ctx, y, updated)
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

// replace deletes a remote webhook whose unchangeable fields differ and creates it again.
func (r *WebhookReconciler) replace(ctx context.Context, y *syncCtx, old *providers.Remote, diff providers.Diff) (ctrl.Result, error) {
	wh := y.wh
	if err := y.prov.Delete(ctx, y.req, old.ID); err != nil {
		y.acct.invalidate()
		return r.failure(ctx, wh, y.gate, err)
	}
	y.acct.remove(old.ID)
	r.clearRemote(wh)
	// The write below is the one moment a replacement is visible: say so rather than leave the
	// old Available beside an empty id.
	setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonUpdating, fmt.Sprintf(
		"replacing remote webhook %s because %s cannot change in place", old.ID, strings.Join(diff.Fields, ", ")))
	// Persist the deletion before creating, so that a crash in between cannot leave a dead id.
	if err := r.patchStatus(ctx, y.tracked); err != nil {
		return ctrl.Result{}, err
	}
	remote, err := y.prov.Create(ctx, y.req)
	if err != nil {
		y.acct.invalidate()
		return r.failure(ctx, wh, y.gate, err)
	}
	y.acct.put(remote)
	now := metav1.NewTime(r.now().UTC().Truncate(time.Second))
	r.recordRemote(y, remote, &now)
	wh.Status.AppliedSecretHash = r.secretHash(wh, y.req.Secrets)
	ctrl.LoggerFrom(ctx).Info("Replaced remote webhook", "provider", wh.Spec.Provider, "old", old.ID, "new", remote.ID, "fields", diff.Fields)
	r.event(wh, "Replaced", fmt.Sprintf("replaced remote webhook %s with %s because %s cannot change in place",
		old.ID, remote.ID, strings.Join(diff.Fields, ", ")))
	return r.finish(ctx, y, remote)
}

// remoteDisabled handles a webhook the SaaS disabled after failed deliveries: it stays
// RemoteDisabled for the reactivation delay, doubled for each earlier re-activation, then the
// operator re-activates it.
func (r *WebhookReconciler) remoteDisabled(ctx context.Context, y *syncCtx, remote *providers.Remote) (ctrl.Result, error) {
	wh := y.wh
	r.recordRemote(y, remote, nil)
	if readyReason(wh) != hooksv1alpha1.ReasonRemoteDisabled {
		r.warn(wh, hooksv1alpha1.ReasonRemoteDisabled, fmt.Sprintf("the SaaS disabled remote webhook %s (state %q)", remote.ID, remote.State))
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonRemoteDisabled, "")
		// The delay counts from now, also when Ready was already False for another reason (a
		// transition of reason alone keeps the old lastTransitionTime).
		meta.FindStatusCondition(wh.Status.Conditions, hooksv1alpha1.ConditionReady).LastTransitionTime = metav1.NewTime(r.now())
	}
	if remote.SelfReactivating {
		// The SaaS was told to re-activate the webhook itself (APS autoReactivateHook): a PATCH
		// from the operator would race it, so look again after the delay instead.
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonRemoteDisabled,
			fmt.Sprintf("the SaaS disabled the webhook (state %q) and re-activates it itself, as its autoReactivateHook setting asks", remote.State))
		return ctrl.Result{RequeueAfter: r.Options.ReactivationDelay}, nil
	}
	since := conditionSince(wh)
	delay := r.reactivationDelay(wh.Status.Reactivations)
	if wait := since.Add(delay).Sub(r.now()); wait > 0 {
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonRemoteDisabled,
			fmt.Sprintf("the SaaS disabled the webhook (state %q); the operator re-activates it after %s", remote.State, delay))
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	updated, err := y.prov.Update(ctx, y.req, remote)
	if err != nil {
		return r.mutationFailed(ctx, y, remote.ID, err)
	}
	y.acct.put(updated)
	metrics.Reactivations.WithLabelValues(r.metricsProvider(wh)).Inc()
	wh.Status.Reactivations++
	wh.Status.AppliedSecretHash = r.secretHash(wh, y.req.Secrets)
	r.recordRemote(y, updated, nil)
	r.event(wh, "Reactivated", fmt.Sprintf("re-activated remote webhook %s (re-activation %d)", updated.ID, wh.Status.Reactivations))
	return r.finish(ctx, y, updated)
}

func (r *WebhookReconciler) reactivationDelay(n int32) time.Duration {
	d := r.Options.ReactivationDelay
	for i := int32(0); i < n && i < 8; i++ {
		d *= 2
	}
	return d
}

// maybeResetReactivations forgets earlier re-activations once the webhook has delivered for
// twice its last delay.
func (r *WebhookReconciler) maybeResetReactivations(wh *hooksv1alpha1.Webhook) {
	if wh.Status.Reactivations == 0 || readyReason(wh) != hooksv1alpha1.ReasonAvailable {
		return
	}
	if r.now().Sub(conditionSince(wh)) > 2*r.reactivationDelay(wh.Status.Reactivations) {
		wh.Status.Reactivations = 0
	}
}

func conditionSince(wh *hooksv1alpha1.Webhook) time.Time {
	for _, c := range wh.Status.Conditions {
		if c.Type == hooksv1alpha1.ConditionReady {
			return c.LastTransitionTime.Time
		}
	}
	return time.Time{}
}

// ensureAbsent honours enabled: false where the SaaS cannot deactivate: the remote webhook goes.
func (r *WebhookReconciler) ensureAbsent(ctx context.Context, y *syncCtx) (ctrl.Result, error) {
	wh := y.wh
	same, err := r.sameAccount(ctx, y)
	if err != nil {
		return r.failure(ctx, wh, y.gate, err)
	}
	if id := wh.Status.ID; id != "" && same {
		remote, err := r.ownRecorded(ctx, y, id)
		switch {
		case providers.IsNotFound(err):
			r.clearRemote(wh)
		case err != nil:
			return r.failure(ctx, wh, y.gate, err)
		default:
			if err := r.deleteDisabled(ctx, y, remote.ID); err != nil {
				return r.failure(ctx, wh, y.gate, err)
			}
		}
	}
	setReady(wh, metav1.ConditionTrue, hooksv1alpha1.ReasonDisabled,
		fmt.Sprintf("spec.enabled is false; %s cannot pause a webhook, so none exists remotely", wh.Spec.Provider))
	return r.resync(), nil
}

// deleteDisabled deletes the remote webhook id of a Webhook whose spec.enabled is false where the
// SaaS cannot pause a webhook.
func (r *WebhookReconciler) deleteDisabled(ctx context.Context, y *syncCtx, id string) error {
	wh := y.wh
	if err := y.prov.Delete(ctx, y.req, id); err != nil {
		y.acct.invalidate()
		return err
	}
	y.acct.remove(id)
	ctrl.LoggerFrom(ctx).Info("Deleted remote webhook because spec.enabled is false", "provider", wh.Spec.Provider, "id", id)
	r.event(wh, "Deleted", fmt.Sprintf("deleted remote webhook %s because spec.enabled is false and %s cannot pause a webhook", id, wh.Spec.Provider))
	r.clearRemote(wh)
	return nil
}

// finish sets Ready from the remote webhook's state and schedules the next resync.
func (r *WebhookReconciler) finish(_ context.Context, y *syncCtx, remote *providers.Remote) (ctrl.Result, error) {
	wh := y.wh
	switch {
	case !wh.Spec.IsEnabled():
		setReady(wh, metav1.ConditionTrue, hooksv1alpha1.ReasonDisabled, "spec.enabled is false: the remote webhook exists and is deactivated")
	case remote.Pending:
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonCreating, fmt.Sprintf(
			"remote webhook %s exists but the SaaS has not verified it yet (state %q); check that %s answers its verification request",
			remote.ID, remote.State, wh.Spec.TargetURL))
		return ctrl.Result{RequeueAfter: min(r.Options.ResyncPeriod, pendingRetry)}, nil
	default:
		setReady(wh, metav1.ConditionTrue, hooksv1alpha1.ReasonAvailable, fmt.Sprintf("remote webhook %s is %s", remote.ID, remote.State))
	}
	return r.resync(), nil
}

// recordRemote copies the remote id, state and creation time into status; created is the
// fallback creation time for SaaS that report none.
func (r *WebhookReconciler) recordRemote(y *syncCtx, remote *providers.Remote, created *metav1.Time) {
	wh := y.wh
	if wh.Status.ID != remote.ID || wh.Status.RemoteAccount != y.acct.ident {
		r.accounts.take(y.acct, wh.UID, y.key(), remote.ID)
	}
	if wh.Status.ID != remote.ID {
		wh.Status.Created = nil
	}
	wh.Status.ID = remote.ID
	wh.Status.RemoteAccount = y.acct.ident
	// Providers report a State token already; a second pass costs nothing and keeps a printer
	// column of kubectl get webhooks short and clean whatever a provider missed.
	wh.Status.State = providers.State(remote.State)
	// The creation time, once recorded for this id, stays: a SaaS that answers a create without
	// one (APS) gets the operator's time, and the SaaS's own, a moment apart, is not worth a
	// status write at every Webhook's first resync.
	switch {
	case wh.Status.Created != nil:
	case remote.Created != nil:
		t := metav1.NewTime(remote.Created.UTC())
		wh.Status.Created = &t
	case created != nil:
		wh.Status.Created = created
	}
}

func (r *WebhookReconciler) clearRemote(wh *hooksv1alpha1.Webhook) {
	r.accounts.drop(wh.UID)
	wh.Status.ID = ""
	wh.Status.RemoteAccount = ""
	wh.Status.State = ""
	wh.Status.Created = nil
	wh.Status.AppliedSecretHash = ""
}

var _ reconcile.Reconciler = &WebhookReconciler{}
