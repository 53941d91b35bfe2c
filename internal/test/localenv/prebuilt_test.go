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

package localenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildOperatorUsesThePrebuiltBinary: with PrebuiltOperatorEnv set, as make test sets it,
// BuildOperator copies that binary, and compiles nothing (the root here holds no Go code, so a
// build would fail); a path that is not an executable file is an error that names the variable.
func TestBuildOperatorUsesThePrebuiltBinary(t *testing.T) {
	dir := t.TempDir()
	prebuilt := filepath.Join(dir, "prebuilt")
	if err := os.WriteFile(prebuilt, []byte("#!/bin/sh\necho prebuilt\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(PrebuiltOperatorEnv, prebuilt)
	out := filepath.Join(dir, "manager")
	if err := BuildOperator(context.Background(), t.TempDir(), out); err != nil {
		t.Fatalf("BuildOperator: %v", err)
	}
	got, err := exec.Command(out).Output()
	if err != nil || string(got) != "prebuilt\n" {
		t.Errorf("the copy printed %q (%v), want the prebuilt binary's output", got, err)
	}

	t.Setenv(PrebuiltOperatorEnv, filepath.Join(dir, "missing"))
	err = BuildOperator(context.Background(), t.TempDir(), out)
	if err == nil || !strings.Contains(err.Error(), PrebuiltOperatorEnv) {
		t.Errorf("BuildOperator with a missing prebuilt binary: %v, want an error naming %s", err, PrebuiltOperatorEnv)
	}
}
