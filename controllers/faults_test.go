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
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	apsfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
)

// This file is the fault-injection suite: every spec breaks something between the operator, the
// SaaS and the API server, then counts what the simulators hold. The promise each one checks is
// the same: every Webhook Ready, exactly one remote webhook each, none left over.

// expectExactlyOne checks that the account holds exactly one remote webhook per Webhook, each
// the one its status names, and nothing else.
func expectExactlyOne(g Gomega, ctx context.Context, a account, keys ...client.ObjectKey) {
	var want []string
	for _, key := range keys {
		wh := get(g, ctx, key)
		c := ready(g, wh)
		g.Expect(c.Reason).To(Equal(hooksv1alpha1.ReasonAvailable), "%s: %s", key.Name, c.Message)
		want = append(want, wh.Status.ID)
	}
	var have []string
	for _, r := range a.remotes() {
		have = append(have, r.id)
	}
	sort.Strings(want)
	sort.Strings(have)
	g.Expect(have).To(Equal(want), "one remote webhook per Webhook, and no other")
}

// failStatusOnce makes the operator's first status write that records a remote id for the named
// Webhook fail with err; it reports whether it fired. then runs right after the failure.
func failStatusOnce(key client.ObjectKey, err error, then func()) *atomic.Bool {
	var fired atomic.Bool
	f := func(obj client.Object) error {
		wh, ok := obj.(*hooksv1alpha1.Webhook)
		if !ok || client.ObjectKeyFromObject(wh) != key || wh.Status.ID == "" {
			return nil
		}
		if !fired.CompareAndSwap(false, true) {
			return nil
		}
		if then != nil {
			then()
		}
		return err
	}
	statusPatchFault.Store(&f)
	DeferCleanup(func() { statusPatchFault.Store(nil) })
	return &fired
}

// requestSync asks for an immediate reconcile, as `kubectl annotate` would.
func requestSync(ctx context.Context, key client.ObjectKey) {
	patchWebhook(ctx, key, func(wh *hooksv1alpha1.Webhook) {
		if wh.Annotations == nil {
			wh.Annotations = map[string]string{}
		}
		wh.Annotations[hooksv1alpha1.AnnotationReconcileRequestedAt] = time.Now().Format(time.RFC3339Nano)
	})
}

// mixedEnv is one namespace holding a fresh account of every provider, each with its own
// credentials Secret named creds-<provider>.
type mixedEnv struct {
	ns    string
	accts map[hooksv1alpha1.ProviderType]account
}

var providerOrder = []hooksv1alpha1.ProviderType{
	hooksv1alpha1.ProviderWebex, hooksv1alpha1.ProviderEightByEight, hooksv1alpha1.ProviderAutodesk, hooksv1alpha1.ProviderPageSeeder,
}

func newMixedEnv(ctx context.Context) *mixedEnv {
	e := &mixedEnv{ns: newNamespace(ctx), accts: map[hooksv1alpha1.ProviderType]account{}}
	for _, p := range providerOrder {
		a := accounts[p]()
		e.accts[p] = a
		Expect(k8sClient.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: credsName(p)},
			StringData: a.creds})).To(Succeed())
	}
	return e
}

func credsName(p hooksv1alpha1.ProviderType) string { return "creds-" + strings.ToLower(string(p)) }

// create makes n Webhooks of provider p, named <provider>-<prefix>-<i>. 8x8 allows one webhook per
// sub-account and type, so each 8x8 Webhook gets its own sub-account.
func (e *mixedEnv) create(ctx context.Context, p hooksv1alpha1.ProviderType, prefix string, n int) []client.ObjectKey {
	var keys []client.ObjectKey
	for i := range n {
		name := fmt.Sprintf("%s-%s-%d", strings.ToLower(string(p)), prefix, i)
		wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name}, Spec: e.accts[p].spec(name)}
		wh.Spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: credsName(p)}
		if wh.Spec.EightByEight != nil {
			wh.Spec.EightByEight.SubAccountID = name
		}
		if wh.Spec.Autodesk != nil {
			// APS allows one hook per callback, scope and event: the callback differs by name already.
			wh.Spec.Autodesk.Scope = map[string]string{"folder": "urn:adsk.wipprod:fs.folder:co." + name}
		}
		Expect(k8sClient.Create(ctx, wh)).To(Succeed())
		keys = append(keys, client.ObjectKeyFromObject(wh))
	}
	return keys
}

// each runs fn for every provider's account.
func (e *mixedEnv) each(fn func(p hooksv1alpha1.ProviderType, a account)) {
	for _, p := range providerOrder {
		fn(p, e.accts[p])
	}
}

