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

// Command demo runs hookkeeper end to end on one machine, with no cluster and no SaaS account:
// a local control plane (the kube-apiserver and etcd binaries envtest uses), the provider
// simulators on loopback ports, and the operator as a process of its own. It applies
// config/samples/ (the per-provider samples into the namespace "demo", and config/samples/accounts/:
// a ClusterAccount that two team namespaces may use and a third may not), waits for every Webhook
// to be Ready, or refused by its account where the samples mean it to be, prints them and keeps
// running until Ctrl-C. `make demo` runs it with KUBEBUILDER_ASSETS set.
//
// With --once (or DEMO_ONCE=1) it stops everything right after printing the Webhooks, which is
// what the test and CI smoke runs use.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

const (
	// demoNamespace receives every namespaced object of config/samples/ that names no namespace.
	demoNamespace = "demo"
	// accountSecretNamespace is where ClusterAccounts keep their Secrets: the operator's namespace
	// in a cluster, which the accounts sample names. Outside a cluster the operator has no
	// namespace of its own, so the demo names it with --account-secret-namespaces.
	accountSecretNamespace = "hookkeeper-system"
	// fieldOwner is the server-side apply manager of the objects the demo applies.
	fieldOwner = "hookkeeper-demo"
	// operatorGrace is how long the operator may take to stop after SIGTERM before it is killed.
	operatorGrace = 10 * time.Second
	// logTailLines is how much of the operator log is shown when something goes wrong.
	logTailLines = 30
)

// options is what one run of the demo needs. The test fills it in directly.
type options struct {
	root         string        // repository root (holds go.mod)
	assets       string        // directory with kube-apiserver, etcd and kubectl
	stateDir     string        // kubeconfig and operator log; <root>/.demo by default
	managerPath  string        // where the operator binary is built; <root>/bin/manager by default
	readyTimeout time.Duration // how long to wait for every Webhook to be Ready
	once         bool          // stop right after printing the Webhooks
	out          io.Writer     // where the demo talks to the user

	// onOperatorStart, when set, learns the operator's process id (the test checks it is gone).
	onOperatorStart func(pid int)
}

func main() {
	once := flag.Bool("once", os.Getenv("DEMO_ONCE") == "1",
		"Exit right after the Webhooks are Ready and printed (also DEMO_ONCE=1).")
	readyTimeout := flag.Duration("ready-timeout", 2*time.Minute, "How long to wait for every Webhook to be Ready.")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	o, err := defaultOptions()
	if err == nil {
		o.once = *once
		o.readyTimeout = *readyTimeout
		err = run(ctx, o)
	}
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "demo: interrupted")
		os.Exit(130)
	default:
		fmt.Fprintf(os.Stderr, "demo: error: %v\n", err)
		os.Exit(1)
	}
}

// defaultOptions locates the repository and the envtest binaries.
func defaultOptions() (options, error) {
	wd, err := os.Getwd()
	if err != nil {
		return options{}, err
	}
	root, err := localenv.FindRoot(wd)
	if err != nil {
		return options{}, err
	}
	assets, err := localenv.EnvtestAssets("demo")
	if err != nil {
		return options{}, err
	}
	return options{
		root:         root,
		assets:       assets,
		stateDir:     filepath.Join(root, ".demo"),
		managerPath:  filepath.Join(root, "bin", "manager"),
		readyTimeout: 2 * time.Minute,
		out:          os.Stdout,
	}, nil
}

