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
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// buildOperator builds the operator binary from the repository root, showing the compiler's
// output when it fails.
func buildOperator(ctx context.Context, root, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, ".")
	cmd.Dir = root
	output, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("building the operator failed (go build -o %s . in %s): %w\n%s", out, root, err, strings.TrimRight(string(output), "\n"))
	}
	return nil
}

// operator is the operator process, writing to its log file.
type operator struct {
	cmd     *exec.Cmd
	log     *os.File
	done    chan struct{} // closed when the process has exited
	exitErr error         // what Wait returned; read after done is closed
}

// startOperator runs the binary with KUBECONFIG pointing at the demo's control plane.
func startOperator(path string, args []string, kubeconfig, logPath string) (*operator, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating the operator log: %w", err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(withoutEnv(os.Environ(), "KUBECONFIG"), "KUBECONFIG="+kubeconfig)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = operatorProcAttr()
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting the operator %s: %w", path, err)
	}
	op := &operator{cmd: cmd, log: logFile, done: make(chan struct{})}
	go func() {
		op.exitErr = cmd.Wait()
		_ = logFile.Close()
		close(op.done)
	}()
	return op, nil
}

func (op *operator) pid() int { return op.cmd.Process.Pid }

// exitStatus describes how the process ended; call it once done is closed.
func (op *operator) exitStatus() string {
	if op.exitErr == nil {
		return "exit status 0"
	}
	return op.exitErr.Error()
}

// exited reports whether the process has ended.
func (op *operator) exited() bool {
	select {
	case <-op.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the operator's process group, waits up to grace, then kills the group.
// The operator starts no processes of its own, so once it has exited the group is empty.
func (op *operator) stop(grace time.Duration) {
	if op.exited() {
		return
	}
	pgid := op.cmd.Process.Pid // Setpgid makes the operator the leader of a group of its own
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-op.done:
		return
	case <-time.After(grace):
	}
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		fmt.Fprintf(os.Stderr, "demo: killing the operator's process group %d: %v\n", pgid, err)
	}
	<-op.done
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

// tailFile returns the last n lines of the file, or a note that it cannot be read.
func tailFile(path string, n int) string {
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
