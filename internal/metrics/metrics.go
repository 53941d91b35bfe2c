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

// Package metrics holds hookkeeper's own Prometheus metrics, served on the manager's metrics
// endpoint beside controller-runtime's: the requests sent to each SaaS and their latency, the
// re-activations, the rate-limit waits and the Events not written. The Webhooks-by-reason gauge lives with the
// controller, which owns the cache it is computed from.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/hookkeeper/hookkeeper/providers"
)

// operations lists the values of the operation label, as operationOf and Provider name them.
const operations = "list, get, create, update, delete: the operator's calls; token: a request to an OAuth token endpoint; " +
	providers.OperationPing + ": a request the SaaS requires to verify a receiver, such as PageSeeder's ping; other: any other request"

var (
	// SaaSRequests counts the HTTP requests sent to each SaaS, by operation and status code
	// ("error" when no answer came).
	SaaSRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hookkeeper_saas_requests_total",
		Help: "HTTP requests sent to a SaaS, by provider, operation (" + operations + ") and code (the answer's HTTP status code, such as 200, 404, 429 or 503; error when there was no answer).",
	}, []string{"provider", "operation", "code"})

	// SaaSLatency is the time each SaaS took to answer.
	SaaSLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hookkeeper_saas_request_duration_seconds",
		Help:    "Time a SaaS took to answer one HTTP request, by provider and operation (" + operations + ").",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"provider", "operation"})

	// Reactivations counts the webhooks the operator re-activated after the SaaS disabled them.
	Reactivations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hookkeeper_reactivations_total",
		Help: "Remote webhooks the operator re-activated after the SaaS disabled them, by provider.",
	}, []string{"provider"})

	// RateLimitWaits counts the times a Webhook was held back by a rate limit: a 429 from the
	// SaaS (source saas), the operator's own per-credential rate (source client), or the gate
	// that either of them closed for every Webhook of the credential (source gate).
	RateLimitWaits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hookkeeper_rate_limit_waits_total",
		Help: "Times a Webhook waited for a rate limit, by provider and source (saas: a 429; client: the operator's own --provider-qps; gate: held by a limit another Webhook of the same credential hit).",
	}, []string{"provider", "source"})
	// EventsDropped counts the Kubernetes Events the operator did not write: its queue was full
	// (the API server slower than the operator's events), held its share of one namespace's
	// Events already, or the API server refused or kept failing them.
	EventsDropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hookkeeper_events_dropped_total",
		Help: "Kubernetes Events not written, by cause (queue_full, namespace_share, rejected, failed).",
	}, []string{"cause"})
)

func init() {
	ctrlmetrics.Registry.MustRegister(SaaSRequests, SaaSLatency, Reactivations, RateLimitWaits, EventsDropped)
}

// operationOf names a request's operation: the one its context carries, "token" for a request
// to an OAuth token endpoint, "other" when nothing says.
func operationOf(r *http.Request) string {
	if strings.Contains(r.URL.Path, "/token") {
		return "token"
	}
	if op := providers.OperationOf(r.Context()); op != "" {
		return op
	}
	return "other"
}

// Transport counts and times every request of provider that goes through base
// (http.DefaultTransport when nil).
func Transport(base http.RoundTripper, provider string) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, provider: provider}
}

type transport struct {
	base     http.RoundTripper
	provider string
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	op := operationOf(r)
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	SaaSLatency.WithLabelValues(t.provider, op).Observe(time.Since(start).Seconds())
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	SaaSRequests.WithLabelValues(t.provider, op, code).Inc()
	return resp, err
}

// Provider labels the requests of every call to p with the operation, so that Transport can
// tell a list from a create.
func Provider(p providers.Provider) providers.Provider { return instrumented{p} }

type instrumented struct{ providers.Provider }

func (i instrumented) Get(ctx context.Context, req *providers.Request, id string) (*providers.Remote, error) {
	return i.Provider.Get(providers.WithOperation(ctx, "get"), req, id)
}

func (i instrumented) List(ctx context.Context, req *providers.Request) ([]*providers.Remote, error) {
	return i.Provider.List(providers.WithOperation(ctx, "list"), req)
}

func (i instrumented) Create(ctx context.Context, req *providers.Request) (*providers.Remote, error) {
	return i.Provider.Create(providers.WithOperation(ctx, "create"), req)
}

func (i instrumented) Update(ctx context.Context, req *providers.Request, r *providers.Remote) (*providers.Remote, error) {
	return i.Provider.Update(providers.WithOperation(ctx, "update"), req, r)
}

func (i instrumented) Delete(ctx context.Context, req *providers.Request, id string) error {
	return i.Provider.Delete(providers.WithOperation(ctx, "delete"), req, id)
}
