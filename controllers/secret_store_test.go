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
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestSecretStoreFollowsTheWatch: data read is served at its resource version only; a change drops
// it; a deletion remembers it for a while when Webhooks read the Secret, and never otherwise; a
// Secret created again forgets the deleted one.
func TestSecretStoreFollowsTheWatch(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	s := newSecretStore(time.Minute, func() time.Time { return now })
	key, other := client.ObjectKey{Namespace: "team-a", Name: "creds"}, client.ObjectKey{Namespace: "team-a", Name: "other"}
	data := map[string][]byte{"token": []byte("tok")}

	s.put(key, "1", data)
	if _, ok := s.get(key, "1"); !ok {
		t.Fatal("the data read at version 1 is not served")
	}
	if _, ok := s.get(key, "2"); ok {
		t.Fatal("data of version 1 served for version 2")
	}
	if old, ok := s.updated(key); !ok || string(old["token"]) != "tok" {
		t.Fatalf("updated returned %q, %t; want the data last read", old, ok)
	}
	if _, ok := s.get(key, "1"); ok {
		t.Fatal("the data of a changed Secret is still served")
	}

	s.put(key, "3", data)
	s.put(other, "1", data)
	s.removed(key, true)
	s.removed(other, false)
	if got, ok := s.recall(key); !ok || string(got["token"]) != "tok" {
		t.Fatalf("recall of a deleted Secret that Webhooks read = %q, %t", got, ok)
	}
	if _, ok := s.recall(other); ok {
		t.Fatal("a deleted Secret that no Webhook read is remembered")
	}
	s.created(key)
	if _, ok := s.recall(key); ok {
		t.Fatal("a Secret created again is still recalled as deleted")
	}

	s.put(key, "4", data)
	s.removed(key, true)
	now = now.Add(time.Minute)
	if _, ok := s.recall(key); ok {
		t.Fatal("a deleted Secret is remembered past its time")
	}
}
