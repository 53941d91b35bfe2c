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
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	psfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
)

// These specs attack the operator as a tenant would: a namespace editor who writes any spec,
// runs the server a PageSeeder serverUrl names, and would like to reach the cluster's network or
// other tenants' webhooks through the operator.

// tenant is a namespace with a credentials Secret.
type tenant struct{ ns string }

func newTenant(ctx context.Context, creds map[string]string) tenant {
	t := tenant{ns: newNamespace(ctx)}
	t.secret(ctx, "creds", creds)
	return t
}

func (t tenant) secret(ctx context.Context, name string, data map[string]string) {
	Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: t.ns, Name: name},
		StringData: data})).To(Succeed())
}

func (t tenant) create(ctx context.Context, name string, spec hooksv1alpha1.WebhookSpec, annotations map[string]string) client.ObjectKey {
	if spec.CredentialsRef == nil && spec.AccountRef == nil {
		spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: "creds"}
	}
	wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: t.ns, Name: name, Annotations: annotations}, Spec: spec}
	Expect(k8sClient.Create(ctx, wh)).To(Succeed())
	return client.ObjectKeyFromObject(wh)
}

// psSpec is a PageSeeder spec on serverURL for the OAuth client.
func psSpec(serverURL string, clientID int64, name string) hooksv1alpha1.WebhookSpec {
	return hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderPageSeeder, TargetURL: "https://hooks.example.com/" + name,
		PageSeeder: &hooksv1alpha1.PageSeederSpec{ServerURL: serverURL, Client: clientID}}
}

// countingListener accepts connections on addr and counts them; answer serves them, or, when
// nil, they are held open and never answered.
type countingListener struct {
	net.Listener
	accepted atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

func listen(addr string) *countingListener {
	ln, err := net.Listen("tcp", addr)
	Expect(err).NotTo(HaveOccurred())
	return &countingListener{Listener: ln}
}

// serve answers every request with h on a listener of its own; it returns the base URL.
func serve(l *countingListener, h http.HandlerFunc) string {
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h, ReadHeaderTimeout: time.Second}}
	srv.Start()
	DeferCleanup(srv.Close)
	return srv.URL
}

// hang accepts connections and never answers: the request reads, the answer never comes.
func hang(l *countingListener) string {
	done := make(chan struct{})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				<-done
				_ = c.Close()
			}()
		}
	}()
	DeferCleanup(func() {
		close(done)
		_ = l.Close()
	})
	return "http://" + l.Addr().String()
}

// pauseAndDelete lets Webhooks go without a call to the SaaS.
func pauseAndDelete(ctx context.Context, keys ...client.ObjectKey) {
	for _, key := range keys {
		patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) {
			if wh.Annotations == nil {
				wh.Annotations = map[string]string{}
			}
			wh.Annotations[hooksv1alpha1.AnnotationPaused] = "true"
		})
		Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, &hooksv1alpha1.Webhook{
			ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}))).To(Succeed())
	}
}

// expectClean checks that a status message is a short excerpt without control characters.
func expectClean(msg string) {
	Expect(len(msg)).To(BeNumerically("<=", 1024), "a bounded message")
	Expect(strings.IndexFunc(msg, unicode.IsControl)).To(Equal(-1), "no control characters: %q", msg)
}

