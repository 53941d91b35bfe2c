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

// Command hookkeeper runs the operator that manages SaaS webhooks declared as Webhook resources.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/signal"
	goruntime "runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/validation"

	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/controllers"
	"github.com/hookkeeper/hookkeeper/internal/importer"
	"github.com/hookkeeper/hookkeeper/internal/metrics"
	"github.com/hookkeeper/hookkeeper/internal/recorder"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
	"github.com/hookkeeper/hookkeeper/providers/egress"
	"github.com/hookkeeper/hookkeeper/providers/ratelimit"
)

// config holds the command line.
type config struct {
	metricsAddr, probeAddr  string
	metricsSecure           bool
	pprofAddr               string
	leaderElect             bool
	leaderElectionNamespace string
	// sharding makes every replica active on a share of the namespaces (internal/sharding);
	// shardIdentity names this replica: in its User-Agent, and with a suffix per process in the
	// shard Leases.
	sharding           bool
	shardIdentity      string
	shardLeaseDuration time.Duration
	// apiURLs are the providers' --<name>-api-url values, by descriptor name.
	apiURLs                   map[string]*string
	allowInsecure             bool
	resync, reactivationDelay time.Duration
	deletionTimeout           time.Duration
	httpTimeout               time.Duration
	workers                   int
	qps                       float64
	burst                     int
	providerQPS               providerLimits
	// rateShare splits --provider-qps among the live replicas with --sharding (set by run): they
	// may all send requests for one SaaS account, and together stay within its rate.
	rateShare *ratelimit.Share
	// gates are the reconciler's Retry-After gates (set by run), which the providers' transports
	// ask right before each request.
	gates *controllers.Gates
	// endpointAllowlist is the raw --endpoint-allowlist; egress its parsed form (set by validate).
	endpointAllowlist string
	egress            *egress.Policy
	// watchNamespaces is the raw --watch-namespaces; namespaces its parsed form (set by validate).
	watchNamespaces string
	namespaces      []string
	// statusKeySecret names the Secret, in the operator's namespace, that keys status.appliedSecretHash.
	statusKeySecret string
	// accountSecretNamespacesFlag is the raw --account-secret-namespaces; accountSecretNamespaces
	// its parsed form (set by validate): nil for the default, the operator's own namespace, which
	// run resolves (accountSecretNamespacesIn) into secretNamespaces.
	accountSecretNamespacesFlag string
	accountSecretNamespaces     []string
	secretNamespaces            []string
}

// defaultProviderQPS is the default of --provider-qps, from each provider's descriptor: below
// what each SaaS documents or is known to tolerate per credential, so that the operator slows
// down before the SaaS says so.
func defaultProviderQPS() string {
	var items []string
	for _, d := range catalog.All() {
		items = append(items, d.Name+"="+strconv.FormatFloat(d.DefaultQPS, 'g', -1, 64))
	}
	return strings.Join(items, ",")
}

// rateLimitedProviders are the names --provider-qps accepts, in the order it prints them.
var rateLimitedProviders = catalog.Names()

// providerLimits is the value of --provider-qps: the client-side rate of each provider, per
// credential. Each Set overrides the providers it names and keeps the others.
type providerLimits struct {
	limits map[string]ratelimit.Limit
}

// String lists the limits as the flag takes them, providers in a fixed order.
func (p *providerLimits) String() string {
	if p == nil {
		return ""
	}
	var items []string
	for _, name := range rateLimitedProviders {
		l, ok := p.limits[name]
		if !ok {
			continue
		}
		item := name + "=" + strconv.FormatFloat(l.QPS, 'g', -1, 64)
		if l.Burst > 0 {
			item += ":" + strconv.Itoa(l.Burst)
		}
		items = append(items, item)
	}
	return strings.Join(items, ",")
}

// Set reads name=qps or name=qps:burst items (see ratelimit.Parse) and overrides the limits of
// the providers they name. An unknown name is an error that lists the known ones.
func (p *providerLimits) Set(s string) error {
	parsed, err := ratelimit.Parse(s)
	if err != nil {
		return err
	}
	for name := range parsed {
		if !slices.Contains(rateLimitedProviders, name) {
			return fmt.Errorf("unknown provider %q: want one of %s", name, strings.Join(rateLimitedProviders, ", "))
		}
	}
	if p.limits == nil {
		p.limits = map[string]ratelimit.Limit{}
	}
	maps.Copy(p.limits, parsed)
	return nil
}

// limit returns the limit of provider; none when it has none.
func (p *providerLimits) limit(provider string) ratelimit.Limit {
	return p.limits[provider]
}

