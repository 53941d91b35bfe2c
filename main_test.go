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
	"crypto/tls"
	"errors"
	"flag"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	promtestutil "github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/metrics"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/ratelimit"
)

// parseFlags binds a fresh config to a flag set and parses args with it.
func parseFlags(t *testing.T, args ...string) (*config, error) {
	t.Helper()
	var c config
	fs := flag.NewFlagSet("hookkeeper", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.bind(fs)
	return &c, fs.Parse(args)
}

var defaultLimits = map[string]ratelimit.Limit{
	"webex": {QPS: 10}, "eightbyeight": {QPS: 20}, "autodesk": {QPS: 10}, "pageseeder": {QPS: 10},
}

// with returns the default limits with over applied.
func with(over map[string]ratelimit.Limit) map[string]ratelimit.Limit {
	out := maps.Clone(defaultLimits)
	maps.Copy(out, over)
	return out
}

func TestProviderQPSFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want map[string]ratelimit.Limit
	}{
		{name: "defaults", want: defaultLimits},
		{name: "one provider overridden", args: []string{"--provider-qps=autodesk=3"},
			want: with(map[string]ratelimit.Limit{"autodesk": {QPS: 3}})},
		{name: "burst", args: []string{"--provider-qps", "webex=5:12"},
			want: with(map[string]ratelimit.Limit{"webex": {QPS: 5, Burst: 12}})},
		{name: "zero disables", args: []string{"--provider-qps=pageseeder=0"},
			want: with(map[string]ratelimit.Limit{"pageseeder": {}})},
		{name: "several items and flags", args: []string{"--provider-qps=webex=1,eightbyeight=2.5", "--provider-qps=webex=4"},
			want: with(map[string]ratelimit.Limit{"webex": {QPS: 4}, "eightbyeight": {QPS: 2.5}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(t, tt.args...)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if !maps.Equal(c.providerQPS.limits, tt.want) {
				t.Errorf("limits = %v, want %v", c.providerQPS.limits, tt.want)
			}
			if err := c.validate(); err != nil {
				t.Errorf("validate: %v", err)
			}
		})
	}
}

func TestProviderQPSFlagPrintsItsDefault(t *testing.T) {
	var c config
	fs := flag.NewFlagSet("hookkeeper", flag.ContinueOnError)
	c.bind(fs)
	f := fs.Lookup("provider-qps")
	if f == nil {
		t.Fatal("no --provider-qps flag")
	}
	if f.DefValue != defaultProviderQPS() {
		t.Errorf("default shown as %q, want %q", f.DefValue, defaultProviderQPS())
	}
	var usage strings.Builder
	fs.SetOutput(&usage)
	fs.PrintDefaults()
	if !strings.Contains(usage.String(), "(default "+defaultProviderQPS()+")") {
		t.Errorf("usage does not show the default:\n%s", usage.String())
	}
}

func TestProviderQPSFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		arg  string
		want []string
	}{
		{name: "unknown provider", arg: "webex=1,slack=5",
			want: []string{`unknown provider "slack"`, "webex", "eightbyeight", "autodesk", "pageseeder"}},
		{name: "bad number", arg: "webex=fast", want: []string{`"webex=fast"`, "the rate must be a number of requests per second"}},
		{name: "negative rate", arg: "autodesk=-2", want: []string{`"autodesk=-2"`, "the rate must be"}},
		{name: "bad burst", arg: "autodesk=2:many", want: []string{`"autodesk=2:many"`, "the burst"}},
		{name: "not an item", arg: "webex", want: []string{`"webex"`, "name=qps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(t, "--provider-qps="+tt.arg)
			if err == nil {
				t.Fatalf("no error; limits %v", c.providerQPS.limits)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !maps.Equal(c.providerQPS.limits, defaultLimits) {
				t.Errorf("a refused value changed the limits to %v", c.providerQPS.limits)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "defaults"},
		{name: "http URL with allow-insecure", args: []string{"--webex-api-url=http://127.0.0.1:9000/v1", "--allow-insecure-endpoints"}},
		{name: "http URL without allow-insecure", args: []string{"--autodesk-api-url=http://127.0.0.1:9000"},
			wantErr: "--autodesk-api-url is http://"},
		{name: "relative URL", args: []string{"--webex-api-url=webexapis.com/v1"}, wantErr: "--webex-api-url must be an absolute"},
		{name: "zero timeout", args: []string{"--http-timeout=0s"}, wantErr: "must be positive"},
		{name: "no workers", args: []string{"--max-concurrent-reconciles=0"}, wantErr: "at least 1"},
		{name: "allowlist", args: []string{"--endpoint-allowlist=ps.example.com, *.corp.example,10.20.0.0/16"}},
		{name: "malformed allowlist entry", args: []string{"--endpoint-allowlist=ps.example.com,10.0.0.0/33"},
			wantErr: `--endpoint-allowlist: entry "10.0.0.0/33"`},
		{name: "allowlist entry with a scheme", args: []string{"--endpoint-allowlist=https://ps.example.com"},
			wantErr: `--endpoint-allowlist: entry "https://ps.example.com"`},
		{name: "watched namespaces", args: []string{"--watch-namespaces=team-a, team-b"}},
		{name: "namespace that cannot exist", args: []string{"--watch-namespaces=team-a,Team_B"},
			wantErr: `--watch-namespaces: entry "Team_B"`},
		{name: "namespace twice", args: []string{"--watch-namespaces=team-a,team-a"}, wantErr: `entry "team-a" is listed twice`},
		{name: "status key Secret", args: []string{"--status-key-secret=hk-a.status-key"}},
		{name: "status key Secret that cannot exist", args: []string{"--status-key-secret=Status_Key"},
			wantErr: `--status-key-secret: "Status_Key" is not a Secret name`},
		{name: "account secret namespaces", args: []string{"--account-secret-namespaces=platform, hookkeeper-system"}},
		{name: "account secrets in any namespace", args: []string{"--account-secret-namespaces=*"}},
		{name: "account secrets in any namespace, with watched namespaces", args: []string{"--account-secret-namespaces=*", "--watch-namespaces=team-a"}},
		{name: "account secret namespace that cannot exist", args: []string{"--account-secret-namespaces=platform,Platform_Creds"},
			wantErr: `--account-secret-namespaces: entry "Platform_Creds" is neither a namespace name nor "*"`},
		{name: "account secret namespace empty entry", args: []string{"--account-secret-namespaces=platform,,creds"},
			wantErr: `--account-secret-namespaces: entry ""`},
		{name: "account secret namespace twice", args: []string{"--account-secret-namespaces=platform,platform"},
			wantErr: `--account-secret-namespaces: entry "platform" is listed twice`},
		{name: "any account secret namespace twice", args: []string{"--account-secret-namespaces=*,*"},
			wantErr: `--account-secret-namespaces: entry "*" is listed twice`},
		{name: "* with a namespace", args: []string{"--account-secret-namespaces=platform,*"},
			wantErr: `--account-secret-namespaces: "*" admits every namespace and stands alone`},
		{name: "a pattern is not *", args: []string{"--account-secret-namespaces=team-*"},
			wantErr: `--account-secret-namespaces: entry "team-*"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(t, tt.args...)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			err = c.validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("validate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("validate = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

func TestWatchNamespacesExist(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := hooksv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	reader := fake.NewClientBuilder().WithScheme(scheme).
		WithObjects(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}).Build()
	if err := checkNamespaces(context.Background(), reader, []string{"team-a"}); err != nil {
		t.Errorf("an existing namespace: %v", err)
	}
	err := checkNamespaces(context.Background(), reader, []string{"team-a", "team-typo"})
	if err == nil || !strings.Contains(err.Error(), `--watch-namespaces: entry "team-typo": no such namespace`) {
		t.Errorf("a missing namespace: %v, want an error naming the flag and the entry", err)
	}
	// Namespace-scoped RBAC: Namespaces cannot be read, and Webhooks only where a Role grants it.
	scoped := interceptor.NewClient(reader, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			return apierrors.NewForbidden(schema.GroupResource{Resource: "namespaces"}, key.Name, errors.New("no"))
		},
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			var lo client.ListOptions
			lo.ApplyOptions(opts)
			if lo.Namespace != "team-a" {
				return apierrors.NewForbidden(schema.GroupResource{Group: "hooks.hookkeeper.dev", Resource: "webhooks"}, "", errors.New("no"))
			}
			return c.List(ctx, list, opts...)
		},
	})
	if err := checkNamespaces(context.Background(), scoped, []string{"team-a"}); err != nil {
		t.Errorf("a namespace with a Role: %v", err)
	}
	err = checkNamespaces(context.Background(), scoped, []string{"team-typo"})
	if err == nil || !strings.Contains(err.Error(), `--watch-namespaces: entry "team-typo"`) {
		t.Errorf("a namespace without a Role: %v, want an error naming the flag and the entry", err)
	}
}

// TestAccountSecretNamespaces: --account-secret-namespaces as the controller receives it: the
// namespaces given, or "*" alone, or by default the operator's own namespace (that of
// --leader-election-namespace, else the pod's), or none when that is unknown too.
func TestAccountSecretNamespaces(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		own  string
		want []string
	}{
		{name: "default: the operator's namespace", own: "hookkeeper-system", want: []string{"hookkeeper-system"}},
		{name: "default outside a cluster: none", own: "", want: nil},
		{name: "listed, in their order", args: []string{"--account-secret-namespaces= platform ,hookkeeper-system"}, own: "hk",
			want: []string{"platform", "hookkeeper-system"}},
		{name: "listed, outside a cluster", args: []string{"--account-secret-namespaces=platform"}, own: "", want: []string{"platform"}},
		{name: "any", args: []string{"--account-secret-namespaces=*"}, own: "hk", want: []string{"*"}},
		{name: "blank is the default", args: []string{"--account-secret-namespaces= "}, own: "hk", want: []string{"hk"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.validate(); err != nil {
				t.Fatal(err)
			}
			if got := c.accountSecretNamespacesIn(tt.own); !slices.Equal(got, tt.want) {
				t.Errorf("account-secret namespaces with own namespace %q: %q, want %q", tt.own, got, tt.want)
			}
		})
	}
	// The default is the namespace of the Leases: --leader-election-namespace wins over the pod's.
	c, err := parseFlags(t, "--leader-election-namespace=ops")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.accountSecretNamespacesIn(c.ownNamespace()); !slices.Equal(got, []string{"ops"}) {
		t.Errorf("with --leader-election-namespace=ops: %q, want [ops]", got)
	}
}

// TestSecretCache: the cache holds the Secrets of the account-secret namespaces beside those of
// --watch-namespaces, metadata or typed alike; Webhooks and Accounts stay in the watched
// namespaces; without --watch-namespaces every namespace is cached and nothing is added.
func TestSecretCache(t *testing.T) {
	for _, tt := range []struct {
		name            string
		watched, secret []string
		want            []string // the Secret cache's namespaces; nil: the default namespaces
	}{
		{name: "every namespace", secret: []string{"hookkeeper-system"}},
		{name: "every namespace, any account namespace", secret: []string{"*"}},
		{name: "watched, account secrets elsewhere", watched: []string{"team-a", "team-b"}, secret: []string{"hookkeeper-system", "platform"},
			want: []string{"hookkeeper-system", "platform", "team-a", "team-b"}},
		{name: "watched, account secrets among them", watched: []string{"team-a", "team-b"}, secret: []string{"team-b"}},
		{name: "watched, some account secrets among them", watched: []string{"team-a"}, secret: []string{"team-a", "platform"},
			want: []string{"platform", "team-a"}},
		{name: "watched, no account-secret namespace", watched: []string{"team-a"}},
		{name: "watched, any account namespace", watched: []string{"team-a"}, secret: []string{"*"}, want: []string{cache.AllNamespaces}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &config{namespaces: tt.watched, secretNamespaces: tt.secret}
			o := c.managerOptions(runtime.NewScheme(), nil).Cache
			if got := slices.Sorted(maps.Keys(o.DefaultNamespaces)); !slices.Equal(got, slices.Sorted(slices.Values(tt.watched))) {
				t.Errorf("the default namespaces are %q, want those of --watch-namespaces %q", got, tt.watched)
			}
			if o.DefaultTransform == nil {
				t.Error("no default transform: the cache would keep managedFields")
			}
			if tt.want == nil {
				if len(o.ByObject) != 0 {
					t.Errorf("ByObject %v, want none", o.ByObject)
				}
				return
			}
			if len(o.ByObject) != 1 {
				t.Fatalf("ByObject %v, want Secrets alone", o.ByObject)
			}
			for obj, by := range o.ByObject {
				if _, ok := obj.(*corev1.Secret); !ok {
					t.Errorf("ByObject holds a %T, want a Secret", obj)
				}
				if got := slices.Sorted(maps.Keys(by.Namespaces)); !slices.Equal(got, tt.want) {
					t.Errorf("Secrets are cached in %q, want %q", got, tt.want)
				}
			}
		})
	}
}

// TestAccountSecretNamespacesReadable: with --watch-namespaces, the operator stops at start, naming
// the flag, when it may not list the Secrets of an account-secret namespace outside them.
func TestAccountSecretNamespacesReadable(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	var listed []string
	reader := interceptor.NewClient(fake.NewClientBuilder().WithScheme(scheme).Build(), interceptor.Funcs{
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			var lo client.ListOptions
			lo.ApplyOptions(opts)
			listed = append(listed, lo.Namespace)
			if lo.Namespace != "platform" {
				return apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "", errors.New("no"))
			}
			return c.List(ctx, list, opts...)
		},
	})
	ctx := context.Background()
	for _, tt := range []struct {
		name            string
		watched, secret []string
		wantErr         string
		wantListed      []string
	}{
		{name: "every namespace watched: the ClusterRole covers them", secret: []string{"hookkeeper-system"}},
		{name: "readable", watched: []string{"team-a"}, secret: []string{"platform"}, wantListed: []string{"platform"}},
		{name: "watched: the manager's Role covers it", watched: []string{"team-a"}, secret: []string{"team-a", "platform"}, wantListed: []string{"platform"}},
		{name: "not readable", watched: []string{"team-a"}, secret: []string{"platform", "hookkeeper-system"}, wantListed: []string{"platform", "hookkeeper-system"},
			wantErr: `--account-secret-namespaces: the operator may not list Secrets in namespace "hookkeeper-system"`},
		{name: "any, not readable", watched: []string{"team-a"}, secret: []string{"*"}, wantListed: []string{""},
			wantErr: `--account-secret-namespaces: the operator may not list Secrets in every namespace`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			listed = nil
			err := checkAccountSecretNamespaces(ctx, reader, tt.watched, tt.secret)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("check: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("check = %v, want an error with %q", err, tt.wantErr)
			}
			if !slices.Equal(listed, tt.wantListed) {
				t.Errorf("listed Secrets in %q, want %q", listed, tt.wantListed)
			}
		})
	}
}

func TestRegistryHasEveryProvider(t *testing.T) {
	c, err := parseFlags(t)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.registry()); n != 4 {
		t.Errorf("registry has %d providers, want 4", n)
	}
}

func TestHTTPClientIsRateLimited(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := parseFlags(t, "--http-timeout=7s", "--provider-qps=webex=0.001:1,autodesk=0")
	if err != nil {
		t.Fatal(err)
	}
	get := func(hc *http.Client) error {
		req, err := http.NewRequestWithContext(ratelimit.WithKey(context.Background(), "credential-hash"), http.MethodGet, srv.URL, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}

	webexClient := c.httpClient("webex")
	if webexClient.Timeout != 7*time.Second {
		t.Errorf("Timeout = %v, want --http-timeout", webexClient.Timeout)
	}
	if err := get(webexClient); err != nil {
		t.Fatalf("first webex request: %v", err)
	}
	err = get(webexClient)
	if providers.KindOf(err) != providers.KindRateLimited || providers.RetryAfter(err) <= 0 {
		t.Errorf("second webex request: %v, want RateLimited with a RetryAfter", err)
	}

	autodeskClient := c.httpClient("autodesk")
	if autodeskClient.Transport == http.DefaultTransport || autodeskClient.Transport == nil {
		t.Errorf("unlimited provider's transport is %T, want its own, counted for the metrics", autodeskClient.Transport)
	}
	counted := promtestutil.ToFloat64(metrics.SaaSRequests.WithLabelValues("autodesk", "other", "204"))
	for i := range 3 {
		if err := get(autodeskClient); err != nil {
			t.Errorf("autodesk request %d without a limit: %v", i, err)
		}
	}
	if got := promtestutil.ToFloat64(metrics.SaaSRequests.WithLabelValues("autodesk", "other", "204")) - counted; got != 3 {
		t.Errorf("hookkeeper_saas_requests_total grew by %v for 3 requests", got)
	}
}

// TestImportDispatch runs the import subcommand as main dispatches it: its own flags and exit
// statuses, none of the operator's.
func TestImportDispatch(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := runImport([]string{"--help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "Usage: hookkeeper import") {
		t.Errorf("--help: exit %d, stdout:\n%s", code, stdout.String())
	}
	stdout.Reset()
	if code := runImport([]string{"--provider", "slack"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `--provider "slack"`) {
		t.Errorf("unknown provider: exit %d, stderr:\n%s", code, stderr.String())
	}
	stderr.Reset()
	if code := runImport([]string{"--leader-elect"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "-leader-elect") {
		t.Errorf("an operator flag: exit %d, stderr:\n%s", code, stderr.String())
	}
}

// TestCommandLine runs the command line as main reads it: subcommands, --version, --help and
// usage errors, with their exit statuses and what they print where.
func TestCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		operator   bool     // the operator runs: dispatch returns its flags
		stdout     []string // substrings of stdout
		stderr     []string // substrings of stderr
		noStdout   bool
		noStderr   bool
		wantConfig func(t *testing.T, c *config)
	}{
		{name: "no arguments runs the operator", operator: true, noStdout: true, noStderr: true,
			wantConfig: func(t *testing.T, c *config) {
				if !c.metricsSecure || c.pprofAddr != "" || c.metricsAddr != ":8080" {
					t.Errorf("defaults: metrics-secure %t, pprof %q, metrics %q", c.metricsSecure, c.pprofAddr, c.metricsAddr)
				}
			}},
		{name: "operator flags", args: []string{"--metrics-secure=false", "--pprof-bind-address=127.0.0.1:6060", "--kubeconfig=/nowhere"},
			operator: true, noStdout: true, noStderr: true,
			wantConfig: func(t *testing.T, c *config) {
				if c.metricsSecure || c.pprofAddr != "127.0.0.1:6060" {
					t.Errorf("metrics-secure %t, pprof %q", c.metricsSecure, c.pprofAddr)
				}
			}},
		{name: "version", args: []string{"version"}, stdout: []string{"hookkeeper dev\n", "commit: unknown\n", "go: go1."}, noStderr: true},
		{name: "--version", args: []string{"--version"}, stdout: []string{"hookkeeper dev\n", "commit: ", "go: go1."}, noStderr: true},
		{name: "-version", args: []string{"-version"}, stdout: []string{"hookkeeper dev\n"}, noStderr: true},
		{name: "--version after a flag", args: []string{"--leader-elect", "--version"}, stdout: []string{"hookkeeper dev\n"}, noStderr: true},
		{name: "version with an argument", args: []string{"version", "--short"}, code: 2, noStdout: true,
			stderr: []string{`version takes no arguments, got "--short"`, "Run 'hookkeeper --help' for usage."}},
		{name: "--help", args: []string{"--help"}, noStderr: true,
			stdout: []string{"hookkeeper [flags]", "hookkeeper import [flags]", "hookkeeper version", "hookkeeper --version",
				"  -metrics-secure\n", "  -pprof-bind-address string\n", "  -kubeconfig string\n", "  -zap-log-level value\n"}},
		{name: "-h", args: []string{"-h"}, stdout: []string{"hookkeeper import [flags]"}, noStderr: true},
		{name: "import --help", args: []string{"import", "--help"}, stdout: []string{"Usage: hookkeeper import"}, noStderr: true},
		{name: "unknown command", args: []string{"serve"}, code: 2, noStdout: true,
			stderr: []string{`unknown command "serve": the commands are import, version`, "Run 'hookkeeper --help' for usage."}},
		{name: "stray argument after flags", args: []string{"--leader-elect", "extra"}, code: 2, noStdout: true,
			stderr: []string{`unknown command "extra"`, "import, version"}},
		{name: "command after flags", args: []string{"--leader-elect", "import"}, code: 2, noStdout: true,
			stderr: []string{`the command "import" must come first`}},
		{name: "unknown flag", args: []string{"--metrics-insecure"}, code: 2, noStdout: true,
			stderr: []string{"flag provided but not defined: -metrics-insecure", "Run 'hookkeeper --help' for usage."}},
		{name: "invalid flag value", args: []string{"--resync-period=0s"}, code: 2, noStdout: true,
			stderr: []string{"invalid flags: --resync-period", "must be positive"}},
		{name: "everything after -- is an argument", args: []string{"--", "--version"}, code: 2, noStdout: true,
			stderr: []string{`unknown command "--version"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			c, zapOpts, code := dispatch(tt.args, &stdout, &stderr)
			if tt.operator != (c != nil) || tt.operator != (zapOpts != nil) {
				t.Fatalf("dispatch returned config %v (exit %d), want the operator to run: %t; stderr:\n%s", c != nil, code, tt.operator, stderr.String())
			}
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout does not contain %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not contain %q:\n%s", w, stderr.String())
				}
			}
			if tt.noStdout && stdout.Len() > 0 {
				t.Errorf("stdout:\n%s", stdout.String())
			}
			if tt.noStderr && stderr.Len() > 0 {
				t.Errorf("stderr:\n%s", stderr.String())
			}
			if tt.wantConfig != nil && c != nil {
				tt.wantConfig(t, c)
			}
		})
	}
}

