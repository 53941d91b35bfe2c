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

	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	apsfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	e8fake "github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
)

// These specs check the account snapshot: every Webhook of an account is observed from one list
// of the account, and a snapshot that is out of date must never make the operator duplicate,
// overwrite or lose a remote webhook.
var _ = Describe("Account snapshots", func() {
	ctx := context.Background()

	It("cost a Ready Webhook no SaaS request of its own and no status write at a resync", func() {
		e := newMixedEnv(ctx)
		keys := map[hooksv1alpha1.ProviderType][]client.ObjectKey{}
		e.each(func(p hooksv1alpha1.ProviderType, _ account) { keys[p] = e.create(ctx, p, "quiet", 4) })
		Eventually(func(g Gomega) {
			e.each(func(p hooksv1alpha1.ProviderType, a account) { expectExactlyOne(g, ctx, a, keys[p]...) })
		}).Should(Succeed())

		versions := map[client.ObjectKey]string{}
		sent := map[hooksv1alpha1.ProviderType]int{}
		e.each(func(p hooksv1alpha1.ProviderType, a account) {
			sent[p] = a.requests()
			for _, k := range keys[p] {
				versions[k] = get(Default, ctx, k).ResourceVersion
			}
		})
		// Every Webhook resyncs at least once in this window (the period is jittered by 10%).
		time.Sleep(resyncPeriod * 23 / 20)
		e.each(func(p hooksv1alpha1.ProviderType, a account) {
			// One list of the account per resync period, perhaps two when the window straddles
			// a refresh, and a token: never one request per Webhook.
			Expect(a.requests()-sent[p]).To(BeNumerically("<=", 3), "%s: requests in one resync period for 4 Webhooks", p)
			for _, k := range keys[p] {
				Expect(get(Default, ctx, k).ResourceVersion).To(Equal(versions[k]), "%s: no write when nothing changed", k.Name)
			}
		})
	})

	It("let the operator write to the API server twice per created Webhook: its finalizer and its status", func() {
		e := newMixedEnv(ctx)
		keys := map[hooksv1alpha1.ProviderType][]client.ObjectKey{}
		e.each(func(p hooksv1alpha1.ProviderType, _ account) { keys[p] = e.create(ctx, p, "economy", 2) })
		Eventually(func(g Gomega) {
			e.each(func(p hooksv1alpha1.ProviderType, a account) { expectExactlyOne(g, ctx, a, keys[p]...) })
		}).Should(Succeed())
		for _, ks := range keys {
			for _, k := range ks {
				Expect(writesTo(k)).To(Equal(int32(2)), "%s: one finalizer patch and one status patch", k.Name)
			}
		}
	})

	DescribeTable("recreate a webhook deleted between the list and an update",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "vanishing")
			id := expectAvailable(ctx, key).Status.ID
			// The snapshot still holds the webhook when the spec changes right after.
			e.deleteRemote(id)
			patchWebhook(ctx, key, e.inPlace)
			Eventually(func(g Gomega) {
				expectExactlyOne(g, ctx, e.account, key)
				g.Expect(e.inPlaceDone(e.remotes()[0])).To(BeTrue(), "the new spec is applied")
			}).Should(Succeed())
		}, allProviders())

	It("take over, not duplicate, an 8x8 webhook someone else made between the list and the create", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderEightByEight)
		first := e.create(ctx, "first")
		expectAvailable(ctx, first)
		// The account was just listed. Someone now configures the key the next Webhook wants.
		acct := e.spec("x").EightByEight.AccountID
		e8.Seed(acct, e8fake.Hook{SubAccountID: "Sales", Type: "MSG", URL: "https://console.example.com/manual", Enabled: true})
		second := e.create(ctx, "second", func(wh *hooksv1alpha1.Webhook) { wh.Spec.EightByEight.SubAccountID = "Sales" })
		Eventually(func(g Gomega) {
			expectExactlyOne(g, ctx, e.account, first, second)
			h, ok := e8.Hook(acct, "Sales", "MSG")
			g.Expect(ok).To(BeTrue())
			g.Expect(h.URL).To(Equal("https://hooks.example.com/second"))
		}).Should(Succeed())
	})

	It("adopt, not duplicate, an APS hook someone else made between the list and the create", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderAutodesk)
		first := e.create(ctx, "first")
		expectAvailable(ctx, first)
		want := e.webhook("second").Spec.Autodesk
		aps.Seed(e.key, apsfake.Hook{System: want.System, Event: want.Event, CallbackURL: "https://hooks.example.com/second",
			Scope: want.Scope, Status: "active"})
		second := e.create(ctx, "second")
		Eventually(func(g Gomega) { expectExactlyOne(g, ctx, e.account, first, second) }).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(eventReasons(g, ctx, e.ns, "second")).To(ContainElement("Adopted"))
		}).Should(Succeed())
	})

	It("give Conflict, not a shared remote webhook, to two Webhooks that claim one 8x8 key at the same moment", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderEightByEight)
		a := e.webhook("twin-a")
		b := e.webhook("twin-b")
		b.Spec = a.Spec
		Expect(k8sClient.Create(ctx, a)).To(Succeed())
		Expect(k8sClient.Create(ctx, b)).To(Succeed())
		Eventually(func(g Gomega) {
			ra := ready(g, get(g, ctx, client.ObjectKeyFromObject(a))).Reason
			rb := ready(g, get(g, ctx, client.ObjectKeyFromObject(b))).Reason
			g.Expect([]string{ra, rb}).To(ConsistOf(hooksv1alpha1.ReasonAvailable, hooksv1alpha1.ReasonConflict))
		}).Should(Succeed())
		Expect(e.remotes()).To(HaveLen(1))
	})
})
