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
// config/samples/, waits for every Webhook to be Ready, prints them and keeps running until
// Ctrl-C. `make demo` runs it with KUBEBUILDER_ASSETS set.
//
// With --once (or DEMO_ONCE=1) it stops everything right after printing the Webhooks, which is
// what the test and CI smoke runs use.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

const (
	// modulePath identifies the repository root when walking up to go.mod.
	modulePath = "github.com/hookkeeper/hookkeeper"
	// demoNamespace receives every namespaced object of config/samples/.
	demoNamespace = "demo"
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
	root, err := findRoot(wd)
	if err != nil {
		return options{}, err
	}
	assets, err := envtestAssets()
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

// findRoot walks up from dir to the go.mod of this module, so that `go run ./hack/demo` works
// from anywhere inside the repository.
func findRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			if modulePathOf(data) == modulePath {
				return dir, nil
			}
			return "", fmt.Errorf("%s belongs to another module: run the demo from inside the hookkeeper repository", filepath.Join(dir, "go.mod"))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("found no go.mod above the current directory: run the demo from inside the hookkeeper repository")
		}
		dir = parent
	}
}

func modulePathOf(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module"); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// envtestAssets returns $KUBEBUILDER_ASSETS after checking it holds the control plane binaries.
func envtestAssets() (string, error) {
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		return "", errors.New("KUBEBUILDER_ASSETS is not set: run `make demo`, which finds or builds kube-apiserver and etcd first " +
			"(or: KUBEBUILDER_ASSETS=\"$(hack/setup-envtest.sh)\" go run ./hack/demo)")
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			return "", fmt.Errorf("KUBEBUILDER_ASSETS=%s has no %s: run `make demo`, which finds or builds the envtest binaries", dir, bin)
		}
	}
	return dir, nil
}

// run is the whole demo. Everything it starts is stopped before it returns, in reverse order:
// operator, simulators, control plane.
func run(ctx context.Context, o options) (err error) {
	// The demo process itself only uses controller-runtime as a client; its log is not wanted on screen.
	logf.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	say := func(format string, args ...any) { fmt.Fprintf(o.out, format+"\n", args...) }

	var cleanups []func()
	defer func() {
		if len(cleanups) > 0 {
			say("\nStopping the demo (operator, simulators, control plane)...")
		}
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		if len(cleanups) > 0 {
			say("Stopped.")
		}
	}()

	if err := os.MkdirAll(o.stateDir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", o.stateDir, err)
	}

	say("hookkeeper demo: a control plane, the provider simulators and the operator, all on this machine\n")

	// 1. Control plane.
	say("[1/5] Starting a local control plane (kube-apiserver and etcd from %s)", o.assets)
	testEnv := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(o.root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: o.assets,
	}
	cfg, err := testEnv.Start()
	if err != nil {
		return fmt.Errorf("starting the control plane from %s: %w", o.assets, err)
	}
	cleanups = append(cleanups, func() {
		if err := testEnv.Stop(); err != nil {
			say("  stopping the control plane: %v", err)
		}
	})
	user, err := testEnv.AddUser(envtest.User{Name: "demo", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("adding the demo user: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return fmt.Errorf("writing the kubeconfig: %w", err)
	}
	kubeconfigPath := filepath.Join(o.stateDir, "kubeconfig")
	if err := os.WriteFile(kubeconfigPath, kubeconfig, 0o600); err != nil {
		return err
	}
	say("      API server %s, kubeconfig %s", cfg.Host, kubeconfigPath)

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(hooksv1alpha1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return fmt.Errorf("connecting to the control plane: %w", err)
	}

	// 2. Provider simulators.
	say("[2/5] Starting the provider simulators")
	sims, err := startSimulators(simulators)
	cleanups = append(cleanups, func() { stopSimulators(sims) })
	if err != nil {
		return err
	}
	for _, s := range sims {
		where := "operator flag " + s.flag
		if s.flag == "" {
			where = "no operator flag: the URL goes into each Webhook's spec"
		}
		say("      %-10s %s  (%s)", s.name, s.url, where)
	}

	// 3. Build the operator.
	say("[3/5] Building the operator: go build -o %s .", relTo(o.root, o.managerPath))
	if err := buildOperator(ctx, o.root, o.managerPath); err != nil {
		return err
	}

	// 4. Run the operator.
	logPath := filepath.Join(o.stateDir, "operator.log")
	args := []string{
		"--allow-insecure-endpoints",
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
		"--resync-period=1m",
		"--reactivation-delay=30s",
	}
	for _, s := range sims {
		if s.flag != "" {
			args = append(args, s.flag+"="+s.url)
		}
	}
	say("[4/5] Starting the operator; its log goes to %s", logPath)
	op, err := startOperator(o.managerPath, args, kubeconfigPath, logPath)
	if err != nil {
		return err
	}
	cleanups = append(cleanups, func() { op.stop(operatorGrace) })
	if o.onOperatorStart != nil {
		o.onOperatorStart(op.pid())
	}

	// 5. Samples.
	samplesDir := filepath.Join(o.root, "config", "samples")
	say("[5/5] Applying %s to namespace %s", relTo(o.root, samplesDir)+string(filepath.Separator), demoNamespace)
	if err := ensureNamespace(ctx, c, demoNamespace); err != nil {
		return err
	}
	rewrites := sampleRewrites{pageSeederServerURL: simulatorURL(sims, hooksv1alpha1.ProviderPageSeeder)}
	applied, err := applySamples(ctx, c, samplesDir, demoNamespace, rewrites, o.out)
	if err != nil {
		return err
	}
	if len(applied.webhooks) == 0 {
		return fmt.Errorf("%s holds no Webhook", samplesDir)
	}

	say("\nWaiting up to %s for every Webhook to be Ready", o.readyTimeout)
	hooks, err := waitReady(ctx, c, applied.webhooks, o.readyTimeout, op, o.out)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(hooks) > 0 {
			say("")
			printNotReady(o.out, hooks)
		}
		say("\nLast lines of the operator log (%s):", logPath)
		say("%s", indent(tailFile(logPath, logTailLines), "  "))
		return err
	}

	say("")
	printTable(o.out, hooks)
	if o.once {
		return nil
	}

	printHelp(ctx, o, c, kubeconfigPath, logPath, sims, hooks)

	select {
	case <-ctx.Done():
		return nil
	case <-op.done:
		say("\nThe operator exited unexpectedly (%s). Last lines of %s:", op.exitStatus(), logPath)
		say("%s", indent(tailFile(logPath, logTailLines), "  "))
		return errors.New("the operator exited")
	}
}

// ensureNamespace creates the namespace unless it exists.
func ensureNamespace(ctx context.Context, c client.Client, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", name, err)
	}
	return nil
}

// printHelp tells the user how to look around while the demo runs.
func printHelp(ctx context.Context, o options, c client.Client, kubeconfigPath, logPath string, sims []*runningSimulator, hooks []hooksv1alpha1.Webhook) {
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
	for _, s := range sims {
		say("  %-10s %s", s.name, s.url)
		if s.try != nil {
			for _, line := range s.try(s.url, hooks, secret) {
				say("             %s", line)
			}
		}
	}
	say("\nOperator log: %s", logPath)
	say("Press Ctrl-C to stop everything.")
}

// relTo returns path relative to base when it lies below it, else path unchanged.
func relTo(base, path string) string {
	if rel, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return prefix + "(empty)"
	}
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
