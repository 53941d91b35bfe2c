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

// Command bench measures hookkeeper under load on one machine, with no cluster and no SaaS: a
// local control plane, the four provider simulators answering after a set latency, and the
// operator built from this repository and run as a process of its own (internal/test/localenv).
// In one run it measures
//
//   - how long N Webhooks take to become Ready, next to a floor: the same N objects created and
//     status-patched once each by a plain client with the same rate limits;
//   - SaaS requests and API-server writes per created Webhook;
//   - SaaS requests and API-server writes per resync period once everything is Ready;
//   - the operator's peak resident memory;
//   - how long every Webhook takes to be Ready again after an outage of one simulator;
//   - then, as phases of their own after every figure above is taken: how much resident memory
//     1000 Secrets of 64 KiB add to the operator when no Webhook uses them; its resident memory
//     once 50 accounts with a few Webhooks each came and went, next to before them; and how long
//     a Webhook of one namespace takes to be Ready while 50 Webhooks of another namespace, spread
//     over 1, 2 and then 5 credentials, wait on a server that accepts connections and never
//     answers (hung credentials); and how long the first Webhook of one namespace on a
//     ClusterAccount takes to be Ready while another namespace creates 500 on the same account.
//
// With -shared-accounts (make bench ACCOUNTS=cluster or ACCOUNTS=namespace) the N Webhooks go
// into 100 namespaces that share one SaaS account per provider, through ClusterAccounts or
// through a copy of the credentials in every namespace, and the run is shown next to the newest
// run of the other kind.
//
// It prints a table, with the project's targets beside the figures (never asserted), and writes
// the same figures as JSON. `make bench` runs it; `make bench N=10000` applies 10000 Webhooks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// defaultJSON is where the results go, relative to the repository root (bin/ is not versioned).
const defaultJSON = "bin/bench/results.json"

func main() {
	o, err := parseFlags(flag.CommandLine, os.Args[1:], os.Getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err = locate(&o)
	if err == nil {
		_, err = run(ctx, o)
	}
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "bench: interrupted")
		os.Exit(130)
	default:
		fmt.Fprintf(os.Stderr, "bench: error: %v\n", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into options. The environment variables N, LATENCY and
// REPLICAS, read through getenv, replace the defaults of -n, -latency and -replicas, so that
// `make bench N=10000` and `N=10000 go run ./hack/bench` both work; a flag given on the command
// line wins.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) (options, error) {
	o := defaultOptions()
	if err := readEnv(&o, getenv); err != nil {
		return o, err
	}
	outageProvider := catalog.All()[0].Name
	defineFlags(fs, &o, &outageProvider)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./hack/bench [flags]   (or: make bench N=... BENCH_ARGS='...')\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q: every setting is a flag", fs.Args())
	}
	if err := applyGiven(fs, &o); err != nil {
		return o, err
	}
	p, err := parseProvider(outageProvider)
	if err != nil {
		return o, err
	}
	o.outageProvider = p
	return o, o.validate()
}

// defaultOptions are the settings of a run before the environment and the flags change them.
func defaultOptions() options {
	return options{
		n:              1000,
		latency:        20 * time.Millisecond,
		accounts:       2,
		resync:         60 * time.Second,
		outage:         60 * time.Second,
		outageProvider: catalog.All()[0].Type,
		qps:            50,
		burst:          100,
		workers:        10,
		jsonPath:       defaultJSON,
		out:            os.Stdout,
		// The targets of the tenancy phases are stated for these counts.
		hungWebhooks:     defaultHungWebhooks,
		unrelatedSecrets: defaultUnrelatedSecrets,
		churnAccounts:    defaultChurnAccounts,
		fairWebhooks:     defaultFairWebhooks,
		replicas:         1,
		tenants:          defaultTenants,
	}
}

// readEnv puts the environment variables N, LATENCY, ACCOUNTS and REPLICAS, read through
// getenv, into o, where they become the defaults of the flags.
func readEnv(o *options, getenv func(string) string) error {
	if v := getenv("N"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("environment variable N=%q is not a number", v)
		}
		o.n = n
	}
	if v := getenv("LATENCY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("environment variable LATENCY=%q is not a duration such as 20ms", v)
		}
		o.latency = d
	}

	// ACCOUNTS=cluster or ACCOUNTS=namespace, as `make bench ACCOUNTS=cluster` passes it.
	o.sharedAccounts = strings.ToLower(strings.TrimSpace(getenv("ACCOUNTS")))

	if v := getenv("REPLICAS"); v != "" {
		r, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("environment variable REPLICAS=%q is not a number", v)
		}
		o.replicas = r
	}
	return nil
}

