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
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/providers"
)

// progressEvery is how often a long wait prints where it stands.
const progressEvery = 10 * time.Second

// watcher lists the Webhooks of the bench's namespace to see how many are Ready.
type watcher struct {
	c         client.Client
	namespace string        // "" for every namespace
	n         int           // how many Webhooks there should be
	poll      time.Duration // shortest time between two Lists
	ops       []*localenv.Operator
	out       io.Writer
}

// snapshot is what one List showed.
type snapshot struct {
	total, ready int
	// reasons counts the Webhooks that are not Ready by the reason of their Ready condition.
	reasons map[string]int
	took    time.Duration // how long the List took
	at      time.Time     // when its answer arrived
}

// isReady reports whether the operator has found the Webhook's current spec Ready.
func isReady(h *hooksv1alpha1.Webhook) bool {
	c := meta.FindStatusCondition(h.Status.Conditions, hooksv1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && h.Status.ObservedGeneration == h.Generation
}

// look lists the Webhooks once.
func (w *watcher) look(ctx context.Context) (snapshot, error) {
	start := time.Now()
	var list hooksv1alpha1.WebhookList
	var opts []client.ListOption
	if w.namespace != "" {
		opts = append(opts, client.InNamespace(w.namespace))
	}
	if err := w.c.List(ctx, &list, opts...); err != nil {
		return snapshot{}, err
	}
	s := snapshot{total: len(list.Items), reasons: map[string]int{}, at: time.Now()}
	s.took = s.at.Sub(start)
	for i := range list.Items {
		h := &list.Items[i]
		if isReady(h) {
			s.ready++
			continue
		}
		reason := "no Ready condition yet"
		if c := meta.FindStatusCondition(h.Status.Conditions, hooksv1alpha1.ConditionReady); c != nil {
			reason = string(c.Status) + "/" + c.Reason
			if c.Status == metav1.ConditionTrue {
				reason = "Ready for an older generation"
			}
		}
		s.reasons[reason]++
	}
	return s, nil
}

// notReady is how many of the expected Webhooks are not Ready, missing ones included.
func (s snapshot) notReady(n int) int {
	return n - s.ready
}

// summary describes the Webhooks that are not Ready, most common reason first.
func (s snapshot) summary() string {
	reasons := make([]string, 0, len(s.reasons))
	for r := range s.reasons {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if s.reasons[reasons[i]] != s.reasons[reasons[j]] {
			return s.reasons[reasons[i]] > s.reasons[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	parts := make([]string, 0, len(reasons))
	for _, r := range reasons {
		parts = append(parts, fmt.Sprintf("%s: %d", r, s.reasons[r]))
	}
	return strings.Join(parts, ", ")
}

// wait is the pause before the next List: at least the poll interval, and long enough that
// Lists of many Webhooks do not take a large share of the API server from the operator.
func (w *watcher) wait(s snapshot) time.Duration {
	return max(w.poll, 4*s.took)
}

// allReady lists the Webhooks until all n exist and are Ready, and returns when the List that
// showed it arrived. since is when the phase began, for the progress lines. check, when set, is
// asked after each List whether to give up.
func (w *watcher) allReady(ctx context.Context, since time.Time, timeout time.Duration, check func() error) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	lastProgress := time.Now()
	var last snapshot
	var lastErr error
	for {
		s, err := w.look(ctx)
		if err == nil {
			if s.total == w.n && s.ready == w.n {
				return s.at, nil
			}
			last, lastErr = s, nil
		} else {
			if ctx.Err() != nil {
				return time.Time{}, ctx.Err()
			}
			lastErr = err
		}
		if err := exited(w.ops); err != nil {
			return time.Time{}, fmt.Errorf("while the bench waited for the Webhooks to be Ready, %w", err)
		}
		if check != nil {
			if err := check(); err != nil {
				return time.Time{}, err
			}
		}
		now := time.Now()
		if now.After(deadline) {
			if lastErr != nil {
				return time.Time{}, fmt.Errorf("not every Webhook was Ready after %s; the last List failed: %w", timeout, lastErr)
			}
			return time.Time{}, fmt.Errorf("not every Webhook was Ready after %s: %d of %d exist, %d Ready; not Ready: %s",
				timeout, last.total, w.n, last.ready, last.summary())
		}
		if now.Sub(lastProgress) >= progressEvery {
			fmt.Fprintf(w.out, "      %s: %d/%d Ready\n", round(now.Sub(since)), last.ready, w.n)
			lastProgress = now
		}
		if err := sleep(ctx, w.wait(s)); err != nil {
			return time.Time{}, err
		}
	}
}

// mostNotReady lists the Webhooks for d and returns the most that were not Ready at once.
func (w *watcher) mostNotReady(ctx context.Context, d time.Duration) (int, error) {
	end := time.Now().Add(d)
	most := 0
	for {
		s, err := w.look(ctx)
		if err == nil {
			most = max(most, s.notReady(w.n))
		} else if ctx.Err() != nil {
			return most, ctx.Err()
		}
		if err := exited(w.ops); err != nil {
			return most, fmt.Errorf("during the outage, %w", err)
		}
		left := time.Until(end)
		if left <= 0 {
			return most, nil
		}
		if err := sleep(ctx, min(left, w.wait(s))); err != nil {
			return most, err
		}
	}
}

// metricsClient reads the operator's Prometheus endpoint.
type metricsClient struct {
	url  string
	http *http.Client
}

// writeCounts counts API-server write requests by HTTP method.
type writeCounts map[string]float64

// total sums the counts of every method.
func (w writeCounts) total() int {
	sum := 0.0
	for _, v := range w {
		sum += v
	}
	return int(sum)
}

// since returns the requests made after earlier was taken, by method, leaving out the methods
// with none.
func (w writeCounts) since(earlier writeCounts) map[string]int {
	out := map[string]int{}
	for method, v := range w {
		if d := int(v - earlier[method]); d != 0 {
			out[method] = d
		}
	}
	return out
}

// apiWrites returns how many write requests (POST, PUT, PATCH, DELETE) the operator has sent
// to the API server since it started, from client-go's rest_client_requests_total.
func (m *metricsClient) apiWrites(ctx context.Context) (writeCounts, error) {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var body []byte
		if body, err = m.scrape(ctx); err == nil {
			return parseWrites(bytes.NewReader(body))
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("reading the operator's metrics at %s: %w", m.url, err)
}

func (m *metricsClient) scrape(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// writeMethods are the HTTP methods that change something on the API server.
var writeMethods = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "DELETE": true}

// requestsMetric is client-go's counter of API-server requests by code, method and host.
const requestsMetric = "rest_client_requests_total"

// parseWrites adds up the requestsMetric samples of the write methods in a Prometheus text
// exposition, by method.
func parseWrites(r io.Reader) (writeCounts, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	counts := writeCounts{}
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, requestsMetric+"{")
		if !ok {
			continue
		}
		labels, value, ok := splitSample(rest)
		if !ok {
			return nil, fmt.Errorf("cannot parse the metrics line %q", line)
		}
		method := strings.ToUpper(labels["method"])
		if !writeMethods[method] {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("the metrics line %q: %w", line, err)
		}
		counts[method] += v
	}
	return counts, sc.Err()
}

// splitSample parses what follows the "{" of a sample line: the labels up to "}", then the
// value (an optional timestamp after it is ignored).
func splitSample(s string) (map[string]string, string, bool) {
	labels := map[string]string{}
	for {
		s = strings.TrimLeft(s, " ,")
		if rest, ok := strings.CutPrefix(s, "}"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				return nil, "", false
			}
			return labels, fields[0], true
		}
		name, rest, ok := strings.Cut(s, `="`)
		if !ok {
			return nil, "", false
		}
		var value strings.Builder
		i := 0
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' && i+1 < len(rest) {
				i++
				if rest[i] == 'n' {
					value.WriteByte('\n')
					continue
				}
			}
			value.WriteByte(rest[i])
		}
		if i == len(rest) {
			return nil, "", false
		}
		labels[strings.TrimSpace(name)] = value.String()
		s = rest[i+1:]
	}
}

