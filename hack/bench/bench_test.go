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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// smokeBench is what the smoke tests share: the repository, the envtest binaries, a state
// directory of the test's own, so that a `make bench` running at the same time keeps its files
// and binary, and the operator processes its runs started.
type smokeBench struct {
	root, assets, state string
	pids                []int
}

// newSmokeBench skips the test when KUBEBUILDER_ASSETS is not set, finds the repository and
// the envtest binaries, and kills any operator process of the test that outlives it.
func newSmokeBench(t *testing.T) *smokeBench {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: run the tests with `make test`, which sets it")
	}
	assets, err := localenv.EnvtestAssets("bench")
	if err != nil {
		t.Fatal(err)
	}
	root, err := localenv.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	s := &smokeBench{root: root, assets: assets, state: t.TempDir()}
	t.Cleanup(func() {
		// run stops the operator itself; this only guards against a bug in that.
		for _, pid := range s.pids {
			if syscall.Kill(pid, 0) == nil {
				_ = syscall.Kill(-pid, syscall.SIGKILL)
			}
		}
	})
	return s
}

// smokeContext bounds a smoke run to d, and ends it early enough before the test's deadline for
// the cleanup to stop everything before `go test` gives up on the test.
func smokeContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	if deadline, ok := t.Deadline(); ok {
		var cancelEarly context.CancelFunc
		ctx, cancelEarly = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
		t.Cleanup(cancelEarly)
	}
	return ctx
}

// options are the tiny settings of a smoke run of n Webhooks, its JSON written to jsonName in
// the state directory.
func (s *smokeBench) options(n int, jsonName string) options {
	return options{
		root: s.root, assets: s.assets, stateDir: s.state,
		operatorPath: filepath.Join(s.state, "manager"), jsonPath: filepath.Join(s.state, jsonName),
		n: n, latency: time.Millisecond, accounts: 1, resync: 4 * time.Second, outage: 2 * time.Second,
		outageProvider: catalog.All()[0].Type, qps: 50, burst: 100, workers: 10,
		timeout: 2 * time.Minute, poll: 250 * time.Millisecond,
	}
}

// run runs the bench with o, logs what it printed, and fails the test if it failed. what names
// the run in the log when a test has several.
func (s *smokeBench) run(ctx context.Context, t *testing.T, o options, what string) (results, string) {
	t.Helper()
	var out bytes.Buffer
	o.out = &out
	o.onOperatorStart = func(pid int) { s.pids = append(s.pids, pid) }
	start := time.Now()
	res, err := run(ctx, o)
	if what == "" {
		t.Logf("bench output (%s):\n%s", time.Since(start).Round(time.Second), out.String())
	} else {
		t.Logf("bench output, %s (%s):\n%s", what, time.Since(start).Round(time.Second), out.String())
	}
	if err != nil {
		t.Fatalf("the bench failed%s: %v", inRun(what), err)
	}
	return res, out.String()
}

// inRun names a run in a message, when the test has several.
func inRun(what string) string {
	if what == "" {
		return ""
	}
	return " (" + what + ")"
}

// checkStopped checks that no operator process of the runs is still there.
func (s *smokeBench) checkStopped(t *testing.T) {
	t.Helper()
	if len(s.pids) == 0 {
		t.Fatal("the operator was never started")
	}
	for _, pid := range s.pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("operator process %d is still running after the bench returned", pid)
		}
	}
}

// checkContains checks that out has every one of want.
func checkContains(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("the output has no %q", w)
		}
	}
}

// TestBenchSmoke runs the whole bench in this process with tiny settings and checks that every
// figure is there and plausible. It judges no figure against a target.
func TestBenchSmoke(t *testing.T) {
	s := newSmokeBench(t)
	// The churn phase alone waits a minute and a half for the operator's account sweep.
	ctx := smokeContext(t, 8*time.Minute)
	const n = 12
	o := s.options(n, "results.json")
	o.outageProvider = hooksv1alpha1.ProviderWebex
	// Small tenancy phases: their figures are there, whatever their value.
	o.hungWebhooks, o.unrelatedSecrets, o.churnAccounts = 5, 20, 4
	res, out := s.run(ctx, t, o, "")
	s.checkStopped(t)
	if _, err := os.Stat(filepath.Join(s.state, "operator.log")); !os.IsNotExist(err) {
		t.Errorf("the operator log of a successful run without -keep-logs is still there (stat: %v)", err)
	}
	checkSmokeFigures(t, res, n)
	checkTenancy(t, res)
	checkContains(t, out, "FIGURE", "ratio operator/floor", "SaaS requests per created Webhook", "peak RSS of the operator",
		"steady: API writes /1000 Webhooks /resync", "Ready again after a 2s Webex outage", "machine: ",
		"Ready behind 1 hung credential of one namespace (5 Webhooks)", "Ready behind 5 hung credentials of one namespace (5 Webhooks)",
		"RSS added by unrelated Secrets (20 of 64 KiB)", "RSS after 4 accounts came and went")
	checkSmokeJSON(t, o.jsonPath, n)
}

