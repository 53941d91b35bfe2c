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
	"crypto/tls"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/controllers"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
)

// LeaderElectionID names the Lease of --leader-elect.
const LeaderElectionID = "hookkeeper.hooks.hookkeeper.dev"

// ManagerOptions are the options of the manager the flags ask for. With --watch-namespaces the
// cache holds the namespaced kinds (Webhooks, Accounts, Secrets) of those namespaces only, and
// the Secrets of the account-secret namespaces (c.SecretNamespaces) too; ClusterAccounts and
// Namespaces are cluster-scoped and cached whole. With a shard scope, the Webhook and Secret
// informers receive only the scope's namespaces.
func (c *Config) ManagerOptions(scheme *runtime.Scheme, scope *sharding.Scope) ctrl.Options {
	cacheOpts := controllers.CacheOptions(c.Namespaces)
	if secrets := secretCacheNamespaces(c.Namespaces, c.SecretNamespaces); secrets != nil {
		// One entry serves the typed and the metadata-only informers of Secrets alike.
		cacheOpts.ByObject = map[client.Object]cache.ByObject{&corev1.Secret{}: {Namespaces: secrets}}
	}
	if scope != nil {
		cacheOpts.NewInformer = scope.NewInformer(shardedResource)
	}
	return ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 c.MetricsOptions(),
		HealthProbeBindAddress:  c.ProbeAddr,
		PprofBindAddress:        c.PprofAddr,
		LeaderElection:          c.LeaderElect && !c.Sharding,
		LeaderElectionID:        LeaderElectionID,
		LeaderElectionNamespace: c.LeaderElectionNamespace,
		// The manager ends right after the lease is given up, so a new leader starts at once.
		LeaderElectionReleaseOnCancel: true,
		Cache:                         cacheOpts,
	}
}

// MetricsOptions are the options of the metrics server. With --metrics-secure (the default) it
// serves HTTPS with a self-signed certificate, and answers only requests whose bearer token the
// API server authenticates (TokenReview) and authorizes to get /metrics (SubjectAccessReview): in
// config/rbac/metrics, metrics_auth_role.yaml lets the operator ask, metrics_reader_role.yaml
// grants the scrape.
func (c *Config) MetricsOptions() metricsserver.Options {
	if !c.MetricsSecure {
		return metricsserver.Options{BindAddress: c.MetricsAddr}
	}
	return metricsserver.Options{
		BindAddress:    c.MetricsAddr,
		SecureServing:  true,
		FilterProvider: filters.WithAuthenticationAndAuthorization,
		// HTTP/1.1 only, as kubebuilder scaffolds it: HTTP/2's stream handling has had denial of
		// service flaws (CVE-2023-44487, CVE-2023-39325), and a scrape gains nothing from it.
		TLSOpts: []func(*tls.Config){func(t *tls.Config) { t.NextProtos = []string{"http/1.1"} }},
	}
}

// secretCacheNamespaces returns the namespaces whose Secrets the cache must hold besides those of
// --watch-namespaces, as the cache's per-object namespaces: nil when the watched namespaces
// already cover them (every namespace without --watch-namespaces, or the account-secret
// namespaces all watched); every namespace for "*".
func secretCacheNamespaces(watched, accountSecrets []string) map[string]cache.Config {
	if len(watched) == 0 {
		return nil
	}
	if slices.Contains(accountSecrets, AnyNamespace) {
		return map[string]cache.Config{cache.AllNamespaces: {}}
	}
	extra := false
	for _, ns := range accountSecrets {
		if !slices.Contains(watched, ns) {
			extra = true
		}
	}
	if !extra {
		return nil
	}
	out := map[string]cache.Config{}
	for _, ns := range slices.Concat(watched, accountSecrets) {
		out[ns] = cache.Config{}
	}
	return out
}

// shardedResource names the informers that --sharding restricts to the replica's namespaces:
// Webhooks, and Secrets (watched as metadata). The others (none today) see everything. The
// Secrets of the account-secret namespaces are held whole by a cache of their own
// (controllers.NewAccountSecretCache), whose informers are not restricted.
func shardedResource(obj runtime.Object) string {
	switch o := obj.(type) {
	case *hooksv1alpha1.Webhook:
		return "webhooks"
	case *corev1.Secret:
		return "secrets"
	case *metav1.PartialObjectMetadata:
		if gvk := o.GroupVersionKind(); gvk.Group == "" && gvk.Kind == "Secret" {
			return "secrets"
		}
	}
	return ""
}
