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

package controllers

// The rig of the decision tests (decisions_unit_test.go): a WebhookReconciler built without a
// manager, on controller-runtime's fake client, with a SaaS held in memory. No API server, no
// HTTP: every decision of a reconcile is seen, and the table runs in well under a second.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// memType is the in-memory SaaS's spec.provider: no provider of the catalog.
const memType hooksv1alpha1.ProviderType = "Mem"

// memHook is one remote webhook of the in-memory SaaS.
type memHook struct {
	id, owner, url string
	active         bool
}

// memSaaS is a webhook API held in memory that implements providers.Provider. It records every
// request it answers, and can answer the next one with a 429.
type memSaaS struct {
	mu    sync.Mutex
	hooks map[string]memHook
	next  int
	calls []string
	// retryAfter, when set, answers the next request with a 429 that asks to wait that long.
	retryAfter time.Duration
	// immutableURL makes a change of targetUrl a replacement, as a SaaS that cannot change it in
	// place asks.
	immutableURL bool
	// uniqueURL makes the targetUrl the natural key: the SaaS holds one webhook per URL, and a
	// webhook with the URL is a candidate whoever made it.
	uniqueURL bool
}

func newMemSaaS(hooks ...memHook) *memSaaS {
	s := &memSaaS{hooks: map[string]memHook{}, next: 100}
	for _, h := range hooks {
		s.hooks[h.id] = h
	}
	return s
}

// call records a request and returns the 429 it must answer, if any.
func (s *memSaaS) call(op string) error {
	s.calls = append(s.calls, op)
	if d := s.retryAfter; d > 0 {
		s.retryAfter = 0
		return &providers.Error{Kind: providers.KindRateLimited, Op: op, StatusCode: 429, RetryAfter: d, Message: "slow down"}
	}
	return nil
}

func (s *memSaaS) remote(h memHook) *providers.Remote {
	state := "active"
	if !h.active {
		state = "disabled"
	}
	return &providers.Remote{ID: h.id, State: state, Active: h.active, Object: h}
}

func (s *memSaaS) Capabilities() providers.Capabilities {
	return providers.Capabilities{CanDeactivate: true, UniqueNaturalKey: s.uniqueURL}
}
func (s *memSaaS) Validate(*providers.Request) error   { return nil }
func (s *memSaaS) Account(*providers.Request) string   { return "https://mem.test" }
func (s *memSaaS) Scope(req *providers.Request) string { return s.Account(req) + "/hooks" }
func (s *memSaaS) Matches(req *providers.Request, r *providers.Remote) bool {
	h, ok := r.Object.(memHook)
	if s.uniqueURL {
		return ok && h.url == req.Spec.TargetURL
	}
	return ok && h.owner == req.Owner
}

func (s *memSaaS) Get(_ context.Context, _ *providers.Request, id string) (*providers.Remote, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.call("get " + id); err != nil {
		return nil, err
	}
	h, ok := s.hooks[id]
	if !ok {
		return nil, &providers.Error{Kind: providers.KindNotFound, Op: "get", StatusCode: 404, Message: "no such hook"}
	}
	return s.remote(h), nil
}

func (s *memSaaS) List(context.Context, *providers.Request) ([]*providers.Remote, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.call("list"); err != nil {
		return nil, err
	}
	var out []*providers.Remote
	for _, h := range s.hooks {
		out = append(out, s.remote(h))
	}
	return out, nil
}

func (s *memSaaS) Create(_ context.Context, req *providers.Request) (*providers.Remote, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.call("create"); err != nil {
		return nil, err
	}
	s.next++
	h := memHook{id: fmt.Sprintf("h%d", s.next), owner: req.Owner, url: req.Spec.TargetURL, active: req.Spec.IsEnabled()}
	s.hooks[h.id] = h
	return s.remote(h), nil
}

func (s *memSaaS) Diff(req *providers.Request, r *providers.Remote) providers.Diff {
	h, _ := r.Object.(memHook)
	switch {
	case h.url == req.Spec.TargetURL:
		return providers.Diff{Action: providers.ActionNone}
	case s.immutableURL:
		return providers.Diff{Action: providers.ActionReplace, Fields: []string{"targetUrl"}}
	}
	return providers.Diff{Action: providers.ActionUpdate, Fields: []string{"targetUrl"}}
}

func (s *memSaaS) Update(_ context.Context, req *providers.Request, r *providers.Remote) (*providers.Remote, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.call("update " + r.ID); err != nil {
		return nil, err
	}
	h, ok := s.hooks[r.ID]
	if !ok {
		return nil, &providers.Error{Kind: providers.KindNotFound, Op: "update", StatusCode: 404, Message: "no such hook"}
	}
	h.url, h.active = req.Spec.TargetURL, req.Spec.IsEnabled()
	s.hooks[h.id] = h
	return s.remote(h), nil
}

func (s *memSaaS) Delete(_ context.Context, _ *providers.Request, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.call("delete " + id); err != nil {
		return err
	}
	delete(s.hooks, id)
	return nil
}

// state is the SaaS's webhooks as "id owner url active", sorted.
func (s *memSaaS) state() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, h := range s.hooks {
		out = append(out, fmt.Sprintf("%s %s %s %t", h.id, h.owner, h.url, h.active))
	}
	sort.Strings(out)
	return out
}

// writes are the requests that changed the SaaS, in order.
func (s *memSaaS) writes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(s.calls), func(c string) bool { return c == "list" || c[:3] == "get" })
}

// requests returns how many requests the SaaS answered so far, and callsFrom those from the i-th.
func (s *memSaaS) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func (s *memSaaS) callsFrom(i int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls[i:])
}