// checkSmokeFigures checks that the figures of the create, steady-state and outage phases of a
// smoke run of n Webhooks are there and plausible.
func checkSmokeFigures(t *testing.T, res results, n int) {
	t.Helper()
	// Each PageSeeder Webhook (a quarter of them) costs one verification ping, which the
	// per-Webhook figure leaves out and the other counts.
	if res.CreatePings < n/4 || math.Abs(res.SaaSRequestsPerWebhookWithPings*float64(n)-float64(res.CreateSaaSRequests)) > 1e-6 ||
		math.Abs(res.SaaSRequestsPerWebhook*float64(n)-float64(res.CreateSaaSRequests-res.CreatePings)) > 1e-6 {
		t.Errorf("%d SaaS requests of which %d pings for %d Webhooks: %.3f per Webhook without the pings, %.3f with them",
			res.CreateSaaSRequests, res.CreatePings, n, res.SaaSRequestsPerWebhook, res.SaaSRequestsPerWebhookWithPings)
	}
	positive := map[string]float64{
		"timeToReadySeconds":     res.TimeToReadySeconds,
		"floorSeconds":           res.FloorSeconds,
		"ratio":                  res.Ratio,
		"saasRequestsPerWebhook": res.SaaSRequestsPerWebhook,
		"apiWritesPerWebhook":    res.APIWritesPerWebhook,
		"steadyWindowSeconds":    res.SteadyWindowSeconds,
		"peakRssMiB":             res.PeakRSSMiB,
		"memoryMiB":              res.MemoryMiB,
	}
	for name, v := range positive {
		if !(v > 0) || math.IsInf(v, 0) {
			t.Errorf("%s = %v, want a positive number", name, v)
		}
	}
	// Every Webhook needs at least one SaaS request to be created, and the operator writes at
	// least its status.
	if res.CreateSaaSRequests < n || res.CreateAPIWrites < n {
		t.Errorf("creation: %d SaaS requests and %d API-server writes for %d Webhooks, want at least %d of each",
			res.CreateSaaSRequests, res.CreateAPIWrites, n, n)
	}
	if res.SteadyWindowSeconds < 4*steadyPeriods || res.SteadySaaSRequests < 0 || res.SteadyAPIWrites < 0 {
		t.Errorf("steady state: window %.2fs, %d SaaS requests, %d API writes", res.SteadyWindowSeconds, res.SteadySaaSRequests, res.SteadyAPIWrites)
	}
	if res.OutageRecoverySeconds < 0 || res.OutageNotReadyMax < 0 || res.OutageNotReadyMax > n {
		t.Errorf("outage: recovery %.2fs, %d not Ready at most", res.OutageRecoverySeconds, res.OutageNotReadyMax)
	}
	if res.PeakRSSMiB > 4096 {
		t.Errorf("peak RSS %.1f MiB is not believable", res.PeakRSSMiB)
	}
	if len(res.Targets) != 11 {
		t.Errorf("%d targets, want 11", len(res.Targets))
	}
}

