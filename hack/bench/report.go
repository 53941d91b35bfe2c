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
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// results are the figures of one run; they are written as JSON as they are.
type results struct {
	Date      time.Time `json:"date"`
	GoVersion string    `json:"goVersion"`
	GOOS      string    `json:"goos"`
	GOARCH    string    `json:"goarch"`
	// CPUs counts the machine's logical CPUs (/proc/cpuinfo), NumCPU those the bench may use
	// (runtime.NumCPU, which honours the CPU affinity).
	CPUs      int     `json:"cpus"`
	NumCPU    int     `json:"numCPU"`
	CPUModel  string  `json:"cpuModel,omitempty"`
	MemoryMiB float64 `json:"memoryMiB"`

	Parameters parameters `json:"parameters"`

	// Creation: from the first create until a List shows every Webhook Ready.
	ApplySeconds       float64 `json:"applySeconds"`
	TimeToReadySeconds float64 `json:"timeToReadySeconds"`
	FloorSeconds       float64 `json:"floorSeconds"`
	Ratio              float64 `json:"ratio"`
	CreateSaaSRequests int     `json:"createSaasRequests"`
	// SaaSRequestsPerWebhook leaves out PageSeeder's verification pings (CreatePings), a second
	// request that PageSeeder requires of every webhook; SaaSRequestsPerWebhookWithPings counts
	// them.
	SaaSRequestsPerWebhook          float64 `json:"saasRequestsPerWebhook"`
	SaaSRequestsPerWebhookWithPings float64 `json:"saasRequestsPerWebhookWithPings"`
	// CreatePings are the verification pings among CreateSaaSRequests, from the operator's
	// hookkeeper_saas_requests_total{operation="ping"} of every provider.
	CreatePings         int     `json:"createPings"`
	CreateAPIWrites     int     `json:"createApiWrites"`
	APIWritesPerWebhook float64 `json:"apiWritesPerWebhook"`
	// CreateAPIWritesByMethod splits CreateAPIWrites by HTTP method (events are POSTs).
	CreateAPIWritesByMethod map[string]int `json:"createApiWritesByMethod"`
	// CreateSaaSRequestsByOperation splits the SaaS requests of the creation by
	// "provider/operation", from the operator's hookkeeper_saas_requests_total.
	CreateSaaSRequestsByOperation map[string]int `json:"createSaasRequestsByOperation"`

	// Steady state: the counts of a window of steadyPeriods resync periods, and the same
	// scaled to one period and 1000 Webhooks.
	SteadyWindowSeconds                float64        `json:"steadyWindowSeconds"`
	SteadySaaSRequests                 int            `json:"steadySaasRequests"`
	SteadyAPIWrites                    int            `json:"steadyApiWrites"`
	SteadyAPIWritesByMethod            map[string]int `json:"steadyApiWritesByMethod"`
	SteadySaaSRequestsPer1000PerResync float64        `json:"steadySaasRequestsPer1000PerResync"`
	SteadyAPIWritesPer1000PerResync    float64        `json:"steadyApiWritesPer1000PerResync"`
	// SteadySaaSRequestsByOperation splits the SaaS requests of the window by
	// "provider/operation", from the operator's hookkeeper_saas_requests_total.
	SteadySaaSRequestsByOperation map[string]int `json:"steadySaasRequestsByOperation,omitempty"`

	// PeakRSSMiB is the largest VmHWM of the operator process seen at the end of each phase, up
	// to the outage: the tenancy phases after it are not counted.
	PeakRSSMiB float64 `json:"peakRssMiB"`
	// StartRSSMiB is the operator's VmHWM once it started, before any Webhook: what the code
	// (the executable's pages it touched) and the runtime cost a process with no work. With
	// several replicas, the largest.
	StartRSSMiB float64 `json:"startRssMiB,omitempty"`
	// PeakAnonRSSMiB is the largest anonymous RSS polled every 250ms over the same phases as
	// PeakRSSMiB: the memory the process allocated (Go heap, stacks, runtime), without its
	// executable's pages. With several replicas, the largest.
	PeakAnonRSSMiB float64 `json:"peakAnonRssMiB,omitempty"`
	// HeapInuseMiB is the operator's live heap after a garbage collection once every Webhook is
	// Ready, and HeapTop the functions that allocated most of it (from its pprof endpoint).
	HeapInuseMiB float64     `json:"heapInuseMiB,omitempty"`
	HeapTop      []heapEntry `json:"heapTop,omitempty"`

	// Outage: how many Webhooks were not Ready at once during it, and how long after its end
	// every Webhook was Ready again.
	OutageNotReadyMax           int     `json:"outageNotReadyMax"`
	OutageRecoverySeconds       float64 `json:"outageRecoverySeconds"`
	OutageRecoveredWithinResync bool    `json:"outageRecoveredWithinResync"`

	// Hung credentials: one round per count of parameters.hungCredentials, in that order. In
	// each, parameters.hungWebhooks Webhooks of one namespace, spread over that many credentials,
	// waited on a server that never answers while a Webhook of another namespace was timed from
	// its creation until Ready. Absent when the phase was skipped.
	HungAccounts []hungRound `json:"hungAccounts,omitempty"`

	// Unrelated Secrets: the operator's VmRSS (median of a few readings) before and after
	// parameters.unrelatedSecrets Secrets of 64 KiB were created in a namespace no Webhook uses,
	// and the difference. Absent when the phase was skipped.
	UnrelatedSecretsRSSMiB       *float64 `json:"unrelatedSecretsRssMiB,omitempty"`
	UnrelatedSecretsRSSBeforeMiB float64  `json:"unrelatedSecretsRssBeforeMiB,omitempty"`
	UnrelatedSecretsRSSAfterMiB  float64  `json:"unrelatedSecretsRssAfterMiB,omitempty"`

	// Accounts that came and went: the operator's VmRSS (median of a few readings, each after a
	// forced garbage collection) before parameters.churnAccounts accounts, once all their Webhooks
	// were Ready, and ChurnWaitSeconds after their Webhooks and Secrets were gone; how far the
	// last is above the first, in percent; and the live heap at the same three points. Absent
	// when the phase was skipped.
	ChurnRSSChangePercent *float64 `json:"churnRssChangePercent,omitempty"`
	ChurnRSSBaselineMiB   float64  `json:"churnRssBaselineMiB,omitempty"`
	ChurnRSSLoadedMiB     float64  `json:"churnRssLoadedMiB,omitempty"`
	ChurnRSSAfterMiB      float64  `json:"churnRssAfterMiB,omitempty"`
	ChurnHeapBaselineMiB  float64  `json:"churnHeapBaselineMiB,omitempty"`
	ChurnHeapLoadedMiB    float64  `json:"churnHeapLoadedMiB,omitempty"`
	ChurnHeapAfterMiB     float64  `json:"churnHeapAfterMiB,omitempty"`
	ChurnWaitSeconds      float64  `json:"churnWaitSeconds,omitempty"`

	// Fairness on a ClusterAccount: parameters.fairWebhooks Webhooks of one namespace created at
	// once on it, and the first Webhook of another namespace on it timed until Ready. Absent when
	// the phase was skipped.
	Fair *fairResult `json:"fair,omitempty"`

	// A run with several replicas (parameters.replicas): each one's share, the Webhook objects
	// that an informer of every namespace received meanwhile (the bench's own watch), the remote
	// webhooks on the simulators and how many of them are duplicates, the shard Leases' held
	// slots once they settled, and the single-replica peak RSS the replicas are compared with.
	Replicas           []replicaResult   `json:"replicas,omitempty"`
	AllWebhookObjects  int64             `json:"allWebhookObjects,omitempty"`
	RemoteWebhooks     int               `json:"remoteWebhooks,omitempty"`
	Duplicates         *int              `json:"duplicates,omitempty"`
	ShardLeases        map[string]string `json:"shardLeases,omitempty"`
	BaselinePeakRSSMiB float64           `json:"baselinePeakRssMiB,omitempty"`
	BaselineSource     string            `json:"baselineSource,omitempty"`

	// A run on shared accounts (parameters.sharedAccounts): the figures of the newest run of the
	// other kind at the same N and namespaces, when there is one.
	Comparison *sharedRun `json:"comparison,omitempty"`

	Targets []target `json:"targets"`
}

