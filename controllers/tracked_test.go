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

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// TestTrackedWritesWhatChanged: the status is written only when it differs from what was last
// written, never once the Webhook is released; a finalizer write keeps the status the reconcile
// computed.
func TestTrackedWritesWhatChanged(t *testing.T) {
	g := newRig(t, newMemSaaS(), hook("hook"))
	ctx := context.Background()
	wh := g.webhook("hook")
	s := &tracked{wh: wh, base: wh.DeepCopy()}
	version := func() string { return g.webhook("hook").ResourceVersion }

	before := version()
	if err := g.r.patchStatus(ctx, s); err != nil || version() != before {
		t.Fatalf("an unchanged status was written (%v)", err)
	}
	setReady(s.wh, metav1.ConditionFalse, hooksv1alpha1.ReasonCreating, "on its way")
	if err := g.r.patchStatus(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got := readyOf(g.webhook("hook")); got != hooksv1alpha1.ReasonCreating {
		t.Fatalf("Ready reason %q after the write, want Creating", got)
	}

	s.wh.Status.ID = "h1"
	s.wh.Finalizers = []string{hooksv1alpha1.Finalizer}
	if err := g.r.patchMeta(ctx, s); err != nil {
		t.Fatal(err)
	}
	if s.wh.Status.ID != "h1" || len(g.webhook("hook").Finalizers) != 1 {
		t.Fatalf("after the finalizer write: status.id %q, finalizers %v", s.wh.Status.ID, g.webhook("hook").Finalizers)
	}

	s.gone = true
	before = version()
	if err := g.r.patchStatus(ctx, s); err != nil || version() != before {
		t.Fatalf("a released Webhook's status was written (%v)", err)
	}
}
