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
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// withinSeconds is how soon a grant, a revoke or a rotation must reach the Webhooks: well under the
// suite's resync period, so that only the watches can explain it.
const withinSeconds = 8 * time.Second

// platform is a platform team's ClusterAccount on a Webex bot, its Secret in the operator's
// namespace.
type platform struct {
	name, secret, token string
}

func newWebexPlatform(ctx context.Context, mutate func(*hooksv1alpha1.ClusterAccountSpec)) platform {
	p := platform{name: "corp-webex-" + rand.String(6), secret: "webex-bot-" + rand.String(6), token: "bot-" + rand.String(24)}
	wx.AddToken(p.token)
	Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: p.secret},
		StringData: map[string]string{"token": p.token}})).To(Succeed())
	ca := &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: p.name}, Spec: hooksv1alpha1.ClusterAccountSpec{
		CredentialsRef:  hooksv1alpha1.SecretReference{Name: p.secret, Namespace: operatorNamespace},
		AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex},
	}}
	if mutate != nil {
		mutate(&ca.Spec)
	}
	Expect(k8sClient.Create(ctx, ca)).To(Succeed())
	DeferCleanup(func(ctx context.Context) { _ = k8sClient.Delete(ctx, ca) })
	return p
}

// onAccount creates a Webex Webhook on the named account.
func onAccount(ctx context.Context, ns, name string, ref hooksv1alpha1.AccountReference, mutate ...func(*hooksv1alpha1.Webhook)) client.ObjectKey {
	wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: hooksv1alpha1.WebhookSpec{
		Provider: hooksv1alpha1.ProviderWebex, TargetURL: "https://hooks.example.com/" + name, AccountRef: &ref,
		Webex: &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}}}
	for _, m := range mutate {
		m(wh)
	}
	Expect(k8sClient.Create(ctx, wh)).To(Succeed())
	return client.ObjectKeyFromObject(wh)
}

func clusterRef(name string) hooksv1alpha1.AccountReference {
	return hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: name}
}

func labelNamespace(ctx context.Context, ns string, labels map[string]string) {
	n := &corev1.Namespace{}
	Expect(k8sClient.Get(ctx, client.ObjectKey{Name: ns}, n)).To(Succeed())
	base := n.DeepCopy()
	n.Labels = labels
	Expect(k8sClient.Patch(ctx, n, client.MergeFrom(base))).To(Succeed())
}

// expectReasonWithin is expectReason with a deadline of its own.
func expectReasonWithin(ctx context.Context, within time.Duration, key client.ObjectKey, status metav1.ConditionStatus, reason string) *hooksv1alpha1.Webhook {
	var wh *hooksv1alpha1.Webhook
	Eventually(func(g Gomega) {
		wh = get(g, ctx, key)
		c := ready(g, wh)
		g.Expect(c.Reason).To(Equal(reason), c.Message)
		g.Expect(c.Status).To(Equal(status))
	}).WithTimeout(within).Should(Succeed())
	return wh
}