// run is the whole demo. Everything it starts is stopped before it returns, in reverse order:
// operator, simulators, control plane.
func run(ctx context.Context, o options) (err error) {
	// The demo process itself only uses controller-runtime as a client; its log is not wanted on screen.
	logf.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	d := &demoRun{
		o:              o,
		kubeconfigPath: filepath.Join(o.stateDir, "kubeconfig"),
		logPath:        filepath.Join(o.stateDir, "operator.log"),
	}
	defer d.stop()

	if err := os.MkdirAll(o.stateDir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", o.stateDir, err)
	}

	d.say("hookkeeper demo: a control plane, the provider simulators and the operator, all on this machine\n")
	for _, step := range []func(context.Context) error{
		d.startControlPlane, // 1.
		d.startSimulators,   // 2.
		d.buildOperator,     // 3.
		d.startOperator,     // 4.
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	webhooks, err := d.applySamples(ctx) // 5.
	if err != nil {
		return err
	}
	hooks, err := d.waitReady(ctx, webhooks)
	if err != nil {
		return err
	}

	d.say("")
	printTable(o.out, hooks)
	d.say("")
	printAccounts(o.out, hooks)
	printRefused(o.out, hooks)
	if o.once {
		return nil
	}
	printHelp(ctx, o, d.c, d.kubeconfigPath, d.logPath, d.sims, hooks)
	return d.waitForEnd(ctx)
}

// demoRun is what the steps of one run of the demo share: the options, the paths of the files
// it writes, and what it has started so far, which stop stops again.
type demoRun struct {
	o                       options
	kubeconfigPath, logPath string
	cleanups                []func() // run by stop in reverse order

	c    client.Client // the control plane's, without a rate limit
	sims *localenv.Simulators
	op   *localenv.Operator
}

// say tells the user one line.
func (d *demoRun) say(format string, args ...any) { fmt.Fprintf(d.o.out, format+"\n", args...) }

// stop stops what the steps started, the last started first, and says so.
func (d *demoRun) stop() {
	if len(d.cleanups) > 0 {
		d.say("\nStopping the demo (operator, simulators, control plane)...")
	}
	for i := len(d.cleanups) - 1; i >= 0; i-- {
		d.cleanups[i]()
	}
	if len(d.cleanups) > 0 {
		d.say("Stopped.")
	}
}

// startControlPlane starts the kube-apiserver and etcd, and makes the client the demo uses.
func (d *demoRun) startControlPlane(context.Context) error {
	o := d.o
	d.say("[1/5] Starting a local control plane (kube-apiserver and etcd from %s)", o.assets)
	cp, err := localenv.StartControlPlane(localenv.ControlPlaneOptions{
		Root: o.root, Assets: o.assets, KubeconfigPath: d.kubeconfigPath, User: "demo",
	})
	if err != nil {
		return err
	}
	d.cleanups = append(d.cleanups, func() {
		if err := cp.Stop(); err != nil {
			d.say("  stopping the control plane: %v", err)
		}
	})
	d.say("      API server %s, kubeconfig %s", cp.Config.Host, d.kubeconfigPath)
	d.c, err = cp.Client(0, 0)
	return err
}

// startSimulators starts the provider simulators and says where each one is and how the
// operator learns of it.
func (d *demoRun) startSimulators(context.Context) error {
	d.say("[2/5] Starting the provider simulators")
	// The samples hold placeholder credentials, which the simulators take as they come.
	sims, err := localenv.StartSimulators(localenv.SimulatorOptions{AcceptAnyCredentials: true})
	if err != nil {
		return err
	}
	d.sims = sims
	d.cleanups = append(d.cleanups, sims.Stop)
	for _, s := range sims.All {
		where := "operator flag " + s.Flag
		if s.Flag == "" {
			where = "no operator flag: the URL goes into each Webhook's spec"
		}
		d.say("      %-10s %s  (%s)", s.Name, s.URL, where)
	}
	return nil
}

// buildOperator builds the operator binary.
func (d *demoRun) buildOperator(ctx context.Context) error {
	d.say("[3/5] Building the operator: go build -o %s .", relTo(d.o.root, d.o.managerPath))
	return localenv.BuildOperator(ctx, d.o.root, d.o.managerPath)
}

// startOperator starts the operator as a process of its own, pointed at the simulators, its log
// in the state directory.
func (d *demoRun) startOperator(context.Context) error {
	args := append(localenv.EndpointFlags(),
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
		"--resync-period=1m",
		"--reactivation-delay=30s",
		"--account-secret-namespaces="+accountSecretNamespace,
	)
	args = append(args, d.sims.OperatorFlags()...)
	d.say("[4/5] Starting the operator; its log goes to %s", d.logPath)
	op, err := localenv.StartOperator(d.o.managerPath, args, d.kubeconfigPath, d.logPath)
	if err != nil {
		return err
	}
	d.op = op
	d.cleanups = append(d.cleanups, func() {
		if err := op.Stop(operatorGrace); err != nil {
			d.say("  stopping the operator: %v", err)
		}
	})
	if d.o.onOperatorStart != nil {
		d.o.onOperatorStart(op.PID())
	}
	return nil
}

// waitForEnd keeps the demo running until Ctrl-C, or until the operator exits, which is an
// error.
func (d *demoRun) waitForEnd(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-d.op.Done():
		d.say("\nThe operator exited unexpectedly (%s). Last lines of %s:", d.op.ExitStatus(), d.logPath)
		d.say("%s", indent(localenv.TailFile(d.logPath, logTailLines), "  "))
		return errors.New("the operator exited")
	}
}

