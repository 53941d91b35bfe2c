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

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

type allShards struct{}

func (allShards) Enter(string) bool { return true }
func (allShards) Leave(string)      {}
func (allShards) Owns(string) bool  { return true }

// The search before a create uses the operator's own snapshot of the account for up to a minute
// (never more than most of a resync period), except where a webhook made since the list may be
// missing from it: on a sharded replica, and for a Webhook that claims a webhook of other
// credentials.
func TestSearchAge(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	newReconciler := func(resync time.Duration, shards Shards, sharded bool) *WebhookReconciler {
		return &WebhookReconciler{Options: Options{ResyncPeriod: resync, Shards: shards, Sharded: sharded}, Now: clock,
			accounts: newAccounts(clock, 1, nil)}
	}
	wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{UID: "uid-1", Namespace: "ns", Name: "a"}}
	for _, tc := range []struct {
		name    string
		resync  time.Duration
		shards  Shards
		sharded bool
		want    time.Duration
	}{
		{"default resync", 10 * time.Minute, nil, false, time.Minute},
		{"short resync", 30 * time.Second, nil, false, 27 * time.Second},
		{"very short resync", 2 * time.Second, nil, false, unsettledAge},
		{"sharded", 10 * time.Minute, allShards{}, true, unsettledAge},
		// The elected leader gates on the whole space without sharding: its snapshot is its own.
		{"leader holding the whole space", 10 * time.Minute, allShards{}, false, time.Minute},
	} {
		r := newReconciler(tc.resync, tc.shards, tc.sharded)
		y := &syncCtx{tracked: &tracked{wh: wh}, acct: r.accounts.get("cred-1", "scope", "Example|scope", nil)}
		if got := r.searchAge(y); got != tc.want {
			t.Errorf("%s: searchAge = %s, want %s", tc.name, got, tc.want)
		}
	}

	r := newReconciler(10*time.Minute, nil, false)
	before := r.accounts.get("cred-1", "scope", "Example|scope", nil)
	after := r.accounts.get("cred-2", "scope", "Example|scope", nil)
	r.accounts.take(before, wh.UID, types.NamespacedName{Namespace: "ns", Name: "a"}, "remote-1")
	y := &syncCtx{tracked: &tracked{wh: wh}, acct: after}
	if got := r.searchAge(y); got != unsettledAge {
		t.Errorf("a Webhook that claims a webhook of other credentials: searchAge = %s, want %s", got, unsettledAge)
	}
	y.acct = before
	if got := r.searchAge(y); got != time.Minute {
		t.Errorf("a Webhook that claims a webhook of its own account: searchAge = %s, want 1m", got)
	}
}

// A snapshot younger than notBefore is not listed again; the operator's own creates and deletes
// are written into it, and find and matching read it without copying it.
func TestAccountSnapshotIsListedOnceAndKeptUpToDate(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	acct := newAccounts(clock, 1, nil).get("cred", "scope", "Example|scope", nil)
	lists := 0
	list := func(context.Context) ([]*providers.Remote, error) {
		lists++
		return []*providers.Remote{{ID: "a"}, {ID: "b"}}, nil
	}
	ctx := context.Background()
	if err := acct.snapshot(ctx, clock, now, list); err != nil {
		t.Fatal(err)
	}
	listed := now
	now = now.Add(50 * time.Second)
	acct.put(&providers.Remote{ID: "c"})
	acct.remove("a")
	if err := acct.snapshot(ctx, clock, now.Add(-time.Minute), list); err != nil {
		t.Fatal(err)
	}
	if lists != 1 {
		t.Fatalf("a snapshot listed 50s ago was listed again for a search that accepts a minute: %d lists", lists)
	}
	var ids []string
	for _, r := range acct.matching(func(*providers.Remote) bool { return true }) {
		ids = append(ids, r.ID)
	}
	if len(ids) != 2 || ids[0] != "b" || ids[1] != "c" {
		t.Fatalf("snapshot holds %v, want [b c]: the operator's own create and delete written in", ids)
	}
	if _, ok := acct.find("a"); ok {
		t.Fatal("a deleted webhook is still in the snapshot")
	}
	if err := acct.snapshot(ctx, clock, listed.Add(time.Second), list); err != nil || lists != 2 {
		t.Fatalf("a snapshot older than notBefore must be listed again: %d lists, err %v", lists, err)
	}
	acct.invalidate()
	if err := acct.snapshot(ctx, clock, time.Time{}, list); err != nil || lists != 3 {
		t.Fatalf("an invalidated snapshot must be listed again: %d lists, err %v", lists, err)
	}
}

// The cache keeps neither managedFields nor kubectl's last-applied-configuration annotation.
func TestStripUnread(t *testing.T) {
	wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{
		Annotations: map[string]string{
			corev1.LastAppliedConfigAnnotation:           `{"big":"object"}`,
			hooksv1alpha1.AnnotationReconcileRequestedAt: "now",
		},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
	}}
	out, err := stripUnread(wh)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*hooksv1alpha1.Webhook)
	if got.ManagedFields != nil {
		t.Error("managedFields kept")
	}
	if _, ok := got.Annotations[corev1.LastAppliedConfigAnnotation]; ok {
		t.Error("last-applied-configuration kept")
	}
	if got.Annotations[hooksv1alpha1.AnnotationReconcileRequestedAt] != "now" {
		t.Error("another annotation was dropped")
	}
	only := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		Annotations: map[string]string{corev1.LastAppliedConfigAnnotation: "{}"}}}
	if _, err := stripUnread(only); err != nil || only.Annotations != nil {
		t.Errorf("annotations %v, err %v: want none left", only.Annotations, err)
	}
}
