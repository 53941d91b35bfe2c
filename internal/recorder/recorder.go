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

// Package recorder writes the operator's Kubernetes Events (events.k8s.io/v1) with bounded
// memory. client-go's events broadcaster keeps a full copy of every Event it sent for six
// minutes or more, to count repeats into a series: at 10,000 Webhooks, each with a Created
// Event, that was about 9 MiB of the operator's heap. This recorder keeps the same series with a
// bounded table of small entries, and never blocks the caller.
package recorder

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/reference"
	"k8s.io/utils/lru"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hookkeeper/hookkeeper/internal/metrics"
)

const (
	// QueueSize is how many Events may wait to be written; more are dropped, as client-go's
	// broadcaster drops them beyond the same number.
	QueueSize = 1000
	// NamespaceShare is how many of the queued Events may be about objects of one namespace:
	// a tenant whose Webhooks fail in a loop fills its share, not the queue, and the Events of
	// the other namespaces are still written.
	NamespaceShare = QueueSize / 10
	// SeriesEntries bounds the table of recent Events that repeats are counted into.
	SeriesEntries = 4096
	// seriesWindow is how long after its last repeat an Event still takes repeats into its
	// series, as client-go's.
	seriesWindow = 6 * time.Minute
	// maxNote is the longest note the API server accepts.
	maxNote = 1024
	// attempts is how many times an Event is sent when the API server cannot be reached.
	attempts = 3
	// FlushTimeout bounds the writing of what is still queued when the writer stops.
	FlushTimeout = 3 * time.Second
)

// Recorder implements client-go's events.EventRecorder. Its writer runs from Run until the
// function Run returned is called, once the manager has stopped.
type Recorder struct {
	client     client.Client
	scheme     *runtime.Scheme
	controller string
	instance   string
	now        func() time.Time
	backoff    time.Duration

	queue chan *eventsv1.Event
	// queued counts the Events in queue by namespace, for NamespaceShare.
	queuedMu sync.Mutex
	queued   map[string]int
	seed     maphash.Seed
	// series is used by the writer goroutine only: key hash -> *entry.
	series *lru.Cache
}

// entry is what the table keeps of an Event written: enough to patch its series.
type entry struct {
	name, namespace string
	count           int32
	last            time.Time
}

// New returns a recorder of reportingController controller that writes through c; scheme maps
// the objects Events are about to their kinds. The reporting instance is controller-hostname,
// as client-go's.
func New(c client.Client, scheme *runtime.Scheme, controller string) *Recorder {
	host, _ := os.Hostname()
	instance := controller + "-" + host
	if len(instance) > 128 {
		instance = instance[:128]
	}
	return &Recorder{
		client:     c,
		scheme:     scheme,
		controller: controller,
		instance:   instance,
		now:        time.Now,
		backoff:    time.Second,
		queue:      make(chan *eventsv1.Event, QueueSize),
		queued:     map[string]int{},
		seed:       maphash.MakeSeed(),
		series:     lru.New(SeriesEntries),
	}
}

// Eventf queues an Event about regarding (and related, when not nil). It never blocks: when the
// queue is full, or holds NamespaceShare Events of the namespace already, the Event is dropped
// and counted.
func (r *Recorder) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any) {
	log := ctrl.Log.WithName("events")
	if eventtype != corev1.EventTypeNormal && eventtype != corev1.EventTypeWarning {
		log.Error(nil, "Event of an unknown type not recorded", "type", eventtype, "reason", reason)
		return
	}
	ref, err := reference.GetReference(r.scheme, regarding)
	if err != nil {
		log.Error(err, "Event not recorded: no reference to its object", "reason", reason)
		return
	}
	var rel *corev1.ObjectReference
	if related != nil {
		rel, _ = reference.GetReference(r.scheme, related)
	}
	now := r.now()
	ns := ref.Namespace
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	ev := &eventsv1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: eventName(ref.Name, now), Namespace: ns},
		EventTime:           metav1.NewMicroTime(now),
		ReportingController: r.controller,
		ReportingInstance:   r.instance,
		Action:              action,
		Reason:              reason,
		Regarding:           *ref,
		Related:             rel,
		Note:                truncate(fmt.Sprintf(note, args...), maxNote),
		Type:                eventtype,
	}
	if !r.reserve(ns) {
		metrics.EventsDropped.WithLabelValues("namespace_share").Inc()
		return
	}
	select {
	case r.queue <- ev:
	default:
		r.release(ns)
		metrics.EventsDropped.WithLabelValues("queue_full").Inc()
	}
}

// reserve counts one more queued Event of namespace ns, unless ns holds its share already.
func (r *Recorder) reserve(ns string) bool {
	r.queuedMu.Lock()
	defer r.queuedMu.Unlock()
	if r.queued[ns] >= NamespaceShare {
		return false
	}
	r.queued[ns]++
	return true
}

// release counts one queued Event of namespace ns less: it left the queue.
func (r *Recorder) release(ns string) {
	r.queuedMu.Lock()
	defer r.queuedMu.Unlock()
	if r.queued[ns] <= 1 {
		delete(r.queued, ns)
		return
	}
	r.queued[ns]--
}

// next is what the writer does with an Event it took from the queue.
func (r *Recorder) next(ctx context.Context, ev *eventsv1.Event) {
	r.release(ev.Namespace)
	r.write(ctx, ev)
}

