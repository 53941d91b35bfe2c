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
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hookkeeper/hookkeeper/providers"
)

// The fuzz targets below cover the helpers every provider shares. Plain `go test` runs their seeds.

// FuzzParseRetryAfter reads Retry-After values: never a panic, never less than the minimum, never
// more than the cap unless the caller's default or minimum is, and the default for an empty header.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", " ", "0", "1", "120", " 7 ", "-1", "+5", "05", "1.5", "1e3", "9223372036854775807",
		"99999999999999999999", "Mon, 02 Jan 2006 15:04:05 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", "Sun, 06 Nov 1994 08:49:37 XYZ",
		"Monday, 02-Jan-06 15:04:05 GMT", "\xff", "5 5"} {
		f.Add(s, int64(10*time.Second), int64(time.Second))
	}
	f.Add("3", int64(-1), int64(-1))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, value string, def, min int64) {
		d := providers.ParseRetryAfter(value, now, time.Duration(def), time.Duration(min))
		if d < time.Duration(min) {
			t.Fatalf("ParseRetryAfter(%q, def %d, min %d) = %v, below the minimum", value, def, min, d)
		}
		if ceiling := max(providers.MaxRetryAfter, time.Duration(def), time.Duration(min)); d > ceiling {
			t.Fatalf("ParseRetryAfter(%q, def %d, min %d) = %v, above the cap", value, def, min, d)
		}
		if strings.TrimSpace(value) == "" && d != max(time.Duration(def), time.Duration(min)) {
			t.Fatalf("ParseRetryAfter(%q, def %d, min %d) = %v, not the default", value, def, min, d)
		}
	})
}

// FuzzKindForStatus maps any status to a known kind, and the documented ones as documented.
func FuzzKindForStatus(f *testing.F) {
	for _, c := range []int{-1, 0, 100, 200, 302, 400, 401, 403, 404, 408, 409, 410, 422, 423, 429, 500, 503, 599, 999, 1 << 40} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, code int) {
		k := providers.KindForStatus(code)
		if k.String() == "Unknown" {
			t.Fatalf("KindForStatus(%d) = %d, not a known kind", code, k)
		}
		if code >= 500 && k != providers.KindUnavailable {
			t.Fatalf("KindForStatus(%d) = %v, want Unavailable", code, k)
		}
		if e := (&providers.Error{Kind: k, StatusCode: code}); e.Error() == "" {
			t.Fatalf("empty error text for %d", code)
		}
	})
}

// FuzzScrub replaces every secret of four or more characters: once the placeholders are set
// aside, no such secret is left in the text. Secrets holding a bracket are skipped, since they
// could be spelled by the placeholder itself.
func FuzzScrub(f *testing.F) {
	f.Add("bearer tok-1234 refused", "tok-1234", "1234")
	f.Add("abcdabcdabcd", "abcdabcd", "bcda")
	f.Add("aaaaaaaaa", "aaaa", "aaa")
	f.Add("x", "", "redacted")
	f.Add("[redacted]redacted", "redacted", "acte")
	f.Add("é\xffé\xff", "\xffé\xff", "é\xff")
	f.Fuzz(func(t *testing.T, s, secret1, secret2 string) {
		out := providers.Scrub(s, secret1, secret2)
		if strings.ContainsAny(secret1+secret2, "[]\x00") {
			return
		}
		rest := strings.ReplaceAll(out, "[redacted]", "\x00")
		for _, secret := range []string{secret1, secret2} {
			if len(secret) >= 4 && strings.Contains(rest, secret) {
				t.Fatalf("Scrub(%q, %q, %q) = %q still holds %q", s, secret1, secret2, out, secret)
			}
		}
		if secret1 == "" && secret2 == "" && out != s {
			t.Fatalf("Scrub(%q) without secrets changed it to %q", s, out)
		}
	})
}

// FuzzExcerpt: whatever a server sends, the excerpt is valid UTF-8, one line without control,
// format or escape characters, no longer than MaxExcerpt characters, without doubled or edge
// spaces, and the excerpt of an excerpt is itself.
func FuzzExcerpt(f *testing.F) {
	for _, s := range []string{"", "plain", "a\r\nb", "\x1b[31mred\x1b[0m", "\x1b]0;t\x07x", "\u202eabc", "\xff\xfe",
		strings.Repeat("é", 201), strings.Repeat(" x", 150), "\x1b[", "\x1b]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := providers.Excerpt(s)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > providers.MaxExcerpt {
			t.Fatalf("Excerpt(%q) = %q: invalid UTF-8 or too long", s, got)
		}
		if strings.Contains(got, "  ") || strings.TrimSpace(got) != got {
			t.Fatalf("Excerpt(%q) = %q: doubled or edge spaces", s, got)
		}
		for _, r := range got {
			if r != ' ' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r)) {
				t.Fatalf("Excerpt(%q) = %q keeps %U", s, got, r)
			}
		}
		if again := providers.Excerpt(got); again != got {
			t.Fatalf("Excerpt is not idempotent: %q then %q", got, again)
		}
	})
}

// FuzzLineStateID: whatever a server sends, Line gives valid UTF-8 on one line without control,
// format or escape characters within its byte limit, and again the same; State gives a token of
// at most MaxState lower-case letters, digits, "-" and "_", or UnknownState, and again the same;
// and an id that ValidID accepts holds no such character either.
func FuzzLineStateID(f *testing.F) {
	for _, s := range []string{"", "active", "ACTIVE", " pending\n", "\x1b[31mactive", "act\u202eive", "a\u200bb", "\xff",
		strings.Repeat("a", 33), strings.Repeat("é", 600), "0f60f6a0-d4b3-11e7-9f0b-bf4e1ba2d8f4", "790\u2069"} {
		f.Add(s, uint16(1024))
	}
	f.Fuzz(func(t *testing.T, s string, limit uint16) {
		maxBytes := 4 + int(limit%4096)
		got := providers.Line(s, maxBytes)
		if !utf8.ValidString(got) || len(got) > maxBytes {
			t.Fatalf("Line(%q, %d) = %q: invalid UTF-8 or too long", s, maxBytes, got)
		}
		for _, r := range got {
			if r != ' ' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r)) {
				t.Fatalf("Line(%q) = %q keeps %U", s, got, r)
			}
		}
		if again := providers.Line(got, maxBytes); again != got {
			t.Fatalf("Line is not idempotent: %q then %q", got, again)
		}
		state := providers.State(s)
		if len(state) > providers.MaxState || strings.Trim(state, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("State(%q) = %q is no token", s, state)
		}
		if providers.State(state) != state {
			t.Fatalf("State is not idempotent: %q then %q", state, providers.State(state))
		}
		if providers.ValidID(s, providers.MaxID) {
			for _, r := range s {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
					t.Fatalf("ValidID accepts %q, which holds %U", s, r)
				}
			}
		}
	})
}
