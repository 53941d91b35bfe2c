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
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/localenv"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

const (
	// benchNamespace holds the credentials Secrets and the Webhooks the operator manages.
	benchNamespace = "bench"
	// floorNamespace holds the Webhooks of the floor measurement, deleted before the operator starts.
	floorNamespace = "floor"
	// steadyPeriods is the length of the steady-state window in resync periods. The operator
	// waits a resync period plus up to 10% before it observes a Webhook again, so the window
	// covers at least one resync of every Webhook.
	steadyPeriods = 1.15
	// defaultPoll is how often the Webhooks are listed while the bench waits for them.
	defaultPoll = time.Second
	// operatorGrace is how long the operator may take to stop after SIGTERM before it is killed.
	operatorGrace = 10 * time.Second
	// logTailLines is how much of the operator log is shown when something goes wrong.
	logTailLines = 30
)

// options is what one run of the bench needs; parseFlags and locate fill it in, the test
// directly.
type options struct {
	root         string // repository root (holds go.mod)
	assets       string // directory with kube-apiserver and etcd
	stateDir     string // kubeconfig and operator log
	operatorPath string // where the operator binary is built
	jsonPath     string // where the results go as JSON; "" for nowhere

	n              int                        // Webhooks to apply
	latency        time.Duration              // latency of every simulator request
	accounts       int                        // credentials per provider
	resync         time.Duration              // the operator's --resync-period
	outage         time.Duration              // how long the outage lasts
	outageProvider hooksv1alpha1.ProviderType // whose simulator goes down
	qps            float64                    // API-server rate of the operator, the floor and the applier
	burst          int                        // and their burst
	workers        int                        // reconcile workers, and workers of the floor and the applier
	providerQPS    string                     // --provider-qps for the operator, when set
	gomemlimit     string                     // GOMEMLIMIT of the operator processes, when set
	timeout        time.Duration              // longest wait of each phase; 0 for the default
	keepLogs       bool                       // keep the operator log and kubeconfig after a successful run
	noFloor        bool                       // skip the floor (no ratio), for a quicker look at memory or requests
	poll           time.Duration              // shortest time between two Lists while waiting; 0 for defaultPoll
	// hungWebhooks is how many Webhooks the hung account has; 0 skips that phase.
	hungWebhooks int
	// unrelatedSecrets is how many Secrets go into a namespace no Webhook uses; 0 skips that phase.
	unrelatedSecrets int
	// churnAccounts is how many accounts come and go in the churn phase; 0 skips it.
	churnAccounts int
	// replicas is how many operator processes run; above 1 they run with --sharding.
	replicas int
	// spread puts the Webhooks into namespaces of perNamespace each, each with its own account.
	spread bool
	// baselineRSS is one replica's peak RSS in MiB at the same N; 0 looks for it in the JSON
	// results of earlier runs.
	baselineRSS float64
	// sharedAccounts spreads the Webhooks over tenants namespaces that share one SaaS account per
	// provider: sharedCluster through one ClusterAccount per provider, sharedNamespace through a
	// copy of its credentials Secret in every namespace; "" for the other layouts.
	sharedAccounts string
	tenants        int
	// fairWebhooks is how many Webhooks one namespace creates on a ClusterAccount in the
	// fairness phase while another namespace's first one is timed; 0 skips that phase.
	fairWebhooks int

	out io.Writer // progress and the table

	// onOperatorStart, when set, learns the operator's process id (the test checks it is gone).
	onOperatorStart func(pid int)
}

