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

package sharding

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// tcpProxy forwards TCP connections to an address. Cut, it drops every connection and holds the
// new ones open without answering, as a broken route does to a client that keeps sending;
// healed, it lets the held ones go and forwards again.
type tcpProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool // both sides of every forwarded connection
	held  []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.held = append(p.held, c)
			p.mu.Unlock()
			continue
		}
		p.mu.Unlock()
		go p.forward(c)
	}
}

func (p *tcpProxy) forward(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	if p.cut {
		// Cut while dialling: the client waits, as on any other new connection.
		p.held = append(p.held, c)
		p.mu.Unlock()
		_ = up.Close()
		return
	}
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	_ = c.Close()
	_ = up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// Cut drops every connection; the new ones wait, unanswered, until Heal.
func (p *tcpProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
}

// Heal closes the connections held during the cut, so that their clients dial again, and
// forwards the new ones.
func (p *tcpProxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
	for _, c := range p.held {
		_ = c.Close()
	}
	p.held = nil
}

func (p *tcpProxy) close() {
	_ = p.ln.Close()
	p.Heal()
	p.Cut()
}

// kubeconfigVia writes a copy of the kubeconfig at from whose clusters are reached through addr.
func kubeconfigVia(t *testing.T, from, to, addr string) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, cluster := range cfg.Clusters {
		u, err := url.Parse(cluster.Server)
		if err != nil {
			t.Fatal(err)
		}
		u.Host = addr
		cluster.Server = u.String()
	}
	if err := clientcmd.WriteToFile(*cfg, to); err != nil {
		t.Fatal(err)
	}
}

// The fencing test's timing. The cut lasts long enough for the others to take the cut-off
// replica's namespaces and apply the new target URLs, and for several of its resyncs: were it
// still reconciling from its stale cache, it would put the old target URLs back.
const (
	fencingResync = 3 * time.Second
	cutAtLeast    = 3*leaseDuration + 3*fencingResync
)

// TestCutOffReplicaStopsBeforeItsLeaseRunsOut runs 3 replicas with --sharding over 48 Webhooks
// (12 namespaces, the four providers), one of them reaching the API server through a TCP proxy,
// with a resync of 3 s. The proxy is cut while the SaaS simulators stay reachable, and every
// Webhook's target URL changes during the cut. From the simulators' record of every mutating
// request (the User-Agent names the replica), the watch of the shard Leases and the end state:
// the cut-off replica makes no mutation later than its Lease duration after the cut, nor any
// after its Lease ran out; nobody ever sends an old target URL after the change; the cut-off
// replica waits while cut off, and exits once the API server answers again; started again (a new
// process under the same name, so with a Lease of its own), it takes its share, nothing flips
// back, and every Webhook is Ready with exactly one remote webhook, at its new target URL.
func TestCutOffReplicaStopsBeforeItsLeaseRunsOut(t *testing.T) {
	const nsCount = 12
	r, wc := startFencingFixture(t)
	f := r.f

	r.nss, r.accounts = f.namespaces(r.provs, nsCount, "f%02d-fencing")
	recCtx, stopRecording := context.WithCancel(f.ctx)
	rec, err := recordLeases(recCtx, wc, leaseNamespace)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { stopRecording(); <-rec.done }()

	for _, id := range []string{"replica-1", "replica-2", "replica-3"} {
		f.start(id)
	}
	f.waitSettled(r.nss, time.Minute)
	windowStart := time.Now()
	r.createWebhooks()
	waitReady(f.ctx, t, f.c, r.keys, 2*time.Minute)
	cutOff := namespacesOf(t, f, "replica-3", r.nss)
	if len(cutOff) == 0 {
		t.Fatalf("replica-3 owns none of the namespaces %v: the cut would test nothing", r.nss)
	}

	cutOffProcess := r.cutAndChange(cutOff)
	r.healAndRestart(cutOffProcess)
	// Several resyncs of every replica, the new one included: nothing may flip back.
	time.Sleep(3 * fencingResync)
	waitApplied(f.ctx, t, f.c, r.keys, time.Minute)
	windowEnd := time.Now()

	stopRecording()
	<-rec.done
	events, err := rec.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	cov, err := intervals(events, r.nss, windowEnd)
	if err != nil {
		t.Fatal(err)
	}
	checkLeaseIdentities(t, events)
	checkCoverage(t, cov, r.nss, windowStart, windowEnd, nil)
	checkMutations(t, r.provs, cov, r.keys, f.order)
	checkRemotes(f.ctx, t, f.c, r.provs, r.accounts, r.keys, nil)
	checkFenced(t, r.provs, r.keys, r.changedAt, r.cutAt, r.restartAt)
}

