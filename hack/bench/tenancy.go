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

// The two tenancy phases run after the outage, once every other figure is taken: what one
// tenant does must not cost another one time or memory.
//
//   - A hung account: Webhooks of one account of a provider whose Webhooks name their own server
//     (the first such in providers/catalog), on a server that accepts connections and never
//     answers, then one Webhook of another namespace on a working simulator (of the first provider
//     whose server is an operator flag), timed from its creation until it is Ready.
//   - Unrelated Secrets: many large Secrets in a namespace no Webhook uses, and the operator's
//     resident memory before and after.

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/localenv"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

const (
	// hungNamespace holds the Webhooks of the hung account and their credentials.
	hungNamespace = "hung"
	// neighbourNamespace holds the one Webhook timed while the hung account waits.
	neighbourNamespace = "neighbour"
	// unrelatedNamespace holds the Secrets that no Webhook uses.
	unrelatedNamespace = "unrelated"

	// defaultHungWebhooks and defaultUnrelatedSecrets are the defaults of -hung-webhooks and
	// -unrelated-secrets; the targets are stated for them.
	defaultHungWebhooks     = 50
	defaultUnrelatedSecrets = 1000
	// unrelatedSecretBytes is the size of the random data of each unrelated Secret.
	unrelatedSecretBytes = 64 << 10

	// hungTargetSeconds is the longest the neighbour may take to be Ready at the operator's
	// default flags (10 workers, --http-timeout 30s); targetWorkers is that default.
	hungTargetSeconds = 5.0
	targetWorkers     = 10
	// unrelatedTargetMiB is the most resident memory the unrelated Secrets may add.
	unrelatedTargetMiB = 5.0

	// hungStartWait bounds the wait for the operator's first connection to the hung server;
	// hungSettle is the further wait, so that the operator has taken up every hung Webhook
	// before the neighbour is created.
	hungStartWait = 30 * time.Second
	hungSettle    = 3 * time.Second
	// neighbourWait bounds the wait for the neighbour: longer than two SaaS timeouts of the
	// operator (--http-timeout, 30s by default), so that an operator that makes it wait behind
	// the hung account still gets a figure rather than an error.
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

// hungServer accepts TCP connections and never answers: it reads what it is sent and throws it
// away until the peer or Close ends the connection. It stands for a SaaS server that hangs.
type hungServer struct {
	ln       net.Listener
	accepted atomic.Int64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// startHungServer listens on a free port of 127.0.0.1.
func startHungServer() (*hungServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the hung server: %w", err)
	}
	h := &hungServer{ln: ln, conns: map[net.Conn]struct{}{}}
	h.wg.Add(1)
	go h.serve()
	return h, nil
}

func (h *hungServer) serve() {
	defer h.wg.Done()
	for {
		conn, err := h.ln.Accept()
		if err != nil {
			return // closed
		}
		h.mu.Lock()
		if h.closed {
			h.mu.Unlock()
			_ = conn.Close()
			return
		}
		h.accepted.Add(1)
		h.conns[conn] = struct{}{}
		h.wg.Add(1)
		h.mu.Unlock()
		go func() {
			defer h.wg.Done()
			_, _ = io.Copy(io.Discard, conn)
			h.mu.Lock()
			delete(h.conns, conn)
			h.mu.Unlock()
			_ = conn.Close()
		}()
	}
}

// URL is the server's root, as spec.pageSeeder.serverUrl takes it.
func (h *hungServer) URL() string { return "http://" + h.ln.Addr().String() }

// Accepted counts the connections accepted so far.
func (h *hungServer) Accepted() int { return int(h.accepted.Load()) }

// Close stops accepting, closes every open connection and waits for the goroutines to end.
func (h *hungServer) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	_ = h.ln.Close()
	for conn := range h.conns {
		_ = conn.Close()
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// hungResult is what the hung-account phase measured.
type hungResult struct {
	ready       time.Duration // from the neighbour's creation until it was seen Ready
	timedOut    bool          // the neighbour was not Ready within neighbourWait; ready is that wait
	connections int           // connections the hung server accepted during the phase
	notReady    string        // the neighbour's Ready condition when it timed out
}

// hungProviders picks the providers of the hung-account phase: the first of the catalog whose
// Webhooks name their own server (which the phase points at the hung one), and the first whose
// server is an operator flag (the neighbour, on its simulator).
func hungProviders() (hung, neighbour providers.Descriptor, err error) {
	var foundHung, foundNeighbour bool
	for _, d := range catalog.All() {
		switch {
		case d.TenantEndpoints && !foundHung:
			hung, foundHung = d, true
		case !d.TenantEndpoints && !foundNeighbour:
			neighbour, foundNeighbour = d, true
		}
	}
	if !foundHung || !foundNeighbour {
		return hung, neighbour, fmt.Errorf("the hung-account phase needs a provider whose Webhooks name their server and one whose server is a flag; " +
			"pass -hung-webhooks 0 to skip it")
	}
	return hung, neighbour, nil
}

// hungSpec is Webhook i of the hung account: d's sample, its endpoint field pointed at serverURL.
func hungSpec(d providers.Descriptor, serverURL, secret string, i int) (hooksv1alpha1.WebhookSpec, error) {
	spec := d.Sample()
	spec.TargetURL = fmt.Sprintf("https://receiver.example.com/hung/%03d", i)
	spec.CredentialsRef = hooksv1alpha1.LocalObjectReference{Name: secret}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&spec)
	if err != nil {
		return spec, err
	}
	if err := unstructured.SetNestedField(obj, serverURL, strings.Split(d.EndpointField, ".")...); err != nil {
		return spec, fmt.Errorf("setting spec.%s: %w", d.EndpointField, err)
	}
	var out hooksv1alpha1.WebhookSpec
	err = runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &out)
	return out, err
}