// validate rejects settings the run cannot work with.
func (o options) validate() error {
	switch {
	case o.n < 1:
		return fmt.Errorf("-n %d: need at least one Webhook", o.n)
	case o.accounts < 1:
		return fmt.Errorf("-accounts %d: need at least one account per provider", o.accounts)
	case o.latency < 0:
		return fmt.Errorf("-latency %s: must not be negative", o.latency)
	case o.resync <= 0:
		return fmt.Errorf("-resync %s: must be positive", o.resync)
	case o.outage <= 0:
		return fmt.Errorf("-outage %s: must be positive", o.outage)
	case o.qps <= 0 || o.burst < 1:
		return fmt.Errorf("-qps %g -burst %d: both must be positive", o.qps, o.burst)
	case o.workers < 1:
		return fmt.Errorf("-workers %d: need at least one worker", o.workers)
	case o.timeout < 0:
		return fmt.Errorf("-timeout %s: must not be negative", o.timeout)
	case o.hungWebhooks < 0 || (o.hungWebhooks > 0 && o.hungWebhooks < slices.Max(hungCredentialCounts)):
		return fmt.Errorf("-hung-webhooks %d: 0 skips the phase, or at least %d, one for each hung credential of the last round",
			o.hungWebhooks, slices.Max(hungCredentialCounts))
	case o.churnAccounts < 0:
		return fmt.Errorf("-churn-accounts %d: must not be negative (0 skips the phase)", o.churnAccounts)
	case o.unrelatedSecrets < 0:
		return fmt.Errorf("-unrelated-secrets %d: must not be negative (0 skips the phase)", o.unrelatedSecrets)
	case o.replicas < 1:
		return fmt.Errorf("-replicas %d: need at least one", o.replicas)
	case o.replicas > 1 && !o.spread:
		return fmt.Errorf("-replicas %d: the Webhooks must be spread over namespaces (-spread)", o.replicas)
	case o.replicas > 1 && o.tenancyPhases() > 0:
		return fmt.Errorf("-replicas %d: the tenancy phases run with one replica only", o.replicas)
	case o.baselineRSS < 0:
		return fmt.Errorf("-baseline-rss %g: must not be negative", o.baselineRSS)
	case o.fairWebhooks < 0:
		return fmt.Errorf("-fair-webhooks %d: must not be negative (0 skips the phase)", o.fairWebhooks)
	}
	return o.validateShared()
}

// validateShared rejects the settings a run on shared accounts cannot work with.
func (o options) validateShared() error {
	switch {
	case o.sharedAccounts == "":
		return nil
	case o.sharedAccounts != sharedCluster && o.sharedAccounts != sharedNamespace:
		return fmt.Errorf("-shared-accounts %q: want %s (one ClusterAccount per provider) or %s (a copy of the credentials in every namespace)",
			o.sharedAccounts, sharedCluster, sharedNamespace)
	case o.spread:
		return fmt.Errorf("-shared-accounts %s -spread: choose one layout", o.sharedAccounts)
	case o.replicas > 1:
		return fmt.Errorf("-shared-accounts %s -replicas %d: the runs on shared accounts have one replica", o.sharedAccounts, o.replicas)
	case o.tenants < 1 || o.tenants > o.n:
		return fmt.Errorf("-namespaces %d: between 1 and N (%d)", o.tenants, o.n)
	}
	return nil
}

// sharded reports whether the run has several replicas, sharing the namespaces.
func (o options) sharded() bool { return o.replicas > 1 }

// defaultJSONName is where the results go below the repository root when -json is not given:
// a run with several replicas, or spread over namespaces, does not overwrite the figures of a
// plain run, which the replicas are compared with.
func (o options) defaultJSONName() string {
	switch {
	case o.sharded():
		return filepath.Join(filepath.Dir(defaultJSON), fmt.Sprintf("results-replicas%d.json", o.replicas))
	case o.spread:
		return filepath.Join(filepath.Dir(defaultJSON), "results-spread.json")
	case o.sharedAccounts != "":
		return filepath.Join(filepath.Dir(defaultJSON), "results-accounts-"+o.sharedAccounts+".json")
	}
	return defaultJSON
}

// waitTimeout is the longest wait of each phase: the -timeout flag, or a default that grows
// with the number of Webhooks (run raises it to three times the floor when that is longer).
func (o options) waitTimeout() time.Duration {
	if o.timeout > 0 {
		return o.timeout
	}
	return 2*time.Minute + time.Duration(o.n)*40*time.Millisecond
}