var _ = Describe("Accounts", func() {
	It("serves the namespaces a ClusterAccount permits, refuses the others without a request to the SaaS, and follows grants and revokes within seconds", func(ctx context.Context) {
		label := "webex-" + rand.String(6)
		p := newWebexPlatform(ctx, func(s *hooksv1alpha1.ClusterAccountSpec) {
			s.Conditions = []hooksv1alpha1.AccountCondition{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{label: "allowed"}}}}
		})
		permitted, refused := newNamespace(ctx), newNamespace(ctx)
		labelNamespace(ctx, permitted, map[string]string{label: "allowed"})

		By("a namespace that no condition matches: AccountNotPermitted, Stalled, and no request sent")
		// The account's own check (one list) comes first; after it, nothing for the refused Webhook.
		Eventually(func(g Gomega) {
			ca := &hooksv1alpha1.ClusterAccount{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: p.name}, ca)).To(Succeed())
			g.Expect(apimeta.IsStatusConditionTrue(ca.Status.Conditions, hooksv1alpha1.ConditionReady)).To(BeTrue())
		}).Should(Succeed())
		wx.ResetCounts()
		outKey := onAccount(ctx, refused, "outsider", clusterRef(p.name))
		wh := expectReason(ctx, outKey, metav1.ConditionFalse, hooksv1alpha1.ReasonAccountNotPermitted)
		msg := ready(Default, wh).Message
		Expect(msg).To(ContainSubstring(p.name))
		Expect(msg).To(ContainSubstring("spec.conditions"))
		Expect(msg).NotTo(ContainSubstring(permitted))
		Expect(apimeta.IsStatusConditionTrue(wh.Status.Conditions, hooksv1alpha1.ConditionStalled)).To(BeTrue())
		Consistently(func() int { return wx.Requests(p.token) }).WithTimeout(time.Second).Should(BeZero())

		By("a permitted namespace: the account's credentials make its webhook")
		inKey := onAccount(ctx, permitted, "insider", clusterRef(p.name))
		expectAvailable(ctx, inKey)
		Expect(wx.Hooks(p.token)).To(HaveLen(1))
		Expect(wx.Hooks(p.token)[0].Name).To(Equal(permitted + "/insider"))

		By("a grant: the label on the refused namespace lets its Webhook through within seconds")
		labelNamespace(ctx, refused, map[string]string{label: "allowed"})
		expectReasonWithin(ctx, withinSeconds, outKey, metav1.ConditionTrue, hooksv1alpha1.ReasonAvailable)
		Expect(wx.Hooks(p.token)).To(HaveLen(2))

		By("a revoke: the label removed, the Webhook is refused again within seconds")
		labelNamespace(ctx, refused, nil)
		expectReasonWithin(ctx, withinSeconds, outKey, metav1.ConditionFalse, hooksv1alpha1.ReasonAccountNotPermitted)

		By("deleting a Webhook that is no longer permitted still deletes the remote webhook it made")
		Expect(k8sClient.Delete(ctx, get(Default, ctx, outKey))).To(Succeed())
		Eventually(func() error { return k8sClient.Get(ctx, outKey, &hooksv1alpha1.Webhook{}) }).Should(Satisfy(apierrors.IsNotFound))
		Expect(wx.Hooks(p.token)).To(HaveLen(1))
		Expect(wx.Hooks(p.token)[0].Name).To(Equal(permitted + "/insider"))

		By("a change of the ClusterAccount's conditions reaches its Webhooks within seconds")
		ca := &hooksv1alpha1.ClusterAccount{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: p.name}, ca)).To(Succeed())
		base := ca.DeepCopy()
		ca.Spec.Conditions = []hooksv1alpha1.AccountCondition{{Namespaces: []string{"someone-else"}}}
		Expect(k8sClient.Patch(ctx, ca, client.MergeFrom(base))).To(Succeed())
		expectReasonWithin(ctx, withinSeconds, inKey, metav1.ConditionFalse, hooksv1alpha1.ReasonAccountNotPermitted)
		Expect(ready(Default, get(Default, ctx, inKey)).Message).NotTo(ContainSubstring("someone-else"))
	})

	It("keeps deliveries within allowedTargets, refuses adoption on a ClusterAccount, and admits the oldest Webhooks up to the namespace's limit", func(ctx context.Context) {
		ns := newNamespace(ctx)
		p := newWebexPlatform(ctx, func(s *hooksv1alpha1.ClusterAccountSpec) {
			s.Conditions = []hooksv1alpha1.AccountCondition{{Namespaces: []string{ns}}}
			s.AllowedTargets = []string{"https://*.allowed.example/hooks"}
			s.Limits = &hooksv1alpha1.AccountLimits{WebhooksPerNamespace: ptr.To[int32](1)}
		})
		target := func(u string) func(*hooksv1alpha1.Webhook) {
			return func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL = u }
		}
		first := onAccount(ctx, ns, "first", clusterRef(p.name), target("https://team.allowed.example/hooks/first"))
		expectAvailable(ctx, first)

		By("the second Webhook of the namespace is past the limit of one")
		second := onAccount(ctx, ns, "second", clusterRef(p.name), target("https://team.allowed.example/hooks/second"))
		wh := expectReason(ctx, second, metav1.ConditionFalse, hooksv1alpha1.ReasonAccountLimitReached)
		Expect(ready(Default, wh).Message).To(ContainSubstring("webhooksPerNamespace"))

		By("once the first goes, the second is admitted within seconds")
		Expect(k8sClient.Delete(ctx, get(Default, ctx, first))).To(Succeed())
		expectReasonWithin(ctx, withinSeconds, second, metav1.ConditionTrue, hooksv1alpha1.ReasonAvailable)

		By("a target outside allowedTargets, however it is spelled, is refused before any limit")
		for i, u := range []string{
			"https://allowed.example/hooks/apex",              // the apex is not below *.allowed.example
			"https://team.allowed.example.evil.example/hooks", // another host that starts the same
			"https://team.allowed.example/hooksmith",          // the prefix ends at a "/"
			"https://team.allowed.example/hooks/../admin",     // a dot segment
			"http://team.allowed.example/hooks/plain",         // another scheme
		} {
			key := onAccount(ctx, ns, "outside-"+string(rune('a'+i)), clusterRef(p.name), target(u))
			wh := expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonTargetNotPermitted)
			Expect(ready(Default, wh).Message).To(ContainSubstring("allowedTargets"))
		}
		Expect(wx.Hooks(p.token)).To(HaveLen(1))

		By("the external-id annotation on a ClusterAccount that does not allow adoption")
		seeded := wx.Seed(p.token, webexfake.Hook{Name: "made by hand", TargetURL: "https://team.allowed.example/hooks/manual",
			Resource: "messages", Event: "created", Status: "active"})
		adopter := onAccount(ctx, newNamespaceOf(ctx, p), "adopter", clusterRef(p.name), target("https://team.allowed.example/hooks/manual"),
			func(wh *hooksv1alpha1.Webhook) {
				wh.Annotations = map[string]string{hooksv1alpha1.AnnotationExternalID: seeded.ID}
			})
		wh = expectReason(ctx, adopter, metav1.ConditionFalse, hooksv1alpha1.ReasonAccountNotPermitted)
		Expect(ready(Default, wh).Message).To(ContainSubstring("allowAdoption"))
		h, ok := wx.Hook(seeded.ID)
		Expect(ok).To(BeTrue())
		Expect(h.TargetURL).To(Equal("https://team.allowed.example/hooks/manual"))
	})

	It("says AccountNotFound until the Account exists, fills the Webhook from it, and refuses a different account-level value by naming both fields", func(ctx context.Context) {
		ns := newNamespace(ctx)
		key, acctID := "key-"+rand.String(24), hexOnly(rand.String(32))
		e8.AddKey(key, acctID)
		Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "team-8x8"},
			StringData: map[string]string{"apiKey": key}})).To(Succeed())
		spec := func(name string) func(*hooksv1alpha1.Webhook) {
			return func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.Provider, wh.Spec.Webex = hooksv1alpha1.ProviderEightByEight, nil
				wh.Spec.EightByEight = &hooksv1alpha1.EightByEightSpec{SubAccountID: name, Type: "MSG"}
			}
		}
		ref := hooksv1alpha1.AccountReference{Name: "team-8x8"}
		whKey := onAccount(ctx, ns, "sales", ref, spec("Sales"))
		wh := expectReason(ctx, whKey, metav1.ConditionFalse, hooksv1alpha1.ReasonAccountNotFound)
		Expect(ready(Default, wh).Message).To(ContainSubstring(`Account "team-8x8"`))

		By("the Account appears: the Webhook is made on its 8x8 account, within seconds")
		dashed := acctID[:8] + "-" + acctID[8:12] + "-" + acctID[12:16] + "-" + acctID[16:20] + "-" + acctID[20:]
		Expect(k8sClient.Create(ctx, &hooksv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "team-8x8"},
			Spec: hooksv1alpha1.AccountSpec{CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "team-8x8"},
				AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderEightByEight,
					EightByEight: &hooksv1alpha1.EightByEightAccount{AccountID: strings.ToUpper(dashed)}}}})).To(Succeed())
		expectReasonWithin(ctx, withinSeconds, whKey, metav1.ConditionTrue, hooksv1alpha1.ReasonAvailable)
		Expect(e8.Hooks(acctID)).To(ContainElement(HaveField("SubAccountID", "Sales")))

		By("the same accountId in another spelling is the same value; another account is InvalidSpec naming both")
		same := onAccount(ctx, ns, "support", ref, spec("Support"), func(wh *hooksv1alpha1.Webhook) { wh.Spec.EightByEight.AccountID = dashed })
		expectAvailable(ctx, same)
		other := onAccount(ctx, ns, "elsewhere", ref, spec("Elsewhere"), func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.EightByEight.AccountID = hexOnly(rand.String(32))
		})
		wh = expectReason(ctx, other, metav1.ConditionFalse, hooksv1alpha1.ReasonInvalidSpec)
		Expect(ready(Default, wh).Message).To(And(ContainSubstring("spec.eightByEight.accountId"), ContainSubstring(`Account "team-8x8"`)))
		Expect(e8.Hooks(acctID)).NotTo(ContainElement(HaveField("SubAccountID", "Elsewhere")))

		By("two namespaces on one 8x8 ClusterAccount: the second Webhook with the same key is a Conflict and changes nothing")
		secret := "e8-shared-" + rand.String(6)
		Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: secret},
			StringData: map[string]string{"apiKey": key}})).To(Succeed())
		nsA, nsB := newNamespace(ctx), newNamespace(ctx)
		ca := &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: "shared-8x8-" + rand.String(6)}, Spec: hooksv1alpha1.ClusterAccountSpec{
			CredentialsRef: hooksv1alpha1.SecretReference{Name: secret, Namespace: operatorNamespace},
			Conditions:     []hooksv1alpha1.AccountCondition{{Namespaces: []string{nsA, nsB}}},
			AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderEightByEight,
				EightByEight: &hooksv1alpha1.EightByEightAccount{AccountID: acctID}}}}
		Expect(k8sClient.Create(ctx, ca)).To(Succeed())
		DeferCleanup(func(ctx context.Context) { _ = k8sClient.Delete(ctx, ca) })
		aKey := onAccount(ctx, nsA, "ops", clusterRef(ca.Name), spec("Ops"))
		expectAvailable(ctx, aKey)
		bKey := onAccount(ctx, nsB, "ops", clusterRef(ca.Name), spec("Ops"), func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.TargetURL = "https://intruder.example.com/steal"
		})
		wh = expectReason(ctx, bKey, metav1.ConditionFalse, hooksv1alpha1.ReasonConflict)
		Expect(ready(Default, wh).Message).NotTo(ContainSubstring(nsA))
		Expect(e8.Hooks(acctID)).To(ContainElement(And(HaveField("SubAccountID", "Ops"), HaveField("URL", "https://hooks.example.com/ops"))))
		Expect(e8.Hooks(acctID)).NotTo(ContainElement(HaveField("URL", "https://intruder.example.com/steal")))
		Expect(k8sClient.Delete(ctx, get(Default, ctx, bKey))).To(Succeed())
		Eventually(func() error { return k8sClient.Get(ctx, bKey, &hooksv1alpha1.Webhook{}) }).Should(Satisfy(apierrors.IsNotFound))
		Expect(e8.Hooks(acctID)).To(ContainElement(HaveField("SubAccountID", "Ops")), "deleting the conflicting Webhook deleted the owner's webhook")

		By("the API server selects Webhooks by status.id, as a sharded replica's owner check asks it")
		owner := get(Default, ctx, aKey)
		var byID hooksv1alpha1.WebhookList
		Expect(k8sClient.List(ctx, &byID, client.MatchingFields{"status.id": owner.Status.ID})).To(Succeed())
		Expect(byID.Items).To(ConsistOf(HaveField("ObjectMeta.UID", owner.UID)))
	})

	It("applies a change of the account's Secret at once to every Webhook on it, in every namespace", func(ctx context.Context) {
		nsA, nsB := newNamespace(ctx), newNamespace(ctx)
		p := newWebexPlatform(ctx, func(s *hooksv1alpha1.ClusterAccountSpec) {
			s.Conditions = []hooksv1alpha1.AccountCondition{{Namespaces: []string{nsA, nsB}}}
		})
		aKey := onAccount(ctx, nsA, "a", clusterRef(p.name))
		bKey := onAccount(ctx, nsB, "b", clusterRef(p.name))
		expectAvailable(ctx, aKey)
		expectAvailable(ctx, bKey)
		setToken := func(token string) {
			s := &corev1.Secret{}
			Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: p.secret}, s)).To(Succeed())
			s.Data = map[string][]byte{"token": []byte(token)}
			Expect(k8sClient.Update(ctx, s)).To(Succeed())
		}
		By("a revoked token in the Secret: both Webhooks say Unauthorized within seconds")
		setToken("revoked-" + rand.String(24))
		expectReasonWithin(ctx, withinSeconds, aKey, metav1.ConditionFalse, hooksv1alpha1.ReasonUnauthorized)
		expectReasonWithin(ctx, withinSeconds, bKey, metav1.ConditionFalse, hooksv1alpha1.ReasonUnauthorized)
		By("the good token back: both are Available again within seconds, on the same remote webhooks")
		setToken(p.token)
		expectReasonWithin(ctx, withinSeconds, aKey, metav1.ConditionTrue, hooksv1alpha1.ReasonAvailable)
		expectReasonWithin(ctx, withinSeconds, bKey, metav1.ConditionTrue, hooksv1alpha1.ReasonAvailable)
		Expect(wx.Hooks(p.token)).To(HaveLen(2))
	})
})

