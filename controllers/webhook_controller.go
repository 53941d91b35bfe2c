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

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// Options tune the reconciler; main sets them from flags.
type Options struct {
	// ResyncPeriod is how often a synced Webhook is observed again (jittered by 10%).
	ResyncPeriod time.Duration
	// ReactivationDelay is how long a webhook the SaaS disabled stays disabled before the operator
	// re-activates it; it doubles with each repeat.
	ReactivationDelay time.Duration
	// DeletionTimeout bounds how long deletion retries when the credentials are missing or
	// refused, before the finalizer is removed and the remote webhook is reported as left behind.
	DeletionTimeout time.Duration
	// MaxConcurrentReconciles is the number of workers.
	MaxConcurrentReconciles int
	// AccountShare is how many workers the Webhooks of one account may use at once; 0 means
	// half of MaxConcurrentReconciles (at least one), so that a slow or hung SaaS account never
	// holds every worker.
	AccountShare int
	// ListTimeout bounds one list of an account, every page included; 0 means one minute.
	ListTimeout time.Duration
	// ProviderNames are the providers' lower-case names (their descriptors' Name), the provider
	// label of the metrics; main and the tests fill it from the list of descriptors they use.
	ProviderNames map[hooksv1alpha1.ProviderType]string
	// Shards, when set, says which namespaces this replica reconciles now (--sharding): a Webhook
	// of another namespace is left alone, and queued again by Requeue once its namespace's slot
	// starts here. Nil reconciles every namespace.
	Shards Shards
	// Sharded says namespaces move between replicas (--sharding): a namespace that starts here
	// may have had webhooks made for it by another replica since this process last listed its
	// account, so the search before a create uses a young snapshot (searchAge). A leader that
	// holds the whole space (Shards set, Sharded false) takes over only in a new process, which
	// has no snapshot yet.
	Sharded bool
	// AccountSecretNamespaces are the namespaces where a ClusterAccount's credentialsRef may point
	// (--account-secret-namespaces); "*" admits any. Empty admits none.
	AccountSecretNamespaces []string
}

// Shards is the gate of a sharded replica (internal/sharding.Gate).
type Shards interface {
	// Enter reports whether the replica reconciles namespace now; when it does, Leave follows.
	Enter(namespace string) bool
	Leave(namespace string)
	// Owns reports whether namespace is this replica's now.
	Owns(namespace string) bool
}

// FencedShards is a gate that can also stop the reconciles it let through
// (internal/sharding.Gate): a replica that cannot renew its shard Lease in time must stop its
// SaaS calls before another replica may take its namespaces.
type FencedShards interface {
	// EnterContext is Enter for a reconcile that runs with ctx: the context it returns ends when
	// the replica loses namespace that way. leave ends the reconcile, in place of Leave.
	EnterContext(ctx context.Context, namespace string) (_ context.Context, leave func(), ok bool)
}

// WebhookReconciler makes each Webhook's remote webhook exist, match its spec and go away with it.
type WebhookReconciler struct {
	client.Client
	Scheme    *runtime.Scheme
	Recorder  events.EventRecorder
	Providers providers.Registry
	Options   Options
	// APIReader reads the Secrets that Webhooks reference straight from the API server: the
	// operator watches Secrets as metadata only, so that it never holds the data of the others.
	// The manager's API reader when nil.
	APIReader client.Reader
	// StatusKey keys status.appliedSecretHash (LoadStatusKey), so that what a reader of the
	// Webhook sees cannot test guesses of its secrets. Required.
	StatusKey []byte
	// Gates holds the per-credential Retry-After deadlines; shared by every worker.
	Gates *Gates
	// AccountSecrets, when set, holds the Secrets (metadata) of the account-secret namespaces
	// (Options.AccountSecretNamespaces) whole: a sharded replica's own cache holds the Secrets of
	// its namespaces only, and the Webhooks on a ClusterAccount read its Secret on every replica.
	// The Secrets of those namespaces are then read and watched through it (NewAccountSecretCache).
	AccountSecrets cache.Cache
	// Now is the clock; tests may replace it.
	Now func() time.Time

	// secrets holds the data of the Secrets that Webhooks read, by resource version, and for a
	// while that of the deleted ones, for the Webhooks' deletion.
	secrets *secretStore
	// index answers which Webhooks record a remote webhook, and which read a Secret.
	index *webhookIndex
	// owners answers who owns a remote webhook: the accounts' claims, the index, the API server.
	owners *ownership
	// accounts are the SaaS accounts met so far: snapshots, claims, create turns, worker shares.
	accounts *accounts
	// wake re-queues a Webhook that waited for its account's share of the workers.
	wake chan event.GenericEvent
	// syncRequests remembers, per Webhook UID, the last reconcile-requested-at value acted on.
	syncRequests syncRequests
}

