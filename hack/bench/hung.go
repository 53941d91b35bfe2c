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
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
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
	spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: secret}
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

// hungCredentialCounts are the rounds of the hung phase: the hung Webhooks of one namespace
// spread over this many credentials in turn. A namespace gets one account's share of the workers
// however many credentials it holds, so the neighbour's wait must not grow from one round to the
// next.
var hungCredentialCounts = []int{1, 2, 5}

// hungRound is what one round of the hung phase measured; it goes into the JSON as it is.
type hungRound struct {
	// Credentials is how many credentials (accounts on the hung server) the hung Webhooks used.
	Credentials int `json:"credentials"`
	// ReadySeconds runs from the neighbour's creation until it was seen Ready; when it was not
	// Ready within neighbourWait, it is that wait and TimedOut is true.
	ReadySeconds float64 `json:"readySeconds"`
	TimedOut     bool    `json:"timedOut,omitempty"`
	// Connections counts the connections the hung server accepted during the round.
	Connections int `json:"connections"`
	// NotReady is the neighbour's Ready condition when it timed out.
	NotReady string `json:"notReady,omitempty"`
}

// hungFigure is the JSON name of the neighbour's time in the round with credentials hung
// credentials, as the targets name it.
func hungFigure(credentials int) string {
	return fmt.Sprintf("hungAccounts[credentials=%d].readySeconds", credentials)
}

// hungPhase runs one round of the hung phase per entry of hungCredentialCounts and records them.
func hungPhase(ctx context.Context, o options, e tenancyEnv, res *results) error {
	hd, nd, err := hungProviders()
	if err != nil {
		return err
	}
	e.step("Hung credentials: %d %s Webhooks of one namespace on a server that never answers, spread over %s credentials in turn; "+
		"each time a fresh %s Webhook in namespace %s, timed until Ready", o.hungWebhooks, hd.ShortName, countList(hungCredentialCounts),
		nd.ShortName, neighbourNamespace)
	for _, k := range hungCredentialCounts {
		r, err := hungAccounts(ctx, e, hd, nd, o.hungWebhooks, k)
		if err != nil {
			return err
		}
		res.HungAccounts = append(res.HungAccounts, r)
		if r.TimedOut {
			e.say("      %d credential(s): the neighbour was not Ready after %s: %s", k, neighbourWait, r.NotReady)
			continue
		}
		e.say("      %d credential(s): the neighbour was Ready %s after its creation; the hung server accepted %d connection(s)",
			k, round(time.Duration(r.ReadySeconds*float64(time.Second))), r.Connections)
	}
	return nil
}

// countList spells counts as "1, 2 and 5".
func countList(counts []int) string {
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprint(c)
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// hungAccounts runs one round: webhooks Webhooks of provider hd in a namespace of the round's
// own, spread over credentials credentials, all on a server of the round's own that never
// answers; then a neighbour Webhook of provider nd on a fresh account, timed until Ready.
// Each round has its own namespace and server, and closes the server at its end, so that no
// request of a round is still stuck in a worker when the next one starts.
func hungAccounts(ctx context.Context, e tenancyEnv, hd, nd providers.Descriptor, webhooks, credentials int) (res hungRound, err error) {
	res.Credentials = credentials
	hs, err := startHungServer()
	if err != nil {
		return res, err
	}
	namespace := fmt.Sprintf("%s-%d", hungNamespace, credentials)
	defer func() {
		// The hung Webhooks go before the server closes, so that the operator does not get to
		// retry them against a closed port for the rest of the run.
		if ctx.Err() == nil {
			cleanupCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if derr := dropWebhooks(cleanupCtx, e.c, namespace); derr != nil && err == nil {
				err = derr
			}
			cancel()
		}
		hs.Close()
	}()
	if err := createHung(ctx, e.c, hd, hs.URL(), namespace, webhooks, credentials); err != nil {
		return res, err
	}
	if err := waitHungTaken(ctx, e, hs, namespace); err != nil {
		return res, err
	}
	ready, notReady, err := timeNeighbour(ctx, e, nd, credentials)
	if err != nil {
		return res, err
	}
	res.ReadySeconds, res.TimedOut, res.NotReady = ready.Seconds(), notReady != "", notReady
	res.Connections = hs.Accepted()
	return res, nil
}

// createHung creates credentials Secrets of made-up credentials in namespace, and webhooks
// Webhooks of provider d on serverURL that take turns over them.
func createHung(ctx context.Context, c client.Client, d providers.Descriptor, serverURL, namespace string, webhooks, credentials int) error {
	if err := localenv.EnsureNamespace(ctx, c, namespace); err != nil {
		return err
	}
	secrets := make([]string, credentials)
	for j := range secrets {
		s := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: fmt.Sprintf("%s-hung-%d", d.Name, j)},
			StringData: hungCredentials(d),
		}
		if err := c.Create(ctx, s); err != nil {
			return fmt.Errorf("creating the Secret %s/%s: %w", namespace, s.Name, err)
		}
		secrets[j] = s.Name
	}
	return forEach(ctx, webhooks, 10, func(ctx context.Context, i int) error {
		spec, err := hungSpec(d, serverURL, secrets[i%credentials], i)
		if err != nil {
			return err
		}
		return create(ctx, c, &hooksv1alpha1.Webhook{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: fmt.Sprintf("hung-%03d", i)},
			Spec:       spec,
		})
	})
}