// run is the whole benchmark. Everything it starts is stopped before it returns, in reverse
// order: operator, simulators, control plane. It prints the table and writes the JSON itself.
func run(ctx context.Context, o options) (res results, err error) {
	if o.replicas == 0 {
		o.replicas = 1
	}
	if err := o.validate(); err != nil {
		return res, err
	}
	if o.poll <= 0 {
		o.poll = defaultPoll
	}
	if o.out == nil {
		o.out = io.Discard
	}
	// The bench only uses controller-runtime as a client; its log is not wanted on screen.
	logf.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	say := func(format string, args ...any) { fmt.Fprintf(o.out, format+"\n", args...) }
	timeout := o.waitTimeout()

	res = newResults(o, readMachine())
	switch {
	case o.spread:
		say("hookkeeper bench: %d Webhooks in namespaces of %d with an account each, %d replica(s), simulator latency %s, resync %s, %s outage of %s",
			o.n, perNamespace, o.replicas, o.latency, o.resync, o.outage, o.outageProvider)
	case o.sharedAccounts != "":
		say("hookkeeper bench: %d Webhooks in %d namespaces sharing accounts (%s), simulator latency %s, resync %s, %s outage of %s",
			o.n, o.tenants, sharedDescription(o.sharedAccounts, o.accounts), o.latency, o.resync, o.outage, o.outageProvider)
	default:
		say("hookkeeper bench: %d Webhooks, simulator latency %s, %d account(s) per provider, resync %s, %s outage of %s",
			o.n, o.latency, o.accounts, o.resync, o.outage, o.outageProvider)
	}
	phases := 7 + o.tenancyPhases()
	phase := 0
	step := func(format string, args ...any) {
		phase++
		say(fmt.Sprintf("[%d/%d] ", phase, phases)+format, args...)
	}
	say("machine: %s\n", res.machineLine())

	if err := os.MkdirAll(o.stateDir, 0o755); err != nil {
		return res, fmt.Errorf("creating %s: %w", o.stateDir, err)
	}
	kubeconfigPath := filepath.Join(o.stateDir, "kubeconfig")
	// One log per operator process.
	logPaths := []string{filepath.Join(o.stateDir, "operator.log")}
	if o.sharded() {
		logPaths = nil
		for i := range o.replicas {
			logPaths = append(logPaths, filepath.Join(o.stateDir, "operator-"+replicaID(i)+".log"))
		}
	}
	// Runs last, once the operator has stopped: a failed run keeps its log for a look.
	defer func() {
		if err != nil || o.keepLogs {
			say("Operator log: %s (kubeconfig %s)", strings.Join(logPaths, ", "), kubeconfigPath)
			return
		}
		for _, p := range logPaths {
			_ = os.Remove(p)
		}
		_ = os.Remove(kubeconfigPath)
	}()

	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()

	// 1. Control plane, simulators, accounts.
	step("Starting the control plane and the simulators")
	cpOptions := localenv.ControlPlaneOptions{Root: o.root, Assets: o.assets, KubeconfigPath: kubeconfigPath, User: "bench"}
	if o.sharded() {
		cpOptions.FeatureGates = shardFeatureGates
	}
	cp, err := localenv.StartControlPlane(cpOptions)
	if err != nil {
		return res, err
	}
	cleanups = append(cleanups, func() {
		if err := cp.Stop(); err != nil {
			say("  stopping the control plane: %v", err)
		}
	})
	// The observer lists and deletes without a rate limit, so that it never takes a share of the
	// applier's; the applier creates at the rate the operator and the floor get.
	observer, err := cp.Client(-1, 0)
	if err != nil {
		return res, err
	}
	applier, err := cp.Client(float32(o.qps), o.burst)
	if err != nil {
		return res, err
	}
	latency := map[hooksv1alpha1.ProviderType]time.Duration{}
	for _, d := range catalog.All() {
		latency[d.Type] = o.latency
	}
	sims, err := localenv.StartSimulators(localenv.SimulatorOptions{Latency: latency})
	if err != nil {
		return res, err
	}
	cleanups = append(cleanups, sims.Stop)
	var w *workload
	switch {
	case o.spread:
		w = newSpreadWorkload(sims, o.n)
		res.Parameters.Namespaces = len(w.namespaces)
	case o.sharedAccounts != "":
		w = newSharedWorkload(sims, o.n, o.tenants, o.accounts, o.sharedAccounts)
		res.Parameters.Namespaces = len(w.tenants)
	default:
		w = newWorkload(sims, o.n, o.accounts)
	}
	namespaces := []string{benchNamespace, floorNamespace}
	if o.sharded() {
		namespaces = append(namespaces, shardLeaseNamespace)
	}
	for _, ns := range namespaces {
		if err := localenv.EnsureNamespace(ctx, observer, ns); err != nil {
			return res, err
		}
	}
	switch {
	case o.sharedAccounts != "":
		// Before the operator starts, as for a spread workload.
		if err := w.createShared(ctx, observer, o.workers); err != nil {
			return res, err
		}
		say("      API server %s; %d namespaces %s to %s, %s", cp.Config.Host, len(w.tenants), w.tenants[0], w.tenants[len(w.tenants)-1],
			w.sharedSetup())
	case o.spread:
		// Before the operator starts, so that its first view of the namespaces has them all.
		if err := w.createSpreadSecrets(ctx, observer, o.workers); err != nil {
			return res, err
		}
		gates := ""
		if cpOptions.FeatureGates != "" {
			gates = " (feature gates " + cpOptions.FeatureGates + ")"
		}
		say("      API server %s%s; %d namespaces %s to %s, one credentials Secret and account each", cp.Config.Host, gates,
			len(w.namespaces), w.namespaceList()[0], w.namespaceList()[len(w.namespaces)-1])
	default:
		if err := w.createSecrets(ctx, observer, benchNamespace); err != nil {
			return res, err
		}
		say("      API server %s; %d credentials Secrets in namespace %s", cp.Config.Host, o.accounts*len(sims.All), benchNamespace)
	}

	// 2. The operator binary, built before the floor so that the compiler does not compete with it.
	step("Building the operator into %s", o.operatorPath)
	if err := localenv.BuildOperator(ctx, o.root, o.operatorPath); err != nil {
		return res, err
	}

	// 3. Floor.
	if o.noFloor {
		step("Floor: skipped (-no-floor); no ratio this run")
	} else {
		step("Floor: a plain client (%g QPS, burst %d, %d workers) creates %d Webhooks and patches each status once",
			o.qps, o.burst, o.workers, o.n)
		floor, err := w.floor(ctx, applier, floorNamespace, o.workers)
		if err != nil {
			return res, err
		}
		res.FloorSeconds = floor.Seconds()
		say("      %s; deleting them", round(floor))
		if o.timeout == 0 {
			// The floor tells how long this machine takes to write N Webhooks; an operator three
			// times as slow still gets an answer rather than a timeout.
			timeout = max(timeout, 3*floor)
		}
		if err := deleteAll(ctx, observer, floorNamespace, timeout, o.poll); err != nil {
			return res, err
		}
	}

	// 4. Operator: one process, or -replicas processes sharing the namespaces.
	base := append(localenv.EndpointFlags(),
		"--resync-period="+o.resync.String(),
		"--max-concurrent-reconciles="+strconv.Itoa(o.workers),
		"--kube-api-qps="+strconv.FormatFloat(o.qps, 'g', -1, 64),
		"--kube-api-burst="+strconv.Itoa(o.burst),
		// Where the ClusterAccounts' credentials Secrets are: outside a cluster the operator has
		// no namespace of its own to default to.
		"--account-secret-namespaces="+accountSecretNamespace,
	)
	if o.providerQPS != "" {
		base = append(base, "--provider-qps="+o.providerQPS)
	}
	base = append(base, sims.OperatorFlags()...)
	var reps replicaSet
	cleanups = append(cleanups, func() { reps.stop(say) })
	// failure adds the operators' last words to an error of a phase they take part in.
	failure := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		lines := logTailLines
		if len(reps) > 1 {
			lines = logTailLines / 2
		}
		for _, r := range reps {
			say("\nLast lines of the log of %s (%s):\n%s", r.name(), r.logPath, localenv.TailFile(r.logPath, lines))
		}
		return err
	}
	// The bench's own count of the Webhook objects that an informer of every namespace receives,
	// from before the replicas start: what each replica's share is measured against.
	var objects *objectCounter
	if o.sharded() {
		if objects, err = startObjectCounter(ctx, cp.Config); err != nil {
			return res, err
		}
		defer objects.stop()
	}
	// The anonymous RSS is polled until the end of the phases the peak RSS covers.
	rssCtx, stopRSS := context.WithCancel(ctx)
	defer stopRSS()
	// Every replica's metrics, pprof and health addresses, all distinct.
	addrs, err := localenv.LoopbackAddrs(3 * o.replicas)
	if err != nil {
		return res, err
	}
	for i := range o.replicas {
		metricsAddr, pprofAddr, healthAddr := addrs[3*i], addrs[3*i+1], addrs[3*i+2]
		r := &replica{logPath: logPaths[i], pprofAddr: pprofAddr}
		args := append([]string(nil), base[:len(localenv.EndpointFlags())]...)
		args = append(args, "--metrics-bind-address="+metricsAddr, "--pprof-bind-address="+pprofAddr)
		if o.sharded() {
			r.id = replicaID(i)
			args = append(args, "--health-probe-bind-address="+healthAddr)
			args = append(args, shardingArgs(i)...)
		} else {
			args = append(args, "--health-probe-bind-address=0")
		}
		args = append(args, base[len(localenv.EndpointFlags()):]...)
		if o.sharded() {
			if i == 0 {
				step("Starting %d operator processes with --sharding (shard Leases in namespace %s) and waiting until they share the namespaces",
					o.replicas, shardLeaseNamespace)
			}
			say("      %s: metrics on %s, log %s", r.id, metricsAddr, r.logPath)
		} else {
			step("Starting the operator (metrics on %s, log %s)", metricsAddr, r.logPath)
		}
		var env []string
		if o.gomemlimit != "" {
			env = append(env, "GOMEMLIMIT="+o.gomemlimit)
		}
		op, err := localenv.StartOperatorEnv(o.operatorPath, args, kubeconfigPath, r.logPath, env)
		if err != nil {
			return res, err
		}
		r.op = op
		r.metrics = &metricsClient{url: "http://" + metricsAddr + "/metrics", http: &http.Client{Timeout: 10 * time.Second}}
		r.rss = &rssTracker{pid: op.PID()}
		go r.rss.poll(rssCtx, 250*time.Millisecond)
		reps = append(reps, r)
		if o.onOperatorStart != nil {
			o.onOperatorStart(op.PID())
		}
	}
	for _, r := range reps {
		if err := waitOperatorStarted(ctx, r.op, r.logPath, r.metrics, timeout); err != nil {
			return res, failure(fmt.Errorf("%s: %w", r.name(), err))
		}
	}
	if o.sharded() {
		held, err := waitShardsSettled(ctx, observer, o.replicas, reps.ops(), timeout)
		if err != nil {
			return res, failure(err)
		}
		res.ShardLeases = held
		say("      the shard Leases of %d replicas list the slots they hold and have not changed for %s (the slots are in the JSON)", len(held), shardSettle)
	}
	reps.sampleRSS()

	watchNamespace := benchNamespace
	if o.spread || o.sharedAccounts != "" {
		watchNamespace = "" // every namespace: the floor's is empty by now
	}
	watch := &watcher{c: observer, namespace: watchNamespace, n: o.n, poll: o.poll, ops: reps.ops(), out: o.out}
	// 5. Create.
	where := "namespace " + benchNamespace
	switch {
	case o.spread:
		where = fmt.Sprintf("%d namespaces", len(w.namespaces))
	case o.sharedAccounts != "":
		where = fmt.Sprintf("%d namespaces (%s)", len(w.tenants), sharedDescription(o.sharedAccounts, o.accounts))
	}
	step("Creating %d Webhooks in %s (%g QPS, burst %d, %d workers) and waiting until all are Ready",
		o.n, where, o.qps, o.burst, o.workers)
	sims.ResetCounts()
	writesBefore, err := reps.apiWrites(ctx)
	if err != nil {
		return res, failure(err)
	}
	saasBefore, err := reps.saasRequests(ctx)
	if err != nil {
		return res, failure(err)
	}
	perReplicaBefore := make([]map[string]float64, len(reps))
	for i, r := range reps {
		perReplicaBefore[i], _ = r.metrics.saasRequests(ctx)
	}
	start := time.Now()
	applyCtx, cancelApply := context.WithCancel(ctx)
	defer cancelApply()
	applyDone := make(chan struct{})
	var applyErr error
	var applyTook time.Duration
	go func() {
		defer close(applyDone)
		applyErr = w.apply(applyCtx, applier, benchNamespace, o.workers)
		applyTook = time.Since(start)
	}()
	readyAt, err := watch.allReady(ctx, start, timeout, func() error {
		select {
		case <-applyDone:
			return applyErr
		default:
			return nil
		}
	})
	if err != nil {
		cancelApply()
		<-applyDone
		return res, failure(err)
	}
	// Every Webhook exists, so the applier is done or about to hear back from its last create.
	<-applyDone
	if applyErr != nil {
		return res, applyErr
	}
	res.ApplySeconds = applyTook.Seconds()
	res.CreateSaaSRequests = sims.RequestsTotal()
	if o.sharded() {
		// Right after the List that showed every Webhook Ready: what each replica's informers
		// received, next to what an informer of every namespace received meanwhile.
		res.AllWebhookObjects = objects.stop()
		for i, r := range reps {
			rr := replicaResult{Identity: r.id}
			if m, err := r.metrics.sharding(ctx); err != nil {
				say("      %s: reading its sharding metrics: %v", r.id, err)
			} else {
				rr.fill(m, res.AllWebhookObjects, o.n)
			}
			if after, err := r.metrics.saasRequests(ctx); err == nil && perReplicaBefore[i] != nil {
				total := 0
				for _, v := range saasSince(after, perReplicaBefore[i]) {
					total += v
				}
				rr.CreateSaaSRequests = &total
			}
			res.Replicas = append(res.Replicas, rr)
		}
	}
	writesAfter, err := reps.apiWrites(ctx)
	if err != nil {
		return res, failure(err)
	}
	res.CreateAPIWritesByMethod = writesAfter.since(writesBefore)
	if saasAfter, err := reps.saasRequests(ctx); err == nil {
		res.CreateSaaSRequestsByOperation = saasSince(saasAfter, saasBefore)
		say("      SaaS requests by provider/operation, as the operator counted them: %v", res.CreateSaaSRequestsByOperation)
	}
	res.CreateAPIWrites = writesAfter.total() - writesBefore.total()
	res.TimeToReadySeconds = readyAt.Sub(start).Seconds()
	if res.FloorSeconds > 0 {
		res.Ratio = res.TimeToReadySeconds / res.FloorSeconds
	}
	for op, n := range res.CreateSaaSRequestsByOperation {
		if strings.HasSuffix(op, "/"+providers.OperationPing) {
			res.CreatePings += n
		}
	}
	res.SaaSRequestsPerWebhook = float64(res.CreateSaaSRequests-res.CreatePings) / float64(o.n)
	res.SaaSRequestsPerWebhookWithPings = float64(res.CreateSaaSRequests) / float64(o.n)
	res.APIWritesPerWebhook = float64(res.CreateAPIWrites) / float64(o.n)
	reps.sampleRSS()
	say("      all Ready after %s (applying took %s); %d SaaS requests, %d API-server writes by the operator %s",
		round(readyAt.Sub(start)), round(applyTook), res.CreateSaaSRequests, res.CreateAPIWrites, byMethod(res.CreateAPIWritesByMethod))
	// Where the memory goes, with every Webhook in the caches: the live heap by allocating function.
	profileDir := ""
	if o.jsonPath != "" {
		profileDir = filepath.Dir(o.jsonPath)
	}
	for i, r := range reps {
		name := "heap.pprof"
		if o.sharded() {
			name = "heap-" + r.id + ".pprof"
		}
		total, top, file, err := heapProfile(ctx, r.pprofAddr, profileDir, name)
		switch {
		case err != nil:
			say("      heap profile of %s: %v", r.name(), err)
		case o.sharded():
			res.Replicas[i].HeapInuseMiB = total
			say("      %s: live heap %.1f MiB after a GC%s", r.id, total, inFile(file))
		default:
			res.HeapInuseMiB, res.HeapTop = total, top
			say("      live heap %.1f MiB after a GC%s; the functions that allocated most of it:", total, inFile(file))
			for _, e := range top {
				say("        %6.1f MiB  %s", e.MiB, e.Function)
			}
		}
	}
	if o.sharded() {
		// After the figures of the creation: the lists below are requests to the simulators too.
		d, err := countRemotes(ctx, w, sims, o.workers)
		if err != nil {
			return res, failure(err)
		}
		res.Duplicates, res.RemoteWebhooks = &d.duplicates, d.remotes
		say("      the simulators hold %d remote webhooks for %d Webhooks (%d of them matched): %d duplicates", d.remotes, o.n, d.matched, d.duplicates)
	}

	// 6. Steady state.
	window := time.Duration(steadyPeriods * float64(o.resync))
	step("Steady state: counting for %s (%.2f resync periods)", round(window), steadyPeriods)
	sims.ResetCounts()
	if writesBefore, err = reps.apiWrites(ctx); err != nil {
		return res, failure(err)
	}
	steadySaaSBefore, steadySaaSErr := reps.saasRequests(ctx)
	steadyStart := time.Now()
	if err := sleepWatching(ctx, window, reps.ops()...); err != nil {
		return res, failure(err)
	}
	res.SteadySaaSRequests = sims.RequestsTotal()
	if writesAfter, err = reps.apiWrites(ctx); err != nil {
		return res, failure(err)
	}
	if saasAfter, err := reps.saasRequests(ctx); err == nil && steadySaaSErr == nil {
		res.SteadySaaSRequestsByOperation = saasSince(saasAfter, steadySaaSBefore)
	}
	res.SteadyAPIWritesByMethod = writesAfter.since(writesBefore)
	res.SteadyAPIWrites = writesAfter.total() - writesBefore.total()
	res.SteadyWindowSeconds = time.Since(steadyStart).Seconds()
	// Per 1000 Webhooks and per resync period: scale the counts of the window, which is a little
	// longer than one period, to exactly one.
	perResync := o.resync.Seconds() / res.SteadyWindowSeconds
	res.SteadySaaSRequestsPer1000PerResync = float64(res.SteadySaaSRequests) * perResync * 1000 / float64(o.n)
	res.SteadyAPIWritesPer1000PerResync = float64(res.SteadyAPIWrites) * perResync * 1000 / float64(o.n)
	reps.sampleRSS()
	say("      %d SaaS requests %s, %d API-server writes %s", res.SteadySaaSRequests, byMethod(res.SteadySaaSRequestsByOperation),
		res.SteadyAPIWrites, byMethod(res.SteadyAPIWritesByMethod))

	// 7. Outage.
	sim := sims.Get(o.outageProvider)
	step("Outage: the %s simulator answers 503 for %s; then waiting until all Webhooks are Ready again", sim.Name, o.outage)
	sim.StartOutage(http.StatusServiceUnavailable)
	notReady, err := watch.mostNotReady(ctx, o.outage)
	sim.EndOutage()
	if err != nil {
		return res, failure(err)
	}
	outageEnd := time.Now()
	recoveredAt, err := watch.allReady(ctx, outageEnd, timeout, nil)
	if err != nil {
		return res, failure(err)
	}
	res.OutageNotReadyMax = notReady
	res.OutageRecoverySeconds = recoveredAt.Sub(outageEnd).Seconds()
	res.OutageRecoveredWithinResync = recoveredAt.Sub(outageEnd) <= o.resync
	reps.sampleRSS()
	say("      %d Webhooks not Ready at most during the outage; all Ready %s after it ended", notReady, round(recoveredAt.Sub(outageEnd)))
	if notReady == 0 {
		say("      No Webhook was seen not Ready: the outage may have fallen between two resyncs, so the recovery time" +
			" tells little; an outage at least 1.1 resync periods long reaches every Webhook.")
	}

	// The peak RSS is the one of the workload above; the tenancy phases below are not part of it.
	stopRSS()
	for i, r := range reps {
		if r.rss.err != nil && r.rss.peak == 0 {
			say("      peak RSS of %s unknown: %v", r.name(), r.rss.err)
		}
		peak, start, anon := r.rss.figures()
		res.StartRSSMiB = max(res.StartRSSMiB, start)
		res.PeakAnonRSSMiB = max(res.PeakAnonRSSMiB, anon)
		if o.sharded() {
			res.Replicas[i].PeakRSSMiB, res.Replicas[i].StartRSSMiB, res.Replicas[i].PeakAnonRSSMiB = peak, start, anon
		}
	}
	// With several replicas, the largest of them.
	res.PeakRSSMiB = float64(reps.peakRSS()) / (1 << 20)

	// 8 to 10. The tenancy phases, with the one replica.
	tenancy := tenancyEnv{c: observer, sims: sims, rep: reps[0], timeout: timeout, poll: o.poll, out: o.out, step: step, say: say}
	if err := runTenancy(ctx, o, tenancy, &res); err != nil {
		return res, failure(err)
	}
	if o.sharedAccounts != "" {
		other := otherShared(o.sharedAccounts)
		if c, ok := findSharedRun(filepath.Dir(o.jsonPath), o.n, len(w.tenants), o.accounts, other, o.gomemlimit); ok {
			res.Comparison = &c
		} else if o.jsonPath != "" {
			say("      no run with %s at N=%d over %d namespaces in %s to compare with", sharedDescription(other, o.accounts), o.n, len(w.tenants),
				filepath.Dir(o.jsonPath))
		}
	}
	if o.sharded() {
		switch {
		case o.baselineRSS > 0:
			res.BaselinePeakRSSMiB, res.BaselineSource = o.baselineRSS, "-baseline-rss"
		default:
			if b, ok := findBaseline(filepath.Dir(o.jsonPath), o.n, o.spread); ok {
				res.BaselinePeakRSSMiB, res.BaselineSource = b.mib, b.source
			}
		}
	}
	res.Targets = targets(res, o)

	say("")
	printTable(o.out, res, o)
	if o.jsonPath != "" {
		if err := writeJSON(o.jsonPath, res); err != nil {
			return res, err
		}
		say("\nJSON: %s", o.jsonPath)
	}
	return res, nil
}

