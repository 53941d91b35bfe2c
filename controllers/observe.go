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

// The observe path: which remote webhook is this Webhook's, and who else claims it. Everything a
// reconcile reads from the SaaS goes through here, in this order: the account snapshot (one list
// per account, shared by its Webhooks), the remote webhook by status.id, else by the external-id
// annotation, else the snapshot's candidates for the natural key and name marker; and for every
// id found, the owner check (ownership.go): who else has it.
// Nothing here mutates the SaaS; reconcile_normal.go and reconcile_delete.go act on the answer.

import (
	"context"
	"fmt"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
)

// observe finds the remote webhook: by status.id, else by the external-id annotation, else among
// the SaaS's webhooks that match the natural key and name marker and that no other Webhook owns.
// It returns nil when there is none. It never mutates the SaaS.
func (r *WebhookReconciler) observe(ctx context.Context, y *syncCtx) (*providers.Remote, error) {
	wh := y.wh
	log := ctrl.LoggerFrom(ctx)
	same, err := r.sameAccount(ctx, y)
	if err != nil {
		return nil, err
	}
	if id := wh.Status.ID; id != "" && same {
		remote, err := r.ownRecorded(ctx, y, id)
		if err == nil {
			return remote, nil
		}
		if !providers.IsNotFound(err) {
			return nil, err
		}
		y.acct.invalidate()
		log.Info("Remote webhook is gone; creating it again", "id", id)
		r.warn(wh, "RemoteGone", fmt.Sprintf("remote webhook %s no longer exists; it will be created again", id))
		r.clearRemote(wh)
	}
	if id := wh.Annotations[hooksv1alpha1.AnnotationExternalID]; id != "" {
		// The Webhook's own credentials must see the webhook before anyone's claim on it is
		// looked at: an id the account cannot see tells nothing about other Webhooks.
		remote, err := r.lookup(ctx, y, id)
		if err == nil {
			// The owner check takes the id as the SaaS names it: an annotation may spell it
			// otherwise (an 8x8 account id in upper case), and claims and status hold that name.
			owner, oerr := r.owners.claim(ctx, y.acct, y.wh, remote.ID)
			switch {
			case oerr != nil:
				return nil, oerr
			case owner != "":
				return nil, &providers.Error{Kind: providers.KindConflict, Op: "adopt",
					Message: fmt.Sprintf("remote webhook %s named by the %s annotation is already managed by %s",
						id, hooksv1alpha1.AnnotationExternalID, owner)}
			}
			r.adopted(ctx, y, remote, "the "+hooksv1alpha1.AnnotationExternalID+" annotation")
			return remote, nil
		}
		if !providers.IsNotFound(err) {
			return nil, err
		}
		r.warn(wh, "ExternalIDNotFound", fmt.Sprintf("remote webhook %s named by the %s annotation does not exist; looking for a match instead",
			id, hooksv1alpha1.AnnotationExternalID))
	}
	return r.findCandidate(ctx, y)
}

// sameAccount reports whether status.id lives on y's account. When the Webhook's account changed
// since (another server, client or region), the id means nothing there, or someone else's
// webhook: it is never used on the new account. The remote webhook on the previous account is
// handled by deletionPolicy (leavePrevious), status is cleared, and the Webhook gets its remote
// webhook on the new account. A status from before the operator recorded the account is taken to
// be on the current one. An error means the previous account could not be reached this time:
// status keeps the id, and the next attempt tries again.
func (r *WebhookReconciler) sameAccount(ctx context.Context, y *syncCtx) (bool, error) {
	wh := y.wh
	if wh.Status.ID == "" || wh.Status.RemoteAccount == "" || wh.Status.RemoteAccount == y.acct.ident {
		return true, nil
	}
	if err := r.leavePrevious(ctx, y); err != nil {
		return false, err
	}
	r.clearRemote(wh)
	return false, nil
}

