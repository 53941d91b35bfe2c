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

package localenv

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

func TestFindRoot(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "config", "crd", "bases")); err != nil {
		t.Errorf("root %s has no config/crd/bases: %v", root, err)
	}
	if outside := t.TempDir(); !strings.HasPrefix(outside, root) {
		if got, err := FindRoot(outside); err == nil {
			t.Errorf("FindRoot(%s) outside the repository = %s, want an error", outside, got)
		}
	}
}

func TestEnvtestAssetsNamesTheTarget(t *testing.T) {
	t.Setenv("KUBEBUILDER_ASSETS", "")
	if _, err := EnvtestAssets("bench"); err == nil || !strings.Contains(err.Error(), "make bench") {
		t.Errorf("EnvtestAssets without KUBEBUILDER_ASSETS: %v, want an error that says `make bench`", err)
	}
	t.Setenv("KUBEBUILDER_ASSETS", t.TempDir())
	if _, err := EnvtestAssets("demo"); err == nil || !strings.Contains(err.Error(), "kube-apiserver") {
		t.Errorf("EnvtestAssets with an empty directory: %v, want an error that names kube-apiserver", err)
	}
}

// TestEndpointFlags checks the flags every local operator gets: plain HTTP, and the loopback
// address of the simulators allowed for endpoints from Webhook specs.
func TestEndpointFlags(t *testing.T) {
	flags := strings.Join(EndpointFlags(), " ")
	for _, want := range []string{"--allow-insecure-endpoints", "--endpoint-allowlist=127.0.0.1/32"} {
		if !strings.Contains(flags, want) {
			t.Errorf("EndpointFlags = %q, want %s among them", flags, want)
		}
	}
}

// TestSimulatorLatencyAndOutage checks that the latency holds back every request, that an
// outage answers its status, and that the latency comes back when the outage ends.
func TestSimulatorLatencyAndOutage(t *testing.T) {
	const latency = 60 * time.Millisecond
	sims, err := StartSimulators(SimulatorOptions{Latency: map[hooksv1alpha1.ProviderType]time.Duration{hooksv1alpha1.ProviderWebex: latency}})
	if err != nil {
		t.Fatal(err)
	}
	defer sims.Stop()
	token := sims.Get(hooksv1alpha1.ProviderWebex).NewAccount("localenv-test").Credentials["token"]

	withFlag := 0
	for _, d := range catalog.All() {
		if d.APIURL != nil {
			withFlag++
		}
	}
	if got := len(sims.OperatorFlags()); got != withFlag {
		t.Errorf("OperatorFlags has %d flags, want %d, one per provider with a base URL flag (PageSeeder has none): %q", got, withFlag, sims.OperatorFlags())
	}
	if sims.URL(hooksv1alpha1.ProviderPageSeeder) == "" || sims.Get(hooksv1alpha1.ProviderPageSeeder).Flag != "" {
		t.Errorf("PageSeeder: URL %q, flag %q; want a URL and no flag", sims.URL(hooksv1alpha1.ProviderPageSeeder), sims.Get(hooksv1alpha1.ProviderPageSeeder).Flag)
	}

	webex := sims.Get(hooksv1alpha1.ProviderWebex)
	list := func() (int, time.Duration) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, webex.URL+"/webhooks", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}

	if code, took := list(); code != http.StatusOK || took < latency {
		t.Errorf("with latency: status %d after %s, want 200 after at least %s", code, took, latency)
	}
	webex.StartOutage(http.StatusServiceUnavailable)
	if code, took := list(); code != http.StatusServiceUnavailable || took < latency {
		t.Errorf("during the outage: status %d after %s, want 503 after at least %s", code, took, latency)
	}
	webex.EndOutage()
	if code, took := list(); code != http.StatusOK || took < latency {
		t.Errorf("after the outage: status %d after %s, want 200 after at least %s", code, took, latency)
	}
	if got := sims.RequestsTotal(); got != 3 {
		t.Errorf("RequestsTotal = %d, want 3", got)
	}
	sims.ResetCounts()
	if got := sims.RequestsTotal(); got != 0 {
		t.Errorf("RequestsTotal after ResetCounts = %d, want 0", got)
	}

	webex.SetLatency(0)
	if code, took := list(); code != http.StatusOK || took >= latency {
		t.Errorf("without latency: status %d after %s, want 200 in less than %s", code, took, latency)
	}
}

// TestEverySimulatorServesAnAccount: each simulator of the list registers an account whose
// Webhook spec its provider finds valid, and suggests commands against its own URL for it.
func TestEverySimulatorServesAnAccount(t *testing.T) {
	sims, err := StartSimulators(SimulatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sims.Stop()
	if len(sims.All) != len(catalog.All()) {
		t.Fatalf("%d simulators for %d providers", len(sims.All), len(catalog.All()))
	}
	for _, sim := range sims.All {
		d, _ := catalog.ByType(sim.Provider)
		acct := sim.NewAccount("test")
		wh := hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "w"}, Spec: hooksv1alpha1.WebhookSpec{
			Provider: sim.Provider, TargetURL: "https://hooks.example.com/w", CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "creds"}}}
		acct.Spec(&wh.Spec, 7)
		loopback, err := egress.Parse(LoopbackAllowlist)
		if err != nil {
			t.Fatal(err)
		}
		p := d.New(providers.Settings{AllowInsecure: true, Egress: loopback})
		if err := p.Validate(&providers.Request{Owner: "ns/w", Spec: &wh.Spec}); err != nil {
			t.Errorf("%s: the account's spec is invalid: %v", d.Type, err)
		}
		secret := func(_, _, key string) string { return acct.Credentials[key] }
		cmds := sim.Try([]hooksv1alpha1.Webhook{wh}, secret)
		if len(cmds) == 0 || !strings.Contains(strings.Join(cmds, "\n"), sim.URL) {
			t.Errorf("%s: suggested %q, want commands against %s", d.Type, cmds, sim.URL)
		}
	}
}
