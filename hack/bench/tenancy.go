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

// The tenancy phases run after the outage, once every other figure is taken: what one tenant
// does must not cost another one time or memory.
//
//   - Unrelated Secrets: many large Secrets in a namespace no Webhook uses, and the operator's
//     resident memory before and after.
//   - Accounts that come and go: the operator's resident memory before many accounts with a few
//     Webhooks each, and once they are gone and the operator has had the time to drop them.
//   - Hung credentials: Webhooks of one namespace, of a provider whose Webhooks name their own
//     server (the first such in providers/catalog), on a server that accepts connections and
//     never answers, spread over 1, 2 and then 5 credentials; each time one Webhook of another
//     namespace on a working simulator (of the first provider whose server is an operator flag),
//     timed from its creation until it is Ready.

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

const (
	// hungNamespace, with the round's count of credentials after a dash, holds the hung
	// Webhooks of a round and their credentials.
	hungNamespace = "hung"
	// neighbourNamespace holds the Webhooks timed while hung ones wait, one per round.
	neighbourNamespace = "neighbour"
	// unrelatedNamespace holds the Secrets that no Webhook uses.
	unrelatedNamespace = "unrelated"

	// defaultHungWebhooks, defaultUnrelatedSecrets and defaultChurnAccounts are the defaults of
	// -hung-webhooks, -unrelated-secrets and -churn-accounts; the targets are stated for them.
	defaultHungWebhooks     = 50
	defaultUnrelatedSecrets = 1000
	defaultChurnAccounts    = 50
	// unrelatedSecretBytes is the size of the random data of each unrelated Secret.
	unrelatedSecretBytes = 64 << 10

	// hungTargetSeconds is the longest the neighbour may take to be Ready at the operator's
	// default flags (10 workers, --http-timeout 30s); targetWorkers is that default.
	hungTargetSeconds = 5.0
	targetWorkers     = 10
	// unrelatedTargetMiB is the most resident memory the unrelated Secrets may add.
	unrelatedTargetMiB = 5.0
	// churnTargetPercent is how far above its baseline the resident memory may end once the
	// accounts have come and gone.
	churnTargetPercent = 10.0

	// hungStartWait bounds the wait for the operator's first connection to the hung server;
	// hungSettle is the further wait, so that the operator has taken up every hung Webhook
	// before the neighbour is created.
	hungStartWait = 30 * time.Second
	hungSettle    = 3 * time.Second
	// neighbourWait bounds the wait for the neighbour: longer than two SaaS timeouts of the
	// operator (--http-timeout, 30s by default), so that an operator that makes it wait behind
	// the hung Webhooks still gets a figure rather than an error.
	neighbourWait = 90 * time.Second
	// neighbourPoll is how often the neighbour is read while the bench waits for it.
	neighbourPoll = 50 * time.Millisecond

	// rssSamples readings of VmRSS, rssSampleEvery apart, give each RSS figure (their median).
	rssSamples     = 7
	rssSampleEvery = 500 * time.Millisecond
	// secretsSettle is how long the operator is left alone before each reading of its memory:
	// after the outage's recovery, and after the last unrelated Secret (whose watch events arrive
	// within a second).
	secretsSettle = 5 * time.Second
)

// tenancyEnv is what the tenancy phases use of the run.
type tenancyEnv struct {
	c    client.Client // without a rate limit
	sims *localenv.Simulators
	rep  *replica // the tenancy phases run with one operator process
	// timeout and poll bound and pace the waits for many Webhooks, as in the other phases.
	timeout, poll time.Duration
	out           io.Writer // for the progress lines of a long wait
	step, say     func(format string, args ...any)
}

// tenancyPhases counts the tenancy phases that o runs.
func (o options) tenancyPhases() int {
	n := 0
	for _, size := range []int{o.unrelatedSecrets, o.churnAccounts, o.hungWebhooks, o.fairWebhooks} {
		if size > 0 {
			n++
		}
	}
	return n
}

// runTenancy runs the tenancy phases that o asks for and records their figures in res. The
// memory phases come first: the requests stuck on the hung server would add to the memory. The
// fairness phase comes last: the Webhooks it leaves in the operator's memory are no one's concern.
func runTenancy(ctx context.Context, o options, e tenancyEnv, res *results) error {
	if o.unrelatedSecrets > 0 {
		if err := unrelatedPhase(ctx, o, e, res); err != nil {
			return err
		}
	}
	if o.churnAccounts > 0 {
		if err := churnPhase(ctx, o, e, res); err != nil {
			return err
		}
	}
	if o.hungWebhooks > 0 {
		if err := hungPhase(ctx, o, e, res); err != nil {
			return err
		}
	}
	if o.fairWebhooks > 0 {
		return fairPhase(ctx, o, e, res)
	}
	return nil
}

// unrelatedPhase runs the unrelated-Secrets phase and records its figures.
func unrelatedPhase(ctx context.Context, o options, e tenancyEnv, res *results) error {
	e.step("Unrelated Secrets: %d Secrets of %d KiB of random data in namespace %s, which no Webhook uses; the operator's RSS before and after",
		o.unrelatedSecrets, unrelatedSecretBytes>>10, unrelatedNamespace)
	sr, err := unrelatedSecrets(ctx, e.c, e.rep.op, o.unrelatedSecrets, o.workers)
	if err != nil {
		return err
	}
	added := float64(sr.added()) / (1 << 20)
	res.UnrelatedSecretsRSSMiB = &added
	res.UnrelatedSecretsRSSBeforeMiB = float64(sr.before) / (1 << 20)
	res.UnrelatedSecretsRSSAfterMiB = float64(sr.after) / (1 << 20)
	e.say("      VmRSS %.1f MiB before, %.1f MiB after: %+.1f MiB", res.UnrelatedSecretsRSSBeforeMiB, res.UnrelatedSecretsRSSAfterMiB, added)
	return nil
}