// hungCredentials fills the smallest of d's credential key sets with made-up values: the hung
// server never gets to check them.
func hungCredentials(d providers.Descriptor) map[string]string {
	keys := slices.MinFunc(d.CredentialKeys, func(a, b []string) int { return len(a) - len(b) })
	creds := map[string]string{}
	for _, k := range keys {
		creds[k] = "bench-hung-" + randomHex(16)
	}
	return creds
}

// hungAccount runs the hung-account phase (see hungProviders): hungWebhooks Webhooks of one
// account on a server that never answers, then one Webhook in another namespace, timed until
// Ready.
// The hung Webhooks are deleted at the end without waiting for the operator: their finalizers
// are removed, since the operator would retry their deletion until --deletion-timeout.
func hungAccount(ctx context.Context, c client.Client, sims *localenv.Simulators, op *localenv.Operator,
	hungWebhooks int, say func(string, ...any)) (res hungResult, err error) {
	hd, nd, err := hungProviders()
	if err != nil {
		return res, err
	}
	hs, err := startHungServer()
	if err != nil {
		return res, err
	}
	defer func() {
		// Remove the hung Webhooks before the server closes, so that the operator does not get to
		// retry them against a closed port for the rest of the run.
		if ctx.Err() == nil {
			cleanupCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if derr := dropWebhooks(cleanupCtx, c, hungNamespace); derr != nil && err == nil {
				err = derr
			}
			cancel()
		}
		hs.Close()
	}()

	if err := localenv.EnsureNamespace(ctx, c, hungNamespace); err != nil {
		return res, err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: hungNamespace, Name: hd.Name + "-hung"},
		StringData: hungCredentials(hd),
	}
	if err := c.Create(ctx, secret); err != nil {
		return res, fmt.Errorf("creating the Secret %s/%s: %w", hungNamespace, secret.Name, err)
	}
	err = forEach(ctx, hungWebhooks, 10, func(ctx context.Context, i int) error {
		spec, err := hungSpec(hd, hs.URL(), secret.Name, i)
		if err != nil {
			return err
		}
		return create(ctx, c, &hooksv1alpha1.Webhook{
			ObjectMeta: metav1.ObjectMeta{Namespace: hungNamespace, Name: fmt.Sprintf("hung-%03d", i)},
			Spec:       spec,
		})
	})
	if err != nil {
		return res, err
	}

	// Wait until the operator is at work on the hung account: its first connection, then a
	// little longer for the rest of the hung Webhooks to reach the workers.
	deadline := time.Now().Add(hungStartWait)
	for hs.Accepted() == 0 {
		if op.Exited() {
			return res, fmt.Errorf("the operator exited (%s)", op.ExitStatus())
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("the operator did not connect to the hung server %s within %s (is %s in its --endpoint-allowlist?); "+
				"the hung Webhooks are: %s", hs.URL(), hungStartWait, localenv.LoopbackAllowlist, readySummary(ctx, c, hungNamespace))
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return res, err
		}
	}
	if err := sleepWatching(ctx, hungSettle, op); err != nil {
		return res, err
	}
	say("      the operator opened %d connection(s) to the hung server %s", hs.Accepted(), hs.URL())

	// The neighbour: a fresh account on a working simulator, its Secret created before the clock
	// starts.
	if err := localenv.EnsureNamespace(ctx, c, neighbourNamespace); err != nil {
		return res, err
	}
	account := sims.Get(nd.Type).NewAccount("bench-neighbour-" + randomHex(12))
	creds := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: neighbourNamespace, Name: nd.Name + "-neighbour"},
		StringData: account.Credentials,
	}
	if err := c.Create(ctx, creds); err != nil {
		return res, fmt.Errorf("creating the Secret %s/%s: %w", neighbourNamespace, creds.Name, err)
	}
	neighbour := &hooksv1alpha1.Webhook{
		ObjectMeta: metav1.ObjectMeta{Namespace: neighbourNamespace, Name: "neighbour"},
		Spec: hooksv1alpha1.WebhookSpec{
			Provider:       nd.Type,
			TargetURL:      "https://receiver.example.com/neighbour",
			CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: creds.Name},
		},
	}
	account.Spec(&neighbour.Spec, 0)
	start := time.Now()
	if err := create(ctx, c, neighbour); err != nil {
		return res, err
	}
	deadline = start.Add(neighbourWait)
	for {
		var h hooksv1alpha1.Webhook
		err := c.Get(ctx, client.ObjectKeyFromObject(neighbour), &h)
		now := time.Now()
		if err == nil && isReady(&h) {
			res.ready = now.Sub(start)
			break
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if op.Exited() {
			return res, fmt.Errorf("the operator exited (%s)", op.ExitStatus())
		}
		if now.After(deadline) {
			res.ready, res.timedOut = neighbourWait, true
			res.notReady = "no Ready condition"
			if err != nil {
				res.notReady = "the last Get failed: " + err.Error()
			} else if cond := meta.FindStatusCondition(h.Status.Conditions, hooksv1alpha1.ConditionReady); cond != nil {
				res.notReady = fmt.Sprintf("Ready=%s, reason %s: %s", cond.Status, cond.Reason, cond.Message)
			}
			break
		}
		if err := sleep(ctx, neighbourPoll); err != nil {
			return res, err
		}
	}
	res.connections = hs.Accepted()
	return res, nil
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
