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
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

const (
	// churnNamespace holds the accounts that come and go: their Secrets and Webhooks.
	churnNamespace = "churn"
	// churnWebhooksPerAccount is how many Webhooks each of them has: a few, so that each
	// account's snapshot and claims hold more than one remote webhook.
	churnWebhooksPerAccount = 3
	// sweepMinIdle mirrors the operator (controllers, SetupWithManager): it drops an account that
	// no reconcile asked for during max(sweepMinIdle, --resync-period), by a sweep every half of
	// that. sweepMargin covers the last reconciles of the deletions and a late tick.
	sweepMinIdle = time.Minute
	sweepMargin  = 10 * time.Second
)

// churnWait is how long the churn phase waits once the accounts' Webhooks and Secrets are gone:
// an account idle for idle is dropped by the next sweep, and sweeps come every idle/2, so the
// last one is gone after at most one and a half idle times. The operator's idle time cannot be
// shortened from outside, so -resync only lengthens this wait.
func churnWait(resync time.Duration) time.Duration {
	idle := max(sweepMinIdle, resync)
	return idle + idle/2 + sweepMargin
}

// memReading is the operator's memory at one point of the churn phase.
type memReading struct {
	rss     uint64  // VmRSS in bytes, the median of rssSamples readings
	heapMiB float64 // the live heap after the forced garbage collection
}

// readMemory forces a garbage collection in the operator (the heap profile of its pprof
// endpoint with gc=1, which also gives the live heap) and then reads its VmRSS: each reading of
// the phase starts from a finished collection, not from wherever the collector's cycle was.
func readMemory(ctx context.Context, r *replica) (memReading, error) {
	heap, _, _, err := heapProfile(ctx, r.pprofAddr, "", "")
	if err != nil {
		return memReading{}, err
	}
	rss, err := medianRSS(ctx, r.op)
	return memReading{rss: rss, heapMiB: heap}, err
}

// churnResult is what the churn phase measured.
type churnResult struct {
	// baseline is before the accounts, loaded once all their Webhooks were Ready, after once
	// they had gone and the wait had passed.
	baseline, loaded, after memReading
	webhooks                int
	wait                    time.Duration
}

// changePercent is how far after is above the baseline, in percent of it (negative below).
func (r churnResult) changePercent() float64 {
	if r.baseline.rss == 0 {
		return 0
	}
	return (float64(r.after.rss)/float64(r.baseline.rss) - 1) * 100
}

// churnPhase runs the phase of the accounts that come and go and records its figures.
func churnPhase(ctx context.Context, o options, e tenancyEnv, res *results) error {
	wait := churnWait(o.resync)
	e.step("Accounts that come and go: %d accounts with %d Webhooks each in namespace %s, made Ready, then deleted with their Secrets; "+
		"the operator's RSS before, and %s after (one and a half idle times of the operator's account sweep, and a margin)",
		o.churnAccounts, churnWebhooksPerAccount, churnNamespace, round(wait))
	cr, err := churnAccounts(ctx, o, e, wait)
	if err != nil {
		return err
	}
	const mib = 1 << 20
	change := cr.changePercent()
	res.ChurnRSSChangePercent = &change
	res.ChurnRSSBaselineMiB, res.ChurnRSSLoadedMiB, res.ChurnRSSAfterMiB =
		float64(cr.baseline.rss)/mib, float64(cr.loaded.rss)/mib, float64(cr.after.rss)/mib
	res.ChurnHeapBaselineMiB, res.ChurnHeapLoadedMiB, res.ChurnHeapAfterMiB = cr.baseline.heapMiB, cr.loaded.heapMiB, cr.after.heapMiB
	res.ChurnWaitSeconds = cr.wait.Seconds()
	e.say("      VmRSS %.1f MiB before, %.1f MiB with the accounts, %.1f MiB after: %+.1f%%; live heap %.1f, %.1f and %.1f MiB",
		res.ChurnRSSBaselineMiB, res.ChurnRSSLoadedMiB, res.ChurnRSSAfterMiB, change,
		res.ChurnHeapBaselineMiB, res.ChurnHeapLoadedMiB, res.ChurnHeapAfterMiB)
	return nil
}