// sleepWatching waits d, failing early when ctx ends or an operator process exits.
func sleepWatching(ctx context.Context, d time.Duration, ops ...*localenv.Operator) error {
	t := time.NewTimer(d)
	defer t.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if err := exited(ops); err != nil {
				return err
			}
		}
	}
}

// round shortens d for people.
func round(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// deleteAll deletes every Webhook of namespace and waits until they are gone.
func deleteAll(ctx context.Context, c client.Client, namespace string, timeout, poll time.Duration) error {
	// A busy API server may time out a deletion of many objects while it goes on: try again.
	if err := retry(ctx, func() error {
		return c.DeleteAllOf(ctx, &hooksv1alpha1.Webhook{}, client.InNamespace(namespace))
	}, "deleting the Webhooks of namespace %s", namespace); err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		var list hooksv1alpha1.WebhookList
		err := c.List(ctx, &list, client.InNamespace(namespace))
		if err == nil && len(list.Items) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("the Webhooks of namespace %s were not gone after %s; the last List failed: %w", namespace, timeout, err)
			}
			return fmt.Errorf("the Webhooks of namespace %s were not gone after %s: %d left", namespace, timeout, len(list.Items))
		}
		if err := sleep(ctx, poll); err != nil {
			return err
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func inFile(file string) string {
	if file == "" {
		return ""
	}
	return " (profile: " + file + ", for go tool pprof)"
}