// operatorStartedLine is what controller-runtime logs once the caches have synced and the
// controller's workers run.
const operatorStartedLine = "Starting workers"

// waitOperatorStarted waits until the operator's controller has started its workers and its
// metrics endpoint answers, so that the clock of the first phase does not include the start.
func waitOperatorStarted(ctx context.Context, op *localenv.Operator, logPath string, metrics *metricsClient, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if op.Exited() {
			return fmt.Errorf("the operator exited right after it started (%s)", op.ExitStatus())
		}
		log, _ := os.ReadFile(logPath)
		if bytes.Contains(log, []byte(operatorStartedLine)) {
			if _, err := metrics.scrape(ctx); err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the operator did not start its workers and serve %s within %s", metrics.url, timeout)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// rssTracker keeps the largest peak resident set size seen of a process, what it was before
// any Webhook (the code and runtime every process pays), and the largest anonymous part of it
// (the memory the process allocated, without the pages of its executable).
type rssTracker struct {
	pid int

	mu       sync.Mutex
	peak     uint64 // bytes
	start    uint64 // VmHWM at the first sample: the operator started, no Webhook yet
	peakAnon uint64 // the largest RssAnon polled
	err      error  // the last failure to read it
}

// sample reads the process's peak RSS so far (VmHWM in /proc/<pid>/status, Linux only).
func (t *rssTracker) sample() {
	hwm, err := procStatusBytes(fmt.Sprintf("/proc/%d/status", t.pid), "VmHWM")
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.err = err
		return
	}
	t.peak = max(t.peak, hwm)
	if t.start == 0 {
		t.start = hwm
	}
}

// poll reads the anonymous RSS every interval until ctx ends: the kernel keeps no peak of it.
func (t *rssTracker) poll(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if anon, err := procStatusBytes(fmt.Sprintf("/proc/%d/status", t.pid), "RssAnon"); err == nil {
			t.mu.Lock()
			t.peakAnon = max(t.peakAnon, anon)
			t.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// figures returns the peak, start and anonymous peak in MiB.
func (t *rssTracker) figures() (peak, start, anon float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	const mib = 1 << 20
	return float64(t.peak) / mib, float64(t.start) / mib, float64(t.peakAnon) / mib
}

// procStatusBytes reads a "Name:   123 kB" field of a /proc file such as status or meminfo.
func procStatusBytes(path, field string) (uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field+":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			break
		}
		v, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %s: %w", path, field, err)
		}
		if len(fields) > 1 && strings.EqualFold(fields[1], "kB") {
			v *= 1024
		}
		return v, nil
	}
	return 0, errors.New(path + " has no " + field)
}