var _ = Describe("Tenancy: egress policy for tenant-supplied endpoints", func() {
	ctx := context.Background()

	It("refuses a serverUrl outside --endpoint-allowlist with InvalidSpec, and no connection reaches it", func() {
		// 127.0.0.2 is loopback too, but the suite allows 127.0.0.1/32 only.
		internal := listen("127.0.0.2:0")
		url := serve(internal, func(w http.ResponseWriter, _ *http.Request) { _, _ = fmt.Fprint(w, `{"secret":"internal"}`) })
		t := newTenant(ctx, map[string]string{"token": "tenant-token-" + rand.String(8)})
		key := t.create(ctx, "probe", psSpec(url, 1, "probe"), nil)
		wh := expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonInvalidSpec)
		msg := ready(Default, wh).Message
		Expect(msg).To(ContainSubstring("pageSeeder.serverUrl"))
		Expect(msg).To(ContainSubstring("--endpoint-allowlist"))
		Expect(msg).NotTo(ContainSubstring("internal"))
		Consistently(internal.accepted.Load, "2s").Should(BeZero(), "no connection to a refused endpoint")
	})

	It("follows no redirect, sends no credential again, and names only the target host", func() {
		internal := listen("127.0.0.1:0")
		internalURL := serve(internal, func(w http.ResponseWriter, _ *http.Request) {
			_, _ = fmt.Fprint(w, `{"message":"internal-service-answer"}`)
		})
		var redirects atomic.Int32
		tenantServer := listen("127.0.0.1:0")
		url := serve(tenantServer, func(w http.ResponseWriter, r *http.Request) {
			redirects.Add(1)
			w.Header().Set("Location", internalURL+"/admin/delete?all=true")
			w.WriteHeader(http.StatusTemporaryRedirect)
			_, _ = fmt.Fprint(w, "redirect-body-marker")
		})
		t := newTenant(ctx, map[string]string{"token": "tenant-token-" + rand.String(8)})
		key := t.create(ctx, "redirect", psSpec(url, 1, "redirect"), nil)
		Eventually(func(g Gomega) {
			c := ready(g, get(g, ctx, key))
			g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(c.Message).To(ContainSubstring("redirect"))
			g.Expect(c.Message).To(ContainSubstring("127.0.0.1"))
			g.Expect(c.Message).NotTo(ContainSubstring("/admin"))
			g.Expect(c.Message).NotTo(ContainSubstring("redirect-body-marker"))
			g.Expect(c.Message).NotTo(ContainSubstring("internal-service-answer"))
		}).Should(Succeed())
		Expect(redirects.Load()).NotTo(BeZero())
		Expect(internal.accepted.Load()).To(BeZero(), "the redirect target received nothing")
		pauseAndDelete(ctx, key)
	})

	It("puts only a short, clean excerpt of a hostile server's error message in status and events", func() {
		long := strings.Repeat("A", 5000)
		tenantServer := listen("127.0.0.1:0")
		url := serve(tenantServer, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, `{"message":"line one\nline two\r\n\u001b[31mred\u001b[0m %s"}`, long)
		})
		t := newTenant(ctx, map[string]string{"token": "tenant-token-" + rand.String(8)})
		key := t.create(ctx, "hostile", psSpec(url, 1, "hostile"), nil)
		Eventually(func(g Gomega) {
			c := ready(g, get(g, ctx, key))
			g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(c.Message).To(ContainSubstring("line one"))
		}).Should(Succeed())
		expectClean(ready(Default, get(Default, ctx, key)).Message)
		Expect(ready(Default, get(Default, ctx, key)).Message).NotTo(ContainSubstring(long))
		var events corev1.EventList
		Expect(k8sClient.List(ctx, &events, client.InNamespace(t.ns))).To(Succeed())
		Expect(events.Items).NotTo(BeEmpty())
		for _, ev := range events.Items {
			expectClean(ev.Message)
		}
		pauseAndDelete(ctx, key)
	})
})

