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
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	apsfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	e8fake "github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	psfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
	"github.com/hookkeeper/hookkeeper/providers/providertest/example"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// remoteHook is what a spec needs to know of a remote webhook, whatever the provider.
type remoteHook struct {
	id, target, detail string
	// name and created are the remote name and creation time (RFC 3339) where the simulator of
	// the SaaS keeps them in a form the spec can compare: Webex's.
	name, created string
}

// account is one provider account in its simulator, fresh for each spec, and what the lifecycle
// table needs to drive a Webhook on it. It is the only place where the table is provider-specific.
type account struct {
	creds, badCreds map[string]string
	// spec returns the Webhook's spec without credentialsRef.
	spec func(name string) hooksv1alpha1.WebhookSpec
	// inPlace changes a field the SaaS updates in place; inPlaceDone tells when a remote shows it.
	inPlace     func(*hooksv1alpha1.Webhook)
	inPlaceDone func(remoteHook) bool
	// replace changes a field the SaaS cannot update; nil where every field changes in place.
	replace func(*hooksv1alpha1.Webhook)
	// remotes lists the account's remote webhooks.
	remotes func() []remoteHook
	// key is the credential the simulator counts requests and matches faults by; sim is the
	// account's simulator.
	key string
	sim simulatorServer
	// apiPath is the URL path prefix of the webhook API, token requests excluded.
	apiPath string
	// createPath is the URL path prefix of the SaaS's create request, for faults on it alone.
	createPath string
	// deleteRemote, changeRemote and disableRemote act on a remote webhook out of band: a user
	// in the SaaS's console, or the SaaS itself after failed deliveries. changeRemote moves the
	// target URL to outOfBandTarget.
	deleteRemote, changeRemote, disableRemote func(id string)
}

// outOfBandTarget is where changeRemote points a remote webhook.
const outOfBandTarget = "https://attacker.example.net/collect"

// simulatorServer is what every provider simulator offers for fault injection and counting.
type simulatorServer interface {
	InjectFault(simulator.Fault)
	ClearFaults()
	Requests(key string) int
}

// injectFault adds a fault limited to the account's credential.
func (a account) injectFault(f simulator.Fault) {
	f.Key = a.key
	a.sim.InjectFault(f)
}

// requests counts the requests the account's credential made, failed ones included.
func (a account) requests() int { return a.sim.Requests(a.key) }

var psClientIDs atomic.Int64