// fencingRun is the state of TestCutOffReplicaStopsBeforeItsLeaseRunsOut: the fixture, the proxy
// of replica-3, the providers, the namespaces and their accounts, the Webhooks, the cut-off
// process once replaced (first), when the cut was, when each target URL changed and when
// replica-3 started again.
type fencingRun struct {
	f         *fixture
	proxy     *tcpProxy
	provs     []provider
	nss       []string
	accounts  map[string]map[hooksv1alpha1.ProviderType]simulator.Account
	keys      []client.ObjectKey
	first     *replica
	changedAt map[client.ObjectKey]time.Time
	cutAt     time.Time
	restartAt time.Time
}

// startFencingFixture starts the control plane, the proxy replica-3 reaches it through and the
// simulators, and builds the operator; it returns the run and a client that watches.
func startFencingFixture(t *testing.T) (*fencingRun, client.WithWatch) {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is unset: no control plane (make test sets it)")
	}
	root, err := localenv.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	f := &fixture{t: t, ctx: t.Context(), state: state, kubeconfig: filepath.Join(state, "kubeconfig"),
		bin: filepath.Join(state, "manager"), replicas: map[string]*replica{}, kubeconfigs: map[string]string{},
		flags: []string{"--resync-period=" + fencingResync.String()}}
	cp, err := localenv.StartControlPlane(localenv.ControlPlaneOptions{
		Root: root, Assets: os.Getenv("KUBEBUILDER_ASSETS"), KubeconfigPath: f.kubeconfig, User: "fencing",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	if f.c, err = cp.Client(-1, 0); err != nil {
		t.Fatal(err)
	}
	wc, err := client.NewWithWatch(cp.Config, client.Options{Scheme: localenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	apiURL, err := url.Parse(cp.Config.Host)
	if err != nil {
		t.Fatal(err)
	}
	r := &fencingRun{f: f, proxy: startProxy(t, apiURL.Host)}
	f.kubeconfigs["replica-3"] = filepath.Join(state, "replica-3.kubeconfig")
	kubeconfigVia(t, f.kubeconfig, f.kubeconfigs["replica-3"], r.proxy.addr())

	latency := map[hooksv1alpha1.ProviderType]time.Duration{}
	for _, d := range catalog.All() {
		latency[d.Type] = saasLatency
	}
	sims, err := localenv.StartSimulators(localenv.SimulatorOptions{Latency: latency})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sims.Stop)
	f.simFlags = sims.OperatorFlags()
	for _, sim := range sims.All {
		r.provs = append(r.provs, provider{typ: sim.Provider, sim: sim})
	}
	if err := localenv.BuildOperator(f.ctx, root, f.bin); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		all := []*replica{}
		for _, id := range f.order {
			all = append(all, f.replicas[id])
		}
		if r.first != nil {
			all = append(all, r.first)
		}
		for _, rep := range all {
			_ = rep.op.Stop(10 * time.Second)
			if t.Failed() {
				t.Logf("%s log (%s, %s):\n%s", rep.id, rep.end, rep.log, localenv.TailFile(rep.log, 40))
			}
		}
	})
	return r, wc
}

// createWebhooks creates one Webhook per provider in every namespace, its account's one.
func (r *fencingRun) createWebhooks() {
	f, t := r.f, r.f.t
	t.Helper()
	for _, ns := range r.nss {
		for j, p := range r.provs {
			name := fmt.Sprintf("hook-%d", j)
			wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
				Spec: hooksv1alpha1.WebhookSpec{Provider: p.typ, TargetURL: targetURL(ns, name),
					CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: secretName(p.typ)}}}
			r.accounts[ns][p.typ].Spec(&wh.Spec, 0) // the account's one Webhook
			if err := f.c.Create(f.ctx, wh); err != nil {
				t.Fatalf("creating %s/%s: %v", ns, name, err)
			}
			r.keys = append(r.keys, client.ObjectKeyFromObject(wh))
		}
	}
}

