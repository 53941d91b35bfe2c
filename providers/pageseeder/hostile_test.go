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

package pageseeder_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/hookkeeper/hookkeeper/providers"
)

// The serverUrl is the tenant's to choose, so every field of an answer may be hostile: these
// tests make the fake answer such fields and check what the provider reports.

// hostileTexts are answers meant to reach an administrator's terminal, to hide or reorder what
// they read, or to make every status write fail on size.
var hostileTexts = map[string]string{
	"terminal escapes":  "\x1b[2J\x1b[31mactive\x1b[0m",
	"OSC title":         "\x1b]0;owned\x07active",
	"bidi override":     "act\u202eevi",
	"bidi isolate":      "\u2066active\u2069",
	"bidi mark":         "active\u200f",
	"zero-width space":  "act\u200bive",
	"zero-width joiner": "act\u200dive",
	"BOM":               "\ufeffactive",
	"line break":        "active\nlevel=error msg=forged",
	"C1 control":        "active\u009b31m",
	"100 KB":            strings.Repeat("active", (100<<10)/6),
	"100 KB of escapes": strings.Repeat("\x1b[31m\u202e", 10<<10),
	"a space":           "not active",
	"33 letters":        strings.Repeat("a", providers.MaxState+1),
	"non-ASCII letters": "aktivé",
	"a Kelvin sign":     "\u212Aelvin",
	"invalid UTF-8":     "act\xffive",
	"a NUL":             "active\x00",
	"DEL":               "active\x7f",
	"line separator":    "active\u2028",
	"zero-width only":   "\u200b",
}

// assertSafeText fails when s could not go into a status, an event or a log line as it is.
func assertSafeText(t *testing.T, what, s string) {
	t.Helper()
	if len(s) > 2*providers.MaxMessage {
		t.Errorf("%s has %d bytes", what, len(s))
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp)
	}); i >= 0 {
		t.Errorf("%s holds a control or format character at %d: %.120q", what, i, s)
	}
}

// TestHostileStatusBecomesUnknown: whatever status the server answers, Get, List and Update
// report a short State token, and every status no SaaS documents is "unknown".
func TestHostileStatusBecomesUnknown(t *testing.T) {
	for name, status := range hostileTexts {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			// Without a ping, an update leaves the status as the server holds it.
			req := e.newRequest(func(r *providers.Request) { r.Spec.PageSeeder.Ping = boolPtr(false) })
			created, err := e.prov.Create(ctx, req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			id, _ := strconv.ParseInt(created.ID, 10, 64)
			e.srv.SetStatus(id, status)

			got, err := e.prov.Get(ctx, req, created.ID)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if got.State != providers.UnknownState {
				t.Errorf("Get State = %.80q, want %q", got.State, providers.UnknownState)
			}
			list, err := e.prov.List(ctx, req)
			if err != nil || len(list) != 1 {
				t.Fatalf("List = %d remotes, %v; want the one", len(list), err)
			}
			if list[0].State != providers.UnknownState {
				t.Errorf("List State = %.80q, want %q", list[0].State, providers.UnknownState)
			}
			// A change of projects, unlike one of the url, leaves the status as it was.
			req.Spec.PageSeeder.Projects = []string{"other"}
			updated, err := e.prov.Update(ctx, req, got)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if updated.State != providers.UnknownState {
				t.Errorf("Update State = %.80q, want %q", updated.State, providers.UnknownState)
			}
		})
	}
}

// TestKnownStatusesAreKept: the documented statuses, in any case, stay what they are.
func TestKnownStatusesAreKept(t *testing.T) {
	for status, want := range map[string]string{"active": "active", "pending": "pending", "Disabled": "disabled", "ERROR": "error"} {
		e := newEnv(t)
		ctx := context.Background()
		req := e.newRequest(func(r *providers.Request) { r.Spec.PageSeeder.Ping = boolPtr(false) })
		created, err := e.prov.Create(ctx, req)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		id, _ := strconv.ParseInt(created.ID, 10, 64)
		e.srv.SetStatus(id, status)
		got, err := e.prov.Get(ctx, req, created.ID)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if got.State != want {
			t.Errorf("status %q: State = %q, want %q", status, got.State, want)
		}
		if active := want != "disabled" && want != "error"; got.Active != active {
			t.Errorf("status %q: Active = %v, want %v", status, got.Active, active)
		}
	}
}

// TestHostileIDIsRefused: an id that is not a positive integer is a malformed answer: Create,
// Get, List and Update fail as Unavailable (never NotFound, which would have the controller
// create again), their errors quote none of it, and the webhook a refused create made is found
// by the list once the server answers its id again, so nothing is created twice.
func TestHostileIDIsRefused(t *testing.T) {
	ids := map[string]string{"zero": "0", "a negative number": "-790", "a huge number": strings.Repeat("9", 30)}
	for name, text := range hostileTexts {
		ids[name] = text
	}
	ids["digits and escapes"] = "\x1b[2J790"
	ids["digits and a bidi override"] = "790\u202e"
	ids["digits and a zero-width space"] = "7\u200b90"
	ids["100 KB of digits"] = strings.Repeat("7", 100<<10)
	for name, text := range ids {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			req := e.newRequest()
			existing, err := e.prov.Create(ctx, req)
			if err != nil {
				t.Fatalf("Create before the hostile answers: %v", err)
			}
			e.srv.SetWireID(func(int64) string { return text })

			_, err = e.prov.Create(ctx, e.newRequest(func(r *providers.Request) { r.Owner = "team-a/second" }))
			assertRefused(t, "Create", err, text)
			if n := len(e.srv.Hooks(internalID)); n != 2 {
				t.Fatalf("the server holds %d webhooks after one create and one refused answer, want 2", n)
			}
			_, err = e.prov.Get(ctx, req, existing.ID)
			assertRefused(t, "Get", err, text)
			_, err = e.prov.List(ctx, req)
			assertRefused(t, "List", err, text)
			moved := e.newRequest(func(r *providers.Request) { r.Spec.TargetURL = e.recv.url("/moved") })
			_, err = e.prov.Update(ctx, moved, existing)
			assertRefused(t, "Update", err, text)

			e.srv.SetWireID(nil)
			list, err := e.prov.List(ctx, req)
			if err != nil {
				t.Fatalf("List once the ids are numbers again: %v", err)
			}
			second := e.newRequest(func(r *providers.Request) { r.Owner = "team-a/second" })
			var found []string
			for _, r := range list {
				if e.prov.Matches(second, r) {
					found = append(found, r.ID)
				}
			}
			if len(found) != 1 {
				t.Fatalf("the refused create's webhook matches %d listed webhooks (%v), want 1 to adopt", len(found), found)
			}
		})
	}
}

func assertRefused(t *testing.T, op string, err error, hostile string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s accepted a hostile id", op)
	}
	if k := providers.KindOf(err); k != providers.KindUnavailable {
		t.Fatalf("%s: kind %v (%v), want Unavailable", op, k, err)
	}
	msg := err.Error()
	assertSafeText(t, op+" error", msg)
	if len(hostile) > 3 && strings.Contains(msg, hostile) {
		t.Fatalf("%s error quotes the hostile id: %.120q", op, msg)
	}
	assertNoSecrets(t, err)
}
