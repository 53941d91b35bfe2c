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
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/accounts"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// TestParseFlagsShared: ACCOUNTS=... and -shared-accounts choose the layout on shared accounts,
// over 100 namespaces unless -namespaces says otherwise; a flag wins over the environment.
func TestParseFlagsShared(t *testing.T) {
	parse := func(env map[string]string, args ...string) (options, error) {
		fs := flag.NewFlagSet("bench", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return parseFlags(fs, args, func(k string) string { return env[k] })
	}
	o, err := parse(nil)
	if err != nil || o.sharedAccounts != "" || o.tenants != defaultTenants || o.defaultJSONName() != defaultJSON {
		t.Errorf("defaults: shared %q, namespaces %d, JSON %s, err %v; want no shared accounts as before", o.sharedAccounts, o.tenants, o.defaultJSONName(), err)
	}
	o, err = parse(map[string]string{"N": "10000", "ACCOUNTS": "Cluster"})
	if err != nil || o.sharedAccounts != sharedCluster || o.tenants != 100 || o.n != 10000 || o.accounts != 1 ||
		o.defaultJSONName() != filepath.Join("bin", "bench", "results-accounts-cluster.json") {
		t.Errorf("N=10000 ACCOUNTS=Cluster: shared %q, namespaces %d, n %d, accounts %d, JSON %s, err %v; want one account per provider",
			o.sharedAccounts, o.tenants, o.n, o.accounts, o.defaultJSONName(), err)
	}
	if o, err = parse(map[string]string{"ACCOUNTS": "cluster"}, "-accounts", "3"); err != nil || o.accounts != 3 {
		t.Errorf("ACCOUNTS=cluster -accounts 3: %d accounts per provider, err %v", o.accounts, err)
	}
	o, err = parse(map[string]string{"ACCOUNTS": "cluster"}, "-shared-accounts", "namespace", "-namespaces", "7", "-n", "70")
	if err != nil || o.sharedAccounts != sharedNamespace || o.tenants != 7 || o.defaultJSONName() != filepath.Join("bin", "bench", "results-accounts-namespace.json") {
		t.Errorf("-shared-accounts namespace -namespaces 7 over ACCOUNTS=cluster: shared %q, namespaces %d, err %v", o.sharedAccounts, o.tenants, err)
	}
	for _, bad := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{"ACCOUNTS": "yes"}, nil},
		{nil, []string{"-shared-accounts", "secret"}},
		{nil, []string{"-shared-accounts", "cluster", "-spread"}},
		{nil, []string{"-shared-accounts", "cluster", "-replicas", "3"}},
		{nil, []string{"-shared-accounts", "cluster", "-namespaces", "0"}},
		{nil, []string{"-shared-accounts", "cluster", "-n", "50"}}, // 100 namespaces for 50 Webhooks
	} {
		if _, err := parse(bad.env, bad.args...); err == nil {
			t.Errorf("%v %q: no error", bad.env, bad.args)
		}
	}
}