func (c *config) bind(fs *flag.FlagSet) {
	fs.StringVar(&c.metricsAddr, "metrics-bind-address", ":8080", "Address the metrics endpoint binds to; \"0\" disables it.")
	fs.BoolVar(&c.metricsSecure, "metrics-secure", true, "Serve metrics over HTTPS (a self-signed certificate), only to clients whose bearer token the API server authenticates (TokenReview) and authorizes to get the non-resource URL /metrics (SubjectAccessReview). False: plain HTTP without authentication, for local use.")
	fs.StringVar(&c.pprofAddr, "pprof-bind-address", "", "Address net/http/pprof binds to (/debug/pprof/), with no authentication; empty or \"0\" disables it.")
	fs.StringVar(&c.probeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	fs.BoolVar(&c.leaderElect, "leader-elect", false, "Elect a leader, so that only one replica reconciles at a time.")
	fs.StringVar(&c.leaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader-election and shard Leases and of the --status-key-secret Secret; empty: the pod's own namespace. Needed when the operator runs outside a cluster with --leader-elect or --sharding; without it there, the status key lasts as long as the process.")
	fs.StringVar(&c.statusKeySecret, "status-key-secret", "hookkeeper-status-key", "Secret, in the operator's namespace, holding the key of every Webhook's status.appliedSecretHash; the first replica to start creates it with a random key. Each release in one namespace needs its own.")
	fs.BoolVar(&c.sharding, "sharding", false, "Every replica is active and reconciles a share of the namespaces, agreed through one Lease per replica (no leader election). Experimental.")
	fs.StringVar(&c.shardIdentity, "shard-identity", "", "This replica's name in the User-Agent of its requests to the SaaS and, with a random suffix per process, in its shard Lease; empty: the host name, which is the pod's name.")
	fs.DurationVar(&c.shardLeaseDuration, "shard-lease-duration", 15*time.Second, "How long a shard Lease lasts without renewal (renewed three times as often): a replica that dies is replaced after this long, and one that cannot renew it for two thirds of it stops reconciling, and exits once the API server answers again. At least 3s.")
	c.apiURLs = map[string]*string{}
	for _, d := range catalog.All() {
		if d.APIURL != nil {
			c.apiURLs[d.Name] = fs.String(d.FlagName(), d.APIURL.Default, d.APIURL.Usage)
		}
	}
	fs.BoolVar(&c.allowInsecure, "allow-insecure-endpoints", false, "Allow http:// provider URLs and pageSeeder.serverUrl (local sandboxes and tests only).")
	fs.DurationVar(&c.resync, "resync-period", 10*time.Minute, "How often a synced Webhook is observed again (jittered by 10%).")
	fs.IntVar(&c.workers, "max-concurrent-reconciles", 10, "Number of reconcile workers.")
	fs.DurationVar(&c.reactivationDelay, "reactivation-delay", 5*time.Minute, "How long a webhook the SaaS disabled stays disabled before the operator re-activates it; doubles on each repeat.")
	fs.DurationVar(&c.deletionTimeout, "deletion-timeout", 10*time.Minute, "How long deleting a Webhook retries when its credentials are missing or refused, before it gives up and leaves the remote webhook behind.")
	fs.DurationVar(&c.httpTimeout, "http-timeout", 30*time.Second, "Timeout of each request to a SaaS.")
	fs.Float64Var(&c.qps, "kube-api-qps", 50, "Queries per second to the Kubernetes API server.")
	fs.IntVar(&c.burst, "kube-api-burst", 100, "Burst of queries to the Kubernetes API server.")
	c.providerQPS = providerLimits{}
	if err := c.providerQPS.Set(defaultProviderQPS()); err != nil {
		panic(err) // a constant that does not parse is a programming error
	}
	fs.StringVar(&c.endpointAllowlist, "endpoint-allowlist", "", "Host patterns (ps.example.com, *.corp.example), addresses and CIDRs (10.20.0.0/16, fd00::/8), separated by commas, that endpoints a Webhook's spec supplies (spec.pageSeeder.serverUrl and its OAuth token URL) may reach. An entry may name a port and then allows that port only (ps.example.com:8443, *.corp.example:443, 10.20.0.0/16:443, [fd00::/8]:443); without one, every port. Empty: public addresses only; what IANA's special-purpose address registries do not mark globally reachable (loopback, link-local, private, shared, documentation, benchmarking and the like), multicast, and the IPv6 forms that carry an IPv4 address (6to4, Teredo, IPv4-compatible, IPv4-translated) are refused when connecting; an IPv4-mapped or NAT64 address is judged by its IPv4 address. Endpoints set by flag (--webex-api-url and the like) are not limited.")
	fs.StringVar(&c.watchNamespaces, "watch-namespaces", "", "Namespaces, separated by commas, whose Webhooks, Accounts and Secrets the operator caches and watches; empty: all namespaces. ClusterAccounts and Namespaces are cluster-scoped and always watched whole.")
	fs.StringVar(&c.accountSecretNamespacesFlag, "account-secret-namespaces", "", "Namespaces, separated by commas, where a ClusterAccount's spec.credentialsRef may point, or * for any namespace; empty: the operator's own namespace (--leader-election-namespace, else the pod's). With --watch-namespaces, the operator also caches and watches the Secrets (metadata only) of these namespaces, and with * those of every namespace.")
	fs.Var(&c.providerQPS, "provider-qps", "Client-side requests per second per credential for each provider, as name=qps or name=qps:burst items separated by commas (0 disables a provider's limit; the burst defaults to twice the rate). Items given override the default of their provider only; the providers are "+strings.Join(rateLimitedProviders, ", ")+".")
}

// validate checks the flags that a typo would turn into a silent misbehaviour.
func (c *config) validate() error {
	for _, d := range catalog.All() {
		if d.APIURL == nil {
			continue
		}
		name, raw := "--"+d.FlagName(), *c.apiURLs[d.Name]
		if raw == "" && d.APIURL.Default == "" {
			continue // the provider picks its own host
		}
		if err := providers.CheckURLFlag(name, raw, c.allowInsecure); err != nil {
			return err
		}
	}
	if c.resync <= 0 || c.reactivationDelay <= 0 || c.deletionTimeout <= 0 || c.httpTimeout <= 0 {
		return errors.New("--resync-period, --reactivation-delay, --deletion-timeout and --http-timeout must be positive")
	}
	if c.shardLeaseDuration < 3*time.Second || c.shardLeaseDuration%time.Second != 0 {
		return errors.New("--shard-lease-duration must be a whole number of seconds, at least 3s")
	}
	if c.workers < 1 {
		return errors.New("--max-concurrent-reconciles must be at least 1")
	}
	policy, err := egress.Parse(c.endpointAllowlist)
	if err != nil {
		return fmt.Errorf("--endpoint-allowlist: %w", err)
	}
	c.egress = policy
	if errs := validation.IsDNS1123Subdomain(c.statusKeySecret); len(errs) > 0 {
		return fmt.Errorf("--status-key-secret: %q is not a Secret name: %s", c.statusKeySecret, strings.Join(errs, "; "))
	}
	if c.namespaces, err = parseNamespaces(c.watchNamespaces); err != nil {
		return err
	}
	c.accountSecretNamespaces, err = parseAccountSecretNamespaces(c.accountSecretNamespacesFlag)
	return err
}

// anyNamespace is the --account-secret-namespaces entry that admits every namespace.
const anyNamespace = "*"

// parseAccountSecretNamespaces reads --account-secret-namespaces: DNS-1123 labels, each at most
// once, or * alone. Empty is nil: the default, the operator's own namespace.
func parseAccountSecretNamespaces(raw string) ([]string, error) {
	const name = "--account-secret-namespaces"
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var out []string
	for _, ns := range strings.Split(raw, ",") {
		ns = strings.TrimSpace(ns)
		if ns != anyNamespace {
			if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
				return nil, fmt.Errorf("%s: entry %q is neither a namespace name nor %q: %s", name, ns, anyNamespace, strings.Join(errs, "; "))
			}
		}
		if slices.Contains(out, ns) {
			return nil, fmt.Errorf("%s: entry %q is listed twice", name, ns)
		}
		out = append(out, ns)
	}
	if len(out) > 1 && slices.Contains(out, anyNamespace) {
		return nil, fmt.Errorf("%s: %q admits every namespace and stands alone, got %q", name, anyNamespace, raw)
	}
	return out, nil
}

// accountSecretNamespacesIn returns the namespaces where a ClusterAccount's credentials may be:
// those of --account-secret-namespaces, else own, the operator's namespace; none when own is
// unknown too (outside a cluster without --leader-election-namespace).
func (c *config) accountSecretNamespacesIn(own string) []string {
	if c.accountSecretNamespaces != nil {
		return c.accountSecretNamespaces
	}
	if own == "" {
		return nil
	}
	return []string{own}
}

// secretCacheNamespaces returns the namespaces whose Secrets the cache must hold besides those of
// --watch-namespaces, as the cache's per-object namespaces: nil when the watched namespaces
// already cover them (every namespace without --watch-namespaces, or the account-secret
// namespaces all watched); every namespace for "*".
func secretCacheNamespaces(watched, accountSecrets []string) map[string]cache.Config {
	if len(watched) == 0 {
		return nil
	}
	if slices.Contains(accountSecrets, anyNamespace) {
		return map[string]cache.Config{cache.AllNamespaces: {}}
	}
	extra := false
	for _, ns := range accountSecrets {
		if !slices.Contains(watched, ns) {
			extra = true
		}
	}
	if !extra {
		return nil
	}
	out := map[string]cache.Config{}
	for _, ns := range slices.Concat(watched, accountSecrets) {
		out[ns] = cache.Config{}
	}
	return out
}

// checkAccountSecretNamespaces stops the operator at start when --watch-namespaces restricts the
// cache and the operator may not list the Secrets of an account-secret namespace outside it: its
// cache would otherwise wait for that informer until the manager gives up, without naming the
// flag. Without --watch-namespaces, the ClusterRole that reads every Secret covers them.
func checkAccountSecretNamespaces(ctx context.Context, reader client.Reader, watched, accountSecrets []string) error {
	if len(watched) == 0 {
		return nil
	}
	for _, ns := range accountSecrets {
		if slices.Contains(watched, ns) {
			continue
		}
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("SecretList"))
		opts := []client.ListOption{client.Limit(1)}
		where := "namespace " + strconv.Quote(ns)
		if ns == anyNamespace {
			where = "every namespace"
		} else {
			opts = append(opts, client.InNamespace(ns))
		}
		err := reader.List(ctx, list, opts...)
		switch {
		case err == nil:
		case apierrors.IsForbidden(err):
			return fmt.Errorf("--account-secret-namespaces: the operator may not list Secrets in %s (it needs get, list and watch on Secrets there)", where)
		default:
			return fmt.Errorf("--account-secret-namespaces: listing Secrets in %s: %w", where, err)
		}
	}
	return nil
}

