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

// The fairness phase: one namespace creates many Webhooks on a ClusterAccount at once, and
// another namespace's first Webhook on the same ClusterAccount is timed from its creation until
// it is Ready. The operator gives a freed slot of a shared account to the waiting namespace that
// holds fewest of them, so the newcomer must not wait behind the busy namespace's queue.

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

const (
	// fairBusyNamespace creates the many Webhooks; fairFirstNamespace the one that is timed.
	fairBusyNamespace  = "fair-busy"
	fairFirstNamespace = "fair-first"
	// fairAccount names the phase's ClusterAccount and its Secret.
	fairAccount = "bench-fair"
	// defaultFairWebhooks is the default of -fair-webhooks; the target is stated for it.
	defaultFairWebhooks = 500
	// fairTargetSeconds is the longest the first Webhook may take to be Ready, at the operator's
	// default workers.
	fairTargetSeconds = 5.0
	// fairFigure is the JSON name of the first Webhook's time, as its target names it.
	fairFigure = "fairAccount.readySeconds"
)

// fairResult is what the fairness phase measured; it goes into the JSON as it is.
type fairResult struct {
	// Provider is the ClusterAccount's.
	Provider string `json:"provider"`
	// Webhooks is how many the busy namespace created, and CreateSeconds how long its client
	// (without a rate limit, o.workers at a time) took to create them all.
	Webhooks      int     `json:"webhooks"`
	CreateSeconds float64 `json:"createSeconds"`
	// BusyReadyAtStart is how many of them were Ready when the first Webhook of the other
	// namespace was created, right after the last of them; BusyReadyAtFirst how many were Ready
	// once it was.
	BusyReadyAtStart int `json:"busyReadyAtStart"`
	BusyReadyAtFirst int `json:"busyReadyAtFirst"`
	// ReadySeconds runs from the other namespace's first Webhook's creation until it was seen
	// Ready; when it was not Ready within neighbourWait, it is that wait and TimedOut is true,
	// and NotReady its Ready condition.
	ReadySeconds float64 `json:"readySeconds"`
	TimedOut     bool    `json:"timedOut,omitempty"`
	NotReady     string  `json:"notReady,omitempty"`
	// BusyAllReadySeconds runs from the busy namespace's first create until all its Webhooks
	// were Ready.
	BusyAllReadySeconds float64 `json:"busyAllReadySeconds"`
}

// fairPhase runs the fairness phase and records its figures.
func fairPhase(ctx context.Context, o options, e tenancyEnv, res *results) error {
	sim := e.sims.All[0]
	e.step("Fairness on a ClusterAccount: namespace %s creates %d %s Webhooks on ClusterAccount %s at once; right after, the first Webhook of "+
		"namespace %s on the same account, timed until Ready", fairBusyNamespace, o.fairWebhooks, sim.Name, fairAccount, fairFirstNamespace)
	fr, err := fairAccounts(ctx, o, e, sim)
	if err != nil {
		return err
	}
	res.Fair = &fr
	if fr.TimedOut {
		e.say("      the first Webhook of %s was not Ready after %s: %s", fairFirstNamespace, neighbourWait, fr.NotReady)
	} else {
		e.say("      the first Webhook of %s was Ready %s after its creation", fairFirstNamespace, round(seconds2d(fr.ReadySeconds)))
	}
	e.say("      %s created its %d Webhooks in %s; %d of them were Ready when the first of %s was created, %d when it was Ready, all %d after %s",
		fairBusyNamespace, fr.Webhooks, round(seconds2d(fr.CreateSeconds)), fr.BusyReadyAtStart, fairFirstNamespace, fr.BusyReadyAtFirst,
		fr.Webhooks, round(seconds2d(fr.BusyAllReadySeconds)))
	if fr.BusyReadyAtStart == fr.Webhooks {
		e.say("      Every Webhook of %s was Ready before the other namespace's first was created: the figure says nothing of fairness.", fairBusyNamespace)
	}
	return nil
}

// seconds2d turns seconds back into a duration, for round.
func seconds2d(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// fairAccounts runs the phase: a fresh account on sim as a ClusterAccount that permits the two
// namespaces, the busy namespace's Webhooks created as fast as the API server takes them, then
// the other namespace's first one, timed. It waits until the busy namespace's Webhooks are all
// Ready too, and removes every Webhook of the phase at its end.
func fairAccounts(ctx context.Context, o options, e tenancyEnv, sim *localenv.Simulator) (res fairResult, err error) {
	res.Provider, res.Webhooks = string(sim.Provider), o.fairWebhooks
	for _, ns := range []string{fairBusyNamespace, fairFirstNamespace, accountSecretNamespace} {
		if err := localenv.EnsureNamespace(ctx, e.c, ns); err != nil {
			return res, err
		}
	}
	defer func() {
		if ctx.Err() != nil {
			return
		}
		cleanupCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		for _, ns := range []string{fairBusyNamespace, fairFirstNamespace} {
			if derr := dropWebhooks(cleanupCtx, e.c, ns); derr != nil && err == nil {
				err = derr
			}
		}
	}()
	a := account{provider: sim.Provider, secret: fairAccount, Account: sim.NewAccount("bench-fair-" + randomHex(12))}
	ca, secret := clusterAccount(fairAccount, a, []hooksv1alpha1.AccountCondition{{Namespaces: []string{fairBusyNamespace, fairFirstNamespace}}})
	if err := createIfAbsent(ctx, e.c, secret); err != nil {
		return res, err
	}
	if err := createIfAbsent(ctx, e.c, ca); err != nil {
		return res, err
	}

	start := time.Now()
	err = forEach(ctx, o.fairWebhooks, o.workers, func(ctx context.Context, i int) error {
		return create(ctx, e.c, fairWebhook(a, fairBusyNamespace, fmt.Sprintf("busy-%04d", i), i))
	})
	if err != nil {
		return res, err
	}
	res.CreateSeconds = time.Since(start).Seconds()
	busy := &watcher{c: e.c, namespace: fairBusyNamespace, n: o.fairWebhooks, poll: e.poll, ops: []*localenv.Operator{e.rep.op}, out: e.out}
	if s, err := busy.look(ctx); err == nil {
		res.BusyReadyAtStart = s.ready
	}

	first := fairWebhook(a, fairFirstNamespace, "first", o.fairWebhooks)
	firstStart := time.Now()
	if err := create(ctx, e.c, first); err != nil {
		return res, err
	}
	took, notReady, err := waitNeighbour(ctx, e, client.ObjectKeyFromObject(first), firstStart)
	if err != nil {
		return res, err
	}
	res.ReadySeconds, res.TimedOut, res.NotReady = took.Seconds(), notReady != "", notReady
	if s, err := busy.look(ctx); err == nil {
		res.BusyReadyAtFirst = s.ready
	}
	readyAt, err := busy.allReady(ctx, start, e.timeout, nil)
	if err != nil {
		return res, fmt.Errorf("the Webhooks of namespace %s on ClusterAccount %s: %w", fairBusyNamespace, fairAccount, err)
	}
	res.BusyAllReadySeconds = readyAt.Sub(start).Seconds()
	return res, nil
}

// fairWebhook is Webhook i of the phase, on the ClusterAccount of account a, with a natural key
// and a target of its own.
func fairWebhook(a account, namespace, name string, i int) *hooksv1alpha1.Webhook {
	spec := hooksv1alpha1.WebhookSpec{Provider: a.provider, TargetURL: fmt.Sprintf("https://receiver.example.com/fair/%s/%s", namespace, name)}
	a.Spec(&spec, i)
	onClusterAccount(&spec, fairAccount)
	return &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Spec: spec}
}