// TestSharedWorkload checks the shared layouts without an API server: every namespace holds
// every provider's Webhooks in equal numbers, and a provider's Webhooks take turns over its
// accounts; with ClusterAccounts each Webhook names one of its provider's, leaves the
// account-level fields out, and resolves against the account (as the operator does) to the spec
// of the same Webhook written with per-namespace credentials; the ClusterAccounts permit every
// namespace of the layout and no other.
func TestSharedWorkload(t *testing.T) {
	sims, err := localenv.StartSimulators(localenv.SimulatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sims.Stop()
	const n, tenants, perProvider = 400, 10, 2
	cluster := newSharedWorkload(sims, n, tenants, perProvider, sharedCluster)
	// The same accounts, each namespace holding a copy of their credentials.
	copied := *cluster
	perNS := &copied
	perNS.shared = sharedNamespace
	if len(cluster.tenants) != tenants || cluster.tenants[0] != "tenant-000" || cluster.tenants[9] != "tenant-009" {
		t.Fatalf("namespaces %v", cluster.tenants)
	}
	views, accountLevel := sharedAccountViews(t, cluster, perProvider)
	perAccount := map[string]int{}
	perNamespace := map[string]map[hooksv1alpha1.ProviderType]int{}
	for i := range n {
		ns := cluster.namespaceOf(i, "unused")
		if ns != perNS.namespaceOf(i, "unused") {
			t.Fatalf("Webhook %d: namespace %s with ClusterAccounts, %s with copies", i, ns, perNS.namespaceOf(i, "unused"))
		}
		h := cluster.webhook(i, ns)
		if perNamespace[ns] == nil {
			perNamespace[ns] = map[hooksv1alpha1.ProviderType]int{}
		}
		perNamespace[ns][h.Spec.Provider]++
		perAccount[checkSharedWebhook(t, i, h, perNS.webhook(i, ns), views, accountLevel)]++
	}
	checkSharedCounts(t, cluster, perAccount, perNamespace, len(views), n, tenants)
}

// sharedAccountViews are the ClusterAccounts of cluster as createShared makes them, viewed as
// the operator views them, by name, and the JSON names of each provider's account-level fields
// as the ClusterAccounts spell them. It checks their credentials, that two providers at least
// have account-level fields, and that they permit the layout's namespaces and no other.
func sharedAccountViews(t *testing.T, cluster *workload, perProvider int) (map[string]*accounts.View, map[hooksv1alpha1.ProviderType][]string) {
	t.Helper()
	views := map[string]*accounts.View{}
	accountLevel := map[hooksv1alpha1.ProviderType][]string{}
	for _, p := range cluster.providerOrder {
		if len(cluster.accounts[p]) != perProvider {
			t.Fatalf("%s: %d accounts, want %d", p, len(cluster.accounts[p]), perProvider)
		}
		a := cluster.accounts[p][1]
		ca, secret := clusterAccount(clusterAccountName(a), a, tenantConditions())
		if secret.Namespace != accountSecretNamespace || ca.Spec.CredentialsRef.Namespace != accountSecretNamespace ||
			ca.Spec.CredentialsRef.Name != secret.Name || !reflect.DeepEqual(secret.StringData, a.Credentials) {
			t.Errorf("%s: ClusterAccount credentials %+v, Secret %s/%s", p, ca.Spec.CredentialsRef, secret.Namespace, secret.Name)
		}
		views[ca.Name] = accounts.FromClusterAccount(ca)
		ca, _ = clusterAccount(clusterAccountName(cluster.accounts[p][0]), cluster.accounts[p][0], tenantConditions())
		views[ca.Name] = accounts.FromClusterAccount(ca)
		accountLevel[p] = nil
		d, _ := catalog.ByType(p)
		obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ca)
		if err != nil {
			t.Fatal(err)
		}
		block, _, _ := unstructured.NestedMap(obj, "spec", d.SpecField)
		for name := range block {
			accountLevel[p] = append(accountLevel[p], d.SpecField+"."+name)
		}
	}
	// The simulators' accounts that Webhooks name (8x8's account, PageSeeder's server and client)
	// are on the ClusterAccounts: two providers at least have account-level fields.
	withFields := 0
	for _, paths := range accountLevel {
		if len(paths) > 0 {
			withFields++
		}
	}
	if withFields < 2 {
		t.Errorf("account-level fields on the ClusterAccounts: %v; want those of two providers at least", accountLevel)
	}
	if len(views) != perProvider*len(cluster.providerOrder) {
		t.Errorf("%d ClusterAccounts, want %d", len(views), perProvider*len(cluster.providerOrder))
	}
	labelled := func(name string) *corev1.Namespace {
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{tenantLabel: tenantLabelValue}}}
	}
	for _, v := range views {
		if !v.Permits("tenant-003", labelled("tenant-003")) || v.Permits("other", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "other"}}) {
			t.Errorf("%s: permits the layout's namespace %v, an unlabelled one %v", v, v.Permits("tenant-003", labelled("tenant-003")),
				v.Permits("other", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "other"}}))
		}
	}
	return views, accountLevel
}

