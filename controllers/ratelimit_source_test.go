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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
)

// TestOnlyTheSaaSRetryAfterReachesTheAccount: a 429 of the SaaS closes the replica's gate and is
// written into the account's status.rateLimitedUntil, which every replica follows; a request the
// client-side rate refused, or one a closed gate held back, closes the replica's own gate only:
// the rate is each replica's share, and the gate was closed by a Retry-After already recorded.
func TestOnlyTheSaaSRetryAfterReachesTheAccount(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := hooksv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		op, source string
		recorded   bool
	}{
		{op: "create", source: "saas", recorded: true},
		{op: ratelimit.OpThrottle, source: "client"},
		{op: ratelimit.OpHold, source: "gate"},
	} {
		t.Run(tt.source, func(t *testing.T) {
			ca := &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: "corp"}}
			c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(ca).WithStatusSubresource(ca).Build()
			r := &WebhookReconciler{Client: c, Recorder: events.NewFakeRecorder(4), Now: func() time.Time { return now }}
			r.Gates = NewGates(r.now)
			wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "hook"},
				Spec: hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex,
					AccountRef: &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: "corp"}}}
			err := &providers.Error{Kind: providers.KindRateLimited, Provider: "webex", Op: tt.op, RetryAfter: 8 * time.Second, Message: "wait"}
			if got := rateLimitSource(err); got != tt.source {
				t.Errorf("rateLimitSource = %q, want %q", got, tt.source)
			}
			res, ferr := r.failure(context.Background(), wh, "gate-key", err)
			if ferr != nil || res.RequeueAfter < 8*time.Second {
				t.Errorf("failure = %+v, %v; want a requeue after the 8 s", res, ferr)
			}
			if wait := r.Gates.Wait("gate-key"); wait != 8*time.Second {
				t.Errorf("the replica's gate is closed for %s, want 8s", wait)
			}
			var got hooksv1alpha1.ClusterAccount
			if err := c.Get(context.Background(), client.ObjectKey{Name: "corp"}, &got); err != nil {
				t.Fatal(err)
			}
			switch until := got.Status.RateLimitedUntil; {
			case tt.recorded && (until == nil || until.Time.Before(now.Add(8*time.Second))):
				t.Errorf("status.rateLimitedUntil = %v, want at least 8 s from now", until)
			case !tt.recorded && until != nil:
				t.Errorf("status.rateLimitedUntil = %v after a %s wait, want it unset", until, tt.source)
			}
		})
	}
}
