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
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// The specs below list the manifests a user can get wrong. Two places stop them: the API
// server, through the CRD's schema and CEL rules, and the provider's Validate, which the
// operator runs before it sends anything to the SaaS. Either way the user is told which field
// is at fault, and the SaaS never sees the bad spec.
var _ = Describe("Invalid manifests", func() {
	// Each helper below turns the Webex manifest of webexEnv.webhook into a valid manifest of
	// another provider, so that a table entry only has to break the one field it is about.
	eightByEight := func(wh *hooksv1alpha1.Webhook) {
		wh.Spec.Provider = hooksv1alpha1.ProviderEightByEight
		wh.Spec.Webex = nil
		wh.Spec.EightByEight = &hooksv1alpha1.EightByEightSpec{
			AccountID: "0123456789abcdef0123456789abcdef", SubAccountID: "Marketing", Type: "MSG"}
	}
	eightByEightOAuth := func(wh *hooksv1alpha1.Webhook) {
		eightByEight(wh)
		wh.Spec.EightByEight.OAuth = &hooksv1alpha1.EightByEightOAuth{TokenURL: "https://auth.example.com/token",
			ClientID: "hookkeeper", ClientSecretRef: hooksv1alpha1.SecretKeySelector{Name: "oauth", Key: "secret"}}
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
		wh.Spec.PageSeeder = &hooksv1alpha1.PageSeederSpec{ServerURL: "https://ps.example.org", Client: 12}
	}
	// rawJSON wraps a JSON text for hookAttribute.
	rawJSON := func(s string) *apiextensionsv1.JSON { return &apiextensionsv1.JSON{Raw: []byte(s)} }

	Context("that the schema can judge", func() {
		var e webexEnv
		BeforeEach(func() { e = webexEnv{ns: newNamespace(context.Background())} })

		DescribeTable("are rejected by the API server with a message that names the field",
			func(mutate func(*hooksv1alpha1.Webhook), want string) {
				err := k8sClient.Create(context.Background(), e.webhook("bad", mutate))
				Expect(err).To(HaveOccurred())
				Expect(apierrors.IsInvalid(err)).To(BeTrue(), err.Error())
				Expect(err.Error()).To(ContainSubstring(want))
			},

			// Fields every provider shares, and the choice of the provider block.
			Entry("no provider block", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex = nil },
				"spec.webex is required when spec.provider is Webex"),
			Entry("a second provider block", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.Autodesk = &hooksv1alpha1.AutodeskSpec{System: "data", Event: "dm.version.added", Scope: map[string]string{"folder": "x"}}
			}, "spec.autodesk is only allowed when spec.provider is Autodesk"),
			Entry("a block that does not match the provider", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.Provider = hooksv1alpha1.ProviderPageSeeder
			}, "spec.webex is only allowed when spec.provider is Webex"),
			Entry("an unknown provider", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Provider = "Slack" },
				"spec.provider"),
			Entry("no provider", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Provider = "" },
				"spec.provider"),
			Entry("a provider in the wrong case", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Provider = "webex" },
				"spec.provider"),
			Entry("a relative targetUrl", func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL = "/hooks/webex" },
				"spec.targetUrl must be an absolute http:// or https:// URL"),
			Entry("an ftp targetUrl", func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL = "ftp://files.example.com/x" },
				"spec.targetUrl must be an absolute http:// or https:// URL"),
			Entry("a targetUrl that is not a URL", func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL = "hooks example com" },
				"spec.targetUrl must be an absolute http:// or https:// URL"),
			Entry("a targetUrl without a host", func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL = "https:///hooks" },
				"spec.targetUrl must be an absolute http:// or https:// URL"),
			Entry("a targetUrl with a user and password", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.TargetURL = "https://bot:hunter2@hooks.example.com/x"
			}, "spec.targetUrl must not carry a user or password"),
			Entry("a targetUrl with a fragment", func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL = "https://hooks.example.com/x#top" },
				"spec.targetUrl must not have a #fragment"),
			Entry("an empty targetUrl", func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL = "" },
				"spec.targetUrl"),
			Entry("a targetUrl over 2048 characters", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.TargetURL = "https://hooks.example.com/" + strings.Repeat("a", 2048)
			}, "spec.targetUrl"),
			Entry("an unknown deletionPolicy", func(wh *hooksv1alpha1.Webhook) { wh.Spec.DeletionPolicy = "Keep" },
				"spec.deletionPolicy"),
			Entry("no credentials Secret name", func(wh *hooksv1alpha1.Webhook) { wh.Spec.CredentialsRef.Name = "" },
				"spec.credentialsRef.name"),
			Entry("a credentials Secret name over 253 characters", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.CredentialsRef.Name = strings.Repeat("s", 254)
			}, "spec.credentialsRef.name"),
			Entry("a Webhook name that is not a DNS subdomain", func(wh *hooksv1alpha1.Webhook) { wh.Name = "Bad_Name" },
				"metadata.name"),

			// Webex.
			Entry("a Webex resource out of the enum", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Resource = "widgets" },
				"spec.webex.resource"),
			Entry("no Webex resource", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Resource = "" },
				"spec.webex.resource"),
			Entry("a Webex event out of the enum", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Event = "exploded" },
				"spec.webex.event"),
			Entry("no Webex event", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Event = "" },
				"spec.webex.event"),
			Entry("a Webex ownedBy out of the enum", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.OwnedBy = "team" },
				"spec.webex.ownedBy"),
			Entry("an org-only Webex filter without ownedBy org", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Filter = "hostEmail=a@example.com" },
				"spec.webex.filter on hostEmail"),
			Entry("an org-only Webex filter as the second term", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.Webex.Filter = "roomId=abc&ownerId=xyz"
			}, "spec.webex.filter on hostEmail"),
			Entry("a Webex filter that is not key=value", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Filter = "roomId" },
				"spec.webex.filter"),
			Entry("a Webex filter with an empty value", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Filter = "roomId=" },
				"spec.webex.filter"),
			Entry("a Webex filter with a trailing &", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Filter = "roomId=abc&" },
				"spec.webex.filter"),
			Entry("a Webex name over 256 characters", func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Name = strings.Repeat("n", 257) },
				"spec.webex.name"),
			Entry("a Webex secretRef without key", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.Webex.SecretRef = &hooksv1alpha1.SecretKeySelector{Name: "webex-signing"}
			}, "spec.webex.secretRef.key"),
			Entry("a Webex secretRef without name", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.Webex.SecretRef = &hooksv1alpha1.SecretKeySelector{Key: "secret"}
			}, "spec.webex.secretRef.name"),
			Entry("a Webex secretRef key that no Secret can hold", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.Webex.SecretRef = &hooksv1alpha1.SecretKeySelector{Name: "webex-signing", Key: "signing/secret"}
			}, "spec.webex.secretRef.key"),

			// 8x8.
			Entry("an 8x8 accountId that is not a GUID", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.AccountID = "not-a-guid-not-a-guid-not-a-guid-x"
			}, "spec.eightByEight.accountId"),
			Entry("an 8x8 accountId too short", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.AccountID = "0123abcd"
			}, "spec.eightByEight.accountId"),
			Entry("an 8x8 accountId too long", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.AccountID = "01234567-89ab-cdef-0123-456789abcdef0"
			}, "spec.eightByEight.accountId"),
			Entry("no 8x8 subAccountId", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.SubAccountID = ""
			}, "spec.eightByEight.subAccountId"),
			Entry("an 8x8 subAccountId with a /", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.SubAccountID = "Marketing/EU"
			}, "spec.eightByEight.subAccountId"),
			Entry("an 8x8 subAccountId with a space", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.SubAccountID = "Marketing EU"
			}, "spec.eightByEight.subAccountId"),
			Entry("an 8x8 subAccountId with a * that is not the wildcard", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.SubAccountID = "Market*"
			}, "spec.eightByEight.subAccountId"),
			Entry("an 8x8 subAccountId over 128 characters", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.SubAccountID = strings.Repeat("m", 129)
			}, "spec.eightByEight.subAccountId"),
			Entry("an 8x8 type out of the enum", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.Type = "SMS"
			}, "spec.eightByEight.type"),
			Entry("no 8x8 type", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.Type = ""
			}, "spec.eightByEight.type"),
			Entry("an 8x8 region out of the enum", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.Region = "MARS"
			}, "spec.eightByEight.region"),
			Entry("both 8x8 auth forms", func(wh *hooksv1alpha1.Webhook) {
				eightByEightOAuth(wh)
				wh.Spec.EightByEight.AuthorizationSecretRef = &hooksv1alpha1.SecretKeySelector{Name: "a", Key: "b"}
			}, "set at most one of authorizationSecretRef and oauth"),
			Entry("an 8x8 authorizationSecretRef without key", func(wh *hooksv1alpha1.Webhook) {
				eightByEight(wh)
				wh.Spec.EightByEight.AuthorizationSecretRef = &hooksv1alpha1.SecretKeySelector{Name: "auth"}
			}, "spec.eightByEight.authorizationSecretRef.key"),
			Entry("an 8x8 OAuth tokenUrl that is not a URL", func(wh *hooksv1alpha1.Webhook) {
				eightByEightOAuth(wh)
				wh.Spec.EightByEight.OAuth.TokenURL = "auth.example.com/token"
			}, "spec.eightByEight.oauth.tokenUrl must be an absolute http:// or https:// URL"),
			Entry("no 8x8 OAuth tokenUrl", func(wh *hooksv1alpha1.Webhook) {
				eightByEightOAuth(wh)
				wh.Spec.EightByEight.OAuth.TokenURL = ""
			}, "spec.eightByEight.oauth.tokenUrl"),
			Entry("no 8x8 OAuth clientId", func(wh *hooksv1alpha1.Webhook) {
				eightByEightOAuth(wh)
				wh.Spec.EightByEight.OAuth.ClientID = ""
			}, "spec.eightByEight.oauth.clientId"),
			Entry("an 8x8 OAuth credentialsLocation out of the enum", func(wh *hooksv1alpha1.Webhook) {
				eightByEightOAuth(wh)
				wh.Spec.EightByEight.OAuth.CredentialsLocation = "query"
			}, "spec.eightByEight.oauth.credentialsLocation"),
			Entry("an 8x8 OAuth clientSecretRef without key", func(wh *hooksv1alpha1.Webhook) {
				eightByEightOAuth(wh)
				wh.Spec.EightByEight.OAuth.ClientSecretRef.Key = ""
			}, "spec.eightByEight.oauth.clientSecretRef.key"),
			Entry("an 8x8 OAuth scope over 1024 characters", func(wh *hooksv1alpha1.Webhook) {
				eightByEightOAuth(wh)
				wh.Spec.EightByEight.OAuth.Scope = strings.Repeat("s", 1025)
			}, "spec.eightByEight.oauth.scope"),

			// Autodesk.
			Entry("an Autodesk hook with an empty scope", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.Scope = map[string]string{}
			}, "spec.autodesk.scope"),
			Entry("an Autodesk hook without scope", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.Scope = nil
			}, "spec.autodesk.scope"),
			Entry("an Autodesk scope of more than 8 entries", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				for i := range 9 {
					wh.Spec.Autodesk.Scope[fmt.Sprintf("key%d", i)] = "urn:x"
				}
			}, "spec.autodesk.scope: Too many"),
			Entry("an Autodesk region out of the enum", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.Region = "MOON"
			}, "spec.autodesk.region"),
			Entry("no Autodesk system", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.System = ""
			}, "spec.autodesk.system"),
			Entry("an Autodesk system with a /", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.System = "data/v1"
			}, "spec.autodesk.system"),
			Entry("no Autodesk event", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.Event = ""
			}, "spec.autodesk.event"),
			Entry("an Autodesk event with a space", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.Event = "dm.version added"
			}, "spec.autodesk.event"),
			Entry("an Autodesk event that starts with a dot", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.Event = ".version.added"
			}, "spec.autodesk.event"),
			Entry("an Autodesk hookAttribute that is a JSON array", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.HookAttribute = rawJSON(`["a", "b"]`)
			}, "spec.autodesk.hookAttribute"),
			Entry("an Autodesk hookAttribute that is a JSON string", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.HookAttribute = rawJSON(`"team-a"`)
			}, "spec.autodesk.hookAttribute"),
			Entry("an Autodesk filter over 1024 characters", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.Filter = "$[?(@.name=='" + strings.Repeat("f", 1024) + "')]"
			}, "spec.autodesk.filter"),
			Entry("an Autodesk hubId over 256 characters", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.HubID = "b." + strings.Repeat("h", 255)
			}, "spec.autodesk.hubId"),
			Entry("an Autodesk projectId over 256 characters", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.ProjectID = "b." + strings.Repeat("p", 255)
			}, "spec.autodesk.projectId"),
			Entry("an Autodesk tenant over 512 characters", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.Tenant = strings.Repeat("t", 513)
			}, "spec.autodesk.tenant"),
			Entry("an Autodesk secretRef without key", func(wh *hooksv1alpha1.Webhook) {
				autodesk(wh)
				wh.Spec.Autodesk.SecretRef = &hooksv1alpha1.SecretKeySelector{Name: "aps-signing"}
			}, "spec.autodesk.secretRef.key"),

			// PageSeeder.
			Entry("a PageSeeder client id of zero", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Client = 0
			}, "spec.pageSeeder.client"),
			Entry("a negative PageSeeder client id", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Client = -3
			}, "spec.pageSeeder.client"),
			Entry("a PageSeeder serverUrl that is not a URL", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.ServerURL = "ps.example.org"
			}, "spec.pageSeeder.serverUrl"),
			Entry("an ftp PageSeeder serverUrl", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.ServerURL = "ftp://ps.example.org"
			}, "spec.pageSeeder.serverUrl"),
			Entry("no PageSeeder serverUrl", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.ServerURL = ""
			}, "spec.pageSeeder.serverUrl"),
			Entry("a relative PageSeeder servicePath", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.ServicePath = "ps/service"
			}, "spec.pageSeeder.servicePath"),
			Entry("a PageSeeder servicePath with a query", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.ServicePath = "/ps/service?debug=1"
			}, "spec.pageSeeder.servicePath"),
			Entry("a PageSeeder format out of the enum", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Format = "yaml"
			}, "spec.pageSeeder.format"),
			Entry("a PageSeeder object out of the enum", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Object = "full"
			}, "spec.pageSeeder.object"),
			Entry("a PageSeeder event without a dot", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Events = []string{"comment"}
			}, "spec.pageSeeder.events[0]"),
			Entry("a PageSeeder event in capitals", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Events = []string{"comment.*", "Membership.Created"}
			}, "spec.pageSeeder.events[1]"),
			Entry("two PageSeeder events in one item, comma-separated", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Events = []string{"comment.created,task.created"}
			}, "spec.pageSeeder.events[0]"),
			Entry("an empty PageSeeder event", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Events = []string{""}
			}, "spec.pageSeeder.events[0]"),
			Entry("more than 64 PageSeeder events", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				// 65 short, well-formed and distinct items, so that only their number is wrong.
				for i := range 65 {
					wh.Spec.PageSeeder.Events = append(wh.Spec.PageSeeder.Events,
						fmt.Sprintf("event%c%c.created", 'a'+i/26, 'a'+i%26))
				}
			}, "spec.pageSeeder.events: Too many"),
			Entry("a PageSeeder project with a comma", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Projects = []string{"docs,specs"}
			}, "spec.pageSeeder.projects[0]"),
			Entry("a PageSeeder group with a space", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Groups = []string{"docs authors"}
			}, "spec.pageSeeder.groups[0]"),
			Entry("a PageSeeder group over 128 characters", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Groups = []string{strings.Repeat("g", 129)}
			}, "spec.pageSeeder.groups[0]"),
			Entry("a PageSeeder name over 256 characters", func(wh *hooksv1alpha1.Webhook) {
				pageSeeder(wh)
				wh.Spec.PageSeeder.Name = strings.Repeat("n", 257)
			}, "spec.pageSeeder.name"),
		)

		It("refuses a change of spec.provider on update, though every provider is accepted on create", func() {
			ctx := context.Background()
			toProvider := map[hooksv1alpha1.ProviderType]func(*hooksv1alpha1.Webhook){
				hooksv1alpha1.ProviderWebex:        func(*hooksv1alpha1.Webhook) {},
				hooksv1alpha1.ProviderEightByEight: eightByEight,
				hooksv1alpha1.ProviderAutodesk:     autodesk,
				hooksv1alpha1.ProviderPageSeeder:   pageSeeder,
			}
			order := []hooksv1alpha1.ProviderType{hooksv1alpha1.ProviderWebex, hooksv1alpha1.ProviderEightByEight,
				hooksv1alpha1.ProviderAutodesk, hooksv1alpha1.ProviderPageSeeder}
			for i, from := range order {
				to := order[(i+1)%len(order)]
				name := strings.ToLower(string(from))
				key := e.create(ctx, name, toProvider[from])

				wh := &hooksv1alpha1.Webhook{}
				Expect(k8sClient.Get(ctx, key, wh)).To(Succeed())
				base := wh.DeepCopy()
				// A whole, otherwise valid manifest of the other provider: only the move is wrong.
				// A merge patch without a resourceVersion, so that the operator adding its
				// finalizer meanwhile cannot turn the answer into a conflict.
				wh.Spec = e.webhook(name, toProvider[to]).Spec
				err := k8sClient.Patch(ctx, wh, client.MergeFrom(base))
				Expect(err).To(HaveOccurred(), "%s to %s", from, to)
				Expect(apierrors.IsInvalid(err)).To(BeTrue(), err.Error())
				Expect(err.Error()).To(ContainSubstring("spec.provider is immutable"))

				Expect(k8sClient.Get(ctx, key, wh)).To(Succeed())
				Expect(wh.Spec.Provider).To(Equal(from))
			}
		})

		It("accepts a minimal valid manifest and applies the defaults", func() {
			ctx := context.Background()
			key := e.create(ctx, fmt.Sprintf("ok-%d", GinkgoParallelProcess()))
			wh := &hooksv1alpha1.Webhook{}
			Expect(k8sClient.Get(ctx, key, wh)).To(Succeed())
			Expect(wh.Spec.Enabled).To(Equal(ptr.To(true)))
			Expect(wh.Spec.DeletionPolicy).To(Equal(hooksv1alpha1.DeletionPolicyDelete))
			Expect(wh.Spec.Webex.OwnedBy).To(Equal(hooksv1alpha1.WebexOwnedByCreator))
		})
	})

	Context("that only the provider can judge", func() {
		// longName is a valid Webhook name (253 characters, the most Kubernetes allows) that
		// makes the default remote name "<namespace>/<name>" longer than the 256 characters
		// Webex and PageSeeder accept.
		longName := "long-" + strings.Repeat("n", 248)

		DescribeTable("are reported as Ready=False InvalidSpec naming the field, without a request to the SaaS",
			func(p hooksv1alpha1.ProviderType, name string, mutate func(*hooksv1alpha1.Webhook), field string,
				fix func(*hooksv1alpha1.Webhook)) {
				ctx := context.Background()
				e := newLifecycleEnv(ctx, p)
				// A second Secret for the specs that reference one beyond the credentials: a
				// missing Secret would be reported before Validate runs.
				Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "extra"},
					StringData: map[string]string{"value": "extra-" + rand.String(24)}})).To(Succeed())

				key := e.create(ctx, name, mutate)
				wh := expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonInvalidSpec)
				Expect(ready(Default, wh).Message).To(ContainSubstring("spec."+field+":"), "the message names the field")
				Expect(wh.Status.ID).To(BeEmpty())
				Expect(e.requests()).To(BeZero(), "the SaaS heard nothing of the bad spec")
				Expect(e.remotes()).To(BeEmpty())
				Eventually(func(g Gomega) {
					g.Expect(eventReasons(g, ctx, e.ns, name)).To(ContainElement(hooksv1alpha1.ReasonInvalidSpec))
				}).Should(Succeed())
				// The error is terminal: no retry sends anything while the spec stays the same.
				Consistently(e.requests).WithTimeout(2 * time.Second).Should(BeZero())
				Expect(ready(Default, get(Default, ctx, key)).Reason).To(Equal(hooksv1alpha1.ReasonInvalidSpec))

				// A corrected spec is picked up at once, without waiting for a resync.
				patchWebhook(ctx, key, fix)
				Eventually(func(g Gomega) {
					g.Expect(ready(g, get(g, ctx, key)).Reason).To(Equal(hooksv1alpha1.ReasonAvailable))
				}).WithTimeout(resyncPeriod / 2).Should(Succeed())
				Expect(e.remotes()).To(HaveLen(1))
			},

			Entry("Webex: a default name, <namespace>/<name>, over 256 characters", hooksv1alpha1.ProviderWebex, longName,
				func(*hooksv1alpha1.Webhook) {}, "webex.name",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Name = "short enough" }),

			Entry("Webex: a blank name", hooksv1alpha1.ProviderWebex, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Name = "   " }, "webex.name",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Name = "visible" }),

			Entry("EightByEight: an OAuth clientId of blanks only", hooksv1alpha1.ProviderEightByEight, "invalid",
				func(wh *hooksv1alpha1.Webhook) {
					wh.Spec.EightByEight.OAuth = &hooksv1alpha1.EightByEightOAuth{TokenURL: "https://auth.example.com/token",
						ClientID: "   ", ClientSecretRef: hooksv1alpha1.SecretKeySelector{Name: "extra", Key: "value"}}
				}, "eightByEight.oauth.clientId",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.EightByEight.OAuth.ClientID = "hookkeeper" }),

			Entry("Autodesk: a scope entry with an empty value", hooksv1alpha1.ProviderAutodesk, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Autodesk.Scope["workflow"] = "" }, "autodesk.scope",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Autodesk.Scope["workflow"] = "my-workflow-key" }),
			Entry("Autodesk: a scope entry with a blank value", hooksv1alpha1.ProviderAutodesk, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Autodesk.Scope["workflow"] = "  " }, "autodesk.scope",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Autodesk.Scope["workflow"] = "my-workflow-key" }),
			Entry("Autodesk: a scope entry with an empty name", hooksv1alpha1.ProviderAutodesk, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Autodesk.Scope[""] = "urn:adsk.wipprod:fs.folder:co.other" }, "autodesk.scope",
				func(wh *hooksv1alpha1.Webhook) {
					// Leaving the entry out makes patchWebhook's merge patch send it as null, which removes it.
					wh.Spec.Autodesk.Scope = map[string]string{"folder": wh.Spec.Autodesk.Scope["folder"]}
				}),
			Entry("Autodesk: a scope value with spaces around it", hooksv1alpha1.ProviderAutodesk, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Autodesk.Scope["workflow"] = " my-workflow-key " }, "autodesk.scope",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Autodesk.Scope["workflow"] = "my-workflow-key" }),
			Entry("Autodesk: a hookAttribute over 1 KiB", hooksv1alpha1.ProviderAutodesk, "invalid",
				func(wh *hooksv1alpha1.Webhook) {
					wh.Spec.Autodesk.HookAttribute = rawJSON(`{"note": "` + strings.Repeat("x", 1100) + `"}`)
				}, "autodesk.hookAttribute",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.Autodesk.HookAttribute = rawJSON(`{"note": "short"}`) }),

			Entry("PageSeeder: a default name, <namespace>/<name>, over 256 characters", hooksv1alpha1.ProviderPageSeeder, longName,
				func(*hooksv1alpha1.Webhook) {}, "pageSeeder.name",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.Name = "short enough" }),
			Entry("PageSeeder: a servicePath that climbs with ..", hooksv1alpha1.ProviderPageSeeder, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServicePath = "/ps/../admin" }, "pageSeeder.servicePath",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServicePath = "/ps/service" }),
			Entry("PageSeeder: a servicePath with an empty segment", hooksv1alpha1.ProviderPageSeeder, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServicePath = "/ps//service" }, "pageSeeder.servicePath",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServicePath = "/ps/service" }),
			Entry("PageSeeder: a blank name", hooksv1alpha1.ProviderPageSeeder, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.Name = "  " }, "pageSeeder.name",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.Name = "visible" }),
			Entry("PageSeeder: a serverUrl with a query", hooksv1alpha1.ProviderPageSeeder, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServerURL += "/?tenant=a" }, "pageSeeder.serverUrl",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServerURL = ps.URL() }),
			Entry("PageSeeder: a serverUrl with a fragment", hooksv1alpha1.ProviderPageSeeder, "invalid",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServerURL += "/#top" }, "pageSeeder.serverUrl",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServerURL = ps.URL() }),
			Entry("PageSeeder: a serverUrl with a user", hooksv1alpha1.ProviderPageSeeder, "invalid",
				func(wh *hooksv1alpha1.Webhook) {
					wh.Spec.PageSeeder.ServerURL = strings.Replace(wh.Spec.PageSeeder.ServerURL, "://", "://admin@", 1)
				}, "pageSeeder.serverUrl",
				func(wh *hooksv1alpha1.Webhook) { wh.Spec.PageSeeder.ServerURL = ps.URL() }),
		)
	})
})
