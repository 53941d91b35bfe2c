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

package image

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// root is the repository root.
var root = func() string {
	abs, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return abs
}()

// TestDockerfileBuildsOffline replays the operator's Dockerfile on the context Docker would send,
// then runs the binary it built: the version build arg must be what it prints.
func TestDockerfileBuildsOffline(t *testing.T) {
	r := &Replay{
		Dockerfile: filepath.Join(root, "Dockerfile"),
		Context:    root,
		BuildArgs:  map[string]string{"VERSION": "v9.8.7-replay", "COMMIT": "0123456789abcdef"},
		Root:       t.TempDir(),
	}
	res, err := r.Run()
	if err != nil {
		t.Fatalf("the image would not build:\n%v", err)
	}
	if len(res.Copied) == 0 {
		t.Fatalf("no later stage copies anything from stage %q", res.Stage)
	}
	bin := filepath.Join(res.Root, filepath.FromSlash(res.Copied[0]))
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", res.Copied[0], err, out)
	}
	for _, want := range []string{"hookkeeper v9.8.7-replay\n", "commit: 0123456789abcdef\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("%s version printed\n%s\nwant a line %q: the VERSION and COMMIT build args do not reach the binary", res.Copied[0], out, want)
		}
	}
}

// TestContextHoldsNoLocalFiles: what a working copy gathers (tools, test output, kubeconfigs,
// credentials) never reaches the builder, and every package of the binary does.
func TestContextHoldsNoLocalFiles(t *testing.T) {
	files, err := ContextFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		base := filepath.Base(f)
		switch {
		case strings.HasPrefix(f, ".git/"), strings.HasPrefix(f, "bin/"), strings.HasPrefix(f, ".demo/"),
			strings.HasSuffix(f, "_test.go"), strings.Contains(f, "/testdata/"),
			strings.HasSuffix(base, ".kubeconfig"), base == "kubeconfig", base == "cover.out":
			t.Errorf("the build context holds %s", f)
		}
	}
	list := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", ".")
	list.Dir = root
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dir := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue // a module dependency, from the module cache
		}
		if !slices.ContainsFunc(files, func(f string) bool { return filepath.Dir(f) == filepath.ToSlash(rel) }) {
			t.Errorf("package directory %s, which the operator imports, is not in the build context", rel)
		}
	}
}

// TestContextFilesNegation: .dockerignore is matched with Docker's semantics, later lines win and
// a negated pattern brings a file back out of a dropped directory.
func TestContextFilesNegation(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"go.mod", "a/keep.go", "a/drop.go", "a/b/deep.go", "secret.key", "docs/x.md"} {
		write(t, filepath.Join(dir, f), "x")
	}
	write(t, filepath.Join(dir, ".dockerignore"), "# comment\n*\n!go.mod\n!a/\na/drop.go\n!docs/x.md\n")
	files, err := ContextFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a/b/deep.go", "a/keep.go", "docs/x.md", "go.mod"}
	if !slices.Equal(files, want) {
		t.Errorf("context files %v, want %v", files, want)
	}
}

// TestReplayCatchesBrokenDockerfiles: each fixture is a tiny module with one mistake; the replay
// must fail and name the Dockerfile line.
func TestReplayCatchesBrokenDockerfiles(t *testing.T) {
	for _, tc := range []struct {
		name, dockerfile, dockerignore, gomod string
		want                                  []string
	}{
		{
			name:         "a package left out of the context",
			dockerfile:   "FROM golang:1.26 AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o app .\nFROM scratch\nCOPY --from=builder /src/app /app\n",
			dockerignore: "internal/\n",
			want:         []string{"Dockerfile:4: RUN go build -o app .", "example.test/fixture/internal/lib"},
		},
		{
			name:       "a package not copied",
			dockerfile: "FROM golang:1.26 AS builder\nWORKDIR /src\nCOPY go.mod main.go ./\nRUN go build -o app .\nFROM scratch\nCOPY --from=builder /src/app /app\n",
			want:       []string{"Dockerfile:4: RUN go build -o app .", "internal/lib"},
		},
		{
			name:       "a wrong path",
			dockerfile: "FROM golang:1.26 AS builder\nWORKDIR /src\nCOPY go.mod ./\nCOPY cmd/ cmd/\nRUN go build -o app .\n",
			want:       []string{"Dockerfile:4: COPY cmd/ cmd/: cmd/ is not in the build context"},
		},
		{
			name:         "a path that .dockerignore drops",
			dockerfile:   "FROM golang:1.26 AS builder\nWORKDIR /src\nCOPY go.mod main.go ./\nCOPY internal/ internal/\n",
			dockerignore: "*\n!go.mod\n!main.go\n",
			want:         []string{"Dockerfile:4: COPY internal/ internal/: internal/ is not in the build context: missing, or dropped by .dockerignore"},
		},
		{
			name:       "an older Go image",
			dockerfile: "# builder\nFROM golang:1.25 AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o app .\n",
			want:       []string{"Dockerfile:2: FROM golang:1.25 AS builder: the builder image is Go 1.25 but go.mod says go 1.26.0; use golang:1.26"},
		},
		{
			name:       "a pinned patch older than go.mod",
			dockerfile: "FROM golang:1.26.0-alpine AS builder\n",
			gomod:      "module example.test/fixture\n\ngo 1.26.5\n",
			want:       []string{"Dockerfile:1: FROM golang:1.26.0-alpine AS builder: the builder image is Go 1.26.0, older than go.mod's go 1.26.5"},
		},
		{
			name:       "a Go image without a version",
			dockerfile: "FROM golang:latest AS builder\n",
			want:       []string{"Dockerfile:1: FROM golang:latest AS builder: the builder image names no Go version; use golang:1.26"},
		},
		{
			name:       "a binary that is not where the last stage copies it from",
			dockerfile: "FROM golang:1.26 AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o app .\nFROM scratch\nCOPY --from=builder /src/manager /manager\n",
			want:       []string{"Dockerfile:6: COPY --from=builder /src/manager /manager: /src/manager does not exist in stage builder"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fixture(t, tc.gomod)
			write(t, filepath.Join(dir, "Dockerfile"), tc.dockerfile)
			if tc.dockerignore != "" {
				write(t, filepath.Join(dir, ".dockerignore"), tc.dockerignore)
			}
			_, err := (&Replay{Dockerfile: filepath.Join(dir, "Dockerfile"), Context: dir, Root: t.TempDir()}).Run()
			if err == nil {
				t.Fatal("the replay succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not say %q", err, w)
				}
			}
		})
	}
}

