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
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	policy "github.com/hookkeeper/hookkeeper/internal/accounts"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
)

// accountStatus keeps the status of Accounts and ClusterAccounts: Ready from one authenticated
// call per resync (the account's list, which the Webhooks on the account share, so a fresh one
// costs nothing), how many Webhooks and namespaces use the account, and rateLimitedUntil while the
// SaaS's Retry-After holds the account back. It also carries that Retry-After to every replica:
// one that sees the status set closes its own gate of the account until then.
type accountStatus struct {
	r       *WebhookReconciler
	cluster bool

	mu sync.Mutex
	// checked is when each account was last checked, at which generation and Secret version.
	checked map[types.NamespacedName]accountCheck
	// written is when each account's status was last written.
	written map[types.NamespacedName]time.Time
	// counts are the ClusterAccounts' counts of a sharded replica, listed at countedAt.
	counts    map[string]*accountCount
	countedAt time.Time
}

type accountCheck struct {
	at                time.Time
	generation        int64
	secretVersion     string
	status            metav1.ConditionStatus
	reason, message   string
	rateLimitedUntil  *metav1.Time
	remoteWebhooksSaw int
	// retryAfter, when set, is when to check again: the check waited for this replica's own
	// client-side rate, and was not made.
	retryAfter time.Duration
}

// setupAccountControllers registers the status controllers of both kinds.
func (r *WebhookReconciler) setupAccountControllers(mgr ctrl.Manager) error {
	// The index tells of Webhooks that name an account once it counts them.
	changed := map[bool]chan event.GenericEvent{false: make(chan event.GenericEvent, 1024), true: make(chan event.GenericEvent, 1024)}
	r.index.onAccount = func(wh *hooksv1alpha1.Webhook) {
		select {
		case changed[wh.Spec.AccountRef.IsCluster()] <- event.GenericEvent{Object: wh}:
		default: // full: the account's resync brings the count up to date
		}
	}
	for _, cluster := range []bool{false, true} {
		a := &accountStatus{r: r, cluster: cluster, checked: map[types.NamespacedName]accountCheck{},
			written: map[types.NamespacedName]time.Time{}}
		var obj client.Object = &hooksv1alpha1.Account{}
		name := "account"
		if cluster {
			obj, name = &hooksv1alpha1.ClusterAccount{}, "clusteraccount"
		}
		b := ctrl.NewControllerManagedBy(mgr).
			// Every change, status included: another replica's rateLimitedUntil closes this one's gate.
			For(obj).
			WatchesRawSource(source.Channel(changed[cluster], handler.EnqueueRequestsFromMapFunc(a.accountOfWebhook)))
		for _, src := range r.secretSources(mgr, handler.EnqueueRequestsFromMapFunc(a.accountsOfSecret)) {
			b = b.WatchesRawSource(src)
		}
		// Several workers: an account whose server never answers holds one for a list timeout,
		// not the status of every other account.
		err := b.Named(name).WithOptions(controller.Options{MaxConcurrentReconciles: max(2, r.Options.MaxConcurrentReconciles/2)}).Complete(a)
		if err != nil {
			return err
		}
	}
	return nil
}

// accountOfWebhook maps a Webhook to the account of this controller's kind that it names.
func (a *accountStatus) accountOfWebhook(_ context.Context, obj client.Object) []reconcile.Request {
	wh, ok := obj.(*hooksv1alpha1.Webhook)
	if !ok || wh.Spec.AccountRef == nil || wh.Spec.AccountRef.IsCluster() != a.cluster {
		return nil
	}
	key := types.NamespacedName{Name: wh.Spec.AccountRef.Name}
	if !a.cluster {
		key.Namespace = wh.Namespace
	}
	return []reconcile.Request{{NamespacedName: key}}
}

// accountsOfSecret maps a Secret to the accounts of this controller's kind that read it.
func (a *accountStatus) accountsOfSecret(ctx context.Context, obj client.Object) []reconcile.Request {
	var reqs []reconcile.Request
	for _, v := range a.views(ctx, obj.GetNamespace()) {
		if v.SecretNamespace == obj.GetNamespace() && (v.SecretName == obj.GetName() || slices.Contains(v.Settings.SecretNames(), obj.GetName())) {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: v.Namespace, Name: v.Name}})
		}
	}
	return reqs
}

