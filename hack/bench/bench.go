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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
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
	b := newBenchRun(o)
	b.announce()
	if err := os.MkdirAll(o.stateDir, 0o755); err != nil {
		return b.res, fmt.Errorf("creating %s: %w", o.stateDir, err)
	}
	// Runs last, once the operator has stopped: a failed run keeps its log for a look.
	defer func() { b.removeLogs(err != nil) }()
	defer b.stop()

	for _, phase := range []func(context.Context) error{
		b.startEnvironment, // 1. control plane, simulators, accounts
		b.buildOperator,    // 2.
		b.floorPhase,       // 3.
		b.startReplicas,    // 4. one operator process, or -replicas sharing the namespaces
		b.createPhase,      // 5.
		b.steadyPhase,      // 6.
		b.outagePhase,      // 7.
		b.recordRSS,        // of the phases above only
		b.tenancyPhases,    // 8 to 10, with the one replica
		b.report,
	} {
		if err := phase(ctx); err != nil {
			return b.res, err
		}
	}
	return b.res, nil
}

// benchRun is what the phases of one run share: the options, what the run has started so far,
// and the results they fill in one after the other. run makes one and calls the phases in
// order; stop undoes what they started.
type benchRun struct {
	o   options
	res results
	// timeout is the longest wait of each phase; the floor may raise it.
	timeout time.Duration
	// phase is the number of the last phase announced by step, of phases in all.
	phase, phases int

	kubeconfigPath string
	logPaths       []string // one log per operator process
	cleanups       []func() // run by stop in reverse order

	cp    *localenv.ControlPlane
	gates string // the control plane's feature gates, if any
	// observer lists and deletes without a rate limit, so that it never takes a share of the
	// applier's; applier creates at the rate the operator and the floor get.
	observer, applier client.Client
	sims              *localenv.Simulators
	w                 *workload
	reps              replicaSet
	// objects counts the Webhook objects an informer of every namespace receives, in a run
	// with several replicas only.
	objects *objectCounter
	// stopRSS ends the polling of the replicas' RSS.
	stopRSS context.CancelFunc
	watch   *watcher
}

// newBenchRun sets up the state of a run of o: its results with the machine's description, the
// wait of each phase and the paths of the files it writes.
func newBenchRun(o options) *benchRun {
	b := &benchRun{
		o:              o,
		res:            newResults(o, readMachine()),
		timeout:        o.waitTimeout(),
		phases:         7 + o.tenancyPhases(),
		kubeconfigPath: filepath.Join(o.stateDir, "kubeconfig"),
		logPaths:       []string{filepath.Join(o.stateDir, "operator.log")},
	}
	if o.sharded() {
		b.logPaths = nil
		for i := range o.replicas {
			b.logPaths = append(b.logPaths, filepath.Join(o.stateDir, "operator-"+replicaID(i)+".log"))
		}
	}
	return b
}

// say prints one line of progress.
func (b *benchRun) say(format string, args ...any) { fmt.Fprintf(b.o.out, format+"\n", args...) }

// step prints the heading of the next phase, numbered.
func (b *benchRun) step(format string, args ...any) {
	b.phase++
	b.say(fmt.Sprintf("[%d/%d] ", b.phase, b.phases)+format, args...)
}

// announce prints what the run measures and on which machine.
func (b *benchRun) announce() {
	o := b.o
	switch {
	case o.spread:
		b.say("hookkeeper bench: %d Webhooks in namespaces of %d with an account each, %d replica(s), simulator latency %s, resync %s, %s outage of %s",
			o.n, perNamespace, o.replicas, o.latency, o.resync, o.outage, o.outageProvider)
	case o.sharedAccounts != "":
		b.say("hookkeeper bench: %d Webhooks in %d namespaces sharing accounts (%s), simulator latency %s, resync %s, %s outage of %s",
			o.n, o.tenants, sharedDescription(o.sharedAccounts, o.accounts), o.latency, o.resync, o.outage, o.outageProvider)
	default:
		b.say("hookkeeper bench: %d Webhooks, simulator latency %s, %d account(s) per provider, resync %s, %s outage of %s",
			o.n, o.latency, o.accounts, o.resync, o.outage, o.outageProvider)
	}
	b.say("machine: %s\n", b.res.machineLine())
}