// cutAndChange cuts replica-3, which owns the namespaces cutOff, off the API server and changes
// every target URL during the cut; it waits out cutAtLeast, checks that replica-3 still runs
// and returns its process.
func (r *fencingRun) cutAndChange(cutOff []string) *replica {
	f, t := r.f, r.f.t
	t.Helper()
	r.proxy.Cut()
	r.cutAt = time.Now()
	t.Logf("%s cut replica-3 off the API server; it owns %v", r.cutAt.Format("15:04:05.000"), cutOff)
	r.changedAt = map[client.ObjectKey]time.Time{}
	for _, k := range r.keys {
		var wh hooksv1alpha1.Webhook
		if err := f.c.Get(f.ctx, k, &wh); err != nil {
			t.Fatal(err)
		}
		patch := client.MergeFrom(wh.DeepCopy())
		wh.Spec.TargetURL = newTargetURL(k)
		r.changedAt[k] = time.Now()
		if err := f.c.Patch(f.ctx, &wh, patch); err != nil {
			t.Fatalf("changing %s: %v", k, err)
		}
	}
	waitApplied(f.ctx, t, f.c, r.keys, 2*time.Minute)
	if wait := time.Until(r.cutAt.Add(cutAtLeast)); wait > 0 {
		time.Sleep(wait)
	}
	cutOffProcess := f.replicas["replica-3"]
	if cutOffProcess.op.Exited() {
		t.Errorf("replica-3 exited while still cut off (%s): it should wait for the API server", cutOffProcess.op.ExitStatus())
	}
	return cutOffProcess
}

// healAndRestart heals the proxy: the cut-off process exits, with a failure and saying why in
// its log, and a new one starts in its place, as the Deployment's restart would.
func (r *fencingRun) healAndRestart(cutOffProcess *replica) {
	f, t := r.f, r.f.t
	t.Helper()
	r.proxy.Heal()
	healAt := time.Now()
	t.Logf("%s healed the proxy", healAt.Format("15:04:05.000"))
	select {
	case <-cutOffProcess.op.Done():
	case <-time.After(time.Minute):
		// The checks of the record below still say what it did meanwhile.
		t.Errorf("replica-3 still runs a minute after the proxy healed: stopping it")
		_ = cutOffProcess.op.Stop(10 * time.Second)
	}
	exitAt := time.Now()
	cutOffProcess.end = "exited"
	t.Logf("%s replica-3 exited (%s) %s after the heal", exitAt.Format("15:04:05.000"), cutOffProcess.op.ExitStatus(), exitAt.Sub(healAt).Round(time.Millisecond))
	if cutOffProcess.op.ExitStatus() == "exit status 0" {
		t.Errorf("replica-3 exited with status 0 after losing its Lease, want a failure for the Deployment to see")
	}
	logText, err := os.ReadFile(cutOffProcess.log)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"Lost shard lease", "Back in touch with the API server"} {
		if !strings.Contains(string(logText), line) {
			t.Errorf("replica-3's log lacks %q", line)
		}
	}
	r.first = cutOffProcess
	f.start("replica-3")
	r.restartAt = time.Now()
	f.waitSettled(r.nss, time.Minute)
}

// newTargetURL is the target URL a Webhook moves to during the cut.
func newTargetURL(k client.ObjectKey) string {
	return targetURL(k.Namespace, k.Name) + "?v=2"
}