// checkSharedWebhook checks Webhook i of the ClusterAccount layout, h: it names one of its
// provider's ClusterAccounts and leaves the account-level fields out, and resolves against the
// account to withCopy, the same Webhook with a copy of the credentials. It returns the name of
// the ClusterAccount.
func checkSharedWebhook(t *testing.T, i int, h, withCopy *hooksv1alpha1.Webhook, views map[string]*accounts.View,
	accountLevel map[hooksv1alpha1.ProviderType][]string) string {
	t.Helper()
	ref := h.Spec.AccountRef
	if h.Spec.CredentialsRef != nil || ref == nil || !ref.IsCluster() || views[ref.Name] == nil || views[ref.Name].Settings.Provider != h.Spec.Provider {
		t.Fatalf("Webhook %d: credentialsRef %v, accountRef %+v; want only a ClusterAccount of %s", i, h.Spec.CredentialsRef, ref, h.Spec.Provider)
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&h.Spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range accountLevel[h.Spec.Provider] {
		if v, found, _ := unstructured.NestedFieldNoCopy(obj, strings.Split(path, ".")...); found {
			t.Errorf("Webhook %d sets %s (%v), which is its ClusterAccount's", i, path, v)
		}
	}
	resolved, err := views[ref.Name].Resolve(&h.Spec)
	if err != nil {
		t.Fatalf("Webhook %d does not resolve against its ClusterAccount: %v", i, err)
	}
	// The same Webhook with a copy of the credentials: the same spec once the account's
	// fields are in, the credentials Secret of its own namespace apart.
	if withCopy.Spec.CredentialsRef == nil || withCopy.Spec.AccountRef != nil || clusterAccountPrefix+withCopy.Spec.CredentialsRef.Name != ref.Name {
		t.Fatalf("Webhook %d with copies: credentialsRef %v, accountRef %v", i, withCopy.Spec.CredentialsRef, withCopy.Spec.AccountRef)
	}
	want := withCopy.Spec.DeepCopy()
	want.CredentialsRef = nil
	got := resolved.Spec.DeepCopy()
	got.AccountRef = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Webhook %d resolves to %+v, the per-namespace Webhook is %+v", i, got, want)
	}
	return ref.Name
}

// checkSharedCounts checks how n Webhooks spread over the layout of cluster: each ClusterAccount
// serves as many, and each of the tenants namespaces holds every provider's in equal numbers.
func checkSharedCounts(t *testing.T, cluster *workload, perAccount map[string]int, perNamespace map[string]map[hooksv1alpha1.ProviderType]int,
	clusterAccounts, n, tenants int) {
	t.Helper()
	for name, count := range perAccount {
		if count != n/clusterAccounts {
			t.Errorf("ClusterAccount %s serves %d Webhooks, want %d", name, count, n/clusterAccounts)
		}
	}
	if len(perNamespace) != tenants {
		t.Errorf("Webhooks in %d namespaces, want %d", len(perNamespace), tenants)
	}
	for ns, byProvider := range perNamespace {
		if len(byProvider) != len(cluster.providerOrder) {
			t.Errorf("namespace %s has the Webhooks of %d providers, want all %d", ns, len(byProvider), len(cluster.providerOrder))
		}
		for p, count := range byProvider {
			if count != n/tenants/len(cluster.providerOrder) {
				t.Errorf("namespace %s has %d %s Webhooks, want %d", ns, count, p, n/tenants/len(cluster.providerOrder))
			}
		}
	}
}

