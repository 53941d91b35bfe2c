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

// MaxMessage is the most bytes Line keeps by default, its ellipsis included. It is the Kubernetes
// limit of an event's note, so that one line fits an event, a condition and a log line alike; a
// longer note makes the API server refuse the event.
const MaxMessage = 1024

// ellipsis marks an excerpt that was cut.
const ellipsis = "…"

// Excerpt makes text from a SaaS answer safe for a status, an event or a log line: a server
// (for PageSeeder, one the tenant may run) must not be able to forge log lines, hide text behind
// terminal escapes or bidi overrides, or fill the status with a megabyte of body. Control and
// format characters (\r, \n, \t, ANSI escape sequences, bidi controls, zero-width characters)
// and every kind of space become one space, runs of spaces collapse, invalid UTF-8 becomes
// U+FFFD, and text longer than MaxExcerpt characters is cut with an ellipsis.
func Excerpt(s string) string {
	return sanitize(s, MaxExcerpt, 0)
}

// Line makes a whole message safe for a status condition, an event or a log line, as Excerpt
// does for the SaaS's part of it, and cuts it to at most maxBytes bytes (MaxMessage when
// maxBytes is 0 or less) with an ellipsis: the operator's own text around an excerpt, or a
// value from the spec quoted in full, must not make a status write or an event fail on size
// either, which would fail it again at every retry.
func Line(s string, maxBytes int) string {
	if maxBytes <= 0 {
		maxBytes = MaxMessage
	}
	return sanitize(s, 0, maxBytes)
}

// sanitize is Excerpt with limits of its own: at most maxRunes characters and at most maxBytes
// bytes, each ignored when 0 or less. It stops at the limit, so that a 1 MiB message costs little
// more than a short one.
func sanitize(s string, maxRunes, maxBytes int) string {
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
		// An invalid byte decodes as utf8.RuneError, which is written as U+FFFD, three bytes.
		needRunes, needBytes := 1, utf8.RuneLen(r)
		if pendingSpace {
			needRunes, needBytes = 2, needBytes+1
		}
		if (maxRunes > 0 && runes+needRunes > maxRunes) || (maxBytes > 0 && b.Len()+needBytes > maxBytes) {
			return cut(b.String(), maxRunes, maxBytes)
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
		runes += needRunes
	}
	return b.String()
}

// cut shortens an excerpt that has more to come, so that it ends with the ellipsis and still
// has at most maxRunes characters and maxBytes bytes (each ignored when 0 or less).
func cut(s string, maxRunes, maxBytes int) string {
	keepRunes, keepBytes := len(s), len(s)
	if maxRunes > 0 {
		keepRunes = maxRunes - utf8.RuneCountInString(ellipsis)
	}
	if maxBytes > 0 {
		keepBytes = maxBytes - len(ellipsis)
	}
	i := 0
	for n := 0; n < keepRunes && i < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		if i+size > keepBytes {
			break
		}
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

// MaxState is the longest state State keeps: status.state is a column of kubectl get webhooks.
const MaxState = 32

// UnknownState is what State reports for a state that is not a short token.
const UnknownState = "unknown"

// State turns the SaaS's word for a webhook's state into what status.state shows: 1 to MaxState
// of a-z, 0-9, '-' and '_', with ASCII capitals lowered and surrounding spaces trimmed; anything
// else, which no SaaS documents and a hostile server would send to reach an administrator's
// terminal or to make every status write fail on size, is UnknownState. An empty state stays
// empty: the SaaS reports none.
func State(s string) string {
	s = strings.Trim(s, " \t\r\n")
	if s == "" {
		return ""
	}
	if len(s) > MaxState {
		return UnknownState
	}
	lower := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c >= 'A' && c <= 'Z':
			lower = false
		default:
			return UnknownState
		}
	}
	if lower {
		return s
	}
	return strings.ToLower(s)
}

// MaxID is the longest remote id any provider accepts, in characters (8x8's composite ids reach
// 170); each provider may have a tighter limit of its own, fit to its SaaS's ids.
const MaxID = 256

// ValidID reports whether id, as a SaaS answered it, can name a remote webhook in status.id (a
// column of kubectl get webhooks), in messages, in log lines and in request paths: 1 to maxLen
// characters (never more than MaxID) of valid UTF-8, every character graphic and none a space, so
// no control, format (bidi controls, zero-width characters), separator or space character.
func ValidID(id string, maxLen int) bool {
	limit := min(maxLen, MaxID)
	// Checked in bytes first, so that a megabyte of id is refused without reading it.
	if id == "" || len(id) > 4*limit || !utf8.ValidString(id) {
		return false
	}
	n := 0
	for _, r := range id {
		if n++; n > limit || !unicode.IsGraphic(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// MalformedID is the error of a SaaS answer whose field should hold a webhook id and holds no
// usable one (see ValidID). The SaaS is at fault, not the spec, so it is KindUnavailable and the
// work queue's backoff paces the retries. It names the field but never quotes its value, which
// could be anything.
func MalformedID(provider, op, field string) *Error {
	return &Error{Kind: KindUnavailable, Provider: provider, Op: op,
		Message: "malformed answer: " + field + " is not a usable webhook id"}
}
