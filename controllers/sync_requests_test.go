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

import "testing"

// TestSyncRequestsSwap: the first value seen for a Webhook is recorded as seen, each later one
// returns the value it replaces, and forget starts the Webhook over.
func TestSyncRequestsSwap(t *testing.T) {
	var s syncRequests
	if old, seen := s.swap("uid-1", ""); seen || old != "" {
		t.Fatalf("first swap = %q, %t; want nothing seen", old, seen)
	}
	if old, seen := s.swap("uid-1", "t1"); !seen || old != "" {
		t.Fatalf("second swap = %q, %t; want \"\", seen", old, seen)
	}
	if old, _ := s.swap("uid-1", "t2"); old != "t1" {
		t.Fatalf("third swap returned %q, want t1", old)
	}
	if _, seen := s.swap("uid-2", "t2"); seen {
		t.Fatal("another Webhook's value counts as seen")
	}
	s.forget("uid-1")
	if _, seen := s.swap("uid-1", "t3"); seen {
		t.Fatal("a forgotten Webhook is still seen")
	}
}
