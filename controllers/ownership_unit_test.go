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

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// TestOwnershipAnswers: the claims of this process come first, then the status records of the
// index; an owner in another namespace is never named; claim takes a free id in the same step;
// of two Webhooks that record one id, keeperOf gives it to the older.
func TestOwnershipAnswers(t *testing.T) {
	ctx := context.Background()
	claims := newAccounts(time.Now, 1, nil)
	acct := claims.get("cred", "list", "Mem|https://mem.test", nil)
	x := newWebhookIndex(nil)
	x.synced = func() bool { return true }
	o := &ownership{claims: claims, index: x}
	at := func(ns, name, id string, created int) *hooksv1alpha1.Webhook {
		wh := indexedWebhook(ns, name, "uid-"+name, id)
		wh.Status.RemoteAccount = acct.ident
		wh.CreationTimestamp = metav1.NewTime(time.Date(2026, 12, 1, created, 0, 0, 0, time.UTC))
		return wh
	}
	me, older, theirs, second := at("team-a", "me", "", 2), at("team-a", "older", "h2", 1), at("team-b", "theirs", "h3", 1), at("team-a", "second", "", 3)
	x.put(older)
	x.put(theirs)

	for _, tc := range []struct {
		name, id, want string
		ask            func(*hooksv1alpha1.Webhook, string) (string, error)
		who            *hooksv1alpha1.Webhook
	}{
		{"a free id is taken", "h1", "", func(wh *hooksv1alpha1.Webhook, id string) (string, error) { return o.claim(ctx, acct, wh, id) }, me},
		{"the claim is seen before any status write", "h1", "Webhook team-a/me", otherOn(ctx, o, acct), second},
		{"a status record of the index", "h2", "Webhook team-a/older", otherOn(ctx, o, acct), me},
		{"an owner in another namespace is not named", "h3", "a Webhook in another namespace", otherOn(ctx, o, acct), me},
		{"the younger of two records gives the id up", "h2", "Webhook team-a/older",
			func(wh *hooksv1alpha1.Webhook, id string) (string, error) { return o.keeperOf(ctx, acct, wh, id) }, me},
		{"the older keeps it", "h2", "", func(wh *hooksv1alpha1.Webhook, id string) (string, error) { return o.keeperOf(ctx, acct, wh, id) }, older},
	} {
		got, err := tc.ask(tc.who, tc.id)
		if err != nil || got != tc.want {
			t.Errorf("%s: owner %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if c, ok := claims.other(acct, second.UID, "h2"); !ok || c.key.Name != "older" {
		t.Errorf("keeperOf did not take h2 for the older Webhook: %v, %t", c, ok)
	}
}

// otherOn asks o.other on account object acct, as the table asks.
func otherOn(ctx context.Context, o *ownership, acct *account) func(*hooksv1alpha1.Webhook, string) (string, error) {
	return func(wh *hooksv1alpha1.Webhook, id string) (string, error) { return o.other(ctx, acct, wh, id) }
}