// leavePrevious applies deletionPolicy to the remote webhook that status records on the account
// the Webhook had before. It is deleted there with the same credentials, when this process still
// knows that account (it keeps the last request of every account it met until the account goes
// idle) and no other Webhook claims the id there; otherwise it is left in place with a warning
// that names it. Only a failure that may pass (the SaaS unavailable, rate limited) is returned.
func (r *WebhookReconciler) leavePrevious(ctx context.Context, y *syncCtx) error {
	wh := y.wh
	id, previous := wh.Status.ID, wh.Status.RemoteAccount
	log := ctrl.LoggerFrom(ctx).WithValues("provider", wh.Spec.Provider, "id", id)
	if wh.Spec.DeletionPolicy == hooksv1alpha1.DeletionPolicyOrphan {
		r.event(wh, "Orphaned", fmt.Sprintf("the Webhook's SaaS account changed; left remote webhook %s in place on the previous account (deletionPolicy: Orphan)", id))
		return nil
	}
	leftBehind := func(why string) error {
		log.Info("Left the remote webhook on the previous account", "why", why)
		r.warn(wh, "RemoteLeftBehind", fmt.Sprintf(
			"the Webhook's SaaS account changed, so remote webhook %s on the previous account was left in place (%s); delete it there by hand if it is not wanted", id, why))
		return nil
	}
	old, req := r.accounts.previous(y.credential, previous)
	if old == nil {
		return leftBehind("the operator no longer knows how to reach that account")
	}
	owner, err := r.owners.other(ctx, old, wh, id)
	if err != nil {
		return err
	}
	if owner != "" {
		return leftBehind("it is managed by " + owner)
	}
	gate := y.credential + "|" + previous
	if wait := r.Gates.Wait(gate); wait > 0 {
		return &providers.Error{Kind: providers.KindRateLimited, Op: "delete", RetryAfter: wait,
			Message: "the previous account is rate limited"}
	}
	if err := y.prov.Delete(ratelimit.WithKey(ctx, gate), req, id); err != nil {
		old.invalidate()
		switch providers.KindOf(err) {
		case providers.KindUnauthorized, providers.KindMissingCredentials, providers.KindInvalid:
			return leftBehind(err.Error())
		}
		return err
	}
	old.remove(id)
	log.Info("Deleted remote webhook on the previous account")
	r.event(wh, "Deleted", fmt.Sprintf("deleted remote webhook %s on the Webhook's previous SaaS account", id))
	return nil
}

// ownRecorded looks up the remote webhook that status.id names and checks that it is this
// Webhook's (keepRecorded), by the id the SaaS answers with, whatever spelling status holds.
func (r *WebhookReconciler) ownRecorded(ctx context.Context, y *syncCtx, id string) (*providers.Remote, error) {
	remote, err := r.lookup(ctx, y, id)
	if err != nil {
		return nil, err
	}
	if err := r.keepRecorded(ctx, y, remote.ID); err != nil {
		return nil, err
	}
	return remote, nil
}

// keepRecorded is the owner check of the status.id path: the remote webhook the status records
// stays this Webhook's unless another Webhook claimed it in this process or records it too and
// comes first (precedingRecorder). The one that loses gets Conflict and forgets the id, so that
// it stops recording it; it is never updated, re-activated or deleted through this Webhook.
func (r *WebhookReconciler) keepRecorded(ctx context.Context, y *syncCtx, id string) error {
	wh := y.wh
	owner, err := r.owners.keeperOf(ctx, y.acct, wh, id)
	if err != nil {
		return err
	}
	if owner == "" {
		return nil
	}
	r.clearRemote(wh)
	return &providers.Error{Kind: providers.KindConflict, Op: "observe",
		Message: fmt.Sprintf("remote webhook %s, which this Webhook's status recorded, is managed by %s; this Webhook no longer records it", id, owner)}
}

// findCandidate adopts the first remote webhook matching the natural key and name marker that no
// other Webhook manages. Where the SaaS allows only one webhook per key, a match that another
// Webhook manages is a Conflict: creating would overwrite or duplicate it.
func (r *WebhookReconciler) findCandidate(ctx context.Context, y *syncCtx) (*providers.Remote, error) {
	from := y.searchFrom
	if from.IsZero() {
		from = r.now().Add(-unsettledAge)
	}
	candidates, err := r.candidates(ctx, y, from)
	if err != nil {
		return nil, err
	}
	for _, c := range candidates {
		owner, err := r.owners.claim(ctx, y.acct, y.wh, c.ID)
		if err != nil {
			return nil, err
		}
		if owner == "" {
			r.adopted(ctx, y, c, "its natural key and name marker")
			return c, nil
		}
		if y.prov.Capabilities().UniqueNaturalKey {
			return nil, &providers.Error{Kind: providers.KindConflict, Op: "adopt",
				Message: fmt.Sprintf("remote webhook %s has the same key and is already managed by %s", c.ID, owner)}
		}
	}
	return nil, nil
}