// machineInfo describes the computer the bench runs on, as far as Linux's /proc tells.
type machineInfo struct {
	cpus     int    // logical CPUs in /proc/cpuinfo; 0 when unknown
	cpuModel string // the first "model name"
	memory   uint64 // MemTotal in bytes; 0 when unknown
}

func readMachine() machineInfo {
	var m machineInfo
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			key, value, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(key) {
			case "processor":
				m.cpus++
			case "model name":
				if m.cpuModel == "" {
					m.cpuModel = strings.TrimSpace(value)
				}
			}
		}
	}
	m.memory, _ = procStatusBytes("/proc/meminfo", "MemTotal")
	return m
}

// saasMetric is the operator's own counter of SaaS requests by provider, operation and code.
const saasMetric = "hookkeeper_saas_requests_total"

// saasRequests returns the operator's SaaS requests since it started, by "provider/operation",
// from its own metrics: the breakdown behind the simulators' total.
func (m *metricsClient) saasRequests(ctx context.Context) (map[string]float64, error) {
	body, err := m.scrape(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), saasMetric+"{")
		if !ok {
			continue
		}
		labels, value, ok := splitSample(rest)
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[labels["provider"]+"/"+labels["operation"]] += v
		}
	}
	return out, sc.Err()
}

// saasSince returns the counts of now that grew since before, rounded.
func saasSince(now, before map[string]float64) map[string]int {
	out := map[string]int{}
	for k, v := range now {
		if d := int(v - before[k]); d != 0 {
			out[k] = d
		}
	}
	return out
}

// operatorCounts are the operator's counters at the start of a phase, for the figures of the
// phase: its API-server writes and SaaS requests, in all and by replica.
type operatorCounts struct {
	writes     writeCounts
	saas       map[string]float64
	perReplica []map[string]float64 // nil where a replica could not be read
}

