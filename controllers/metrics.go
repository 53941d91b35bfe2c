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
	"strings"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// readyReasons lists the values of the reason label of hookkeeper_webhooks: every Ready reason
// (api/v1alpha1), None for a Webhook not reconciled yet, and Deleting for one being deleted
// whatever its last reason.
var readyReasons = strings.Join([]string{
	hooksv1alpha1.ReasonAvailable, hooksv1alpha1.ReasonDisabled, hooksv1alpha1.ReasonPaused,
	hooksv1alpha1.ReasonCreating, hooksv1alpha1.ReasonUpdating, hooksv1alpha1.ReasonDeleting,
	hooksv1alpha1.ReasonRemoteDisabled, hooksv1alpha1.ReasonRateLimited, hooksv1alpha1.ReasonProviderUnavailable,
	hooksv1alpha1.ReasonInvalidSpec, hooksv1alpha1.ReasonCredentialsNotFound, hooksv1alpha1.ReasonUnauthorized,
	hooksv1alpha1.ReasonConflict, hooksv1alpha1.ReasonAccountNotFound, hooksv1alpha1.ReasonAccountNotPermitted,
	hooksv1alpha1.ReasonTargetNotPermitted, hooksv1alpha1.ReasonAccountLimitReached, reasonNone,
}, ", ")

// reasonNone is the reason label of a Webhook that has no Ready condition of its generation yet.
const reasonNone = "None"

// webhooksDesc is the gauge of Webhooks by namespace, provider and Ready reason, computed from
// the informer cache when the metrics are scraped: it is never out of date and costs nothing
// between scrapes. Its series are bounded by the namespaces that hold Webhooks times the
// providers and reasons in use there.
//
// A replica counts only the Webhooks of the namespaces it owns (Options.Shards), so that summing
// the gauge over replicas counts each Webhook once: one replica counts all; with leader election
// the leader counts all and a standby none; with sharding each replica counts its own namespaces.
var webhooksDesc = prometheus.NewDesc("hookkeeper_webhooks",
	"Webhooks of the namespaces this replica owns, by namespace, provider and Ready reason ("+readyReasons+
		"; None: not reconciled yet; Deleting includes every Webhook being deleted). Sum it over replicas.",
	[]string{"namespace", "provider", "reason"}, nil)

// shareDesc is the part of the namespace space this replica owns: summed over the replicas it is
// 1 when every namespace has an owner.
var shareDesc = prometheus.NewDesc("hookkeeper_shard_share",
	"Part of the namespace hash space whose Webhooks this replica reconciles, from 0 to 1: 1 without sharding or leader election, "+
		"1 on the elected leader and 0 on a standby, its slots' share with sharding. Summed over replicas it is 1 when every namespace has an owner.",
	nil, nil)

// ShareReporter is a gate (Options.Shards) that can say what part of the namespace space it
// holds now, from 0 to 1 (internal/sharding.Gate).
type ShareReporter interface {
	Share() float64
}

// webhookCollector reads the Webhooks of the current manager's cache. Only one is registered
// per process; a restarted manager (as in tests) replaces the reader it uses.
type webhookCollector struct {
	index  atomic.Pointer[webhookIndex]
	names  atomic.Pointer[map[hooksv1alpha1.ProviderType]string]
	shards atomic.Pointer[shardsOf]
}

// shardsOf holds the replica's gate; a nil gate owns every namespace.
type shardsOf struct{ gate Shards }

var collector = func() *webhookCollector {
	c := &webhookCollector{}
	ctrlmetrics.Registry.MustRegister(c)
	return c
}()

func (c *webhookCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- webhooksDesc
	ch <- shareDesc
}