var accounts = map[hooksv1alpha1.ProviderType]func() account{
	hooksv1alpha1.ProviderWebex: func() account {
		token := "tok-" + rand.String(24)
		wx.AddToken(token)
		return account{
			creds:    map[string]string{"token": token},
			badCreds: map[string]string{"token": "revoked-" + rand.String(24)},
			spec: func(name string) hooksv1alpha1.WebhookSpec {
				return hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, TargetURL: "https://hooks.example.com/" + name,
					Webex: &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}}
			},
			inPlace:     func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL += "/v2" },
			inPlaceDone: func(r remoteHook) bool { return strings.HasSuffix(r.target, "/v2") },
			replace:     func(wh *hooksv1alpha1.Webhook) { wh.Spec.Webex.Resource = "rooms" },
			remotes: func() (out []remoteHook) {
				for _, h := range wx.Hooks(token) {
					out = append(out, remoteHook{id: h.ID, target: h.TargetURL, detail: h.Resource, name: h.Name, created: h.Created})
				}
				return out
			},
			key: token, sim: wx, createPath: "/v1/webhooks", apiPath: "/v1/",
			deleteRemote:  wx.DeleteOutOfBand,
			changeRemote:  func(id string) { wx.UpdateOutOfBand(id, func(h *webexfake.Hook) { h.TargetURL = outOfBandTarget }) },
			disableRemote: wx.Disable,
		}
	},
	hooksv1alpha1.ProviderEightByEight: func() account {
		key, acct := "key-"+rand.String(24), hexOnly(rand.String(32))
		e8.AddKey(key, acct)
		return account{
			creds:    map[string]string{"apiKey": key},
			badCreds: map[string]string{"apiKey": "revoked-" + rand.String(24)},
			spec: func(name string) hooksv1alpha1.WebhookSpec {
				return hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderEightByEight, TargetURL: "https://hooks.example.com/" + name,
					EightByEight: &hooksv1alpha1.EightByEightSpec{AccountID: acct, SubAccountID: "Marketing", Type: "MSG"}}
			},
			inPlace:     func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL += "/v2" },
			inPlaceDone: func(r remoteHook) bool { return strings.HasSuffix(r.target, "/v2") },
			replace:     func(wh *hooksv1alpha1.Webhook) { wh.Spec.EightByEight.SubAccountID = "Sales" },
			remotes: func() (out []remoteHook) {
				for _, h := range e8.Hooks(acct) {
					out = append(out, remoteHook{id: acct + "/" + h.SubAccountID + "/" + h.Type, target: h.URL})
				}
				return out
			},
			key: key, sim: e8, createPath: "/api/v1/accounts/", apiPath: "/api/",
			deleteRemote: func(id string) { e8.DeleteOutOfBand(e8ID(id)) },
			changeRemote: func(id string) {
				a, sub, typ := e8ID(id)
				e8.UpdateOutOfBand(a, sub, typ, func(h *e8fake.Hook) { h.URL = outOfBandTarget })
			},
			disableRemote: func(id string) { e8.Disable(e8ID(id)) },
		}
	},
	hooksv1alpha1.ProviderAutodesk: func() account {
		clientID, secret := "app-"+rand.String(16), "secret-"+rand.String(24)
		aps.AddClient(clientID, secret)
		folder := "urn:adsk.wipprod:fs.folder:co." + rand.String(12)
		const filter = "$[?(@.ext=='txt')]"
		return account{
			creds:    map[string]string{"clientId": clientID, "clientSecret": secret},
			badCreds: map[string]string{"clientId": clientID, "clientSecret": "wrong-" + rand.String(24)},
			spec: func(name string) hooksv1alpha1.WebhookSpec {
				return hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderAutodesk, TargetURL: "https://hooks.example.com/" + name,
					Autodesk: &hooksv1alpha1.AutodeskSpec{System: "data", Event: "dm.version.added", Scope: map[string]string{"folder": folder}}}
			},
			inPlace:     func(wh *hooksv1alpha1.Webhook) { wh.Spec.Autodesk.Filter = filter },
			inPlaceDone: func(r remoteHook) bool { return r.detail == filter },
			replace:     func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL += "/moved" },
			remotes: func() (out []remoteHook) {
				for _, h := range aps.Hooks(clientID) {
					out = append(out, remoteHook{id: h.HookID, target: h.CallbackURL, detail: h.Filter})
				}
				return out
			},
			key: clientID, sim: aps, createPath: "/webhooks/v1/systems/", apiPath: "/webhooks/",
			deleteRemote: aps.DeleteOutOfBand,
			// APS cannot move a hook's callback; a console user can change its filter.
			changeRemote:  func(id string) { aps.UpdateOutOfBand(id, func(h *apsfake.Hook) { h.Filter = "$[?(@.ext=='exe')]" }) },
			disableRemote: aps.Disable,
		}
	},
	hooksv1alpha1.ProviderPageSeeder: func() account {
		identifier, secret := rand.String(16), "secret-"+rand.String(24)
		client := 1000 + psClientIDs.Add(1)
		ps.AddClient(identifier, secret, client)
		return account{
			creds:    map[string]string{"clientId": identifier, "clientSecret": secret},
			badCreds: map[string]string{"clientId": identifier, "clientSecret": "wrong-" + rand.String(24)},
			spec: func(name string) hooksv1alpha1.WebhookSpec {
				return hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderPageSeeder, TargetURL: "https://hooks.example.com/" + name,
					PageSeeder: &hooksv1alpha1.PageSeederSpec{ServerURL: ps.URL(), Client: client, Events: []string{"comment.*"}}}
			},
			inPlace:     func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL += "/v2" },
			inPlaceDone: func(r remoteHook) bool { return strings.HasSuffix(r.target, "/v2") },
			remotes: func() (out []remoteHook) {
				for _, h := range ps.Hooks(client) {
					out = append(out, remoteHook{id: strconv.FormatInt(h.ID, 10), target: h.URL, detail: h.Status})
				}
				return out
			},
			key: identifier, sim: ps, createPath: "/ps/service/", apiPath: "/ps/service/",
			deleteRemote:  func(id string) { ps.DeleteOutOfBand(psID(id)) },
			changeRemote:  func(id string) { ps.UpdateOutOfBand(psID(id), func(h *psfake.Hook) { h.URL = outOfBandTarget }) },
			disableRemote: func(id string) { ps.SetStatus(psID(id), "disabled") },
		}
	},
	// The test-only fifth provider (providers/providertest/example): one entry here and in the
	// tables that list it.
	example.Type: func() account {
		token := "tok-" + rand.String(24)
		ex.AddToken(token)
		return account{
			creds:    map[string]string{example.CredentialToken: token},
			badCreds: map[string]string{example.CredentialToken: "revoked-" + rand.String(24)},
			spec: func(name string) hooksv1alpha1.WebhookSpec {
				return hooksv1alpha1.WebhookSpec{Provider: example.Type, TargetURL: "https://hooks.example.com/" + name}
			},
			inPlace:     func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL += "/v2" },
			inPlaceDone: func(r remoteHook) bool { return strings.HasSuffix(r.target, "/v2") },
			remotes: func() (out []remoteHook) {
				for _, h := range ex.Hooks(token) {
					out = append(out, remoteHook{id: h.ID, target: h.URL, name: h.Name, created: h.Created.Format(time.RFC3339)})
				}
				return out
			},
			key: token, sim: ex, createPath: "/hooks", apiPath: "/hooks",
			deleteRemote:  ex.Remove,
			changeRemote:  func(id string) { ex.Change(id, func(h *example.Hook) { h.URL = outOfBandTarget }) },
			disableRemote: func(id string) { ex.Change(id, func(h *example.Hook) { h.Active = false }) },
		}
	},
}