var _ = Describe("Tenancy: hostile text in a SaaS answer", func() {
	ctx := context.Background()
	// hostile would clear an administrator's terminal, reorder and hide what they read, and, at
	// 100 KB, make every status write fail on size if it reached the status.
	hostile := "\x1b[2J\x1b[31mactive\x1b[0m\u202e\u2066\u200b\r\nlevel=info " + strings.Repeat("A", 100<<10)

	// expectCleanWebhook checks the Webhook's printer columns, conditions and events.
	expectCleanWebhook := func(ns string, key client.ObjectKey) {
		wh := get(Default, ctx, key)
		Expect(len(wh.Status.ID)).To(BeNumerically("<=", 256))
		expectClean(wh.Status.ID)
		for _, c := range wh.Status.Conditions {
			expectClean(c.Message)
			Expect(c.Message).NotTo(ContainSubstring("AAAAAAAA"))
		}
		var events corev1.EventList
		Expect(k8sClient.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
		for _, ev := range events.Items {
			expectClean(ev.Message)
			Expect(ev.Message).NotTo(ContainSubstring("AAAAAAAA"))
		}
	}

	It("shows a PageSeeder state that is no short token as \"unknown\", in status.state and the Ready message", func() {
		a := accounts[hooksv1alpha1.ProviderPageSeeder]()
		t := newTenant(ctx, a.creds)
		key := t.create(ctx, "hostile-state", a.spec("hostile-state"), nil)
		id := expectAvailable(ctx, key).Status.ID
		ps.SetStatus(psID(id), hostile)
		requestSync(ctx, key)
		Eventually(func(g Gomega) {
			wh := get(g, ctx, key)
			g.Expect(wh.Status.State).To(Equal("unknown"))
			c := ready(g, wh)
			g.Expect(c.Reason).To(Equal(hooksv1alpha1.ReasonAvailable))
			g.Expect(c.Message).To(Equal("remote webhook " + id + " is unknown"))
		}).Should(Succeed())
		Expect(get(Default, ctx, key).Status.ID).To(Equal(id))
		expectCleanWebhook(t.ns, key)
		pauseAndDelete(ctx, key)
	})

	It("refuses webhook ids that are no sane token without creating twice or retrying hot, and adopts the webhook once its id is sane", func() {
		srv := psfake.New()
		DeferCleanup(srv.Close)
		srv.SetPingResult(func(string) error { return nil })
		const psClient = 7
		identifier, secret := "tenant-"+rand.String(8), "secret-"+rand.String(24)
		srv.AddClient(identifier, secret, psClient)
		srv.SetWireID(func(int64) string { return "790" + hostile })
		t := newTenant(ctx, map[string]string{"clientId": identifier, "clientSecret": secret})
		key := t.create(ctx, "hostile-id", psSpec(srv.URL(), psClient, "hostile-id"), nil)

		wh := expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonProviderUnavailable)
		Expect(wh.Status.ID).To(BeEmpty())
		Expect(ready(Default, wh).Message).To(ContainSubstring("id"))
		By("creating once: the list that would find the webhook fails as the create's answer did")
		Eventually(func() []psfake.Hook { return srv.Hooks(psClient) }).Should(HaveLen(1))
		before := srv.Requests(identifier)
		Consistently(func() []psfake.Hook { return srv.Hooks(psClient) }).WithTimeout(5 * time.Second).Should(HaveLen(1))
		Expect(srv.Requests(identifier)-before).To(BeNumerically("<=", 12), "the work queue backs off, not a hot loop")
		expectCleanWebhook(t.ns, key)

		By("adopting the one webhook once the server answers a sane id")
		srv.SetWireID(nil)
		requestSync(ctx, key)
		wh = expectAvailable(ctx, key)
		hooks := srv.Hooks(psClient)
		Expect(hooks).To(HaveLen(1))
		Expect(wh.Status.ID).To(Equal(strconv.FormatInt(hooks[0].ID, 10)))
		expectCleanWebhook(t.ns, key)
		pauseAndDelete(ctx, key)
	})
})

