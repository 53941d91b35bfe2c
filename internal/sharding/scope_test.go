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
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/go-logr/logr"
	promtestutil "github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// TestScopedInformers runs controller-runtime informers restricted to a Scope against a real API
// server, once with the ShardedListAndWatch feature gate on (the server cuts the slice) and once
// without it (the replica cuts it itself). In both, the caches hold exactly the objects of the
// scope's namespaces, after a list and after watch events, and a new scope replaces the old one.
func TestScopedInformers(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is unset: no API server (make test sets it)")
	}
	for _, tc := range []struct {
		name  string
		gates string
		mode  Mode
	}{
		{name: "feature gate on", gates: "ShardedListAndWatch=true", mode: ModeServer},
		{name: "feature gate off", gates: "", mode: ModeClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
			if tc.gates != "" {
				env.ControlPlane.GetAPIServer().Configure().Set("feature-gates", tc.gates)
			}
			cfg, err := env.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = env.Stop() })
			testScope(t, cfg, tc.mode)
		})
	}
}

func testScope(t *testing.T, cfg *rest.Config, wantMode Mode) {
	e := newScopeEnv(t, cfg)
	filteredBefore := scopeFiltered("configmaps") + scopeFiltered("secrets") + scopeFiltered("webhooks")

	e.check(t, "first scope", scopeSlotsOf(e.names[:4]...))
	checkScopeMode(t, e, wantMode)

	// A new scope: the caches lose the namespaces that left and gain those that came.
	e.gen = e.scope.Set(scopeSlotsOf(e.names[3:7]...))
	e.check(t, "second scope", scopeSlotsOf(e.names[3:7]...))

	receivedBefore := scopeReceived("configmaps")
	createScopeWatchEvents(t, e)
	e.check(t, "after watch events", scopeSlotsOf(e.names[3:7]...))
	checkScopeFiltering(t, wantMode, filteredBefore, receivedBefore)

	checkManyRangesSelector(t, e)

	// An empty scope: the caches empty (and the API server takes the selector).
	e.gen = e.scope.Set(nil)
	e.check(t, "empty scope", nil)
}

// scopeEnv is what testScope works with: a client of the API server, the namespaces it created,
// the Scope, the generation of its last Set, and the caches it restricts.
type scopeEnv struct {
	ctx       context.Context
	c         client.Client
	names     []string
	scope     *Scope
	gen       uint64
	informers cache.Cache
}

// newScopeEnv creates eight namespaces with their objects, sets a Scope to the first four, and
// starts caches of ConfigMaps, Secrets' metadata and Webhooks restricted to it, synced.
func newScopeEnv(t *testing.T, cfg *rest.Config) *scopeEnv {
	t.Helper()
	ctx := t.Context()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := hooksv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	e := &scopeEnv{ctx: ctx, c: c, names: createScopeNamespaces(t, c), scope: NewScope(logr.Discard())}
	e.gen = e.scope.Set(scopeSlotsOf(e.names[:4]...))
	secretMeta := &metav1.PartialObjectMetadata{}
	secretMeta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	e.informers, err = cache.New(cfg, cache.Options{Scheme: scheme, NewInformer: e.scope.NewInformer(scopeResourceOf)})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.informers.Start(ctx) }()
	for _, obj := range []client.Object{secretMeta, &corev1.ConfigMap{}, &hooksv1alpha1.Webhook{}} {
		if _, err := e.informers.GetInformer(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	if !e.informers.WaitForCacheSync(ctx) {
		t.Fatal("the caches did not sync")
	}
	return e
}

// createScopeNamespaces creates eight namespaces in eight different slots, a Secret, a ConfigMap
// and a Webhook in each, and returns their names.
func createScopeNamespaces(t *testing.T, c client.Client) []string {
	t.Helper()
	var names []string
	seen := map[Slot]bool{}
	for i := 0; len(names) < 8; i++ {
		ns := fmt.Sprintf("scope-%d", i)
		if seen[scopeSlotOf(ns)] {
			continue
		}
		seen[scopeSlotOf(ns)] = true
		names = append(names, ns)
		mustCreate(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		mustCreate(t, c, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"}})
		mustCreate(t, c, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "settings"}})
		spec := catalog.All()[0].Sample()
		spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: "creds"}
		mustCreate(t, c, &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hook"}, Spec: spec})
	}
	return names
}

// scopeSlotOf is the slot of ns at the minimum depth.
func scopeSlotOf(ns string) Slot { return Slot{Prefix: Hash(ns) >> (64 - MinDepth), Bits: MinDepth} }

// scopeSlotsOf is the slots of nss at the minimum depth.
func scopeSlotsOf(nss ...string) []Slot {
	var out []Slot
	for _, ns := range nss {
		out = append(out, scopeSlotOf(ns))
	}
	return out
}

// scopeResourceOf names the resource of the objects testScope caches.
func scopeResourceOf(obj runtime.Object) string {
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		return "configmaps"
	case *hooksv1alpha1.Webhook:
		return "webhooks"
	case *metav1.PartialObjectMetadata:
		if o.GroupVersionKind().Kind == "Secret" {
			return "secrets"
		}
	}
	return ""
}

