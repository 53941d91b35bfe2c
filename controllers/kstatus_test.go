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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// kstatusOf computes the kstatus of a Webhook as kubectl wait, Flux and cli-utils do: from the
// object's JSON alone.
func kstatusOf(g Gomega, wh *hooksv1alpha1.Webhook) *status.Result {
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(wh)
	g.Expect(err).NotTo(HaveOccurred())
	u := &unstructured.Unstructured{Object: obj}
	u.SetGroupVersionKind(hooksv1alpha1.GroupVersion.WithKind("Webhook"))
	res, err := status.Compute(u)
	g.Expect(err).NotTo(HaveOccurred())
	return res
}

// expectKstatus waits until the Webhook's Ready reason is reason for its current generation, and
// checks that Reconciling and Stalled agree with it and that kstatus computes want.
func expectKstatus(ctx context.Context, key client.ObjectKey, reason string, want status.Status) *hooksv1alpha1.Webhook {
	var wh *hooksv1alpha1.Webhook
	Eventually(func(g Gomega) {
		wh = get(g, ctx, key)
		c := ready(g, wh)
		g.Expect(c.Reason).To(Equal(reason), c.Message)
		expectFlags(g, wh)
		res := kstatusOf(g, wh)
		g.Expect(res.Status).To(Equal(want), res.Message)
		if want == status.FailedStatus {
			g.Expect(res.Message).To(Equal(c.Message), "kstatus shows the Stalled message")
		}
	}).Should(Succeed())
	return wh
}

// expectFlags checks the kstatus conditions against Ready: present, current, with Ready's reason,
// Stalled True only for the reasons a person must act on, Reconciling True for every other
// reason of a Ready that is not True, and the message only on the one that is True.
func expectFlags(g Gomega, wh *hooksv1alpha1.Webhook) {
	r := ready(g, wh)
	stalled := r.Status != metav1.ConditionTrue && hooksv1alpha1.StalledReason(r.Reason)
	reconciling := r.Status != metav1.ConditionTrue && !stalled
	for typ, on := range map[string]bool{hooksv1alpha1.ConditionStalled: stalled, hooksv1alpha1.ConditionReconciling: reconciling} {
		c := meta.FindStatusCondition(wh.Status.Conditions, typ)
		g.Expect(c).NotTo(BeNil(), "no %s condition", typ)
		g.Expect(c.ObservedGeneration).To(Equal(wh.Generation), typ)
		g.Expect(c.Reason).To(Equal(r.Reason), typ)
		if on {
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue), typ)
			g.Expect(c.Message).To(Equal(r.Message), typ)
		} else {
			g.Expect(c.Status).To(Equal(metav1.ConditionFalse), typ)
			g.Expect(c.Message).To(BeEmpty(), typ)
		}
	}
}

