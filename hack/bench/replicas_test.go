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
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

func parseWith(env map[string]string, args ...string) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return parseFlags(fs, args, func(k string) string { return env[k] })
}

func TestParseFlagsReplicas(t *testing.T) {
	o, err := parseWith(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.replicas != 1 || o.spread || o.sharded() || o.hungWebhooks != defaultHungWebhooks || o.unrelatedSecrets != defaultUnrelatedSecrets {
		t.Errorf("defaults: replicas %d, spread %v, tenancy %d/%d; want one replica as before", o.replicas, o.spread, o.hungWebhooks, o.unrelatedSecrets)
	}
	if got := o.defaultJSONName(); got != defaultJSON {
		t.Errorf("JSON of one replica = %s, want %s", got, defaultJSON)
	}

	o, err = parseWith(map[string]string{"REPLICAS": "3", "N": "10000"})
	if err != nil {
		t.Fatal(err)
	}
	if o.replicas != 3 || !o.spread || !o.sharded() || o.hungWebhooks != 0 || o.unrelatedSecrets != 0 || o.n != 10000 {
		t.Errorf("REPLICAS=3: replicas %d, spread %v, tenancy %d/%d; want 3, spread, no tenancy phases", o.replicas, o.spread, o.hungWebhooks, o.unrelatedSecrets)
	}
	if got := o.defaultJSONName(); got != "bin/bench/results-replicas3.json" {
		t.Errorf("JSON of 3 replicas = %s", got)
	}
	if o, err = parseWith(map[string]string{"REPLICAS": "3"}, "-replicas", "2", "-hung-webhooks", "0", "-baseline-rss", "120"); err != nil ||
		o.replicas != 2 || o.baselineRSS != 120 {
		t.Errorf("-replicas 2 -hung-webhooks 0 -baseline-rss 120 over REPLICAS=3: replicas %d, baseline %g, err %v", o.replicas, o.baselineRSS, err)
	}
	if o, err = parseWith(nil, "-spread"); err != nil || !o.spread || o.sharded() || o.defaultJSONName() != "bin/bench/results-spread.json" {
		t.Errorf("-spread: spread %v, sharded %v, JSON %s, err %v", o.spread, o.sharded(), o.defaultJSONName(), err)
	}
	for _, bad := range [][]string{{"-replicas", "0"}, {"-replicas", "3", "-spread=false"}, {"-replicas", "3", "-hung-webhooks", "5"},
		{"-replicas", "3", "-unrelated-secrets", "10"}, {"-baseline-rss", "-1"}} {
		if _, err := parseWith(nil, bad...); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := parseWith(map[string]string{"REPLICAS": "three"}); err == nil {
		t.Error("REPLICAS=three: no error")
	}
}

func TestParseShardingMetrics(t *testing.T) {
	const exposition = `# HELP hookkeeper_sharding_mode Whether the API server applies the shard selector.
# TYPE hookkeeper_sharding_mode gauge
hookkeeper_sharding_mode{mode="client"} 0
hookkeeper_sharding_mode{mode="server"} 1
hookkeeper_sharding_objects_received_total{resource="webhooks"} 3402
hookkeeper_sharding_objects_received_total{resource="secrets"} 33
hookkeeper_sharding_objects_filtered_total{resource="webhooks"} 0
hookkeeper_saas_requests_total{code="200",operation="create",provider="webex"} 250
hookkeeper_sharding_objects_received_total_other{resource="webhooks"} 1
`
	m, err := parseShardingMetrics(strings.NewReader(exposition))
	if err != nil {
		t.Fatal(err)
	}
	if m.mode != "server" || m.received["webhooks"] != 3402 || m.received["secrets"] != 33 || m.filtered["webhooks"] != 0 {
		t.Errorf("parsed %+v", m)
	}
	if _, ok := m.filtered["secrets"]; ok {
		t.Error("a filtered count for secrets without a sample")
	}

	var r replicaResult
	r.fill(m, 10206, 9000)
	if r.ShardingMode != "server" || r.WebhookObjects == nil || *r.WebhookObjects != 3402 || r.SecretObjects == nil || *r.SecretObjects != 33 ||
		r.FilteredWebhookObjects == nil || r.FilteredSecretObjects != nil {
		t.Errorf("fill: %+v", r)
	}
	// 3402 of the 10206 objects an informer of every namespace received: a third of 9000.
	if r.WebhooksReceived == nil || *r.WebhooksReceived != 3000 {
		t.Errorf("Webhooks received = %v, want 3000", r.WebhooksReceived)
	}

	// An operator without the metrics: nothing reported, nothing zero.
	m, err = parseShardingMetrics(strings.NewReader("hookkeeper_saas_requests_total{provider=\"webex\"} 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	r = replicaResult{}
	r.fill(m, 10206, 9000)
	if r.ShardingMode != "" || r.WebhookObjects != nil || r.SecretObjects != nil || r.WebhooksReceived != nil {
		t.Errorf("fill without the metrics: %+v, want nothing reported", r)
	}
	if _, err := parseShardingMetrics(strings.NewReader(`hookkeeper_sharding_mode{mode="server" 1`)); err == nil {
		t.Error("a broken line parsed")
	}
}

func float(v float64) *float64 { return &v }

func TestReplicaTargets(t *testing.T) {
	o := options{n: 900, replicas: 3, spread: true, resync: time.Minute, outage: time.Minute, jsonPath: "bin/bench/results-replicas3.json"}
	if lo, hi := receivedBounds(900, 3); lo != 240 || hi != 360 {
		t.Errorf("bounds for 900 over 3 = %g..%g, want 240..360", lo, hi)
	}
	dups := 0
	r := results{
		Parameters: parameters{N: 900, Replicas: 3, Spread: true, Namespaces: 90},
		Replicas: []replicaResult{
			{Identity: "a", WebhooksReceived: float(300), WebhookObjects: float(900), ShardingMode: "server", PeakRSSMiB: 40},
			{Identity: "b", WebhooksReceived: float(361), WebhookObjects: float(1083), ShardingMode: "server", PeakRSSMiB: 46},
			{Identity: "c", PeakRSSMiB: 30}, // an operator without the sharding metrics
		},
		Duplicates: &dups, RemoteWebhooks: 900, AllWebhookObjects: 2700,
		BaselinePeakRSSMiB: 100, BaselineSource: "bin/bench/results.json",
	}
	byFigure := map[string]target{}
	for _, tg := range replicaTargets(r, o) {
		byFigure[tg.Figure] = tg
	}
	for figure, want := range map[string]struct{ met, notReported bool }{
		"replicas[a].webhooksReceived": {true, false},
		"replicas[b].webhooksReceived": {false, false},
		"replicas[c].webhooksReceived": {false, true},
		"replicas[a].peakRssMiB":       {true, false},
		"replicas[b].peakRssMiB":       {false, false}, // 46 > 45% of 100
		"replicas[c].peakRssMiB":       {true, false},
		"duplicates":                   {true, false},
	} {
		tg, ok := byFigure[figure]
		if !ok || tg.Met != want.met || tg.NotReported != want.notReported || !tg.Applies {
			t.Errorf("%s: %+v (found %v), want met %v, not reported %v", figure, tg, ok, want.met, want.notReported)
		}
	}
	if len(byFigure) != 7 {
		t.Errorf("%d targets, want 7", len(byFigure))
	}

	// The targets of one replica are the usual ones, and the replicas' come on top.
	if got, plain := len(targets(r, o)), len(targets(results{}, options{n: 900, replicas: 1})); got != plain+7 {
		t.Errorf("%d targets with 3 replicas, %d with one; want 7 more", got, plain)
	}

	// Without a single-replica figure, the RSS targets are not reported; nor are duplicates
	// that were not counted.
	r.BaselinePeakRSSMiB, r.Duplicates = 0, nil
	byFigure = map[string]target{}
	for _, tg := range replicaTargets(r, o) {
		byFigure[tg.Figure] = tg
	}
	if tg := byFigure["replicas[a].peakRssMiB"]; !tg.NotReported || tg.Met {
		t.Errorf("RSS target without a baseline: %+v", tg)
	}
	if _, ok := byFigure["duplicates"]; ok {
		t.Error("a duplicates target without a count")
	}
}

func TestPrintReplicas(t *testing.T) {
	o := options{n: 900, replicas: 3, spread: true, resync: time.Minute, outage: time.Minute, jsonPath: "bin/bench/results-replicas3.json"}
	dups, saas := 0, 310
	r := results{
		Parameters:         parameters{N: 900, Replicas: 3, Spread: true, Namespaces: 90},
		TimeToReadySeconds: 42, SaaSRequestsPerWebhook: 1.05,
		Replicas: []replicaResult{
			{Identity: "bench-replica-0", WebhooksReceived: float(300), WebhookObjects: float(900), SecretObjects: float(30),
				FilteredWebhookObjects: float(0), FilteredSecretObjects: float(0), ShardingMode: "server", PeakRSSMiB: 40, CreateSaaSRequests: &saas, HeapInuseMiB: 12},
			{Identity: "bench-replica-1", PeakRSSMiB: 41.5},
		},
		Duplicates: &dups, RemoteWebhooks: 900, AllWebhookObjects: 2700,
		BaselinePeakRSSMiB: 100, BaselineSource: "bin/bench/results.json (single replica)",
	}
	r.Targets = targets(r, o)
	var out bytes.Buffer
	printTable(&out, r, o)
	text := out.String()
	for _, want := range []string{
		"operator replicas (--sharding)", "namespaces, one account each", "peak RSS of the largest replica",
		"Webhooks received 240 to 360, N/3 ± 20%",
		"bench-replica-0", "server", "900", "300", "30", "0/0", "310", "40.0 MiB", "12.0 MiB",
		"bench-replica-1", "n/a", "41.5 MiB",
		"all 900 Webhooks in 90 namespaces Ready after 42.0 s", "1.05 SaaS requests per created Webhook",
		"duplicates on the simulators: 0 (met; 900 remote webhooks for 900 Webhooks)",
		"received 2700 Webhook objects", "One replica's peak RSS: 100.0 MiB, from bin/bench/results.json (single replica)",
		"the operator does not export that figure",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the output has no %q:\n%s", want, text)
		}
	}
	// The rows of the two replicas: the first meets both targets, the second reports no share.
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "bench-replica-0 "):
			if strings.Count(line, "met") != 2 {
				t.Errorf("row of replica 0 %q: want both targets met", line)
			}
		case strings.HasPrefix(line, "bench-replica-1 "):
			if !strings.Contains(line, "n/a") || strings.Count(line, "met") != 1 {
				t.Errorf("row of replica 1 %q: want its share n/a and its RSS met", line)
			}
		}
	}

	r.BaselinePeakRSSMiB = 0
	out.Reset()
	printReplicas(&out, r, o)
	if !strings.Contains(out.String(), "One replica's peak RSS at N=900: unknown") {
		t.Errorf("no word on the missing baseline:\n%s", out.String())
	}
}