// parameters are the settings of a run.
type parameters struct {
	N              int     `json:"n"`
	Latency        string  `json:"latency"`
	Accounts       int     `json:"accountsPerProvider"`
	Resync         string  `json:"resync"`
	Outage         string  `json:"outage"`
	OutageProvider string  `json:"outageProvider"`
	QPS            float64 `json:"qps"`
	Burst          int     `json:"burst"`
	Workers        int     `json:"workers"`
	ProviderQPS    string  `json:"providerQps,omitempty"`
	GOMEMLIMIT     string  `json:"gomemlimit,omitempty"`
	// HungWebhooks, UnrelatedSecrets and ChurnAccounts are the sizes of the tenancy phases; 0
	// when skipped. HungCredentials are the rounds of the hung phase.
	HungWebhooks            int   `json:"hungWebhooks"`
	HungCredentials         []int `json:"hungCredentials,omitempty"`
	UnrelatedSecrets        int   `json:"unrelatedSecrets"`
	UnrelatedSecretKiB      int   `json:"unrelatedSecretKiB"`
	ChurnAccounts           int   `json:"churnAccounts"`
	ChurnWebhooksPerAccount int   `json:"churnWebhooksPerAccount,omitempty"`
	FairWebhooks            int   `json:"fairWebhooks"`
	// Replicas is the number of operator processes when above 1; Spread is true when the
	// Webhooks were spread over Namespaces namespaces of their own.
	Replicas   int  `json:"replicas,omitempty"`
	Spread     bool `json:"spread,omitempty"`
	Namespaces int  `json:"namespaces,omitempty"`
	// SharedAccounts is "cluster" or "namespace" when the Webhooks were spread over Namespaces
	// namespaces sharing one account per provider: through ClusterAccounts, or through a copy of
	// the credentials in every namespace.
	SharedAccounts string `json:"sharedAccounts,omitempty"`
}