// Run starts the writer in the background and returns the function that stops it: that writes
// what is queued (for at most FlushTimeout) and returns once the writer has ended. Call it after
// the manager's Start has returned, rather than adding the recorder to the manager: a manager
// stops the runnables that need no leader election first, and its controllers after them, so the
// Events of the reconciles that end last would find no writer.
func (r *Recorder) Run() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.Start(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// Start writes the queued Events until ctx ends, then for at most FlushTimeout what is left.
func (r *Recorder) Start(ctx context.Context) error {
	for {
		select {
		case ev := <-r.queue:
			r.next(ctx, ev)
		case <-ctx.Done():
			flush, cancel := context.WithTimeout(context.WithoutCancel(ctx), FlushTimeout)
			defer cancel()
			for {
				select {
				case ev := <-r.queue:
					r.next(flush, ev)
				default:
					return nil
				}
				if flush.Err() != nil {
					return nil
				}
			}
		}
	}
}

// key identifies the Events that count as repeats of one another, as client-go's: the same
// type, action and reason about the same object version and related object, whatever the note.
func (r *Recorder) key(ev *eventsv1.Event) uint64 {
	var h maphash.Hash
	h.SetSeed(r.seed)
	write := func(ss ...string) {
		for _, s := range ss {
			h.WriteString(s)
			h.WriteByte(0)
		}
	}
	write(ev.Type, ev.Action, ev.Reason, ev.ReportingController, ev.ReportingInstance)
	refs := []*corev1.ObjectReference{&ev.Regarding, ev.Related}
	for _, ref := range refs {
		if ref == nil {
			write("")
			continue
		}
		write(ref.Kind, ref.Namespace, ref.Name, string(ref.UID), ref.APIVersion, ref.ResourceVersion, ref.FieldPath)
	}
	return h.Sum64()
}

// write sends one Event: a new one, or a series patch of the recent Event it repeats.
func (r *Recorder) write(ctx context.Context, ev *eventsv1.Event) {
	k := r.key(ev)
	now := r.now()
	if v, ok := r.series.Get(k); ok {
		e := v.(*entry)
		if now.Sub(e.last) <= seriesWindow {
			e.count++
			e.last = now
			if r.patchSeries(ctx, e) {
				return
			}
			// The Event is gone (expired or deleted): a new one carries the series on.
			ev.Series = &eventsv1.EventSeries{Count: e.count, LastObservedTime: metav1.NewMicroTime(now)}
		}
	}
	if !r.create(ctx, ev) {
		r.series.Remove(k)
		return
	}
	count := int32(1)
	if ev.Series != nil {
		count = ev.Series.Count
	}
	r.series.Add(k, &entry{name: ev.Name, namespace: ev.Namespace, count: count, last: now})
}

func (r *Recorder) create(ctx context.Context, ev *eventsv1.Event) bool {
	return r.send(ctx, ev.Reason, func() error { return r.client.Create(ctx, ev) })
}

// patchSeries writes e's count into its Event; false when the Event no longer exists.
func (r *Recorder) patchSeries(ctx context.Context, e *entry) bool {
	patch := fmt.Sprintf(`{"series":{"count":%d,"lastObservedTime":%q}}`, e.count,
		metav1.NewMicroTime(e.last).UTC().Format(metav1.RFC3339Micro))
	ev := &eventsv1.Event{ObjectMeta: metav1.ObjectMeta{Name: e.name, Namespace: e.namespace}}
	notFound := false
	ok := r.send(ctx, "series", func() error {
		err := r.client.Patch(ctx, ev, client.RawPatch(types.MergePatchType, []byte(patch)))
		notFound = apierrors.IsNotFound(err)
		if notFound {
			return nil
		}
		return err
	})
	return ok && !notFound
}

// send runs one request, again after a pause when the API server could not be reached. An
// answer of the API server that refuses the Event (a namespace being deleted, an invalid Event)
// is final. It reports whether the request succeeded.
func (r *Recorder) send(ctx context.Context, what string, do func() error) bool {
	log := ctrl.Log.WithName("events")
	for i := range attempts {
		err := do()
		if err == nil {
			return true
		}
		var status apierrors.APIStatus
		if errors.As(err, &status) && !apierrors.IsServerTimeout(err) && !apierrors.IsTooManyRequests(err) &&
			!apierrors.IsInternalError(err) && !apierrors.IsServiceUnavailable(err) {
			metrics.EventsDropped.WithLabelValues("rejected").Inc()
			log.V(1).Info("The API server refused an Event", "reason", what, "error", err.Error())
			return false
		}
		if i == attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			metrics.EventsDropped.WithLabelValues("failed").Inc()
			return false
		case <-time.After(r.backoff << i):
		}
	}
	metrics.EventsDropped.WithLabelValues("failed").Inc()
	log.V(1).Info("An Event could not be written", "reason", what)
	return false
}

// eventName is the Event's name, as client-go makes it: the object's name and the time in
// nanoseconds, with the name cut so that the whole stays a valid name.
func eventName(object string, t time.Time) string {
	suffix := fmt.Sprintf(".%x", t.UnixNano())
	if len(object)+len(suffix) > 253 {
		object = object[:253-len(suffix)]
	}
	return object + suffix
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