func TestFindBaseline(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, r results) {
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	if _, ok := findBaseline(dir, 1000, true); ok {
		t.Error("a baseline in an empty directory")
	}
	write("results.json", results{Date: day, Parameters: parameters{N: 1000}, PeakRSSMiB: 68.9})
	write("old.json", results{Date: day.Add(-time.Hour), Parameters: parameters{N: 1000}, PeakRSSMiB: 70})
	write("n10000.json", results{Date: day.Add(time.Hour), Parameters: parameters{N: 10000}, PeakRSSMiB: 189})
	write("results-replicas3.json", results{Date: day.Add(time.Hour), Parameters: parameters{N: 1000, Replicas: 3, Spread: true}, PeakRSSMiB: 30})
	write("broken.json", results{})
	if err := os.WriteFile(filepath.Join(dir, "heap.json"), []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}

	b, ok := findBaseline(dir, 1000, true)
	if !ok || b.mib != 68.9 || !strings.Contains(b.source, "results.json") || !strings.Contains(b.source, "one namespace") {
		t.Errorf("without a spread run: %+v, %v; want the newest plain run at N=1000", b, ok)
	}
	write("results-spread.json", results{Date: day.Add(-2 * time.Hour), Parameters: parameters{N: 1000, Spread: true}, PeakRSSMiB: 75})
	if b, ok = findBaseline(dir, 1000, true); !ok || b.mib != 75 || !strings.Contains(b.source, "spread over namespaces") {
		t.Errorf("with a spread run: %+v, %v; want the spread one, older but of the same layout", b, ok)
	}
	if b, ok = findBaseline(dir, 10000, true); !ok || b.mib != 189 {
		t.Errorf("N=10000: %+v, %v", b, ok)
	}
	if _, ok = findBaseline(dir, 5000, true); ok {
		t.Error("a baseline at N=5000")
	}
}