// scopeReceived is the count of objects of resource r the scoped informers received.
func scopeReceived(r string) float64 { return promtestutil.ToFloat64(receivedTotal.WithLabelValues(r)) }

// scopeFiltered is the count of objects of resource r the scoped informers dropped.
func scopeFiltered(r string) float64 { return promtestutil.ToFloat64(filteredTotal.WithLabelValues(r)) }

// check compares what the caches hold with what the API server has in the scope's slots.
func (e *scopeEnv) check(t *testing.T, step string, slots []Slot) {
	t.Helper()
	wait, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	if err := e.scope.WaitListed(wait, e.gen); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	for _, kind := range []struct {
		list, all client.ObjectList
	}{
		{list: &corev1.ConfigMapList{}, all: &corev1.ConfigMapList{}},
		{list: metaList("SecretList"), all: metaList("SecretList")},
		{list: &hooksv1alpha1.WebhookList{}, all: &hooksv1alpha1.WebhookList{}},
	} {
		if err := e.c.List(e.ctx, kind.all); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, ns := range namespacesOf(t, kind.all) {
			if Covered(slots, ns) {
				want = append(want, ns)
			}
		}
		if err := e.informers.List(e.ctx, kind.list); err != nil {
			t.Fatal(err)
		}
		if got := namespacesOf(t, kind.list); !slices.Equal(got, want) {
			t.Errorf("%s: %T cache holds the namespaces %v, want %v", step, kind.list, got, want)
		}
	}
}

// checkScopeMode checks the mode the Scope found from the lists, the mode its probe finds, and
// the mode gauge.
func checkScopeMode(t *testing.T, e *scopeEnv, wantMode Mode) {
	t.Helper()
	// The typed ConfigMap list tells the mode by itself (the echo, or the objects it dropped).
	if got := e.scope.Mode(); got != wantMode {
		t.Errorf("mode %q after the lists, want %q", got, wantMode)
	}
	// The probe asks the server straight away.
	if got, err := e.scope.ProbeMode(e.ctx, e.c, "default"); err != nil || got != wantMode {
		t.Errorf("ProbeMode: %q, %v; want %q", got, err, wantMode)
	}
	if got := e.scope.Mode(); got != wantMode {
		t.Errorf("mode %q, want %q", got, wantMode)
	}
	if got := promtestutil.ToFloat64(modeGauge.WithLabelValues(string(wantMode))); got != 1 {
		t.Errorf("hookkeeper_sharding_mode{mode=%q} = %v, want 1", wantMode, got)
	}
}

