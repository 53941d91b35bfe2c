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
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	psfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
)

// These specs attack ownership as a tenant would: with a server of its own that answers another
// tenant's ids, and with another spelling of an account that another namespace uses.

var _ = Describe("Ownership: a remote id belongs to one account", func() {
	ctx := context.Background()

	It("never uses an id on another account: a Webhook moved from the tenant's own PageSeeder server to the shared one leaves the victim's webhook alone", func() {
		a := accounts[hooksv1alpha1.ProviderPageSeeder]()
		victim := newTenant(ctx, a.creds)
		victimKey := victim.create(ctx, "victim-hook", a.spec("victim-hook"), nil)
		victimID := expectAvailable(ctx, victimKey).Status.ID
		victimClient := a.spec("x").PageSeeder.Client

		By("a server the tenant runs, which answers its create with the victim's id")
		evil := psfake.New()
		DeferCleanup(evil.Close)
		evil.SetPingResult(func(string) error { return nil })
		identifier, secret := rand.String(16), "secret-"+rand.String(24)
		evil.AddClient(identifier, secret, victimClient)
		// The tenant's credentials are valid on the shared server too, for an OAuth client of its own.
		ps.AddClient(identifier, secret, 1000+psClientIDs.Add(1))
		evil.Seed(victimClient, psfake.Hook{ID: psID(victimID) - 1, Name: "filler", URL: "https://evil.example/filler"})
		intruder := newTenant(ctx, map[string]string{"clientId": identifier, "clientSecret": secret})
		spec := psSpec(evil.URL(), victimClient, "intruder")
		intruderKey := intruder.create(ctx, "intruder", spec, nil)
		wh := expectAvailable(ctx, intruderKey)
		Expect(wh.Status.ID).To(Equal(victimID), "the set-up: the tenant's server answered the victim's id")
		Expect(wh.Status.RemoteAccount).To(ContainSubstring(strings.TrimPrefix(evil.URL(), "http://")))

		By("moving serverUrl to the shared server: the id is deleted on the server that gave it, never used on the shared one")
		patchWebhook(ctx, intruderKey, func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServerURL = ps.URL() })
		Eventually(func(g Gomega) {
			wh := get(g, ctx, intruderKey)
			c := ready(g, wh)
			g.Expect(c.Reason).To(Equal(hooksv1alpha1.ReasonAvailable))
			g.Expect(wh.Status.ID).NotTo(BeEmpty())
			g.Expect(wh.Status.ID).NotTo(Equal(victimID))
			g.Expect(wh.Status.RemoteAccount).To(ContainSubstring(strings.TrimPrefix(ps.URL(), "http://")))
		}).Should(Succeed())
		_, onEvil := evil.Hook(psID(victimID))
		Expect(onEvil).To(BeFalse(), "deletionPolicy Delete: the webhook on the previous account is deleted there")
		victimRemote := func(g Gomega) remoteHook {
			for _, r := range a.remotes() {
				if r.id == victimID {
					return r
				}
			}
			g.Expect(victimID).To(BeEmpty(), "the victim's remote webhook is gone")
			return remoteHook{}
		}
		Consistently(func(g Gomega) {
			g.Expect(victimRemote(g).target).To(Equal("https://hooks.example.com/victim-hook"))
			wh := get(g, ctx, victimKey)
			g.Expect(ready(g, wh).Reason).To(Equal(hooksv1alpha1.ReasonAvailable))
			g.Expect(wh.Status.ID).To(Equal(victimID))
		}, 3*time.Second, 200*time.Millisecond).Should(Succeed())

		By("deleting the tenant's Webhook: its own webhook goes, the victim's stays")
		own := get(Default, ctx, intruderKey).Status.ID
		Expect(k8sClient.Delete(ctx, &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: intruderKey.Namespace, Name: intruderKey.Name}})).To(Succeed())
		Eventually(func(g Gomega) {
			err := k8sClient.Get(ctx, intruderKey, &hooksv1alpha1.Webhook{})
			g.Expect(client.IgnoreNotFound(err)).To(Succeed())
			g.Expect(err).To(HaveOccurred())
		}).Should(Succeed())
		_, stillThere := ps.Hook(psID(own))
		Expect(stillThere).To(BeFalse(), "the tenant's own webhook on the shared server is deleted")
		Expect(victimRemote(Default).target).To(Equal("https://hooks.example.com/victim-hook"))
	})

	It("leaves the remote webhook on the previous account with deletionPolicy Orphan", func() {
		before := psfake.New()
		DeferCleanup(before.Close)
		before.SetPingResult(func(string) error { return nil })
		identifier, secret := rand.String(16), "secret-"+rand.String(24)
		client := 1000 + psClientIDs.Add(1)
		before.AddClient(identifier, secret, client)
		ps.AddClient(identifier, secret, client)
		t := newTenant(ctx, map[string]string{"clientId": identifier, "clientSecret": secret})
		spec := psSpec(before.URL(), client, "moving")
		spec.DeletionPolicy = hooksv1alpha1.DeletionPolicyOrphan
		key := t.create(ctx, "moving", spec, nil)
		oldID := expectAvailable(ctx, key).Status.ID

		patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServerURL = ps.URL() })
		Eventually(func(g Gomega) {
			wh := get(g, ctx, key)
			g.Expect(ready(g, wh).Reason).To(Equal(hooksv1alpha1.ReasonAvailable))
			g.Expect(wh.Status.RemoteAccount).To(ContainSubstring(strings.TrimPrefix(ps.URL(), "http://")))
		}).Should(Succeed())
		_, kept := before.Hook(psID(oldID))
		Expect(kept).To(BeTrue(), "deletionPolicy Orphan: the webhook on the previous server stays")
		Eventually(func(g Gomega) []string {
			return eventReasons(g, ctx, key.Namespace, key.Name)
		}).Should(ContainElement("Orphaned"))
		Expect(ps.Hooks(client)).To(HaveLen(1), "one webhook of its own on the new server")
	})

	It("takes every spelling of an 8x8 account for one account: a second namespace gets Conflict, and the URL never flips", func() {
		a := accounts[hooksv1alpha1.ProviderEightByEight]()
		first := newTenant(ctx, a.creds)
		firstKey := first.create(ctx, "first", a.spec("first"), nil)
		id := expectAvailable(ctx, firstKey).Status.ID

		acct := a.spec("x").EightByEight.AccountID
		dashed := strings.ToUpper(acct[0:8] + "-" + acct[8:12] + "-" + acct[12:16] + "-" + acct[16:20] + "-" + acct[20:])
		second := newTenant(ctx, a.creds)
		spec := a.spec("second")
		spec.EightByEight.AccountID = dashed
		secondKey := second.create(ctx, "second", spec, nil)
		wh := expectReason(ctx, secondKey, metav1.ConditionFalse, hooksv1alpha1.ReasonConflict)
		Expect(wh.Status.ID).To(BeEmpty())
		Expect(ready(Default, wh).Message).To(ContainSubstring("a Webhook in another namespace"))
		Expect(ready(Default, wh).Message).NotTo(ContainSubstring(first.ns))

		By("the first's id in another spelling, named by the external-id annotation: Conflict, and deleting it leaves the webhook")
		account, rest, _ := strings.Cut(id, "/")
		spelled := strings.ToUpper(account[0:8]+"-"+account[8:12]+"-"+account[12:16]+"-"+account[16:20]+"-"+account[20:]) + "/" + rest
		grabSpec := a.spec("grab")
		grabSpec.EightByEight.AccountID = dashed
		mutations := func() (n int) {
			for _, m := range e8.Log.List() {
				if m.Remote == id {
					n++
				}
			}
			return n
		}
		before := mutations()
		grab := second.create(ctx, "grab", grabSpec, map[string]string{hooksv1alpha1.AnnotationExternalID: spelled})
		wh = expectReason(ctx, grab, metav1.ConditionFalse, hooksv1alpha1.ReasonConflict)
		Expect(wh.Status.ID).To(BeEmpty())
		Expect(eventReasons(Default, ctx, grab.Namespace, grab.Name)).NotTo(ContainElement("Adopted"))
		Expect(k8sClient.Delete(ctx, &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: grab.Namespace, Name: grab.Name}})).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, grab, &hooksv1alpha1.Webhook{}))
		}).Should(BeTrue())
		Expect(mutations()).To(Equal(before), "no update or delete of the first Webhook's remote webhook")

		By("a resync of both: the first keeps its webhook and its URL")
		for _, key := range []client.ObjectKey{firstKey, secondKey} {
			patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) {
				if wh.Annotations == nil {
					wh.Annotations = map[string]string{}
				}
				wh.Annotations[hooksv1alpha1.AnnotationReconcileRequestedAt] = rand.String(8)
			})
		}
		Consistently(func(g Gomega) {
			remotes := a.remotes()
			g.Expect(remotes).To(HaveLen(1))
			g.Expect(remotes[0].target).To(Equal("https://hooks.example.com/first"))
			g.Expect(get(g, ctx, firstKey).Status.ID).To(Equal(id))
		}, 3*time.Second, 200*time.Millisecond).Should(Succeed())
		pauseAndDelete(ctx, secondKey)
	})
})
