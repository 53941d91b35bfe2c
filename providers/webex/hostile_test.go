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

package webex_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// hostile are answers meant to reach an administrator's terminal, to hide or reorder what they
// read, or to make every status write fail on size.
var hostile = map[string]string{
	"terminal escapes":  "\x1b[2J\x1b[31mactive\x1b[0m",
	"bidi override":     "act\u202eevi",
	"bidi isolate":      "\u2066active\u2069",
	"zero-width space":  "act\u200bive",
	"line break":        "active\nlevel=error msg=forged",
	"100 KB":            strings.Repeat("Y2lzY29zcGFyaw", (100<<10)/14),
	"100 KB of escapes": strings.Repeat("\x1b[31m\u202e", 10<<10),
}

// TestHostileStatusBecomesUnknown: Get and List report a status no SaaS documents as "unknown".
func TestHostileStatusBecomesUnknown(t *testing.T) {
	for name, status := range hostile {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			h := e.srv.Seed(token, fake.Hook{Name: owner, TargetURL: "https://hooks.example.com/webex",
				Resource: "messages", Event: "created", Status: status})
			got, err := e.prov.Get(context.Background(), newRequest(), h.ID)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			list, err := e.prov.List(context.Background(), newRequest())
			if err != nil || len(list) != 1 {
				t.Fatalf("List = %d remotes, %v; want the one", len(list), err)
			}
			for op, r := range map[string]*providers.Remote{"Get": got, "List": list[0]} {
				if r.State != providers.UnknownState {
					t.Errorf("%s State = %.80q, want %q", op, r.State, providers.UnknownState)
				}
			}
		})
	}
}

// TestHostileIDIsRefused: a webhook whose id is not a usable id fails List and Get as a
// malformed answer that quotes none of it, rather than reach status.id, or be left out of the
// list (it may be the one a create just made, which the controller would then create again).
func TestHostileIDIsRefused(t *testing.T) {
	ids := map[string]string{"a space": "Y2lz Y29z", "over 256 characters": strings.Repeat("Y", 257)}
	for name, id := range hostile {
		ids[name] = id
	}
	for name, id := range ids {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.Seed(token, fake.Hook{ID: "Y2lzY29zcGFyazovL3VzL1dFQkhPT0svZmluZQ", Name: "team-a/fine"})
			e.srv.Seed(token, fake.Hook{ID: id, Name: owner, TargetURL: "https://hooks.example.com/webex",
				Resource: "messages", Event: "created"})
			_, err := e.prov.List(context.Background(), newRequest())
			assertRefused(t, "List", err, id)
			if len(id) < 4096 {
				_, err = e.prov.Get(context.Background(), newRequest(), id)
				assertRefused(t, "Get", err, id)
			}
		})
	}
}

func assertRefused(t *testing.T, op string, err error, id string) {
	t.Helper()
	if k := providers.KindOf(err); err == nil || k != providers.KindUnavailable {
		t.Fatalf("%s = %v (kind %v), want an Unavailable error", op, err, k)
	}
	if msg := err.Error(); strings.Contains(msg, id) || strings.ContainsAny(msg, "\x1b\u202e\u2066\u200b\n") {
		t.Fatalf("%s error quotes the id: %.120q", op, msg)
	}
	assertNoSecrets(t, err)
}