// TestFindSharedRun: a run on shared accounts finds the newest run of the other kind at the same
// N, namespaces and GOMEMLIMIT, and nothing else.
func TestFindSharedRun(t *testing.T) {
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
	day := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	shared := func(kind string, n, tenants int) parameters {
		return parameters{N: n, Namespaces: tenants, Accounts: 1, SharedAccounts: kind}
	}
	if _, ok := findSharedRun(dir, 1000, 100, 1, sharedNamespace, ""); ok {
		t.Error("a run in an empty directory")
	}
	write("results.json", results{Date: day, Parameters: parameters{N: 1000}, PeakRSSMiB: 60})
	write("results-accounts-cluster.json", results{Date: day, Parameters: shared(sharedCluster, 1000, 100), PeakRSSMiB: 61})
	write("old.json", results{Date: day.Add(-time.Hour), Parameters: shared(sharedNamespace, 1000, 100), PeakRSSMiB: 70, Ratio: 1.3})
	write("results-accounts-namespace.json", results{Date: day, Parameters: shared(sharedNamespace, 1000, 100), PeakRSSMiB: 65, Ratio: 1.2,
		SteadySaaSRequestsPer1000PerResync: 4, HeapInuseMiB: 9})
	write("ten.json", results{Date: day.Add(time.Hour), Parameters: shared(sharedNamespace, 1000, 10), PeakRSSMiB: 50})
	limited := shared(sharedNamespace, 1000, 100)
	limited.GOMEMLIMIT = "50MiB"
	write("limited.json", results{Date: day.Add(time.Hour), Parameters: limited, PeakRSSMiB: 55})
	if err := os.WriteFile(filepath.Join(dir, "heap.json"), []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}

	three := shared(sharedNamespace, 1000, 100)
	three.Accounts = 3
	write("three.json", results{Date: day.Add(time.Hour), Parameters: three, PeakRSSMiB: 80})
	c, ok := findSharedRun(dir, 1000, 100, 1, sharedNamespace, "")
	if !ok || c.PeakRSSMiB != 65 || c.Ratio != 1.2 || c.SteadySaaSRequestsPer1000PerResync != 4 || c.HeapInuseMiB != 9 ||
		c.SharedAccounts != sharedNamespace || !strings.Contains(c.Source, "results-accounts-namespace.json") {
		t.Errorf("per-namespace run at N=1000 over 100 namespaces: %+v, %v; want the newest", c, ok)
	}
	if c, ok = findSharedRun(dir, 1000, 100, 1, sharedNamespace, "50MiB"); !ok || c.PeakRSSMiB != 55 {
		t.Errorf("with GOMEMLIMIT=50MiB: %+v, %v", c, ok)
	}
	if c, ok = findSharedRun(dir, 1000, 100, 3, sharedNamespace, ""); !ok || c.PeakRSSMiB != 80 {
		t.Errorf("3 accounts per provider: %+v, %v", c, ok)
	}
	if c, ok = findSharedRun(dir, 1000, 100, 1, sharedCluster, ""); !ok || c.PeakRSSMiB != 61 {
		t.Errorf("ClusterAccount run: %+v, %v", c, ok)
	}
	if _, ok = findSharedRun(dir, 10000, 100, 1, sharedNamespace, ""); ok {
		t.Error("a run at N=10000")
	}
	// The replicas' baseline is never a run on shared accounts.
	if b, ok := findBaseline(dir, 1000, false); !ok || b.mib != 60 {
		t.Errorf("replica baseline %+v, %v; want the plain run", b, ok)
	}
}