// parseNamespaces reads --watch-namespaces: DNS-1123 labels, each at most once.
func parseNamespaces(raw string) ([]string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var out []string
	for _, ns := range strings.Split(raw, ",") {
		ns = strings.TrimSpace(ns)
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return nil, fmt.Errorf("--watch-namespaces: entry %q is not a namespace name: %s", ns, strings.Join(errs, "; "))
		}
		if slices.Contains(out, ns) {
			return nil, fmt.Errorf("--watch-namespaces: entry %q is listed twice", ns)
		}
		out = append(out, ns)
	}
	return out, nil
}

// checkNamespaces stops the operator at start when a namespace of --watch-namespaces does not
// exist, or it may not read Webhooks there: a typo would otherwise leave that team's Webhooks
// untouched without a word. Without permission to read Namespaces, a namespace-scoped install
// still tells: its Role cannot exist in a namespace that does not.
func checkNamespaces(ctx context.Context, reader client.Reader, namespaces []string) error {
	for _, ns := range namespaces {
		err := reader.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{})
		if apierrors.IsForbidden(err) {
			err = reader.List(ctx, &hooksv1alpha1.WebhookList{}, client.InNamespace(ns), client.Limit(1))
			if apierrors.IsForbidden(err) {
				return fmt.Errorf("--watch-namespaces: entry %q: no such namespace, or the operator may not read Webhooks in it", ns)
			}
		}
		switch {
		case err == nil:
		case apierrors.IsNotFound(err):
			return fmt.Errorf("--watch-namespaces: entry %q: no such namespace", ns)
		default:
			return fmt.Errorf("--watch-namespaces: checking namespace %q: %w", ns, err)
		}
	}
	return nil
}