// target is one of the project's goals next to the figure it is about. Targets are reported,
// never enforced.
type target struct {
	// Figure is the JSON name of the figure.
	Figure string  `json:"figure"`
	Target string  `json:"target"`
	Value  float64 `json:"value"`
	Met    bool    `json:"met"`
	// ForN is the number of Webhooks the target is stated for; 0 for any.
	ForN int `json:"forN,omitempty"`
	// For names the other settings the target is stated for, such as "10 workers"; "" for any.
	For string `json:"for,omitempty"`
	// Applies says whether this run's settings are those the target is stated for.
	Applies bool `json:"applies"`
	// NotReported is true when the figure is unknown (the operator does not export it, or there
	// is nothing to compare with): Value and Met then mean nothing.
	NotReported bool `json:"notReported,omitempty"`
}

func newResults(o options, m machineInfo) results {
	replicas := 0 // absent from the JSON of a run with one, as before there could be more
	if o.replicas > 1 {
		replicas = o.replicas
	}
	var hungCredentials []int
	if o.hungWebhooks > 0 {
		hungCredentials = hungCredentialCounts
	}
	churnPer := 0
	if o.churnAccounts > 0 {
		churnPer = churnWebhooksPerAccount
	}
	return results{
		Date:      time.Now().UTC().Truncate(time.Second),
		GoVersion: runtime.Version(),
		GOOS:      runtime.GOOS,
		GOARCH:    runtime.GOARCH,
		CPUs:      m.cpus,
		NumCPU:    runtime.NumCPU(),
		CPUModel:  m.cpuModel,
		MemoryMiB: float64(m.memory) / (1 << 20),
		Parameters: parameters{
			N: o.n, Latency: o.latency.String(), Accounts: o.accounts, Resync: o.resync.String(),
			Outage: o.outage.String(), OutageProvider: string(o.outageProvider),
			QPS: o.qps, Burst: o.burst, Workers: o.workers, ProviderQPS: o.providerQPS, GOMEMLIMIT: o.gomemlimit,
			HungWebhooks: o.hungWebhooks, HungCredentials: hungCredentials,
			UnrelatedSecrets: o.unrelatedSecrets, UnrelatedSecretKiB: unrelatedSecretBytes >> 10,
			ChurnAccounts: o.churnAccounts, ChurnWebhooksPerAccount: churnPer, FairWebhooks: o.fairWebhooks,
			Replicas: replicas, Spread: o.spread, SharedAccounts: o.sharedAccounts,
		},
	}
}