// views lists the accounts of this controller's kind (Accounts of one namespace).
func (a *accountStatus) views(ctx context.Context, namespace string) []*policy.View {
	var out []*policy.View
	if a.cluster {
		var list hooksv1alpha1.ClusterAccountList
		if err := a.r.List(ctx, &list); err == nil {
			for i := range list.Items {
				out = append(out, policy.FromClusterAccount(&list.Items[i]))
			}
		}
		return out
	}
	var list hooksv1alpha1.AccountList
	if err := a.r.List(ctx, &list, client.InNamespace(namespace)); err == nil {
		for i := range list.Items {
			out = append(out, policy.FromAccount(&list.Items[i]))
		}
	}
	return out
}

// Reconcile writes one account's status.
func (a *accountStatus) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var obj client.Object
	var view *policy.View
	var status *hooksv1alpha1.AccountStatus
	if a.cluster {
		ca := &hooksv1alpha1.ClusterAccount{}
		if err := a.r.Get(ctx, req.NamespacedName, ca); err != nil {
			if apierrors.IsNotFound(err) {
				a.forget(req.NamespacedName)
			}
			return ctrl.Result{}, client.IgnoreNotFound(err)
		}
		obj, view, status = ca, policy.FromClusterAccount(ca), &ca.Status
	} else {
		acct := &hooksv1alpha1.Account{}
		if err := a.r.Get(ctx, req.NamespacedName, acct); err != nil {
			if apierrors.IsNotFound(err) {
				a.forget(req.NamespacedName)
			}
			return ctrl.Result{}, client.IgnoreNotFound(err)
		}
		obj, view, status = acct, policy.FromAccount(acct), &acct.Status
	}
	base := status.DeepCopy()
	gate := a.honourRateLimit(ctx, view, status)
	if !a.writes(req.NamespacedName) {
		// Another replica checks the account and writes its status; this one only follows it.
		return a.r.resync(), nil
	}

	webhooks, namespaces, err := a.count(ctx, view)
	if err != nil {
		return ctrl.Result{}, err
	}
	status.Webhooks, status.Namespaces = int32(webhooks), int32(namespaces)
	check, err := a.check(ctx, req.NamespacedName, obj, view, gate)
	status.SetReady(obj.GetGeneration(), check.status, check.reason, providers.Line(check.message, maxConditionMessage))
	status.RateLimitedUntil = laterOf(status.RateLimitedUntil, check.rateLimitedUntil)
	if status.RateLimitedUntil != nil && !status.RateLimitedUntil.After(a.r.now()) {
		status.RateLimitedUntil = nil
	}
	if a.cluster {
		accountMetrics.set(view.Name, check.status == metav1.ConditionTrue, webhooks, status.RateLimitedUntil, a.r.now())
	}
	if !equality.Semantic.DeepEqual(base, status) {
		// While Webhooks pour in, only the counts change at every one: they are written at most
		// every countsEvery, so that the account's status does not take the API server's writes
		// from the Webhooks themselves.
		if wait := a.countsWait(req.NamespacedName, base, status); wait > 0 {
			return ctrl.Result{RequeueAfter: wait}, err
		}
		patch := client.MergeFrom(objWithStatus(obj, base))
		if perr := a.r.Status().Patch(ctx, obj, patch); perr != nil && !apierrors.IsNotFound(perr) {
			return ctrl.Result{}, perr
		}
		a.mu.Lock()
		a.written[req.NamespacedName] = a.r.now()
		a.mu.Unlock()
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	next := a.r.resync()
	if status.RateLimitedUntil != nil {
		next.RequeueAfter = min(next.RequeueAfter, status.RateLimitedUntil.Sub(a.r.now())+100*time.Millisecond)
	}
	if check.retryAfter > 0 {
		next.RequeueAfter = min(next.RequeueAfter, check.retryAfter)
	}
	return next, nil
}

// countsEvery is how often an account's status is written when only its counts changed.
const countsEvery = 2 * time.Second

// countsWait is how long to wait before writing a status that differs from base in its counts
// only; 0 to write now.
func (a *accountStatus) countsWait(key types.NamespacedName, base, status *hooksv1alpha1.AccountStatus) time.Duration {
	onlyCounts := base.DeepCopy()
	onlyCounts.Webhooks, onlyCounts.Namespaces = status.Webhooks, status.Namespaces
	if !equality.Semantic.DeepEqual(onlyCounts, status) {
		return 0
	}
	a.mu.Lock()
	last := a.written[key]
	a.mu.Unlock()
	if since := a.r.now().Sub(last); since < countsEvery {
		return countsEvery - since
	}
	return 0
}