// registry builds the provider set from the explicit list of descriptors: no init() side effects.
// Each provider labels its requests with the operation they serve, for the metrics.
func (c *config) registry() providers.Registry {
	registry := providers.Registry{}
	for _, d := range catalog.All() {
		settings := providers.Settings{HTTPClient: c.httpClient(d.Name), AllowInsecure: c.allowInsecure, Egress: c.egress,
			UserAgent: c.userAgent()}
		if u := c.apiURLs[d.Name]; u != nil {
			settings.BaseURL = *u
		}
		registry[d.Type] = metrics.Provider(d.New(settings))
	}
	return registry
}

// userAgent is the User-Agent of the requests to the SaaS: hookkeeper/<version>, and with
// --sharding the replica's identity, so that the SaaS's logs tell which replica sent each request.
func (c *config) userAgent() string {
	ver, _, _ := buildInfo()
	if !c.sharding {
		return providers.UserAgent(ver, "")
	}
	id := c.shardIdentity
	if id == "" {
		id, _ = os.Hostname() // shardRunner refuses to start without it
	}
	return providers.UserAgent(ver, id)
}

// providerNames maps each provider's type to its name, the provider label of every metric.
func providerNames() map[hooksv1alpha1.ProviderType]string {
	names := map[hooksv1alpha1.ProviderType]string{}
	for _, d := range catalog.All() {
		names[d.Type] = d.Name
	}
	return names
}

