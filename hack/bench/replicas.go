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

// With -replicas above 1 the bench runs that many operator processes with --sharding against an
// API server started with the ShardedListAndWatch feature gate, spreads the Webhooks over
// namespaces of their own, and reports each replica's share: the objects its informers received
// (from the operator's hookkeeper_sharding_* metrics), its peak RSS and its SaaS requests.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

const (
	// shardFeatureGates turns on the API server's sharded list and watch (KEP-5866).
	shardFeatureGates = "ShardedListAndWatch=true"
	// shardLeaseNamespace holds the replicas' shard Leases (--leader-election-namespace).
	shardLeaseNamespace = "hookkeeper-bench"
	// shardSettle is how long the replicas' Leases must list the same held slots before the
	// Webhooks are created: two rounds of the Leases (a third of their 15 s each).
	shardSettle = 10 * time.Second
	// receivedTolerance is the margin around N/replicas for each replica's Webhooks.
	receivedTolerance = 0.20
	// rssShareTarget is the most each replica's peak RSS may be, as a share of one replica's at
	// the same N.
	rssShareTarget = 0.45

	// The operator's sharding metrics. Until an operator exports them, their figures are "not
	// reported", never zero.
	shardingModeMetric     = "hookkeeper_sharding_mode"
	shardingReceivedMetric = "hookkeeper_sharding_objects_received_total"
	shardingFilteredMetric = "hookkeeper_sharding_objects_filtered_total"
)

// replica is one operator process of the run.
type replica struct {
	id        string // --shard-identity; "" for the one replica of a run without sharding
	op        *localenv.Operator
	logPath   string
	pprofAddr string
	metrics   *metricsClient
	rss       *rssTracker
}

// name is the replica for people.
func (r *replica) name() string {
	if r.id == "" {
		return "operator"
	}
	return r.id
}

// replicaSet is every operator process of the run.
type replicaSet []*replica

// ops returns the processes.
func (rs replicaSet) ops() []*localenv.Operator {
	out := make([]*localenv.Operator, len(rs))
	for i, r := range rs {
		out[i] = r.op
	}
	return out
}

// apiWrites sums the API-server writes of every replica.
func (rs replicaSet) apiWrites(ctx context.Context) (writeCounts, error) {
	sum := writeCounts{}
	for _, r := range rs {
		w, err := r.metrics.apiWrites(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.name(), err)
		}
		for m, v := range w {
			sum[m] += v
		}
	}
	return sum, nil
}

// saasRequests sums the SaaS requests of every replica by provider/operation.
func (rs replicaSet) saasRequests(ctx context.Context) (map[string]float64, error) {
	sum := map[string]float64{}
	for _, r := range rs {
		m, err := r.metrics.saasRequests(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.name(), err)
		}
		for k, v := range m {
			sum[k] += v
		}
	}
	return sum, nil
}

// sampleRSS reads the peak RSS of every replica.
func (rs replicaSet) sampleRSS() {
	for _, r := range rs {
		r.rss.sample()
	}
}

// peakRSS is the largest peak RSS of any replica, in bytes.
func (rs replicaSet) peakRSS() uint64 {
	var peak uint64
	for _, r := range rs {
		peak = max(peak, r.rss.peak)
	}
	return peak
}

// stop stops every replica, the last started first.
func (rs replicaSet) stop(say func(string, ...any)) {
	var wg sync.WaitGroup
	for _, r := range rs {
		wg.Go(func() {
			if err := r.op.Stop(operatorGrace); err != nil {
				say("  stopping %s: %v", r.name(), err)
			}
		})
	}
	wg.Wait()
}

// exited returns an error when any replica has exited.
func exited(ops []*localenv.Operator) error {
	for _, op := range ops {
		if op.Exited() {
			return fmt.Errorf("an operator process exited (%s)", op.ExitStatus())
		}
	}
	return nil
}

// shardingArgs are the flags that make replica i of a sharded run one of the shards.
func shardingArgs(i int) []string {
	return []string{"--sharding", "--shard-identity=" + replicaID(i), "--leader-election-namespace=" + shardLeaseNamespace}
}

// replicaID names replica i in the shard Leases.
func replicaID(i int) string { return fmt.Sprintf("bench-replica-%d", i) }