// eventLog records the reasons of the events the reconciler emits.
type eventLog struct {
	mu      sync.Mutex
	reasons []string
}

func (l *eventLog) Eventf(_ runtime.Object, _ runtime.Object, _, reason, _, _ string, _ ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reasons = append(l.reasons, reason)
}

// rig is one reconciler on a fake client and an in-memory SaaS, with a clock the test moves.
type rig struct {
	t      *testing.T
	c      client.Client
	r      *WebhookReconciler
	saas   *memSaaS
	events *eventLog
	now    time.Time
}

const (
	rigNamespace = "team-a"
	rigResync    = 10 * time.Minute
)

func newRig(t *testing.T, saas *memSaaS, objs ...client.Object) *rig {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, hooksv1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	creds := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: rigNamespace, Name: "creds", ResourceVersion: "1"},
		Data: map[string][]byte{"token": []byte("tok-team-a")}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(append([]client.Object{creds}, objs...)...).
		WithStatusSubresource(&hooksv1alpha1.Webhook{}, &hooksv1alpha1.Account{}, &hooksv1alpha1.ClusterAccount{}).Build()
	g := &rig{t: t, c: c, saas: saas, events: &eventLog{}, now: time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)}
	g.r = &WebhookReconciler{
		Client: c, APIReader: c, Scheme: scheme, Recorder: g.events,
		Providers: providers.Registry{memType: saas},
		StatusKey: make([]byte, StatusKeySize),
		Now:       func() time.Time { return g.now },
		Options: Options{ResyncPeriod: rigResync, ReactivationDelay: time.Minute, DeletionTimeout: time.Minute,
			MaxConcurrentReconciles: 2, AccountSecretNamespaces: []string{"hookkeeper-system"}},
	}
	g.r.prepare()
	return g
}

// reconcile runs one reconcile of the Webhook name, after the index has followed the client as
// the informer would.
func (g *rig) reconcile(name string) (ctrl.Result, error) {
	g.t.Helper()
	var list hooksv1alpha1.WebhookList
	if err := g.c.List(context.Background(), &list); err != nil {
		g.t.Fatal(err)
	}
	x := g.r.index
	x.synced = func() bool { return true }
	live := map[types.UID]bool{}
	for i := range list.Items {
		x.put(&list.Items[i])
		live[list.Items[i].UID] = true
	}
	var gone []*hooksv1alpha1.Webhook
	x.each(func(wh *hooksv1alpha1.Webhook) {
		if !live[wh.UID] {
			gone = append(gone, wh)
		}
	})
	for _, wh := range gone {
		x.remove(wh)
	}
	return g.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: rigNamespace, Name: name}})
}

// webhook reads the Webhook name back; nil when it is gone.
func (g *rig) webhook(name string) *hooksv1alpha1.Webhook {
	g.t.Helper()
	wh := &hooksv1alpha1.Webhook{}
	if err := g.c.Get(context.Background(), types.NamespacedName{Namespace: rigNamespace, Name: name}, wh); err != nil {
		if client.IgnoreNotFound(err) == nil {
			return nil
		}
		g.t.Fatal(err)
	}
	return wh
}

// hook builds a Webhook of the rig's namespace on the in-memory SaaS; the options change it.
func hook(name string, opts ...func(*hooksv1alpha1.Webhook)) *hooksv1alpha1.Webhook {
	wh := &hooksv1alpha1.Webhook{
		ObjectMeta: metav1.ObjectMeta{Namespace: rigNamespace, Name: name, UID: types.UID("uid-" + name),
			CreationTimestamp: metav1.NewTime(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))},
		Spec: hooksv1alpha1.WebhookSpec{Provider: memType, TargetURL: "https://receiver.test/" + name,
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "creds"}},
	}
	for _, o := range opts {
		o(wh)
	}
	return wh
}

// recorded: the Webhook's status records remote webhook id, and its finalizer is set.
func recorded(id string) func(*hooksv1alpha1.Webhook) {
	return func(wh *hooksv1alpha1.Webhook) {
		wh.Finalizers = []string{hooksv1alpha1.Finalizer}
		wh.Status.ID = id
	}
}

func targetURL(url string) func(*hooksv1alpha1.Webhook) {
	return func(wh *hooksv1alpha1.Webhook) { wh.Spec.TargetURL = url }
}

func annotated(key, value string) func(*hooksv1alpha1.Webhook) {
	return func(wh *hooksv1alpha1.Webhook) { metav1.SetMetaDataAnnotation(&wh.ObjectMeta, key, value) }
}

func orphan(wh *hooksv1alpha1.Webhook) { wh.Spec.DeletionPolicy = hooksv1alpha1.DeletionPolicyOrphan }

func noCredentials(wh *hooksv1alpha1.Webhook) { wh.Spec.CredentialsRef.Name = "missing" }

func createdLater(wh *hooksv1alpha1.Webhook) {
	wh.CreationTimestamp = metav1.NewTime(wh.CreationTimestamp.Add(time.Hour))
}

// onClusterAccount: the Webhook names ClusterAccount name instead of its own credentials.
func onClusterAccount(name string) func(*hooksv1alpha1.Webhook) {
	return func(wh *hooksv1alpha1.Webhook) {
		wh.Spec.CredentialsRef = nil
		wh.Spec.AccountRef = &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: name}
	}
}

// deleting: the Webhook's deletion began (its finalizer holds it).
func deleting(wh *hooksv1alpha1.Webhook) {
	t := metav1.NewTime(time.Date(2026, 12, 8, 11, 59, 50, 0, time.UTC))
	wh.DeletionTimestamp = &t
}
