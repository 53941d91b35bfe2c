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

package providers_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hookkeeper/hookkeeper/providers"
)

func TestExcerpt(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain text is kept", "name is required", "name is required"},
		{"empty", "", ""},
		{"newlines cannot forge a log line", "bad request\r\nlevel=info msg=\"all good\"", `bad request level=info msg="all good"`},
		{"tabs and runs of spaces collapse", "a\t\t b   \n\n c", "a b c"},
		{"leading and trailing blanks go", " \n\t hello \r\n", "hello"},
		{"ANSI colour sequences go whole", "\x1b[31mred\x1b[0m and \x1b[1;4mbold\x1b[m", "red and bold"},
		{"ANSI OSC title sequence goes whole", "\x1b]0;pwned\x07text", "text"},
		{"ANSI OSC ended by ST", "a\x1b]8;;http://evil\x1b\\b", "a b"},
		{"a lone ESC is a space", "a\x1bb", "a b"},
		{"C1 controls", "a\u0085b\u009bc", "a b c"},
		{"bidi override cannot reorder text", "invoice \u202egpj.exe\u202c done", "invoice gpj.exe done"},
		{"bidi isolates and marks", "\u2066a\u2069\u200fb\u061c", "a b"},
		{"zero-width and BOM", "a\u200bb\ufeffc", "a b c"},
		{"line and paragraph separators", "a\u2028b\u2029c", "a b c"},
		{"no-break space", "a\u00a0b", "a b"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb\xc3", "a\ufffdb\ufffd"},
		{"non-ASCII letters are kept", "Größe ungültig: 日本語", "Größe ungültig: 日本語"},
		{"exactly 200 characters are not cut", strings.Repeat("é", 200), strings.Repeat("é", 200)},
		{"200 characters and trailing blanks are not cut", strings.Repeat("x", 200) + "\n \t", strings.Repeat("x", 200)},
		{"201 characters are cut", strings.Repeat("é", 201), strings.Repeat("é", 199) + "…"},
		{"the cut drops a space before the ellipsis", strings.Repeat("x", 198) + " yz", strings.Repeat("x", 198) + "…"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := providers.Excerpt(c.in); got != c.want {
				t.Fatalf("Excerpt(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestExcerptOfAMebibyte(t *testing.T) {
	in := strings.Repeat("error \x1b[31m\r\n", (1<<20)/14)
	got := providers.Excerpt(in)
	if n := utf8.RuneCountInString(got); n != providers.MaxExcerpt {
		t.Fatalf("Excerpt of 1 MiB has %d characters, want %d", n, providers.MaxExcerpt)
	}
	if !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "error error ") {
		t.Fatalf("Excerpt of 1 MiB = %q, want the first words and an ellipsis", got)
	}
	if strings.ContainsAny(got, "\x1b\r\n[") {
		t.Fatalf("Excerpt of 1 MiB kept an escape or a line break: %q", got)
	}
}

func TestErrorIsOneSanitizedLine(t *testing.T) {
	cause := &causeError{"dial: \x1b[2Jcleared\nsecond line"}
	cases := []struct {
		name string
		err  *providers.Error
		want string
	}{
		{"message", &providers.Error{Provider: "p", Op: "get", StatusCode: 400, Message: "bad\r\nlevel=error forged", TrackingID: "id\n1"},
			"p get: HTTP 400: bad level=error forged (trackingId id 1)"},
		{"cause", &providers.Error{Provider: "p", Op: "get", Err: cause}, "p get: dial: cleared second line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Fatalf("Error() = %q, want %q", got, c.want)
			}
		})
	}
}

type causeError struct{ msg string }

func (e *causeError) Error() string { return e.msg }

// hostile is text a server the tenant runs could answer: a terminal escape that clears the
// screen and colours, bidi controls that reorder what an administrator reads, zero-width
// characters that hide a difference, line breaks that forge a log line.
const hostile = "\x1b[2J\x1b[31mok\x1b[0m \u202edelete\u202c \u2066x\u2069 a\u200bb\u200c\u200d\ufeff\u200e\u200f\r\nlevel=info msg=forged \x1b]0;title\x07 \u0085\u009b"

// hundredKB is a 100 KB answer: as a status field, it would make every status write fail.
var hundredKB = strings.Repeat("abcdefghij", 10<<10)

// clean reports what is wrong with s as text for a status, an event or a log line, or "".
func clean(s string) string {
	for _, r := range s {
		switch {
		case r == '\x1b' || unicode.IsControl(r):
			return fmt.Sprintf("control character %U", r)
		case unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("format character %U", r)
		case unicode.In(r, unicode.Zl, unicode.Zp):
			return fmt.Sprintf("separator %U", r)
		}
	}
	return ""
}

func TestLine(t *testing.T) {
	cases := []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain text is kept", "remote webhook 42 is active", 0, "remote webhook 42 is active"},
		{"terminal escapes, bidi and zero-width characters go", hostile, 0,
			"ok delete x a b level=info msg=forged"},
		{"at the limit is not cut", strings.Repeat("x", 10), 10, strings.Repeat("x", 10)},
		{"one byte over is cut", strings.Repeat("x", 11), 10, strings.Repeat("x", 7) + "…"},
		{"a cut never splits a character", strings.Repeat("é", 10), 10, strings.Repeat("é", 3) + "…"},
		{"invalid UTF-8 counts as the three bytes of U+FFFD", "\xff\xff\xff\xff", 10, "\ufffd\ufffd…"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := providers.Line(c.in, c.max)
			if got != c.want {
				t.Fatalf("Line(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
			}
			if c.max > 0 && len(got) > c.max {
				t.Fatalf("Line(%q, %d) has %d bytes", c.in, c.max, len(got))
			}
		})
	}
}