// defineFlags defines the bench's flags on fs, with the values in o (and outageProvider) as
// their defaults and as where they go.
func defineFlags(fs *flag.FlagSet, o *options, outageProvider *string) {
	fs.IntVar(&o.n, "n", o.n, "Number of Webhooks to apply, spread evenly over the providers (also N=...).")
	fs.DurationVar(&o.latency, "latency", o.latency, "Latency of every request to every simulator (also LATENCY=...).")
	fs.IntVar(&o.accounts, "accounts", o.accounts, "Credentials per provider; the Webhooks are spread evenly over them. With -shared-accounts the "+
		"shared accounts (ClusterAccounts) per provider, 1 unless given.")
	fs.DurationVar(&o.resync, "resync", o.resync, "The operator's --resync-period during the run.")
	fs.DurationVar(&o.outage, "outage", o.outage, "How long the outage of one simulator lasts.")
	fs.StringVar(outageProvider, "outage-provider", *outageProvider, "Simulator that goes down: "+providerChoices(true)+".")
	fs.Float64Var(&o.qps, "qps", o.qps, "API-server queries per second of the operator (--kube-api-qps), of the floor's client and of the client that applies the Webhooks.")
	fs.IntVar(&o.burst, "burst", o.burst, "API-server burst of the same three clients (--kube-api-burst).")
	fs.IntVar(&o.workers, "workers", o.workers, "Reconcile workers of the operator (--max-concurrent-reconciles), and workers of the floor's and the applying clients.")
	fs.StringVar(&o.gomemlimit, "gomemlimit", "", "GOMEMLIMIT of the operator processes only (not of the control plane), such as 90MiB; empty leaves it unset. Reported with the results.")
	fs.StringVar(&o.providerQPS, "provider-qps", o.providerQPS, "Passed to the operator as --provider-qps when set, such as webex=10,autodesk=10.")
	fs.StringVar(&o.jsonPath, "json", o.jsonPath, "File the results are written to as JSON; empty writes none. The default is below the repository root, wherever the command runs.")
	fs.DurationVar(&o.timeout, "timeout", 0, "Longest wait of each phase (operator start, all Ready, deletion of the floor); 0 means 2m + N*40ms, or three times the floor when that is longer.")
	fs.IntVar(&o.hungWebhooks, "hung-webhooks", o.hungWebhooks, "Webhooks of one namespace (of the first provider whose Webhooks name their server, on a server that never answers), "+
		"spread over 1, 2 and then 5 credentials, in the phase that times a Webhook of another namespace behind them each time; 0 skips the phase.")
	fs.IntVar(&o.unrelatedSecrets, "unrelated-secrets", o.unrelatedSecrets, "Secrets of 64 KiB created in a namespace no Webhook uses, in the phase that measures the resident memory they add to the operator; 0 skips the phase.")
	fs.IntVar(&o.churnAccounts, "churn-accounts", o.churnAccounts, fmt.Sprintf("Accounts (the providers taking turns, %d Webhooks each) that come and go in the phase that "+
		"compares the operator's resident memory before them and once they are gone; it waits 1.5 times max(1m, -resync) and %s for the operator to drop them; 0 skips the phase.",
		churnWebhooksPerAccount, sweepMargin))
	fs.IntVar(&o.fairWebhooks, "fair-webhooks", o.fairWebhooks, fmt.Sprintf("Webhooks that one namespace creates at once on a ClusterAccount "+
		"(of the first provider) in the fairness phase, which times the first Webhook of another namespace on the same account until it is Ready "+
		"(target <= %g s at %d); 0 skips the phase.", fairTargetSeconds, defaultFairWebhooks))
	fs.IntVar(&o.replicas, "replicas", o.replicas, "Operator processes (also REPLICAS=...). Above 1 they run with --sharding against an API server with the "+
		"ShardedListAndWatch feature gate, the Webhooks are spread over namespaces of their own (-spread), the tenancy phases are skipped and "+
		"the JSON goes to bin/bench/results-replicas<R>.json.")
	fs.BoolVar(&o.spread, "spread", false, "Spread the Webhooks over N/10 namespaces, each with its own credentials Secret and account, 10 Webhooks of one "+
		"provider each (-accounts is then unused). On with -replicas above 1; with one replica it gives the figure the replicas are compared with "+
		"(JSON in bin/bench/results-spread.json).")
	fs.StringVar(&o.sharedAccounts, "shared-accounts", o.sharedAccounts, fmt.Sprintf("Spread the Webhooks over -namespaces namespaces that share one "+
		"SaaS account per provider (also ACCOUNTS=...): %q names it through one ClusterAccount per provider that permits the namespaces by a label, "+
		"its credentials Secret in namespace %s (--account-secret-namespaces); %q copies its credentials Secret into every namespace, as before "+
		"ClusterAccounts. Each run is shown next to the newest run of the other kind at the same N in the JSON's directory "+
		"(JSON in bin/bench/results-accounts-<kind>.json).", sharedCluster, accountSecretNamespace, sharedNamespace))
	fs.IntVar(&o.tenants, "namespaces", o.tenants, "Namespaces of a -shared-accounts run; the Webhooks go round them, each namespace getting every provider's.")
	fs.Float64Var(&o.baselineRSS, "baseline-rss", 0, "One replica's peak RSS in MiB at the same N, for the target of -replicas above 1; 0 takes it from "+
		"the newest single-replica JSON at the same N in bin/bench/ (the same layout preferred).")
	fs.BoolVar(&o.noFloor, "no-floor", false, "Skip the floor (a plain client writing N Webhooks) and so the ratio: a quicker run to look at memory or requests.")
	fs.BoolVar(&o.keepLogs, "keep-logs", false, "Keep the operator log and the kubeconfig in bin/bench/ after a successful run (a failed run always keeps them).")
}

