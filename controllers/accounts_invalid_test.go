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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// The manifests of Accounts, ClusterAccounts and Webhooks on them that the API server refuses,
// through the CRDs' schema and CEL rules, and the ones it accepts. Webhooks and the refused
// accounts are sent as dry runs: the API server validates and defaults them as it would store
// them, and nothing reaches the operator.
var _ = Describe("Accounts: manifests", func() {
	const guid = "0123456789abcdef0123456789abcdef"
	var ns string
	BeforeEach(func() { ns = newNamespace(context.Background()) })

	// dryRun creates obj as a dry run, which fills obj with what the API server would store.
	dryRun := func(obj client.Object) error {
		return k8sClient.Create(context.Background(), obj, client.DryRunAll)
	}
	expectInvalid := func(err error, want ...string) {
		GinkgoHelper()
		Expect(err).To(HaveOccurred(), "the API server accepted the manifest")
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), err.Error())
		for _, w := range want {
			Expect(err.Error()).To(ContainSubstring(w))
		}
	}

	Context("a Webhook", func() {
		webhook := func(mutate ...func(*hooksv1alpha1.Webhook)) *hooksv1alpha1.Webhook {
			return webexEnv{ns: ns}.webhook("on-account", mutate...)
		}
		// onAccount trades the Webhook's credentialsRef for an accountRef.
		onAccount := func(kind hooksv1alpha1.AccountKind) func(*hooksv1alpha1.Webhook) {
			return func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.CredentialsRef = nil
				wh.Spec.AccountRef = &hooksv1alpha1.AccountReference{Kind: kind, Name: "shared"}
			}
		}
		// The provider blocks without their account-level fields.
		eightByEight := func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.Provider = hooksv1alpha1.ProviderEightByEight
			wh.Spec.Webex = nil
			wh.Spec.EightByEight = &hooksv1alpha1.EightByEightSpec{SubAccountID: "Marketing", Type: "MSG"}
		}
		autodesk := func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.Provider = hooksv1alpha1.ProviderAutodesk
			wh.Spec.Webex = nil
			wh.Spec.Autodesk = &hooksv1alpha1.AutodeskSpec{System: "data", Event: "dm.version.added",
				Scope: map[string]string{"folder": "urn:adsk.wipprod:fs.folder:co.abc"}}
		}
		pageSeeder := func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.Provider = hooksv1alpha1.ProviderPageSeeder
			wh.Spec.Webex = nil
			wh.Spec.PageSeeder = &hooksv1alpha1.PageSeederSpec{}
		}

		DescribeTable("is refused with a message that names the fields",
			func(mutate func(*hooksv1alpha1.Webhook), want ...string) {
				expectInvalid(dryRun(webhook(mutate)), want...)
			},
			Entry("with both credentialsRef and accountRef", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.AccountRef = &hooksv1alpha1.AccountReference{Name: "shared"}
			}, "set exactly one of spec.credentialsRef and spec.accountRef"),
			Entry("with neither credentialsRef nor accountRef", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.CredentialsRef = nil
			}, "set exactly one of", "spec.credentialsRef", "spec.accountRef"),
			Entry("with an accountRef of another kind", func(wh *hooksv1alpha1.Webhook) {
				onAccount("Namespace")(wh)
			}, "spec.accountRef.kind", `"Account"`, `"ClusterAccount"`),
			Entry("with an accountRef kind in the wrong case", func(wh *hooksv1alpha1.Webhook) {
				onAccount("clusteraccount")(wh)
			}, "spec.accountRef.kind"),
			Entry("with an accountRef without a name", func(wh *hooksv1alpha1.Webhook) {
				onAccount(hooksv1alpha1.AccountKindAccount)(wh)
				wh.Spec.AccountRef.Name = ""
			}, "spec.accountRef.name"),
			Entry("with an accountRef name over 253 characters", func(wh *hooksv1alpha1.Webhook) {
				onAccount(hooksv1alpha1.AccountKindClusterAccount)(wh)
				wh.Spec.AccountRef.Name = strings.Repeat("a", 254)
			}, "spec.accountRef.name"),
			Entry("8x8 without accountId nor accountRef", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
			}, "spec.eightByEight.accountId is required unless spec.accountRef names an account that sets it"),
			Entry("8x8 on an account, with an accountId that is not a GUID", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				onAccount(hooksv1alpha1.AccountKindAccount)(wh)
				wh.Spec.EightByEight.AccountID = "not-a-guid-not-a-guid-not-a-guid-x"
			}, "spec.eightByEight.accountId"),
			Entry("8x8 on an account, with a region out of the enum", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				onAccount(hooksv1alpha1.AccountKindAccount)(wh)
				wh.Spec.EightByEight.Region = "MARS"
			}, "spec.eightByEight.region"),
			Entry("PageSeeder without serverUrl, client nor accountRef", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
			}, "spec.pageSeeder.serverUrl and spec.pageSeeder.client are required unless spec.accountRef names an account that sets them"),
			Entry("PageSeeder without serverUrl nor accountRef", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Client = 12
			}, "spec.pageSeeder.serverUrl and spec.pageSeeder.client are required unless spec.accountRef"),
			Entry("PageSeeder without client nor accountRef", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.ServerURL = "https://ps.example.org"
			}, "spec.pageSeeder.serverUrl and spec.pageSeeder.client are required unless spec.accountRef"),
			Entry("PageSeeder on an account, with a client id of zero or less", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				onAccount(hooksv1alpha1.AccountKindClusterAccount)(wh)
				wh.Spec.PageSeeder.Client = -1
			}, "spec.pageSeeder.client"),
			Entry("PageSeeder on an account, with a serverUrl that is not a URL", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				onAccount(hooksv1alpha1.AccountKindClusterAccount)(wh)
				wh.Spec.PageSeeder.ServerURL = "ps.example.org"
			}, "spec.pageSeeder.serverUrl must be an absolute http:// or https:// URL"),
		)

		DescribeTable("is accepted on an account, without the fields the account holds",
			func(mutate func(*hooksv1alpha1.Webhook), kind hooksv1alpha1.AccountKind, check func(*hooksv1alpha1.Webhook)) {
				wh := webhook(mutate)
				Expect(dryRun(wh)).To(Succeed())
				Expect(wh.Spec.CredentialsRef).To(BeNil())
				Expect(wh.Spec.AccountRef).To(Equal(&hooksv1alpha1.AccountReference{Kind: kind, Name: "shared"}),
					"an accountRef without kind names an Account")
				if check != nil {
					check(wh)
				}
			},
			Entry("Webex, kind left out", onAccount(""), hooksv1alpha1.AccountKindAccount, nil),
			Entry("Webex on a ClusterAccount", onAccount(hooksv1alpha1.AccountKindClusterAccount),
				hooksv1alpha1.AccountKindClusterAccount, nil),
			Entry("8x8 without accountId", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				onAccount(hooksv1alpha1.AccountKindAccount)(wh)
			}, hooksv1alpha1.AccountKindAccount, func(wh *hooksv1alpha1.Webhook) {
				Expect(wh.Spec.EightByEight.AccountID).To(BeEmpty())
				Expect(wh.Spec.EightByEight.Region).To(BeEmpty(), "no CRD default hides the account's region")
			}),
			Entry("8x8 with the account's accountId", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				onAccount(hooksv1alpha1.AccountKindClusterAccount)(wh)
				wh.Spec.EightByEight.AccountID = guid
			}, hooksv1alpha1.AccountKindClusterAccount, nil),
			Entry("Autodesk without region", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				onAccount(hooksv1alpha1.AccountKindAccount)(wh)
			}, hooksv1alpha1.AccountKindAccount, func(wh *hooksv1alpha1.Webhook) {
				Expect(wh.Spec.Autodesk.Region).To(BeEmpty(), "no CRD default hides the account's region")
			}),
			Entry("PageSeeder without serverUrl nor client", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				onAccount(hooksv1alpha1.AccountKindClusterAccount)(wh)
			}, hooksv1alpha1.AccountKindClusterAccount, func(wh *hooksv1alpha1.Webhook) {
				Expect(wh.Spec.PageSeeder.ServerURL).To(BeEmpty())
				Expect(wh.Spec.PageSeeder.ServicePath).To(BeEmpty(), "no CRD default hides the account's servicePath")
				Expect(wh.Spec.PageSeeder.Client).To(BeZero())
			}),
			Entry("PageSeeder with the client only", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				onAccount(hooksv1alpha1.AccountKindAccount)(wh)
				wh.Spec.PageSeeder.Client = 12
			}, hooksv1alpha1.AccountKindAccount, nil),
		)
	})

	Context("an Account or a ClusterAccount", func() {
		account := func(name string, s hooksv1alpha1.AccountSettings) *hooksv1alpha1.Account {
			return &hooksv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
				Spec: hooksv1alpha1.AccountSpec{CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "creds"},
					AccountSettings: s}}
		}
		clusterAccount := func(name string, s hooksv1alpha1.AccountSettings, conds ...hooksv1alpha1.AccountCondition) *hooksv1alpha1.ClusterAccount {
			return &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec: hooksv1alpha1.ClusterAccountSpec{
					CredentialsRef: hooksv1alpha1.SecretReference{Namespace: operatorNamespace, Name: "creds"},
					Conditions:     conds, AccountSettings: s}}
		}
		// uniqueName is a ClusterAccount name that no other spec or run uses.
		uniqueName := func(prefix string) string { return prefix + "-" + rand.String(8) }
		// valid is a valid 8x8 account, for the entries to break one thing of.
		valid := func() hooksv1alpha1.AccountSettings {
			return hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderEightByEight,
				EightByEight: &hooksv1alpha1.EightByEightAccount{AccountID: guid}}
		}
		pageSeederBlock := &hooksv1alpha1.PageSeederAccount{ServerURL: "https://ps.example.org", Client: 12}

		DescribeTable("is refused with a message that names the rule",
			func(mutate func(*hooksv1alpha1.AccountSettings), want ...string) {
				s := valid()
				mutate(&s)
				By("as an Account")
				expectInvalid(dryRun(account("bad", *s.DeepCopy())), want...)
				By("as a ClusterAccount")
				expectInvalid(dryRun(clusterAccount(uniqueName("bad"), *s.DeepCopy(),
					hooksv1alpha1.AccountCondition{Namespaces: []string{ns}})), want...)
			},
			Entry("an unknown provider", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = "Slack", nil
			}, "spec.provider"),
			Entry("no provider", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = "", nil
			}, "spec.provider"),
			Entry("an eightByEight block on an Autodesk account", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider = hooksv1alpha1.ProviderAutodesk
			}, "eightByEight is only allowed when provider is EightByEight"),
			Entry("an autodesk block on a PageSeeder account", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = hooksv1alpha1.ProviderPageSeeder, nil
				s.PageSeeder = pageSeederBlock.DeepCopy()
				s.Autodesk = &hooksv1alpha1.AutodeskAccount{Region: "EMEA"}
			}, "autodesk is only allowed when provider is Autodesk"),
			Entry("a pageSeeder block on a Webex account", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = hooksv1alpha1.ProviderWebex, nil
				s.PageSeeder = pageSeederBlock.DeepCopy()
			}, "pageSeeder is only allowed when provider is PageSeeder"),
			Entry("an EightByEight account without its block", func(s *hooksv1alpha1.AccountSettings) {
				s.EightByEight = nil
			}, "eightByEight (accountId) is required when provider is EightByEight"),
			Entry("a PageSeeder account without its block", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = hooksv1alpha1.ProviderPageSeeder, nil
			}, "pageSeeder (serverUrl and client) is required when provider is PageSeeder"),
			Entry("an 8x8 block without accountId", func(s *hooksv1alpha1.AccountSettings) {
				s.EightByEight.AccountID = ""
			}, "spec.eightByEight.accountId"),
			Entry("an 8x8 accountId that is not a GUID", func(s *hooksv1alpha1.AccountSettings) {
				s.EightByEight.AccountID = "not-a-guid-not-a-guid-not-a-guid-x"
			}, "spec.eightByEight.accountId"),
			Entry("an 8x8 region out of the enum", func(s *hooksv1alpha1.AccountSettings) {
				s.EightByEight.Region = "MARS"
			}, "spec.eightByEight.region"),
			Entry("an 8x8 oauth without clientId", func(s *hooksv1alpha1.AccountSettings) {
				s.EightByEight.OAuth = &hooksv1alpha1.EightByEightOAuth{TokenURL: "https://auth.example.com/token",
					ClientSecretRef: hooksv1alpha1.SecretKeySelector{Name: "oauth", Key: "secret"}}
			}, "spec.eightByEight.oauth.clientId"),
			Entry("an Autodesk region out of the enum", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = hooksv1alpha1.ProviderAutodesk, nil
				s.Autodesk = &hooksv1alpha1.AutodeskAccount{Region: "MOON"}
			}, "spec.autodesk.region"),
			Entry("a pageSeeder block without client", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = hooksv1alpha1.ProviderPageSeeder, nil
				s.PageSeeder = &hooksv1alpha1.PageSeederAccount{ServerURL: "https://ps.example.org"}
			}, "spec.pageSeeder.client"),
			Entry("a pageSeeder block without serverUrl", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = hooksv1alpha1.ProviderPageSeeder, nil
				s.PageSeeder = &hooksv1alpha1.PageSeederAccount{Client: 12}
			}, "pageSeeder.serverUrl"),
			Entry("an ftp PageSeeder serverUrl", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = hooksv1alpha1.ProviderPageSeeder, nil
				s.PageSeeder = &hooksv1alpha1.PageSeederAccount{ServerURL: "ftp://ps.example.org", Client: 12}
			}, "pageSeeder.serverUrl must be an absolute http:// or https:// URL with a host"),
			Entry("a relative PageSeeder servicePath", func(s *hooksv1alpha1.AccountSettings) {
				s.Provider, s.EightByEight = hooksv1alpha1.ProviderPageSeeder, nil
				s.PageSeeder = pageSeederBlock.DeepCopy()
				s.PageSeeder.ServicePath = "ps/service"
			}, "spec.pageSeeder.servicePath"),
			Entry("an ftp allowedTargets entry", func(s *hooksv1alpha1.AccountSettings) {
				s.AllowedTargets = []string{"ftp://x"}
			}, "spec.allowedTargets[0]"),
			Entry("an allowedTargets entry with a query", func(s *hooksv1alpha1.AccountSettings) {
				s.AllowedTargets = []string{"https://hooks.example.com/", "https://a/b?q"}
			}, "spec.allowedTargets[1]"),
			Entry("an allowedTargets entry with a fragment", func(s *hooksv1alpha1.AccountSettings) {
				s.AllowedTargets = []string{"https://a/b#top"}
			}, "spec.allowedTargets[0]"),
			Entry("an allowedTargets entry with a user", func(s *hooksv1alpha1.AccountSettings) {
				s.AllowedTargets = []string{"https://user@hooks.example.com/"}
			}, "spec.allowedTargets[0]"),
			Entry("an allowedTargets entry without a scheme", func(s *hooksv1alpha1.AccountSettings) {
				s.AllowedTargets = []string{"hooks.example.com/x"}
			}, "spec.allowedTargets[0]"),
			Entry("an allowedTargets entry with a wildcard inside the host", func(s *hooksv1alpha1.AccountSettings) {
				s.AllowedTargets = []string{"https://hooks.*.example.com/"}
			}, "spec.allowedTargets[0]"),
			Entry("an allowedTargets entry with two wildcards", func(s *hooksv1alpha1.AccountSettings) {
				s.AllowedTargets = []string{"https://*.*.example.com/"}
			}, "spec.allowedTargets[0]"),
			Entry("an allowedTargets entry with a space", func(s *hooksv1alpha1.AccountSettings) {
				s.AllowedTargets = []string{"https://hooks.example.com/a b"}
			}, "spec.allowedTargets[0]"),
			Entry("an empty allowedTargets entry", func(s *hooksv1alpha1.AccountSettings) {
				s.AllowedTargets = []string{""}
			}, "spec.allowedTargets[0]"),
			Entry("webhooksPerNamespace 0", func(s *hooksv1alpha1.AccountSettings) {
				s.Limits = &hooksv1alpha1.AccountLimits{WebhooksPerNamespace: ptr.To[int32](0)}
			}, "spec.limits.webhooksPerNamespace"),
			Entry("a negative webhooksPerNamespace", func(s *hooksv1alpha1.AccountSettings) {
				s.Limits = &hooksv1alpha1.AccountLimits{WebhooksPerNamespace: ptr.To[int32](-1)}
			}, "spec.limits.webhooksPerNamespace"),
		)

		DescribeTable("as a ClusterAccount, is refused with a message that names the rule",
			func(c *hooksv1alpha1.ClusterAccount, want string) {
				expectInvalid(dryRun(c), want)
			},
			Entry("a conditions entry with neither namespaceSelector nor namespaces",
				clusterAccount("bad-condition", valid(), hooksv1alpha1.AccountCondition{}),
				"each entry of spec.conditions needs namespaceSelector or namespaces"),
			Entry("a second conditions entry with neither",
				clusterAccount("bad-condition", valid(), hooksv1alpha1.AccountCondition{Namespaces: []string{"a"}}, hooksv1alpha1.AccountCondition{}),
				"each entry of spec.conditions needs namespaceSelector or namespaces"),
			Entry("a conditions entry that lists a namespace twice",
				clusterAccount("bad-condition", valid(), hooksv1alpha1.AccountCondition{Namespaces: []string{"a", "a"}}),
				"spec.conditions[0].namespaces"),
			Entry("a credentialsRef without namespace", func() *hooksv1alpha1.ClusterAccount {
				c := clusterAccount("bad-credentials", valid())
				c.Spec.CredentialsRef.Namespace = ""
				return c
			}(), "spec.credentialsRef.namespace"),
		)

		It("refuses a change of provider on update", func() {
			ctx := context.Background()
			webexSettings := hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex}

			a := account("moving", webexSettings)
			Expect(k8sClient.Create(ctx, a)).To(Succeed())
			aBase := a.DeepCopy()
			a.Spec.Provider = hooksv1alpha1.ProviderAutodesk
			expectInvalid(k8sClient.Patch(ctx, a, client.MergeFrom(aBase)), "provider is immutable")

			c := clusterAccount(uniqueName("moving"), webexSettings)
			Expect(k8sClient.Create(ctx, c)).To(Succeed())
			DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(context.Background(), c))).To(Succeed()) })
			cBase := c.DeepCopy()
			c.Spec.Provider = hooksv1alpha1.ProviderAutodesk
			expectInvalid(k8sClient.Patch(ctx, c, client.MergeFrom(cBase)), "provider is immutable")

			// Any other change is accepted. The operator writes the account's status meanwhile, so
			// the change is a patch that carries no resource version.
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(c), c)).To(Succeed())
			base := c.DeepCopy()
			c.Spec.AllowedTargets = []string{"https://hooks.example.com/"}
			Expect(k8sClient.Patch(ctx, c, client.MergeFrom(base))).To(Succeed())
			Expect(c.Spec.Provider).To(Equal(hooksv1alpha1.ProviderWebex))
		})

		It("accepts a valid Account and a valid ClusterAccount", func() {
			ctx := context.Background()
			s := hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderEightByEight,
				EightByEight: &hooksv1alpha1.EightByEightAccount{AccountID: "01234567-89AB-cdef-0123-456789abcdef", Region: "US",
					OAuth: &hooksv1alpha1.EightByEightOAuth{TokenURL: "https://auth.example.com/token", ClientID: "hookkeeper",
						ClientSecretRef: hooksv1alpha1.SecretKeySelector{Name: "oauth", Key: "secret"}}},
				AllowedTargets: []string{"https://*.corp.example/", "https://hooks.example.com:8443/team-a/",
					"http://10.0.0.1", "https://hooks.example.com"},
				Limits:        &hooksv1alpha1.AccountLimits{WebhooksPerNamespace: ptr.To[int32](1)},
				AllowAdoption: ptr.To(false)}
			a := account("shared", s)
			Expect(k8sClient.Create(ctx, a)).To(Succeed())
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(a), a)).To(Succeed())
			Expect(a.Spec.EightByEight.OAuth.CredentialsLocation).To(Equal("header"), "the oauth block has its CRD default")
			Expect(a.Spec.AllowedTargets).To(Equal(s.AllowedTargets))

			for _, provider := range []hooksv1alpha1.AccountSettings{
				{Provider: hooksv1alpha1.ProviderWebex},
				{Provider: hooksv1alpha1.ProviderAutodesk},
				{Provider: hooksv1alpha1.ProviderAutodesk, Autodesk: &hooksv1alpha1.AutodeskAccount{Region: "EMEA"}},
				{Provider: hooksv1alpha1.ProviderPageSeeder, PageSeeder: &hooksv1alpha1.PageSeederAccount{
					ServerURL: "https://ps.example.org", ServicePath: "/custom/service", Client: 12}},
			} {
				Expect(dryRun(account("shared-"+strings.ToLower(string(provider.Provider)), provider))).To(Succeed(), "%+v", provider)
			}

			c := clusterAccount(uniqueName("platform"), hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderPageSeeder,
				PageSeeder:     &hooksv1alpha1.PageSeederAccount{ServerURL: "https://ps.example.org", Client: 12},
				AllowedTargets: []string{"https://hooks.corp.example/"}, AllowAdoption: ptr.To(true)},
				hooksv1alpha1.AccountCondition{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "payments"}}},
				hooksv1alpha1.AccountCondition{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"gold", "silver"}}}}},
				hooksv1alpha1.AccountCondition{Namespaces: []string{ns, "team-b"}},
			)
			Expect(k8sClient.Create(ctx, c)).To(Succeed())
			DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(context.Background(), c))).To(Succeed()) })
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(c), c)).To(Succeed())
			Expect(c.Spec.Conditions).To(HaveLen(3))
			Expect(c.Spec.CredentialsRef.Namespace).To(Equal(operatorNamespace))

			By("a ClusterAccount without conditions, which nobody may use yet")
			Expect(dryRun(clusterAccount(uniqueName("unshared"), hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex}))).To(Succeed())
		})
	})
})
