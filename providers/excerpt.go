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

package providers

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxExcerpt is the most characters (runes) Excerpt keeps, its ellipsis included: enough for any
// SaaS's explanation, short enough that a status condition, an event or a log line stays readable.
const MaxExcerpt = 200

// ellipsis marks an excerpt that was cut.
const ellipsis = "…"

// Excerpt makes text from a SaaS answer safe for a status, an event or a log line: a server
// (for PageSeeder, one the tenant may run) must not be able to forge log lines, hide text behind
// terminal escapes or bidi overrides, or fill the status with a megabyte of body. Control and
// format characters (\r, \n, \t, ANSI escape sequences, bidi controls, zero-width characters)
// and every kind of space become one space, runs of spaces collapse, invalid UTF-8 becomes
// U+FFFD, and text longer than MaxExcerpt characters is cut with an ellipsis.
func Excerpt(s string) string {
	return sanitize(s, MaxExcerpt)
}

// sanitize is Excerpt with a limit of its own; limit <= 0 keeps every character. It stops at the
// limit, so that a 1 MiB message costs little more than a short one.
func sanitize(s string, limit int) string {
	var b strings.Builder
	runes, pendingSpace := 0, false
	for i := 0; i < len(s); {
		if n := escapeLength(s[i:]); n > 0 {
			i += n
			pendingSpace = b.Len() > 0
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if blank(r) {
			pendingSpace = b.Len() > 0
			continue
		}
		need := 1
		if pendingSpace {
			need = 2
		}
		if limit > 0 && runes+need > limit {
			return cut(b.String(), limit)
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r) // an invalid byte decodes as utf8.RuneError, written as U+FFFD
		runes += need
	}
	return b.String()
}

// cut shortens an excerpt of at most limit characters that has more to come, so that it ends
// with the ellipsis and still has at most limit characters.
func cut(s string, limit int) string {
	keep := limit - utf8.RuneCountInString(ellipsis)
	i := 0
	for n := 0; n < keep && i < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return strings.TrimRight(s[:i], " ") + ellipsis
}

// blank reports a character that is replaced by a space: every control (C0, C1, DEL), format
// (bidi controls, zero-width characters, BOM) and space character, line and paragraph separators
// included.
func blank(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) ||
		unicode.In(r, unicode.Zl, unicode.Zp)
}

// escapeLength returns the length of the ANSI escape sequence (CSI "ESC [ ... final" or OSC
// "ESC ] ... BEL or ESC \") at the start of s, or 0. Dropping the whole sequence, not only its
// ESC, keeps "[31m" and the like out of the excerpt.
func escapeLength(s string) int {
	if len(s) < 2 || s[0] != 0x1b {
		return 0
	}
	switch s[1] {
	case '[':
		// Parameter and intermediate bytes (0x20-0x3f), then one final byte (0x40-0x7e).
		for i := 2; i < len(s); i++ {
			switch c := s[i]; {
			case c >= 0x40 && c <= 0x7e:
				return i + 1
			case c < 0x20 || c > 0x7e:
				return i
			}
		}
		return len(s)
	case ']':
		for i := 2; i < len(s); i++ {
			switch {
			case s[i] == 0x07:
				return i + 1
			case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
				return i + 2
			}
		}
		return len(s)
	}
	return 0
}