// shardingMetrics are what one replica's metrics tell about its sharding.
type shardingMetrics struct {
	// mode is "server" or "client", the mode whose gauge is 1; "" when not reported.
	mode string
	// received and filtered count objects by resource ("webhooks", "secrets"); a resource
	// without a sample is not reported.
	received map[string]float64
	filtered map[string]float64
}

// parseShardingMetrics reads the sharding metrics from a Prometheus text exposition.
func parseShardingMetrics(r io.Reader) (shardingMetrics, error) {
	m := shardingMetrics{received: map[string]float64{}, filtered: map[string]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(line, "{")
		if !ok || (name != shardingModeMetric && name != shardingReceivedMetric && name != shardingFilteredMetric) {
			continue
		}
		labels, value, ok := splitSample(rest)
		if !ok {
			return m, fmt.Errorf("cannot parse the metrics line %q", line)
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return m, fmt.Errorf("the metrics line %q: %w", line, err)
		}
		switch name {
		case shardingModeMetric:
			if v == 1 {
				m.mode = labels["mode"]
			}
		case shardingReceivedMetric:
			m.received[labels["resource"]] += v
		case shardingFilteredMetric:
			m.filtered[labels["resource"]] += v
		}
	}
	return m, sc.Err()
}

// sharding scrapes the replica's sharding metrics.
func (m *metricsClient) sharding(ctx context.Context) (shardingMetrics, error) {
	body, err := m.scrape(ctx)
	if err != nil {
		return shardingMetrics{}, err
	}
	return parseShardingMetrics(bytes.NewReader(body))
}

// replicaResult is one replica's share of a run with several.
type replicaResult struct {
	Identity   string  `json:"identity"`
	PeakRSSMiB float64 `json:"peakRssMiB"`
	// StartRSSMiB and PeakAnonRSSMiB are as in results, for this replica.
	StartRSSMiB    float64 `json:"startRssMiB,omitempty"`
	PeakAnonRSSMiB float64 `json:"peakAnonRssMiB,omitempty"`
	// HeapInuseMiB is its live heap after a GC once every Webhook is Ready.
	HeapInuseMiB float64 `json:"heapInuseMiB,omitempty"`
	// CreateSaaSRequests are its SaaS requests while the Webhooks were created, from its own
	// hookkeeper_saas_requests_total; nil when its metrics could not be read.
	CreateSaaSRequests *int `json:"createSaasRequests,omitempty"`
	// ShardingMode is "server" or "client" as its hookkeeper_sharding_mode says; "" when not
	// reported.
	ShardingMode string `json:"shardingMode,omitempty"`
	// WebhookObjects and SecretObjects are the objects the API server sent to its informers (list
	// items and watch events) until every Webhook was Ready; FilteredWebhookObjects and
	// FilteredSecretObjects those its client-side filter dropped. nil when not reported.
	WebhookObjects         *float64 `json:"webhookObjectsReceived,omitempty"`
	SecretObjects          *float64 `json:"secretObjectsReceived,omitempty"`
	FilteredWebhookObjects *float64 `json:"webhookObjectsFiltered,omitempty"`
	FilteredSecretObjects  *float64 `json:"secretObjectsFiltered,omitempty"`
	// WebhooksReceived is how many Webhooks WebhookObjects stand for: N times its objects over
	// the objects an informer of every namespace received in the same time (the bench's own
	// watch). nil when WebhookObjects is not reported.
	WebhooksReceived *float64 `json:"webhooksReceived,omitempty"`
}

// fill sets the sharding figures of r from m; allWebhookObjects is what the bench's own watch of
// every namespace counted, n the Webhooks of the run.
func (r *replicaResult) fill(m shardingMetrics, allWebhookObjects int64, n int) {
	r.ShardingMode = m.mode
	get := func(counts map[string]float64, resource string) *float64 {
		if v, ok := counts[resource]; ok {
			return &v
		}
		return nil
	}
	r.WebhookObjects = get(m.received, "webhooks")
	r.SecretObjects = get(m.received, "secrets")
	r.FilteredWebhookObjects = get(m.filtered, "webhooks")
	r.FilteredSecretObjects = get(m.filtered, "secrets")
	if r.WebhookObjects != nil && allWebhookObjects > 0 {
		v := float64(n) * *r.WebhookObjects / float64(allWebhookObjects)
		r.WebhooksReceived = &v
	}
}

