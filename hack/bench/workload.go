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

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// account is one set of credentials on one simulator, and the Secret that holds them.
type account struct {
	provider hooksv1alpha1.ProviderType
	// secret is the name of the credentials Secret.
	secret string
	simulator.Account
}

// workload is the Webhooks of a run and the accounts they use. The same specs serve the floor
// and the operator's run.
type workload struct {
	n int
	// spread puts every perNamespace Webhooks of one provider into a namespace of their own, with
	// one account of their own (namespaces[k] and nsAccounts[k]); without it every Webhook goes
	// into the namespace its caller names and uses the shared accounts.
	spread     bool
	namespaces map[int]string
	nsAccounts map[int]account
	// providerOrder is how the Webhooks take turns: Webhook i goes to providerOrder[i%len]. It is
	// the catalog's order.
	providerOrder []hooksv1alpha1.ProviderType
	accounts      map[hooksv1alpha1.ProviderType][]account
	// shared (sharedCluster or sharedNamespace) spreads the Webhooks over the namespaces
	// tenants, which share one account per provider (accounts[p][0]); "" for the other layouts.
	shared  string
	tenants []string
}

// newWorkload registers perProvider fresh accounts with each simulator. Only these credentials
// are valid: the simulators do not take any credentials as they come.
func newWorkload(sims *localenv.Simulators, n, perProvider int) *workload {
	w := &workload{n: n, accounts: map[hooksv1alpha1.ProviderType][]account{}}
	for _, sim := range sims.All {
		w.providerOrder = append(w.providerOrder, sim.Provider)
		for i := range perProvider {
			w.accounts[sim.Provider] = append(w.accounts[sim.Provider], account{
				provider: sim.Provider,
				secret:   fmt.Sprintf("%s-%d", strings.ToLower(string(sim.Provider)), i),
				Account:  sim.NewAccount("bench-" + randomHex(12)),
			})
		}
	}
	return w
}

// perNamespace is how many Webhooks share a namespace when they are spread.
const perNamespace = 10

// spreadNamespacePrefix names the namespaces of a spread workload: bench-0000, bench-0001, ...
// The names are simply numbered, as the bench's Webhooks are: FNV-1a puts names that differ only
// in their last characters close together in hash space, and the per-replica report shows what
// that does to the split rather than names picked to even it out.
const spreadNamespacePrefix = benchNamespace + "-"

// newSpreadWorkload spreads n Webhooks over namespaces of perNamespace Webhooks of one provider
// each, about n/perNamespace of them, and registers one fresh account per namespace with its
// provider's simulator. The providers still take turns over the Webhooks.
func newSpreadWorkload(sims *localenv.Simulators, n int) *workload {
	w := &workload{n: n, spread: true, accounts: map[hooksv1alpha1.ProviderType][]account{},
		namespaces: map[int]string{}, nsAccounts: map[int]account{}}
	for _, sim := range sims.All {
		w.providerOrder = append(w.providerOrder, sim.Provider)
	}
	for i := range n {
		k := w.namespaceIndex(i)
		if _, ok := w.namespaces[k]; ok {
			continue
		}
		sim := sims.Get(w.providerOrder[i%len(w.providerOrder)])
		w.namespaces[k] = fmt.Sprintf("%s%04d", spreadNamespacePrefix, k)
		w.nsAccounts[k] = account{
			provider: sim.Provider,
			secret:   strings.ToLower(string(sim.Provider)) + "-0",
			Account:  sim.NewAccount("bench-" + randomHex(12)),
		}
	}
	return w
}

// namespaceIndex is the namespace of Webhook i of a spread workload: the j-th Webhook of
// provider p goes to namespace (j/perNamespace)*providers + p.
func (w *workload) namespaceIndex(i int) int {
	p := len(w.providerOrder)
	return (i/p/perNamespace)*p + i%p
}