// machineLine describes the machine in one line.
func (r results) machineLine() string {
	cpus := "? CPUs"
	if r.CPUs > 0 {
		cpus = fmt.Sprintf("%d CPUs", r.CPUs)
	}
	parts := []string{fmt.Sprintf("%s (runtime.NumCPU %d)", cpus, r.NumCPU)}
	if r.CPUModel != "" {
		parts = append(parts, r.CPUModel)
	}
	if r.MemoryMiB > 0 {
		parts = append(parts, fmt.Sprintf("%.1f GiB memory", r.MemoryMiB/1024))
	}
	parts = append(parts, r.GoVersion+" "+r.GOOS+"/"+r.GOARCH)
	return strings.Join(parts, ", ")
}

// targets compares the figures with the project's goals.
func targets(r results, o options) []target {
	t := []target{
		{Figure: "ratio", Target: "<= 1.5", ForN: 1000, Value: r.Ratio, Met: r.Ratio <= 1.5},
		{Figure: "saasRequestsPerWebhook", Target: "<= 1.1", Value: r.SaaSRequestsPerWebhook, Met: r.SaaSRequestsPerWebhook <= 1.1},
		{Figure: "steadySaasRequestsPer1000PerResync", Target: "<= 20", Value: r.SteadySaaSRequestsPer1000PerResync,
			Met: r.SteadySaaSRequestsPer1000PerResync <= 20},
		{Figure: "steadyApiWritesPer1000PerResync", Target: "0", Value: r.SteadyAPIWritesPer1000PerResync, Met: r.SteadyAPIWrites == 0},
		{Figure: "peakRssMiB", Target: "<= 100", ForN: 10000, Value: r.PeakRSSMiB, Met: r.PeakRSSMiB > 0 && r.PeakRSSMiB <= 100},
		{Figure: "outageRecoverySeconds", Target: fmt.Sprintf("<= %g (one resync period)", o.resync.Seconds()),
			Value: r.OutageRecoverySeconds, Met: r.OutageRecoveredWithinResync},
	}
	for i := range t {
		t[i].Applies = (t[i].ForN == 0 || t[i].ForN == o.n) && (t[i].Figure != "ratio" || r.FloorSeconds > 0)
	}
	if o.sharded() {
		t = append(t, replicaTargets(r, o)...)
	}
	t = append(t, sharedTargets(r, o)...)
	return append(t, tenancyTargets(r, o)...)
}

// printTable prints the figures, each with its target and whether this run met it.
func printTable(out io.Writer, r results, o options) {
	t := newTableRows(r)
	t.addSettings(r, o)
	t.addFigures(r, o)
	for _, rw := range tenancyRows(r, o) {
		t.add(rw.figure, rw.value, rw.jsonName, rw.target)
	}

	var table strings.Builder
	table.WriteString("FIGURE\tVALUE\tTARGET\t\n")
	for _, rw := range t.rows {
		fmt.Fprintf(&table, "%s\t%s\t%s\t%s\n", rw.figure, rw.value, rw.target, rw.status)
	}
	writeTable(out, table.String())
	fmt.Fprintf(out, "\nApplying took %s; %d SaaS requests and %d API-server writes during creation; "+
		"%d SaaS requests and %d API-server writes in the %s steady-state window; at most %d Webhooks not Ready during the outage.\n",
		seconds(r.ApplySeconds), r.CreateSaaSRequests, r.CreateAPIWrites, r.SteadySaaSRequests, r.SteadyAPIWrites,
		seconds(r.SteadyWindowSeconds), r.OutageNotReadyMax)
	printTenancyNotes(out, r)
	if t.anyOtherN {
		fmt.Fprintln(out, "A status in parentheses compares with a target stated for other settings: for information only.")
	}
	if o.sharded() {
		printReplicas(out, r, o)
	}
	if o.sharedAccounts != "" {
		printShared(out, r, o)
	}
}