// TestSpreadWorkload checks that a spread workload puts 10 Webhooks of one provider into each
// namespace, about N/10 namespaces, each with an account of its own.
func TestSpreadWorkload(t *testing.T) {
	sims, err := localenv.StartSimulators(localenv.SimulatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sims.Stop()
	const n = 1000
	w := newSpreadWorkload(sims, n)
	if len(w.namespaces) != n/perNamespace || len(w.nsAccounts) != n/perNamespace {
		t.Fatalf("%d namespaces and %d accounts for %d Webhooks, want %d", len(w.namespaces), len(w.nsAccounts), n, n/perNamespace)
	}
	list := w.namespaceList()
	if list[0] != "bench-0000" || list[len(list)-1] != "bench-0099" {
		t.Errorf("namespaces %s to %s, want bench-0000 to bench-0099", list[0], list[len(list)-1])
	}
	perNS := map[string]int{}
	providerOf := map[string]hooksv1alpha1.ProviderType{}
	perProvider := map[hooksv1alpha1.ProviderType]int{}
	names := map[string]bool{}
	for i := range n {
		ns := w.namespaceOf(i, "ignored")
		h := w.webhook(i, ns)
		perNS[ns]++
		perProvider[h.Spec.Provider]++
		if p, ok := providerOf[ns]; ok && p != h.Spec.Provider {
			t.Errorf("namespace %s has Webhooks of %s and %s", ns, p, h.Spec.Provider)
		}
		providerOf[ns] = h.Spec.Provider
		if a := w.nsAccounts[w.namespaceIndex(i)]; h.Spec.CredentialsRef.Name != a.secret || a.provider != h.Spec.Provider {
			t.Errorf("Webhook %d uses %s, want its namespace's %s of %s", i, h.Spec.CredentialsRef.Name, a.secret, a.provider)
		}
		names[ns+"/"+h.Name] = true
	}
	for ns, c := range perNS {
		if c != perNamespace {
			t.Errorf("namespace %s has %d Webhooks, want %d", ns, c, perNamespace)
		}
	}
	for p, c := range perProvider {
		if c != n/len(sims.All) {
			t.Errorf("%s has %d Webhooks, want %d", p, c, n/len(sims.All))
		}
	}
	if len(names) != n {
		t.Errorf("%d distinct Webhooks, want %d", len(names), n)
	}
	// Every namespace has an account of its own.
	seen := map[string]bool{}
	for _, a := range w.nsAccounts {
		key := strings.Join(sortedValues(a.Credentials), ",")
		if seen[key] {
			t.Errorf("two namespaces share the credentials %q", key)
		}
		seen[key] = true
	}
	// Without spread, the caller's namespace as before.
	plain := newWorkload(sims, 8, 1)
	if ns := plain.namespaceOf(3, benchNamespace); ns != benchNamespace {
		t.Errorf("a plain workload puts Webhook 3 into %s", ns)
	}
}

func sortedValues(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// TestBenchSmokeReplicas runs the whole bench with three replicas and tiny settings, and checks
// that every replica's figures are there, that the replicas are gone afterwards, and that no
// Webhook has a duplicate. It judges no other figure against a target: the split of a handful of
// namespaces says nothing.
func TestBenchSmokeReplicas(t *testing.T) {
	s := newSmokeBench(t)
	ctx := smokeContext(t, 5*time.Minute)
	const n, replicas = 40, 3
	o := s.options(n, "results-replicas3.json")
	o.outageProvider = hooksv1alpha1.ProviderWebex
	o.replicas, o.spread, o.baselineRSS = replicas, true, 500
	res, out := s.run(ctx, t, o, "")
	if len(s.pids) != replicas {
		t.Fatalf("%d operator processes started, want %d", len(s.pids), replicas)
	}
	s.checkStopped(t)
	if logs, _ := filepath.Glob(filepath.Join(s.state, "operator*.log")); len(logs) != 0 {
		t.Errorf("the operator logs of a successful run are still there: %v", logs)
	}
	if len(res.Replicas) != replicas || res.Parameters.Replicas != replicas || res.Parameters.Namespaces != n/perNamespace {
		t.Fatalf("%d replica results, parameters %+v", len(res.Replicas), res.Parameters)
	}
	if res.Duplicates == nil || *res.Duplicates != 0 || res.RemoteWebhooks != n {
		t.Errorf("duplicates %v, %d remote webhooks for %d Webhooks", res.Duplicates, res.RemoteWebhooks, n)
	}
	if res.AllWebhookObjects < n {
		t.Errorf("an informer of every namespace received %d Webhook objects, want at least %d", res.AllWebhookObjects, n)
	}
	checkReplicaShares(t, res, n)
	checkContains(t, out, "Per replica", "bench-replica-0", "bench-replica-2", "duplicates on the simulators: 0", "from -baseline-rss")
	if _, err := os.Stat(o.jsonPath); err != nil {
		t.Errorf("no JSON: %v", err)
	}
}

// checkReplicaShares checks each replica's figures in the results of a smoke run of n Webhooks:
// its identity, peak RSS and SaaS requests, its sharding mode, and that the Webhooks the
// replicas received add up to about n.
func checkReplicaShares(t *testing.T, res results, n int) {
	t.Helper()
	saas := 0
	for _, rr := range res.Replicas {
		if !strings.HasPrefix(rr.Identity, "bench-replica-") || !(rr.PeakRSSMiB > 0) || rr.CreateSaaSRequests == nil {
			t.Errorf("replica %+v: want an identity, a peak RSS and its SaaS requests", rr)
			continue
		}
		saas += *rr.CreateSaaSRequests
		// The sharding figures are there when the operator exports them; when it does, the API
		// server has the gate on and applies the selector.
		if rr.ShardingMode != "" && rr.ShardingMode != "server" {
			t.Errorf("replica %s runs in mode %q, want server: the API server has the gate on", rr.Identity, rr.ShardingMode)
		}
	}
	if saas != res.CreateSaaSRequests {
		t.Logf("the replicas counted %d SaaS requests, the simulators %d", saas, res.CreateSaaSRequests)
	}
	var sum float64
	reported := true
	for _, rr := range res.Replicas {
		if rr.WebhooksReceived == nil {
			reported = false
			break
		}
		sum += *rr.WebhooksReceived
	}
	// Each Webhook's objects go to one replica: the shares add up to N, give or take the events
	// in flight when the counts were read.
	if reported && (sum < 0.9*float64(n) || sum > 1.1*float64(n)) {
		t.Errorf("the replicas received %.1f Webhooks between them, want about %d", sum, n)
	}
}

// TestParseFlagsGOMEMLIMIT: -gomemlimit reaches the results' parameters, and is unset by default.
func TestParseFlagsGOMEMLIMIT(t *testing.T) {
	o, err := parseWith(nil)
	if err != nil || o.gomemlimit != "" {
		t.Fatalf("default: %q, %v; want unset", o.gomemlimit, err)
	}
	o, err = parseWith(nil, "-gomemlimit", "90MiB")
	if err != nil || o.gomemlimit != "90MiB" {
		t.Fatalf("-gomemlimit 90MiB: %q, %v", o.gomemlimit, err)
	}
}