// namespacesOf returns which of nss the live Lease of replica covers now.
func namespacesOf(t *testing.T, f *fixture, replica string, nss []string) []string {
	t.Helper()
	var leases coordinationv1.LeaseList
	if err := f.c.List(f.ctx, &leases, client.InNamespace(leaseNamespace), client.HasLabels{sharding.MemberLabel}); err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range leases.Items {
		l := &leases.Items[i]
		if holder(l) != replica || !leaseExpiry(l).After(time.Now()) {
			continue
		}
		covers, _, err := coverage(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, ns := range nss {
			if covers(ns) {
				out = append(out, ns)
			}
		}
	}
	return out
}

// waitApplied waits until every Webhook is Ready for its current generation: each has its new
// target URL, as far as the operator knows.
func waitApplied(ctx context.Context, t *testing.T, c client.Client, keys []client.ObjectKey, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var pending []string
		for _, k := range keys {
			var wh hooksv1alpha1.Webhook
			if err := c.Get(ctx, k, &wh); err != nil {
				t.Fatal(err)
			}
			ready := false
			for _, cond := range wh.Status.Conditions {
				if cond.Type == hooksv1alpha1.ConditionReady && cond.Status == metav1.ConditionTrue && cond.ObservedGeneration == wh.Generation {
					ready = true
				}
			}
			if !ready || wh.Status.ObservedGeneration != wh.Generation {
				pending = append(pending, k.String())
			}
		}
		if len(pending) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d Webhooks not Ready for their new target URL after %s, such as %v", len(pending), len(keys), timeout, pending[:min(5, len(pending))])
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// checkLeaseIdentities: every process wrote a Lease of its own, and two processes of one replica
// never shared one.
func checkLeaseIdentities(t *testing.T, events []leaseEvent) {
	t.Helper()
	byReplica := map[string]map[string]bool{}
	for _, e := range events {
		l := &e.lease
		if l.Spec.HolderIdentity == nil {
			continue
		}
		replica := holder(l)
		if !strings.HasPrefix(*l.Spec.HolderIdentity, replica+"-") || l.Name != sharding.LeaseName(*l.Spec.HolderIdentity) {
			t.Errorf("Lease %s of replica %s has the identity %s, want the replica's name and a suffix", l.Name, replica, *l.Spec.HolderIdentity)
		}
		if byReplica[replica] == nil {
			byReplica[replica] = map[string]bool{}
		}
		byReplica[replica][l.Name] = true
	}
	if n := len(byReplica["replica-3"]); n != 2 {
		t.Errorf("replica-3's two processes wrote %d Leases (%v), want one each", n, byReplica["replica-3"])
	}
}

// checkFenced: the cut-off process made no mutation later than a Lease duration after the cut,
// and no replica ever sent a Webhook's old target URL after it changed; and by the record, each
// Webhook's one remote webhook ends at its new target URL.
func checkFenced(t *testing.T, provs []provider, keys []client.ObjectKey, changedAt map[client.ObjectKey]time.Time, cutAt, restartAt time.Time) {
	t.Helper()
	var cutOffLast time.Time
	final := map[client.ObjectKey][]string{}
	for _, p := range provs {
		urls := map[string]string{}
		owner := map[string]client.ObjectKey{}
		for _, m := range p.sim.Mutations() {
			key, ok := webhookOf(m)
			if !ok {
				continue // checkMutations reports it
			}
			match := identityIn.FindStringSubmatch(m.UserAgent)
			when := m.Time.Format("15:04:05.000")
			if match != nil && match[1] == "replica-3" && m.Time.After(cutAt) && m.Time.Before(restartAt) {
				if m.Time.After(cutOffLast) {
					cutOffLast = m.Time
				}
				if m.Time.After(cutAt.Add(leaseDuration)) {
					t.Errorf("%s %s of Webhook %s by the cut-off replica-3 at %s, %s after the cut (its Lease lasts %s)",
						p.typ, m.Kind, key, when, m.Time.Sub(cutAt).Round(time.Millisecond), leaseDuration)
				}
			}
			if changed, ok := changedAt[key]; ok && m.Kind != simulator.MutationDelete && m.Time.After(changed) && m.TargetURL != newTargetURL(key) {
				t.Errorf("%s %s of Webhook %s by %q at %s sent target %s, after it changed to %s at %s",
					p.typ, m.Kind, key, m.UserAgent, when, m.TargetURL, newTargetURL(key), changed.Format("15:04:05.000"))
			}
			switch m.Kind {
			case simulator.MutationDelete:
				delete(urls, m.Remote)
			default:
				if m.TargetURL != "" {
					urls[m.Remote] = m.TargetURL
				}
				owner[m.Remote] = key
			}
		}
		for remote, u := range urls {
			final[owner[remote]] = append(final[owner[remote]], u)
		}
	}
	for _, k := range keys {
		if got := final[k]; len(got) != 1 || got[0] != newTargetURL(k) {
			t.Errorf("Webhook %s: by the record its remote webhooks end at %v, want one at %s", k, got, newTargetURL(k))
		}
	}
	if cutOffLast.IsZero() {
		t.Logf("fencing: the cut-off replica-3 made no mutation after the cut")
	} else {
		t.Logf("fencing: the cut-off replica-3's last mutation came %s after the cut", cutOffLast.Sub(cutAt).Round(time.Millisecond))
	}
}