func (c *webhookCollector) Collect(ch chan<- prometheus.Metric) {
	index := c.index.Load()
	if index == nil {
		return
	}
	var gate Shards
	if s := c.shards.Load(); s != nil {
		gate = s.gate
	}
	share := 1.0
	if gate != nil {
		share = 0
		if r, ok := gate.(ShareReporter); ok {
			share = r.Share()
		}
	}
	ch <- prometheus.MustNewConstMetric(shareDesc, prometheus.GaugeValue, share)
	for k, n := range countWebhooks(index, gate, c.names.Load()) {
		ch <- prometheus.MustNewConstMetric(webhooksDesc, prometheus.GaugeValue, float64(n), k.namespace, k.provider, k.reason)
	}
}

// webhookKey is one series of hookkeeper_webhooks.
type webhookKey struct{ namespace, provider, reason string }

// countWebhooks counts the Webhooks of index that gate owns (all when gate is nil) by namespace,
// provider and reason. The gate is asked once per namespace.
func countWebhooks(index *webhookIndex, gate Shards, names *map[hooksv1alpha1.ProviderType]string) map[webhookKey]int {
	counts := map[webhookKey]int{}
	owned := map[string]bool{}
	index.each(func(wh *hooksv1alpha1.Webhook) {
		if gate != nil {
			own, asked := owned[wh.Namespace]
			if !asked {
				own = gate.Owns(wh.Namespace)
				owned[wh.Namespace] = own
			}
			if !own {
				return
			}
		}
		reason := readyReason(wh)
		switch {
		case !wh.DeletionTimestamp.IsZero():
			reason = hooksv1alpha1.ReasonDeleting
		case reason == "":
			reason = reasonNone
		}
		counts[webhookKey{wh.Namespace, providerLabel(names, wh), reason}]++
	})
	return counts
}

// metricsProvider is the provider label of wh's metrics: its descriptor's Name, the label the
// SaaS request metrics use too (webex, eightbyeight, autodesk, pageseeder).
func (r *WebhookReconciler) metricsProvider(wh *hooksv1alpha1.Webhook) string {
	return providerLabel(&r.Options.ProviderNames, wh)
}

func providerLabel(names *map[hooksv1alpha1.ProviderType]string, wh *hooksv1alpha1.Webhook) string {
	if names != nil {
		if name, ok := (*names)[wh.Spec.Provider]; ok {
			return name
		}
	}
	return "unknown"
}

// accountMetrics are the gauges of each ClusterAccount. Only a cluster administrator creates
// ClusterAccounts, so their number bounds the series; a tenant's Accounts get none.
var accountMetrics = func() *clusterAccountMetrics {
	m := &clusterAccountMetrics{
		ready: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hookkeeper_cluster_account_ready",
			Help: "1 when the ClusterAccount's credentials were accepted at its last check, else 0."}, []string{"cluster_account"}),
		webhooks: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hookkeeper_cluster_account_webhooks",
			Help: "Webhooks that name the ClusterAccount."}, []string{"cluster_account"}),
		limited: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hookkeeper_cluster_account_rate_limited_seconds",
			Help: "Seconds until the SaaS's Retry-After lets requests for the ClusterAccount through again (0: none)."}, []string{"cluster_account"}),
	}
	ctrlmetrics.Registry.MustRegister(m.ready, m.webhooks, m.limited)
	return m
}()

type clusterAccountMetrics struct {
	ready, webhooks, limited *prometheus.GaugeVec
}

func (m *clusterAccountMetrics) set(name string, ready bool, webhooks int, until *metav1.Time, now time.Time) {
	v := 0.0
	if ready {
		v = 1
	}
	m.ready.WithLabelValues(name).Set(v)
	m.webhooks.WithLabelValues(name).Set(float64(webhooks))
	limited := 0.0
	if until != nil && until.After(now) {
		limited = until.Sub(now).Seconds()
	}
	m.limited.WithLabelValues(name).Set(limited)
}

func (m *clusterAccountMetrics) remove(name string) {
	m.ready.DeleteLabelValues(name)
	m.webhooks.DeleteLabelValues(name)
	m.limited.DeleteLabelValues(name)
}
