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

// Package image replays the builder stage of a Dockerfile without Docker: it builds the context
// the way Docker does (.dockerignore read and matched by Docker's own libraries, negations
// included), parses the Dockerfile with BuildKit's parser, copies what each COPY line names, and
// runs each RUN line in that copy. As in a golang image, the builder's module cache starts empty
// and the RUN lines reach the configured Go module proxy, so a build step that works offline only
// because this machine's cache happens to hold a module fails here too. Every failure names the
// Dockerfile line it comes from. The test in this package replays the operator's Dockerfile in `make test`,
// so that an image which cannot build is noticed on a machine that has no container engine.
package image

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"golang.org/x/mod/modfile"
)

// Replay is one replay of a Dockerfile's Go builder stage.
type Replay struct {
	// Dockerfile is the Dockerfile's path; errors name it with the line.
	Dockerfile string
	// Context is the build context directory (where .dockerignore is read).
	Context string
	// BuildArgs are the --build-arg values.
	BuildArgs map[string]string
	// Root is an empty directory that stands for the builder's file system. The builder's module
	// cache is in it (go/pkg/mod, the golang image's GOPATH), empty when the replay starts.
	Root string
}

// Result is what a successful replay leaves behind.
type Result struct {
	// Stage is the name of the replayed stage ("builder").
	Stage string
	// GoImage is the builder's FROM image, e.g. golang:1.26.
	GoImage string
	// Copied are the paths, in the builder's file system, that later stages COPY --from it.
	Copied []string
	// Root is Replay.Root.
	Root string
}

// lineError names the Dockerfile line an error comes from.
func (r *Replay) lineError(n *parser.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s: %s", filepath.Base(r.Dockerfile), n.StartLine, strings.TrimSpace(n.Original),
		fmt.Sprintf(format, args...))
}

// Run replays the first stage built FROM a golang image and checks that everything a later stage
// copies from it exists afterwards.
func (r *Replay) Run() (*Result, error) {
	data, err := os.ReadFile(r.Dockerfile)
	if err != nil {
		return nil, err
	}
	ast, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(r.Dockerfile), err)
	}
	for _, n := range ast.AST.Children {
		n.Value = strings.ToLower(n.Value)
	}
	stages := splitStages(ast.AST.Children)
	builder := -1
	for i, s := range stages {
		if strings.HasPrefix(s.image, "golang:") {
			builder = i
			break
		}
	}
	if builder < 0 {
		return nil, fmt.Errorf("%s: no stage is built FROM a golang image", filepath.Base(r.Dockerfile))
	}
	b := stages[builder]
	if err := r.checkGoVersion(b.from, b.image); err != nil {
		return nil, err
	}
	ctxFiles, err := ContextFiles(r.Context)
	if err != nil {
		return nil, err
	}
	st := &state{root: r.Root, workdir: "/", args: map[string]string{}, env: map[string]string{}}
	for _, n := range b.body {
		if err := r.step(st, ctxFiles, n); err != nil {
			return nil, err
		}
	}
	res := &Result{Stage: b.name, GoImage: b.image, Root: r.Root}
	for _, s := range stages[builder+1:] {
		for _, n := range s.body {
			from, ok := flagValue(n, "from")
			if n.Value != "copy" || !ok || (from != b.name && from != strconv.Itoa(builder)) {
				continue
			}
			srcs, _ := args(n)
			for _, src := range srcs[:len(srcs)-1] {
				if _, err := os.Stat(filepath.Join(r.Root, filepath.FromSlash(src))); err != nil {
					return nil, r.lineError(n, "%s does not exist in stage %s after its last step", src, b.name)
				}
				res.Copied = append(res.Copied, src)
			}
		}
	}
	return res, nil
}

// stage is one FROM and the instructions up to the next.
type stage struct {
	from        *parser.Node
	image, name string
	body        []*parser.Node
}

