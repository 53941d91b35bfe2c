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

package recorder

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/hookkeeper/hookkeeper/internal/metrics"
)

func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func configMap(name, rv string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name, UID: types.UID("uid-" + name), ResourceVersion: rv}}
}

// started runs r until the test ends.
func started(t *testing.T, r *Recorder) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Start(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// events waits until c holds n Events in team-a and returns them.
func events(t *testing.T, c client.Client, n int, ok func([]eventsv1.Event) bool) []eventsv1.Event {
	t.Helper()
	var list eventsv1.EventList
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		if err := c.List(ctx, &list, client.InNamespace("team-a")); err != nil {
			return false, err
		}
		return len(list.Items) == n && (ok == nil || ok(list.Items)), nil
	})
	if err != nil {
		t.Fatalf("waiting for %d Events: %v (have %d: %+v)", n, err, len(list.Items), list.Items)
	}
	return list.Items
}

// An Event carries what client-go's recorder writes; repeats patch its series; another reason
// makes another Event; a note over the API server's limit is cut on a character boundary.
func TestEventsAndSeries(t *testing.T) {
	s := testScheme(t)
	c := fake.NewClientBuilder().WithScheme(s).Build()
	r := New(c, s, "hookkeeper")
	started(t, r)

	cm := configMap("hook", "7")
	r.Eventf(cm, nil, corev1.EventTypeNormal, "Created", "Created", "made %s", "abc")
	got := events(t, c, 1, nil)[0]
	if got.Note != "made abc" || got.Reason != "Created" || got.Action != "Created" || got.Type != corev1.EventTypeNormal ||
		got.ReportingController != "hookkeeper" || !strings.HasPrefix(got.ReportingInstance, "hookkeeper-") ||
		got.Regarding.Name != "hook" || got.Regarding.Kind != "ConfigMap" || got.Regarding.ResourceVersion != "7" ||
		!strings.HasPrefix(got.Name, "hook.") || got.EventTime.IsZero() || got.Series != nil {
		t.Fatalf("unexpected Event %+v", got)
	}

	r.Eventf(cm, nil, corev1.EventTypeNormal, "Created", "Created", "made %s", "again")
	r.Eventf(cm, nil, corev1.EventTypeNormal, "Created", "Created", "made %s", "thrice")
	events(t, c, 1, func(items []eventsv1.Event) bool { return items[0].Series != nil && items[0].Series.Count == 3 })

	r.Eventf(cm, nil, corev1.EventTypeWarning, "ProviderUnavailable", "ProviderUnavailable", "%s", strings.Repeat("é", 600))
	items := events(t, c, 2, nil)
	for _, ev := range items {
		if ev.Reason == "ProviderUnavailable" && (len(ev.Note) > maxNote || !strings.HasPrefix(ev.Note, "é") || strings.ContainsRune(ev.Note, '\uFFFD')) {
			t.Fatalf("note of %d bytes not cut to %d on a character boundary", len(ev.Note), maxNote)
		}
	}
}

// The table of recent Events stays within its bound however many distinct Events are written.
func TestSeriesTableIsBounded(t *testing.T) {
	s := testScheme(t)
	c := fake.NewClientBuilder().WithScheme(s).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(context.Context, client.WithWatch, client.Object, ...client.CreateOption) error { return nil },
	}).Build()
	r := New(c, s, "hookkeeper")
	ctx := context.Background()
	for i := range 3 * SeriesEntries {
		cm := configMap("hook", "1")
		cm.Name = cm.Name + "-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String()
		ref := corev1.ObjectReference{Kind: "ConfigMap", Namespace: "team-a", Name: cm.Name}
		r.write(ctx, &eventsv1.Event{ObjectMeta: metav1.ObjectMeta{Name: eventName(cm.Name, time.Unix(0, int64(i))), Namespace: "team-a"},
			Regarding: ref, Type: corev1.EventTypeNormal, Reason: "Created", Action: "Created"})
	}
	if n := r.series.Len(); n > SeriesEntries {
		t.Fatalf("the table holds %d entries, bound %d", n, SeriesEntries)
	}
}

// Eventf never waits for the API server: with a writer stuck on a request, a full queue drops
// the Events and counts them; Start returns once its context ends.
func TestEventfNeverBlocks(t *testing.T) {
	s := testScheme(t)
	var creates atomic.Int32
	c := fake.NewClientBuilder().WithScheme(s).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(ctx context.Context, _ client.WithWatch, _ client.Object, _ ...client.CreateOption) error {
			creates.Add(1)
			<-ctx.Done() // stuck until the recorder stops
			return ctx.Err()
		},
	}).Build()
	r := New(c, s, "hookkeeper")
	r.backoff = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Start(ctx) }()

	before := testutil.ToFloat64(metrics.EventsDropped.WithLabelValues("queue_full"))
	// From 50 namespaces, so that the queue fills before any namespace's share does.
	for i := range 5 * QueueSize {
		hook := configMap("hook", "1")
		hook.Namespace = fmt.Sprintf("team-%d", i%50)
		r.Eventf(hook, nil, corev1.EventTypeNormal, "Created", "Created", "n %d", i)
	}
	dropped := testutil.ToFloat64(metrics.EventsDropped.WithLabelValues("queue_full")) - before
	if dropped < float64(3*QueueSize) {
		t.Fatalf("%v Events dropped of %d recorded with a queue of %d and a stuck writer", dropped, 5*QueueSize, QueueSize)
	}
	cancel()
	<-done // the test's own timeout is the bound
	if creates.Load() == 0 {
		t.Fatal("the writer never sent a request")
	}
}