var _ = Describe("Tenancy: ownership is per account", func() {
	ctx := context.Background()

	It("never lets a PageSeeder tenant take, or learn the name of, another tenant's webhook on the same server", func() {
		a := accounts[hooksv1alpha1.ProviderPageSeeder]()
		owner := newTenant(ctx, a.creds)
		ownerKey := owner.create(ctx, "ps-comments", a.spec("ps-comments"), nil)
		id := expectAvailable(ctx, ownerKey).Status.ID
		otherClient := 1000 + psClientIDs.Add(1)
		otherID, otherSecret := rand.String(16), "secret-"+rand.String(24)
		ps.AddClient(otherID, otherSecret, otherClient)
		intruder := newTenant(ctx, map[string]string{"clientId": otherID, "clientSecret": otherSecret})
		intruder.secret(ctx, "junk", map[string]string{"clientId": "junk-" + rand.String(8), "clientSecret": "junk-" + rand.String(8)})
		adopt := map[string]string{hooksv1alpha1.AnnotationExternalID: id}

		By("naming the other tenant's id under the same OAuth client: a Conflict that names no one")
		spec := a.spec("taken")
		conflict := intruder.create(ctx, "taken", spec, adopt)
		wh := expectReason(ctx, conflict, metav1.ConditionFalse, hooksv1alpha1.ReasonConflict)
		Expect(ready(Default, wh).Message).To(ContainSubstring("a Webhook in another namespace"))
		for _, leak := range []string{owner.ns, "ps-comments"} {
			Expect(ready(Default, wh).Message).NotTo(ContainSubstring(leak))
		}

		By("with junk credentials: refused by the server, never a Conflict")
		junk := a.spec("junk")
		junk.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: "junk"}
		junkKey := intruder.create(ctx, "junk", junk, adopt)
		wh = expectReason(ctx, junkKey, metav1.ConditionFalse, hooksv1alpha1.ReasonUnauthorized)
		Expect(ready(Default, wh).Message).NotTo(ContainSubstring(owner.ns))

		By("under its own OAuth client: the id is not in its account, so it gets a webhook of its own")
		own := intruder.create(ctx, "own", psSpec(ps.URL(), otherClient, "own"), adopt)
		wh = expectAvailable(ctx, own)
		Expect(wh.Status.ID).NotTo(Equal(id))

		remotes := a.remotes()
		Expect(remotes).To(HaveLen(1))
		Expect(remotes[0].id).To(Equal(id))
		Expect(remotes[0].target).To(Equal("https://hooks.example.com/ps-comments"))
		Expect(expectAvailable(ctx, ownerKey).Status.ID).To(Equal(id))
		pauseAndDelete(ctx, conflict, junkKey)
	})

	It("keeps two Webex tokens' webhooks apart", func() {
		a := accounts[hooksv1alpha1.ProviderWebex]()
		b := accounts[hooksv1alpha1.ProviderWebex]()
		ta, tb := newTenant(ctx, a.creds), newTenant(ctx, b.creds)
		ka := ta.create(ctx, "mine", a.spec("mine"), nil)
		idA := expectAvailable(ctx, ka).Status.ID
		kb := tb.create(ctx, "theirs", b.spec("theirs"), map[string]string{hooksv1alpha1.AnnotationExternalID: idA})
		whB := expectAvailable(ctx, kb)
		Expect(whB.Status.ID).NotTo(Equal(idA), "tenant b cannot see tenant a's webhook, so it made its own")
		Expect(a.remotes()).To(HaveLen(1))
		Expect(a.remotes()[0].target).To(Equal("https://hooks.example.com/mine"))
		Expect(b.remotes()).To(HaveLen(1))

		By("and tenant a, naming b's id, gets nothing of b's either")
		ka2 := ta.create(ctx, "grab", a.spec("grab"), map[string]string{hooksv1alpha1.AnnotationExternalID: whB.Status.ID})
		Expect(expectAvailable(ctx, ka2).Status.ID).NotTo(Equal(whB.Status.ID))
		Expect(b.remotes()).To(HaveLen(1))
		Expect(b.remotes()[0].target).To(Equal("https://hooks.example.com/theirs"))
	})
})

var _ = Describe("Tenancy: fairness between accounts", func() {
	ctx := context.Background()

	It("makes a Webhook of another account Ready while one account's server hangs", func() {
		hung := listen("127.0.0.1:0")
		url := hang(hung)
		slow := newTenant(ctx, map[string]string{"token": "hung-token-" + rand.String(8)})
		// Enough Webhooks that, without a share per account, every worker would wait on the hung
		// server for a long time: 40 Webhooks, the HTTP timeout each, over the suite's workers.
		var slowKeys []client.ObjectKey
		for i := range 40 {
			slowKeys = append(slowKeys, slow.create(ctx, "hung-"+strconv.Itoa(i), psSpec(url, 1, "hung-"+strconv.Itoa(i)), nil))
		}
		DeferCleanup(func() { pauseAndDelete(ctx, slowKeys...) })
		Eventually(hung.accepted.Load).Should(BeNumerically(">=", 1), "the operator is talking to the hung server")

		// Without fairness the wait is 40 × the HTTP timeout divided by the workers, and grows
		// with every retry of the hung Webhooks.
		expectNeighbourReady(ctx, "another account")
	})

	It("makes another namespace's Webhook Ready while one namespace hangs on five credentials", func() {
		hung := listen("127.0.0.1:0")
		url := hang(hung)
		greedy := newTenant(ctx, map[string]string{"token": "hung-token-" + rand.String(8)})
		// Five credentials, five accounts: each account's share alone would let the namespace
		// hold every worker of the suite.
		var slowKeys []client.ObjectKey
		for c := range 5 {
			name := "creds-" + strconv.Itoa(c)
			greedy.secret(ctx, name, map[string]string{"token": "hung-token-" + rand.String(12)})
			for i := range 8 {
				spec := psSpec(url, 1, name+"-"+strconv.Itoa(i))
				spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: name}
				slowKeys = append(slowKeys, greedy.create(ctx, name+"-hook-"+strconv.Itoa(i), spec, nil))
			}
		}
		DeferCleanup(func() { pauseAndDelete(ctx, slowKeys...) })
		Eventually(hung.accepted.Load).Should(BeNumerically(">=", 2), "the operator is talking to the hung server")

		// Without a share per namespace, 40 Webhooks on five accounts hold all four workers for the
		// HTTP timeout, again and again.
		expectNeighbourReady(ctx, "another namespace")
	})
})