// e8ID splits a synthetic 8x8 id into account, sub-account and type.
func e8ID(id string) (string, string, string) {
	parts := strings.SplitN(id, "/", 3)
	Expect(parts).To(HaveLen(3), "8x8 id %q", id)
	return parts[0], parts[1], parts[2]
}

func psID(id string) int64 {
	n, err := strconv.ParseInt(id, 10, 64)
	Expect(err).NotTo(HaveOccurred())
	return n
}

// hexOnly maps any string onto hexadecimal digits, for GUID-shaped account ids.
func hexOnly(s string) string {
	const digits = "0123456789abcdef"
	b := []byte(s)
	for i := range b {
		b[i] = digits[int(b[i])%16]
	}
	return string(b)
}

// lifecycleEnv is one spec's namespace and fresh provider account.
type lifecycleEnv struct {
	ns string
	account
}

func newLifecycleEnv(ctx context.Context, p hooksv1alpha1.ProviderType) *lifecycleEnv {
	e := &lifecycleEnv{ns: newNamespace(ctx), account: accounts[p]()}
	Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "creds"},
		StringData: e.creds})).To(Succeed())
	return e
}

func (e *lifecycleEnv) webhook(name string, mutate ...func(*hooksv1alpha1.Webhook)) *hooksv1alpha1.Webhook {
	wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name}, Spec: e.spec(name)}
	wh.Spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: "creds"}
	for _, m := range mutate {
		m(wh)
	}
	return wh
}

func (e *lifecycleEnv) create(ctx context.Context, name string, mutate ...func(*hooksv1alpha1.Webhook)) client.ObjectKey {
	wh := e.webhook(name, mutate...)
	Expect(k8sClient.Create(ctx, wh)).To(Succeed())
	return client.ObjectKeyFromObject(wh)
}