// TestReplayBuildsAGoodFixture: the same fixture with a correct Dockerfile builds, so the failures
// above come from their one mistake.
func TestReplayBuildsAGoodFixture(t *testing.T) {
	dir := fixture(t, "")
	write(t, filepath.Join(dir, "Dockerfile"), "FROM golang:1.26 AS builder\nARG NAME=fixture\nWORKDIR /src\nCOPY go.mod ./\n"+
		"COPY . .\nRUN CGO_ENABLED=0 go build -ldflags \"-X main.name=${NAME}\" \\\n    -o app .\nFROM scratch\nCOPY --from=builder /src/app /app\n")
	write(t, filepath.Join(dir, ".dockerignore"), "*.md\n")
	res, err := (&Replay{Dockerfile: filepath.Join(dir, "Dockerfile"), Context: dir, Root: t.TempDir(),
		BuildArgs: map[string]string{"NAME": "replayed"}}).Run()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(res.Root, "src", "app")).CombinedOutput()
	if err != nil || string(out) != "replayed\n" {
		t.Errorf("the fixture printed %q (%v), want the build arg", out, err)
	}
	if _, err := os.Stat(filepath.Join(res.Root, "src", "README.md")); err == nil {
		t.Error("COPY . . copied README.md, which .dockerignore drops")
	}
}

// TestReplayStartsWithAnEmptyModuleCache: the builder's module cache is its own and starts empty,
// as in a golang image. A Dockerfile that builds offline without downloading its dependencies
// first fails, even though this machine's cache holds the module (the operator's tests import
// it); with a download step first it builds, fetching through the configured proxy.
func TestReplayStartsWithAnEmptyModuleCache(t *testing.T) {
	const dep = "github.com/pkg/errors"
	gomod, gosum := requireFromOurs(t, dep)
	build := "RUN CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=readonly go build -o app .\n"
	for _, tc := range []struct {
		name, download string
		want           string // in the error; "" for a build that succeeds
	}{
		{name: "no download step", want: "Dockerfile:4: RUN CGO_ENABLED=0 GOPROXY=off"},
		{name: "go mod download first", download: "RUN go mod download\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "go.mod"), "module example.test/fixture\n\ngo 1.26.0\n\n"+gomod)
			write(t, filepath.Join(dir, "go.sum"), gosum)
			write(t, filepath.Join(dir, "main.go"), "package main\n\nimport (\n\t\"fmt\"\n\n\t\""+dep+
				"\"\n)\n\nfunc main() { fmt.Println(errors.New(\"wrapped\")) }\n")
			write(t, filepath.Join(dir, "Dockerfile"), "FROM golang:1.26 AS builder\nWORKDIR /src\nCOPY . .\n"+
				tc.download+build+"FROM scratch\nCOPY --from=builder /src/app /app\n")
			res, err := (&Replay{Dockerfile: filepath.Join(dir, "Dockerfile"), Context: dir, Root: t.TempDir()}).Run()
			if tc.want != "" {
				if err == nil {
					t.Fatal("the offline build found the module without a download step: the replay used this machine's module cache")
				}
				for _, w := range []string{tc.want, "GOPROXY=off"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error\n%v\ndoes not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(filepath.Join(res.Root, "src", "app")).CombinedOutput(); err != nil || string(out) != "wrapped\n" {
				t.Errorf("the fixture printed %q (%v)", out, err)
			}
			if _, err := os.Stat(filepath.Join(res.Root, "go", "pkg", "mod", "cache", "download", "github.com", "pkg", "errors")); err != nil {
				t.Errorf("the module is not in the builder's own cache: %v", err)
			}
		})
	}
}

// requireFromOurs returns a require line for module and its go.sum lines, as this repository pins
// them, so the fixture needs nothing this repository does not already depend on.
func requireFromOurs(t *testing.T, module string) (gomod, gosum string) {
	t.Helper()
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	var version string
	for _, line := range strings.Split(string(sum), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == module {
			gosum += line + "\n"
			version = strings.TrimSuffix(f[1], "/go.mod")
		}
	}
	if version == "" {
		t.Fatalf("go.sum pins no version of %s", module)
	}
	return "require " + module + " " + version + "\n", gosum
}

// fixture writes a module with a main package that imports an internal one.
func fixture(t *testing.T, gomod string) string {
	t.Helper()
	if gomod == "" {
		gomod = "module example.test/fixture\n\ngo 1.26.0\n"
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), gomod)
	write(t, filepath.Join(dir, "main.go"), "package main\n\nimport \"example.test/fixture/internal/lib\"\n\nvar name = \"unset\"\n\nfunc main() { lib.Print(name) }\n")
	write(t, filepath.Join(dir, "internal", "lib", "lib.go"), "package lib\n\nimport \"fmt\"\n\n// Print prints s.\nfunc Print(s string) { fmt.Println(s) }\n")
	write(t, filepath.Join(dir, "README.md"), "fixture\n")
	return dir
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