// TestHelpListsNoVersionFlag: --version is read before the flags, so that -h does not list it
// as a flag the Helm chart would have to pass (test/install reads -h).
func TestHelpListsNoVersionFlag(t *testing.T) {
	var stdout strings.Builder
	dispatch([]string{"-h"}, &stdout, io.Discard)
	if strings.Contains(stdout.String(), "\n  -version") {
		t.Errorf("-h lists -version as a flag:\n%s", stdout.String())
	}
}

// TestVersionFromLinkerFlags: what make build and the Dockerfile set with -X is what prints.
func TestVersionFromLinkerFlags(t *testing.T) {
	oldVersion, oldCommit := version, commit
	t.Cleanup(func() { version, commit = oldVersion, oldCommit })
	version, commit = "v1.2.3", "0123abcd"
	var stdout strings.Builder
	if _, _, code := dispatch([]string{"version"}, &stdout, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "hookkeeper v1.2.3\ncommit: 0123abcd\ngo: " + goruntime.Version() + " " + goruntime.GOOS + "/" + goruntime.GOARCH + "\n"
	if stdout.String() != want {
		t.Errorf("version printed\n%s\nwant\n%s", stdout.String(), want)
	}
}

// TestManagerOptions: --metrics-secure (the default) serves HTTPS behind controller-runtime's
// authentication and authorization filter, HTTP/1.1 only; --metrics-secure=false plain HTTP;
// --pprof-bind-address reaches the manager.
func TestManagerOptions(t *testing.T) {
	c, err := parseFlags(t)
	if err != nil {
		t.Fatal(err)
	}
	o := c.managerOptions(runtime.NewScheme(), nil)
	m := o.Metrics
	if !m.SecureServing || m.FilterProvider == nil || m.BindAddress != ":8080" || o.PprofBindAddress != "" {
		t.Errorf("defaults: secure %t, filter %t, bind %q, pprof %q", m.SecureServing, m.FilterProvider != nil, m.BindAddress, o.PprofBindAddress)
	}
	tlsConfig := &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
	for _, f := range m.TLSOpts {
		f(tlsConfig)
	}
	if !slices.Equal(tlsConfig.NextProtos, []string{"http/1.1"}) {
		t.Errorf("the metrics server offers %v, want HTTP/1.1 only", tlsConfig.NextProtos)
	}

	c, err = parseFlags(t, "--metrics-secure=false", "--pprof-bind-address=127.0.0.1:6060", "--metrics-bind-address=127.0.0.1:9090")
	if err != nil {
		t.Fatal(err)
	}
	o = c.managerOptions(runtime.NewScheme(), nil)
	m = o.Metrics
	if m.SecureServing || m.FilterProvider != nil || len(m.TLSOpts) != 0 || m.BindAddress != "127.0.0.1:9090" || o.PprofBindAddress != "127.0.0.1:6060" {
		t.Errorf("--metrics-secure=false: secure %t, filter %t, bind %q, pprof %q", m.SecureServing, m.FilterProvider != nil, m.BindAddress, o.PprofBindAddress)
	}
}

// TestShardedInformers: with --sharding, the manager's cache builds its informers through the
// shard scope, and the scope restricts exactly the Webhooks and the Secrets (typed or metadata).
func TestShardedInformers(t *testing.T) {
	c, err := parseFlags(t, "--sharding")
	if err != nil {
		t.Fatal(err)
	}
	if o := c.managerOptions(runtime.NewScheme(), nil); o.Cache.NewInformer != nil {
		t.Error("without a shard scope the informers are built as controller-runtime builds them")
	}
	if o := c.managerOptions(runtime.NewScheme(), sharding.NewScope(logr.Discard())); o.Cache.NewInformer == nil || o.LeaderElection {
		t.Errorf("with a shard scope: NewInformer set %t, leader election %t; want the scope's informers and no election", o.Cache.NewInformer != nil, o.LeaderElection)
	}
	secretMeta := &metav1.PartialObjectMetadata{}
	secretMeta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	configMapMeta := &metav1.PartialObjectMetadata{}
	configMapMeta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
	for obj, want := range map[runtime.Object]string{
		&hooksv1alpha1.Webhook{}: "webhooks",
		&corev1.Secret{}:         "secrets",
		secretMeta:               "secrets",
		configMapMeta:            "",
		&corev1.Namespace{}:      "",
	} {
		if got := shardedResource(obj); got != want {
			t.Errorf("shardedResource(%T %v) = %q, want %q", obj, obj.GetObjectKind().GroupVersionKind(), got, want)
		}
	}
}