// receivedBounds is the range for the Webhooks each of replicas receives: n/replicas
// plus or minus 20%.
func receivedBounds(n, replicas int) (lo, hi float64) {
	share := float64(n) / float64(replicas)
	return share * (1 - receivedTolerance), share * (1 + receivedTolerance)
}

// replicaTargets are the targets of a run with several replicas: each replica's share of the
// Webhooks, each replica's peak RSS against one replica's, and no duplicate.
func replicaTargets(r results, o options) []target {
	var t []target
	lo, hi := receivedBounds(o.n, o.replicas)
	for _, rr := range r.Replicas {
		tg := target{Figure: "replicas[" + rr.Identity + "].webhooksReceived",
			Target:  fmt.Sprintf("N/%d ± 20%% (%.0f to %.0f)", o.replicas, lo, hi),
			Applies: true}
		if rr.WebhooksReceived == nil {
			tg.NotReported = true
		} else {
			tg.Value = *rr.WebhooksReceived
			tg.Met = tg.Value >= lo && tg.Value <= hi
		}
		t = append(t, tg)
	}
	for _, rr := range r.Replicas {
		tg := target{Figure: "replicas[" + rr.Identity + "].peakRssMiB", Value: rr.PeakRSSMiB, Applies: true}
		if r.BaselinePeakRSSMiB > 0 {
			limit := rssShareTarget * r.BaselinePeakRSSMiB
			tg.Target = fmt.Sprintf("<= %.0f%% of one replica's %.1f MiB (%.1f)", rssShareTarget*100, r.BaselinePeakRSSMiB, limit)
			tg.Met = rr.PeakRSSMiB > 0 && rr.PeakRSSMiB <= limit
		} else {
			tg.Target = fmt.Sprintf("<= %.0f%% of one replica's peak RSS at N=%d (unknown)", rssShareTarget*100, o.n)
			tg.NotReported = true
		}
		t = append(t, tg)
	}
	if r.Duplicates != nil {
		t = append(t, target{Figure: "duplicates", Target: "0", Value: float64(*r.Duplicates), Met: *r.Duplicates == 0, Applies: true})
	}
	return t
}

// objectCounter counts the Webhook objects an informer of every namespace receives: the items of
// its lists and its watch events. It is what each replica's hookkeeper_sharding_objects_received
// is compared with.
type objectCounter struct {
	count  atomic.Int64
	cancel context.CancelFunc
	done   chan struct{}
	err    error // the last error of the watch, once done is closed
}

// startObjectCounter lists the Webhooks of every namespace and watches them until stop.
func startObjectCounter(ctx context.Context, cfg *rest.Config) (*objectCounter, error) {
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: localenv.Scheme()})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	oc := &objectCounter{cancel: cancel, done: make(chan struct{})}
	rv, err := oc.list(ctx, c)
	if err != nil {
		cancel()
		return nil, err
	}
	go func() {
		defer close(oc.done)
		for ctx.Err() == nil {
			w, err := c.Watch(ctx, &hooksv1alpha1.WebhookList{}, &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: rv}})
			if err != nil {
				oc.err = err
				if sleep(ctx, time.Second) != nil {
					return
				}
				continue
			}
			rv = oc.drain(ctx, c, w, rv)
		}
	}()
	return oc, nil
}

// list counts the items of one list, as an informer's list, and returns its resource version.
func (oc *objectCounter) list(ctx context.Context, c client.Client) (string, error) {
	var list hooksv1alpha1.WebhookList
	if err := c.List(ctx, &list); err != nil {
		return "", fmt.Errorf("listing the Webhooks to count them: %w", err)
	}
	oc.count.Add(int64(len(list.Items)))
	return list.ResourceVersion, nil
}

// drain counts the events of w until it ends and returns the resource version to go on from; an
// expired one is replaced by a new list, as an informer does.
func (oc *objectCounter) drain(ctx context.Context, c client.Client, w watch.Interface, rv string) string {
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return rv
		case ev, ok := <-w.ResultChan():
			if !ok {
				return rv
			}
			switch ev.Type {
			case watch.Added, watch.Modified, watch.Deleted:
				oc.count.Add(1)
				if obj, ok := ev.Object.(client.Object); ok {
					rv = obj.GetResourceVersion()
				}
			case watch.Error:
				oc.err = fmt.Errorf("watch error: %v", ev.Object)
				if next, err := oc.list(ctx, c); err == nil {
					return next
				}
				return rv
			}
		}
	}
}

