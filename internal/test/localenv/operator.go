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
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// PrebuiltOperatorEnv names a variable that holds the path of an operator binary that
// BuildFromSource already built from this tree: make test sets it (hack/build-operator), so that
// no test's deadline includes a compile, and the packages that run the operator share one build.
const PrebuiltOperatorEnv = "HOOKKEEPER_OPERATOR_BINARY"

// BuildOperator writes the operator binary into out: a copy of the prebuilt one that
// PrebuiltOperatorEnv names, or else BuildFromSource's.
func BuildOperator(ctx context.Context, root, out string) error {
	prebuilt := os.Getenv(PrebuiltOperatorEnv)
	if prebuilt == "" {
		return BuildFromSource(ctx, root, out)
	}
	if err := copyExecutable(prebuilt, out); err != nil {
		return fmt.Errorf("%s=%s: %w", PrebuiltOperatorEnv, prebuilt, err)
	}
	return nil
}

// copyExecutable copies the executable file from to a new file to, which a test may then run,
// replace or remove without touching the original.
func copyExecutable(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	if fi, err := in.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("not an executable file")
	}
	tmp := to + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, to)
}

// BuildFromSource builds the operator binary from the repository root into out, as the image's
// Dockerfile builds it (static, without cgo, symbol tables or build paths), so that what the tests
// and the benchmark run, and its memory, is what ships. When the build fails the error holds the
// compiler's output.
func BuildFromSource(ctx context.Context, root, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Dir = root
	output, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("building the operator failed (CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o %s . in %s): %w\n%s", out, root, err, strings.TrimRight(string(output), "\n"))
	}
	return nil
}

// Operator is the operator running as a process of its own, writing to a log file.
type Operator struct {
	cmd     *exec.Cmd
	done    chan struct{} // closed once the process has exited
	exitErr error         // what Wait returned; read only after done is closed
}

// StartOperator runs the operator binary at path with args, its KUBECONFIG set to kubeconfig and
// its standard output and error going to logPath. Unless args say otherwise, its metrics are
// plain HTTP (--metrics-secure=false): make bench scrapes them on loopback without a token.
func StartOperator(path string, args []string, kubeconfig, logPath string) (*Operator, error) {
	return StartOperatorEnv(path, args, kubeconfig, logPath, nil)
}

// StartOperatorEnv is StartOperator with env ("NAME=value") added to the operator's environment
// only, such as GOMEMLIMIT for the operator and not for the control plane.
func StartOperatorEnv(path string, args []string, kubeconfig, logPath string, env []string) (*Operator, error) {
	if !slices.ContainsFunc(args, func(a string) bool {
		return a == "--metrics-secure" || strings.HasPrefix(a, "--metrics-secure=")
	}) {
		args = append(slices.Clone(args), "--metrics-secure=false")
	}
	return startOperator(path, args, kubeconfig, logPath, env)
}

// StartOperatorExact is StartOperator without the --metrics-secure default: the operator gets
// args and nothing else, as a test that runs it with an installed Deployment's arguments needs.
func StartOperatorExact(path string, args []string, kubeconfig, logPath string) (*Operator, error) {
	return startOperator(path, args, kubeconfig, logPath, nil)
}

func startOperator(path string, args []string, kubeconfig, logPath string, env []string) (*Operator, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating the operator log: %w", err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(append(withoutEnv(os.Environ(), "KUBECONFIG"), "KUBECONFIG="+kubeconfig), env...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = operatorProcAttr()
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting the operator %s: %w", path, err)
	}
	op := &Operator{cmd: cmd, done: make(chan struct{})}
	go func() {
		op.exitErr = cmd.Wait()
		_ = logFile.Close()
		close(op.done)
	}()
	return op, nil
}

// PID returns the operator's process id.
func (op *Operator) PID() int { return op.cmd.Process.Pid }

// Done is closed once the operator has exited.
func (op *Operator) Done() <-chan struct{} { return op.done }

// Exited reports whether the operator has ended.
func (op *Operator) Exited() bool {
	select {
	case <-op.done:
		return true
	default:
		return false
	}
}

// ExitStatus describes how the operator ended; call it only once Done is closed.
func (op *Operator) ExitStatus() string {
	if op.exitErr == nil {
		return "exit status 0"
	}
	return op.exitErr.Error()
}

// Stop sends SIGTERM to the operator's process group, waits up to grace, then kills the group.
// It returns once the operator has exited. The operator starts no process of its own, so the
// group is empty once it has gone.
func (op *Operator) Stop(grace time.Duration) error {
	if op.Exited() {
		return nil
	}
	pgid := op.cmd.Process.Pid // operatorProcAttr makes the operator the leader of a group of its own
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-op.done:
		return nil
	case <-time.After(grace):
	}
	var err error
	if kerr := syscall.Kill(-pgid, syscall.SIGKILL); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
		err = fmt.Errorf("killing the operator's process group %d: %w", pgid, kerr)
	}
	<-op.done
	return err
}

// withoutEnv drops the variable name from env.
func withoutEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// TailFile returns the last n lines of the file at path, or a note that it cannot be read.
func TailFile(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
