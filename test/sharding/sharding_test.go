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

// Package sharding runs the operator as several processes with --sharding against one API server
// and the four SaaS simulators, and injects the faults a Deployment sees: a replica killed in the
// middle of a batch, one joining, one stopped gracefully, a rolling restart. From a watch of the
// shard Leases and the simulators' record of every mutating request (each names its replica in
// the User-Agent), it checks that the namespaces were never owned twice, never left unowned for
// long, and that every Webhook ends Ready with exactly one remote webhook.
package sharding

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

const (
	namespaces   = 30
	perNamespace = 10
	// waves is how many times perNamespace/waves Webhooks are created in every namespace: one
	// wave before each fault and during it, so that every handover finds work in flight.
	waves = 5
	// leaseNamespace holds the shard Leases.
	leaseNamespace = "default"
	// leaseDuration is the shard Lease of the replicas (--shard-lease-duration); they renew it
	// every third of it.
	leaseDuration = 5 * time.Second
	syncPeriod    = leaseDuration / 3
	// gapSlack is what a loaded machine may add to the longest time a namespace has no owner,
	// beyond the Lease duration and one round of the Leases. The new owner takes a namespace at
	// its first round after the previous one let go or its Lease ran out: at most syncPeriod
	// later, plus that round's API calls (two lists of Leases, a get and an update, and a list
	// of namespaces). On 2 busy cores a round's calls and the process's wake-up can each take a
	// second or more; two rounds' worth covers a round delayed past its next tick. Measured with
	// a load average of 10 on 2 cores: 1.6 s between live Leases, 5.0 to 6.5 s from a kill.
	gapSlack = 2 * syncPeriod
	// saasLatency delays every answer of the simulators, as a real SaaS's round trip would, so
	// that a replica losing a namespace still has requests in flight for it.
	saasLatency = 100 * time.Millisecond
)

// provider is one of the four providers the Webhooks use, with its simulator.
type provider struct {
	typ hooksv1alpha1.ProviderType
	sim *localenv.Simulator
}

// fixture is the control plane, the simulators and the replicas of the run.
type fixture struct {
	t          *testing.T
	ctx        context.Context
	c          client.Client
	bin, state string
	kubeconfig string
	simFlags   []string
	// kubeconfigs are the replicas that reach the API server another way than kubeconfig;
	// flags are added to every replica's.
	kubeconfigs map[string]string
	flags       []string
	replicas    map[string]*replica
	order       []string // every replica started, in order; a restarted one once
}

type replica struct {
	id   string
	op   *localenv.Operator
	log  string
	end  string    // how it ended: "", "killed", "stopped"
	died time.Time // when it was killed
}

// namespaces makes n namespaces named by format (given the index) and, in each, one account per
// provider on its simulator with its credentials Secret: every namespace is four accounts of its
// own.
func (f *fixture) namespaces(provs []provider, n int, format string) ([]string, map[string]map[hooksv1alpha1.ProviderType]simulator.Account) {
	f.t.Helper()
	var nss []string
	accounts := map[string]map[hooksv1alpha1.ProviderType]simulator.Account{}
	for i := range n {
		ns := fmt.Sprintf(format, i)
		nss = append(nss, ns)
		if err := localenv.EnsureNamespace(f.ctx, f.c, ns); err != nil {
			f.t.Fatal(err)
		}
		accounts[ns] = map[hooksv1alpha1.ProviderType]simulator.Account{}
		for _, p := range provs {
			acct := p.sim.NewAccount(fmt.Sprintf("%s-%s", ns, strings.ToLower(string(p.typ))))
			accounts[ns][p.typ] = acct
			secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: secretName(p.typ)}, StringData: acct.Credentials}
			if err := f.c.Create(f.ctx, secret); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	return nss, accounts
}