var _ = Describe("kstatus", func() {
	ctx := context.Background()

	It("never computes a Webhook as Current before the operator has reconciled its generation", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderWebex)
		// The object the Create call returns is the stored one, defaults applied, before any
		// reconcile: what Flux or kubectl wait sees first.
		wh := e.webhook("just-applied")
		Expect(k8sClient.Create(ctx, wh)).To(Succeed())
		Expect(wh.Generation).To(Equal(int64(1)))
		Expect(wh.Status.ObservedGeneration).To(Equal(int64(-1)), "the CRD defaults status.observedGeneration")
		Expect(wh.Status.Conditions).To(BeEmpty())
		res := kstatusOf(Default, wh)
		Expect(res.Status).To(Equal(status.InProgressStatus), res.Message)

		key := client.ObjectKeyFromObject(wh)
		expectKstatus(ctx, key, hooksv1alpha1.ReasonAvailable, status.CurrentStatus)

		// A spec change: the Patch call returns the new generation before the operator saw it.
		wh = get(Default, ctx, key)
		base := wh.DeepCopy()
		e.inPlace(wh)
		Expect(k8sClient.Patch(ctx, wh, client.MergeFrom(base))).To(Succeed())
		Expect(wh.Generation).To(Equal(int64(2)))
		res = kstatusOf(Default, wh)
		Expect(res.Status).To(Equal(status.InProgressStatus), res.Message)
		wh = expectKstatus(ctx, key, hooksv1alpha1.ReasonAvailable, status.CurrentStatus)
		Expect(wh.Status.ObservedGeneration).To(Equal(int64(2)))
	})

	It("is Current when Available or Disabled", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderWebex)
		expectKstatus(ctx, e.create(ctx, "available"), hooksv1alpha1.ReasonAvailable, status.CurrentStatus)
		off := e.create(ctx, "disabled", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Enabled = ptr.To(false) })
		expectKstatus(ctx, off, hooksv1alpha1.ReasonDisabled, status.CurrentStatus)
	})

	It("is InProgress while the SaaS has not verified the webhook (Creating)", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderPageSeeder)
		// Without a ping, PageSeeder keeps the new webhook pending.
		key := e.create(ctx, "never-pinged", func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.Ping = ptr.To(false) })
		wh := expectKstatus(ctx, key, hooksv1alpha1.ReasonCreating, status.InProgressStatus)
		Expect(wh.Status.State).To(Equal("pending"))
	})

	It("is InProgress while the SaaS's rate limit or outage is waited out, then Current", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderEightByEight)
		e.injectFault(simulator.Fault{Path: e.apiPath, Status: http.StatusTooManyRequests, RetryAfter: "3", Times: 1})
		limited := e.create(ctx, "limited")
		expectKstatus(ctx, limited, hooksv1alpha1.ReasonRateLimited, status.InProgressStatus)
		expectKstatus(ctx, limited, hooksv1alpha1.ReasonAvailable, status.CurrentStatus)

		e.injectFault(simulator.Fault{Path: e.apiPath, Status: http.StatusServiceUnavailable, Message: "maintenance"})
		down := e.create(ctx, "down", func(wh *hooksv1alpha1.Webhook) { wh.Spec.EightByEight.SubAccountID = "Sales" })
		expectKstatus(ctx, down, hooksv1alpha1.ReasonProviderUnavailable, status.InProgressStatus)
		e.sim.ClearFaults()
		Eventually(func(g Gomega) {
			g.Expect(kstatusOf(g, get(g, ctx, down)).Status).To(Equal(status.CurrentStatus))
		}).WithTimeout(resyncPeriod).Should(Succeed())
	})

	It("is InProgress while the SaaS keeps a webhook disabled (RemoteDisabled)", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderAutodesk)
		// APS re-activates it itself: the operator only waits, so the reason stays.
		key := e.create(ctx, "self-reactivating", func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.Autodesk.AutoReactivateHook = ptr.To(true)
		})
		id := expectKstatus(ctx, key, hooksv1alpha1.ReasonAvailable, status.CurrentStatus).Status.ID
		e.disableRemote(id)
		requestSync(ctx, key)
		expectKstatus(ctx, key, hooksv1alpha1.ReasonRemoteDisabled, status.InProgressStatus)
	})

	It("is Failed, with the Stalled message, when a person must act", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderEightByEight)
		missing := e.create(ctx, "missing", func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.CredentialsRef.Name = "later"
			wh.Spec.EightByEight.SubAccountID = "Missing"
		})
		expectKstatus(ctx, missing, hooksv1alpha1.ReasonCredentialsNotFound, status.FailedStatus)

		Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "bad"},
			StringData: e.badCreds})).To(Succeed())
		refused := e.create(ctx, "refused", func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.CredentialsRef.Name = "bad"
			wh.Spec.EightByEight.SubAccountID = "Refused"
		})
		expectKstatus(ctx, refused, hooksv1alpha1.ReasonUnauthorized, status.FailedStatus)

		first := e.create(ctx, "first")
		expectKstatus(ctx, first, hooksv1alpha1.ReasonAvailable, status.CurrentStatus)
		second := e.webhook("second")
		second.Spec = e.webhook("first").Spec
		Expect(k8sClient.Create(ctx, second)).To(Succeed())
		expectKstatus(ctx, client.ObjectKeyFromObject(second), hooksv1alpha1.ReasonConflict, status.FailedStatus)

		paused := e.create(ctx, "paused", func(wh *hooksv1alpha1.Webhook) {
			wh.Annotations = map[string]string{hooksv1alpha1.AnnotationPaused: "true"}
			wh.Spec.EightByEight.SubAccountID = "Paused"
		})
		expectKstatus(ctx, paused, hooksv1alpha1.ReasonPaused, status.FailedStatus)

		// Credentials come: the stalled Webhook moves on by itself, as the Secret watch promises.
		Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "later"},
			StringData: e.creds})).To(Succeed())
		expectKstatus(ctx, missing, hooksv1alpha1.ReasonAvailable, status.CurrentStatus)
	})

	It("is Failed for a spec the operator refuses (InvalidSpec)", func() {
		t := newTenant(ctx, map[string]string{"token": "tenant-token"})
		// 127.0.0.2 is outside the suite's --endpoint-allowlist: refused before any request.
		key := t.create(ctx, "outside", psSpec("http://127.0.0.2:1", 1, "outside"), nil)
		wh := expectKstatus(ctx, key, hooksv1alpha1.ReasonInvalidSpec, status.FailedStatus)
		Expect(ready(Default, wh).Message).To(ContainSubstring("--endpoint-allowlist"))
	})

	It("is Terminating, and Reconciling, while a deletion waits for credentials (Deleting)", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderWebex)
		key := e.create(ctx, "stuck")
		expectKstatus(ctx, key, hooksv1alpha1.ReasonAvailable, status.CurrentStatus)
		secret := &corev1.Secret{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: e.ns, Name: "creds"}, secret)).To(Succeed())
		secret.Data = nil
		secret.StringData = e.badCreds
		Expect(k8sClient.Update(ctx, secret)).To(Succeed())
		expectKstatus(ctx, key, hooksv1alpha1.ReasonUnauthorized, status.FailedStatus)
		Expect(k8sClient.Delete(ctx, e.webhook("stuck"))).To(Succeed())
		// The operator gives up after the suite's 4s deletion timeout: look at once and often.
		Eventually(func(g Gomega) {
			wh := get(g, ctx, key)
			c := ready(g, wh)
			g.Expect(c.Reason).To(Equal(hooksv1alpha1.ReasonDeleting))
			expectFlags(g, wh)
			g.Expect(kstatusOf(g, wh).Status).To(Equal(status.TerminatingStatus))
		}).WithTimeout(deletionTimeout).WithPolling(20 * time.Millisecond).Should(Succeed())
		expectGone(ctx, key)
	})
})