func allProviders() []TableEntry {
	return []TableEntry{
		Entry("Webex", hooksv1alpha1.ProviderWebex),
		Entry("EightByEight", hooksv1alpha1.ProviderEightByEight),
		Entry("Autodesk", hooksv1alpha1.ProviderAutodesk),
		Entry("PageSeeder", hooksv1alpha1.ProviderPageSeeder),
	}
}

// exampleProvider is the entry of the test-only fifth provider, in the lifecycle tables that
// prove it works end to end like the others: create, update in place and delete.
func exampleProvider() TableEntry {
	return Entry("Example, the test-only fifth provider", example.Type)
}

var _ = Describe("Lifecycle, for every provider", func() {
	ctx := context.Background()

	DescribeTable("creates the remote webhook and reports its id, state and creation time",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "created")
			wh := expectAvailable(ctx, key)
			remotes := e.remotes()
			Expect(remotes).To(HaveLen(1))
			Expect(wh.Status.ID).To(Equal(remotes[0].id))
			Expect(wh.Status.State).NotTo(BeEmpty())
			Expect(wh.Status.Created).NotTo(BeNil())
			Expect(wh.Status.ObservedGeneration).To(Equal(wh.Generation))
			Expect(wh.Finalizers).To(ContainElement(hooksv1alpha1.Finalizer))
			Expect(remotes[0].target).To(Equal("https://hooks.example.com/created"))
			if r := remotes[0]; r.created != "" {
				created, err := time.Parse(time.RFC3339, r.created)
				Expect(err).NotTo(HaveOccurred())
				Expect(wh.Status.Created.Time.Equal(created.Truncate(time.Second))).To(BeTrue(),
					"status.created %s should be the remote's %s", wh.Status.Created, r.created)
			}
			if r := remotes[0]; r.name != "" {
				Expect(r.name).To(Equal(e.ns+"/created"), "the name defaults to <namespace>/<name>")
			}
			Eventually(func(g Gomega) {
				g.Expect(eventReasons(g, ctx, e.ns, "created")).To(ContainElement("Created"))
			}).Should(Succeed())
		}, allProviders(), exampleProvider())

	DescribeTable("updates in place, keeping the id",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "in-place")
			id := expectAvailable(ctx, key).Status.ID
			patchWebhook(ctx, key, e.inPlace)
			Eventually(func(g Gomega) {
				remotes := e.remotes()
				g.Expect(remotes).To(HaveLen(1))
				g.Expect(remotes[0].id).To(Equal(id))
				g.Expect(e.inPlaceDone(remotes[0])).To(BeTrue(), "remote: %+v", remotes[0])
			}).Should(Succeed())
			Expect(expectAvailable(ctx, key).Status.ID).To(Equal(id))
		}, allProviders(), exampleProvider())

	DescribeTable("replaces the remote webhook when a field the SaaS cannot update changes",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "replaced")
			oldID := expectAvailable(ctx, key).Status.ID
			patchWebhook(ctx, key, e.replace)
			Eventually(func(g Gomega) {
				wh := get(g, ctx, key)
				g.Expect(ready(g, wh).Reason).To(Equal(hooksv1alpha1.ReasonAvailable))
				g.Expect(wh.Status.ID).NotTo(Equal(oldID))
				remotes := e.remotes()
				g.Expect(remotes).To(HaveLen(1), "the old remote webhook must be gone")
				g.Expect(remotes[0].id).To(Equal(wh.Status.ID))
			}).Should(Succeed())
		},
		Entry("Webex", hooksv1alpha1.ProviderWebex),
		Entry("EightByEight", hooksv1alpha1.ProviderEightByEight),
		Entry("Autodesk", hooksv1alpha1.ProviderAutodesk),
	)

	DescribeTable("deletes the remote webhook with the Webhook",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "deleted")
			expectAvailable(ctx, key)
			Expect(e.remotes()).To(HaveLen(1))
			Expect(k8sClient.Delete(ctx, e.webhook("deleted"))).To(Succeed())
			expectGone(ctx, key)
			Expect(e.remotes()).To(BeEmpty())
		}, allProviders(), exampleProvider())

	DescribeTable("leaves the remote webhook in place with deletionPolicy Orphan",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "orphaned", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.DeletionPolicy = hooksv1alpha1.DeletionPolicyOrphan
			})
			id := expectAvailable(ctx, key).Status.ID
			Expect(k8sClient.Delete(ctx, e.webhook("orphaned"))).To(Succeed())
			expectGone(ctx, key)
			remotes := e.remotes()
			Expect(remotes).To(HaveLen(1))
			Expect(remotes[0].id).To(Equal(id))
		}, allProviders())

	DescribeTable("reports CredentialsNotFound until the Secret exists, then becomes Ready",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "waiting", func(wh *hooksv1alpha1.Webhook) { wh.Spec.CredentialsRef.Name = "later" })
			expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonCredentialsNotFound)
			Expect(e.remotes()).To(BeEmpty())
			Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "later"},
				StringData: e.creds})).To(Succeed())
			expectAvailable(ctx, key)
			Expect(e.remotes()).To(HaveLen(1))
		}, allProviders())

	DescribeTable("reports Unauthorized for refused credentials, without leaking them",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "bad"},
				StringData: e.badCreds})).To(Succeed())
			key := e.create(ctx, "refused", func(wh *hooksv1alpha1.Webhook) { wh.Spec.CredentialsRef.Name = "bad" })
			wh := expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonUnauthorized)
			msg := ready(Default, wh).Message
			Expect(msg).To(ContainSubstring("401"), "the SaaS's status code")
			for _, v := range e.badCreds {
				Expect(msg).NotTo(ContainSubstring(v))
			}
			Expect(e.remotes()).To(BeEmpty())
		}, allProviders())

	DescribeTable("reports Conflict when a second Webhook claims a remote webhook the SaaS keeps unique",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			first := e.create(ctx, "first")
			id := expectAvailable(ctx, first).Status.ID
			// The same spec under another name: same 8x8 key, or the same APS callback, scope and event.
			second := e.webhook("second")
			second.Spec = e.webhook("first").Spec
			Expect(k8sClient.Create(ctx, second)).To(Succeed())
			wh := expectReason(ctx, client.ObjectKeyFromObject(second), metav1.ConditionFalse, hooksv1alpha1.ReasonConflict)
			Expect(ready(Default, wh).Message).To(ContainSubstring(e.ns + "/first"))
			Expect(wh.Status.ID).To(BeEmpty())
			remotes := e.remotes()
			Expect(remotes).To(HaveLen(1), "nothing overwritten, nothing duplicated")
			Expect(remotes[0].id).To(Equal(id))
			Expect(remotes[0].target).To(Equal("https://hooks.example.com/first"))
		},
		Entry("EightByEight", hooksv1alpha1.ProviderEightByEight),
		Entry("Autodesk", hooksv1alpha1.ProviderAutodesk),
	)

	It("keeps a PageSeeder webhook Creating until its ping succeeds", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderPageSeeder)
		key := e.create(ctx, "unverified")
		wh := expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonCreating)
		Expect(wh.Status.State).To(Equal("pending"))
		Expect(wh.Status.ID).NotTo(BeEmpty())
		Expect(e.remotes()).To(HaveLen(1))

		pingsFixed.Store(true)
		Eventually(func(g Gomega) {
			g.Expect(ready(g, get(g, ctx, key)).Reason).To(Equal(hooksv1alpha1.ReasonAvailable))
		}).WithTimeout(2 * resyncPeriod).Should(Succeed())
		Expect(e.remotes()).To(HaveLen(1), "pinged again, not created again")
		Expect(get(Default, ctx, key).Status.State).To(Equal("active"))
	})
})