// waitHungTaken waits until the operator is at work on the hung Webhooks: its first connection
// to the hung server, then hungSettle more for the rest of them to reach the workers.
func waitHungTaken(ctx context.Context, e tenancyEnv, hs *hungServer, namespace string) error {
	op := e.rep.op
	deadline := time.Now().Add(hungStartWait)
	for hs.Accepted() == 0 {
		if op.Exited() {
			return fmt.Errorf("the operator exited (%s)", op.ExitStatus())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the operator did not connect to the hung server %s within %s (is %s in its --endpoint-allowlist?); "+
				"the hung Webhooks are: %s", hs.URL(), hungStartWait, localenv.LoopbackAllowlist, readySummary(ctx, e.c, namespace))
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	return sleepWatching(ctx, hungSettle, op)
}

// timeNeighbour creates a Webhook of provider nd on a fresh account of its simulator in the
// neighbour namespace, its Secret before the clock starts, and times it until it is Ready. When
// it is not Ready within neighbourWait, it returns that wait and what its Ready condition said.
func timeNeighbour(ctx context.Context, e tenancyEnv, nd providers.Descriptor, round int) (time.Duration, string, error) {
	if err := localenv.EnsureNamespace(ctx, e.c, neighbourNamespace); err != nil {
		return 0, "", err
	}
	account := e.sims.Get(nd.Type).NewAccount("bench-neighbour-" + randomHex(12))
	creds := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: neighbourNamespace, Name: fmt.Sprintf("%s-neighbour-%d", nd.Name, round)},
		StringData: account.Credentials,
	}
	if err := e.c.Create(ctx, creds); err != nil {
		return 0, "", fmt.Errorf("creating the Secret %s/%s: %w", neighbourNamespace, creds.Name, err)
	}
	neighbour := &hooksv1alpha1.Webhook{
		ObjectMeta: metav1.ObjectMeta{Namespace: neighbourNamespace, Name: fmt.Sprintf("neighbour-%d", round)},
		Spec: hooksv1alpha1.WebhookSpec{
			Provider:       nd.Type,
			TargetURL:      fmt.Sprintf("https://receiver.example.com/neighbour/%d", round),
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: creds.Name},
		},
	}
	account.Spec(&neighbour.Spec, round)
	start := time.Now()
	if err := create(ctx, e.c, neighbour); err != nil {
		return 0, "", err
	}
	return waitNeighbour(ctx, e, client.ObjectKeyFromObject(neighbour), start)
}

// waitNeighbour reads the Webhook key until it is Ready and returns the time since start, or
// neighbourWait and its Ready condition once that has passed.
func waitNeighbour(ctx context.Context, e tenancyEnv, key client.ObjectKey, start time.Time) (time.Duration, string, error) {
	op := e.rep.op
	deadline := start.Add(neighbourWait)
	for {
		var h hooksv1alpha1.Webhook
		err := e.c.Get(ctx, key, &h)
		now := time.Now()
		if err == nil && isReady(&h) {
			return now.Sub(start), "", nil
		}
		if ctx.Err() != nil {
			return 0, "", ctx.Err()
		}
		if op.Exited() {
			return 0, "", fmt.Errorf("the operator exited (%s)", op.ExitStatus())
		}
		if now.After(deadline) {
			notReady := "no Ready condition"
			if err != nil {
				notReady = "the last Get failed: " + err.Error()
			} else if cond := meta.FindStatusCondition(h.Status.Conditions, hooksv1alpha1.ConditionReady); cond != nil {
				notReady = fmt.Sprintf("Ready=%s, reason %s: %s", cond.Status, cond.Reason, cond.Message)
			}
			return neighbourWait, notReady, nil
		}
		if err := sleep(ctx, neighbourPoll); err != nil {
			return 0, "", err
		}
	}
}