func splitStages(nodes []*parser.Node) []stage {
	var stages []stage
	for _, n := range nodes {
		if n.Value == "from" {
			s := stage{from: n}
			a, _ := args(n)
			if len(a) > 0 {
				s.image = a[0]
			}
			if len(a) == 3 && strings.EqualFold(a[1], "as") {
				s.name = a[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].body = append(stages[len(stages)-1].body, n)
		}
	}
	return stages
}

// args are the instruction's arguments, and whether they were written in JSON (exec) form.
func args(n *parser.Node) ([]string, bool) {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out, n.Attributes["json"]
}

func flagValue(n *parser.Node, name string) (string, bool) {
	for _, f := range n.Flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// goImageVersion reads the Go version of a golang image tag: 1.26, 1.26.8, 1.26-alpine.
var goImageVersion = regexp.MustCompile(`^golang:(\d+)\.(\d+)(?:\.(\d+))?(?:[-@].*)?$`)

// checkGoVersion: the image must run the Go line that go.mod names (its major and minor), and a
// pinned patch release must not be older than go.mod's go directive, which would make the build
// fetch a toolchain or fail.
func (r *Replay) checkGoVersion(from *parser.Node, image string) error {
	gomod := filepath.Join(r.Context, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return err
	}
	mf, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return err
	}
	if mf.Go == nil {
		return fmt.Errorf("go.mod has no go directive")
	}
	want := strings.SplitN(mf.Go.Version, ".", 3)
	m := goImageVersion.FindStringSubmatch(image)
	if m == nil {
		return r.lineError(from, "the builder image names no Go version; use golang:%s.%s to match go.mod's go %s",
			want[0], want[1], mf.Go.Version)
	}
	if m[1] != want[0] || m[2] != want[1] {
		return r.lineError(from, "the builder image is Go %s.%s but go.mod says go %s; use golang:%s.%s",
			m[1], m[2], mf.Go.Version, want[0], want[1])
	}
	if m[3] != "" && len(want) == 3 {
		have, _ := strconv.Atoi(m[3])
		need, _ := strconv.Atoi(want[2])
		if have < need {
			return r.lineError(from, "the builder image is Go %s.%s.%s, older than go.mod's go %s",
				m[1], m[2], m[3], mf.Go.Version)
		}
	}
	return nil
}

// state is the builder's state while the replay walks its instructions.
type state struct {
	root, workdir string
	args, env     map[string]string
}

// platformArgs are the ARGs that BuildKit defines on its own for the target platform.
var platformArgs = map[string]string{
	"TARGETOS": runtime.GOOS, "TARGETARCH": runtime.GOARCH, "TARGETPLATFORM": runtime.GOOS + "/" + runtime.GOARCH,
	"BUILDOS": runtime.GOOS, "BUILDARCH": runtime.GOARCH, "BUILDPLATFORM": runtime.GOOS + "/" + runtime.GOARCH,
}

func (r *Replay) step(st *state, ctxFiles []string, n *parser.Node) error {
	a, jsonForm := args(n)
	switch n.Value {
	case "arg":
		for _, kv := range a {
			name, def, _ := strings.Cut(kv, "=")
			if v, ok := r.BuildArgs[name]; ok {
				st.args[name] = v
			} else if v, ok := platformArgs[name]; ok {
				st.args[name] = v
			} else {
				st.args[name] = def
			}
		}
	case "env":
		for i := 0; i+1 < len(a); i += 2 {
			st.env[a[i]] = a[i+1]
		}
	case "workdir":
		if len(a) != 1 {
			return r.lineError(n, "WORKDIR takes one path")
		}
		st.workdir = path.Join(st.workdir, a[0])
		return os.MkdirAll(st.path(st.workdir), 0o755)
	case "copy", "add":
		if _, ok := flagValue(n, "from"); ok {
			return r.lineError(n, "the replay copies only from the build context")
		}
		return r.copy(st, ctxFiles, n, a)
	case "run":
		return r.run(st, n, a, jsonForm)
	case "label", "user", "expose", "entrypoint", "cmd", "healthcheck", "stopsignal", "shell", "volume", "onbuild":
		// Nothing a build step depends on.
	default:
		return r.lineError(n, "the replay does not know %s", strings.ToUpper(n.Value))
	}
	return nil
}

// path maps an absolute path of the builder to the replay's directory.
func (st *state) path(p string) string {
	if !path.IsAbs(p) {
		p = path.Join(st.workdir, p)
	}
	return filepath.Join(st.root, filepath.FromSlash(p))
}

// copy does what COPY does with sources from the context: a directory's contents, a file into a
// directory (destination ending in / or several sources) or to a file name. Sources may be globs.
func (r *Replay) copy(st *state, ctxFiles []string, n *parser.Node, a []string) error {
	if len(a) < 2 {
		return r.lineError(n, "COPY needs a source and a destination")
	}
	srcs, dest := a[:len(a)-1], a[len(a)-1]
	intoDir := strings.HasSuffix(dest, "/") || len(srcs) > 1 || dest == "." || dest == "./"
	for _, src := range srcs {
		pattern := strings.TrimSuffix(path.Clean("/"+src), "/")
		var matched []string
		for _, f := range ctxFiles {
			rel := "/" + f
			if pattern == "" || rel == pattern || strings.HasPrefix(rel, pattern+"/") {
				matched = append(matched, f)
				continue
			}
			if ok, _ := path.Match(pattern, rel); ok {
				matched = append(matched, f)
			}
		}
		if len(matched) == 0 {
			return r.lineError(n, "%s is not in the build context: missing, or dropped by .dockerignore", src)
		}
		for _, f := range matched {
			target := dest
			rel := "/" + f
			switch {
			case rel != pattern && strings.HasPrefix(rel, pattern+"/"):
				// Inside a copied directory: keep the path below it.
				target = path.Join(dest, strings.TrimPrefix(rel, pattern+"/"))
			case pattern == "":
				target = path.Join(dest, f)
			case intoDir:
				target = path.Join(dest, path.Base(f))
			}
			if err := copyFile(filepath.Join(r.Context, filepath.FromSlash(f)), st.path(target)); err != nil {
				return r.lineError(n, "%v", err)
			}
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// run runs a RUN line in the builder's working directory: the shell form through /bin/sh -c, as
// Docker does, with the ARGs and ENVs as environment and the builder's own module cache.
func (r *Replay) run(st *state, n *parser.Node, a []string, jsonForm bool) error {
	if !jsonForm {
		a = []string{"/bin/sh", "-c", strings.Join(a, " ")}
	}
	if len(a) == 0 {
		return r.lineError(n, "RUN has no command")
	}
	cmd := exec.Command(a[0], a[1:]...)
	cmd.Dir = st.path(st.workdir)
	cmd.Env = replayEnv(st, filepath.Join(r.Root, "go"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return r.lineError(n, "%v\n%s", err, tail(out.String(), 40))
	}
	return nil
}

// replayEnv is the RUN environment: this machine's, minus what would change how Go builds or where
// it keeps modules, plus the stage's ARGs and ENVs. gopath is the builder's GOPATH, whose module
// cache starts empty as in a golang image. Like a real image build, a RUN line reaches the network
// through this machine's module proxy settings; a line that must build offline says GOPROXY=off
// itself, as the operator's Dockerfile does.
func replayEnv(st *state, gopath string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "GO") && !proxySetting[name] && name != "GOCACHE" || name == "CGO_ENABLED" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range st.args {
		env = append(env, k+"="+v)
	}
	for k, v := range st.env {
		env = append(env, k+"="+v)
	}
	return append(env, "GOPATH="+gopath, "GOMODCACHE="+filepath.Join(gopath, "pkg", "mod"),
		"GOPROXY="+moduleProxy(), "GOTOOLCHAIN=local",
		// The module cache is made writable so that the test's temporary directory can be removed.
		"GOFLAGS=-modcacherw")
}

// proxySetting names the variables that say how Go reaches modules; the replay keeps them, so that
// a machine behind a private proxy or with private modules replays the way it builds.
var proxySetting = map[string]bool{
	"GOPROXY": true, "GONOPROXY": true, "GOPRIVATE": true, "GOSUMDB": true, "GONOSUMDB": true,
	"GOINSECURE": true, "GOAUTH": true, "GOVCS": true,
}

// moduleProxy is the GOPROXY of the RUN lines: this machine's module cache first, read as a
// file:// proxy (a module it lacks falls through, and go.sum still checks what it serves), then the
// configured proxies. So the replay downloads only what this machine has never fetched, and on a
// machine with an empty cache it fetches everything, as the image build does.
func moduleProxy() string {
	configured := goEnv("GOPROXY")
	if configured == "" || configured == "off" {
		return configured
	}
	cache := goEnv("GOMODCACHE")
	if cache == "" {
		return configured
	}
	download := filepath.Join(cache, "cache", "download")
	if fi, err := os.Stat(download); err != nil || !fi.IsDir() {
		return configured
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(download)}).String() + "," + configured
}

// goEnv is `go env name`, which reads the environment and go env -w settings alike.
func goEnv(name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return os.Getenv(name)
	}
	return strings.TrimSpace(string(out))
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// ContextFiles lists the files Docker sends as the build context of dir, slash-separated and
// relative to it: everything that .dockerignore does not drop. It walks the way the Docker CLI
// does: a dropped directory is skipped whole unless a negated pattern may bring a file back.
func ContextFiles(dir string) ([]string, error) {
	var patterns []string
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	switch {
	case err == nil:
		patterns, err = ignorefile.ReadAll(f)
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf(".dockerignore: %w", err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf(".dockerignore: %w", err)
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		drop, err := pm.MatchesOrParentMatches(rel)
		if err != nil {
			return err
		}
		if drop {
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}