var _ = Describe("Accounts: migration", func() {
	It("moves a Webhook from credentialsRef to a ClusterAccount on the same SaaS account without a new remote webhook", func(ctx context.Context) {
		ns := newNamespace(ctx)
		p := newWebexPlatform(ctx, func(s *hooksv1alpha1.ClusterAccountSpec) {
			s.Conditions = []hooksv1alpha1.AccountCondition{{Namespaces: []string{ns}}}
		})
		// The team's own copy of the bot's token, as before the platform team offered the account.
		Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bot"},
			StringData: map[string]string{"token": p.token}})).To(Succeed())
		key := onAccount(ctx, ns, "moving", clusterRef(p.name), func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.AccountRef = nil
			wh.Spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: "bot"}
		})
		before := expectAvailable(ctx, key)
		Expect(wx.Hooks(p.token)).To(HaveLen(1))
		patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.CredentialsRef = nil
			wh.Spec.AccountRef = &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: p.name}
		})
		Eventually(func(g Gomega) {
			wh := get(g, ctx, key)
			g.Expect(ready(g, wh).Reason).To(Equal(hooksv1alpha1.ReasonAvailable))
			g.Expect(wh.Status.ID).To(Equal(before.Status.ID))
		}).Should(Succeed())
		Expect(wx.Hooks(p.token)).To(HaveLen(1), "the move made another remote webhook")
		Expect(wx.Hooks(p.token)[0].ID).To(Equal(before.Status.ID))
	})
})