// TestSharedTargets: a ClusterAccount run is judged against the per-namespace run it found, and
// says n/a without one; a per-namespace run has no target of its own but shows both.
func TestSharedTargets(t *testing.T) {
	o := options{n: 10000, tenants: 100, accounts: 1, resync: time.Minute, outage: time.Minute, outageProvider: catalog.All()[0].Type,
		workers: 10, sharedAccounts: sharedCluster}
	r := results{Parameters: parameters{N: 10000, Namespaces: 100, SharedAccounts: sharedCluster},
		TimeToReadySeconds: 430, FloorSeconds: 400, Ratio: 1.075, SaaSRequestsPerWebhook: 1.02, SaaSRequestsPerWebhookWithPings: 1.27,
		SteadySaaSRequestsPer1000PerResync: 0.6, PeakRSSMiB: 150}
	byFigure := func(ts []target) map[string]target {
		m := map[string]target{}
		for _, tg := range ts {
			m[tg.Figure] = tg
		}
		return m
	}
	got := byFigure(targets(r, o))
	if tg := got["sharedAccounts.ratio"]; !tg.Met || !tg.Applies || tg.Value != 1.075 {
		t.Errorf("ratio target %+v, want met and applying", tg)
	}
	for _, f := range []string{"sharedAccounts.steadySaasRequestsPer1000PerResync", "sharedAccounts.peakRssMiB"} {
		if tg, ok := got[f]; !ok || !tg.NotReported {
			t.Errorf("%s without a per-namespace run: %+v, want not reported", f, tg)
		}
	}
	r.Comparison = &sharedRun{Source: "ns.json", SharedAccounts: sharedNamespace, TimeToReadySeconds: 410, FloorSeconds: 400, Ratio: 1.025,
		SaaSRequestsPerWebhook: 1.02, SteadySaaSRequestsPer1000PerResync: 0.4, PeakRSSMiB: 140}
	r.Targets = targets(r, o)
	got = byFigure(r.Targets)
	if tg := got["sharedAccounts.steadySaasRequestsPer1000PerResync"]; tg.Met || tg.NotReported || !tg.Applies {
		t.Errorf("steady target at 0.6 against 0.4: %+v, want missed", tg)
	}
	if tg := got["sharedAccounts.peakRssMiB"]; !tg.Met || tg.NotReported || !strings.Contains(tg.Target, "154.0") {
		t.Errorf("RSS target at 150 against 140: %+v, want met under 154.0", tg)
	}
	var table bytes.Buffer
	printTable(&table, r, o)
	for _, want := range []string{"namespaces sharing accounts", "100, one ClusterAccount per provider",
		"ClusterAccounts (this run) next to per-namespace credentials (ns.json)", "430.0 s / 400.0 s = 1.07", "410.0 s / 400.0 s = 1.02",
		"<= 1.1 at N=10000, 100 namespaces", "<= 0.4 (the per-namespace run's)", "<= 154.0 (+10% of the per-namespace run's 140.0)",
		"150.0 MiB", "140.0 MiB"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table has no %q:\n%s", want, table.String())
		}
	}

	// The per-namespace run shows the ClusterAccount run beside it, in the same columns, without
	// judging either.
	o.sharedAccounts = sharedNamespace
	r.Parameters.SharedAccounts = sharedNamespace
	r.Comparison = &sharedRun{Source: "cluster.json", SharedAccounts: sharedCluster, TimeToReadySeconds: 500, FloorSeconds: 400, Ratio: 1.25, PeakRSSMiB: 170}
	r.Targets = targets(r, o)
	if _, ok := byFigure(r.Targets)["sharedAccounts.ratio"]; ok {
		t.Error("a per-namespace run has the ClusterAccount run's targets")
	}
	table.Reset()
	printTable(&table, r, o)
	for _, want := range []string{"ClusterAccounts (cluster.json) next to per-namespace credentials (this run)", "500.0 s / 400.0 s = 1.25",
		"170.0 MiB", "The targets are the ClusterAccount run's"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the per-namespace table has no %q:\n%s", want, table.String())
		}
	}
	r.Comparison = nil
	table.Reset()
	printTable(&table, r, o)
	if !strings.Contains(table.String(), "`make bench N=10000 ACCOUNTS=cluster` makes one") {
		t.Errorf("without a run to compare with, the table does not say how to make one:\n%s", table.String())
	}
	o.accounts, o.gomemlimit = 3, "50MiB"
	table.Reset()
	printTable(&table, r, o)
	if !strings.Contains(table.String(), "`make bench N=10000 ACCOUNTS=cluster BENCH_ARGS='-accounts 3 -gomemlimit 50MiB'` makes one") {
		t.Errorf("without a run to compare with, the table does not give the flags of this run:\n%s", table.String())
	}
}