// A refusal of the API server (a namespace being deleted) is final: no retry, counted.
func TestRefusedEventIsNotRetried(t *testing.T) {
	s := testScheme(t)
	var creates atomic.Int32
	c := fake.NewClientBuilder().WithScheme(s).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(context.Context, client.WithWatch, client.Object, ...client.CreateOption) error {
			creates.Add(1)
			return apierrors.NewForbidden(schema.GroupResource{Group: "events.k8s.io", Resource: "events"}, "x", nil)
		},
	}).Build()
	r := New(c, s, "hookkeeper")
	before := testutil.ToFloat64(metrics.EventsDropped.WithLabelValues("rejected"))
	r.Eventf(configMap("hook", "1"), nil, corev1.EventTypeNormal, "Created", "Created", "x")
	r.write(context.Background(), <-r.queue)
	if creates.Load() != 1 || testutil.ToFloat64(metrics.EventsDropped.WithLabelValues("rejected"))-before != 1 {
		t.Fatalf("%d creates, want 1 and one rejected drop", creates.Load())
	}
	if r.series.Len() != 0 {
		t.Fatal("a refused Event was kept for repeats")
	}
}

// TestOneNamespaceCannotCrowdOutTheOthers: while the writer is stuck, a namespace that records
// thousands of Events queues its share of them only, and the Events of another namespace still
// find room and are written once the writer moves again.
func TestOneNamespaceCannotCrowdOutTheOthers(t *testing.T) {
	s := testScheme(t)
	release := make(chan struct{})
	var mu sync.Mutex
	created := map[string]int{}
	c := fake.NewClientBuilder().WithScheme(s).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
			mu.Lock()
			created[obj.GetNamespace()]++
			mu.Unlock()
			return c.Create(ctx, obj, opts...)
		},
	}).Build()
	r := New(c, s, "hookkeeper")
	r.backoff = time.Millisecond
	started(t, r)

	hook := func(ns string, i int) *corev1.ConfigMap {
		cm := configMap(fmt.Sprintf("hook-%d", i), "1")
		cm.Namespace = ns
		return cm
	}
	before := testutil.ToFloat64(metrics.EventsDropped.WithLabelValues("namespace_share"))
	for i := range 5 * QueueSize {
		r.Eventf(hook("noisy", i), nil, corev1.EventTypeWarning, "Failed", "Reconcile", "failure %d", i)
	}
	const quiet = 20
	for i := range quiet {
		r.Eventf(hook("quiet", i), nil, corev1.EventTypeNormal, "Created", "Create", "created %d", i)
	}
	// The writer holds one of the noisy Events; the queue holds at most the share of them.
	dropped := testutil.ToFloat64(metrics.EventsDropped.WithLabelValues("namespace_share")) - before
	if want := float64(5*QueueSize - NamespaceShare - 1); dropped < want {
		t.Errorf("%v Events dropped for the noisy namespace's share, want at least %v", dropped, want)
	}
	close(release)
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return created["quiet"] == quiet, nil
	})
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		t.Fatalf("%d of the quiet namespace's %d Events written", created["quiet"], quiet)
	}
	if n := created["noisy"]; n > NamespaceShare+1 || n < NamespaceShare {
		t.Errorf("%d of the noisy namespace's Events written, want its share %d (and the one the writer held)", n, NamespaceShare)
	}
	r.queuedMu.Lock()
	defer r.queuedMu.Unlock()
	if len(r.queued) != 0 {
		t.Errorf("queued counts left once the queue is empty: %v", r.queued)
	}
}

// lastReconcile stands for a controller's reconcile that is still running when the manager is
// told to stop: it needs leader election, as the controllers do, ends a moment after the stop,
// and records an Event on its way out.
type lastReconcile struct{ events *Recorder }

func (l lastReconcile) Start(ctx context.Context) error {
	<-ctx.Done()
	time.Sleep(200 * time.Millisecond)
	l.events.Eventf(configMap("hook", "7"), nil, corev1.EventTypeNormal, "Deleted", "Delete", "the last reconcile")
	return nil
}

func (lastReconcile) NeedLeaderElection() bool { return true }

// TestRunOutlivesTheManager: with the writer of Run stopped once a real manager's Start has
// returned, as main does, the Event that a reconcile records while the manager stops is written.
// (Added to the manager instead, the writer would stop first: a manager stops the runnables that
// need no leader election before its controllers.)
func TestRunOutlivesTheManager(t *testing.T) {
	s := testScheme(t)
	c := fake.NewClientBuilder().WithScheme(s).Build()
	r := New(c, s, "hookkeeper")
	// The manager runs no informer, so it never contacts this address.
	mgr, err := manager.New(&rest.Config{Host: "https://127.0.0.1:1"}, manager.Options{Scheme: s,
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := mgr.Add(lastReconcile{events: r}); err != nil {
		t.Fatal(err)
	}
	stop := r.Run()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the manager: %v", err)
	}
	stop()
	var list eventsv1.EventList
	if err := c.List(context.Background(), &list, client.InNamespace("team-a")); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Note != "the last reconcile" {
		t.Fatalf("Events written: %+v, want the last reconcile's", list.Items)
	}
}