var _ = Describe("Crash safety: exactly one remote webhook per Webhook", func() {
	ctx := context.Background()

	DescribeTable("when the SaaS applied the create but its response was lost",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			e.injectFault(simulator.Fault{Method: http.MethodPost, Path: e.createPath, DropResponse: true, Times: 1})
			key := e.create(ctx, "lost-response")
			Eventually(func(g Gomega) { expectExactlyOne(g, ctx, e.account, key) }).Should(Succeed())
			Consistently(func(g Gomega) { expectExactlyOne(g, ctx, e.account, key) }).WithTimeout(2 * time.Second).Should(Succeed())
		}, allProviders())

	DescribeTable("when the status write after the create fails with a conflict",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := client.ObjectKey{Namespace: e.ns, Name: "status-conflict"}
			fired := failStatusOnce(key, apierrors.NewConflict(schema.GroupResource{Group: hooksv1alpha1.GroupVersion.Group, Resource: "webhooks"},
				key.Name, errors.New("the object has been modified")), nil)
			e.create(ctx, key.Name)
			Eventually(func(g Gomega) { expectExactlyOne(g, ctx, e.account, key) }).Should(Succeed())
			Expect(fired.Load()).To(BeTrue(), "the status write was failed once")
		}, allProviders())

	DescribeTable("when the operator is killed between the create and the status write",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := client.ObjectKey{Namespace: e.ns, Name: "killed"}
			killed := make(chan struct{})
			failStatusOnce(key, errors.New("operator killed"), func() {
				go func() {
					stopOperator()
					close(killed)
				}()
			})
			e.create(ctx, key.Name)
			Eventually(killed).WithTimeout(time.Minute).Should(BeClosed())
			// Dead operator: the SaaS holds the webhook, the Webhook does not know it.
			Expect(e.remotes()).To(HaveLen(1))
			Expect(get(Default, ctx, key).Status.ID).To(BeEmpty())
			startOperator()
			Eventually(func(g Gomega) { expectExactlyOne(g, ctx, e.account, key) }).Should(Succeed())
			Expect(get(Default, ctx, key).Status.ID).To(Equal(e.remotes()[0].id))
		}, allProviders())

	DescribeTable("when the Webhook is restored from a backup, with or without the external-id annotation",
		func(p hooksv1alpha1.ProviderType, withAnnotation bool) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "restored", func(wh *hooksv1alpha1.Webhook) {
				wh.Spec.DeletionPolicy = hooksv1alpha1.DeletionPolicyOrphan
			})
			id := expectAvailable(ctx, key).Status.ID
			// Lost with the cluster: the remote webhook stays.
			Expect(k8sClient.Delete(ctx, e.webhook("restored"))).To(Succeed())
			expectGone(ctx, key)
			Expect(e.remotes()).To(HaveLen(1))

			e.create(ctx, "restored", func(wh *hooksv1alpha1.Webhook) {
				if withAnnotation {
					wh.Annotations = map[string]string{hooksv1alpha1.AnnotationExternalID: id}
				}
			})
			Eventually(func(g Gomega) { expectExactlyOne(g, ctx, e.account, key) }).Should(Succeed())
			Expect(get(Default, ctx, key).Status.ID).To(Equal(id), "the same remote webhook, adopted")
			Eventually(func(g Gomega) {
				g.Expect(eventReasons(g, ctx, e.ns, "restored")).To(ContainElement("Adopted"))
			}).Should(Succeed())
		},
		Entry("Webex, with the annotation", hooksv1alpha1.ProviderWebex, true),
		Entry("Webex, by its name marker", hooksv1alpha1.ProviderWebex, false),
		Entry("EightByEight, with the annotation", hooksv1alpha1.ProviderEightByEight, true),
		Entry("EightByEight, by its natural key", hooksv1alpha1.ProviderEightByEight, false),
		Entry("Autodesk, with the annotation", hooksv1alpha1.ProviderAutodesk, true),
		Entry("Autodesk, by its natural key", hooksv1alpha1.ProviderAutodesk, false),
		Entry("PageSeeder, with the annotation", hooksv1alpha1.ProviderPageSeeder, true),
		Entry("PageSeeder, by its name", hooksv1alpha1.ProviderPageSeeder, false),
	)

	DescribeTable("never adopts a remote webhook that another Webhook manages",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			owner := e.create(ctx, "owner")
			id := expectAvailable(ctx, owner).Status.ID
			thief := e.create(ctx, "thief", func(wh *hooksv1alpha1.Webhook) {
				wh.Annotations = map[string]string{hooksv1alpha1.AnnotationExternalID: id}
			})
			wh := expectReason(ctx, thief, metav1.ConditionFalse, hooksv1alpha1.ReasonConflict)
			Expect(ready(Default, wh).Message).To(ContainSubstring(e.ns + "/owner"))
			Expect(wh.Status.ID).To(BeEmpty())
			Expect(e.remotes()).To(HaveLen(1))
			Expect(e.remotes()[0].target).To(Equal("https://hooks.example.com/owner"), "not overwritten")

			// Deleting the claimant leaves the owner's webhook alone.
			Expect(k8sClient.Delete(ctx, e.webhook("thief"))).To(Succeed())
			expectGone(ctx, thief)
			Eventually(func(g Gomega) { expectExactlyOne(g, ctx, e.account, owner) }).Should(Succeed())
		}, allProviders())
})