// namespaceOf returns the namespace Webhook i belongs in: its own for a spread workload, else
// def.
func (w *workload) namespaceOf(i int, def string) string {
	switch {
	case w.spread:
		return w.namespaces[w.namespaceIndex(i)]
	case len(w.tenants) > 0:
		return w.tenants[w.tenantIndex(i)]
	}
	return def
}

// namespaceList returns the namespaces of a spread workload in order; nil otherwise.
func (w *workload) namespaceList() []string {
	keys := make([]int, 0, len(w.namespaces))
	for k := range w.namespaces {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, w.namespaces[k])
	}
	return out
}

// createSpreadSecrets creates the namespaces of a spread workload and the credentials Secret of
// each, with workers workers.
func (w *workload) createSpreadSecrets(ctx context.Context, c client.Client, workers int) error {
	keys := make([]int, 0, len(w.namespaces))
	for k := range w.namespaces {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return forEach(ctx, len(keys), workers, func(ctx context.Context, i int) error {
		k := keys[i]
		ns, a := w.namespaces[k], w.nsAccounts[k]
		if err := localenv.EnsureNamespace(ctx, c, ns); err != nil {
			return err
		}
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: a.secret}, StringData: a.Credentials}
		return retry(ctx, func() error {
			err := c.Create(ctx, s)
			if apierrors.IsAlreadyExists(err) {
				return nil
			}
			return err
		}, "creating the Secret %s/%s", ns, a.secret)
	})
}

// createSecrets creates the credentials Secret of every account in namespace.
func (w *workload) createSecrets(ctx context.Context, c client.Client, namespace string) error {
	for _, p := range w.providerOrder {
		for _, a := range w.accounts[p] {
			s := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: a.secret},
				StringData: a.Credentials,
			}
			if err := c.Create(ctx, s); err != nil {
				return fmt.Errorf("creating the Secret %s/%s: %w", namespace, a.secret, err)
			}
		}
	}
	return nil
}

// webhook returns Webhook i of the workload in namespace. The providers take turns, and the
// Webhooks of a provider take turns over its accounts. Every Webhook has a natural key of its
// own on its SaaS: its own targetUrl everywhere, and besides its own 8x8 sub-account and its own
// APS folder.
func (w *workload) webhook(i int, namespace string) *hooksv1alpha1.Webhook {
	p := w.providerOrder[i%len(w.providerOrder)]
	var a account
	if w.spread {
		a = w.nsAccounts[w.namespaceIndex(i)]
	} else {
		accts := w.accounts[p]
		a = accts[(i/len(w.providerOrder))%len(accts)]
	}
	spec := hooksv1alpha1.WebhookSpec{
		Provider:       p,
		TargetURL:      fmt.Sprintf("https://receiver.example.com/bench/%06d", i),
		CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: a.secret},
	}
	a.Spec(&spec, i)
	if w.shared == sharedCluster {
		onClusterAccount(&spec, clusterAccountName(a))
	}
	return &hooksv1alpha1.Webhook{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: fmt.Sprintf("hook-%06d", i)},
		Spec:       spec,
	}
}

// apply creates every Webhook of the workload in namespace (in its own namespace when the
// workload is spread) with workers workers.
func (w *workload) apply(ctx context.Context, c client.Client, namespace string, workers int) error {
	return forEach(ctx, w.n, workers, func(ctx context.Context, i int) error {
		return create(ctx, c, w.webhook(i, w.namespaceOf(i, namespace)))
	})
}

// floor creates every Webhook of the workload in namespace and patches each status once to
// Ready, as an operator that needed nothing else would: the least an operator has to write. It
// returns the time from the first create to the last patch.
func (w *workload) floor(ctx context.Context, c client.Client, namespace string, workers int) (time.Duration, error) {
	start := time.Now()
	err := forEach(ctx, w.n, workers, func(ctx context.Context, i int) error {
		h := w.webhook(i, namespace)
		if err := create(ctx, c, h); err != nil {
			return err
		}
		before := h.DeepCopy()
		h.Status.ObservedGeneration = h.Generation
		meta.SetStatusCondition(&h.Status.Conditions, metav1.Condition{
			Type: hooksv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: hooksv1alpha1.ReasonAvailable,
			Message: "set by the bench's floor client", ObservedGeneration: h.Generation,
		})
		return retry(ctx, func() error { return c.Status().Patch(ctx, h, client.MergeFrom(before)) },
			"patching the status of Webhook %s/%s", h.Namespace, h.Name)
	})
	return time.Since(start), err
}

