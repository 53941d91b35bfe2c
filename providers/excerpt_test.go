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
	"strings"
	"testing"
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
