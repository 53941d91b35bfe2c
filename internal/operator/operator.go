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

// Package operator wires the operator from its configuration: the manager, its cache, the
// Webhook reconciler with the providers' clients, and the shard runner, and runs them.
package operator

import (
	"context"
	"fmt"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/controllers"
	"github.com/hookkeeper/hookkeeper/internal/config"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/internal/recorder"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
)

// Build describes the binary: what `hookkeeper version` prints, which the operator logs at start
// and sends in its User-Agent.
type Build struct {
	Version, Commit, GoVersion string
}

// operator holds what Run sets up, step by step, before it starts the manager.
type operator struct {
	cfg    *config.Config
	build  Build
	scheme *runtime.Scheme
	rest   *rest.Config
	// scope restricts the Webhook and Secret informers to this replica's namespaces (--sharding).
	scope *sharding.Scope
	// rateShare splits --provider-qps among the live replicas with --sharding: they may all send
	// requests for one SaaS account, and together stay within its rate.
	rateShare *ratelimit.Share
	// gates are the reconciler's Retry-After gates, which the providers' transports ask right
	// before each request.
	gates *controllers.Gates
}

// Run runs the operator that cfg, validated, describes until ctx ends or it fails.
func Run(ctx context.Context, cfg *config.Config, build Build) error {
	o := &operator{cfg: cfg, build: build, scheme: newScheme()}
	o.resolveSecretNamespaces()
	mgr, err := o.newManager()
	if err != nil {
		return err
	}
	// The operator's own Event recorder: client-go's keeps a copy of every Event for minutes. Its
	// writer outlives the manager, so that the reconciles that end last at shutdown, after the
	// manager's other runnables have stopped, still have their Events written.
	events := recorder.New(mgr.GetClient(), mgr.GetScheme(), "hookkeeper")
	stopEvents := events.Run()
	defer stopEvents()
	r, err := o.newReconciler(mgr, events)
	if err != nil {
		return err
	}
	if err := o.checkNamespaces(ctx, mgr.GetAPIReader()); err != nil {
		return err
	}
	if r.StatusKey, err = o.statusKey(ctx, mgr); err != nil {
		return err
	}
	if err := o.addRunnables(ctx, mgr, r); err != nil {
		return err
	}
	o.logStart()
	return mgr.Start(ctx)
}

// newScheme registers only the kinds the operator reads and writes: client-go's scheme of every
// built-in kind, registered a second time here, costs most of a megabyte of heap.
func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(corev1.AddToScheme(scheme))
	utilruntime.Must(coordinationv1.AddToScheme(scheme))
	utilruntime.Must(eventsv1.AddToScheme(scheme))
	utilruntime.Must(hooksv1alpha1.AddToScheme(scheme))
	return scheme
}

// resolveSecretNamespaces sets the namespaces where ClusterAccounts' credentials may be, and
// says so when there are none: outside a cluster, without a namespace of its own.
func (o *operator) resolveSecretNamespaces() {
	o.cfg.SecretNamespaces = o.cfg.AccountSecretNamespacesIn(o.cfg.OwnNamespace())
	if len(o.cfg.SecretNamespaces) == 0 {
		ctrl.Log.WithName("setup").Info("No namespace for ClusterAccount credentials outside a cluster: no ClusterAccount can read its Secret; " +
			"set --account-secret-namespaces or --leader-election-namespace")
	}
}

// newManager creates the manager with the API server's rate of --kube-api-qps and
// --kube-api-burst; with --sharding, its cache builds the informers through a shard scope.
func (o *operator) newManager() (ctrl.Manager, error) {
	o.rest = ctrl.GetConfigOrDie()
	o.rest.QPS = float32(o.cfg.QPS)
	o.rest.Burst = o.cfg.Burst
	if o.cfg.Sharding {
		o.scope = sharding.NewScope(ctrl.Log.WithName("sharding"))
		ctrlmetrics.Registry.MustRegister(sharding.Collectors()...)
		o.rateShare = &ratelimit.Share{}
	}
	mgr, err := ctrl.NewManager(o.rest, o.cfg.ManagerOptions(o.scheme, o.scope))
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	return mgr, nil
}

// newReconciler creates the Webhook reconciler, with the providers' clients and the options the
// flags ask for.
func (o *operator) newReconciler(mgr ctrl.Manager, events *recorder.Recorder) (*controllers.WebhookReconciler, error) {
	c := o.cfg
	o.gates = controllers.NewGates(time.Now)
	r := &controllers.WebhookReconciler{
		Client:    mgr.GetClient(),
		Scheme:    mgr.GetScheme(),
		Recorder:  events,
		Providers: o.registry(),
		Gates:     o.gates,
		Options: controllers.Options{
			ResyncPeriod:            c.Resync,
			ReactivationDelay:       c.ReactivationDelay,
			DeletionTimeout:         c.DeletionTimeout,
			MaxConcurrentReconciles: c.Workers,
			// A list may take a few pages, but never much more than a request's timeout.
			ListTimeout:             2 * c.HTTPTimeout,
			ProviderNames:           providerNames(),
			AccountSecretNamespaces: c.SecretNamespaces,
		},
	}
	if c.Sharding {
		// The replica's cache holds the Secrets of its own namespaces only: those of the
		// account-secret namespaces, which ClusterAccounts on every replica read, get a cache of
		// their own.
		var err error
		if r.AccountSecrets, err = controllers.NewAccountSecretCache(mgr, c.SecretNamespaces); err != nil {
			return nil, fmt.Errorf("creating the cache of the account-secret namespaces: %w", err)
		}
	}
	return r, nil
}

// checkNamespaces stops the operator at start when a namespace the flags name does not exist or
// cannot be read (config.CheckNamespaces, config.CheckAccountSecretNamespaces).
func (o *operator) checkNamespaces(ctx context.Context, reader client.Reader) error {
	if err := config.CheckNamespaces(ctx, reader, o.cfg.Namespaces); err != nil {
		return err
	}
	return config.CheckAccountSecretNamespaces(ctx, reader, o.cfg.Namespaces, o.cfg.SecretNamespaces)
}

// addRunnables adds to the manager the shard runner (with --sharding or --leader-elect), the
// reconciler and the health and readiness checks.
func (o *operator) addRunnables(ctx context.Context, mgr ctrl.Manager, r *controllers.WebhookReconciler) error {
	var runner *sharding.Runner
	if o.cfg.Sharding || o.cfg.LeaderElect {
		var err error
		if runner, err = o.shardRunner(ctx, r, mgr.GetCache()); err != nil {
			return err
		}
	}
	if err := r.SetupWithManager(ctx, mgr); err != nil {
		return fmt.Errorf("setting up the controller: %w", err)
	}
	if runner != nil {
		if err := mgr.Add(runner); err != nil {
			return err
		}
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	return mgr.AddReadyzCheck("readyz", healthz.Ping)
}

// logStart logs the build and the settings the operator starts with.
func (o *operator) logStart() {
	c := o.cfg
	ctrl.Log.WithName("setup").Info("Starting the operator", "version", o.build.Version, "commit", o.build.Commit, "go", o.build.GoVersion,
		"metricsSecure", c.MetricsSecure, "resyncPeriod", c.Resync.String(), "workers", c.Workers,
		"providerQPS", c.ProviderQPS.String(), "endpointAllowlist", c.Egress.String(), "watchNamespaces", c.Namespaces,
		"accountSecretNamespaces", c.SecretNamespaces)
}