// readySummary describes the Ready conditions of the Webhooks of namespace, for an error.
func readySummary(ctx context.Context, c client.Client, namespace string) string {
	w := &watcher{c: c, namespace: namespace}
	s, err := w.look(ctx)
	if err != nil {
		return "(cannot list them: " + err.Error() + ")"
	}
	if s.ready == s.total {
		return fmt.Sprintf("%d, all Ready", s.total)
	}
	return fmt.Sprintf("%d, %d Ready; not Ready: %s", s.total, s.ready, s.summary())
}

// dropWebhooks deletes every Webhook of namespace and removes their finalizers, so that they
// are gone at once whatever the operator is doing with them, and waits until they are gone.
func dropWebhooks(ctx context.Context, c client.Client, namespace string) error {
	if err := c.DeleteAllOf(ctx, &hooksv1alpha1.Webhook{}, client.InNamespace(namespace)); err != nil {
		return fmt.Errorf("deleting the Webhooks of namespace %s: %w", namespace, err)
	}
	for {
		var list hooksv1alpha1.WebhookList
		if err := c.List(ctx, &list, client.InNamespace(namespace)); err != nil {
			return fmt.Errorf("listing the Webhooks of namespace %s: %w", namespace, err)
		}
		if len(list.Items) == 0 {
			return nil
		}
		// Once deleted, a Webhook takes no new finalizer, so one pass normally suffices; the loop
		// covers a Webhook whose deletion had not been recorded yet when it was listed.
		for i := range list.Items {
			h := &list.Items[i]
			if len(h.Finalizers) == 0 {
				continue
			}
			before := h.DeepCopy()
			h.Finalizers = nil
			if err := c.Patch(ctx, h, client.MergeFrom(before)); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("removing the finalizers of Webhook %s/%s: %w", namespace, h.Name, err)
			}
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
}

// secretsResult is what the unrelated-Secrets phase measured, in bytes.
type secretsResult struct {
	before, after uint64 // the operator's VmRSS: medians of rssSamples readings
}

// added is the resident memory the Secrets added; negative when the operator shrank.
func (r secretsResult) added() int64 { return int64(r.after) - int64(r.before) }

// unrelatedSecrets runs the unrelated-Secrets phase: count Secrets of unrelatedSecretBytes random
// bytes in a namespace no Webhook uses, with the operator's VmRSS read before and after.
func unrelatedSecrets(ctx context.Context, c client.Client, op *localenv.Operator, count, workers int) (res secretsResult, err error) {
	if err := localenv.EnsureNamespace(ctx, c, unrelatedNamespace); err != nil {
		return res, err
	}
	// The same quiet time before the first reading as before the second one, after the churn of
	// the outage's recovery.
	if err := sleepWatching(ctx, secretsSettle, op); err != nil {
		return res, err
	}
	if res.before, err = medianRSS(ctx, op); err != nil {
		return res, err
	}
	err = forEach(ctx, count, workers, func(ctx context.Context, i int) error {
		data := make([]byte, unrelatedSecretBytes)
		_, _ = rand.Read(data) // crypto/rand.Read never fails
		s := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: unrelatedNamespace, Name: fmt.Sprintf("unrelated-%05d", i)},
			Data:       map[string][]byte{"blob": data},
		}
		attempts := 0
		return retry(ctx, func() error {
			attempts++
			err := c.Create(ctx, s)
			if apierrors.IsAlreadyExists(err) && attempts > 1 {
				return nil
			}
			return err
		}, "creating Secret %s/%s", s.Namespace, s.Name)
	})
	if err != nil {
		return res, err
	}
	if err := sleepWatching(ctx, secretsSettle, op); err != nil {
		return res, err
	}
	res.after, err = medianRSS(ctx, op)
	return res, err
}

// medianRSS reads the operator's VmRSS rssSamples times, rssSampleEvery apart, and returns the
// median, which a garbage collection or a resync in the middle does not move.
func medianRSS(ctx context.Context, op *localenv.Operator) (uint64, error) {
	path := fmt.Sprintf("/proc/%d/status", op.PID())
	samples := make([]uint64, 0, rssSamples)
	for i := range rssSamples {
		if i > 0 {
			if err := sleepWatching(ctx, rssSampleEvery, op); err != nil {
				return 0, err
			}
		}
		v, err := procStatusBytes(path, "VmRSS")
		if err != nil {
			if op.Exited() {
				return 0, fmt.Errorf("the operator exited (%s)", op.ExitStatus())
			}
			return 0, fmt.Errorf("reading the operator's resident memory: %w", err)
		}
		samples = append(samples, v)
	}
	return median(samples), nil
}

// median returns the middle value of samples (the upper one of the two middle values for an
// even count); 0 for none.
func median(samples []uint64) uint64 {
	if len(samples) == 0 {
		return 0
	}
	s := append([]uint64(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
