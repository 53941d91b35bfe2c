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

package intern

import (
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestTableSharesAndStaysBounded: equal values share one copy; the table never holds more than
// MaxStrings values, and keeps no value longer than MaxLen.
func TestTableSharesAndStaysBounded(t *testing.T) {
	tb := &Table{MaxLen: 16, MaxStrings: 100}
	a, b := strings.Repeat("ab", 3), strings.Repeat("ab", 3)
	if unsafe.StringData(tb.String(a)) != unsafe.StringData(tb.String(b)) {
		t.Fatal("equal values do not share one copy")
	}
	for i := range 1000 {
		tb.String(strconv.Itoa(i))
		if n := tb.Len(); n > tb.MaxStrings {
			t.Fatalf("the table holds %d values, bound %d", n, tb.MaxStrings)
		}
	}
	long := strings.Repeat("x", tb.MaxLen+1)
	before := tb.Len()
	if got := tb.String(long); got != long || tb.Len() != before {
		t.Fatal("a value longer than MaxLen was kept")
	}
	if tb.String("") != "" {
		t.Fatal("the empty string changed")
	}
}