// create creates obj, retrying on errors that a busy API server may answer. When a retry finds
// the object already there, an earlier attempt created it, and obj is read back.
func create(ctx context.Context, c client.Client, obj client.Object) error {
	attempts := 0
	return retry(ctx, func() error {
		attempts++
		err := c.Create(ctx, obj)
		if apierrors.IsAlreadyExists(err) && attempts > 1 {
			return c.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		}
		return err
	}, "creating Webhook %s/%s", obj.GetNamespace(), obj.GetName())
}

// maxAttempts bounds retry.
const maxAttempts = 5

// retry calls fn until it succeeds, fails in a way that another try will not mend, or has
// failed maxAttempts times, waiting longer after each failure. what and args describe the call
// in the error.
func retry(ctx context.Context, fn func() error, what string, args ...any) error {
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if attempt == maxAttempts || !transient(err) {
			return fmt.Errorf(what+": %w", append(args, err)...)
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		wait *= 2
	}
}

// transient reports whether err is an answer of an API server too busy to serve the request now.
func transient(err error) bool {
	return apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) ||
		apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err) || apierrors.IsUnexpectedServerError(err)
}

// forEach calls do for 0..n-1 on workers goroutines and returns the first error; the first
// error cancels the calls that have not started.
func forEach(ctx context.Context, n, workers int, do func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	next := make(chan int)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := do(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// randomHex returns n random bytes in hexadecimal.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// createAccounts makes the run's workload in the layout o asks for, creates the namespaces
// and the accounts' credentials (and ClusterAccounts), and says where they are. All of it
// comes before the operator starts, so that its first view of the namespaces has them all.
func (b *benchRun) createAccounts(ctx context.Context) error {
	o := b.o
	switch {
	case o.spread:
		b.w = newSpreadWorkload(b.sims, o.n)
		b.res.Parameters.Namespaces = len(b.w.namespaces)
	case o.sharedAccounts != "":
		b.w = newSharedWorkload(b.sims, o.n, o.tenants, o.accounts, o.sharedAccounts)
		b.res.Parameters.Namespaces = len(b.w.tenants)
	default:
		b.w = newWorkload(b.sims, o.n, o.accounts)
	}
	namespaces := []string{benchNamespace, floorNamespace}
	if o.sharded() {
		namespaces = append(namespaces, shardLeaseNamespace)
	}
	for _, ns := range namespaces {
		if err := localenv.EnsureNamespace(ctx, b.observer, ns); err != nil {
			return err
		}
	}
	w, host := b.w, b.cp.Config.Host
	switch {
	case o.sharedAccounts != "":
		if err := w.createShared(ctx, b.observer, o.workers); err != nil {
			return err
		}
		b.say("      API server %s; %d namespaces %s to %s, %s", host, len(w.tenants), w.tenants[0], w.tenants[len(w.tenants)-1],
			w.sharedSetup())
	case o.spread:
		if err := w.createSpreadSecrets(ctx, b.observer, o.workers); err != nil {
			return err
		}
		gates := ""
		if b.gates != "" {
			gates = " (feature gates " + b.gates + ")"
		}
		b.say("      API server %s%s; %d namespaces %s to %s, one credentials Secret and account each", host, gates,
			len(w.namespaces), w.namespaceList()[0], w.namespaceList()[len(w.namespaces)-1])
	default:
		if err := w.createSecrets(ctx, b.observer, benchNamespace); err != nil {
			return err
		}
		b.say("      API server %s; %d credentials Secrets in namespace %s", host, o.accounts*len(b.sims.All), benchNamespace)
	}
	return nil
}
