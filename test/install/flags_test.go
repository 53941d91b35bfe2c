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

package install

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The operator's flags are read from its own -h output, so that a flag added to internal/config
// fails these tests until the chart passes it too.

// notInChart are the flags no value of the chart reaches, each with its reason. The chart's
// README lists them (TestChartReadmeListsFlagsNotInChart).
var notInChart = map[string]string{
	// In a pod the operator finds the API server from its ServiceAccount.
	"kubeconfig": "in a pod the operator reaches the API server with its ServiceAccount's token",
	// For an operator run outside a cluster: in a pod the Leases and the status-key Secret live in
	// the pod's own namespace, where the chart grants their Roles.
	"leader-election-namespace": "the chart grants the Lease and status-key Roles in the release namespace, where the pod runs",
}

// defaultsDiffer are flags whose chart default is not the operator's: the chart turns leader
// election on, and controller-runtime's zap flags print no default to compare with.
var defaultsDiffer = []string{"leader-elect", "zap-devel", "zap-encoder", "zap-log-level", "zap-stacktrace-level", "zap-time-encoding"}

// operatorFlag is one flag of the operator as -h prints it.
type operatorFlag struct {
	name string
	typ  string // duration, int, float, string, value; "" for a boolean
	def  string // the default, unquoted; "" when -h prints none (a zero value)
}

// builtOperator is the operator, built once from the working tree.
type builtOperator struct {
	once sync.Once
	dir  string
	path string
	err  error
}

var operatorBinary builtOperator

// cleanup removes the binary, if it was built.
func (b *builtOperator) cleanup() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// buildOperator builds the operator (main.go) and returns the binary.
func buildOperator(t *testing.T) string {
	t.Helper()
	b := &operatorBinary
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "hookkeeper-install-test-")
		if b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "manager")
		_, b.err = command(root, nil, "go", "build", "-o", b.path, ".")
	})
	if b.err != nil {
		t.Fatalf("building the operator: %v", b.err)
	}
	return b.path
}

var (
	flagLine    = regexp.MustCompile(`^  -([a-z0-9-]+)(?: ([a-z0-9]+))?$`)
	defaultText = regexp.MustCompile(`\(default (.*)\)$`)
)

// operatorFlags runs the operator with -h and reads its flags.
func operatorFlags(t *testing.T) []operatorFlag {
	t.Helper()
	cmd := exec.Command(buildOperator(t), "-h")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("manager -h: %v\n%s", err, out.String())
	}
	var flags []operatorFlag
	lines := strings.Split(out.String(), "\n")
	for i, line := range lines {
		m := flagLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := operatorFlag{name: m[1], typ: m[2]}
		if i+1 < len(lines) {
			if d := defaultText.FindStringSubmatch(lines[i+1]); d != nil {
				f.def = d[1]
				if f.typ == "string" {
					if s, err := strconv.Unquote(f.def); err == nil {
						f.def = s
					}
				}
			}
		}
		flags = append(flags, f)
	}
	if len(flags) < 10 {
		t.Fatalf("read only %d flags from manager -h:\n%s", len(flags), out.String())
	}
	return flags
}

// TestChartPassesEveryFlag: with every option on, the chart passes every operator flag; with the
// default values, it passes each flag's own default; and it never passes a flag the operator
// does not know.
func TestChartPassesEveryFlag(t *testing.T) {
	defaults := deploymentArgs(t, mustHelmTemplate(t, kustomizeNamespace))
	everything := deploymentArgs(t, mustHelmTemplate(t, kustomizeNamespace, "-f", everythingValues))
	flags := operatorFlags(t)
	known := map[string]operatorFlag{}
	for _, f := range flags {
		known[f.name] = f
	}

	for _, args := range []map[string]string{defaults, everything} {
		for name := range args {
			if _, ok := known[name]; !ok {
				t.Errorf("the chart passes --%s, which the operator does not have", name)
			}
		}
	}
	for _, f := range flags {
		if _, ok := notInChart[f.name]; ok {
			if _, ok := everything[f.name]; ok {
				t.Errorf("the chart passes --%s", f.name)
			}
			continue
		}
		got, ok := everything[f.name]
		if !ok {
			t.Errorf("--%s: no value of dist/chart/values.yaml passes it (ci/everything-values.yaml sets every one)", f.name)
			continue
		}
		if f.def != "" && sameValue(t, f, got, f.def) && !slices.Contains(defaultsDiffer, f.name) {
			t.Errorf("--%s: ci/everything-values.yaml should set it to something other than its default %q", f.name, f.def)
		}
		if slices.Contains(defaultsDiffer, f.name) {
			continue
		}
		got, ok = defaults[f.name]
		switch {
		case f.def == "" && ok && !sameValue(t, f, got, zero(f)):
			t.Errorf("--%s: the chart's default %q is not the operator's (none)", f.name, got)
		case f.def != "" && !ok:
			t.Errorf("--%s: the chart's default values do not pass it (the operator's default is %q)", f.name, f.def)
		case f.def != "" && !sameValue(t, f, got, f.def):
			t.Errorf("--%s: the chart's default %q is not the operator's %q (dist/chart/values.yaml)", f.name, got, f.def)
		}
	}
}