// removeLogs removes the operator logs and the kubeconfig after a successful run, unless
// -keep-logs asks for them; after a failed run it says where they are.
func (b *benchRun) removeLogs(failed bool) {
	if failed || b.o.keepLogs {
		b.say("Operator log: %s (kubeconfig %s)", strings.Join(b.logPaths, ", "), b.kubeconfigPath)
		return
	}
	for _, p := range b.logPaths {
		_ = os.Remove(p)
	}
	_ = os.Remove(b.kubeconfigPath)
}

// stop stops what the phases started, the last started first.
func (b *benchRun) stop() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}

// failure adds the operators' last words to an error of a phase they take part in.
func (b *benchRun) failure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	lines := logTailLines
	if len(b.reps) > 1 {
		lines = logTailLines / 2
	}
	for _, r := range b.reps {
		b.say("\nLast lines of the log of %s (%s):\n%s", r.name(), r.logPath, localenv.TailFile(r.logPath, lines))
	}
	return err
}

// startEnvironment starts the control plane and the simulators, and creates the namespaces and
// the accounts of the workload: everything the floor and the operator work against.
func (b *benchRun) startEnvironment(ctx context.Context) error {
	o := b.o
	b.step("Starting the control plane and the simulators")
	cpOptions := localenv.ControlPlaneOptions{Root: o.root, Assets: o.assets, KubeconfigPath: b.kubeconfigPath, User: "bench"}
	if o.sharded() {
		cpOptions.FeatureGates = shardFeatureGates
	}
	b.gates = cpOptions.FeatureGates
	cp, err := localenv.StartControlPlane(cpOptions)
	if err != nil {
		return err
	}
	b.cp = cp
	b.cleanups = append(b.cleanups, func() {
		if err := cp.Stop(); err != nil {
			b.say("  stopping the control plane: %v", err)
		}
	})
	if b.observer, err = cp.Client(-1, 0); err != nil {
		return err
	}
	if b.applier, err = cp.Client(float32(o.qps), o.burst); err != nil {
		return err
	}
	latency := map[hooksv1alpha1.ProviderType]time.Duration{}
	for _, d := range catalog.All() {
		latency[d.Type] = o.latency
	}
	if b.sims, err = localenv.StartSimulators(localenv.SimulatorOptions{Latency: latency}); err != nil {
		return err
	}
	b.cleanups = append(b.cleanups, b.sims.Stop)
	return b.createAccounts(ctx)
}

// buildOperator builds the operator binary, before the floor so that the compiler does not
// compete with it.
func (b *benchRun) buildOperator(ctx context.Context) error {
	b.step("Building the operator into %s", b.o.operatorPath)
	return localenv.BuildOperator(ctx, b.o.root, b.o.operatorPath)
}

// floorPhase times a plain client that writes the same Webhooks, the figure the operator's time
// is compared with, and deletes them again before the operator starts.
func (b *benchRun) floorPhase(ctx context.Context) error {
	o := b.o
	if o.noFloor {
		b.step("Floor: skipped (-no-floor); no ratio this run")
		return nil
	}
	b.step("Floor: a plain client (%g QPS, burst %d, %d workers) creates %d Webhooks and patches each status once",
		o.qps, o.burst, o.workers, o.n)
	floor, err := b.w.floor(ctx, b.applier, floorNamespace, o.workers)
	if err != nil {
		return err
	}
	b.res.FloorSeconds = floor.Seconds()
	b.say("      %s; deleting them", round(floor))
	if o.timeout == 0 {
		// The floor tells how long this machine takes to write N Webhooks; an operator three
		// times as slow still gets an answer rather than a timeout.
		b.timeout = max(b.timeout, 3*floor)
	}
	return deleteAll(ctx, b.observer, floorNamespace, b.timeout, o.poll)
}

// tenancyPhases runs the tenancy phases that o asks for, with the one replica.
func (b *benchRun) tenancyPhases(ctx context.Context) error {
	tenancy := tenancyEnv{c: b.observer, sims: b.sims, rep: b.reps[0], timeout: b.timeout, poll: b.o.poll, out: b.o.out,
		step: b.step, say: b.say}
	if err := runTenancy(ctx, b.o, tenancy, &b.res); err != nil {
		return b.failure(ctx, err)
	}
	return nil
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