// printHelp tells the user how to look around while the demo runs.
func printHelp(ctx context.Context, o options, c client.Client, kubeconfigPath, logPath string, sims *localenv.Simulators, hooks []hooksv1alpha1.Webhook) {
	say := func(format string, args ...any) { fmt.Fprintf(o.out, format+"\n", args...) }
	kubectl := "kubectl"
	assetKubectl := filepath.Join(o.assets, "kubectl")
	_, onPath := exec.LookPath("kubectl")
	_, statErr := os.Stat(assetKubectl)
	if onPath != nil && statErr == nil {
		kubectl = assetKubectl
	}

	say("\nThe demo is running. Kubeconfig: %s", kubeconfigPath)
	say("In another terminal, try:")
	say("  export KUBECONFIG=%s", kubeconfigPath)
	say("  %s get webhooks -A", kubectl)
	say("  %s describe webhook -n %s %s", kubectl, demoNamespace, hooks[0].Name)
	say("  %s get events -n %s", kubectl, demoNamespace)
	if refused := firstRefused(hooks); refused != nil {
		say("  %s get clusteraccounts,webhooks -A", kubectl)
		say("  %s describe webhook -n %s %s", kubectl, refused.Namespace, refused.Name)
		if labels := grantingLabels(ctx, c, refused); labels != "" {
			say("  %s label namespace %s %s   # grant: the Webhook is Ready within seconds", kubectl, refused.Namespace, labels)
		}
	}
	switch {
	case onPath != nil && statErr == nil:
		say("(kubectl is not on your PATH, so these use the one that comes with the control plane.)")
	case statErr == nil:
		say("(No kubectl? The control plane ships one: %s)", assetKubectl)
	}

	say("\nThe SaaS side, as the simulators see it:")
	secret := func(namespace, name, key string) string {
		var s corev1.Secret
		if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &s); err != nil {
			return ""
		}
		return string(s.Data[key])
	}
	withCredentials := credentialsView(ctx, c, hooks)
	for _, s := range sims.All {
		say("  %-10s %s", s.Name, s.URL)
		for _, line := range s.Try(withCredentials, secret) {
			say("             %s", line)
		}
	}
	say("\nOperator log: %s", logPath)
	say("Press Ctrl-C to stop everything.")
}

// firstRefused returns the first Webhook that its account refuses, or nil.
func firstRefused(hooks []hooksv1alpha1.Webhook) *hooksv1alpha1.Webhook {
	for i := range hooks {
		if status, _ := readyOf(&hooks[i]); hooks[i].Spec.AccountRef != nil && status != string(metav1.ConditionTrue) {
			return &hooks[i]
		}
	}
	return nil
}

// grantingLabels returns the labels ("key=value ...") that the first matchLabels-only
// namespaceSelector of the Webhook's ClusterAccount asks for, or "".
func grantingLabels(ctx context.Context, c client.Client, h *hooksv1alpha1.Webhook) string {
	if !h.Spec.AccountRef.IsCluster() {
		return ""
	}
	v, err := accountOf(ctx, c, h)
	if err != nil {
		return ""
	}
	for _, cond := range v.Conditions {
		sel := cond.NamespaceSelector
		if sel == nil || len(sel.MatchExpressions) > 0 || len(sel.MatchLabels) == 0 {
			continue
		}
		var pairs []string
		for k, val := range sel.MatchLabels {
			pairs = append(pairs, k+"="+val)
		}
		sort.Strings(pairs)
		return strings.Join(pairs, " ")
	}
	return ""
}

// credentialsView returns the Webhooks as the simulators' Try reads them: each names its
// credentials Secret in its namespace. A Webhook on an account becomes a copy that names the
// account's Secret, in the account's namespace, with the account's fields filled in; a refused one
// is left out, since it has no remote webhook.
func credentialsView(ctx context.Context, c client.Client, hooks []hooksv1alpha1.Webhook) []hooksv1alpha1.Webhook {
	out := make([]hooksv1alpha1.Webhook, 0, len(hooks))
	for i := range hooks {
		h := &hooks[i]
		if h.Spec.AccountRef == nil {
			out = append(out, *h)
			continue
		}
		if status, _ := readyOf(h); status != string(metav1.ConditionTrue) {
			continue
		}
		v, err := accountOf(ctx, c, h)
		if err != nil {
			continue
		}
		resolved, err := v.Resolve(&h.Spec)
		if err != nil {
			continue
		}
		cp := h.DeepCopy()
		cp.Namespace = v.SecretNamespace
		cp.Spec = *resolved.Spec
		cp.Spec.AccountRef = nil
		cp.Spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: v.SecretName}
		out = append(out, *cp)
	}
	return out
}

// relTo returns path relative to base when it lies below it, else path unchanged.
func relTo(base, path string) string {
	if rel, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// indent puts prefix before every line of s, and says "(empty)" for nothing.
func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return prefix + "(empty)"
	}
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