// createPhase creates the Webhooks while the operator runs, waits until all are Ready, and
// records what that took: the time, the SaaS requests and API-server writes, and the live heap.
func (b *benchRun) createPhase(ctx context.Context) error {
	o := b.o
	watchNamespace := benchNamespace
	if o.spread || o.sharedAccounts != "" {
		watchNamespace = "" // every namespace: the floor's is empty by now
	}
	b.watch = &watcher{c: b.observer, namespace: watchNamespace, n: o.n, poll: o.poll, ops: b.reps.ops(), out: o.out}
	where := "namespace " + benchNamespace
	switch {
	case o.spread:
		where = fmt.Sprintf("%d namespaces", len(b.w.namespaces))
	case o.sharedAccounts != "":
		where = fmt.Sprintf("%d namespaces (%s)", len(b.w.tenants), sharedDescription(o.sharedAccounts, o.accounts))
	}
	b.step("Creating %d Webhooks in %s (%g QPS, burst %d, %d workers) and waiting until all are Ready",
		o.n, where, o.qps, o.burst, o.workers)
	b.sims.ResetCounts()
	var before operatorCounts
	var err error
	if before.writes, err = b.reps.apiWrites(ctx); err != nil {
		return b.failure(ctx, err)
	}
	if before.saas, err = b.reps.saasRequests(ctx); err != nil {
		return b.failure(ctx, err)
	}
	before.perReplica = make([]map[string]float64, len(b.reps))
	for i, r := range b.reps {
		before.perReplica[i], _ = r.metrics.saasRequests(ctx)
	}
	start := time.Now()
	readyAt, applyTook, err := b.applyAll(ctx, start)
	if err != nil {
		return err
	}
	if err := b.recordCreate(ctx, before, readyAt.Sub(start), applyTook); err != nil {
		return err
	}
	b.heapProfiles(ctx)
	if o.sharded() {
		return b.countDuplicates(ctx)
	}
	return nil
}

// applyAll creates the Webhooks and waits until every one is Ready; it returns when that was
// seen and how long the creates took.
func (b *benchRun) applyAll(ctx context.Context, start time.Time) (readyAt time.Time, applyTook time.Duration, err error) {
	applyCtx, cancelApply := context.WithCancel(ctx)
	defer cancelApply()
	applyDone := make(chan struct{})
	var applyErr error
	go func() {
		defer close(applyDone)
		applyErr = b.w.apply(applyCtx, b.applier, benchNamespace, b.o.workers)
		applyTook = time.Since(start)
	}()
	readyAt, err = b.watch.allReady(ctx, start, b.timeout, func() error {
		select {
		case <-applyDone:
			return applyErr
		default:
			return nil
		}
	})
	if err != nil {
		cancelApply()
		<-applyDone
		return readyAt, applyTook, b.failure(ctx, err)
	}
	// Every Webhook exists, so the applier is done or about to hear back from its last create.
	<-applyDone
	return readyAt, applyTook, applyErr
}

// recordCreate fills in the figures of the creation: the time until all were Ready, and the
// SaaS requests and API-server writes since before.
func (b *benchRun) recordCreate(ctx context.Context, before operatorCounts, toReady, applyTook time.Duration) error {
	o, res := b.o, &b.res
	res.ApplySeconds = applyTook.Seconds()
	res.CreateSaaSRequests = b.sims.RequestsTotal()
	if o.sharded() {
		b.recordReplicaShares(ctx, before.perReplica)
	}
	writesAfter, err := b.reps.apiWrites(ctx)
	if err != nil {
		return b.failure(ctx, err)
	}
	res.CreateAPIWritesByMethod = writesAfter.since(before.writes)
	if saasAfter, err := b.reps.saasRequests(ctx); err == nil {
		res.CreateSaaSRequestsByOperation = saasSince(saasAfter, before.saas)
		b.say("      SaaS requests by provider/operation, as the operator counted them: %v", res.CreateSaaSRequestsByOperation)
	}
	res.CreateAPIWrites = writesAfter.total() - before.writes.total()
	res.TimeToReadySeconds = toReady.Seconds()
	if res.FloorSeconds > 0 {
		res.Ratio = res.TimeToReadySeconds / res.FloorSeconds
	}
	for op, n := range res.CreateSaaSRequestsByOperation {
		if strings.HasSuffix(op, "/"+providers.OperationPing) {
			res.CreatePings += n
		}
	}
	res.SaaSRequestsPerWebhook = float64(res.CreateSaaSRequests-res.CreatePings) / float64(o.n)
	res.SaaSRequestsPerWebhookWithPings = float64(res.CreateSaaSRequests) / float64(o.n)
	res.APIWritesPerWebhook = float64(res.CreateAPIWrites) / float64(o.n)
	b.reps.sampleRSS()
	b.say("      all Ready after %s (applying took %s); %d SaaS requests, %d API-server writes by the operator %s",
		round(toReady), round(applyTook), res.CreateSaaSRequests, res.CreateAPIWrites, byMethod(res.CreateAPIWritesByMethod))
	return nil
}