// applyGiven settles what depends on which flags were given: a run on shared accounts has one
// account per provider unless -accounts says otherwise, and a run with several replicas is spread
// and has no tenancy phases.
func applyGiven(fs *flag.FlagSet, o *options) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if o.sharedAccounts != "" && !given["accounts"] {
		o.accounts = 1 // the namespaces share one account per provider
	}
	if o.replicas > 1 {
		if given["spread"] && !o.spread {
			return fmt.Errorf("-replicas %d -spread=false: the replicas share the Webhooks by namespace, so they are spread", o.replicas)
		}
		o.spread = true
		// The tenancy phases measure one process.
		for _, name := range []string{"hung-webhooks", "unrelated-secrets", "churn-accounts", "fair-webhooks"} {
			if given[name] && fs.Lookup(name).Value.String() != "0" {
				return fmt.Errorf("-%s: the tenancy phases run with one replica only", name)
			}
		}
		o.hungWebhooks, o.unrelatedSecrets, o.churnAccounts, o.fairWebhooks = 0, 0, 0, 0
	}
	return nil
}

// parseProvider accepts a provider as spec.provider spells it, in any case, its name, or its
// short name (such as 8x8).
func parseProvider(s string) (hooksv1alpha1.ProviderType, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, d := range catalog.All() {
		if name == d.Name || name == strings.ToLower(string(d.Type)) || name == strings.ToLower(d.ShortName) {
			return d.Type, nil
		}
	}
	return "", fmt.Errorf("-outage-provider %q: want %s", s, providerChoices(false))
}

// providerChoices lists the providers' names, "a, b or c", each followed by its short name in
// parentheses where that differs, when aliases is true.
func providerChoices(aliases bool) string {
	var names []string
	for _, d := range catalog.All() {
		name := d.Name
		if short := strings.ToLower(d.ShortName); aliases && short != "" && short != d.Name {
			name += " (" + short + ")"
		}
		names = append(names, name)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// locate finds the repository and the envtest binaries, and puts the files the run writes
// below the repository root: the operator binary, its log and kubeconfig, and the JSON.
func locate(o *options) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	if o.root, err = localenv.FindRoot(wd); err != nil {
		return err
	}
	if o.assets, err = localenv.EnvtestAssets("bench"); err != nil {
		return err
	}
	o.stateDir = filepath.Join(o.root, "bin", "bench")
	o.operatorPath = filepath.Join(o.root, "bin", "hookkeeper-bench")
	if o.jsonPath == defaultJSON {
		o.jsonPath = filepath.Join(o.root, o.defaultJSONName())
	}
	return nil
}
