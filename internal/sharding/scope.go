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

package sharding

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apisharding "k8s.io/apimachinery/pkg/sharding"
	"k8s.io/apimachinery/pkg/watch"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Mode says who cuts the replica's slice out of the collection.
type Mode string

const (
	// ModeServer: the API server applied the shardSelector (the ShardedListAndWatch feature gate
	// is on) and sends the replica only its slice.
	ModeServer Mode = "server"
	// ModeClient: the API server ignored the shardSelector (gate off, or an older server) and
	// sends everything; the replica drops what is not its own before its cache sees it.
	ModeClient Mode = "client"
)

var (
	modeGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "hookkeeper_sharding_mode",
		Help: "1 for the way this replica's informers receive their slice: server (the API server applied the shardSelector) or client (the replica filters by the same hash itself).",
	}, []string{"mode"})
	receivedTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hookkeeper_sharding_objects_received_total",
		Help: "Objects the API server sent to this replica's sharded informers (list items and watch events), before any client-side filter.",
	}, []string{"resource"})
	filteredTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hookkeeper_sharding_objects_filtered_total",
		Help: "Objects this replica's sharded informers received and dropped because their namespace is not in the replica's slice.",
	}, []string{"resource"})
)

// Collectors returns the sharding metrics, for the manager's registry.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{modeGauge, receivedTotal, filteredTotal}
}

// Scope is the part of the hash space a replica's informers hold: the slots it runs plus those
// it is about to start. Its informers list and watch with the Scope's shardSelector, and keep
// only the objects the selector matches, whether or not the server applied it. Changing the Scope
// ends their watches, so that they list again with the new selector; WaitListed tells when every
// one of them has.
type Scope struct {
	Log logr.Logger

	mu       sync.Mutex
	changed  *sync.Cond
	slots    []Slot
	selector apisharding.Selector
	gen      uint64
	lws      []*scopedListWatch
	mode     Mode
}

// NewScope returns a Scope that holds no slot: its informers receive nothing until Set.
func NewScope(log logr.Logger) *Scope {
	s := &Scope{Log: log, selector: Selector(nil)}
	s.changed = sync.NewCond(&s.mu)
	return s
}

// Mode returns how the informers receive their slice; empty until the first list.
func (s *Scope) Mode() Mode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode
}

// Set makes slots the informers' scope and ends their watches so that they list again. It returns
// the scope's generation, for WaitListed. Setting the slots it already holds changes nothing.
func (s *Scope) Set(slots []Slot) uint64 {
	slots = union(slots, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Equal(slots, s.slots) && s.gen > 0 {
		return s.gen
	}
	s.slots = slots
	s.selector = Selector(slots)
	s.gen++
	for _, lw := range s.lws {
		lw.restart()
	}
	s.changed.Broadcast()
	return s.gen
}

// WaitListed returns once every informer of the scope has listed with generation gen or a later
// one, and put the result in its cache; or with ctx's error.
func (s *Scope) WaitListed(ctx context.Context, gen uint64) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.changed.Broadcast()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		done := true
		for _, lw := range s.lws {
			if lw.cached < gen {
				done = false
			}
		}
		if done {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("waiting for the informers to list the new shard scope: %w", err)
		}
		s.changed.Wait()
	}
}

// Wrap returns lw restricted to the scope. resource names the collection in logs and metrics.
func (s *Scope) Wrap(lw toolscache.ListerWatcher, resource string) toolscache.ListerWatcher {
	w := &scopedListWatch{scope: s, inner: lw, resource: resource}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lws = append(s.lws, w)
	return w
}

// NewInformer returns a controller-runtime cache NewInformer function that restricts the
// informers for which resourceOf names a resource to the scope, and builds the others unchanged.
func (s *Scope) NewInformer(resourceOf func(runtime.Object) string) func(toolscache.ListerWatcher, runtime.Object, time.Duration, toolscache.Indexers) toolscache.SharedIndexInformer {
	return func(lw toolscache.ListerWatcher, obj runtime.Object, resync time.Duration, indexers toolscache.Indexers) toolscache.SharedIndexInformer {
		if r := resourceOf(obj); r != "" {
			lw = s.Wrap(lw, r)
		}
		return toolscache.NewSharedIndexInformer(lw, obj, resync, indexers)
	}
}