var _ = Describe("Self-healing", func() {
	ctx := context.Background()

	DescribeTable("creates a remote webhook deleted out of band again at the next resync",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "deleted-out-of-band")
			id := expectAvailable(ctx, key).Status.ID
			e.deleteRemote(id)
			Expect(e.remotes()).To(BeEmpty())
			Eventually(func(g Gomega) {
				expectExactlyOne(g, ctx, e.account, key)
				g.Expect(e.remotes()[0].target).To(Equal("https://hooks.example.com/deleted-out-of-band"))
			}).WithTimeout(3 * resyncPeriod).Should(Succeed())
		}, allProviders())

	DescribeTable("corrects a remote webhook changed out of band at the next resync",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "changed-out-of-band")
			id := expectAvailable(ctx, key).Status.ID
			want := e.remotes()[0]
			e.changeRemote(id)
			Expect(e.remotes()[0]).NotTo(Equal(want))
			Eventually(func(g Gomega) {
				expectExactlyOne(g, ctx, e.account, key)
				g.Expect(e.remotes()[0]).To(Equal(want))
			}).WithTimeout(3 * resyncPeriod).Should(Succeed())
		}, allProviders())

	DescribeTable("re-activates a webhook the SaaS disabled after the delay, doubling it each time, with an event each time",
		func(p hooksv1alpha1.ProviderType, disabledState string) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "flaky-receiver")
			id := expectAvailable(ctx, key).Status.ID
			for round, delay := range []time.Duration{reactivationDelay, 2 * reactivationDelay} {
				e.disableRemote(id)
				requestSync(ctx, key)
				wh := expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonRemoteDisabled)
				disabledAt := time.Now()
				Expect(wh.Status.State).To(Equal(disabledState))
				Expect(ready(Default, wh).Message).To(ContainSubstring("after " + delay.String()))
				wh = expectAvailable(ctx, key)
				Expect(time.Since(disabledAt)).To(BeNumerically(">=", delay-time.Second), "not before the delay")
				Expect(wh.Status.Reactivations).To(Equal(int32(round + 1)))
				Expect(wh.Status.ID).To(Equal(id), "re-activated, not replaced")
			}
			Eventually(func(g Gomega) {
				var n, warnings int
				for _, r := range eventReasons(g, ctx, e.ns, "flaky-receiver") {
					switch r {
					case "Reactivated":
						n++
					case hooksv1alpha1.ReasonRemoteDisabled:
						warnings++
					}
				}
				g.Expect(n).To(Equal(2), "one Reactivated event per re-activation")
				g.Expect(warnings).To(Equal(2), "one RemoteDisabled warning per disable")
			}).Should(Succeed())
			Expect(e.remotes()).To(HaveLen(1))
		},
		Entry("Webex", hooksv1alpha1.ProviderWebex, "inactive"),
		Entry("EightByEight (disabled in the 8x8 portal)", hooksv1alpha1.ProviderEightByEight, "disabled"),
		Entry("Autodesk", hooksv1alpha1.ProviderAutodesk, "inactive"),
	)

	It("leaves re-activation to APS when autoReactivateHook is set", func() {
		e := newLifecycleEnv(ctx, hooksv1alpha1.ProviderAutodesk)
		key := e.create(ctx, "self-reactivating", func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.Autodesk.AutoReactivateHook = ptr.To(true)
		})
		id := expectAvailable(ctx, key).Status.ID
		e.disableRemote(id)
		requestSync(ctx, key)
		wh := expectReason(ctx, key, metav1.ConditionFalse, hooksv1alpha1.ReasonRemoteDisabled)
		Expect(ready(Default, wh).Message).To(ContainSubstring("re-activates it itself"))
		// Well past the re-activation delay, the operator has not touched it.
		Consistently(func() string { h, _ := aps.Hook(id); return h.Status }).
			WithTimeout(3 * reactivationDelay).Should(Equal("inactive"))
		aps.UpdateOutOfBand(id, func(h *apsfake.Hook) { h.Status = "reactivated" })
		requestSync(ctx, key)
		wh = expectAvailable(ctx, key)
		Expect(wh.Status.State).To(Equal("reactivated"))
		Expect(wh.Status.Reactivations).To(BeZero())
	})
})

