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
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// snapshots hold, per credential and provider scope, the last full list of the account's remote
// webhooks. Every Webhook of that account is observed from it, so a resync costs one list (all
// pages) per account rather than one request per Webhook. The operator's own mutations are
// written into the snapshot as they succeed; anything uncertain (a failed or lost mutation, a
// webhook missing where it should be) drops it, so that the next look lists again.
type snapshots struct {
	mu  sync.Mutex
	m   map[string]*snapshot
	now func() time.Time
}

// snapshot is one account scope's list. Its mutex is held while listing, so that the workers
// that need the same account at the same time wait for one list instead of sending their own.
type snapshot struct {
	// creating serializes creates in the account where the SaaS keeps one webhook per natural
	// key, so that a second Webhook sees the first one's webhook before it would create its own.
	creating sync.Mutex

	mu      sync.Mutex
	valid   bool
	fetched time.Time
	ids     []string // in list order, for a stable choice among candidates
	remotes map[string]*providers.Remote
}

func newSnapshots(now func() time.Time) *snapshots {
	return &snapshots{m: map[string]*snapshot{}, now: now}
}

func (s *snapshots) entry(key string) *snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok {
		e = &snapshot{}
		s.m[key] = e
	}
	return e
}

// view is a consistent copy of a snapshot's content at one moment.
type view struct {
	remotes []*providers.Remote
	byID    map[string]*providers.Remote
}

// lockCreates holds the create lock of key's account until the returned function is called.
func (s *snapshots) lockCreates(key string) func() {
	e := s.entry(key)
	e.creating.Lock()
	return e.creating.Unlock
}

// get returns the snapshot of key, listing again when it is missing or was listed before
// notBefore.
func (s *snapshots) get(ctx context.Context, key string, notBefore time.Time,
	list func(context.Context) ([]*providers.Remote, error)) (*view, error) {
	e := s.entry(key)
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.valid || e.fetched.Before(notBefore) {
		started := s.now()
		remotes, err := list(ctx)
		if err != nil {
			e.valid = false
			return nil, err
		}
		e.ids = make([]string, 0, len(remotes))
		e.remotes = make(map[string]*providers.Remote, len(remotes))
		for _, r := range remotes {
			if _, dup := e.remotes[r.ID]; !dup {
				e.ids = append(e.ids, r.ID)
			}
			e.remotes[r.ID] = r
		}
		e.valid, e.fetched = true, started
	}
	v := &view{remotes: make([]*providers.Remote, 0, len(e.ids)), byID: make(map[string]*providers.Remote, len(e.ids))}
	for _, id := range e.ids {
		r := e.remotes[id]
		v.remotes = append(v.remotes, r)
		v.byID[id] = r
	}
	return v, nil
}

// put records a remote webhook the operator just created, updated or found.
func (s *snapshots) put(key string, r *providers.Remote) {
	e := s.entry(key)
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.valid {
		return
	}
	if _, ok := e.remotes[r.ID]; !ok {
		e.ids = append(e.ids, r.ID)
	}
	e.remotes[r.ID] = r
}

// remove forgets a remote webhook the operator just deleted.
func (s *snapshots) remove(key, id string) {
	e := s.entry(key)
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.remotes[id]; !ok {
		return
	}
	delete(e.remotes, id)
	for i, v := range e.ids {
		if v == id {
			e.ids = append(e.ids[:i:i], e.ids[i+1:]...)
			break
		}
	}
}

// invalidate makes the next get list again: what the SaaS holds is no longer known.
func (s *snapshots) invalidate(key string) {
	e := s.entry(key)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.valid = false
}

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

// view returns the account snapshot of y, listing the account when it is older than maxAge.
func (r *WebhookReconciler) view(ctx context.Context, key string, prov providers.Provider, req *providers.Request,
	notBefore time.Time) (*view, error) {
	return r.snaps.get(ctx, key, notBefore, func(ctx context.Context) ([]*providers.Remote, error) {
		return prov.List(ctx, req)
	})
}

// lookup returns the remote webhook with the id. A webhook missing from the snapshot is asked
// for directly before it is declared gone: the snapshot may predate it, or it may live outside
// the listed scope (another region, say).
func (r *WebhookReconciler) lookup(ctx context.Context, y *syncCtx, id string) (*providers.Remote, error) {
	v, err := r.view(ctx, y.snap, y.prov, y.req, y.notBefore)
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
	r.snaps.put(y.snap, remote)
	return remote, nil
}

// candidates returns the remote webhooks of the snapshot that the provider matches with req:
// what Find would return, from a snapshot young enough to create safely.
func (r *WebhookReconciler) candidates(ctx context.Context, key string, prov providers.Provider, req *providers.Request,
	notBefore time.Time) ([]*providers.Remote, error) {
	if limit := r.now().Add(-unsettledAge); notBefore.Before(limit) {
		notBefore = limit
	}
	v, err := r.view(ctx, key, prov, req, notBefore)
	if err != nil {
		return nil, err
	}
	var out []*providers.Remote
	for _, remote := range v.remotes {
		if prov.Matches(req, remote) {
			out = append(out, remote)
		}
	}
	return out, nil
}

// mutationFailed handles a failed update of remote webhook id. A 404 means the snapshot was
// stale: the webhook went away since it was listed, so it is looked for again and created.
func (r *WebhookReconciler) mutationFailed(ctx context.Context, y *syncCtx, id string, err error) (ctrl.Result, error) {
	r.snaps.invalidate(y.snap)
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