var _ = Describe("Accounts: egress", func() {
	It("applies the endpoint allowlist to an account's endpoints as to a Webhook's: no connection, from the Webhook or the account's check", func(ctx context.Context) {
		// 127.0.0.2 is loopback too, but the suite allows 127.0.0.1/32 only.
		internal := listen("127.0.0.2:0")
		url := serve(internal, func(w http.ResponseWriter, _ *http.Request) { _, _ = fmt.Fprint(w, `{"secret":"internal"}`) })
		t := newTenant(ctx, map[string]string{"token": "tenant-token-" + rand.String(8)})
		Expect(k8sClient.Create(ctx, &hooksv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: t.ns, Name: "probe"},
			Spec: hooksv1alpha1.AccountSpec{CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "creds"},
				AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderPageSeeder,
					PageSeeder: &hooksv1alpha1.PageSeederAccount{ServerURL: url, Client: 1}}}})).To(Succeed())
		spec := psSpec("", 0, "probe")
		spec.AccountRef = &hooksv1alpha1.AccountReference{Name: "probe"}
		spec.CredentialsRef = nil
		key := t.create(ctx, "probe", spec, nil)
		wh := expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonInvalidSpec)
		Expect(ready(Default, wh).Message).To(And(ContainSubstring("pageSeeder.serverUrl"), ContainSubstring("--endpoint-allowlist")))
		Eventually(func(g Gomega) {
			acct := &hooksv1alpha1.Account{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: t.ns, Name: "probe"}, acct)).To(Succeed())
			c := apimeta.FindStatusCondition(acct.Status.Conditions, hooksv1alpha1.ConditionReady)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(c.Message).To(ContainSubstring("--endpoint-allowlist"))
		}).Should(Succeed())
		Consistently(internal.accepted.Load, "2s").Should(BeZero(), "no connection to a refused endpoint")
	})
})