// writes reports whether this replica checks the account and writes its status: the only replica
// without --sharding; with it, the replica that owns the Account's namespace, or the hash of the
// ClusterAccount's name, as it owns namespaces.
func (a *accountStatus) writes(key types.NamespacedName) bool {
	shards := a.r.Options.Shards
	if shards == nil || !a.r.Options.Sharded {
		return true
	}
	if a.cluster {
		return shards.Owns("clusteraccount/" + key.Name)
	}
	return shards.Owns(key.Namespace)
}

// count is how many Webhooks, in how many namespaces, name the account. A sharded replica's cache
// holds its own namespaces only, so for a ClusterAccount it counts from a list of every Webhook,
// made at most once per half resync for all ClusterAccounts together.
func (a *accountStatus) count(ctx context.Context, v *policy.View) (int, int, error) {
	if !a.cluster || !a.r.Options.Sharded {
		w, n := a.r.countOnAccount(v)
		return w, n, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.counts == nil || a.r.now().Sub(a.countedAt) > a.r.Options.ResyncPeriod/2 {
		counts := map[string]*accountCount{}
		list := &hooksv1alpha1.WebhookList{}
		opts := []client.ListOption{client.Limit(500)}
		for {
			if err := a.r.APIReader.List(ctx, list, opts...); err != nil {
				return 0, 0, err
			}
			for i := range list.Items {
				wh := &list.Items[i]
				if !wh.Spec.AccountRef.IsCluster() || !wh.DeletionTimestamp.IsZero() {
					continue
				}
				c := counts[wh.Spec.AccountRef.Name]
				if c == nil {
					c = &accountCount{namespaces: map[string]bool{}}
					counts[wh.Spec.AccountRef.Name] = c
				}
				c.webhooks++
				c.namespaces[wh.Namespace] = true
			}
			if list.Continue == "" {
				break
			}
			opts = []client.ListOption{client.Limit(500), client.Continue(list.Continue)}
		}
		a.counts, a.countedAt = counts, a.r.now()
	}
	if c := a.counts[v.Name]; c != nil {
		return c.webhooks, len(c.namespaces), nil
	}
	return 0, 0, nil
}

type accountCount struct {
	webhooks   int
	namespaces map[string]bool
}

// laterOf is the later of two times, either of which may be nil.
func laterOf(a, b *metav1.Time) *metav1.Time {
	switch {
	case a == nil:
		return b
	case b == nil || a.After(b.Time):
		return a
	}
	return b
}

// objWithStatus is a copy of obj with another status, the base of a merge patch.
func objWithStatus(obj client.Object, status *hooksv1alpha1.AccountStatus) client.Object {
	switch o := obj.(type) {
	case *hooksv1alpha1.ClusterAccount:
		c := o.DeepCopy()
		c.Status = *status
		return c
	case *hooksv1alpha1.Account:
		c := o.DeepCopy()
		c.Status = *status
		return c
	}
	return obj
}

// honourRateLimit closes this replica's gate of the account until the rateLimitedUntil that
// status records (written by whichever replica got the 429), and returns the gate's key; "" when
// the account's request cannot be built.
func (a *accountStatus) honourRateLimit(ctx context.Context, v *policy.View, status *hooksv1alpha1.AccountStatus) string {
	req, prov, err := a.r.accountLevelRequest(ctx, v)
	if err != nil {
		return ""
	}
	gate := credentialKey(v.Settings.Provider, req.Credentials) + "|" + identKey(v.Settings.Provider, prov.Account(req))
	if until := status.RateLimitedUntil; until != nil {
		// Capped as a Retry-After header is: the status may come from any replica's clock.
		if wait := min(until.Sub(a.r.now()), providers.MaxRetryAfter); wait > 0 {
			a.r.Gates.Block(gate, wait)
		}
	}
	return gate
}

// check is Ready: the result of the account's list, made at most once per resync (or when the
// account or its Secret changes), shared with the Webhooks on the account.
func (a *accountStatus) check(ctx context.Context, key types.NamespacedName, obj client.Object, v *policy.View, gate string) (accountCheck, error) {
	now := a.r.now()
	req, prov, err := a.r.accountLevelRequest(ctx, v)
	if err != nil {
		c := accountCheck{status: metav1.ConditionFalse, reason: reasonOf(err), message: err.Error()}
		return c, nil
	}
	version := a.secretVersion(ctx, v)
	a.mu.Lock()
	last, seen := a.checked[key]
	a.mu.Unlock()
	if seen && last.generation == obj.GetGeneration() && last.secretVersion == version && now.Sub(last.at) < a.r.Options.ResyncPeriod*9/10 {
		return last, nil
	}
	if wait := a.r.Gates.Wait(gate); wait > 0 {
		until := metav1.NewTime(now.Add(wait).Truncate(time.Second).Add(time.Second))
		c := last
		if !seen {
			c = accountCheck{status: metav1.ConditionUnknown, reason: hooksv1alpha1.ReasonRateLimited, message: "waiting for the SaaS's Retry-After before the first check"}
		}
		c.rateLimitedUntil = &until
		return c, nil
	}
	credential := credentialKey(v.Settings.Provider, req.Credentials)
	ident := identKey(v.Settings.Provider, prov.Account(req))
	acct := a.r.accounts.get(credential, prov.Scope(req), ident, nil)
	lctx := ratelimit.WithKey(ctx, gate)
	err = acct.snapshot(lctx, a.r.now, now.Add(-a.r.Options.ResyncPeriod), func(ctx context.Context) ([]*providers.Remote, error) {
		ctx, cancel := context.WithTimeout(ctx, a.r.listTimeout())
		defer cancel()
		return prov.List(ctx, req)
	})
	c := accountCheck{at: now, generation: obj.GetGeneration(), secretVersion: version}
	var retErr error
	switch {
	case err == nil:
		c.status, c.reason = metav1.ConditionTrue, hooksv1alpha1.ReasonAvailable
		c.message = "the credentials were accepted by the SaaS"
	case providers.KindOf(err) == providers.KindRateLimited && rateLimitSource(err) != "saas":
		// This replica's part of the client-side rate, or a gate that a Retry-After closed
		// meanwhile: no request was sent, and nothing is the SaaS's word for the other replicas.
		// The check is made once its turn comes.
		c = last
		if !seen {
			c = accountCheck{status: metav1.ConditionUnknown, reason: hooksv1alpha1.ReasonRateLimited, message: err.Error()}
		}
		c.retryAfter = max(providers.RetryAfter(err), 100*time.Millisecond) + 100*time.Millisecond
		return c, nil
	case providers.KindOf(err) == providers.KindRateLimited:
		wait := providers.RetryAfter(err)
		if wait <= 0 {
			wait = time.Second
		}
		a.r.Gates.Block(gate, wait)
		until := metav1.NewTime(now.Add(wait).Truncate(time.Second).Add(time.Second))
		c = last
		c.at, c.rateLimitedUntil = now, &until
		if !seen {
			c.status, c.reason, c.message = metav1.ConditionUnknown, hooksv1alpha1.ReasonRateLimited, err.Error()
		}
		a.warn(obj, hooksv1alpha1.ReasonRateLimited, fmt.Sprintf("the SaaS asked to wait %s: no request for this account before %s", wait.Round(time.Second), until.UTC().Format(time.RFC3339)))
	default:
		c.status, c.reason, c.message = metav1.ConditionFalse, reasonOf(err), err.Error()
		if c.reason == hooksv1alpha1.ReasonUnauthorized {
			a.warn(obj, hooksv1alpha1.ReasonUnauthorized, c.message)
		} else if c.reason == hooksv1alpha1.ReasonProviderUnavailable {
			retErr = err
		}
	}
	a.mu.Lock()
	a.checked[key] = c
	a.mu.Unlock()
	return c, retErr
}

// secretVersion is the resource version of the account's credentials Secret, "" when unknown.
func (a *accountStatus) secretVersion(ctx context.Context, v *policy.View) string {
	meta, err := a.r.getSecretMeta(ctx, client.ObjectKey{Namespace: v.SecretNamespace, Name: v.SecretName})
	if err != nil {
		return ""
	}
	return meta.ResourceVersion
}

func (a *accountStatus) forget(key types.NamespacedName) {
	a.mu.Lock()
	delete(a.checked, key)
	delete(a.written, key)
	a.mu.Unlock()
	if a.cluster {
		accountMetrics.remove(key.Name)
	}
}

func (a *accountStatus) warn(obj client.Object, reason, note string) {
	if a.r.Recorder != nil {
		a.r.Recorder.Eventf(obj, nil, corev1.EventTypeWarning, reason, reason, "%s", providers.Line(note, providers.MaxMessage))
	}
}

// reasonOf is the Ready reason of an error, as failure maps it for a Webhook.
func reasonOf(err error) string {
	switch providers.KindOf(err) {
	case providers.KindInvalid:
		return hooksv1alpha1.ReasonInvalidSpec
	case providers.KindMissingCredentials:
		return hooksv1alpha1.ReasonCredentialsNotFound
	case providers.KindUnauthorized:
		return hooksv1alpha1.ReasonUnauthorized
	case providers.KindRateLimited:
		return hooksv1alpha1.ReasonRateLimited
	}
	return hooksv1alpha1.ReasonProviderUnavailable
}

// accountLevelRequest is the request of the account itself: its provider block alone, its
// credentials. It reaches the account's list, which needs no Webhook's fields.
func (r *WebhookReconciler) accountLevelRequest(ctx context.Context, v *policy.View) (*providers.Request, providers.Provider, error) {
	prov, ok := r.Providers[v.Settings.Provider]
	if !ok {
		return nil, nil, providers.Invalid("", "provider", "%q is not supported by this operator", v.Settings.Provider)
	}
	if v.IsCluster() && !r.secretNamespaceAllowed(v.SecretNamespace) {
		return nil, nil, &providers.Error{Kind: providers.KindMissingCredentials, Op: "resolve account", Message: fmt.Sprintf(
			"spec.credentialsRef.namespace %q is not one of the operator's --account-secret-namespaces, so the operator does not read it", v.SecretNamespace)}
	}
	resolved, err := v.Resolve(v.Settings.WebhookSpec())
	if err != nil {
		return nil, nil, err
	}
	holder := &hooksv1alpha1.Webhook{}
	holder.Namespace = v.Namespace
	creds, err := r.readSecret(ctx, holder, client.ObjectKey{Namespace: v.SecretNamespace, Name: v.SecretName}, "spec.credentialsRef")
	if err != nil {
		return nil, nil, err
	}
	return &providers.Request{Owner: v.Name, Spec: resolved.Spec, Credentials: creds.Data, Secrets: map[string]string{},
		AdminEndpoints: v.IsCluster()}, prov, nil
}

// countOnAccount counts the Webhooks that name the account, and their namespaces. In a sharded
// replica the cache holds its own namespaces only, so the count is of what the replica sees.
func (r *WebhookReconciler) countOnAccount(v *policy.View) (webhooks, namespaces int) {
	ref := &hooksv1alpha1.AccountReference{Kind: v.Kind, Name: v.Name}
	seen := map[string]bool{}
	count := func(wh *hooksv1alpha1.Webhook) {
		if wh.DeletionTimestamp.IsZero() && sameAccountRef(wh.Spec.AccountRef, ref) {
			webhooks++
			seen[wh.Namespace] = true
		}
	}
	if v.IsCluster() {
		r.index.each(count)
	} else {
		r.index.eachInNamespace(v.Namespace, count)
	}
	return webhooks, len(seen)
}

// recordAccountRateLimit writes a 429's Retry-After into the status of the account a Webhook uses,
// when it holds the account back longer than the status says: every replica follows the status,
// so no replica sends a request for the account before then.
func (r *WebhookReconciler) recordAccountRateLimit(ctx context.Context, wh *hooksv1alpha1.Webhook, wait time.Duration) {
	ref := wh.Spec.AccountRef
	if ref == nil || wait <= 0 {
		return
	}
	until := metav1.NewTime(r.now().Add(wait).Truncate(time.Second).Add(time.Second))
	var obj client.Object
	var status *hooksv1alpha1.AccountStatus
	if ref.IsCluster() {
		ca := &hooksv1alpha1.ClusterAccount{}
		if err := r.Get(ctx, client.ObjectKey{Name: ref.Name}, ca); err != nil {
			return
		}
		obj, status = ca, &ca.Status
	} else {
		acct := &hooksv1alpha1.Account{}
		if err := r.Get(ctx, client.ObjectKey{Namespace: wh.Namespace, Name: ref.Name}, acct); err != nil {
			return
		}
		obj, status = acct, &acct.Status
	}
	if status.RateLimitedUntil != nil && !until.After(status.RateLimitedUntil.Time) {
		return
	}
	base := objWithStatus(obj, status.DeepCopy())
	status.RateLimitedUntil = &until
	if err := r.Status().Patch(ctx, obj, client.MergeFrom(base)); err != nil {
		ctrl.LoggerFrom(ctx).Info("Could not record the account's Retry-After in its status", "error", err.Error())
	}
}