func (f *fixture) start(id string) {
	f.t.Helper()
	log := filepath.Join(f.state, id+".log")
	if _, restart := f.replicas[id]; restart {
		log = filepath.Join(f.state, fmt.Sprintf("%s.%d.log", id, time.Now().UnixNano()))
	}
	args := append(localenv.EndpointFlags(), "--metrics-bind-address=0", "--health-probe-bind-address=0",
		"--sharding", "--shard-identity="+id, "--leader-election-namespace="+leaseNamespace,
		"--shard-lease-duration="+leaseDuration.String())
	kubeconfig := f.kubeconfig
	if k, ok := f.kubeconfigs[id]; ok {
		kubeconfig = k
	}
	op, err := localenv.StartOperator(f.bin, append(append(args, f.flags...), f.simFlags...), kubeconfig, log)
	if err != nil {
		f.t.Fatal(err)
	}
	if !slices.Contains(f.order, id) {
		f.order = append(f.order, id)
	}
	f.replicas[id] = &replica{id: id, op: op, log: log}
	f.t.Logf("%s started %s", time.Now().Format("15:04:05.000"), id)
}

// kill ends the replica with SIGKILL: no chance to stop its workers or give up its Lease.
func (f *fixture) kill(id string) {
	f.t.Helper()
	r := f.replicas[id]
	r.died = time.Now()
	if err := syscall.Kill(r.op.PID(), syscall.SIGKILL); err != nil {
		f.t.Fatalf("killing %s: %v", id, err)
	}
	<-r.op.Done()
	r.end = "killed"
	f.t.Logf("%s killed %s (SIGKILL)", time.Now().Format("15:04:05.000"), id)
}

// stop ends the replica with SIGTERM and expects it to exit by itself, its Lease given up.
func (f *fixture) stop(id string) {
	f.t.Helper()
	r := f.replicas[id]
	// The grace is far above what a stop takes; the replica is killed only if it hangs.
	if err := r.op.Stop(time.Minute); err != nil {
		f.t.Fatalf("stopping %s: %v", id, err)
	}
	r.end = "stopped"
	f.t.Logf("%s stopped %s (SIGTERM): %s", time.Now().Format("15:04:05.000"), id, r.op.ExitStatus())
	if status := r.op.ExitStatus(); status != "exit status 0" {
		f.t.Errorf("%s ended with %s after SIGTERM, want exit status 0", id, status)
	}
}