var _ = Describe("Rate limits per credential", func() {
	ctx := context.Background()

	DescribeTable("a 429 for one Webhook pauses every Webhook of the same credential until Retry-After, and no other",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			e.injectFault(simulator.Fault{Path: e.apiPath, Status: http.StatusTooManyRequests, RetryAfter: "4", Times: 1})
			first := e.create(ctx, "first")
			expectReason(ctx, first, metav1.ConditionFalse, hooksv1alpha1.ReasonRateLimited)
			hitAt := time.Now()
			sent := e.requests()

			// Other Webhooks of the same credential wait too, without a request...
			mixed := newMixedEnv(ctx)
			var others []client.ObjectKey
			for i := range 3 {
				name := fmt.Sprintf("other-%d", i)
				others = append(others, e.create(ctx, name, func(wh *hooksv1alpha1.Webhook) {
					if wh.Spec.EightByEight != nil {
						wh.Spec.EightByEight.SubAccountID = name
					}
					if wh.Spec.Autodesk != nil {
						wh.Spec.Autodesk.Scope = map[string]string{"folder": "urn:adsk.wipprod:fs.folder:co." + name}
					}
				}))
			}
			// ...while another account of the same SaaS goes on.
			elsewhere := mixed.create(ctx, p, "elsewhere", 1)
			expectAvailable(ctx, elsewhere[0])
			for _, k := range others {
				expectReason(ctx, k, metav1.ConditionFalse, hooksv1alpha1.ReasonRateLimited)
			}
			Consistently(e.requests).WithTimeout(4*time.Second-time.Since(hitAt)-500*time.Millisecond).
				Should(Equal(sent), "no request on this credential before Retry-After")

			keys := append([]client.ObjectKey{first}, others...)
			Eventually(func(g Gomega) { expectExactlyOne(g, ctx, e.account, keys...) }).Should(Succeed())
			Expect(time.Since(hitAt)).To(BeNumerically(">=", 3500*time.Millisecond))
		}, allProviders())
})

