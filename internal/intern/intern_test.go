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
	"strings"
	"testing"
	"unsafe"
)

// TestEqualStringsShareOneCopy: two equal strings built apart come back as one copy; Strings
// copies the slice and keeps nil for none.
func TestEqualStringsShareOneCopy(t *testing.T) {
	a, b := strings.Repeat("active", 2), strings.Repeat("active", 2)
	if unsafe.StringData(a) == unsafe.StringData(b) {
		t.Fatal("the test's strings already share their bytes")
	}
	ia, ib := String(a), String(b)
	if ia != a || unsafe.StringData(ia) != unsafe.StringData(ib) {
		t.Errorf("String gave %q and %q at %p and %p, want one copy", ia, ib, unsafe.StringData(ia), unsafe.StringData(ib))
	}
	if String("") != "" || Strings(nil) != nil || Strings([]string{}) != nil {
		t.Error("empty input does not stay empty")
	}
	in := []string{a, b}
	out := Strings(in)
	if &out[0] == &in[0] || out[0] != a || unsafe.StringData(out[0]) != unsafe.StringData(out[1]) {
		t.Errorf("Strings(%q) = %q: want a new slice of one shared copy", in, out)
	}
}
