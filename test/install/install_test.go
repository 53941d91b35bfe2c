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

// Package install holds no code, only tests of the two ways to install the operator: the
// kustomize overlay config/default and the Helm chart dist/chart. They render both with the
// pinned tools in bin/, send every object to an envtest API server as a server-side apply in
// dry-run mode, and check what an API server cannot: that the pod is hardened, that the chart
// passes every operator flag, that the chart's CRD and RBAC are the generated ones, and that the
// Grafana dashboard only charts metrics the operator exposes.
//
// Under `make test` the tools and KUBEBUILDER_ASSETS are always there. A plain `go test` without
// them skips what needs them, saying why.
package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

const (
	// releaseName is the Helm release the tests render; with it the chart's names are those of
	// config/default.
	releaseName = "hookkeeper"
	// kustomizeNamespace is the namespace config/default installs into.
	kustomizeNamespace = "hookkeeper-system"
	// fieldOwner is the field manager of the tests' server-side applies.
	fieldOwner = "hookkeeper-install-test"
)

var (
	// root is the repository root, absolute: commands run in other directories.
	root = func() string {
		abs, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			panic(err)
		}
		return abs
	}()
	// chartDir is the Helm chart.
	chartDir = filepath.Join(root, "dist", "chart")
	// everythingValues turns on every optional part of the chart.
	everythingValues = filepath.Join(chartDir, "ci", "everything-values.yaml")
)

// apiServer is the envtest control plane, when KUBEBUILDER_ASSETS points at one.
var apiServer struct {
	cfg      *rest.Config
	client   client.Client
	warnings *warningRecorder
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	defer operatorBinary.cleanup()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return m.Run()
	}
	// The CRDs are really created, so that the Webhooks of config/samples and the chart's
	// ServiceMonitor are validated against their schemas.
	env := &envtest.Environment{
		CRDDirectoryPaths: []string{
			filepath.Join(root, "config", "crd", "bases"),
			filepath.Join("testdata", "crds"),
		},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting envtest (KUBEBUILDER_ASSETS=%s): %v\n", os.Getenv("KUBEBUILDER_ASSETS"), err)
		return 1
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping envtest: %v\n", err)
		}
	}()
	// The API server's warnings (Pod Security among them) are collected, not logged, so that a
	// test can fail on them.
	apiServer.warnings = &warningRecorder{}
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = nil
	cfg.WarningHandlerWithContext = apiServer.warnings
	apiServer.cfg = cfg
	apiServer.client, err = client.New(cfg, client.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "creating the client: %v\n", err)
		return 1
	}
	return m.Run()
}

// needAPIServer skips t when envtest is not running.
func needAPIServer(t *testing.T) client.Client {
	t.Helper()
	if apiServer.client == nil {
		t.Skip("KUBEBUILDER_ASSETS is unset: no API server to apply to (make test sets it)")
	}
	return apiServer.client
}

// tool returns the path of a pinned tool that the Makefile installs into bin/: $ENVVAR when set
// (the Makefile's own variable, if given on make's command line), else $LOCALBIN/name, else
// bin/name. Missing, it skips t when KUBEBUILDER_ASSETS is unset too (a plain go test), and fails
// t otherwise: under make test the tool must be there.
func tool(t *testing.T, name, envVar string) string {
	t.Helper()
	var candidates []string
	if p := os.Getenv(envVar); p != "" {
		candidates = append(candidates, p)
	}
	if dir := os.Getenv("LOCALBIN"); dir != "" {
		candidates = append(candidates, filepath.Join(dir, name))
	}
	candidates = append(candidates, filepath.Join(root, "bin", name))
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return c
		}
	}
	msg := fmt.Sprintf("%s not found (looked at %s): run make %s", name, strings.Join(candidates, ", "), name)
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip(msg + ", or make test, which installs it")
	}
	t.Fatal(msg)
	return ""
}

// command runs name with args and returns its standard output; the error includes its
// standard error.
func command(dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// kustomizeBuild renders a kustomization directory, relative to the repository root.
func kustomizeBuild(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	out, err := command(root, nil, tool(t, "kustomize", "KUSTOMIZE"), "build", dir)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, out)
}

// helmTemplate renders the chart as release "hookkeeper" in namespace, CRDs included, with
// further arguments such as -f or --set. A template error is returned, not fatal, for the
// tests of the chart's refusals.
func helmTemplate(t *testing.T, namespace string, args ...string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	return helmTemplateChart(t, chartDir, releaseName, namespace, args...)
}

// helmTemplateChart is helmTemplate for another chart directory (an earlier version of the
// chart) or release name. CRDs in the chart's crds/ directory, where earlier versions kept
// them, are included.
func helmTemplateChart(t *testing.T, chartDir, releaseName, namespace string, args ...string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	helm := tool(t, "helm", "HELM")
	// Keep Helm away from the user's own configuration, cache and repositories.
	home := t.TempDir()
	env := []string{
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
	}
	full := append([]string{"template", releaseName, chartDir, "--namespace", namespace, "--include-crds"}, args...)
	out, err := command("", env, helm, full...)
	if err != nil {
		return nil, err
	}
	return decode(t, out), nil
}

// mustHelmTemplate is helmTemplate that fails t on an error.
func mustHelmTemplate(t *testing.T, namespace string, args ...string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := helmTemplate(t, namespace, args...)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// decode splits a multi-document YAML stream into objects, dropping empty documents.
func decode(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("decoding the rendered manifests: %v", err)
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
	if len(objs) == 0 {
		t.Fatal("the rendering holds no object")
	}
	return objs
}

// find returns the objects of kind, in order.
func find(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// findOne returns the one object of kind and name, failing t when there is none.
func findOne(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range find(objs, kind) {
		if o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %q in the rendering (it has %s)", kind, name, describe(objs))
	return nil
}

// convert fills a typed object from an unstructured one.
func convert(t *testing.T, u *unstructured.Unstructured, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into); err != nil {
		t.Fatalf("converting %s %s: %v", u.GetKind(), u.GetName(), err)
	}
}

// describe lists objects as kind/name, for messages.
func describe(objs []*unstructured.Unstructured) string {
	names := make([]string, 0, len(objs))
	for _, o := range objs {
		names = append(names, o.GetKind()+"/"+o.GetName())
	}
	return strings.Join(names, ", ")
}

// warningRecorder keeps the warnings the API server sends back.
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

func (w *warningRecorder) HandleWarningHeaderWithContext(_ context.Context, _ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warnings = append(w.warnings, text)
}

// take returns the warnings received since the last call and forgets them.
func (w *warningRecorder) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.warnings
	w.warnings = nil
	return out
}