// TestBenchSmokeSharedAccounts runs the bench twice with tiny settings, with a copy of the
// credentials in every namespace and then with ClusterAccounts, and checks that every Webhook of
// the second run was Ready on a ClusterAccount and that it is shown next to the first; the second
// run has a small fairness phase, whose figures must be there. It judges no figure against a
// target.
func TestBenchSmokeSharedAccounts(t *testing.T) {
	s := newSmokeBench(t)
	ctx := smokeContext(t, 6*time.Minute)
	const n, tenants = 24, 4
	runKind := func(kind string, fair int) results {
		t.Helper()
		o := s.options(n, "results-accounts-"+kind+".json")
		o.sharedAccounts, o.tenants, o.fairWebhooks = kind, tenants, fair
		res, out := s.run(ctx, t, o, kind)
		if p := res.Parameters; p.SharedAccounts != kind || p.Namespaces != tenants {
			t.Errorf("%s: parameters %+v", kind, p)
		}
		if res.CreateSaaSRequests < n || !(res.TimeToReadySeconds > 0) || !(res.PeakRSSMiB > 0) {
			t.Errorf("%s: %d SaaS requests, %.2f s until Ready, peak RSS %.1f MiB", kind, res.CreateSaaSRequests, res.TimeToReadySeconds, res.PeakRSSMiB)
		}
		if _, err := os.Stat(o.jsonPath); err != nil {
			t.Errorf("%s: no JSON: %v", kind, err)
		}
		if !strings.Contains(out, "namespaces sharing accounts") {
			t.Errorf("%s: the table does not name the layout", kind)
		}
		return res
	}

	perNS := runKind(sharedNamespace, 0)
	if perNS.Comparison != nil {
		t.Errorf("the first run found a run to compare with: %+v", perNS.Comparison)
	}
	// The ClusterAccount run has the fairness phase too, small.
	const fair = 20
	cluster := runKind(sharedCluster, fair)
	checkSharedComparison(t, cluster, perNS, n)
	if perNS.Fair != nil {
		t.Errorf("the fairness phase ran with -fair-webhooks 0: %+v", perNS.Fair)
	}
	checkFair(t, cluster, fair)
	s.checkStopped(t)
}

// checkSharedComparison checks that the ClusterAccount run of n Webhooks compares itself with
// the per-namespace run perNS, and has the targets of the comparison.
func checkSharedComparison(t *testing.T, cluster, perNS results, n int) {
	t.Helper()
	c := cluster.Comparison
	if c == nil || c.SharedAccounts != sharedNamespace || c.PeakRSSMiB != perNS.PeakRSSMiB || c.TimeToReadySeconds != perNS.TimeToReadySeconds {
		t.Errorf("the ClusterAccount run compares itself with %+v; want the per-namespace run (peak RSS %.1f MiB)", c, perNS.PeakRSSMiB)
	}
	figures := map[string]target{}
	for _, tg := range cluster.Targets {
		figures[tg.Figure] = tg
	}
	for _, f := range []string{"sharedAccounts.ratio", "sharedAccounts.steadySaasRequestsPer1000PerResync", "sharedAccounts.peakRssMiB"} {
		tg, ok := figures[f]
		if !ok || (f != "sharedAccounts.ratio" && tg.NotReported) {
			t.Errorf("target %s: %+v, %v", f, tg, ok)
		}
		if f == "sharedAccounts.ratio" && tg.Applies {
			t.Errorf("the ratio target, stated for N=10000, applies to N=%d", n)
		}
	}
}

// checkFair checks the figures and the target of the fairness phase of the ClusterAccount run,
// whose busy namespace created fair Webhooks.
func checkFair(t *testing.T, cluster results, fair int) {
	t.Helper()
	f := cluster.Fair
	switch {
	case f == nil:
		t.Error("no figures of the fairness phase")
	case f.Webhooks != fair || f.Provider != string(catalog.All()[0].Type) || f.TimedOut || !(f.ReadySeconds > 0) ||
		!(f.CreateSeconds > 0) || f.BusyAllReadySeconds < f.CreateSeconds || f.BusyReadyAtFirst < f.BusyReadyAtStart || f.BusyReadyAtFirst > fair:
		t.Errorf("fairness phase: %+v; want the first Webhook Ready, and the busy namespace's %d all Ready after they were created", f, fair)
	}
	if tg, ok := targetOf(cluster, fairFigure); !ok || tg.Applies {
		t.Errorf("fairness target %+v, %v: want one, not applying to %d Webhooks", tg, ok, fair)
	}
}

// targetOf is the target of figure in r, if there is one.
func targetOf(r results, figure string) (target, bool) {
	for _, tg := range r.Targets {
		if tg.Figure == figure {
			return tg, true
		}
	}
	return target{}, false
}
