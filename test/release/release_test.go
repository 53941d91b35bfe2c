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

// Package release holds no code, only tests of `make release`: they run it in a throwaway git
// repository made of this working tree (two commits and a tag, so that the changelog has a
// previous release to start from), with the pinned tools of bin/, and check that one VERSION
// reaches the binary, the image build, the chart and the install manifests, and that a dirty tree
// or a version that is not semver is refused.
package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	version = "v1.2.3-rc.1"
	// chartVersion is version without the v, as Helm wants it.
	chartVersion = "1.2.3-rc.1"
	image        = "ghcr.io/hookkeeper/hookkeeper:" + version
	// platform is the one platform the test builds a binary for: this machine's, so it can run.
	platform = runtime.GOOS + "/" + runtime.GOARCH
)

// root is the repository root.
var root = func() string {
	abs, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return abs
}()

// localbin is where the Makefile keeps the pinned tools; make release must not build them again.
func localbin(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("LOCALBIN")
	if dir == "" {
		dir = filepath.Join(root, "bin")
	}
	for _, tool := range []string{"kustomize", "helm"} {
		if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
			msg := fmt.Sprintf("%s is not in %s: run make tools (make test installs it)", tool, dir)
			if os.Getenv("KUBEBUILDER_ASSETS") == "" {
				t.Skip(msg)
			}
			t.Fatal(msg)
		}
	}
	return dir
}

