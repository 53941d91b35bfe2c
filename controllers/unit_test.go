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
	"strings"
	"testing"
	"time"
)

func TestGates(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	g := NewGates(func() time.Time { return now })
	if w := g.Wait("acct"); w != 0 {
		t.Fatalf("an unknown key waits %s", w)
	}
	g.Block("acct", 10*time.Second)
	g.Block("acct", 2*time.Second) // a shorter wait never shortens a longer one
	if w := g.Wait("acct"); w != 10*time.Second {
		t.Fatalf("Wait = %s, want 10s", w)
	}
	if w := g.Wait("other"); w != 0 {
		t.Fatalf("another credential waits %s", w)
	}
	now = now.Add(10 * time.Second)
	if w := g.Wait("acct"); w != 0 {
		t.Fatalf("Wait after the deadline = %s", w)
	}
}

func TestReactivationDelayDoubles(t *testing.T) {
	r := &WebhookReconciler{Options: Options{ReactivationDelay: 5 * time.Minute}}
	want := []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute}
	for n, w := range want {
		if got := r.reactivationDelay(int32(n)); got != w {
			t.Errorf("reactivationDelay(%d) = %s, want %s", n, got, w)
		}
	}
	if got := r.reactivationDelay(100); got != 5*time.Minute*256 {
		t.Errorf("the delay must be capped, got %s", got)
	}
}

func TestCredentialKeyAndSecretHash(t *testing.T) {
	a := credentialKey("Example", map[string][]byte{"token": []byte("tok-1")})
	b := credentialKey("Example", map[string][]byte{"token": []byte("tok-2")})
	if a == b || a != credentialKey("Example", map[string][]byte{"token": []byte("tok-1")}) {
		t.Fatal("credentialKey must be stable per credential and differ between credentials")
	}
	if credentialKey("Other", map[string][]byte{"token": []byte("tok-1")}) == a {
		t.Fatal("credentialKey must differ between providers")
	}
	for _, k := range []string{a, b} {
		if len(k) > 64 || strings.Contains(k, "tok-1") || strings.Contains(k, "tok-2") {
			t.Fatalf("credentialKey leaks the credential: %s", k)
		}
	}
}

func TestMaxBackoffStaysWithinHalfAResync(t *testing.T) {
	for _, tc := range []struct{ resync, want time.Duration }{
		{10 * time.Minute, 5 * time.Minute},
		{time.Minute, 30 * time.Second},
		{time.Second, time.Second},
		{0, time.Second},
	} {
		r := &WebhookReconciler{Options: Options{ResyncPeriod: tc.resync}}
		if got := r.maxBackoff(); got != tc.want {
			t.Errorf("resync %s: max backoff %s, want %s", tc.resync, got, tc.want)
		}
	}
}