func (f *fixture) live() []string {
	var ids []string
	for _, id := range f.order {
		if f.replicas[id].end == "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// waitSettled waits until the live replicas own every namespace between them, each exactly
// once, each of them owns some share, no other Lease is live, and the Leases' claims have not
// changed for two rounds: the handovers that the last change started are done.
func (f *fixture) waitSettled(nss []string, timeout time.Duration) {
	f.t.Helper()
	live := f.live()
	deadline := time.Now().Add(timeout)
	var stableSince time.Time
	var last, why string
	for {
		var leases coordinationv1.LeaseList
		if err := f.c.List(f.ctx, &leases, client.InNamespace(leaseNamespace), client.HasLabels{sharding.MemberLabel}); err != nil {
			f.t.Fatal(err)
		}
		now := time.Now()
		why = ""
		owners := map[string][]string{}
		var claims []string
		holding := map[string]bool{}
		for i := range leases.Items {
			l := &leases.Items[i]
			if !leaseExpiry(l).After(now) {
				continue
			}
			id := holder(l)
			if !slices.Contains(live, id) {
				why = fmt.Sprintf("the Lease of %s, which is not running, is still live", id)
				continue
			}
			covers, any, err := coverage(l)
			if err != nil {
				f.t.Fatal(err)
			}
			holding[id] = any
			claims = append(claims, fmt.Sprintf("%s=%v", id, l.Annotations))
			for _, ns := range nss {
				if covers(ns) {
					owners[ns] = append(owners[ns], id)
				}
			}
		}
		for _, id := range live {
			if !holding[id] {
				why = fmt.Sprintf("%s owns nothing yet", id)
			}
		}
		for _, ns := range nss {
			if len(owners[ns]) != 1 {
				why = fmt.Sprintf("namespace %s is owned by %v", ns, owners[ns])
			}
		}
		sort.Strings(claims)
		if state := strings.Join(claims, " "); why != "" || state != last {
			last, stableSince = state, now
		}
		if why == "" && now.Sub(stableSince) >= 2*syncPeriod {
			f.t.Logf("%s settled on %v", now.Format("15:04:05.000"), live)
			return
		}
		if now.After(deadline) {
			if why == "" {
				why = "the claims still change"
			}
			f.t.Fatalf("the replicas %v did not settle within %s: %s", live, timeout, why)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestFaultsNeverGiveANamespaceTwoOwners runs 3 replicas with --sharding over 300 Webhooks in 30
// namespaces and the four providers, and in order: kills one with SIGKILL in the middle of a
// batch, starts a 4th, stops one with SIGTERM, and rolls the remaining ones (each stopped, then
// its successor started under a new identity). Meanwhile a watch records the shard Leases and
// the simulators record every mutating request with the replica's identity from its User-Agent.
// At the end: every Webhook Ready with exactly one remote webhook, each mutation made while its
// replica's Lease covered the namespace, no two replicas' coverage of a namespace overlapping,
// and no namespace unowned for longer than the Lease duration, one round and gapSlack.
func TestFaultsNeverGiveANamespaceTwoOwners(t *testing.T) {
	f, wc, provs := startFaultsFixture(t)

	// The namespaces, with one Secret per provider each: every namespace is four accounts of its
	// own. The number goes first: names that differ only in their last characters hash close
	// together, and would share an owner.
	nss, accounts := f.namespaces(provs, namespaces, "t%02d-faults")
	r := &faultsRun{f: f, provs: provs, nss: nss, accounts: accounts}

	recCtx, stopRecording := context.WithCancel(f.ctx)
	rec, err := recordLeases(recCtx, wc, leaseNamespace)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { stopRecording(); <-rec.done }()

	for _, id := range []string{"replica-1", "replica-2", "replica-3"} {
		f.start(id)
	}
	f.waitSettled(nss, time.Minute)
	windowStart := time.Now()
	r.runFaults()
	waitReady(f.ctx, t, f.c, r.keys, 3*time.Minute)
	waitGone(f.ctx, t, f.c, r.gone, time.Minute)
	windowEnd := time.Now()

	stopRecording()
	<-rec.done
	events, err := rec.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	cov, err := intervals(events, nss, windowEnd)
	if err != nil {
		t.Fatal(err)
	}
	deaths := map[string]time.Time{}
	for id, rep := range f.replicas {
		if rep.end == "killed" {
			deaths[id] = rep.died
		}
	}
	checkCoverage(t, cov, nss, windowStart, windowEnd, deaths)
	all := slices.Clone(r.keys)
	for i := range r.gone {
		all = append(all, client.ObjectKeyFromObject(&r.gone[i]))
	}
	checkMutations(t, provs, cov, all, f.order)
	checkRemotes(f.ctx, t, f.c, provs, accounts, r.keys, r.gone)
}

// startFaultsFixture starts the control plane, the simulators (every SaaS answers after
// saasLatency, so that handovers find requests in flight) and builds the operator; it returns
// the fixture, a client that watches and the four providers.
func startFaultsFixture(t *testing.T) (*fixture, client.WithWatch, []provider) {
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
		bin: filepath.Join(state, "manager"), replicas: map[string]*replica{}}
	cp, err := localenv.StartControlPlane(localenv.ControlPlaneOptions{
		Root: root, Assets: os.Getenv("KUBEBUILDER_ASSETS"), KubeconfigPath: f.kubeconfig, User: "sharding",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	// No client-side limit: the test's own requests must not pace the batch.
	if f.c, err = cp.Client(-1, 0); err != nil {
		t.Fatal(err)
	}
	wc, err := client.NewWithWatch(cp.Config, client.Options{Scheme: localenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	// Every SaaS answers after saasLatency, so that handovers find requests in flight.
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
	var provs []provider
	for _, sim := range sims.All {
		provs = append(provs, provider{typ: sim.Provider, sim: sim})
	}
	if len(provs) != 4 {
		t.Fatalf("%d simulators, want the four providers", len(provs))
	}
	if err := localenv.BuildOperator(f.ctx, root, f.bin); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, id := range f.order {
			r := f.replicas[id]
			_ = r.op.Stop(10 * time.Second)
			if t.Failed() {
				t.Logf("%s log (%s):\n%s", id, r.end, localenv.TailFile(r.log, 30))
			}
		}
	})
	return f, wc, provs
}

// faultsRun is the state of TestFaultsNeverGiveANamespaceTwoOwners: its namespaces and their
// accounts, the Webhooks that stay (keys), how many were created and those deleted (gone).
type faultsRun struct {
	f        *fixture
	provs    []provider
	nss      []string
	accounts map[string]map[hooksv1alpha1.ProviderType]simulator.Account
	keys     []client.ObjectKey
	created  int
	gone     []hooksv1alpha1.Webhook
}

// runFaults runs the faults among the waves of Webhooks, waiting for the replicas to settle
// after each.
func (r *faultsRun) runFaults() {
	f, t, nss := r.f, r.f.t, r.nss
	// roll stops a replica gracefully and starts its successor under a new identity.
	roll := func(id, successor string) func() {
		return func() {
			f.stop(id)
			f.start(successor)
		}
	}

	// 1. A batch, and in the middle of the next one a replica killed.
	r.wave(nil)
	r.wave(func() { f.kill("replica-2") })
	f.waitSettled(nss, 4*leaseDuration+time.Minute)
	// 2. A 4th replica joins, and Webhooks keep coming while it takes its share.
	f.start("replica-4")
	r.wave(nil)
	f.waitSettled(nss, time.Minute)
	// 3. One stopped gracefully in the middle of a batch.
	r.wave(func() { f.stop("replica-3") })
	f.waitSettled(nss, time.Minute)
	// 4. A rolling restart of the remaining ones, one at a time, in the middle of a batch of
	// creates, then of updates and deletes.
	remaining := f.live()
	if len(remaining) != 2 {
		t.Fatalf("replicas %v remain, want 2", remaining)
	}
	r.wave(roll(remaining[0], "replica-5"))
	f.waitSettled(nss, time.Minute)
	r.change(roll(remaining[1], "replica-6"))
	f.waitSettled(nss, time.Minute)
	if r.created != namespaces*perNamespace {
		t.Fatalf("%d Webhooks created, want %d", r.created, namespaces*perNamespace)
	}
}

// wave creates the next perNamespace/waves Webhooks of every namespace, calling mid once half of
// them are created.
func (r *faultsRun) wave(mid func()) {
	f, t := r.f, r.f.t
	t.Helper()
	per := perNamespace / waves
	total := per * namespaces
	for k := range total {
		if k == total/2 && mid != nil {
			mid()
		}
		ns := r.nss[k%namespaces]
		idx := r.created / namespaces // the Webhook's index in its namespace
		p := r.provs[(k+idx)%len(r.provs)]
		name := fmt.Sprintf("hook-%02d", idx)
		wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: hooksv1alpha1.WebhookSpec{Provider: p.typ, TargetURL: targetURL(ns, name),
				CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: secretName(p.typ)}}}
		r.accounts[ns][p.typ].Spec(&wh.Spec, idx)
		if err := f.c.Create(f.ctx, wh); err != nil {
			t.Fatalf("creating %s/%s: %v", ns, name, err)
		}
		r.keys = append(r.keys, client.ObjectKeyFromObject(wh))
		r.created++
	}
}

// change moves hook-00 of every namespace to another target URL (an update, or for APS a delete
// and a create) and deletes hook-01, calling mid once half of them are done.
func (r *faultsRun) change(mid func()) {
	f, t := r.f, r.f.t
	t.Helper()
	for i, ns := range r.nss {
		if i == len(r.nss)/2 && mid != nil {
			mid()
		}
		var wh hooksv1alpha1.Webhook
		if err := f.c.Get(f.ctx, client.ObjectKey{Namespace: ns, Name: "hook-00"}, &wh); err != nil {
			t.Fatal(err)
		}
		patch := client.MergeFrom(wh.DeepCopy())
		wh.Spec.TargetURL = targetURL(ns, wh.Name) + "?v=2"
		if err := f.c.Patch(f.ctx, &wh, patch); err != nil {
			t.Fatalf("changing %s/%s: %v", ns, wh.Name, err)
		}
		if err := f.c.Get(f.ctx, client.ObjectKey{Namespace: ns, Name: "hook-01"}, &wh); err != nil {
			t.Fatal(err)
		}
		if err := f.c.Delete(f.ctx, &wh); err != nil {
			t.Fatalf("deleting %s/%s: %v", ns, wh.Name, err)
		}
		r.gone = append(r.gone, wh)
		r.keys = slices.DeleteFunc(r.keys, func(k client.ObjectKey) bool { return k == client.ObjectKeyFromObject(&wh) })
	}
}

func secretName(p hooksv1alpha1.ProviderType) string {
	return "creds-" + strings.ToLower(string(p))
}

// targetURL is where a Webhook delivers; unique per Webhook, so that the simulators' record
// tells which Webhook each mutation was for.
func targetURL(ns, name string) string {
	return fmt.Sprintf("https://hooks.example.com/%s/%s", ns, name)
}

// webhookOf maps a mutation back to the Webhook it was for: by its target URL, else by its name
// marker "<namespace>/<name>".
func webhookOf(m simulator.Mutation) (client.ObjectKey, bool) {
	if u, err := url.Parse(m.TargetURL); err == nil && u.Host == "hooks.example.com" {
		if ns, name, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); ok && name != "" {
			return client.ObjectKey{Namespace: ns, Name: name}, true
		}
	}
	if ns, name, ok := strings.Cut(m.Name, "/"); ok && ns != "" && name != "" {
		return client.ObjectKey{Namespace: ns, Name: name}, true
	}
	return client.ObjectKey{}, false
}

// identityIn is the replica that the User-Agent names: "hookkeeper/<version> (<identity>)".
var identityIn = regexp.MustCompile(`^hookkeeper/\S+ \(([^()]+)\)$`)

// checkCoverage: no two replicas' coverage of a namespace overlaps, and no namespace is without
// an owner for longer than the bound within [from, to]. The time without an owner is measured
// twice: between live Leases, as the Leases show it, and with a killed replica counted as no
// owner from the moment it died (deaths) rather than from its Lease's expiry: the time its
// namespaces really had nobody at work, which the bound of a Lease duration plus a round is for.
func checkCoverage(t *testing.T, cov map[string][]interval, nss []string, from, to time.Time, deaths map[string]time.Time) {
	t.Helper()
	bound := leaseDuration + syncPeriod + gapSlack
	type worst struct {
		gap time.Duration
		ns  string
		at  time.Time
	}
	var leases, effective worst
	handovers, withdrawn := 0, 0
	for _, ns := range nss {
		ivs := slices.DeleteFunc(slices.Clone(cov[ns]), func(iv interval) bool { return iv.endKind == endWithdrawn })
		withdrawn += len(cov[ns]) - len(ivs)
		for i := range ivs {
			for j := i + 1; j < len(ivs); j++ {
				a, b := ivs[i], ivs[j]
				if a.replica != b.replica && overlaps(a, b) {
					t.Errorf("namespace %s had two owners: %s and %s", ns, a, b)
				}
			}
			if i > 0 && ivs[i-1].replica != ivs[i].replica {
				handovers++
			}
		}
		alive := slices.Clone(ivs)
		for i, iv := range alive {
			if died, ok := deaths[iv.replica]; ok && (iv.endKind == endOpen || iv.end.After(died)) {
				alive[i].end, alive[i].endKind = died, "died"
			}
		}
		for _, m := range []struct {
			w    *worst
			ivs  []interval
			what string
		}{{&leases, ivs, "no live Lease covered it"}, {&effective, alive, "no running replica's Lease covered it"}} {
			gap, at := largestGap(m.ivs, from, to)
			if gap > bound {
				t.Errorf("namespace %s had no owner for %s from %s (%s; bound %s: Lease %s, a round %s, slack %s); its owners: %v",
					ns, gap.Round(time.Millisecond), at.Format("15:04:05.000"), m.what, bound.Round(time.Millisecond),
					leaseDuration, syncPeriod.Round(time.Millisecond), gapSlack.Round(time.Millisecond), ivs)
			}
			if gap > m.w.gap {
				*m.w = worst{gap, ns, at}
			}
		}
	}
	t.Logf("coverage: %d handovers over %d namespaces (and %d claims withdrawn in the round that made them); longest without an owner: "+
		"%s between live Leases (%s from %s), %s counting a killed replica as gone when it died (%s from %s); bound %s",
		handovers, len(nss), withdrawn, leases.gap.Round(time.Millisecond), leases.ns, leases.at.Format("15:04:05.000"),
		effective.gap.Round(time.Millisecond), effective.ns, effective.at.Format("15:04:05.000"), bound.Round(time.Millisecond))
}

// checkMutations: every mutation names a replica in its User-Agent, is for a Webhook of the run,
// and happened while that replica's Lease covered the Webhook's namespace.
func checkMutations(t *testing.T, provs []provider, cov map[string][]interval, keys []client.ObjectKey, replicas []string) {
	t.Helper()
	kinds := map[simulator.MutationKind]int{}
	perReplica := map[string]int{}
	total := 0
	for _, p := range provs {
		for _, m := range p.sim.Mutations() {
			total++
			kinds[m.Kind]++
			id, problem := attribute(p.typ, m, cov, keys, replicas)
			if problem != "" {
				t.Error(problem)
			}
			if id != "" {
				perReplica[id]++
			}
		}
	}
	t.Logf("mutations: %d (%v), by replica %v", total, kinds, perReplica)
	if len(perReplica) < 3 {
		t.Errorf("only %d replicas made mutations (%v): the run did not share the work", len(perReplica), perReplica)
	}
}

// attribute returns the replica that made mutation m, and what is wrong with it: that it is for
// no Webhook of the run, that its User-Agent names no replica, or that it happened when that
// replica's Lease did not cover the Webhook's namespace. The problem names the Webhook, the
// replicas and the times.
func attribute(typ hooksv1alpha1.ProviderType, m simulator.Mutation, cov map[string][]interval, keys []client.ObjectKey, replicas []string) (replica, problem string) {
	when := m.Time.Format("15:04:05.000")
	key, ok := webhookOf(m)
	if !ok || !slices.Contains(keys, key) {
		return "", fmt.Sprintf("%s %s of remote webhook %s (target %s, name %q) at %s: for no Webhook of the run",
			typ, m.Kind, m.Remote, m.TargetURL, m.Name, when)
	}
	match := identityIn.FindStringSubmatch(m.UserAgent)
	if match == nil || !slices.Contains(replicas, match[1]) {
		return "", fmt.Sprintf("%s %s of Webhook %s at %s: User-Agent %q names no replica of the run", typ, m.Kind, key, when, m.UserAgent)
	}
	id := match[1]
	var owners, own []string
	for _, iv := range cov[key.Namespace] {
		if iv.replica == id {
			if iv.contains(m.Time) {
				return id, ""
			}
			own = append(own, iv.String())
		} else if iv.contains(m.Time) {
			owners = append(owners, iv.String())
		}
	}
	then := "nobody else covered it then"
	if len(owners) > 0 {
		then = "it was covered then by " + strings.Join(owners, ", ")
	}
	return id, fmt.Sprintf("%s %s of Webhook %s (remote %s) by %s at %s, when %s's Lease did not cover %s: %s; %s's coverage of it: %v",
		typ, m.Kind, key, m.Remote, id, when, id, key.Namespace, then, id, own)
}

// checkRemotes: each Webhook has exactly one remote webhook, its status.id, and each deleted one
// none, as the SaaS lists them (through the providers themselves) and as the record of creates
// and deletes adds up.
func checkRemotes(ctx context.Context, t *testing.T, c client.Client, provs []provider,
	accounts map[string]map[hooksv1alpha1.ProviderType]simulator.Account, keys []client.ObjectKey, gone []hooksv1alpha1.Webhook) {
	t.Helper()
	impls := providerImpls(t, provs)
	// The Webhooks of each account and scope, and the SaaS's webhooks there.
	hooks := map[remoteScope][]hooksv1alpha1.Webhook{}
	for _, k := range keys {
		var wh hooksv1alpha1.Webhook
		if err := c.Get(ctx, k, &wh); err != nil {
			t.Fatal(err)
		}
		sk := remoteScope{ns: k.Namespace, typ: wh.Spec.Provider, scope: impls[wh.Spec.Provider].Scope(request(&wh, accounts))}
		hooks[sk] = append(hooks[sk], wh)
	}
	// A deleted Webhook's account is listed too, even when no Webhook of it is left.
	sample := map[remoteScope]*hooksv1alpha1.Webhook{}
	for i := range gone {
		wh := &gone[i]
		sk := remoteScope{ns: wh.Namespace, typ: wh.Spec.Provider, scope: impls[wh.Spec.Provider].Scope(request(wh, accounts))}
		sample[sk] = wh
		if _, ok := hooks[sk]; !ok {
			hooks[sk] = nil
		}
	}
	listed := checkListedRemotes(ctx, t, impls, accounts, hooks, sample, gone)
	checkRecordedRemotes(t, provs, keys, gone)
	t.Logf("remote webhooks: %d listed for %d Webhooks", listed, len(keys))
}

// remoteScope is an account of a namespace and provider, and a scope within it.
type remoteScope struct {
	ns    string
	typ   hooksv1alpha1.ProviderType
	scope string
}

// providerImpls builds each provider of provs against its simulator.
func providerImpls(t *testing.T, provs []provider) map[hooksv1alpha1.ProviderType]providers.Provider {
	t.Helper()
	loopback, err := egress.Parse(localenv.LoopbackAllowlist)
	if err != nil {
		t.Fatal(err)
	}
	impls := map[hooksv1alpha1.ProviderType]providers.Provider{}
	for _, p := range provs {
		d, ok := catalog.ByType(p.typ)
		if !ok {
			t.Fatalf("no provider %s in the catalog", p.typ)
		}
		s := providers.Settings{HTTPClient: &http.Client{Transport: loopback.Transport(), Timeout: 30 * time.Second},
			AllowInsecure: true, Egress: loopback}
		if d.APIURL != nil {
			s.BaseURL = p.sim.URL
		}
		impls[p.typ] = d.New(s)
	}
	return impls
}

// checkListedRemotes lists the SaaS's webhooks of each scope of hooks (listed as one of its
// Webhooks, or as its sample of those gone): one for each Webhook, with its status.id, and none
// of those gone. It returns how many it listed.
func checkListedRemotes(ctx context.Context, t *testing.T, impls map[hooksv1alpha1.ProviderType]providers.Provider,
	accounts map[string]map[hooksv1alpha1.ProviderType]simulator.Account, hooks map[remoteScope][]hooksv1alpha1.Webhook,
	sample map[remoteScope]*hooksv1alpha1.Webhook, gone []hooksv1alpha1.Webhook) int {
	t.Helper()
	listed := 0
	listedIDs := map[hooksv1alpha1.ProviderType]map[string]bool{}
	for sk, whs := range hooks {
		p := impls[sk.typ]
		from := sample[sk]
		if len(whs) > 0 {
			from = &whs[0]
		}
		remotes, err := p.List(ctx, request(from, accounts))
		if err != nil {
			t.Fatalf("listing the %s webhooks of %s: %v", sk.typ, sk.ns, err)
		}
		listed += len(remotes)
		ids := map[string]int{}
		for _, r := range remotes {
			ids[r.ID]++
			if listedIDs[sk.typ] == nil {
				listedIDs[sk.typ] = map[string]bool{}
			}
			listedIDs[sk.typ][r.ID] = true
		}
		if len(remotes) != len(whs) {
			t.Errorf("%s account of %s: %d remote webhooks for %d Webhooks", sk.typ, sk.ns, len(remotes), len(whs))
		}
		for _, wh := range whs {
			if ids[wh.Status.ID] != 1 {
				t.Errorf("Webhook %s/%s: status.id %q is listed %d times on %s", wh.Namespace, wh.Name, wh.Status.ID, ids[wh.Status.ID], sk.typ)
			}
		}
	}
	for _, wh := range gone {
		if wh.Status.ID != "" && listedIDs[wh.Spec.Provider][wh.Status.ID] {
			t.Errorf("deleted Webhook %s/%s: its remote webhook %s is still listed on %s", wh.Namespace, wh.Name, wh.Status.ID, wh.Spec.Provider)
		}
	}
	return listed
}

// checkRecordedRemotes checks the same from the simulators' record: creates less deletes, per
// Webhook, one for each of keys and none for those gone.
func checkRecordedRemotes(t *testing.T, provs []provider, keys []client.ObjectKey, gone []hooksv1alpha1.Webhook) {
	t.Helper()
	live := map[client.ObjectKey]int{}
	for _, p := range provs {
		remotes := map[string]client.ObjectKey{}
		for _, m := range p.sim.Mutations() {
			key, _ := webhookOf(m)
			switch m.Kind {
			case simulator.MutationCreate:
				remotes[m.Remote] = key
			case simulator.MutationDelete:
				delete(remotes, m.Remote)
			}
		}
		for _, key := range remotes {
			live[key]++
		}
	}
	for _, k := range keys {
		if live[k] != 1 {
			t.Errorf("Webhook %s: the record of creates and deletes leaves %d remote webhooks, want 1", k, live[k])
		}
	}
	for i := range gone {
		if k := client.ObjectKeyFromObject(&gone[i]); live[k] != 0 {
			t.Errorf("deleted Webhook %s: the record of creates and deletes leaves %d remote webhooks, want none", k, live[k])
		}
	}
}

// request is the providers' request for a Webhook, with its account's credentials.
func request(wh *hooksv1alpha1.Webhook, accounts map[string]map[hooksv1alpha1.ProviderType]simulator.Account) *providers.Request {
	creds := map[string][]byte{}
	for k, v := range accounts[wh.Namespace][wh.Spec.Provider].Credentials {
		creds[k] = []byte(v)
	}
	return &providers.Request{Owner: wh.Namespace + "/" + wh.Name, Spec: &wh.Spec, Credentials: creds}
}

// waitGone waits until the deleted Webhooks are gone: their remote webhooks deleted and their
// finalizer removed.
func waitGone(ctx context.Context, t *testing.T, c client.Client, gone []hooksv1alpha1.Webhook, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var left []string
		for i := range gone {
			err := c.Get(ctx, client.ObjectKeyFromObject(&gone[i]), &hooksv1alpha1.Webhook{})
			if err == nil {
				left = append(left, client.ObjectKeyFromObject(&gone[i]).String())
			} else if !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deleted Webhooks still exist after %s, such as %v", len(left), len(gone), timeout, left[:min(5, len(left))])
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// waitReady waits until every Webhook is Ready.
func waitReady(ctx context.Context, t *testing.T, c client.Client, keys []client.ObjectKey, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var notReady []string
		for _, k := range keys {
			var wh hooksv1alpha1.Webhook
			if err := c.Get(ctx, k, &wh); err != nil {
				t.Fatal(err)
			}
			ready := false
			for _, cond := range wh.Status.Conditions {
				if cond.Type == hooksv1alpha1.ConditionReady && cond.Status == metav1.ConditionTrue {
					ready = true
				}
			}
			if !ready {
				notReady = append(notReady, k.String())
			}
		}
		if len(notReady) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d Webhooks not Ready after %s, such as %v", len(notReady), len(keys), timeout, notReady[:min(5, len(notReady))])
		}
		time.Sleep(500 * time.Millisecond)
	}
}
