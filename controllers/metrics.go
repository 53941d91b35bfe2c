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
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// webhooksDesc is the gauge of Webhooks by provider and Ready reason, computed from the
// informer cache when the metrics are scraped: it is never out of date and costs nothing between
// scrapes.
var webhooksDesc = prometheus.NewDesc("hookkeeper_webhooks",
	"Webhooks by provider and Ready reason (None: not reconciled yet; Deleting includes Webhooks being deleted).",
	[]string{"provider", "reason"}, nil)

// webhookCollector reads the Webhooks of the current manager's cache. Only one is registered
// per process; a restarted manager (as in tests) replaces the reader it uses.
type webhookCollector struct {
	index atomic.Pointer[webhookIndex]
	names atomic.Pointer[map[hooksv1alpha1.ProviderType]string]
}

var collector = func() *webhookCollector {
	c := &webhookCollector{}
	ctrlmetrics.Registry.MustRegister(c)
	return c
}()

func (c *webhookCollector) Describe(ch chan<- *prometheus.Desc) { ch <- webhooksDesc }

func (c *webhookCollector) Collect(ch chan<- prometheus.Metric) {
	index := c.index.Load()
	if index == nil {
		return
	}
	type key struct{ provider, reason string }
	counts := map[key]int{}
	names := c.names.Load()
	index.each(func(wh *hooksv1alpha1.Webhook) {
		reason := readyReason(wh)
		switch {
		case !wh.DeletionTimestamp.IsZero():
			reason = hooksv1alpha1.ReasonDeleting
		case reason == "":
			reason = "None"
		}
		counts[key{providerLabel(names, wh), reason}]++
	})
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(webhooksDesc, prometheus.GaugeValue, float64(n), k.provider, k.reason)
	}
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