// ProbeMode asks the API server whether it applies shard selectors, by listing at most one Lease
// of namespace with a selector that matches everything: a server that applies it echoes it
// (shardInfo). Custom resources and metadata-only lists never echo it, so the informers cannot
// tell by themselves until they receive an object outside their slice.
func (s *Scope) ProbeMode(ctx context.Context, c client.Reader, namespace string) (Mode, error) {
	var leases coordinationv1.LeaseList
	everything := apisharding.NewSelector(apisharding.ShardRangeRequirement{Key: Key, Start: "0x0000000000000000", End: "0x10000000000000000"})
	err := c.List(ctx, &leases, &client.ListOptions{Namespace: namespace, Limit: 1,
		Raw: &metav1.ListOptions{ShardSelector: everything.String()}})
	if err != nil {
		return "", fmt.Errorf("probing whether the API server applies shard selectors: %w", err)
	}
	mode := ModeClient
	if leases.ShardInfo != nil {
		mode = ModeServer
	}
	s.setMode(mode, "leases")
	return mode, nil
}

// setMode records how a list came back, logging when it is new or changes.
func (s *Scope) setMode(m Mode, resource string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mode == m {
		return
	}
	if s.mode == "" {
		s.Log.Info("Sharded informers: mode", "mode", m, "resource", resource,
			"meaning", map[Mode]string{
				ModeServer: "the API server applies the shardSelector: this replica receives only its slice",
				ModeClient: "the API server ignored the shardSelector (ShardedListAndWatch off or unknown): this replica receives every object and drops those outside its slice",
			}[m])
	} else {
		s.Log.Info("Sharded informers: mode changed", "from", s.mode, "to", m, "resource", resource)
	}
	s.mode = m
	modeGauge.WithLabelValues(string(ModeServer)).Set(boolGauge(m == ModeServer))
	modeGauge.WithLabelValues(string(ModeClient)).Set(boolGauge(m == ModeClient))
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// scopedListWatch is one informer's ListerWatcher restricted to the scope.
type scopedListWatch struct {
	scope    *Scope
	inner    toolscache.ListerWatcher
	resource string

	// Guarded by scope.mu:
	// listed is the generation of the last list; cached the generation whose list the
	// informer has put in its cache (it asks for a watch only after that).
	listed, cached uint64
	listedSel      apisharding.Selector
	// pageGen and pageSel are the scope the list being paged through was started with.
	pageGen uint64
	pageSel apisharding.Selector
	watches []*scopedWatch
}

// IsWatchListSemanticsUnSupported makes the reflector list and then watch, rather than stream
// the initial objects through a watch: a list response carries shardInfo, which tells whether the
// server applied the selector.
func (w *scopedListWatch) IsWatchListSemanticsUnSupported() bool { return true }

func (w *scopedListWatch) List(options metav1.ListOptions) (runtime.Object, error) {
	return w.ListWithContext(context.Background(), options)
}

func (w *scopedListWatch) Watch(options metav1.ListOptions) (watch.Interface, error) {
	return w.WatchWithContext(context.Background(), options)
}

func (w *scopedListWatch) ListWithContext(ctx context.Context, options metav1.ListOptions) (runtime.Object, error) {
	w.scope.mu.Lock()
	if options.Continue == "" || w.pageSel == nil {
		// A list's first page takes the scope as it is now; its further pages keep the same
		// selector, which their continue token was issued for.
		w.pageGen, w.pageSel = w.scope.gen, w.scope.selector
	}
	gen, sel := w.pageGen, w.pageSel
	w.scope.mu.Unlock()

	options.ShardSelector = sel.String()
	list, err := toolscache.ToListerWatcherWithContext(w.inner).ListWithContext(ctx, options)
	if err != nil {
		return nil, err
	}
	items, err := apimeta.ExtractList(list)
	if err != nil {
		return nil, fmt.Errorf("reading the %s list: %w", w.resource, err)
	}
	receivedTotal.WithLabelValues(w.resource).Add(float64(len(items)))
	// Whatever the mode, the cache gets only the slice: in server mode this drops nothing.
	kept := make([]runtime.Object, 0, len(items))
	for _, item := range items {
		if keep(sel, item) {
			kept = append(kept, item)
		}
	}
	dropped := len(items) - len(kept)
	// The evidence of the mode: a list that echoes the selector was cut by the server; one that
	// held objects outside it was not. The API server (v1.37) echoes it only on lists of built-in
	// types: custom resources and metadata-only lists come back cut but without the echo, and
	// say nothing here; the probe (ProbeMode) answers for them.
	if sl, ok := list.(metav1.ShardedListInterface); ok && sl.GetShardInfo() != nil {
		w.scope.setMode(ModeServer, w.resource)
	} else if dropped > 0 {
		w.scope.setMode(ModeClient, w.resource)
	}
	if dropped > 0 {
		filteredTotal.WithLabelValues(w.resource).Add(float64(dropped))
		if err := apimeta.SetList(list, kept); err != nil {
			return nil, fmt.Errorf("filtering the %s list: %w", w.resource, err)
		}
	}

	w.scope.mu.Lock()
	w.listed, w.listedSel = gen, sel
	w.scope.mu.Unlock()
	return list, nil
}

func (w *scopedListWatch) WatchWithContext(ctx context.Context, options metav1.ListOptions) (watch.Interface, error) {
	w.scope.mu.Lock()
	if w.listed != w.scope.gen {
		// The scope changed since the list this watch would continue: list again first.
		w.scope.mu.Unlock()
		return expired(w.resource), nil
	}
	// The reflector watches only after it has put the list in its cache.
	if w.cached < w.listed {
		w.cached = w.listed
		w.scope.changed.Broadcast()
	}
	sel := w.listedSel
	w.scope.mu.Unlock()

	options.ShardSelector = sel.String()
	inner, err := toolscache.ToListerWatcherWithContext(w.inner).WatchWithContext(ctx, options)
	if err != nil {
		return nil, err
	}
	sw := &scopedWatch{inner: inner, sel: sel, resource: w.resource, out: make(chan watch.Event), done: make(chan struct{}), restartCh: make(chan struct{}),
		// An event outside the selector the watch asked for: the server did not apply it.
		dropped: func() { w.scope.setMode(ModeClient, w.resource) }}
	w.scope.mu.Lock()
	stale := w.listed != w.scope.gen
	w.watches = append(w.watches, sw)
	w.scope.mu.Unlock()
	go sw.run(func() { w.forget(sw) })
	if stale {
		sw.restart()
	}
	return sw, nil
}

// restart ends every watch of the informer so that it lists again. Called with scope.mu held.
func (w *scopedListWatch) restart() {
	for _, sw := range w.watches {
		sw.restart()
	}
}

func (w *scopedListWatch) forget(sw *scopedWatch) {
	w.scope.mu.Lock()
	defer w.scope.mu.Unlock()
	for i, x := range w.watches {
		if x == sw {
			w.watches = append(w.watches[:i], w.watches[i+1:]...)
			return
		}
	}
}

// keep reports whether obj is in the selector's slice. An object the selector cannot read is
// kept out: it cannot be placed in any slice.
func keep(sel apisharding.Selector, obj runtime.Object) bool {
	ok, err := sel.Matches(obj)
	return err == nil && ok
}

// scopedWatch forwards a watch's events that are in the slice, and ends with an Expired error when
// the scope changes, which makes the reflector list again.
type scopedWatch struct {
	inner     watch.Interface
	sel       apisharding.Selector
	resource  string
	out       chan watch.Event
	done      chan struct{}
	restartCh chan struct{}
	dropped   func()
	stopOnce  sync.Once
	restOnce  sync.Once
}

func (sw *scopedWatch) ResultChan() <-chan watch.Event { return sw.out }

func (sw *scopedWatch) Stop() {
	sw.stopOnce.Do(func() { close(sw.done) })
}

func (sw *scopedWatch) restart() {
	sw.restOnce.Do(func() { close(sw.restartCh) })
}

func (sw *scopedWatch) run(forget func()) {
	defer forget()
	defer close(sw.out)
	defer sw.inner.Stop()
	in := sw.inner.ResultChan()
	for {
		select {
		case <-sw.done:
			return
		case <-sw.restartCh:
			sw.send(expiredEvent(sw.resource))
			return
		case ev, ok := <-in:
			if !ok {
				return
			}
			switch ev.Type {
			case watch.Added, watch.Modified, watch.Deleted:
				receivedTotal.WithLabelValues(sw.resource).Inc()
				if !keep(sw.sel, ev.Object) {
					filteredTotal.WithLabelValues(sw.resource).Inc()
					sw.dropped()
					continue
				}
			}
			if !sw.send(ev) {
				return
			}
		}
	}
}

func (sw *scopedWatch) send(ev watch.Event) bool {
	select {
	case sw.out <- ev:
		return true
	case <-sw.done:
		return false
	}
}

func expiredEvent(resource string) watch.Event {
	status := apierrors.NewResourceExpired(fmt.Sprintf("the shard scope of the %s informer changed: list again", resource)).ErrStatus
	status.Code = http.StatusGone
	return watch.Event{Type: watch.Error, Object: &status}
}

// expired is a watch that ends at once with an Expired error.
func expired(resource string) watch.Interface {
	ch := make(chan watch.Event, 1)
	ch <- expiredEvent(resource)
	close(ch)
	return watch.NewProxyWatcher(ch)
}