// stop ends the watch and returns the objects counted.
func (oc *objectCounter) stop() int64 {
	oc.cancel()
	<-oc.done
	return oc.count.Load()
}

// waitShardsSettled waits until each of the replicas' shard Leases lists slots it holds and the
// Leases have not changed for shardSettle: the handovers of their start are over, and the
// Webhooks created next are shared from the first.
func waitShardsSettled(ctx context.Context, c client.Client, replicas int, ops []*localenv.Operator, timeout time.Duration) (map[string]string, error) {
	deadline := time.Now().Add(timeout)
	var last map[string]string
	var since time.Time
	for {
		var leases coordinationv1.LeaseList
		err := c.List(ctx, &leases, client.InNamespace(shardLeaseNamespace))
		if err == nil {
			held := map[string]string{}
			for _, l := range leases.Items {
				if h := l.Annotations[sharding.HeldAnnotation]; h != "" {
					held[l.Name] = h
				}
			}
			switch {
			case len(held) != replicas || !maps.Equal(held, last):
				last, since = held, time.Now()
			case time.Since(since) >= shardSettle:
				return held, nil
			}
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err := exited(ops); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("the shard Leases in namespace %s did not settle within %s: %d of %d replicas hold slots (%v)",
				shardLeaseNamespace, timeout, len(last), replicas, last)
			if err != nil {
				return last, fmt.Errorf("%s; last error: %w", msg, err)
			}
			return last, errors.New(msg)
		}
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// duplicateCount is what the simulators hold once every Webhook is Ready.
type duplicateCount struct {
	remotes    int // remote webhooks in the accounts of the run
	matched    int // Webhooks that found at least one remote webhook of their own
	duplicates int // remote webhooks beyond one per Webhook
}

// countRemotes lists every account of a spread workload on its simulator, as the operator lists
// it, and counts the remote webhooks and the Webhooks that match one. Every account is fresh, so
// any remote webhook beyond one per Webhook is a duplicate.
func countRemotes(ctx context.Context, w *workload, sims *localenv.Simulators, workers int) (duplicateCount, error) {
	policy, err := egress.Parse(localenv.LoopbackAllowlist)
	if err != nil {
		return duplicateCount{}, err
	}
	httpClient := &http.Client{Timeout: 30 * time.Second}
	provs := map[hooksv1alpha1.ProviderType]providers.Provider{}
	for _, d := range catalog.All() {
		provs[d.Type] = d.Build(providers.Settings{BaseURL: sims.URL(d.Type), HTTPClient: httpClient, AllowInsecure: true, Egress: policy})
	}
	// The requests of each namespace's Webhooks, by scope.
	type scopeKey struct {
		k     int
		scope string
	}
	byScope := map[scopeKey][]*providers.Request{}
	for i := range w.n {
		k := w.namespaceIndex(i)
		h := w.webhook(i, w.namespaces[k])
		spec := h.Spec
		creds := map[string][]byte{}
		for key, v := range w.nsAccounts[k].Credentials {
			creds[key] = []byte(v)
		}
		req := &providers.Request{Owner: h.Namespace + "/" + h.Name, Spec: &spec, Credentials: creds}
		sk := scopeKey{k, provs[spec.Provider].Scope(req)}
		byScope[sk] = append(byScope[sk], req)
	}
	keys := slices.Collect(maps.Keys(byScope))
	var mu sync.Mutex
	var out duplicateCount
	err = forEach(ctx, len(keys), workers, func(ctx context.Context, i int) error {
		reqs := byScope[keys[i]]
		p := provs[reqs[0].Spec.Provider]
		remotes, err := p.List(ctx, reqs[0])
		if err != nil {
			return fmt.Errorf("listing the webhooks of %s on the %s simulator: %w", reqs[0].Owner, reqs[0].Spec.Provider, err)
		}
		matched := 0
		for _, req := range reqs {
			if slices.ContainsFunc(remotes, func(r *providers.Remote) bool { return p.Matches(req, r) }) {
				matched++
			}
		}
		mu.Lock()
		out.remotes += len(remotes)
		out.matched += matched
		mu.Unlock()
		return nil
	})
	out.duplicates = out.remotes - out.matched
	return out, err
}

// baseline is one replica's peak RSS at the same N, for the replicas' RSS target.
type baseline struct {
	mib    float64
	source string // where it comes from, for people
}

// findBaseline returns the peak RSS of the newest single-replica run at n among the JSON results
// in dir, preferring one with the same layout (spread over namespaces or not); ok is false when
// there is none.
func findBaseline(dir string, n int, spread bool) (b baseline, ok bool) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	type candidate struct {
		file string
		r    results
	}
	var best *candidate
	better := func(c candidate) bool {
		if best == nil {
			return true
		}
		if (c.r.Parameters.Spread == spread) != (best.r.Parameters.Spread == spread) {
			return c.r.Parameters.Spread == spread
		}
		return c.r.Date.After(best.r.Date)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var r results
		if json.Unmarshal(data, &r) != nil || r.Parameters.N != n || r.Parameters.Replicas > 1 || r.Parameters.SharedAccounts != "" || !(r.PeakRSSMiB > 0) {
			continue
		}
		if c := (candidate{f, r}); better(c) {
			best = &c
		}
	}
	if best == nil {
		return baseline{}, false
	}
	layout := "one namespace"
	if best.r.Parameters.Spread {
		layout = "spread over namespaces"
	}
	return baseline{mib: best.r.PeakRSSMiB, source: fmt.Sprintf("%s (single replica, N=%d, %s, %s)",
		best.file, n, layout, best.r.Date.Format(time.RFC3339))}, true
}

// printReplicas prints one row per replica and the run's totals of a run with several.
func printReplicas(out io.Writer, r results, o options) {
	na := "n/a"
	num := func(v *float64) string {
		if v == nil {
			return na
		}
		return strconv.FormatFloat(*v, 'f', 0, 64)
	}
	lo, hi := receivedBounds(o.n, o.replicas)
	byFigure := map[string]target{}
	for _, t := range r.Targets {
		byFigure[t.Figure] = t
	}
	status := func(figure string) string {
		t, ok := byFigure[figure]
		switch {
		case !ok || t.NotReported:
			return "n/a"
		case t.Met:
			return "met"
		default:
			return "missed"
		}
	}
	fmt.Fprintf(out, "\nPer replica (targets: Webhooks received %.0f to %.0f, N/%d ± 20%%; peak RSS at most %.0f%% of one replica's at N=%d):\n",
		lo, hi, o.replicas, rssShareTarget*100, o.n)
	var b strings.Builder
	b.WriteString("REPLICA\tMODE\tWEBHOOK OBJECTS\t≈ WEBHOOKS\tTARGET\tSECRET OBJECTS\tFILTERED (W/S)\tSAAS REQUESTS\tPEAK RSS\tTARGET\tRSS AT START\tPEAK ANON RSS\tLIVE HEAP\t\n")
	for _, rr := range r.Replicas {
		mode := rr.ShardingMode
		if mode == "" {
			mode = na
		}
		saas := na
		if rr.CreateSaaSRequests != nil {
			saas = strconv.Itoa(*rr.CreateSaaSRequests)
		}
		heap := na
		if rr.HeapInuseMiB > 0 {
			heap = fmt.Sprintf("%.1f MiB", rr.HeapInuseMiB)
		}
		filtered := na
		if rr.FilteredWebhookObjects != nil || rr.FilteredSecretObjects != nil {
			filtered = num(rr.FilteredWebhookObjects) + "/" + num(rr.FilteredSecretObjects)
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f MiB\t%s\t%s\t%s\t%s\t\n", rr.Identity, mode, num(rr.WebhookObjects), num(rr.WebhooksReceived),
			status("replicas["+rr.Identity+"].webhooksReceived"), num(rr.SecretObjects), filtered,
			saas, rr.PeakRSSMiB, status("replicas["+rr.Identity+"].peakRssMiB"), mibOrNA(rr.StartRSSMiB), mibOrNA(rr.PeakAnonRSSMiB), heap)
	}
	writeTable(out, b.String())

	dups := na
	if r.Duplicates != nil {
		dups = fmt.Sprintf("%d (%s; %d remote webhooks for %d Webhooks)", *r.Duplicates, status("duplicates"), r.RemoteWebhooks, o.n)
	}
	fmt.Fprintf(out, "Whole run: all %d Webhooks in %d namespaces Ready after %s; %.2f SaaS requests per created Webhook (simulators); duplicates on the simulators: %s.\n",
		o.n, r.Parameters.Namespaces, seconds(r.TimeToReadySeconds), r.SaaSRequestsPerWebhook, dups)
	fmt.Fprintf(out, "An informer of every namespace received %d Webhook objects in the same time; ≈ WEBHOOKS is N times a replica's objects over that.\n",
		r.AllWebhookObjects)
	fmt.Fprintln(out, "Objects count list items and watch events until every Webhook was Ready, the lists a replica makes again when its slots",
		"change at start included (hence Secret objects above a replica's share of the namespaces); SaaS requests are those of the creation.")
	fmt.Fprintln(out, "The API-server writes include the replicas' shard Lease renewals (PUT, each replica every 5 s), the steady-state ones too.")
	if r.BaselinePeakRSSMiB > 0 {
		fmt.Fprintf(out, "One replica's peak RSS: %.1f MiB, from %s.\n", r.BaselinePeakRSSMiB, r.BaselineSource)
	} else {
		fmt.Fprintf(out, "One replica's peak RSS at N=%d: unknown (no single-replica JSON at this N in %s, and no -baseline-rss); run `make bench N=%d` first.\n",
			o.n, filepath.Dir(o.jsonPath), o.n)
	}
	if slices.ContainsFunc(r.Replicas, func(rr replicaResult) bool { return rr.WebhookObjects == nil || rr.ShardingMode == "" }) {
		fmt.Fprintln(out, "n/a: the operator does not export that figure (hookkeeper_sharding_mode, hookkeeper_sharding_objects_received_total,",
			"hookkeeper_sharding_objects_filtered_total).")
	}
}

// mibOrNA formats a figure in MiB, "n/a" when it was not measured.
func mibOrNA(v float64) string {
	if v <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", v)
}

// operatorFlags are the flags every replica gets after its own addresses and sharding flags.
func (b *benchRun) operatorFlags() []string {
	o := b.o
	flags := []string{
		"--resync-period=" + o.resync.String(),
		"--max-concurrent-reconciles=" + strconv.Itoa(o.workers),
		"--kube-api-qps=" + strconv.FormatFloat(o.qps, 'g', -1, 64),
		"--kube-api-burst=" + strconv.Itoa(o.burst),
		// Where the ClusterAccounts' credentials Secrets are: outside a cluster the operator has
		// no namespace of its own to default to.
		"--account-secret-namespaces=" + accountSecretNamespace,
	}
	if o.providerQPS != "" {
		flags = append(flags, "--provider-qps="+o.providerQPS)
	}
	return append(flags, b.sims.OperatorFlags()...)
}

// startReplicas starts the operator: one process, or -replicas processes sharing the
// namespaces. It waits until each has synced its caches and, with several, until their shard
// Leases have settled, and starts polling each one's RSS.
func (b *benchRun) startReplicas(ctx context.Context) error {
	o := b.o
	b.cleanups = append(b.cleanups, func() { b.reps.stop(b.say) })
	// The bench's own count of the Webhook objects that an informer of every namespace receives,
	// from before the replicas start: what each replica's share is measured against.
	if o.sharded() {
		objects, err := startObjectCounter(ctx, b.cp.Config)
		if err != nil {
			return err
		}
		b.objects = objects
		b.cleanups = append(b.cleanups, func() { objects.stop() })
	}
	// The anonymous RSS is polled until the end of the phases the peak RSS covers.
	rssCtx, stopRSS := context.WithCancel(ctx)
	b.stopRSS = stopRSS
	b.cleanups = append(b.cleanups, stopRSS)
	// Every replica's metrics, pprof and health addresses, all distinct.
	addrs, err := localenv.LoopbackAddrs(3 * o.replicas)
	if err != nil {
		return err
	}
	for i := range o.replicas {
		if err := b.startReplica(rssCtx, i, addrs[3*i], addrs[3*i+1], addrs[3*i+2]); err != nil {
			return err
		}
	}
	for _, r := range b.reps {
		if err := waitOperatorStarted(ctx, r.op, r.logPath, r.metrics, b.timeout); err != nil {
			return b.failure(ctx, fmt.Errorf("%s: %w", r.name(), err))
		}
	}
	if o.sharded() {
		held, err := waitShardsSettled(ctx, b.observer, o.replicas, b.reps.ops(), b.timeout)
		if err != nil {
			return b.failure(ctx, err)
		}
		b.res.ShardLeases = held
		b.say("      the shard Leases of %d replicas list the slots they hold and have not changed for %s (the slots are in the JSON)", len(held), shardSettle)
	}
	b.reps.sampleRSS()
	return nil
}

// startReplica starts operator process i on the given addresses and polls its RSS until
// rssCtx ends.
func (b *benchRun) startReplica(rssCtx context.Context, i int, metricsAddr, pprofAddr, healthAddr string) error {
	o := b.o
	r := &replica{logPath: b.logPaths[i], pprofAddr: pprofAddr}
	args := append(localenv.EndpointFlags(), "--metrics-bind-address="+metricsAddr, "--pprof-bind-address="+pprofAddr)
	if o.sharded() {
		r.id = replicaID(i)
		args = append(args, "--health-probe-bind-address="+healthAddr)
		args = append(args, shardingArgs(i)...)
	} else {
		args = append(args, "--health-probe-bind-address=0")
	}
	args = append(args, b.operatorFlags()...)
	if o.sharded() {
		if i == 0 {
			b.step("Starting %d operator processes with --sharding (shard Leases in namespace %s) and waiting until they share the namespaces",
				o.replicas, shardLeaseNamespace)
		}
		b.say("      %s: metrics on %s, log %s", r.id, metricsAddr, r.logPath)
	} else {
		b.step("Starting the operator (metrics on %s, log %s)", metricsAddr, r.logPath)
	}
	var env []string
	if o.gomemlimit != "" {
		env = append(env, "GOMEMLIMIT="+o.gomemlimit)
	}
	op, err := localenv.StartOperatorEnv(o.operatorPath, args, b.kubeconfigPath, r.logPath, env)
	if err != nil {
		return err
	}
	r.op = op
	r.metrics = &metricsClient{url: "http://" + metricsAddr + "/metrics", http: &http.Client{Timeout: 10 * time.Second}}
	r.rss = &rssTracker{pid: op.PID()}
	go r.rss.poll(rssCtx, 250*time.Millisecond)
	b.reps = append(b.reps, r)
	if o.onOperatorStart != nil {
		o.onOperatorStart(op.PID())
	}
	return nil
}

// recordReplicaShares records each replica's share of the creation, right after the List that
// showed every Webhook Ready: what its informers received, next to what an informer of every
// namespace received meanwhile, and its SaaS requests since saasBefore.
func (b *benchRun) recordReplicaShares(ctx context.Context, saasBefore []map[string]float64) {
	res := &b.res
	res.AllWebhookObjects = b.objects.stop()
	for i, r := range b.reps {
		rr := replicaResult{Identity: r.id}
		if m, err := r.metrics.sharding(ctx); err != nil {
			b.say("      %s: reading its sharding metrics: %v", r.id, err)
		} else {
			rr.fill(m, res.AllWebhookObjects, b.o.n)
		}
		if after, err := r.metrics.saasRequests(ctx); err == nil && saasBefore[i] != nil {
			total := 0
			for _, v := range saasSince(after, saasBefore[i]) {
				total += v
			}
			rr.CreateSaaSRequests = &total
		}
		res.Replicas = append(res.Replicas, rr)
	}
}

// countDuplicates counts the remote webhooks the simulators hold, after the figures of the
// creation: the lists it takes are requests to the simulators too.
func (b *benchRun) countDuplicates(ctx context.Context) error {
	d, err := countRemotes(ctx, b.w, b.sims, b.o.workers)
	if err != nil {
		return b.failure(ctx, err)
	}
	b.res.Duplicates, b.res.RemoteWebhooks = &d.duplicates, d.remotes
	b.say("      the simulators hold %d remote webhooks for %d Webhooks (%d of them matched): %d duplicates", d.remotes, b.o.n, d.matched, d.duplicates)
	return nil
}