func zero(f operatorFlag) string {
	if f.typ == "" {
		return "false"
	}
	return ""
}

// sameValue compares two values of flag f as the operator would read them.
func sameValue(t *testing.T, f operatorFlag, a, b string) bool {
	t.Helper()
	switch f.typ {
	case "duration":
		da, errA := time.ParseDuration(a)
		db, errB := time.ParseDuration(b)
		return errA == nil && errB == nil && da == db
	case "int", "float":
		fa, errA := strconv.ParseFloat(a, 64)
		fb, errB := strconv.ParseFloat(b, 64)
		return errA == nil && errB == nil && fa == fb
	case "value":
		// Lists such as --provider-qps: the order of the items does not matter.
		sa, sb := strings.Split(a, ","), strings.Split(b, ",")
		slices.Sort(sa)
		slices.Sort(sb)
		return slices.Equal(sa, sb)
	case "":
		ba, errA := strconv.ParseBool(a)
		bb, errB := strconv.ParseBool(b)
		return errA == nil && errB == nil && ba == bb
	default:
		return a == b
	}
}

// TestOperatorAcceptsRenderedArgs runs the operator with the arguments of every rendering. It
// stops at the API server it cannot reach (exit status 1), after its flags were parsed and
// validated; a refused flag would make it exit with status 2 first.
func TestOperatorAcceptsRenderedArgs(t *testing.T) {
	all := renderings(t)
	bin := buildOperator(t)
	for name, objs := range all {
		t.Run(name, func(t *testing.T) {
			// As the kubelet passes them: $(POD_NAME) is the pod's name.
			args := argMap(expandArgs(podContainer(t, objs), "hookkeeper-controller-manager-5d8f9-abcde"))
			var argv []string
			for k, v := range args {
				if strings.Contains(v, "$(") {
					t.Errorf("--%s=%s refers to a variable the container does not define", k, v)
				}
				argv = append(argv, "--"+k+"="+v)
			}
			// A kubeconfig that does not exist: the operator must not reach any cluster.
			argv = append(argv, "--kubeconfig="+filepath.Join(t.TempDir(), "absent"))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, argv...)
			cmd.Env = append(os.Environ(), "KUBECONFIG=", "KUBERNETES_SERVICE_HOST=")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("manager %v: %v (want exit status 1)\n%s", argv, err, out)
			}
			if exit.ExitCode() == 2 || bytes.Contains(out, []byte("Invalid flags")) {
				t.Fatalf("the operator refused the arguments %v:\n%s", argv, out)
			}
			if exit.ExitCode() != 1 {
				t.Fatalf("manager %v: exit status %d, want 1 (no cluster)\n%s", argv, exit.ExitCode(), out)
			}
		})
	}
}

// TestChartReadmeListsFlagsNotInChart: the chart's README names every flag that no value
// reaches, and only those, in its list of them.
func TestChartReadmeListsFlagsNotInChart(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(chartDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const heading = "Flags no value reaches:"
	_, rest, ok := strings.Cut(string(data), heading)
	if !ok {
		t.Fatalf("dist/chart/README.md has no %q list", heading)
	}
	list, _, _ := strings.Cut(rest, "\n\n")
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^- `--([a-z0-9-]+)`").FindAllStringSubmatch(list, -1) {
		listed[m[1]] = true
	}
	known := map[string]bool{}
	for _, f := range operatorFlags(t) {
		known[f.name] = true
	}
	for name := range notInChart {
		if !listed[name] {
			t.Errorf("dist/chart/README.md does not list --%s among the flags no value reaches", name)
		}
	}
	for name := range listed {
		if _, ok := notInChart[name]; !ok {
			t.Errorf("dist/chart/README.md lists --%s among the flags no value reaches, but the chart passes it", name)
		}
		if !known[name] {
			t.Errorf("dist/chart/README.md lists --%s, which the operator does not have", name)
		}
	}
}
