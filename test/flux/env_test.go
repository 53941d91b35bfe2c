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
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

// The control plane, the simulators and the operator process are internal/test/localenv's, as
// `make demo` and `make bench` run them.

// startControlPlane starts kube-apiserver and etcd from $KUBEBUILDER_ASSETS with the CRDs of
// config/crd/bases, and writes an administrator's kubeconfig for the operator.
func startControlPlane(t *testing.T, root, kubeconfig string) client.Client {
	cp, err := localenv.StartControlPlane(localenv.ControlPlaneOptions{
		Root: root, Assets: os.Getenv("KUBEBUILDER_ASSETS"), KubeconfigPath: kubeconfig, User: "flux",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	c, err := cp.Client(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// simulators serves the four provider simulators, taking any credentials as the samples'
// placeholders need, and returns the operator flags that point at them and PageSeeder's URL
// (PageSeeder has no flag: each Webhook names its server).
func simulators(t *testing.T) *localenv.Simulators {
	sims, err := localenv.StartSimulators(localenv.SimulatorOptions{AcceptAnyCredentials: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sims.Stop)
	return sims
}

// startOperator builds the operator from this tree and runs it as a process of its own, as a
// pod would, with plain HTTP and loopback endpoints allowed (the simulators). It returns a stop
// function, which the cleanup calls too. On failure the cleanup prints the end of its log.
func startOperator(t *testing.T, root, state, kubeconfig string, flags []string) (stop func()) {
	bin, logPath := filepath.Join(state, "manager"), filepath.Join(state, "operator.log")
	if err := localenv.BuildOperator(t.Context(), root, bin); err != nil {
		t.Fatal(err)
	}
	args := append(localenv.EndpointFlags(), "--metrics-bind-address=0", "--health-probe-bind-address=0")
	op, err := localenv.StartOperator(bin, append(args, flags...), kubeconfig, logPath)
	if err != nil {
		t.Fatal(err)
	}
	// Only the end matters: the operator exits on the SIGTERM of stop, or earlier if it fails, which
	// the waits then show.
	stop = func() { _ = op.Stop(10 * time.Second) }
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("end of the operator log (%s):\n%s", op.ExitStatus(), localenv.TailFile(logPath, 40))
		}
	})
	return stop
}
