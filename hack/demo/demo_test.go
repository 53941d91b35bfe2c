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

package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoOnce runs the whole demo in this process, as `go run ./hack/demo --once` would: control
// plane, Webex simulator, the operator built and run as a process of its own, the samples, and
// the table of Ready Webhooks.
func TestDemoOnce(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: run the tests with `make test`, which sets it")
	}
	assets, err := envtestAssets()
	if err != nil {
		t.Fatal(err)
	}
	root, err := findRoot(".")
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if deadline, ok := t.Deadline(); ok {
		// Leave time for the cleanup to stop everything before `go test` gives up on us.
		var cancelEarly context.CancelFunc
		ctx, cancelEarly = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
		defer cancelEarly()
	}

	// A directory of the test's own, so that a `make demo` running at the same time keeps its
	// kubeconfig, log and operator binary.
	state := t.TempDir()
	operatorPID := 0
	t.Cleanup(func() {
		// run stops the operator itself; this only guards against a bug in that.
		if operatorPID > 0 && syscall.Kill(operatorPID, 0) == nil {
			_ = syscall.Kill(-operatorPID, syscall.SIGKILL)
		}
	})

	var out bytes.Buffer
	start := time.Now()
	err = run(ctx, options{
		root:            root,
		assets:          assets,
		stateDir:        state,
		managerPath:     filepath.Join(state, "manager"),
		readyTimeout:    2 * time.Minute,
		once:            true,
		out:             &out,
		onOperatorStart: func(pid int) { operatorPID = pid },
	})
	t.Logf("demo output (%s):\n%s", time.Since(start).Round(time.Second), out.String())
	if err != nil {
		t.Fatalf("the demo failed (it would exit 1): %v", err)
	}

	if operatorPID == 0 {
		t.Fatal("the operator was never started")
	}
	if err := syscall.Kill(operatorPID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the operator (pid %d) is still running after the demo returned", operatorPID)
	}
	if _, err := os.Stat(filepath.Join(state, "kubeconfig")); err != nil {
		t.Errorf("no kubeconfig written: %v", err)
	}

	rows := tableRows(t, out.String())
	for _, name := range []string{"new-messages", "room-updates"} {
		row, ok := rows[name]
		if !ok {
			t.Errorf("the table has no Webhook %s", name)
			continue
		}
		// NAMESPACE NAME PROVIDER ID STATE READY REASON
		if row[0] != demoNamespace || row[2] != "Webex" || row[5] != "True" {
			t.Errorf("%s: want namespace %s, provider Webex, READY True; got %q", name, demoNamespace, row)
		}
		if !isWebexID(row[3]) {
			t.Errorf("%s: id %q is not a Webex id (base64 of a ciscospark:// URI)", name, row[3])
		}
	}
}

// tableRows parses the Webhooks table of the demo's output, by Webhook name.
func tableRows(t *testing.T, out string) map[string][]string {
	t.Helper()
	rows := map[string][]string{}
	inTable := false
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) > 0 && fields[0] == "NAMESPACE":
			inTable = true
		case !inTable:
		case len(fields) == 0:
			inTable = false
		case len(fields) != 7:
			t.Errorf("table row with %d columns instead of 7: %q", len(fields), line)
		default:
			rows[fields[1]] = fields
		}
	}
	if len(rows) == 0 {
		t.Errorf("no Webhooks table in the output")
	}
	return rows
}

// isWebexID reports whether id looks like a Webex id: base64 of a "ciscospark://" URI.
func isWebexID(id string) bool {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil {
		raw, err = base64.RawURLEncoding.DecodeString(id)
	}
	return err == nil && strings.HasPrefix(string(raw), "ciscospark://")
}

func TestFindRoot(t *testing.T) {
	root, err := findRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "config", "crd", "bases")); err != nil {
		t.Errorf("root %s has no config/crd/bases: %v", root, err)
	}
	if outside := t.TempDir(); !strings.HasPrefix(outside, root) {
		if got, err := findRoot(outside); err == nil {
			t.Errorf("findRoot(%s) outside the repository = %s, want an error", outside, got)
		}
	}
}

func TestReadObjectsMultiDocument(t *testing.T) {
	file := filepath.Join(t.TempDir(), "objs.yaml")
	data := "# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\nstringData:\n  k: v\n"
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	objs, err := readObjects(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0].GetKind() != "ConfigMap" || objs[1].GetName() != "b" {
		t.Fatalf("got %d objects: %v", len(objs), objs)
	}
}