// httpClient returns the client of one provider: its own connection pool, limited to the
// provider's --provider-qps per credential. A provider whose endpoints come from the Webhook's
// spec (PageSeeder's serverUrl) gets a transport that checks every connection against
// --endpoint-allowlist when it is dialed.
func (c *config) httpClient(provider string) *http.Client {
	var base http.RoundTripper
	if d, ok := catalog.ByName(provider); ok && d.TenantEndpoints {
		base = c.egress.Transport()
	} else if t, ok := http.DefaultTransport.(*http.Transport); ok {
		base = t.Clone()
	}
	// Requests the client-side rate refuses never leave the process, so they are not counted.
	limit := c.providerQPS.limit(provider)
	limit.Share = c.rateShare
	if c.gates != nil {
		// A request that waited its turn while a 429 closed its credential's gate (in this
		// replica, or in another and then here through the account's status) is not sent.
		limit.Gate = c.gates
	}
	return &http.Client{Timeout: c.httpTimeout,
		Transport: ratelimit.Transport(metrics.Transport(base, provider), provider, limit)}
}

// Set at build time: make build and the Dockerfile pass -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

// versionCommand is the subcommand that prints the version; --version does the same.
const versionCommand = "version"

// commands are the subcommands, in the order the usage lists them.
var commands = []string{importer.Command, versionCommand}

// Exit statuses of the command.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	c, zapOpts, code := dispatch(os.Args[1:], os.Stdout, os.Stderr)
	if c == nil {
		os.Exit(code)
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(zapOpts)))
	if err := run(ctrl.SetupSignalHandler(), c); err != nil {
		ctrl.Log.WithName("setup").Error(err, "Operator stopped")
		os.Exit(exitFailure)
	}
}

// dispatch reads the command line. It runs a subcommand, or prints the version or the usage,
// and returns nil and the exit status; or it returns the validated flags of the operator, which
// the caller runs.
func dispatch(args []string, stdout, stderr io.Writer) (*config, *zap.Options, int) {
	// A subcommand has flags of its own: dispatch before the operator's flags are parsed.
	if len(args) > 0 {
		switch args[0] {
		case importer.Command:
			return nil, nil, runImport(args[1:], stdout, stderr)
		case versionCommand:
			if len(args) > 1 {
				return nil, nil, usageError(stderr, fmt.Sprintf("%s takes no arguments, got %q", versionCommand, args[1]))
			}
			printVersion(stdout)
			return nil, nil, exitOK
		}
	}
	if wantsVersion(args) {
		printVersion(stdout)
		return nil, nil, exitOK
	}
	var c config
	fs := flag.NewFlagSet("hookkeeper", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.bind(fs)
	zapOpts := &zap.Options{}
	zapOpts.BindFlags(fs)
	// controller-runtime registers --kubeconfig on the global flag set, where GetConfigOrDie reads it.
	if f := flag.CommandLine.Lookup("kubeconfig"); f != nil {
		fs.Var(f.Value, f.Name, f.Usage)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs)
			return nil, nil, exitOK
		}
		return nil, nil, usageError(stderr, err.Error())
	}
	if fs.NArg() > 0 {
		arg := fs.Arg(0)
		if slices.Contains(commands, arg) {
			return nil, nil, usageError(stderr, fmt.Sprintf("the command %q must come first, before any flag", arg))
		}
		return nil, nil, usageError(stderr, fmt.Sprintf("unknown command %q: the commands are %s; the operator itself takes flags only",
			arg, strings.Join(commands, ", ")))
	}
	if err := c.validate(); err != nil {
		return nil, nil, usageError(stderr, "invalid flags: "+err.Error())
	}
	return &c, zapOpts, exitOK
}

// wantsVersion reports whether the operator's flags ask for the version (-version or --version,
// before any "--"). It is not a flag of the flag set: the Helm chart passes every flag there.
func wantsVersion(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-version", "--version", "-version=true", "--version=true":
			return true
		}
	}
	return false
}

// usageError reports a mistake in the command line and returns exit status 2.
func usageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "hookkeeper: %s\nRun 'hookkeeper --help' for usage.\n", msg)
	return exitUsage
}

