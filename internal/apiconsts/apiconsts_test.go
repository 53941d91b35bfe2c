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

package apiconsts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStringsReadsThePrefixedConstants(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.go", "package p\n\nconst (\n\tReasonA = \"A\"\n\tReasonB, ReasonC = \"B\", `C`\n\tOther = \"x\"\n)\n")
	write("a_test.go", "package p\n\nconst ReasonTest = \"T\"\n")
	write("zz_generated.go", "package p\n\nconst ReasonGenerated = \"G\"\n")
	got, err := Strings(dir, "Reason")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ReasonA": "A", "ReasonB": "B", "ReasonC": "C"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	write("b.go", "package p\n\nconst ReasonComputed = \"a\" + \"b\"\n")
	if _, err := Strings(dir, "Reason"); err == nil || !strings.Contains(err.Error(), "ReasonComputed is not a plain string constant") {
		t.Errorf("a computed constant: got %v, want an error naming it", err)
	}
}

func TestStringsOfTheAPI(t *testing.T) {
	got, err := Strings(filepath.Join("..", "..", "api", "v1alpha1"), "Reason")
	if err != nil {
		t.Fatal(err)
	}
	if got["ReasonAvailable"] != "Available" || len(got) < 10 {
		t.Errorf("api/v1alpha1's reasons: %v", got)
	}
}
