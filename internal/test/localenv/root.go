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

// Package localenv runs hookkeeper on one machine without a cluster or a SaaS account: a control
// plane made of the kube-apiserver and etcd binaries that envtest uses, the four provider
// simulators on loopback ports, and the operator built from this repository and run as a
// process of its own. The demo (hack/demo), the benchmark (hack/bench) and the tests that run the
// operator binary (test/flux, test/install) are built on it.
package localenv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ModulePath is the module whose go.mod marks the repository root.
const ModulePath = "github.com/hookkeeper/hookkeeper"

// FindRoot walks up from dir to the go.mod of this module, so that `go run ./hack/...` works from
// anywhere inside the repository.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			if modulePathOf(data) == ModulePath {
				return dir, nil
			}
			return "", fmt.Errorf("%s belongs to another module: run this from inside the hookkeeper repository", filepath.Join(dir, "go.mod"))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("found no go.mod above the current directory: run this from inside the hookkeeper repository")
		}
		dir = parent
	}
}

// modulePathOf returns the module path that a go.mod declares, or "".
func modulePathOf(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module"); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// EnvtestAssets returns $KUBEBUILDER_ASSETS once it has checked that the directory holds the
// control plane binaries. target is the make target (and hack/ directory) of the caller, such as
// "demo", so that the error says how to set the variable.
func EnvtestAssets(target string) (string, error) {
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		return "", fmt.Errorf("KUBEBUILDER_ASSETS is not set: run `make %s`, which finds or builds kube-apiserver and etcd first "+
			"(or: KUBEBUILDER_ASSETS=\"$(hack/setup-envtest.sh)\" go run ./hack/%s)", target, target)
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			return "", fmt.Errorf("KUBEBUILDER_ASSETS=%s has no %s: run `make %s`, which finds or builds the envtest binaries", dir, bin, target)
		}
	}
	return dir, nil
}