// printUsage writes the help of the command: its subcommands and the operator's flags.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, `Usage:
  hookkeeper [flags]                 run the operator
  hookkeeper %-23s print Webhook resources that adopt the webhooks of a SaaS account
  hookkeeper %-23s print the version, the commit and the Go version (also: hookkeeper --version)

Run 'hookkeeper %s --help' for the flags of %s.

Exit status: 0 on success, 1 when the operator stops on an error, 2 on a usage error.

Flags of the operator:
`, importer.Command+" [flags]", versionCommand, importer.Command, importer.Command)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// buildInfo is the version, the commit and the Go version of the binary. Without a commit from
// the linker flags, the commit go build stamped from the VCS, if any.
func buildInfo() (ver, rev, goVersion string) {
	ver, rev = version, commit
	if info, ok := debug.ReadBuildInfo(); ok && rev == "unknown" {
		var modified bool
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && rev != "unknown" {
			rev += "-dirty"
		}
	}
	return ver, rev, goruntime.Version()
}

// printVersion writes the version, the commit and the Go version.
func printVersion(w io.Writer) {
	ver, rev, goVersion := buildInfo()
	fmt.Fprintf(w, "hookkeeper %s\ncommit: %s\ngo: %s %s/%s\n", ver, rev, goVersion, goruntime.GOOS, goruntime.GOARCH)
}

// runImport runs `hookkeeper import` until it ends or an interrupt cancels it.
func runImport(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ver, _, _ := buildInfo()
	return importer.Run(ctx, args, providers.UserAgent(ver, importer.Command), stdout, stderr)
}

// serviceAccountNamespace is where a pod finds its own namespace.
const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// ownNamespace is the namespace of the operator's Leases and status key, and the default of
// --account-secret-namespaces: --leader-election-namespace, else the pod's; "" outside a cluster
// without the flag.
func (c *config) ownNamespace() string {
	if c.leaderElectionNamespace != "" {
		return c.leaderElectionNamespace
	}
	data, err := os.ReadFile(serviceAccountNamespace)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// statusKey returns the key of status.appliedSecretHash: that of the --status-key-secret Secret,
// read straight from the API server, since a cached read would cache every Secret of the
// namespace. Outside a cluster, without a namespace, the key is this process's own.
func (c *config) statusKey(ctx context.Context, mgr ctrl.Manager) ([]byte, error) {
	ns := c.ownNamespace()
	if ns == "" {
		ctrl.Log.WithName("setup").Info("No namespace for --status-key-secret outside a cluster: status.appliedSecretHash is keyed for this process only, " +
			"so the next start sends every Webhook's secrets again once; set --leader-election-namespace to keep the key")
		return controllers.NewStatusKey()
	}
	return controllers.LoadStatusKey(ctx, mgr.GetAPIReader(), mgr.GetClient(), client.ObjectKey{Namespace: ns, Name: c.statusKeySecret})
}

// shardRunner sets up --sharding: the gate the reconciler asks before each reconcile, and the
// runner that keeps this replica's Lease and opens the gate on the slots it gets.
//
// The slots are cut where the namespaces crowd, so every replica reads the namespace names:
// those of --namespaces, or every namespace's metadata through the manager's cache.
//
// With --leader-elect and without --sharding, the elected leader runs the same handover for the
// whole space (Membership.Whole): it starts once no sharded replica holds anything, and none
// starts while it holds the space, so a rolling update between the two modes never gives a
// namespace two owners.
//
// The Lease identity is the replica's name (--shard-identity, else the host name) with a random
// suffix for this process, while the User-Agent keeps the name alone. A replica that loses its
// Lease (not renewed within the renew deadline) stops reconciling at once, and its Runner ends
// with an error once the API server answers again: that stops the manager and the process, and
// the Deployment starts a new one, with fresh caches, under a new Lease.
func (c *config) shardRunner(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, r *controllers.WebhookReconciler, scope *sharding.Scope, cached client.Reader) (*sharding.Runner, error) {
	whole := !c.sharding
	ns := c.ownNamespace()
	if ns == "" {
		return nil, errors.New("--sharding or --leader-elect outside a cluster needs --leader-election-namespace: the namespace of the shard Leases")
	}
	name := c.shardIdentity
	if name == "" {
		host, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("--shard-identity is empty and the host name is unknown: %w", err)
		}
		name = host
	}
	id := sharding.ProcessIdentity(name)
	// The Leases are read and written straight through the API server: a replica must see the
	// others' claims as they are, not as a cache had them.
	direct, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	gate := sharding.NewGate()
	r.Options.Shards = gate
	r.Options.Sharded = !whole
	log := ctrl.Log.WithName("sharding")
	if whole {
		log.Info("Leader: claiming the whole namespace space in a shard Lease before reconciling", "identity", id, "leaseNamespace", ns)
	} else {
		log.Info("Sharding on", "identity", id, "lease", sharding.LeaseName(id), "leaseNamespace", ns,
			"renewDeadline", sharding.RenewDeadline(c.shardLeaseDuration).String())
	}
	return &sharding.Runner{
		Membership: &sharding.Membership{Client: direct, Namespace: ns, Identity: id, Name: name, Duration: c.shardLeaseDuration, Whole: whole,
			Namespaces: func(ctx context.Context) ([]string, error) {
				if len(c.namespaces) > 0 {
					return c.namespaces, nil
				}
				list := &metav1.PartialObjectMetadataList{}
				list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("NamespaceList"))
				if err := cached.List(ctx, list); err != nil {
					return nil, err
				}
				names := make([]string, 0, len(list.Items))
				for _, item := range list.Items {
					names = append(names, item.Name)
				}
				return names, nil
			}},
		Gate:   gate,
		Scope:  scope,
		Period: c.shardLeaseDuration / 3,
		Started: func([]sharding.Slot) {
			if err := r.RequeueOwned(ctx); err != nil && ctx.Err() == nil {
				log.Error(err, "Queueing the Webhooks of the slots that started")
			}
		},
		Log:    log,
		Leader: whole,
		// The live replicas split --provider-qps between them (c.rateShare).
		Members: func(n int) {
			if !whole && c.rateShare != nil {
				c.rateShare.Set(n)
			}
		},
	}, nil
}

// shardedResource names the informers that --sharding restricts to the replica's namespaces:
// Webhooks, and Secrets (watched as metadata). The others (none today) see everything. The
// Secrets of the account-secret namespaces are held whole by a cache of their own
// (controllers.NewAccountSecretCache), whose informers are not restricted.
func shardedResource(obj runtime.Object) string {
	switch o := obj.(type) {
	case *hooksv1alpha1.Webhook:
		return "webhooks"
	case *corev1.Secret:
		return "secrets"
	case *metav1.PartialObjectMetadata:
		if gvk := o.GroupVersionKind(); gvk.Group == "" && gvk.Kind == "Secret" {
			return "secrets"
		}
	}
	return ""
}

// managerOptions are the options of the manager the flags ask for. With --watch-namespaces the
// cache holds the namespaced kinds (Webhooks, Accounts, Secrets) of those namespaces only, and
// the Secrets of the account-secret namespaces (c.secretNamespaces) too; ClusterAccounts and
// Namespaces are cluster-scoped and cached whole. With a shard scope, the Webhook and Secret
// informers receive only the scope's namespaces.
func (c *config) managerOptions(scheme *runtime.Scheme, scope *sharding.Scope) ctrl.Options {
	cacheOpts := controllers.CacheOptions(c.namespaces)
	if secrets := secretCacheNamespaces(c.namespaces, c.secretNamespaces); secrets != nil {
		// One entry serves the typed and the metadata-only informers of Secrets alike.
		cacheOpts.ByObject = map[client.Object]cache.ByObject{&corev1.Secret{}: {Namespaces: secrets}}
	}
	if scope != nil {
		cacheOpts.NewInformer = scope.NewInformer(shardedResource)
	}
	return ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 c.metricsOptions(),
		HealthProbeBindAddress:  c.probeAddr,
		PprofBindAddress:        c.pprofAddr,
		LeaderElection:          c.leaderElect && !c.sharding,
		LeaderElectionID:        "hookkeeper.hooks.hookkeeper.dev",
		LeaderElectionNamespace: c.leaderElectionNamespace,
		// The manager ends right after the lease is given up, so a new leader starts at once.
		LeaderElectionReleaseOnCancel: true,
		Cache:                         cacheOpts,
	}
}

// metricsOptions are the options of the metrics server. With --metrics-secure (the default) it
// serves HTTPS with a self-signed certificate, and answers only requests whose bearer token the
// API server authenticates (TokenReview) and authorizes to get /metrics (SubjectAccessReview): in
// config/rbac/metrics, metrics_auth_role.yaml lets the operator ask, metrics_reader_role.yaml
// grants the scrape.
func (c *config) metricsOptions() metricsserver.Options {
	if !c.metricsSecure {
		return metricsserver.Options{BindAddress: c.metricsAddr}
	}
	return metricsserver.Options{
		BindAddress:    c.metricsAddr,
		SecureServing:  true,
		FilterProvider: filters.WithAuthenticationAndAuthorization,
		// HTTP/1.1 only, as kubebuilder scaffolds it: HTTP/2's stream handling has had denial of
		// service flaws (CVE-2023-44487, CVE-2023-39325), and a scrape gains nothing from it.
		TLSOpts: []func(*tls.Config){func(t *tls.Config) { t.NextProtos = []string{"http/1.1"} }},
	}
}

func run(ctx context.Context, c *config) error {
	// Only the kinds the operator reads and writes: client-go's scheme of every built-in kind,
	// registered a second time here, costs most of a megabyte of heap.
	scheme := runtime.NewScheme()
	utilruntime.Must(corev1.AddToScheme(scheme))
	utilruntime.Must(coordinationv1.AddToScheme(scheme))
	utilruntime.Must(eventsv1.AddToScheme(scheme))
	utilruntime.Must(hooksv1alpha1.AddToScheme(scheme))

	c.secretNamespaces = c.accountSecretNamespacesIn(c.ownNamespace())
	if len(c.secretNamespaces) == 0 {
		ctrl.Log.WithName("setup").Info("No namespace for ClusterAccount credentials outside a cluster: no ClusterAccount can read its Secret; " +
			"set --account-secret-namespaces or --leader-election-namespace")
	}
	restCfg := ctrl.GetConfigOrDie()
	restCfg.QPS = float32(c.qps)
	restCfg.Burst = c.burst
	var scope *sharding.Scope
	if c.sharding {
		scope = sharding.NewScope(ctrl.Log.WithName("sharding"))
		ctrlmetrics.Registry.MustRegister(sharding.Collectors()...)
		c.rateShare = &ratelimit.Share{}
	}
	mgr, err := ctrl.NewManager(restCfg, c.managerOptions(scheme, scope))
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	// The operator's own Event recorder: client-go's keeps a copy of every Event for minutes. Its
	// writer outlives the manager, so that the reconciles that end last at shutdown, after the
	// manager's other runnables have stopped, still have their Events written.
	events := recorder.New(mgr.GetClient(), mgr.GetScheme(), "hookkeeper")
	stopEvents := events.Run()
	defer stopEvents()
	c.gates = controllers.NewGates(time.Now)
	r := &controllers.WebhookReconciler{
		Client:    mgr.GetClient(),
		Scheme:    mgr.GetScheme(),
		Recorder:  events,
		Providers: c.registry(),
		Gates:     c.gates,
		Options: controllers.Options{
			ResyncPeriod:            c.resync,
			ReactivationDelay:       c.reactivationDelay,
			DeletionTimeout:         c.deletionTimeout,
			MaxConcurrentReconciles: c.workers,
			// A list may take a few pages, but never much more than a request's timeout.
			ListTimeout:             2 * c.httpTimeout,
			ProviderNames:           providerNames(),
			AccountSecretNamespaces: c.secretNamespaces,
		},
	}
	if c.sharding {
		// The replica's cache holds the Secrets of its own namespaces only: those of the
		// account-secret namespaces, which ClusterAccounts on every replica read, get a cache of
		// their own.
		if r.AccountSecrets, err = controllers.NewAccountSecretCache(mgr, c.secretNamespaces); err != nil {
			return fmt.Errorf("creating the cache of the account-secret namespaces: %w", err)
		}
	}
	if err := checkNamespaces(ctx, mgr.GetAPIReader(), c.namespaces); err != nil {
		return err
	}
	if err := checkAccountSecretNamespaces(ctx, mgr.GetAPIReader(), c.namespaces, c.secretNamespaces); err != nil {
		return err
	}
	if r.StatusKey, err = c.statusKey(ctx, mgr); err != nil {
		return err
	}
	var runner *sharding.Runner
	if c.sharding || c.leaderElect {
		if runner, err = c.shardRunner(ctx, restCfg, scheme, r, scope, mgr.GetCache()); err != nil {
			return err
		}
	}
	if err := r.SetupWithManager(ctx, mgr); err != nil {
		return fmt.Errorf("setting up the controller: %w", err)
	}
	if runner != nil {
		if err := mgr.Add(runner); err != nil {
			return err
		}
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	ver, rev, goVersion := buildInfo()
	ctrl.Log.WithName("setup").Info("Starting the operator", "version", ver, "commit", rev, "go", goVersion,
		"metricsSecure", c.metricsSecure, "resyncPeriod", c.resync.String(), "workers", c.workers,
		"providerQPS", c.providerQPS.String(), "endpointAllowlist", c.egress.String(), "watchNamespaces", c.namespaces,
		"accountSecretNamespaces", c.secretNamespaces)
	return mgr.Start(ctx)
}