var _ = Describe("Fault injection", Ordered, func() {
	ctx := context.Background()

	// batch creates n Webhooks per provider in a mixed namespace and returns the keys per provider.
	batch := func(e *mixedEnv, prefix string, n int) map[hooksv1alpha1.ProviderType][]client.ObjectKey {
		out := map[hooksv1alpha1.ProviderType][]client.ObjectKey{}
		e.each(func(p hooksv1alpha1.ProviderType, _ account) { out[p] = e.create(ctx, p, prefix, n) })
		return out
	}
	expectAllExactlyOne := func(e *mixedEnv, timeout time.Duration, keys ...map[hooksv1alpha1.ProviderType][]client.ObjectKey) {
		Eventually(func(g Gomega) {
			e.each(func(p hooksv1alpha1.ProviderType, a account) {
				var all []client.ObjectKey
				for _, k := range keys {
					all = append(all, k[p]...)
				}
				expectExactlyOne(g, ctx, a, all...)
			})
		}).WithTimeout(timeout).WithPolling(500 * time.Millisecond).Should(Succeed())
	}

	It("rides out a 30-second 503 outage of every SaaS", func() {
		e := newMixedEnv(ctx)
		before := batch(e, "before", 2)
		expectAllExactlyOne(e, time.Minute, before)

		e.each(func(_ hooksv1alpha1.ProviderType, a account) {
			a.injectFault(simulator.Fault{Status: http.StatusServiceUnavailable, Message: "maintenance"})
		})
		start := time.Now()
		during := batch(e, "during", 2)
		for p, keys := range during {
			for _, k := range keys {
				expectReason(ctx, k, metav1.ConditionFalse, hooksv1alpha1.ReasonProviderUnavailable)
			}
			// A change made during the outage is applied after it.
			patchWebhook(ctx, before[p][0], e.accts[p].inPlace)
		}
		time.Sleep(30*time.Second - time.Since(start))
		e.each(func(_ hooksv1alpha1.ProviderType, a account) { a.sim.ClearFaults() })

		// The work queue's backoff is at most 32s after 30s of failures.
		expectAllExactlyOne(e, 90*time.Second, before, during)
		e.each(func(p hooksv1alpha1.ProviderType, a account) {
			var changed int
			for _, r := range a.remotes() {
				if a.inPlaceDone(r) {
					changed++
				}
			}
			Expect(changed).To(Equal(1), "%s: the change made during the outage is applied", p)
		})
	})

	It("survives responses slower than the client timeout, applied or not", func() {
		e := newMixedEnv(ctx)
		e.each(func(_ hooksv1alpha1.ProviderType, a account) {
			// Held past the 2s client timeout before the SaaS sees it: not applied.
			a.injectFault(simulator.Fault{Delay: httpTimeout + time.Second, Times: 2})
			// Applied, then the answer never comes back in time.
			a.injectFault(simulator.Fault{Method: http.MethodPost, Path: a.createPath, DropResponse: true, Hang: true, Times: 2})
		})
		keys := batch(e, "slow", 3)
		expectAllExactlyOne(e, 90*time.Second, keys)
	})

	It("survives connection resets before and after the SaaS applied a request", func() {
		e := newMixedEnv(ctx)
		e.each(func(_ hooksv1alpha1.ProviderType, a account) {
			a.injectFault(simulator.Fault{Reset: true, Times: 2})
			a.injectFault(simulator.Fault{Method: http.MethodPost, Path: a.createPath, DropResponse: true, Times: 2})
		})
		keys := batch(e, "reset", 3)
		expectAllExactlyOne(e, 90*time.Second, keys)
	})

	It("gets through a 429 storm", func() {
		e := newMixedEnv(ctx)
		e.each(func(_ hooksv1alpha1.ProviderType, a account) {
			a.injectFault(simulator.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1", Times: 15})
		})
		keys := batch(e, "storm", 5)
		expectAllExactlyOne(e, 2*time.Minute, keys)
	})

	It("creates exactly one remote webhook each when the operator restarts in the middle of a batch of 50", func() {
		e := newMixedEnv(ctx)
		e.each(func(_ hooksv1alpha1.ProviderType, a account) {
			// Slow creates, so that the restart finds some done, some in flight and some not begun.
			a.injectFault(simulator.Fault{Method: http.MethodPost, Path: a.createPath, Delay: 150 * time.Millisecond})
		})
		keys := map[hooksv1alpha1.ProviderType][]client.ObjectKey{}
		for i, p := range providerOrder {
			n := 12
			if i < 2 {
				n = 13
			}
			keys[p] = e.create(ctx, p, "batch", n)
		}
		Eventually(func() int {
			var list hooksv1alpha1.WebhookList
			Expect(k8sClient.List(ctx, &list, client.InNamespace(e.ns))).To(Succeed())
			n := 0
			for _, wh := range list.Items {
				if wh.Status.ID != "" {
					n++
				}
			}
			return n
		}).WithPolling(20 * time.Millisecond).Should(BeNumerically(">=", 10))
		restartOperator()
		e.each(func(_ hooksv1alpha1.ProviderType, a account) { a.sim.ClearFaults() })
		expectAllExactlyOne(e, 2*time.Minute, keys)
	})
})

var _ = Describe("Deletion that ends", func() {
	ctx := context.Background()

	DescribeTable("gives up after the deletion timeout when the credentials are revoked, naming what it left behind",
		func(p hooksv1alpha1.ProviderType) {
			e := newLifecycleEnv(ctx, p)
			key := e.create(ctx, "revoked")
			id := expectAvailable(ctx, key).Status.ID
			secret := &corev1.Secret{}
			Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: e.ns, Name: "creds"}, secret)).To(Succeed())
			secret.Data = nil
			secret.StringData = e.badCreds
			Expect(k8sClient.Update(ctx, secret)).To(Succeed())
			Expect(k8sClient.Delete(ctx, e.webhook("revoked"))).To(Succeed())
			deletedAt := time.Now()
			expectGone(ctx, key)
			Expect(time.Since(deletedAt)).To(BeNumerically(">=", deletionTimeout-time.Second), "it retried first")
			Eventually(func(g Gomega) {
				var list corev1.EventList
				g.Expect(k8sClient.List(ctx, &list, client.InNamespace(e.ns))).To(Succeed())
				var notes []string
				for _, ev := range list.Items {
					if ev.Reason == "RemoteLeftBehind" && ev.Type == corev1.EventTypeWarning {
						notes = append(notes, ev.Message)
					}
				}
				g.Expect(notes).To(ContainElement(ContainSubstring(id)))
			}).Should(Succeed())
			Expect(e.remotes()).To(HaveLen(1), "left behind, as the event says")
		}, allProviders())
})
