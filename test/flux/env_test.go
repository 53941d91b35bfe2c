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

package flux

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	apsfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	e8fake "github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	psfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// This is what hack/internal/localenv does for `make demo` and `make bench`; Go's internal rule
// keeps that package out of reach from test/, so the few steps are repeated here.

// repoRoot is the repository root: this package is test/flux.
func repoRoot(t *testing.T) string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "config", "crd", "bases")); err != nil {
		t.Fatalf("%s is not the repository root: %v", root, err)
	}
	return root
}

// startControlPlane starts kube-apiserver and etcd from $KUBEBUILDER_ASSETS with the CRDs of
// config/crd/bases, and writes an administrator's kubeconfig for the operator.
func startControlPlane(t *testing.T, root, kubeconfig string) client.Client {
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	t.Cleanup(func() { _ = env.Stop() })
	if err != nil {
		t.Fatalf("starting the control plane: %v", err)
	}
	user, err := env.AddUser(envtest.User{Name: "flux", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(hooksv1alpha1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// simulators serves the four provider simulators, taking any credentials as the samples'
// placeholders need, and returns the operator flags that point at them and PageSeeder's URL
// (PageSeeder has no flag: each Webhook names its server).
func simulators(t *testing.T) (flags []string, pageSeederURL string) {
	wx, e8, aps, ps := webexfake.New(), e8fake.New(), apsfake.New(), psfake.New()
	t.Cleanup(func() { wx.Close(); e8.Close(); aps.Close(); ps.Close() })
	wx.SetAcceptAnyToken(true)
	e8.SetAcceptAnyKey(true)
	aps.SetAcceptAnyClient(true)
	ps.SetAcceptAnyClient(true)
	// No receiver listens at the samples' targetUrls: every PageSeeder ping succeeds.
	ps.SetPingResult(func(string) error { return nil })
	return []string{
		"--webex-api-url=" + wx.URL(),
		"--eightbyeight-api-url=" + e8.URL(),
		"--autodesk-api-url=" + aps.URL(),
	}, ps.URL()
}

// startOperator builds the operator from this tree and runs it as a process of its own, as a
// pod would, with plain HTTP and loopback endpoints allowed (the simulators). It returns a stop
// function, which the cleanup calls too. On failure the cleanup prints the end of its log.
func startOperator(t *testing.T, root, state, kubeconfig string, flags []string) (stop func()) {
	bin, logPath := filepath.Join(state, "manager"), filepath.Join(state, "operator.log")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the operator: %v\n%s", err, out)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--allow-insecure-endpoints", "--endpoint-allowlist=127.0.0.1/32",
		"--metrics-bind-address=0", "--health-probe-bind-address=0"}, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// The kernel kills the operator should the test binary die without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Only the end matters: the operator exits on the SIGTERM of stop, or earlier if it fails, which
	// the waits then show.
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stop = sync.OnceFunc(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = logFile.Close()
	})
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("end of the operator log:\n%s", tail(logPath, 40))
		}
	})
	return stop
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
