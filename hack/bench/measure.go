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
	"github.com/hookkeeper/hookkeeper/internal/localenv"
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