// expectNeighbourReady creates a Webex Webhook in a namespace of its own, on an account of its own,
// and expects it Ready within ten seconds: a liveness bound while another tenant's Webhooks hang,
// not a timing.
func expectNeighbourReady(ctx context.Context, whose string) {
	a := accounts[hooksv1alpha1.ProviderWebex]()
	other := newTenant(ctx, a.creds)
	start := time.Now()
	key := other.create(ctx, "prompt", a.spec("prompt"), nil)
	Eventually(func(g Gomega) {
		c := ready(g, get(g, ctx, key))
		g.Expect(c.Reason).To(Equal(hooksv1alpha1.ReasonAvailable))
	}, 10*time.Second).Should(Succeed())
	GinkgoWriter.Printf("Webhook of %s Ready %s after its creation\n", whose, time.Since(start))
}

var _ = Describe("Tenancy: Secrets in memory", func() {
	ctx := context.Background()

	It("watches Secrets as metadata only and reads the data of referenced Secrets alone", func() {
		a := accounts[hooksv1alpha1.ProviderWebex]()
		t := newTenant(ctx, a.creds)
		t.secret(ctx, "unrelated", map[string]string{"payload": strings.Repeat("x", 4096)})
		key := t.create(ctx, "reader", a.spec("reader"), nil)
		expectAvailable(ctx, key)
		var sawWatch bool
		for _, r := range secretRequests.all() {
			isWatchOrList := r.method == http.MethodGet && !strings.Contains(r.url, "/secrets/")
			if isWatchOrList {
				sawWatch = true
				Expect(r.accept).To(ContainSubstring("as=PartialObjectMetadata"), "a list or watch of Secrets with their data: %s", r.url)
				continue
			}
			Expect(r.url).NotTo(ContainSubstring("/secrets/unrelated"), "an unreferenced Secret was read")
		}
		Expect(sawWatch).To(BeTrue(), "the operator watches Secrets")
	})
})

var _ = Describe("Tenancy: namespace-scoped operator", Ordered, func() {
	ctx := context.Background()
	var inside, outside tenant
	var acct account

	BeforeAll(func() {
		acct = accounts[hooksv1alpha1.ProviderWebex]()
		inside, outside = newTenant(ctx, acct.creds), newTenant(ctx, acct.creds)
		stopOperator()
		operatorNamespaces = []string{inside.ns}
		startOperator()
		DeferCleanup(func() {
			stopOperator()
			operatorNamespaces = nil
			startOperator()
		})
	})

	It("manages the Webhooks of its namespaces and never touches one outside", func() {
		out := outside.create(ctx, "outside", acct.spec("outside"), nil)
		in := inside.create(ctx, "inside", acct.spec("inside"), nil)
		expectAvailable(ctx, in)
		Consistently(func(g Gomega) {
			wh := get(g, ctx, out)
			g.Expect(wh.Finalizers).To(BeEmpty())
			g.Expect(wh.Status.Conditions).To(BeEmpty())
		}, "3s").Should(Succeed())
		Expect(acct.remotes()).To(HaveLen(1), "only the Webhook inside has a remote webhook")
		for _, r := range secretRequests.all() {
			Expect(r.url).NotTo(ContainSubstring("/namespaces/"+outside.ns+"/"), "a request about Secrets outside the watched namespaces")
		}
		// The operator that later specs run watches every namespace: it would create this one's
		// remote webhook in the middle of whichever spec comes next and counts Webex requests.
		Expect(k8sClient.Delete(ctx, &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: out.Namespace, Name: out.Name}})).To(Succeed())
		expectGone(ctx, out)
	})
})
