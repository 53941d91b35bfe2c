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

// Package config holds the operator's command line: its flags, their validation, and what the
// manager's options and the start-up checks derive from them.
package config

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// Config holds the command line.
type Config struct {
	MetricsAddr, ProbeAddr  string
	MetricsSecure           bool
	PprofAddr               string
	LeaderElect             bool
	LeaderElectionNamespace string
	// Sharding makes every replica active on a share of the namespaces (internal/sharding);
	// ShardIdentity names this replica: in its User-Agent, and with a suffix per process in the
	// shard Leases.
	Sharding           bool
	ShardIdentity      string
	ShardLeaseDuration time.Duration
	// APIURLs are the providers' --<name>-api-url values, by descriptor name.
	APIURLs                   map[string]*string
	AllowInsecure             bool
	Resync, ReactivationDelay time.Duration
	DeletionTimeout           time.Duration
	HTTPTimeout               time.Duration
	Workers                   int
	QPS                       float64
	Burst                     int
	ProviderQPS               ProviderLimits
	// endpointAllowlist is the raw --endpoint-allowlist; Egress its parsed form (set by Validate).
	endpointAllowlist string
	Egress            *egress.Policy
	// watchNamespaces is the raw --watch-namespaces; Namespaces its parsed form (set by Validate).
	watchNamespaces string
	Namespaces      []string
	// StatusKeySecret names the Secret, in the operator's namespace, that keys status.appliedSecretHash.
	StatusKeySecret string
	// accountSecretNamespacesFlag is the raw --account-secret-namespaces; AccountSecretNamespaces
	// its parsed form (set by Validate): nil for the default, the operator's own namespace, which
	// the operator resolves at start (AccountSecretNamespacesIn) into SecretNamespaces.
	accountSecretNamespacesFlag string
	AccountSecretNamespaces     []string
	SecretNamespaces            []string
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

// ProviderLimits is the value of --provider-qps: the client-side rate of each provider, per
// credential. Each Set overrides the providers it names and keeps the others.
type ProviderLimits struct {
	limits map[string]ratelimit.Limit
}

// String lists the limits as the flag takes them, providers in a fixed order.
func (p *ProviderLimits) String() string {
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
func (p *ProviderLimits) Set(s string) error {
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

// Limit returns the limit of provider; none when it has none.
func (p *ProviderLimits) Limit(provider string) ratelimit.Limit {
	return p.limits[provider]
}

// Bind defines the operator's flags on fs, with c's fields as their values.
func (c *Config) Bind(fs *flag.FlagSet) {
	fs.StringVar(&c.MetricsAddr, "metrics-bind-address", ":8080", "Address the metrics endpoint binds to; \"0\" disables it.")
	fs.BoolVar(&c.MetricsSecure, "metrics-secure", true, "Serve metrics over HTTPS (a self-signed certificate), only to clients whose bearer token the API server authenticates (TokenReview) and authorizes to get the non-resource URL /metrics (SubjectAccessReview). False: plain HTTP without authentication, for local use.")
	fs.StringVar(&c.PprofAddr, "pprof-bind-address", "", "Address net/http/pprof binds to (/debug/pprof/), with no authentication; empty or \"0\" disables it.")
	fs.StringVar(&c.ProbeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	fs.BoolVar(&c.LeaderElect, "leader-elect", false, "Elect a leader, so that only one replica reconciles at a time.")
	fs.StringVar(&c.LeaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader-election and shard Leases and of the --status-key-secret Secret; empty: the pod's own namespace. Needed when the operator runs outside a cluster with --leader-elect or --sharding; without it there, the status key lasts as long as the process.")
	fs.StringVar(&c.StatusKeySecret, "status-key-secret", "hookkeeper-status-key", "Secret, in the operator's namespace, holding the key of every Webhook's status.appliedSecretHash; the first replica to start creates it with a random key. Each release in one namespace needs its own.")
	fs.BoolVar(&c.Sharding, "sharding", false, "Every replica is active and reconciles a share of the namespaces, agreed through one Lease per replica (no leader election). Experimental.")
	fs.StringVar(&c.ShardIdentity, "shard-identity", "", "This replica's name in the User-Agent of its requests to the SaaS and, with a random suffix per process, in its shard Lease; empty: the host name, which is the pod's name.")
	fs.DurationVar(&c.ShardLeaseDuration, "shard-lease-duration", 15*time.Second, "How long a shard Lease lasts without renewal (renewed three times as often): a replica that dies is replaced after this long, and one that cannot renew it for two thirds of it stops reconciling, and exits once the API server answers again. At least 3s.")
	c.APIURLs = map[string]*string{}
	for _, d := range catalog.All() {
		if d.APIURL != nil {
			c.APIURLs[d.Name] = fs.String(d.FlagName(), d.APIURL.Default, d.APIURL.Usage)
		}
	}
	fs.BoolVar(&c.AllowInsecure, "allow-insecure-endpoints", false, "Allow http:// provider URLs and pageSeeder.serverUrl (local sandboxes and tests only).")
	fs.DurationVar(&c.Resync, "resync-period", 10*time.Minute, "How often a synced Webhook is observed again (jittered by 10%).")
	fs.IntVar(&c.Workers, "max-concurrent-reconciles", 10, "Number of reconcile workers.")
	fs.DurationVar(&c.ReactivationDelay, "reactivation-delay", 5*time.Minute, "How long a webhook the SaaS disabled stays disabled before the operator re-activates it; doubles on each repeat.")
	fs.DurationVar(&c.DeletionTimeout, "deletion-timeout", 10*time.Minute, "How long deleting a Webhook retries when its credentials are missing or refused, before it gives up and leaves the remote webhook behind.")
	fs.DurationVar(&c.HTTPTimeout, "http-timeout", 30*time.Second, "Timeout of each request to a SaaS.")
	fs.Float64Var(&c.QPS, "kube-api-qps", 50, "Queries per second to the Kubernetes API server.")
	fs.IntVar(&c.Burst, "kube-api-burst", 100, "Burst of queries to the Kubernetes API server.")
	c.ProviderQPS = ProviderLimits{}
	if err := c.ProviderQPS.Set(defaultProviderQPS()); err != nil {
		panic(err) // a constant that does not parse is a programming error
	}
	fs.StringVar(&c.endpointAllowlist, "endpoint-allowlist", "", "Host patterns (ps.example.com, *.corp.example), addresses and CIDRs (10.20.0.0/16, fd00::/8), separated by commas, that endpoints a Webhook's spec supplies (spec.pageSeeder.serverUrl and its OAuth token URL) may reach. An entry may name a port and then allows that port only (ps.example.com:8443, *.corp.example:443, 10.20.0.0/16:443, [fd00::/8]:443); without one, every port. Empty: public addresses only; what IANA's special-purpose address registries do not mark globally reachable (loopback, link-local, private, shared, documentation, benchmarking and the like), multicast, and the IPv6 forms that carry an IPv4 address (6to4, Teredo, IPv4-compatible, IPv4-translated) are refused when connecting; an IPv4-mapped or NAT64 address is judged by its IPv4 address. Endpoints set by flag (--webex-api-url and the like) are not limited.")
	fs.StringVar(&c.watchNamespaces, "watch-namespaces", "", "Namespaces, separated by commas, whose Webhooks, Accounts and Secrets the operator caches and watches; empty: all namespaces. ClusterAccounts and Namespaces are cluster-scoped and always watched whole.")
	fs.StringVar(&c.accountSecretNamespacesFlag, "account-secret-namespaces", "", "Namespaces, separated by commas, where a ClusterAccount's spec.credentialsRef may point, or * for any namespace; empty: the operator's own namespace (--leader-election-namespace, else the pod's). With --watch-namespaces, the operator also caches and watches the Secrets (metadata only) of these namespaces, and with * those of every namespace.")
	fs.Var(&c.ProviderQPS, "provider-qps", "Client-side requests per second per credential for each provider, as name=qps or name=qps:burst items separated by commas (0 disables a provider's limit; the burst defaults to twice the rate). Items given override the default of their provider only; the providers are "+strings.Join(rateLimitedProviders, ", ")+".")
}

// Validate checks the flags that a typo would turn into a silent misbehaviour, and sets their
// parsed forms.
func (c *Config) Validate() error {
	if err := c.validateAPIURLs(); err != nil {
		return err
	}
	if c.Resync <= 0 || c.ReactivationDelay <= 0 || c.DeletionTimeout <= 0 || c.HTTPTimeout <= 0 {
		return errors.New("--resync-period, --reactivation-delay, --deletion-timeout and --http-timeout must be positive")
	}
	if c.ShardLeaseDuration < 3*time.Second || c.ShardLeaseDuration%time.Second != 0 {
		return errors.New("--shard-lease-duration must be a whole number of seconds, at least 3s")
	}
	if c.Workers < 1 {
		return errors.New("--max-concurrent-reconciles must be at least 1")
	}
	policy, err := egress.Parse(c.endpointAllowlist)
	if err != nil {
		return fmt.Errorf("--endpoint-allowlist: %w", err)
	}
	c.Egress = policy
	if errs := validation.IsDNS1123Subdomain(c.StatusKeySecret); len(errs) > 0 {
		return fmt.Errorf("--status-key-secret: %q is not a Secret name: %s", c.StatusKeySecret, strings.Join(errs, "; "))
	}
	if c.Namespaces, err = parseNamespaces(c.watchNamespaces); err != nil {
		return err
	}
	c.AccountSecretNamespaces, err = parseAccountSecretNamespaces(c.accountSecretNamespacesFlag)
	return err
}

// validateAPIURLs checks the providers' --<name>-api-url flags: absolute https URLs, or http with
// --allow-insecure-endpoints.
func (c *Config) validateAPIURLs() error {
	for _, d := range catalog.All() {
		if d.APIURL == nil {
			continue
		}
		name, raw := "--"+d.FlagName(), *c.APIURLs[d.Name]
		if raw == "" && d.APIURL.Default == "" {
			continue // the provider picks its own host
		}
		if err := providers.CheckURLFlag(name, raw, c.AllowInsecure); err != nil {
			return err
		}
	}
	return nil
}

// AnyNamespace is the --account-secret-namespaces entry that admits every namespace.
const AnyNamespace = "*"

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
		if ns != AnyNamespace {
			if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
				return nil, fmt.Errorf("%s: entry %q is neither a namespace name nor %q: %s", name, ns, AnyNamespace, strings.Join(errs, "; "))
			}
		}
		if slices.Contains(out, ns) {
			return nil, fmt.Errorf("%s: entry %q is listed twice", name, ns)
		}
		out = append(out, ns)
	}
	if len(out) > 1 && slices.Contains(out, AnyNamespace) {
		return nil, fmt.Errorf("%s: %q admits every namespace and stands alone, got %q", name, AnyNamespace, raw)
	}
	return out, nil
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

// AccountSecretNamespacesIn returns the namespaces where a ClusterAccount's credentials may be:
// those of --account-secret-namespaces, else own, the operator's namespace; none when own is
// unknown too (outside a cluster without --leader-election-namespace).
func (c *Config) AccountSecretNamespacesIn(own string) []string {
	if c.AccountSecretNamespaces != nil {
		return c.AccountSecretNamespaces
	}
	if own == "" {
		return nil
	}
	return []string{own}
}

// serviceAccountNamespace is where a pod finds its own namespace.
const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// OwnNamespace is the namespace of the operator's Leases and status key, and the default of
// --account-secret-namespaces: --leader-election-namespace, else the pod's; "" outside a cluster
// without the flag.
func (c *Config) OwnNamespace() string {
	if c.LeaderElectionNamespace != "" {
		return c.LeaderElectionNamespace
	}
	data, err := os.ReadFile(serviceAccountNamespace)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}