// Every Ready reason, as the operator writes it, maps to the documented kstatus. This covers the
// reasons that a live Webhook shows only for a moment (Updating, during a replacement).
var _ = DescribeTable("kstatus of each Ready reason as the operator writes it",
	func(st metav1.ConditionStatus, reason string, want status.Status) {
		wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "n", Generation: 3}}
		wh.Status.ObservedGeneration = -1
		wh.SetReady(st, reason, "because")
		Expect(wh.Status.ObservedGeneration).To(Equal(int64(3)))
		expectFlags(Default, wh)
		res := kstatusOf(Default, wh)
		Expect(res.Status).To(Equal(want), res.Message)
		// Setting the same again changes nothing: no status write at a quiet resync.
		again := wh.DeepCopy()
		again.SetReady(st, reason, "because")
		Expect(again.Status).To(Equal(wh.Status))
	},
	Entry(nil, metav1.ConditionTrue, hooksv1alpha1.ReasonAvailable, status.CurrentStatus),
	Entry(nil, metav1.ConditionTrue, hooksv1alpha1.ReasonDisabled, status.CurrentStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonCreating, status.InProgressStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonUpdating, status.InProgressStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonDeleting, status.InProgressStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonRemoteDisabled, status.InProgressStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonRateLimited, status.InProgressStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonProviderUnavailable, status.InProgressStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonInvalidSpec, status.FailedStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonCredentialsNotFound, status.FailedStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonUnauthorized, status.FailedStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonConflict, status.FailedStatus),
	Entry(nil, metav1.ConditionFalse, hooksv1alpha1.ReasonPaused, status.FailedStatus),
)