// checkSmokeJSON checks that the JSON of the smoke run of n Webhooks has every figure and the
// run's parameters.
func checkSmokeJSON(t *testing.T, path string, n int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no JSON written: %v", err)
	}
	var fromJSON map[string]any
	if err := json.Unmarshal(data, &fromJSON); err != nil {
		t.Fatalf("the JSON does not parse: %v", err)
	}
	for _, key := range []string{"date", "goVersion", "goos", "goarch", "cpus", "numCPU", "parameters", "timeToReadySeconds",
		"floorSeconds", "ratio", "saasRequestsPerWebhook", "saasRequestsPerWebhookWithPings", "createPings", "apiWritesPerWebhook", "steadySaasRequestsPer1000PerResync",
		"steadyApiWritesPer1000PerResync", "peakRssMiB", "outageRecoverySeconds", "outageRecoveredWithinResync", "targets",
		"hungAccounts", "unrelatedSecretsRssMiB", "unrelatedSecretsRssBeforeMiB", "unrelatedSecretsRssAfterMiB",
		"churnRssChangePercent", "churnRssBaselineMiB", "churnRssLoadedMiB", "churnRssAfterMiB", "churnHeapBaselineMiB",
		"churnHeapLoadedMiB", "churnHeapAfterMiB", "churnWaitSeconds"} {
		if _, ok := fromJSON[key]; !ok {
			t.Errorf("the JSON has no %q", key)
		}
	}
	if p, _ := fromJSON["parameters"].(map[string]any); p["n"] != float64(n) || p["latency"] != "1ms" ||
		p["hungWebhooks"] != float64(5) || p["unrelatedSecrets"] != float64(20) || p["churnAccounts"] != float64(4) ||
		!reflect.DeepEqual(p["hungCredentials"], []any{float64(1), float64(2), float64(5)}) {
		t.Errorf("the JSON parameters are %v", p)
	}
}

// checkTenancy checks that every tenancy phase of the smoke test left its figures, and that
// their targets, stated for larger phases, do not apply.
func checkTenancy(t *testing.T, res results) {
	t.Helper()
	if len(res.HungAccounts) != len(hungCredentialCounts) {
		t.Errorf("hung credentials: %d rounds, want %d: %+v", len(res.HungAccounts), len(hungCredentialCounts), res.HungAccounts)
	}
	for i, h := range res.HungAccounts {
		if h.Credentials != hungCredentialCounts[i] || !(h.ReadySeconds > 0) || h.Connections < 1 {
			t.Errorf("hung round %d: %+v; want %d credentials, a positive time and at least one connection", i, h, hungCredentialCounts[i])
		} else if h.TimedOut {
			t.Logf("hung round %d: the Webhook of the other namespace was not Ready within %s: %s", i, neighbourWait, h.NotReady)
		}
	}
	if v := res.UnrelatedSecretsRSSMiB; v == nil || res.UnrelatedSecretsRSSBeforeMiB <= 0 || res.UnrelatedSecretsRSSAfterMiB <= 0 {
		t.Errorf("unrelated Secrets: added %v MiB, before %.1f, after %.1f; want the three", v,
			res.UnrelatedSecretsRSSBeforeMiB, res.UnrelatedSecretsRSSAfterMiB)
	}
	if v := res.ChurnRSSChangePercent; v == nil || res.ChurnRSSBaselineMiB <= 0 || res.ChurnRSSLoadedMiB <= 0 || res.ChurnRSSAfterMiB <= 0 ||
		res.ChurnHeapBaselineMiB <= 0 || res.ChurnHeapAfterMiB <= 0 || res.ChurnWaitSeconds < sweepMinIdle.Seconds()*1.5 {
		t.Errorf("accounts that came and went: %v%%, RSS %.1f/%.1f/%.1f MiB, heap %.1f/%.1f MiB, wait %.0f s; want every figure and a wait of at least 90 s",
			v, res.ChurnRSSBaselineMiB, res.ChurnRSSLoadedMiB, res.ChurnRSSAfterMiB, res.ChurnHeapBaselineMiB, res.ChurnHeapAfterMiB, res.ChurnWaitSeconds)
	}
	for _, tg := range res.Targets {
		if (strings.HasPrefix(tg.Figure, "hungAccounts[") || tg.Figure == "unrelatedSecretsRssMiB" || tg.Figure == "churnRssChangePercent") && tg.Applies {
			t.Errorf("target %s applies to a run of the smaller phases of the test", tg.Figure)
		}
	}
}