// steadyPhase counts the SaaS requests and API-server writes of a window a little longer than
// one resync period, in which nothing changes.
func (b *benchRun) steadyPhase(ctx context.Context) error {
	o, res := b.o, &b.res
	window := time.Duration(steadyPeriods * float64(o.resync))
	b.step("Steady state: counting for %s (%.2f resync periods)", round(window), steadyPeriods)
	b.sims.ResetCounts()
	writesBefore, err := b.reps.apiWrites(ctx)
	if err != nil {
		return b.failure(ctx, err)
	}
	saasBefore, saasErr := b.reps.saasRequests(ctx)
	start := time.Now()
	if err := sleepWatching(ctx, window, b.reps.ops()...); err != nil {
		return b.failure(ctx, err)
	}
	res.SteadySaaSRequests = b.sims.RequestsTotal()
	writesAfter, err := b.reps.apiWrites(ctx)
	if err != nil {
		return b.failure(ctx, err)
	}
	if saasAfter, err := b.reps.saasRequests(ctx); err == nil && saasErr == nil {
		res.SteadySaaSRequestsByOperation = saasSince(saasAfter, saasBefore)
	}
	res.SteadyAPIWritesByMethod = writesAfter.since(writesBefore)
	res.SteadyAPIWrites = writesAfter.total() - writesBefore.total()
	res.SteadyWindowSeconds = time.Since(start).Seconds()
	// Per 1000 Webhooks and per resync period: scale the counts of the window, which is a little
	// longer than one period, to exactly one.
	perResync := o.resync.Seconds() / res.SteadyWindowSeconds
	res.SteadySaaSRequestsPer1000PerResync = float64(res.SteadySaaSRequests) * perResync * 1000 / float64(o.n)
	res.SteadyAPIWritesPer1000PerResync = float64(res.SteadyAPIWrites) * perResync * 1000 / float64(o.n)
	b.reps.sampleRSS()
	b.say("      %d SaaS requests %s, %d API-server writes %s", res.SteadySaaSRequests, byMethod(res.SteadySaaSRequestsByOperation),
		res.SteadyAPIWrites, byMethod(res.SteadyAPIWritesByMethod))
	return nil
}

// outagePhase has one simulator answer 503 for a while and times how long after it the
// Webhooks are all Ready again.
func (b *benchRun) outagePhase(ctx context.Context) error {
	o, res := b.o, &b.res
	sim := b.sims.Get(o.outageProvider)
	b.step("Outage: the %s simulator answers 503 for %s; then waiting until all Webhooks are Ready again", sim.Name, o.outage)
	sim.StartOutage(http.StatusServiceUnavailable)
	notReady, err := b.watch.mostNotReady(ctx, o.outage)
	sim.EndOutage()
	if err != nil {
		return b.failure(ctx, err)
	}
	outageEnd := time.Now()
	recoveredAt, err := b.watch.allReady(ctx, outageEnd, b.timeout, nil)
	if err != nil {
		return b.failure(ctx, err)
	}
	res.OutageNotReadyMax = notReady
	res.OutageRecoverySeconds = recoveredAt.Sub(outageEnd).Seconds()
	res.OutageRecoveredWithinResync = recoveredAt.Sub(outageEnd) <= o.resync
	b.reps.sampleRSS()
	b.say("      %d Webhooks not Ready at most during the outage; all Ready %s after it ended", notReady, round(recoveredAt.Sub(outageEnd)))
	if notReady == 0 {
		b.say("      No Webhook was seen not Ready: the outage may have fallen between two resyncs, so the recovery time" +
			" tells little; an outage at least 1.1 resync periods long reaches every Webhook.")
	}
	return nil
}

// recordRSS stops polling the replicas' RSS and records its figures. The peak RSS is the one of
// the create, steady-state and outage phases; the tenancy phases after them are not part of it.
func (b *benchRun) recordRSS(context.Context) error {
	b.stopRSS()
	res := &b.res
	for i, r := range b.reps {
		if r.rss.err != nil && r.rss.peak == 0 {
			b.say("      peak RSS of %s unknown: %v", r.name(), r.rss.err)
		}
		peak, start, anon := r.rss.figures()
		res.StartRSSMiB = max(res.StartRSSMiB, start)
		res.PeakAnonRSSMiB = max(res.PeakAnonRSSMiB, anon)
		if b.o.sharded() {
			res.Replicas[i].PeakRSSMiB, res.Replicas[i].StartRSSMiB, res.Replicas[i].PeakAnonRSSMiB = peak, start, anon
		}
	}
	// With several replicas, the largest of them.
	res.PeakRSSMiB = float64(b.reps.peakRSS()) / (1 << 20)
	return nil
}