// tableRows are the rows of the table, each figure with its target and whether the run met it.
type tableRows struct {
	byFigure map[string]target
	rows     []tableLine
	// anyOtherN is whether some status compares with a target stated for other settings.
	anyOtherN bool
}

// tableLine is one line of the printed table: the figure, its value, its target and whether the
// run met it.
type tableLine struct{ figure, value, target, status string }

// newTableRows starts the table of r, whose targets the rows are judged by.
func newTableRows(r results) *tableRows {
	t := &tableRows{byFigure: map[string]target{}}
	for _, tg := range r.Targets {
		t.byFigure[tg.Figure] = tg
	}
	return t
}

// goal is the target of the figure with JSON name figure, its text said first, and whether the
// run met it; both are empty for a figure without a target.
func (t *tableRows) goal(figure, text string) (string, string) {
	tg, ok := t.byFigure[figure]
	if !ok {
		return "", ""
	}
	status := "missed"
	if tg.Met {
		status = "met"
	}
	if tg.ForN != 0 {
		text += fmt.Sprintf(" at N=%d", tg.ForN)
	}
	if tg.For != "" {
		text += " at " + tg.For
	}
	if !tg.Applies {
		status = "(" + status + ")"
		t.anyOtherN = true
	}
	return text, status
}

// add adds the row of a figure; jsonName names its target, if it has one, and targetText says it.
func (t *tableRows) add(figure, value, jsonName, targetText string) {
	tt, status := t.goal(jsonName, targetText)
	t.rows = append(t.rows, tableLine{figure, value, tt, status})
}

// addSettings adds the rows of the settings of the run.
func (t *tableRows) addSettings(r results, o options) {
	t.add("Webhooks (N)", fmt.Sprint(o.n), "", "")
	if o.sharded() {
		t.add("operator replicas (--sharding)", fmt.Sprint(o.replicas), "", "")
	}
	t.add("simulator latency", o.latency.String(), "", "")
	switch {
	case o.spread:
		t.add("namespaces, one account each", fmt.Sprint(r.Parameters.Namespaces), "", "")
	case o.sharedAccounts != "":
		t.add("namespaces sharing accounts", fmt.Sprintf("%d, %s", r.Parameters.Namespaces, sharedDescription(o.sharedAccounts, o.accounts)), "", "")
	default:
		t.add("accounts per provider", fmt.Sprint(o.accounts), "", "")
	}
	t.add("resync period", o.resync.String(), "", "")
}