// adopted records a remote webhook the operator did not just create. Its secrets are unknown, so
// the next converge applies them.
func (r *WebhookReconciler) adopted(ctx context.Context, y *syncCtx, remote *providers.Remote, how string) {
	ctrl.LoggerFrom(ctx).Info("Adopted remote webhook", "provider", y.wh.Spec.Provider, "id", remote.ID, "by", how)
	r.event(y.wh, "Adopted", fmt.Sprintf("adopted remote webhook %s, found by %s", remote.ID, how))
	y.wh.Status.AppliedSecretHash = ""
	r.recordRemote(y, remote, nil)
}

// snapshotAge is how old the account snapshot may be for this reconcile of wh: most of a resync
// period for a Ready Webhook, so that an account is listed about once per period, and a few
// seconds for one that is not Ready.
//
// It returns the time before which a snapshot is too old, and whether the reconcile asks for
// what the SaaS holds now. A new value of reconcile-requested-at does: only a list begun after
// this reconcile started will do (a list already under way for another Webhook will not), so
// that Webhooks annotated together still share lists. The first value seen after a start of the
// operator forces nothing: the operator starts with no snapshot at all.
func (r *WebhookReconciler) snapshotAge(wh *hooksv1alpha1.Webhook) (notBefore time.Time, forced bool) {
	now := r.now()
	v := wh.Annotations[hooksv1alpha1.AnnotationReconcileRequestedAt]
	if old, seen := r.syncRequests.swap(wh.UID, v); seen && v != "" && old != v {
		return now, true
	}
	switch readyReason(wh) {
	case hooksv1alpha1.ReasonAvailable, hooksv1alpha1.ReasonDisabled:
		return now.Add(-r.Options.ResyncPeriod * 9 / 10), false
	}
	return now.Add(-unsettledAge), false
}

// searchAge is how old the account snapshot may be for the search that comes before a create
// (the candidates for the natural key and name marker). The snapshot is the operator's own: it
// was listed by this process, and every create, update and delete this process made through the
// account since is written into it, while a failed or uncertain one drops it. What it can miss is
// a webhook made by someone else since the list, and the only one that makes webhooks with this
// Webhook's name marker is the operator itself:
//
//   - an earlier process of the operator (a crash between the create and the status write): a
//     new process has no snapshot, and lists first;
//   - this process through other credentials of the same account, when the Webhook's credentials
//     changed since: the Webhook then claims a webhook of another account, and the search uses a
//     snapshot no older than unsettledAge;
//   - another replica that owned the namespace before (--sharding): a sharded replica always
//     uses a snapshot no older than unsettledAge.
//
// Otherwise the search may use a snapshot up to maintainedAge old (at most most of a resync
// period), so that an account is not listed again, all pages, every few seconds while many of
// its Webhooks are being created. Where the SaaS keeps one webhook per key (8x8, APS), the SaaS
// itself refuses or takes over a second one, and a webhook someone else made is adopted or taken
// over, never duplicated.
func (r *WebhookReconciler) searchAge(y *syncCtx) time.Duration {
	if r.Options.Sharded || r.accounts.claimsElsewhere(y.wh.UID, y.acct) {
		return unsettledAge
	}
	return max(unsettledAge, min(maintainedAge, r.Options.ResyncPeriod*9/10))
}

// refresh makes sure the account snapshot of y was listed at notBefore or later. A list has a
// deadline of its own, all pages included, so that a server that answers slowly, page after
// page, cannot hold the account's snapshot (and the Webhooks waiting for it) for longer.
func (r *WebhookReconciler) refresh(ctx context.Context, y *syncCtx, notBefore time.Time) error {
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
// the list scope (another region, say).
func (r *WebhookReconciler) lookup(ctx context.Context, y *syncCtx, id string) (*providers.Remote, error) {
	if err := r.refresh(ctx, y, y.notBefore); err != nil {
		return nil, err
	}
	if remote, ok := y.acct.find(id); ok {
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
// the candidates for adoption, from a snapshot listed at notBefore or later.
func (r *WebhookReconciler) candidates(ctx context.Context, y *syncCtx, notBefore time.Time) ([]*providers.Remote, error) {
	if err := r.refresh(ctx, y, notBefore); err != nil {
		return nil, err
	}
	return y.acct.matching(func(remote *providers.Remote) bool { return y.prov.Matches(y.req, remote) }), nil
}