// repository copies the working tree (what git tracks and what it would track) into a new git
// repository: a first commit tagged v0.1.0, then a second one. It returns the directory and the
// second commit.
func repository(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	files := run(t, root, nil, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, f := range strings.Split(strings.TrimRight(files, "\x00"), "\x00") {
		src := filepath.Join(root, f)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the working tree, or not a file
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		return strings.TrimSpace(run(t, dir, nil, "git", append([]string{"-c", "user.name=Release Test", "-c", "user.email=release@example.test",
			"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "Initial import")
	git("tag", "v0.1.0")
	if err := os.WriteFile(filepath.Join(dir, "CHANGES-TEST"), []byte("a change\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "CHANGES-TEST")
	git("commit", "-q", "-m", "Add a feature after v0.1.0")
	return dir, git("rev-parse", "HEAD")
}

// run runs a command and returns its standard output; failure is fatal.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, stderr, err := try(dir, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr)
	}
	return out
}

func try(dir string, env []string, name string, args ...string) (string, string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(makeVariables, name) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// makeRelease runs make release in dir with the given extra variables.
func makeRelease(t *testing.T, dir string, vars ...string) (string, string, error) {
	t.Helper()
	args := append([]string{"--no-print-directory", "release", "LOCALBIN=" + localbin(t), "RELEASE_PLATFORMS=" + platform}, vars...)
	return try(dir, nil, "make", args...)
}

// makeVariables are the Makefile's variables that a caller's environment (an outer make test with
// its own command-line variables, CI) must not hand to the make release under test.
var makeVariables = []string{"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VERSION", "COMMIT", "IMG", "IMG_REPO", "CONTAINER_TOOL",
	"RELEASE_DIR", "RELEASE_PLATFORMS", "CHART", "KUSTOMIZE", "HELM", "LDFLAGS"}

// fakeContainerTool writes a docker stand-in that answers `info` and records `build`'s arguments.
func fakeContainerTool(t *testing.T) (tool, record string) {
	t.Helper()
	dir := t.TempDir()
	tool, record = filepath.Join(dir, "fake-docker"), filepath.Join(dir, "build-args")
	script := "#!/bin/sh\ncase \"$1\" in\ninfo) exit 0 ;;\nbuild) shift; printf '%s\\n' \"$@\" > " + record + " ;;\n*) exit 1 ;;\nesac\n"
	if err := os.WriteFile(tool, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return tool, record
}

// TestReleaseIsWhole builds a release and checks every artifact, and that one version is in all.
func TestReleaseIsWhole(t *testing.T) {
	dir, commit := repository(t)
	tool, record := fakeContainerTool(t)
	stdout, stderr, err := makeRelease(t, dir, "VERSION="+version, "CONTAINER_TOOL="+tool)
	if err != nil {
		t.Fatalf("make release: %v\n%s%s", err, stdout, stderr)
	}
	t.Log(stdout)
	r := &releaseRun{dir: dir, commit: commit, stdout: stdout, record: record, out: filepath.Join(dir, "dist", "release"),
		osArch: strings.ReplaceAll(platform, "/", "-")}
	r.files = []string{"CHANGELOG.md", "SHA256SUMS", "crds.yaml", "hookkeeper-" + chartVersion + ".tgz",
		"hookkeeper-" + version + "-" + r.osArch, "install.yaml"}
	entries, err := os.ReadDir(r.out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, r.files) {
		t.Fatalf("dist/release holds %v, want %v", got, r.files)
	}

	t.Run("binary", func(t *testing.T) {
		printed := run(t, dir, nil, filepath.Join(r.out, "hookkeeper-"+version+"-"+r.osArch), "version")
		for _, want := range []string{"hookkeeper " + version + "\n", "commit: " + commit + "\n"} {
			if !strings.Contains(printed, want) {
				t.Errorf("the binary's version command printed\n%s\nwant a line %q", printed, want)
			}
		}
	})
	t.Run("image build", r.checkImageBuild)
	t.Run("chart", r.checkChart)
	t.Run("install.yaml", r.checkInstallYAML)
	t.Run("crds.yaml", r.checkCRDsYAML)
	t.Run("checksums", r.checkChecksums)
	t.Run("changelog", r.checkChangelog)
	if status := run(t, dir, nil, "git", "status", "--porcelain"); status != "" {
		t.Errorf("make release changed tracked files or left untracked ones:\n%s", status)
	}
}

// releaseRun is a make release of TestReleaseIsWhole: the repository dir at commit, what make
// printed, the container tool's record, the release directory out and the files it must hold.
type releaseRun struct {
	dir, commit, stdout, record, out, osArch string
	files                                    []string
}

// checkImageBuild: the container tool built the image with the version and commit.
func (r *releaseRun) checkImageBuild(t *testing.T) {
	data, err := os.ReadFile(r.record)
	if err != nil {
		t.Fatalf("the container tool was not asked to build: %v", err)
	}
	args := strings.Split(strings.TrimSpace(string(data)), "\n")
	want := []string{"--build-arg", "VERSION=" + version, "--build-arg", "COMMIT=" + r.commit, "-t", image, "."}
	if !slices.Equal(args, want) {
		t.Errorf("the image was built with %q, want %q", args, want)
	}
	if !strings.Contains(r.stdout, "image "+image+" built") {
		t.Errorf("make release did not say that it built the image:\n%s", r.stdout)
	}
}

// checkChart: the packaged chart has the versions, and deploys the image.
func (r *releaseRun) checkChart(t *testing.T) {
	chart := readChartYAML(t, filepath.Join(r.out, "hookkeeper-"+chartVersion+".tgz"))
	if chart["version"] != chartVersion || chart["appVersion"] != version {
		t.Errorf("the packaged chart has version %v and appVersion %v, want %s and %s", chart["version"], chart["appVersion"], chartVersion, version)
	}
	rendered := run(t, r.dir, []string{"HELM_CACHE_HOME=" + t.TempDir(), "HELM_CONFIG_HOME=" + t.TempDir(), "HELM_DATA_HOME=" + t.TempDir()},
		filepath.Join(localbin(t), "helm"), "template", "hookkeeper", filepath.Join(r.out, "hookkeeper-"+chartVersion+".tgz"), "-n", "hookkeeper-system")
	d := deployment(t, decode(t, []byte(rendered)))
	if got := d.Spec.Template.Spec.Containers[0].Image; got != image {
		t.Errorf("the packaged chart deploys image %s, want %s", got, image)
	}
	if got := d.Labels["app.kubernetes.io/version"]; got != version {
		t.Errorf("the packaged chart labels its Deployment with version %q, want %s", got, version)
	}
}

// checkInstallYAML: install.yaml is the whole install, with the image.
func (r *releaseRun) checkInstallYAML(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(r.out, "install.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs := decode(t, data)
	if got := deployment(t, objs).Spec.Template.Spec.Containers[0].Image; got != image {
		t.Errorf("install.yaml deploys image %s, want %s", got, image)
	}
	if len(objs) < 10 || objs[0].GetKind() != "Namespace" || objs[1].GetKind() != "CustomResourceDefinition" {
		t.Errorf("install.yaml is not the whole install: %d objects, first %s", len(objs), objs[0].GetKind())
	}
}

// checkCRDsYAML: crds.yaml holds the CRDs of config/crd/bases and nothing else.
func (r *releaseRun) checkCRDsYAML(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(r.out, "crds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs := decode(t, data)
	bases, _ := filepath.Glob(filepath.Join(root, "config", "crd", "bases", "*.yaml"))
	if len(objs) != len(bases) || len(objs) == 0 {
		t.Fatalf("crds.yaml holds %d objects, config/crd/bases %d CRDs", len(objs), len(bases))
	}
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" {
			t.Errorf("crds.yaml holds %s %s", o.GetKind(), o.GetName())
		}
	}
}

// checkChecksums: SHA256SUMS lists the right sum of every other file, in sha256sum's format.
func (r *releaseRun) checkChecksums(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(r.out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q is not sha256sum's format", line)
		}
		content, err := os.ReadFile(filepath.Join(r.out, name))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(content)
		if hex.EncodeToString(h[:]) != sum {
			t.Errorf("SHA256SUMS has the wrong sum for %s", name)
		}
		listed = append(listed, name)
	}
	if want := slices.DeleteFunc(slices.Clone(r.files), func(f string) bool { return f == "SHA256SUMS" }); !slices.Equal(listed, want) {
		t.Errorf("SHA256SUMS lists %v, want %v", listed, want)
	}
}

// checkChangelog: CHANGELOG.md lists the one commit since v0.1.0.
func (r *releaseRun) checkChangelog(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(r.out, "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	if !strings.HasPrefix(log, "## "+version+" (") || !strings.Contains(log, "since v0.1.0") ||
		!strings.Contains(log, "- Add a feature after v0.1.0 ("+r.commit[:7]) || strings.Contains(log, "Initial import") {
		t.Errorf("CHANGELOG.md should list the one commit since v0.1.0:\n%s", log)
	}
}

// TestReleaseWithoutContainerEngine: no container tool is no failure, but it is said. The commit
// is tagged with the version first, as the README says to: the changelog still starts at the tag
// before.
func TestReleaseWithoutContainerEngine(t *testing.T) {
	dir, _ := repository(t)
	run(t, dir, nil, "git", "tag", "v0.2.0")
	stdout, stderr, err := makeRelease(t, dir, "VERSION=v0.2.0", "CONTAINER_TOOL=/nonexistent/docker")
	if err != nil {
		t.Fatalf("make release: %v\n%s%s", err, stdout, stderr)
	}
	if want := "image ghcr.io/hookkeeper/hookkeeper:v0.2.0 NOT built: /nonexistent/docker is not installed"; !strings.Contains(stdout, want) {
		t.Errorf("make release output does not say %q:\n%s", want, stdout)
	}
	data, err := os.ReadFile(filepath.Join(dir, "dist", "release", "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Changes since v0.1.0:") || !strings.Contains(string(data), "Add a feature after v0.1.0") {
		t.Errorf("with HEAD tagged v0.2.0, CHANGELOG.md should start at v0.1.0:\n%s", data)
	}
}

// TestReleaseRefuses: a version that is not semver, or a tree with changes, stops make release
// before it writes anything, with a message that says why.
func TestReleaseRefuses(t *testing.T) {
	dir, _ := repository(t)
	for _, tc := range []struct{ name, version, dirty string }{
		{name: "no v", version: "1.2.3"},
		{name: "two parts", version: "v1.2"},
		{name: "leading zero", version: "v1.02.3"},
		{name: "build metadata", version: "v1.2.3+build.5"},
		{name: "untracked file", version: "v1.2.3", dirty: "notes.txt"},
		{name: "changed file", version: "v1.2.3", dirty: "README.md"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := "VERSION=" + tc.version + " is not a semantic version: use vMAJOR.MINOR.PATCH"
			switch {
			case strings.Contains(tc.version, "+"):
				want = "VERSION=" + tc.version + " has build metadata"
			case tc.dirty != "":
				status := "?? " + tc.dirty
				if tc.dirty == "README.md" {
					status = " M README.md"
				}
				want = "the working tree has changes, so the release would not be what the commit says; commit or stash them first:\n" + status
				f, err := os.OpenFile(filepath.Join(dir, tc.dirty), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = f.WriteString("local change\n")
				_ = f.Close()
				t.Cleanup(func() {
					run(t, dir, nil, "git", "checkout", "-q", "--", ".")
					run(t, dir, nil, "git", "clean", "-fdq")
				})
			}
			stdout, stderr, err := makeRelease(t, dir, "VERSION="+tc.version, "CONTAINER_TOOL=/nonexistent/docker")
			if err == nil {
				t.Fatalf("make release VERSION=%s succeeded:\n%s", tc.version, stdout)
			}
			if !strings.Contains(stderr, want) {
				t.Errorf("make release VERSION=%s said\n%s\nwant %q", tc.version, stderr, want)
			}
			if _, err := os.Stat(filepath.Join(dir, "dist", "release")); err == nil {
				t.Error("a refused release still wrote dist/release")
			}
		})
	}
}

// readChartYAML reads Chart.yaml out of a packaged chart.
func readChartYAML(t *testing.T, tgz string) map[string]any {
	t.Helper()
	f, err := os.Open(tgz)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("%s holds no Chart.yaml", tgz)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name != "hookkeeper/Chart.yaml" {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		var chart map[string]any
		if err := yaml.Unmarshal(data, &chart); err != nil {
			t.Fatal(err)
		}
		return chart
	}
}

func decode(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var o map[string]any
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return objs
		} else if err != nil {
			t.Fatal(err)
		}
		if len(o) > 0 {
			objs = append(objs, &unstructured.Unstructured{Object: o})
		}
	}
}

func deployment(t *testing.T, objs []*unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == "Deployment" {
			var d appsv1.Deployment
			if err := k8sruntime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &d); err != nil {
				t.Fatal(err)
			}
			return &d
		}
	}
	t.Fatal("no Deployment")
	return nil
}