var _ = Describe("Account status", func() {
	getCA := func(g Gomega, ctx context.Context, name string) *hooksv1alpha1.ClusterAccount {
		ca := &hooksv1alpha1.ClusterAccount{}
		g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, ca)).To(Succeed())
		return ca
	}
	It("is Ready from the account's list, counts its Webhooks and namespaces, and says Unauthorized with an event", func(ctx context.Context) {
		nsA, nsB := newNamespace(ctx), newNamespace(ctx)
		p := newWebexPlatform(ctx, func(s *hooksv1alpha1.ClusterAccountSpec) {
			s.Conditions = []hooksv1alpha1.AccountCondition{{Namespaces: []string{nsA, nsB}}}
		})
		Eventually(func(g Gomega) {
			ca := getCA(g, ctx, p.name)
			g.Expect(apimeta.IsStatusConditionTrue(ca.Status.Conditions, hooksv1alpha1.ConditionReady)).To(BeTrue())
			g.Expect(ca.Status.Webhooks).To(BeZero())
		}).Should(Succeed())
		for i, ns := range []string{nsA, nsA, nsB} {
			expectAvailable(ctx, onAccount(ctx, ns, "hook-"+string(rune('a'+i)), clusterRef(p.name)))
		}
		Eventually(func(g Gomega) {
			ca := getCA(g, ctx, p.name)
			g.Expect(ca.Status.Webhooks).To(BeEquivalentTo(3))
			g.Expect(ca.Status.Namespaces).To(BeEquivalentTo(2))
		}).WithTimeout(withinSeconds).Should(Succeed())

		By("a revoked token: Ready=False Unauthorized and a Warning event on the ClusterAccount")
		s := &corev1.Secret{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: p.secret}, s)).To(Succeed())
		s.Data = map[string][]byte{"token": []byte("revoked-" + rand.String(20))}
		Expect(k8sClient.Update(ctx, s)).To(Succeed())
		Eventually(func(g Gomega) {
			c := apimeta.FindStatusCondition(getCA(g, ctx, p.name).Status.Conditions, hooksv1alpha1.ConditionReady)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Reason).To(Equal(hooksv1alpha1.ReasonUnauthorized))
		}).WithTimeout(withinSeconds).Should(Succeed())
		Eventually(func(g Gomega) {
			var events eventsv1.EventList
			g.Expect(k8sClient.List(ctx, &events, client.InNamespace(metav1.NamespaceDefault))).To(Succeed())
			g.Expect(events.Items).To(ContainElement(And(HaveField("Regarding.Name", p.name), HaveField("Reason", hooksv1alpha1.ReasonUnauthorized))))
		}).Should(Succeed())
	})

	It("records a Retry-After in rateLimitedUntil, and holds back every Webhook on the account until then", func(ctx context.Context) {
		ns := newNamespace(ctx)
		p := newWebexPlatform(ctx, func(s *hooksv1alpha1.ClusterAccountSpec) {
			s.Conditions = []hooksv1alpha1.AccountCondition{{Namespaces: []string{ns}}}
		})
		expectAvailable(ctx, onAccount(ctx, ns, "first", clusterRef(p.name)))
		wx.InjectFault(simulator.Fault{Key: p.token, Method: "POST", Status: 429, RetryAfter: "6", Times: 1})
		second := onAccount(ctx, ns, "second", clusterRef(p.name))
		expectReason(ctx, second, metav1.ConditionFalse, hooksv1alpha1.ReasonRateLimited)
		var until time.Time
		Eventually(func(g Gomega) {
			ca := getCA(g, ctx, p.name)
			g.Expect(ca.Status.RateLimitedUntil).NotTo(BeNil())
			until = ca.Status.RateLimitedUntil.Time
		}).Should(Succeed())
		Expect(until).To(BeTemporally(">", time.Now().Add(2*time.Second)))
		wx.ResetCounts()
		third := onAccount(ctx, ns, "third", clusterRef(p.name))
		expectReason(ctx, third, metav1.ConditionFalse, hooksv1alpha1.ReasonRateLimited)
		Expect(wx.Requests(p.token)).To(BeZero(), "a request for the account went out before its Retry-After")
		expectAvailable(ctx, second)
		expectAvailable(ctx, third)
		Expect(time.Now()).To(BeTemporally(">=", until.Add(-time.Second)))
		Eventually(func(g Gomega) { g.Expect(getCA(g, ctx, p.name).Status.RateLimitedUntil).To(BeNil()) }).Should(Succeed())
	})
})

// newNamespaceOf makes a namespace that the ClusterAccount's conditions name.
func newNamespaceOf(ctx context.Context, p platform) string {
	ns := newNamespace(ctx)
	ca := &hooksv1alpha1.ClusterAccount{}
	Expect(k8sClient.Get(ctx, client.ObjectKey{Name: p.name}, ca)).To(Succeed())
	base := ca.DeepCopy()
	ca.Spec.Conditions = append(ca.Spec.Conditions, hooksv1alpha1.AccountCondition{Namespaces: []string{ns}})
	Expect(k8sClient.Patch(ctx, ca, client.MergeFrom(base))).To(Succeed())
	return ns
}
