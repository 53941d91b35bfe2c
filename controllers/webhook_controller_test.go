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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// webexEnv is one spec's namespace with its own Webex user (token) and credentials Secret.
type webexEnv struct {
	ns, token string
}

func newWebexEnv(ctx context.Context) webexEnv {
	e := webexEnv{ns: newNamespace(ctx), token: "tok-" + rand.String(24)}
	wx.AddToken(e.token)
	e.putSecret(ctx, "webex-bot", map[string]string{"token": e.token})
	return e
}

// putSecret creates or replaces a Secret in the spec's namespace.
func (e webexEnv) putSecret(ctx context.Context, name string, data map[string]string) {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name}, StringData: data}
	err := k8sClient.Create(ctx, s)
	if apierrors.IsAlreadyExists(err) {
		cur := &corev1.Secret{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(s), cur)).To(Succeed())
		cur.Data = nil
		cur.StringData = data
		err = k8sClient.Update(ctx, cur)
	}
	Expect(err).NotTo(HaveOccurred())
}

func (e webexEnv) webhook(name string, mutate ...func(*hooksv1alpha1.Webhook)) *hooksv1alpha1.Webhook {
	wh := &hooksv1alpha1.Webhook{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name},
		Spec: hooksv1alpha1.WebhookSpec{
			Provider:       hooksv1alpha1.ProviderWebex,
			TargetURL:      "https://hooks.example.com/" + name,
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "webex-bot"},
			Webex:          &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"},
		},
	}
	for _, m := range mutate {
		m(wh)
	}
	return wh
}

func (e webexEnv) create(ctx context.Context, name string, mutate ...func(*hooksv1alpha1.Webhook)) client.ObjectKey {
	wh := e.webhook(name, mutate...)
	Expect(k8sClient.Create(ctx, wh)).To(Succeed())
	return client.ObjectKeyFromObject(wh)
}

func (e webexEnv) hooks() []webexfake.Hook { return wx.Hooks(e.token) }

// get reads a Webhook from the API server.
func get(g Gomega, ctx context.Context, key client.ObjectKey) *hooksv1alpha1.Webhook {
	wh := &hooksv1alpha1.Webhook{}
	g.Expect(k8sClient.Get(ctx, key, wh)).To(Succeed())
	return wh
}

// ready returns the Ready condition, asserting it is current for the Webhook's generation.
func ready(g Gomega, wh *hooksv1alpha1.Webhook) *metav1.Condition {
	c := meta.FindStatusCondition(wh.Status.Conditions, hooksv1alpha1.ConditionReady)
	g.Expect(c).NotTo(BeNil(), "no Ready condition yet")
	g.Expect(c.ObservedGeneration).To(Equal(wh.Generation), "Ready is not current")
	return c
}

// expectReason waits until Ready has the given status and reason, and returns the Webhook.
func expectReason(ctx context.Context, key client.ObjectKey, status metav1.ConditionStatus, reason string) *hooksv1alpha1.Webhook {
	var wh *hooksv1alpha1.Webhook
	Eventually(func(g Gomega) {
		wh = get(g, ctx, key)
		c := ready(g, wh)
		g.Expect(c.Reason).To(Equal(reason), c.Message)
		g.Expect(c.Status).To(Equal(status))
	}).Should(Succeed())
	return wh
}

func expectAvailable(ctx context.Context, key client.ObjectKey) *hooksv1alpha1.Webhook {
	return expectReason(ctx, key, metav1.ConditionTrue, hooksv1alpha1.ReasonAvailable)
}

// patchWebhook applies fn to the stored Webhook with a merge patch, as kubectl would.
func patchWebhook(ctx context.Context, key client.ObjectKey, fn func(*hooksv1alpha1.Webhook)) {
	Eventually(func(g Gomega) {
		wh := get(g, ctx, key)
		base := wh.DeepCopy()
		fn(wh)
		g.Expect(k8sClient.Patch(ctx, wh, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))).To(Succeed())
	}).Should(Succeed())
}

func expectGone(ctx context.Context, key client.ObjectKey) {
	Eventually(func() bool {
		return apierrors.IsNotFound(k8sClient.Get(ctx, key, &hooksv1alpha1.Webhook{}))
	}).Should(BeTrue(), "the Webhook should be deleted")
}