// churnAccounts brings o.churnAccounts accounts into the operator and takes them away again, with
// a reading of its memory before, with them, and wait after they went.
func churnAccounts(ctx context.Context, o options, e tenancyEnv, wait time.Duration) (res churnResult, err error) {
	if err := localenv.EnsureNamespace(ctx, e.c, churnNamespace); err != nil {
		return res, err
	}
	// The same quiet time before the baseline as before the other readings of memory.
	if err := sleepWatching(ctx, secretsSettle, e.rep.op); err != nil {
		return res, err
	}
	if res.baseline, err = readMemory(ctx, e.rep); err != nil {
		return res, err
	}
	accounts := newChurnAccounts(e.sims, o.churnAccounts)
	res.webhooks = len(accounts) * churnWebhooksPerAccount
	start := time.Now()
	if err := createChurn(ctx, e.c, accounts, o.workers); err != nil {
		return res, err
	}
	w := &watcher{c: e.c, namespace: churnNamespace, n: res.webhooks, poll: e.poll, ops: []*localenv.Operator{e.rep.op}, out: e.out}
	readyAt, err := w.allReady(ctx, start, e.timeout, nil)
	if err != nil {
		return res, err
	}
	if res.loaded, err = readMemory(ctx, e.rep); err != nil {
		return res, err
	}
	e.say("      %d Webhooks of %d accounts Ready after %s; deleting them and their Secrets", res.webhooks, len(accounts), round(readyAt.Sub(start)))
	if err := dropChurn(ctx, e); err != nil {
		return res, err
	}
	e.say("      gone; waiting %s", round(wait))
	res.wait = wait
	if err := sleepWatching(ctx, wait, e.rep.op); err != nil {
		return res, err
	}
	res.after, err = readMemory(ctx, e.rep)
	return res, err
}

// newChurnAccounts registers n fresh accounts, the providers taking turns, so that every
// provider's kind of account comes and goes.
func newChurnAccounts(sims *localenv.Simulators, n int) []account {
	out := make([]account, n)
	for j := range out {
		sim := sims.All[j%len(sims.All)]
		out[j] = account{
			provider: sim.Provider,
			secret:   fmt.Sprintf("churn-%02d", j),
			Account:  sim.NewAccount("bench-churn-" + randomHex(12)),
		}
	}
	return out
}

// createChurn creates the Secret of each account and its churnWebhooksPerAccount Webhooks in
// churnNamespace, with workers workers.
func createChurn(ctx context.Context, c client.Client, accounts []account, workers int) error {
	return forEach(ctx, len(accounts), workers, func(ctx context.Context, j int) error {
		a := accounts[j]
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: churnNamespace, Name: a.secret}, StringData: a.Credentials}
		if err := c.Create(ctx, s); err != nil {
			return fmt.Errorf("creating the Secret %s/%s: %w", churnNamespace, a.secret, err)
		}
		for m := range churnWebhooksPerAccount {
			spec := hooksv1alpha1.WebhookSpec{
				Provider:       a.provider,
				TargetURL:      fmt.Sprintf("https://receiver.example.com/churn/%02d/%d", j, m),
				CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: a.secret},
			}
			a.Spec(&spec, j*churnWebhooksPerAccount+m)
			h := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: churnNamespace, Name: fmt.Sprintf("churn-%02d-%d", j, m)}, Spec: spec}
			if err := create(ctx, c, h); err != nil {
				return err
			}
		}
		return nil
	})
}

// dropChurn deletes the accounts' Webhooks, through the operator, which deletes their remote
// webhooks first, and then their Secrets, which that needed.
func dropChurn(ctx context.Context, e tenancyEnv) error {
	if err := deleteAll(ctx, e.c, churnNamespace, e.timeout, e.poll); err != nil {
		return err
	}
	return retry(ctx, func() error {
		return e.c.DeleteAllOf(ctx, &corev1.Secret{}, client.InNamespace(churnNamespace))
	}, "deleting the Secrets of namespace %s", churnNamespace)
}
