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

package controllers_test

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// scrape gathers the operator's metrics registry, as the /metrics endpoint serves it, and
// returns the value of the series with the given labels (a histogram's sample count); 0 when
// there is none.
func scrape(name string, labels map[string]string) float64 {
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	var total float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m, labels) {
				switch {
				case m.Counter != nil:
					total += m.Counter.GetValue()
				case m.Gauge != nil:
					total += m.Gauge.GetValue()
				case m.Histogram != nil:
					total += float64(m.Histogram.GetSampleCount())
				}
			}
		}
	}
	return total
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == k && l.GetValue() == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

var _ = Describe("Metrics", func() {
	ctx := context.Background()

	It("count SaaS requests, their latency, Webhooks by reason, re-activations and rate-limit waits", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderWebex)
		webex := map[string]string{"provider": "webex"}
		creates := map[string]string{"provider": "webex", "operation": "create", "code": "200"}
		before := map[string]float64{
			"creates":   scrape("hookkeeper_saas_requests_total", creates),
			"latency":   scrape("hookkeeper_saas_request_duration_seconds", webex),
			"reactive":  scrape("hookkeeper_reactivations_total", webex),
			"saas429":   scrape("hookkeeper_rate_limit_waits_total", map[string]string{"provider": "webex", "source": "saas"}),
			"throttled": scrape("hookkeeper_saas_requests_total", map[string]string{"provider": "webex", "code": "429"}),
		}

		key := e.create(ctx, "measured")
		id := expectAvailable(ctx, key).Status.ID
		Expect(scrape("hookkeeper_saas_requests_total", creates)-before["creates"]).To(Equal(1.0), "one create request")
		Expect(scrape("hookkeeper_saas_request_duration_seconds", webex)).To(BeNumerically(">", before["latency"]))

		// The gauge counts what the cache holds, by namespace, provider and reason.
		Eventually(func(g Gomega) {
			var list hooksv1alpha1.WebhookList
			g.Expect(k8sClient.List(ctx, &list, client.InNamespace(e.ns))).To(Succeed())
			want := 0
			for _, wh := range list.Items {
				if wh.Spec.Provider == hooksv1alpha1.ProviderWebex && wh.DeletionTimestamp.IsZero() &&
					readyReasonOf(wh) == hooksv1alpha1.ReasonAvailable {
					want++
				}
			}
			g.Expect(scrape("hookkeeper_webhooks", map[string]string{"namespace": e.ns, "provider": "webex", "reason": hooksv1alpha1.ReasonAvailable})).
				To(Equal(float64(want)))
		}).Should(Succeed())

		wx.Disable(id)
		requestSync(ctx, key)
		expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonRemoteDisabled)
		expectAvailable(ctx, key)
		Expect(scrape("hookkeeper_reactivations_total", webex) - before["reactive"]).To(Equal(1.0))

		e.injectFault(simulator.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1", Times: 1})
		e.create(ctx, "throttled")
		Eventually(func() float64 {
			return scrape("hookkeeper_rate_limit_waits_total", map[string]string{"provider": "webex", "source": "saas"}) - before["saas429"]
		}).Should(BeNumerically(">=", 1))
		Expect(scrape("hookkeeper_saas_requests_total", map[string]string{"provider": "webex", "code": "429"}) - before["throttled"]).To(Equal(1.0))
	})
})

func readyReasonOf(wh hooksv1alpha1.Webhook) string {
	for _, c := range wh.Status.Conditions {
		if c.Type == hooksv1alpha1.ConditionReady && c.ObservedGeneration == wh.Generation {
			return c.Reason
		}
	}
	return ""
}

var _ = Describe("Events", func() {
	ctx := context.Background()

	It("record every remote mutation, and a Warning for a failure", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderWebex)
		key := e.create(ctx, "narrated", func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.Webex.SecretRef = &hooksv1alpha1.SecretKeySelector{Name: "creds", Key: "token"}
		})
		expectAvailable(ctx, key)
		patchWebhook(ctx, key, e.inPlace)
		Eventually(func(g Gomega) { g.Expect(e.inPlaceDone(e.remotes()[0])).To(BeTrue()) }).Should(Succeed())
		patchWebhook(ctx, key, e.replace)
		Eventually(func(g Gomega) {
			g.Expect(eventReasons(g, ctx, e.ns, "narrated")).To(ContainElement("Replaced"))
		}).Should(Succeed())
		expectAvailable(ctx, key)
		Expect(k8sClient.Delete(ctx, e.webhook("narrated"))).To(Succeed())
		expectGone(ctx, key)

		orphan := e.create(ctx, "left", func(wh *hooksv1alpha1.Webhook) { wh.Spec.DeletionPolicy = hooksv1alpha1.DeletionPolicyOrphan })
		expectAvailable(ctx, orphan)
		Expect(k8sClient.Delete(ctx, e.webhook("left"))).To(Succeed())
		expectGone(ctx, orphan)

		broken := e.create(ctx, "broken", func(wh *hooksv1alpha1.Webhook) { wh.Spec.CredentialsRef.Name = "missing" })
		expectReason(ctx, broken, metav1.ConditionFalse, hooksv1alpha1.ReasonCredentialsNotFound)

		Eventually(func(g Gomega) {
			g.Expect(eventReasons(g, ctx, e.ns, "narrated")).To(ContainElements("Created", "Updated", "Replaced", "Deleted"))
			g.Expect(eventReasons(g, ctx, e.ns, "left")).To(ContainElements("Created", "Orphaned"))
			g.Expect(eventReasons(g, ctx, e.ns, "broken")).To(ContainElement(hooksv1alpha1.ReasonCredentialsNotFound))
		}).Should(Succeed())
	})
})