func TestParseWrites(t *testing.T) {
	const exposition = `# HELP rest_client_requests_total Number of HTTP requests, partitioned by status code, method, and host.
# TYPE rest_client_requests_total counter
rest_client_requests_total{code="200",host="127.0.0.1:4242",method="GET"} 120
rest_client_requests_total{code="201",host="127.0.0.1:4242",method="POST"} 7
rest_client_requests_total{code="200",host="127.0.0.1:4242",method="PATCH"} 30
rest_client_requests_total{code="409",host="127.0.0.1:4242",method="PUT"} 2
rest_client_requests_total{code="200",host="127.0.0.1:4242",method="DELETE"} 1 1700000000000
rest_client_requests_total{code="<error>",host="a\"b",method="POST"} 1e1
rest_client_requests_total_other{method="POST"} 1000
controller_runtime_reconcile_total{controller="webhook",result="success"} 99
`
	got, err := parseWrites(strings.NewReader(exposition))
	if err != nil {
		t.Fatal(err)
	}
	want := writeCounts{"POST": 17, "PATCH": 30, "PUT": 2, "DELETE": 1}
	if !reflect.DeepEqual(got, want) || got.total() != 50 {
		t.Errorf("parseWrites = %v (total %d), want %v (total 50)", got, got.total(), want)
	}
	later := writeCounts{"POST": 20, "PATCH": 30, "PUT": 2, "DELETE": 1}
	if d := later.since(got); !reflect.DeepEqual(d, map[string]int{"POST": 3}) {
		t.Errorf("since = %v, want only POST 3", d)
	}
	if _, err := parseWrites(strings.NewReader(`rest_client_requests_total{method="POST" 3`)); err == nil {
		t.Error("a broken line parsed")
	}
}