// addFigures adds the rows of the figures of the create, steady-state and outage phases.
func (t *tableRows) addFigures(r results, o options) {
	t.add("time until all Ready (operator)", seconds(r.TimeToReadySeconds), "", "")
	if !o.noFloor {
		t.add("floor: create + 1 status patch each", seconds(r.FloorSeconds), "", "")
		t.add("ratio operator/floor", fmt.Sprintf("%.2f", r.Ratio), "ratio", "<= 1.5")
	} else {
		t.add("floor and ratio", "not run (-no-floor)", "", "")
	}
	t.add("SaaS requests per created Webhook (no pings)", fmt.Sprintf("%.2f", r.SaaSRequestsPerWebhook), "saasRequestsPerWebhook", "<= 1.1")
	t.add("  with verification pings", fmt.Sprintf("%.2f (%d pings)", r.SaaSRequestsPerWebhookWithPings, r.CreatePings), "", "")
	t.add("API writes per created Webhook", fmt.Sprintf("%.2f", r.APIWritesPerWebhook), "", "")
	t.add("steady: SaaS requests /1000 Webhooks /resync", fmt.Sprintf("%.1f", r.SteadySaaSRequestsPer1000PerResync),
		"steadySaasRequestsPer1000PerResync", "<= 20")
	t.add("steady: API writes /1000 Webhooks /resync", fmt.Sprintf("%.1f", r.SteadyAPIWritesPer1000PerResync),
		"steadyApiWritesPer1000PerResync", "0")
	rss := "n/a"
	if r.PeakRSSMiB > 0 {
		rss = fmt.Sprintf("%.1f MiB", r.PeakRSSMiB)
	}
	rssFigure := "peak RSS of the operator"
	if o.sharded() {
		rssFigure = "peak RSS of the largest replica"
	}
	if o.gomemlimit != "" {
		rssFigure += " (GOMEMLIMIT=" + o.gomemlimit + ")"
	}
	t.add(rssFigure, rss, "peakRssMiB", "<= 100 MiB")
	if r.StartRSSMiB > 0 {
		t.add("  of which before any Webhook (code, runtime)", fmt.Sprintf("%.1f MiB", r.StartRSSMiB), "", "")
	}
	if r.PeakAnonRSSMiB > 0 {
		t.add("  peak anonymous RSS (heap, stacks, runtime)", fmt.Sprintf("%.1f MiB", r.PeakAnonRSSMiB), "", "")
	}
	t.add(fmt.Sprintf("Ready again after a %s %s outage", o.outage, o.outageProvider), seconds(r.OutageRecoverySeconds),
		"outageRecoverySeconds", fmt.Sprintf("<= resync (%s)", o.resync))
}

// writeTable aligns the tab-separated columns of table.
func writeTable(out io.Writer, table string) {
	tw := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
	_, _ = io.WriteString(tw, table)
	_ = tw.Flush()
}

// byMethod formats write counts by method as "(PATCH 200, POST 100)", or "" for none.
func byMethod(counts map[string]int) string {
	methods := make([]string, 0, len(counts))
	for m := range counts {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	parts := make([]string, 0, len(methods))
	for _, m := range methods {
		parts = append(parts, fmt.Sprintf("%s %d", m, counts[m]))
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// seconds formats a duration given in seconds.
func seconds(s float64) string {
	if s < 10 {
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

// writeJSON writes the results to path, creating its directory.
func writeJSON(path string, r results) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the targets' "<=" readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	return nil
}

// report finds the earlier runs this one is compared with, judges the targets, prints the table
// and writes the JSON.
func (b *benchRun) report(context.Context) error {
	o, res := b.o, &b.res
	if o.sharedAccounts != "" {
		other := otherShared(o.sharedAccounts)
		if c, ok := findSharedRun(filepath.Dir(o.jsonPath), o.n, len(b.w.tenants), o.accounts, other, o.gomemlimit); ok {
			res.Comparison = &c
		} else if o.jsonPath != "" {
			b.say("      no run with %s at N=%d over %d namespaces in %s to compare with", sharedDescription(other, o.accounts), o.n, len(b.w.tenants),
				filepath.Dir(o.jsonPath))
		}
	}
	if o.sharded() {
		switch {
		case o.baselineRSS > 0:
			res.BaselinePeakRSSMiB, res.BaselineSource = o.baselineRSS, "-baseline-rss"
		default:
			if bl, ok := findBaseline(filepath.Dir(o.jsonPath), o.n, o.spread); ok {
				res.BaselinePeakRSSMiB, res.BaselineSource = bl.mib, bl.source
			}
		}
	}
	res.Targets = targets(*res, o)

	b.say("")
	printTable(o.out, *res, o)
	if o.jsonPath != "" {
		if err := writeJSON(o.jsonPath, *res); err != nil {
			return err
		}
		b.say("\nJSON: %s", o.jsonPath)
	}
	return nil
}