// eventsFor lists the reasons of the events recorded for a Webhook.
func eventReasons(g Gomega, ctx context.Context, ns, name string) []string {
	var list corev1.EventList
	g.Expect(k8sClient.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
	var reasons []string
	for _, ev := range list.Items {
		if ev.InvolvedObject.Name == name {
			reasons = append(reasons, ev.Reason)
		}
	}
	return reasons
}

var _ = Describe("Webex Webhook lifecycle", func() {
	var (
		ctx context.Context
		e   webexEnv
	)
	BeforeEach(func() {
		ctx = context.Background()
		e = newWebexEnv(ctx)
	})

	It("applies a rotated signing secret at once, without waiting for a resync", func() {
		e.putSecret(ctx, "webex-signing", map[string]string{"secret": "first-secret-value"})
		key := e.create(ctx, "signed", func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.Webex.SecretRef = &hooksv1alpha1.SecretKeySelector{Name: "webex-signing", Key: "secret"}
		})
		expectAvailable(ctx, key)
		Expect(e.hooks()).To(HaveLen(1))
		Expect(e.hooks()[0].Secret).To(Equal("first-secret-value"))

		rotated := time.Now()
		e.putSecret(ctx, "webex-signing", map[string]string{"secret": "second-secret-value"})
		Eventually(func(g Gomega) {
			g.Expect(e.hooks()).To(HaveLen(1))
			g.Expect(e.hooks()[0].Secret).To(Equal("second-secret-value"))
		}).WithTimeout(resyncPeriod / 2).Should(Succeed())
		Expect(time.Since(rotated)).To(BeNumerically("<", resyncPeriod/2))

		wh := expectAvailable(ctx, key)
		Expect(wh.Status.AppliedSecretHash).To(HavePrefix("hmac-sha256:"))
		Expect(wh.Status.AppliedSecretHash).NotTo(ContainSubstring("second-secret-value"))
	})

	It("treats a remote webhook already deleted as deleted", func() {
		key := e.create(ctx, "already-gone")
		id := expectAvailable(ctx, key).Status.ID
		wx.DeleteOutOfBand(id)

		Expect(k8sClient.Delete(ctx, e.webhook("already-gone"))).To(Succeed())
		expectGone(ctx, key)
		Expect(e.hooks()).To(BeEmpty())
	})

	It("makes no call to Webex while paused, and resumes when unpaused", func() {
		key := e.create(ctx, "paused", func(wh *hooksv1alpha1.Webhook) {
			wh.Annotations = map[string]string{hooksv1alpha1.AnnotationPaused: "true"}
		})
		expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonPaused)
		patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL = "https://hooks.example.com/still-paused" })
		Consistently(func() int { return wx.Requests(e.token) }).WithTimeout(2 * time.Second).Should(BeZero())

		patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) { delete(wh.Annotations, hooksv1alpha1.AnnotationPaused) })
		expectAvailable(ctx, key)
		Expect(e.hooks()).To(HaveLen(1))
	})

	It("syncs at once when reconcile-requested-at changes", func() {
		key := e.create(ctx, "poke")
		id := expectAvailable(ctx, key).Status.ID
		wx.DeleteOutOfBand(id)
		patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) {
			wh.Annotations = map[string]string{hooksv1alpha1.AnnotationReconcileRequestedAt: time.Now().Format(time.RFC3339Nano)}
		})
		Eventually(func(g Gomega) {
			g.Expect(e.hooks()).To(HaveLen(1))
		}).WithTimeout(resyncPeriod / 2).Should(Succeed())
	})

	It("deletes the remote webhook for enabled: false and creates it again for true", func() {
		key := e.create(ctx, "toggle")
		expectAvailable(ctx, key)
		patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) { wh.Spec.Enabled = ptr.To(false) })
		wh := expectReason(ctx, key, metav1.ConditionTrue, hooksv1alpha1.ReasonDisabled)
		Expect(wh.Status.ID).To(BeEmpty())
		Expect(e.hooks()).To(BeEmpty())

		patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) { wh.Spec.Enabled = ptr.To(true) })
		wh = expectAvailable(ctx, key)
		Expect(e.hooks()).To(HaveLen(1))
		Expect(e.hooks()[0].ID).To(Equal(wh.Status.ID))
	})

	It("gives up deleting after the deletion timeout when the credentials are gone", func() {
		key := e.create(ctx, "stranded")
		id := expectAvailable(ctx, key).Status.ID
		// A Secret deleted a moment ago is still known to the operator (see the namespace
		// deletion spec); one it never saw is not.
		patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) { wh.Spec.CredentialsRef.Name = "never-existed" })
		expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonCredentialsNotFound)
		Expect(k8sClient.Delete(ctx, e.webhook("stranded"))).To(Succeed())
		expectGone(ctx, key)
		Eventually(func(g Gomega) {
			var list corev1.EventList
			g.Expect(k8sClient.List(ctx, &list, client.InNamespace(e.ns))).To(Succeed())
			var notes []string
			for _, ev := range list.Items {
				if ev.Reason == "RemoteLeftBehind" {
					notes = append(notes, ev.Message)
				}
			}
			g.Expect(notes).To(ContainElement(ContainSubstring(id)))
		}).Should(Succeed())
	})

})
