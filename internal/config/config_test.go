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

package config

import (
	"flag"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
)

// parseFlags binds a fresh config to a flag set and parses args with it.
func parseFlags(t *testing.T, args ...string) (*Config, error) {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("hookkeeper", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Bind(fs)
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
			if !maps.Equal(c.ProviderQPS.limits, tt.want) {
				t.Errorf("limits = %v, want %v", c.ProviderQPS.limits, tt.want)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("validate: %v", err)
			}
		})
	}
}

func TestProviderQPSFlagPrintsItsDefault(t *testing.T) {
	var c Config
	fs := flag.NewFlagSet("hookkeeper", flag.ContinueOnError)
	c.Bind(fs)
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
				t.Fatalf("no error; limits %v", c.ProviderQPS.limits)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !maps.Equal(c.ProviderQPS.limits, defaultLimits) {
				t.Errorf("a refused value changed the limits to %v", c.ProviderQPS.limits)
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
			err = c.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("validate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("validate = %v, want an error with %q", err, tt.wantErr)
			}
		})
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
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := c.AccountSecretNamespacesIn(tt.own); !slices.Equal(got, tt.want) {
				t.Errorf("account-secret namespaces with own namespace %q: %q, want %q", tt.own, got, tt.want)
			}
		})
	}
	// The default is the namespace of the Leases: --leader-election-namespace wins over the pod's.
	c, err := parseFlags(t, "--leader-election-namespace=ops")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.AccountSecretNamespacesIn(c.OwnNamespace()); !slices.Equal(got, []string{"ops"}) {
		t.Errorf("with --leader-election-namespace=ops: %q, want [ops]", got)
	}
}

// TestProviderQPSString: the flag prints its limits as it takes them, providers in the catalog's
// order, with the burst only when one is set; a value that prints reads back to the same limits.
func TestProviderQPSString(t *testing.T) {
	c, err := parseFlags(t, "--provider-qps="+rateLimitedProviders[0]+"=2.5:7")
	if err != nil {
		t.Fatal(err)
	}
	printed := c.ProviderQPS.String()
	if !strings.HasPrefix(printed, rateLimitedProviders[0]+"=2.5:7,") {
		t.Errorf("printed %q, want the first provider's rate and burst first", printed)
	}
	var again ProviderLimits
	if err := again.Set(printed); err != nil || !maps.Equal(again.limits, c.ProviderQPS.limits) {
		t.Errorf("%q read back as %v (%v), want %v", printed, again.limits, err, c.ProviderQPS.limits)
	}
	var none *ProviderLimits
	if none.String() != "" {
		t.Error("a nil value prints something")
	}
}

// TestOwnNamespace: --leader-election-namespace names the operator's namespace, in or out of a
// cluster.
func TestOwnNamespace(t *testing.T) {
	c, err := parseFlags(t, "--leader-election-namespace=ops")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.OwnNamespace(); got != "ops" {
		t.Errorf("own namespace %q, want ops", got)
	}
}