// createScopeWatchEvents creates a ConfigMap outside the scope (in e.names[0]) and one inside (in
// e.names[4]), and waits for the one inside to reach the cache. Watch events: an object outside
// the scope never reaches the cache; one inside does. The one inside is created last, so once it
// is cached the other's event has passed.
func createScopeWatchEvents(t *testing.T, e *scopeEnv) {
	t.Helper()
	mustCreate(t, e.c, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: e.names[0], Name: "outside"}})
	mustCreate(t, e.c, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: e.names[4], Name: "inside"}})
	deadline := time.Now().Add(30 * time.Second)
	for {
		cm := &corev1.ConfigMap{}
		err := e.informers.Get(e.ctx, client.ObjectKey{Namespace: e.names[4], Name: "inside"}, cm)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ConfigMap inside the scope never reached the cache: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkScopeFiltering checks, from the counts before, who cut the slice: in ModeServer the
// replica dropped nothing and the watch delivered only the ConfigMap inside the scope; in
// ModeClient the replica dropped objects of every resource and the watch delivered both.
func checkScopeFiltering(t *testing.T, wantMode Mode, filteredBefore, receivedBefore float64) {
	t.Helper()
	switch wantMode {
	case ModeServer:
		// Custom resources and metadata lists too: the server cut them, though it does not say so.
		if got := scopeFiltered("configmaps") + scopeFiltered("secrets") + scopeFiltered("webhooks") - filteredBefore; got != 0 {
			t.Errorf("the server applied the selector, yet the replica dropped %v objects", got)
		}
		if got := scopeReceived("configmaps") - receivedBefore; got != 1 {
			t.Errorf("the watch delivered %v ConfigMap events, want 1 (the one inside the scope)", got)
		}
	case ModeClient:
		for _, r := range []string{"configmaps", "secrets", "webhooks"} {
			if scopeFiltered(r) == 0 {
				t.Errorf("the server sent every %s, yet the replica dropped none", r)
			}
		}
		if got := scopeFiltered("configmaps") + scopeFiltered("secrets") + scopeFiltered("webhooks") - filteredBefore; got == 0 {
			t.Error("the server sent everything, yet the replica dropped nothing")
		}
		if got := scopeReceived("configmaps") - receivedBefore; got != 2 {
			t.Errorf("the watch delivered %v ConfigMap events, want 2 (the server filters nothing)", got)
		}
	}
}

// checkManyRangesSelector checks that the API server takes the selector of a few hundred ranges
// that a member holds when many namespaces crowd (every other slot of 12 bits: 1,024 ranges).
func checkManyRangesSelector(t *testing.T, e *scopeEnv) {
	t.Helper()
	var many []Slot
	for p := uint64(0); p < 1<<12; p += 4 {
		many = append(many, Slot{Prefix: p, Bits: 12})
	}
	if n := len(Selector(many).Requirements()); n != 1024 {
		t.Fatalf("%d ranges, want 1024", n)
	}
	var cms corev1.ConfigMapList
	if err := e.c.List(e.ctx, &cms, &client.ListOptions{Raw: &metav1.ListOptions{ShardSelector: Selector(many).String()}}); err != nil {
		t.Errorf("the API server refuses a selector of 1024 ranges (%d bytes): %v", len(Selector(many).String()), err)
	}
}

func metaList(kind string) *metav1.PartialObjectMetadataList {
	l := &metav1.PartialObjectMetadataList{}
	l.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind(kind))
	return l
}

func mustCreate(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Create(t.Context(), obj); err != nil {
		t.Fatal(err)
	}
}

// namespacesOf returns the sorted namespaces of a list's items, once per item.
func namespacesOf(t *testing.T, list client.ObjectList) []string {
	t.Helper()
	var out []string
	switch l := list.(type) {
	case *corev1.ConfigMapList:
		for _, item := range l.Items {
			out = append(out, item.Namespace)
		}
	case *metav1.PartialObjectMetadataList:
		for _, item := range l.Items {
			out = append(out, item.Namespace)
		}
	case *hooksv1alpha1.WebhookList:
		for _, item := range l.Items {
			out = append(out, item.Namespace)
		}
	default:
		t.Fatalf("unexpected list %T", list)
	}
	slices.Sort(out)
	return out
}