func TestLineOfHundredKB(t *testing.T) {
	for name, in := range map[string]string{
		"ASCII":                       hundredKB,
		"hostile":                     strings.Repeat(hostile, (100<<10)/len(hostile)),
		"four-byte characters":        strings.Repeat("𝄞", 25<<10),
		"escapes around every letter": strings.Repeat("\x1b[1ma\u202e", 10<<10),
	} {
		t.Run(name, func(t *testing.T) {
			got := providers.Line(in, 0)
			if len(got) > providers.MaxMessage || !strings.HasSuffix(got, "…") {
				t.Fatalf("Line of 100 KB has %d bytes (ends %q), want at most %d and an ellipsis", len(got), got[max(0, len(got)-8):], providers.MaxMessage)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("Line of 100 KB is not valid UTF-8")
			}
			if why := clean(got); why != "" {
				t.Fatalf("Line of 100 KB kept a %s", why)
			}
		})
	}
}

func TestState(t *testing.T) {
	cases := []struct{ in, want string }{
		{"active", "active"},
		{"pending", "pending"},
		{"re-activated_2", "re-activated_2"},
		{"ACTIVE", "active"},
		{" Inactive\n", "inactive"},
		{"", ""},
		{strings.Repeat("a", providers.MaxState), strings.Repeat("a", providers.MaxState)},
		{strings.Repeat("a", providers.MaxState+1), providers.UnknownState},
		{hundredKB, providers.UnknownState},
		{"\x1b[31mactive\x1b[0m", providers.UnknownState},
		{"act\u202eive", providers.UnknownState},
		{"\u2066active\u2069", providers.UnknownState},
		{"active\u200b", providers.UnknownState},
		{"act\u200eive", providers.UnknownState},
		{"active\r\nlevel=info", providers.UnknownState},
		{"not active", providers.UnknownState},
		{"aktiv\u00e9", providers.UnknownState},
		// The Kelvin sign lowers to "k" with strings.ToLower: only ASCII capitals are lowered.
		{"\u212Aelvin", providers.UnknownState},
		{"\u0085", providers.UnknownState},
	}
	for _, c := range cases {
		if got := providers.State(c.in); got != c.want {
			t.Errorf("State(%.40q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := providers.State(providers.UnknownState); got != providers.UnknownState {
		t.Errorf("State(UnknownState) = %q: State must be idempotent", got)
	}
}

func TestValidID(t *testing.T) {
	cases := []struct {
		name, id string
		max      int
		want     bool
	}{
		{"PageSeeder number", "790", 20, true},
		{"Webex base64", "Y2lzY29zcGFyazovL3VzL1dFQkhPT0svOTZhYmMyYWEtM2RjYy0xMWU1LWExNTItZmUzNDgxOWNkYzlh", 256, true},
		{"APS UUID", "0f60f6a0-d4b3-11e7-9f0b-bf4e1ba2d8f4", 128, true},
		{"8x8 composite with a non-ASCII sub-account", "0123456789abcdef0123456789abcdef/Verkäufe/MSG", 256, true},
		{"8x8 account-wide", "0123456789abcdef0123456789abcdef/*/MSG", 256, true},
		{"empty", "", 256, false},
		{"at the limit", strings.Repeat("a", 36), 36, true},
		{"over the limit", strings.Repeat("a", 37), 36, false},
		{"limit counts characters", strings.Repeat("ä", 36), 36, true},
		{"never over MaxID", strings.Repeat("a", providers.MaxID+1), 1 << 20, false},
		{"100 KB", hundredKB, 1 << 20, false},
		{"terminal escape", "\x1b[2J790", 256, false},
		{"bidi override", "790\u202e", 256, false},
		{"bidi isolate", "\u2066790\u2069", 256, false},
		{"bidi mark", "79\u200f0", 256, false},
		{"zero-width space", "7\u200b90", 256, false},
		{"zero-width joiner", "7\u200d90", 256, false},
		{"BOM", "\ufeff790", 256, false},
		{"space", "79 0", 256, false},
		{"no-break space", "79\u00a00", 256, false},
		{"line break", "790\nlevel=info", 256, false},
		{"C1 control", "790\u0085", 256, false},
		{"line separator", "790\u2028", 256, false},
		{"invalid UTF-8", "79\xff0", 256, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := providers.ValidID(c.id, c.max); got != c.want {
				t.Fatalf("ValidID(%.60q, %d) = %v, want %v", c.id, c.max, got, c.want)
			}
		})
	}
}

func TestMalformedIDQuotesNothing(t *testing.T) {
	err := providers.MalformedID("saas", "create", "id")
	if err.Kind != providers.KindUnavailable || err.Provider != "saas" || err.Op != "create" {
		t.Fatalf("MalformedID = %+v, want KindUnavailable for saas create", err)
	}
	if got, want := err.Error(), "saas create: malformed answer: id is not a usable webhook id"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestErrorCutsItsText(t *testing.T) {
	for name, e := range map[string]*providers.Error{
		"message":     {Provider: "p", Op: "list", Message: "unreadable response: " + hostile + hundredKB},
		"cause":       {Provider: "p", Op: "list", Err: &causeError{hostile + hundredKB}},
		"tracking id": {Provider: "p", Op: "list", Message: "bad", TrackingID: hostile + hundredKB},
	} {
		t.Run(name, func(t *testing.T) {
			got := e.Error()
			if len(got) > providers.MaxMessage+2*providers.MaxExcerpt+100 {
				t.Fatalf("Error() of a 100 KB text has %d bytes", len(got))
			}
			if why := clean(got); why != "" {
				t.Fatalf("Error() kept a %s: %q", why, got)
			}
			if !strings.Contains(got, "…") {
				t.Fatalf("Error() = %.80q…, want the cut marked with an ellipsis", got)
			}
		})
	}
}