// +kubebuilder:rbac:groups=hooks.hookkeeper.dev,resources=webhooks,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hooks.hookkeeper.dev,resources=webhooks/status,verbs=get;patch
// +kubebuilder:rbac:groups=hooks.hookkeeper.dev,resources=webhooks/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=list;watch
// +kubebuilder:rbac:groups=hooks.hookkeeper.dev,resources=accounts;clusteraccounts,verbs=get;list;watch
// +kubebuilder:rbac:groups=hooks.hookkeeper.dev,resources=accounts/status;clusteraccounts/status,verbs=get;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile observes one Webhook and its remote webhook and moves them one step closer to the spec.
// Status is written once, at the end, and only when it changed; a create writes it at once as well,
// so that a crash right after cannot lose the remote id.
func (r *WebhookReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	if shards := r.Options.Shards; shards != nil {
		leave, ok := func() { shards.Leave(req.Namespace) }, false
		if fenced, isFenced := shards.(FencedShards); isFenced {
			ctx, leave, ok = fenced.EnterContext(ctx, req.Namespace)
		} else {
			ok = shards.Enter(req.Namespace)
		}
		if !ok {
			return ctrl.Result{}, nil // another replica's; queued again if its slot starts here
		}
		defer leave()
	}
	wh := &hooksv1alpha1.Webhook{}
	if err := r.Get(ctx, req.NamespacedName, wh); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &tracked{wh: wh, base: wh.DeepCopy()}

	var result ctrl.Result
	var err error
	if !wh.DeletionTimestamp.IsZero() {
		result, err = r.reconcileDelete(ctx, s)
	} else {
		result, err = r.reconcileNormal(ctx, s)
	}
	if perr := r.patchStatus(ctx, s); perr != nil && err == nil {
		return ctrl.Result{}, perr
	}
	return result, err
}

// maxBackoff caps the backoff of failed reconciles.
func (r *WebhookReconciler) maxBackoff() time.Duration {
	return max(time.Second, min(5*time.Minute, r.Options.ResyncPeriod/2))
}

// resync is the jittered wait before a synced Webhook is observed again.
func (r *WebhookReconciler) resync() ctrl.Result {
	return ctrl.Result{RequeueAfter: wait.Jitter(r.Options.ResyncPeriod, 0.1)}
}

func (r *WebhookReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// SetupWithManager registers the indexes and watches: Webhooks (spec, annotations, deletion) and
// the Secrets they read, so a rotated credential or signing secret is applied at once.
func (r *WebhookReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	if len(r.StatusKey) < StatusKeySize {
		return fmt.Errorf("the status key has %d bytes, want at least %d (LoadStatusKey)", len(r.StatusKey), StatusKeySize)
	}
	if r.APIReader == nil {
		r.APIReader = mgr.GetAPIReader()
	}
	r.prepare()
	if err := r.index.register(ctx, mgr.GetCache()); err != nil {
		return err
	}
	collector.index.Store(r.index)
	collector.names.Store(&r.Options.ProviderNames)
	collector.shards.Store(&shardsOf{gate: r.Options.Shards})
	if err := mgr.Add(manager.RunnableFunc(r.sweepIdleAccounts)); err != nil {
		return err
	}
	if err := r.setupAccountControllers(mgr); err != nil {
		return err
	}
	return r.setupWebhookController(mgr)
}

// workers is the number of workers of the Webhook controller.
func (r *WebhookReconciler) workers() int {
	return max(1, r.Options.MaxConcurrentReconciles)
}

// prepare makes the reconciler's own parts that are not set yet: the Webhook index, the
// Retry-After gates, the accounts with their wake channel, the owner checks, and the Secrets read.
// SetupWithManager calls it, and so do the tests that call Reconcile without a manager.
func (r *WebhookReconciler) prepare() {
	if r.index == nil {
		r.index = newWebhookIndex(r.Providers)
	}
	if r.Gates == nil {
		r.Gates = NewGates(r.now)
	}
	if r.accounts == nil {
		share := r.Options.AccountShare
		if share <= 0 {
			share = max(1, r.workers()/2)
		}
		r.wake = make(chan event.GenericEvent, 1024)
		r.accounts = newAccounts(r.now, share, r.wakeUp)
	}
	if r.owners == nil {
		r.owners = &ownership{claims: r.accounts, index: r.index, reader: r.APIReader, sharded: r.Options.Sharded}
	}
	if r.secrets == nil {
		// A deleted Secret's data is kept for as long as a Webhook that read it may still be
		// deleting: the time counts from the Secret's deletion, while the Webhooks of the same
		// namespace deletion may start theirs later and wait in a long queue, so a deletion
		// timeout plus at least a minute more.
		timeout := r.Options.DeletionTimeout
		if timeout <= 0 {
			timeout = 10 * time.Minute
		}
		r.secrets = newSecretStore(timeout+max(timeout, time.Minute), r.now)
	}
}

// sweepIdleAccounts frees, until ctx ends, the accounts that no Webhook used for a resync period,
// within the next half period.
func (r *WebhookReconciler) sweepIdleAccounts(ctx context.Context) error {
	idle := max(time.Minute, r.Options.ResyncPeriod)
	t := time.NewTicker(idle / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			r.accounts.sweep(idle)
		}
	}
}