func TestParseFlagsEnvironment(t *testing.T) {
	env := map[string]string{"N": "10000", "LATENCY": "5ms"}
	parse := func(args ...string) (options, error) {
		fs := flag.NewFlagSet("bench", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return parseFlags(fs, args, func(k string) string { return env[k] })
	}
	o, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	if o.n != 10000 || o.latency != 5*time.Millisecond || o.accounts != 2 || o.resync != time.Minute || o.outageProvider != hooksv1alpha1.ProviderWebex {
		t.Errorf("defaults with N and LATENCY set: n %d, latency %s, accounts %d, resync %s, outage provider %s",
			o.n, o.latency, o.accounts, o.resync, o.outageProvider)
	}
	if o.hungWebhooks != 50 || o.unrelatedSecrets != 1000 || o.churnAccounts != 50 || o.fairWebhooks != 500 {
		t.Errorf("tenancy phases by default: %d hung Webhooks, %d unrelated Secrets, %d accounts that come and go, %d Webhooks of the busy namespace; "+
			"want 50, 1000, 50 and 500", o.hungWebhooks, o.unrelatedSecrets, o.churnAccounts, o.fairWebhooks)
	}
	if o, err = parse("-hung-webhooks", "0", "-unrelated-secrets", "0", "-churn-accounts", "0", "-fair-webhooks", "0"); err != nil || o.tenancyPhases() != 0 {
		t.Errorf("-hung-webhooks 0 -unrelated-secrets 0 -churn-accounts 0 -fair-webhooks 0: %d, %d, %d, %d, err %v; want every phase skipped",
			o.hungWebhooks, o.unrelatedSecrets, o.churnAccounts, o.fairWebhooks, err)
	}
	if got := o.waitTimeout(); got != 2*time.Minute+400*time.Second {
		t.Errorf("default timeout for N=10000 = %s", got)
	}
	if o, err = parse("-n", "7", "-outage-provider", "8x8"); err != nil || o.n != 7 || o.outageProvider != hooksv1alpha1.ProviderEightByEight {
		t.Errorf("-n 7 -outage-provider 8x8: n %d, provider %s, err %v", o.n, o.outageProvider, err)
	}
	for _, bad := range [][]string{{"-n", "0"}, {"-outage-provider", "slack"}, {"-workers", "0"}, {"extra"},
		{"-hung-webhooks", "-1"}, {"-hung-webhooks", "4"}, {"-unrelated-secrets", "-1"}, {"-churn-accounts", "-1"}, {"-fair-webhooks", "-1"}} {
		if _, err := parse(bad...); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	env["N"] = "many"
	if _, err := parse(); err == nil {
		t.Error("N=many: no error")
	}
}

// TestWorkloadKeys checks that the Webhooks spread evenly over providers and accounts and that
// no two share a natural key on their SaaS.
func TestWorkloadKeys(t *testing.T) {
	sims, err := localenv.StartSimulators(localenv.SimulatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sims.Stop()
	const n, perProvider = 400, 5
	w := newWorkload(sims, n, perProvider)

	perSecret := map[string]int{}
	keys := map[string]bool{}
	for i := range n {
		h := w.webhook(i, "ns")
		perSecret[h.Spec.CredentialsRef.Name]++
		key := string(h.Spec.Provider) + " " + h.Spec.TargetURL
		switch h.Spec.Provider {
		case hooksv1alpha1.ProviderEightByEight:
			key = h.Spec.EightByEight.AccountID + "/" + h.Spec.EightByEight.SubAccountID + "/" + string(h.Spec.EightByEight.Type)
			if len(h.Spec.EightByEight.AccountID) != 36 {
				t.Errorf("8x8 account id %q is not a GUID with dashes", h.Spec.EightByEight.AccountID)
			}
		case hooksv1alpha1.ProviderAutodesk:
			key = h.Spec.Autodesk.Scope["folder"]
		case hooksv1alpha1.ProviderPageSeeder:
			if h.Spec.PageSeeder.ServerURL != sims.URL(hooksv1alpha1.ProviderPageSeeder) {
				t.Errorf("PageSeeder serverUrl %q is not the simulator's", h.Spec.PageSeeder.ServerURL)
			}
		}
		if keys[key] {
			t.Errorf("Webhook %d shares the key %q", i, key)
		}
		keys[key] = true
	}
	if len(perSecret) != 4*perProvider {
		t.Errorf("%d credentials in use, want %d", len(perSecret), 4*perProvider)
	}
	for name, count := range perSecret {
		if count != n/(4*perProvider) {
			t.Errorf("credentials %s serve %d Webhooks, want %d", name, count, n/(4*perProvider))
		}
	}
}

func TestProcStatusBytes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "status")
	if err := os.WriteFile(file, []byte("Name:\tmanager\nVmHWM:\t  51200 kB\nVmRSS:\t  40000 kB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := procStatusBytes(file, "VmHWM"); err != nil || got != 51200*1024 {
		t.Errorf("VmHWM = %d, %v; want %d", got, err, 51200*1024)
	}
	if _, err := procStatusBytes(file, "VmSwap"); err == nil {
		t.Error("a missing field gave no error")
	}
}

// TestHungServer checks that the hung server accepts connections, reads what they send, never
// answers, and that Close ends the connections it holds.
func TestHungServer(t *testing.T) {
	hs, err := startHungServer()
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	if !strings.HasPrefix(hs.URL(), "http://127.0.0.1:") {
		t.Errorf("URL = %q, want http://127.0.0.1:<port>", hs.URL())
	}

	client := &http.Client{Timeout: 300 * time.Millisecond}
	start := time.Now()
	resp, err := client.Get(hs.URL() + "/ps/service/clients/1/webhooks.json")
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("the hung server answered %s", resp.Status)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("the request failed after %s, before the client's timeout: %v", took, err)
	}

	conn, err := net.Dial("tcp", strings.TrimPrefix(hs.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for hs.Accepted() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := hs.Accepted(); got != 2 {
		t.Errorf("Accepted = %d, want 2", got)
	}

	closed := make(chan struct{})
	go func() { hs.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return with a connection open")
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("after Close the connection read %d bytes, error %v; want it closed", n, err)
	}
	hs.Close() // a second Close does nothing
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []uint64
		want uint64
	}{{nil, 0}, {[]uint64{5}, 5}, {[]uint64{9, 1, 5}, 5}, {[]uint64{4, 1, 3, 2}, 3}, {[]uint64{7, 7, 100, 7, 1, 7, 7}, 7}} {
		in := append([]uint64(nil), tc.in...)
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %d, want %d", tc.in, got, tc.want)
		}
		if !reflect.DeepEqual(in, tc.in) {
			t.Errorf("median reordered its argument to %v", tc.in)
		}
	}
}

// TestTenancyTargets checks that the tenancy figures get their targets and table rows only when
// their phase ran, and that the targets apply only at the settings they are stated for.
func TestTenancyTargets(t *testing.T) {
	o := options{n: 1000, resync: time.Minute, outage: time.Minute, outageProvider: hooksv1alpha1.ProviderWebex, workers: 10,
		hungWebhooks: defaultHungWebhooks, unrelatedSecrets: defaultUnrelatedSecrets, churnAccounts: defaultChurnAccounts,
		fairWebhooks: defaultFairWebhooks}
	var r results
	if got := len(targets(r, o)); got != 6 {
		t.Errorf("%d targets without the tenancy figures, want 6", got)
	}
	var table bytes.Buffer
	printTable(&table, r, options{n: 1000, resync: time.Minute, outage: time.Minute})
	if c := strings.Count(table.String(), "skipped"); c != 4 {
		t.Errorf("the table of a run without tenancy phases says \"skipped\" %d times, want 4:\n%s", c, table.String())
	}

	added, change := 70.0, 4.2
	r.HungAccounts = []hungRound{{Credentials: 1, ReadySeconds: 0.8, Connections: 1}, {Credentials: 2, ReadySeconds: 1.2, Connections: 2},
		{Credentials: 5, ReadySeconds: 31, Connections: 5}}
	r.UnrelatedSecretsRSSMiB, r.ChurnRSSChangePercent = &added, &change
	r.ChurnRSSBaselineMiB, r.ChurnRSSAfterMiB = 60, 62.5
	r.Fair = &fairResult{Provider: "Webex", Webhooks: 500, CreateSeconds: 4.1, BusyReadyAtStart: 12, BusyReadyAtFirst: 40, ReadySeconds: 0.9,
		BusyAllReadySeconds: 31.5}
	byFigure := func(ts []target) map[string]target {
		m := map[string]target{}
		for _, tg := range ts {
			m[tg.Figure] = tg
		}
		return m
	}
	got := byFigure(targets(r, o))
	if h := got["hungAccounts[credentials=2].readySeconds"]; !h.Met || !h.Applies || h.Value != 1.2 {
		t.Errorf("target of 2 hung credentials %+v, want met and applying", h)
	}
	if h := got["hungAccounts[credentials=5].readySeconds"]; h.Met || !h.Applies {
		t.Errorf("target of 5 hung credentials %+v, want missed (31 s) and applying", h)
	}
	if s := got["unrelatedSecretsRssMiB"]; s.Met || !s.Applies {
		t.Errorf("unrelated Secrets target %+v, want missed (70 MiB) and applying", s)
	}
	if c := got["churnRssChangePercent"]; !c.Met || !c.Applies || c.Value != change {
		t.Errorf("churn target %+v, want met (+4.2%%) and applying", c)
	}
	if f := got[fairFigure]; !f.Met || !f.Applies || f.Value != 0.9 {
		t.Errorf("fairness target %+v, want met (0.9 s) and applying", f)
	}
	r.HungAccounts[0].TimedOut = true
	o.workers, o.churnAccounts = 20, 10
	change = 12
	r.Fair.ReadySeconds, r.Fair.TimedOut = 90, true
	got = byFigure(targets(r, o))
	if h := got["hungAccounts[credentials=1].readySeconds"]; h.Met || h.Applies {
		t.Errorf("target of 1 hung credential after a timeout at 20 workers %+v, want missed and not applying", h)
	}
	if c := got["churnRssChangePercent"]; c.Met || c.Applies {
		t.Errorf("churn target at +12%% for 10 accounts %+v, want missed and not applying", c)
	}
	if f := got[fairFigure]; f.Met || f.Applies {
		t.Errorf("fairness target after a timeout at 20 workers %+v, want missed and not applying", f)
	}
	r.Targets = targets(r, o)
	table.Reset()
	printTable(&table, r, o)
	for _, want := range []string{"Ready behind 1 hung credential of one namespace (50 Webhooks)", "> 0.80 s",
		"Ready behind 5 hung credentials of one namespace (50 Webhooks)", "31.0 s", "<= 5 s at 10 workers, 50 hung Webhooks", "(missed)",
		"RSS added by unrelated Secrets (1000 of 64 KiB)", "+70.0 MiB", "< 5 MiB at 1000 Secrets",
		"RSS after 10 accounts came and went", "+12.0% (60.0 -> 62.5 MiB)", "<= +10% of the RSS before at 50 accounts",
		"Connections the operator opened to the hung server: 1 with 1 hung credential, 2 with 2 hung credentials, 5 with 5 hung credentials",
		"first Webhook Ready on a ClusterAccount while another namespace creates 500 on it", "> 90.0 s",
		"<= 5 s at 10 workers, 500 Webhooks of the other namespace",
		"Fairness: namespace fair-busy created its 500 Webhooks in 4.10 s; 12 were Ready when the other namespace's first was created, 40 once it was Ready, all 500 after 31.5 s.",
		"target stated for other settings"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table has no %q:\n%s", want, table.String())
		}
	}
}
