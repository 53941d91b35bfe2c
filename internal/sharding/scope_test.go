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
	// Eight namespaces in eight different slots, a Secret and a ConfigMap in each.
	slotOf := func(ns string) Slot { return Slot{Prefix: Hash(ns) >> (64 - MinDepth), Bits: MinDepth} }
	var names []string
	seen := map[Slot]bool{}
	for i := 0; len(names) < 8; i++ {
		ns := fmt.Sprintf("scope-%d", i)
		if seen[slotOf(ns)] {
			continue
		}
		seen[slotOf(ns)] = true
		names = append(names, ns)
		mustCreate(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		mustCreate(t, c, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"}})
		mustCreate(t, c, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "settings"}})
		spec := catalog.All()[0].Sample()
		spec.CredentialsRef = &hooksv1alpha1.LocalObjectReference{Name: "creds"}
		mustCreate(t, c, &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hook"}, Spec: spec})
	}
	slotsOf := func(nss ...string) []Slot {
		var out []Slot
		for _, ns := range nss {
			out = append(out, slotOf(ns))
		}
		return out
	}

	scope := NewScope(logr.Discard())
	gen := scope.Set(slotsOf(names[:4]...))
	secretMeta := &metav1.PartialObjectMetadata{}
	secretMeta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	resourceOf := func(obj runtime.Object) string {
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
	informers, err := cache.New(cfg, cache.Options{Scheme: scheme, NewInformer: scope.NewInformer(resourceOf)})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = informers.Start(ctx) }()
	for _, obj := range []client.Object{secretMeta, &corev1.ConfigMap{}, &hooksv1alpha1.Webhook{}} {
		if _, err := informers.GetInformer(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	if !informers.WaitForCacheSync(ctx) {
		t.Fatal("the caches did not sync")
	}
	received := func(r string) float64 { return promtestutil.ToFloat64(receivedTotal.WithLabelValues(r)) }
	filtered := func(r string) float64 { return promtestutil.ToFloat64(filteredTotal.WithLabelValues(r)) }
	filteredBefore := filtered("configmaps") + filtered("secrets") + filtered("webhooks")

	// check compares what the caches hold with what the API server has in the scope's slots.
	check := func(step string, slots []Slot) {
		t.Helper()
		wait, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := scope.WaitListed(wait, gen); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		for _, kind := range []struct {
			list, all client.ObjectList
		}{
			{list: &corev1.ConfigMapList{}, all: &corev1.ConfigMapList{}},
			{list: metaList("SecretList"), all: metaList("SecretList")},
			{list: &hooksv1alpha1.WebhookList{}, all: &hooksv1alpha1.WebhookList{}},
		} {
			if err := c.List(ctx, kind.all); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, ns := range namespacesOf(t, kind.all) {
				if Covered(slots, ns) {
					want = append(want, ns)
				}
			}
			if err := informers.List(ctx, kind.list); err != nil {
				t.Fatal(err)
			}
			if got := namespacesOf(t, kind.list); !slices.Equal(got, want) {
				t.Errorf("%s: %T cache holds the namespaces %v, want %v", step, kind.list, got, want)
			}
		}
	}
	check("first scope", slotsOf(names[:4]...))
	// The typed ConfigMap list tells the mode by itself (the echo, or the objects it dropped).
	if got := scope.Mode(); got != wantMode {
		t.Errorf("mode %q after the lists, want %q", got, wantMode)
	}
	// The probe asks the server straight away.
	if got, err := scope.ProbeMode(ctx, c, "default"); err != nil || got != wantMode {
		t.Errorf("ProbeMode: %q, %v; want %q", got, err, wantMode)
	}
	if got := scope.Mode(); got != wantMode {
		t.Errorf("mode %q, want %q", got, wantMode)
	}
	if got := promtestutil.ToFloat64(modeGauge.WithLabelValues(string(wantMode))); got != 1 {
		t.Errorf("hookkeeper_sharding_mode{mode=%q} = %v, want 1", wantMode, got)
	}

	// A new scope: the caches lose the namespaces that left and gain those that came.
	gen = scope.Set(slotsOf(names[3:7]...))
	check("second scope", slotsOf(names[3:7]...))

	// Watch events: an object outside the scope never reaches the cache; one inside does. The
	// one inside is created last, so once it is cached the other's event has passed.
	receivedBefore := received("configmaps")
	mustCreate(t, c, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: names[0], Name: "outside"}})
	mustCreate(t, c, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: names[4], Name: "inside"}})
	deadline := time.Now().Add(30 * time.Second)
	for {
		cm := &corev1.ConfigMap{}
		err := informers.Get(ctx, client.ObjectKey{Namespace: names[4], Name: "inside"}, cm)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ConfigMap inside the scope never reached the cache: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	check("after watch events", slotsOf(names[3:7]...))

	switch wantMode {
	case ModeServer:
		// Custom resources and metadata lists too: the server cut them, though it does not say so.
		if got := filtered("configmaps") + filtered("secrets") + filtered("webhooks") - filteredBefore; got != 0 {
			t.Errorf("the server applied the selector, yet the replica dropped %v objects", got)
		}
		if got := received("configmaps") - receivedBefore; got != 1 {
			t.Errorf("the watch delivered %v ConfigMap events, want 1 (the one inside the scope)", got)
		}
	case ModeClient:
		for _, r := range []string{"configmaps", "secrets", "webhooks"} {
			if filtered(r) == 0 {
				t.Errorf("the server sent every %s, yet the replica dropped none", r)
			}
		}
		if got := filtered("configmaps") + filtered("secrets") + filtered("webhooks") - filteredBefore; got == 0 {
			t.Error("the server sent everything, yet the replica dropped nothing")
		}
		if got := received("configmaps") - receivedBefore; got != 2 {
			t.Errorf("the watch delivered %v ConfigMap events, want 2 (the server filters nothing)", got)
		}
	}

	// The API server takes the selector of a few hundred ranges that a member holds when many
	// namespaces crowd (every other slot of 12 bits: 1,024 ranges).
	var many []Slot
	for p := uint64(0); p < 1<<12; p += 4 {
		many = append(many, Slot{Prefix: p, Bits: 12})
	}
	if n := len(Selector(many).Requirements()); n != 1024 {
		t.Fatalf("%d ranges, want 1024", n)
	}
	var cms corev1.ConfigMapList
	if err := c.List(ctx, &cms, &client.ListOptions{Raw: &metav1.ListOptions{ShardSelector: Selector(many).String()}}); err != nil {
		t.Errorf("the API server refuses a selector of 1024 ranges (%d bytes): %v", len(Selector(many).String()), err)
	}

	// An empty scope: the caches empty (and the API server takes the selector).
	gen = scope.Set(nil)
	check("empty scope", nil)
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
