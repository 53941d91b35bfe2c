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

package controllers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// emitted is an Event reason the controllers write, with its type and the kind of object it is
// written on, and where.
type emitted struct {
	reason, typ, on, at string
}

// TestEveryEventReasonIsDocumented reads the controllers' source for every call that writes an
// Event (the reconciler's event and warn, the account controller's warn, Recorder.Eventf) and
// checks that the README's Events table has a row for its reason with the same type and object.
// A reason the test cannot work out from the source fails the test, so a new way of naming one
// has to be taught here rather than slip through.
func TestEveryEventReasonIsDocumented(t *testing.T) {
	consts := stringConsts(t, filepath.Join("..", "api", "v1alpha1"))
	refusals := refusalReasons(t, filepath.Join("..", "internal", "accounts"), consts)
	if len(refusals) == 0 {
		t.Fatal("found no account refusal reasons in internal/accounts: the test no longer reads them")
	}
	found := emittedReasons(t, ".", consts, refusals)
	if len(found) < 15 {
		t.Fatalf("found only %d event calls in controllers/: the test no longer reads them", len(found))
	}
	rows := readmeEvents(t, filepath.Join("..", "README.md"))
	for _, e := range found {
		row, ok := rows[e.reason]
		switch {
		case !ok:
			t.Errorf("%s: Event reason %q (%s, on %s) is not in the README's Events table", e.at, e.reason, e.typ, e.on)
		case row[0] != e.typ:
			t.Errorf("%s: Event reason %q is a %s Event, the README's Events table says %s", e.at, e.reason, e.typ, row[0])
		case !strings.Contains(", "+row[1]+",", ", "+e.on+","):
			t.Errorf("%s: Event reason %q is written on a %s, the README's Events table says %q", e.at, e.reason, e.on, row[1])
		}
	}
	// And the other way: no row for a reason the operator never writes.
	seen := map[string]bool{}
	for _, e := range found {
		seen[e.reason] = true
	}
	for reason := range rows {
		if !seen[reason] {
			t.Errorf("the README's Events table has %q, which the controllers never write", reason)
		}
	}
}

// stringConsts returns the string constants declared in the Go files of dir.
func stringConsts(t *testing.T, dir string) map[string]string {
	t.Helper()
	consts := map[string]string{}
	for _, f := range parseDir(t, dir) {
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range spec.Names {
				if i < len(spec.Values) {
					if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						consts[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
			return true
		})
	}
	return consts
}

// refusalReasons returns the reasons of every Refusal that dir's code builds.
func refusalReasons(t *testing.T, dir string, consts map[string]string) []string {
	t.Helper()
	var reasons []string
	for _, f := range parseDir(t, dir) {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if id, ok := lit.Type.(*ast.Ident); !ok || id.Name != "Refusal" {
				return true
			}
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "Reason" {
					reason, ok := constString(kv.Value, consts)
					if !ok {
						t.Fatalf("a Refusal in %s has a reason the test cannot read: %T", dir, kv.Value)
					}
					reasons = append(reasons, reason)
				}
			}
			return true
		})
	}
	return reasons
}

// constString is the value of a string literal or of a (package-qualified) string constant.
func constString(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.SelectorExpr:
		if pkg, ok := e.X.(*ast.Ident); ok && pkg.Name == "hooksv1alpha1" {
			s, ok := consts[e.Sel.Name]
			return s, ok
		}
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	}
	return "", false
}

// emittedReasons finds every Event the non-test Go files of dir write.
func emittedReasons(t *testing.T, dir string, consts map[string]string, refusals []string) []emitted {
	t.Helper()
	fset := token.NewFileSet()
	var found []emitted
	for _, f := range parseDirWith(t, fset, dir) {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			e := &eventFinder{t: t, fset: fset, consts: consts, refusals: refusals, on: eventObjects(fn), params: paramNames(fn)}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					found = append(found, e.emitted(call)...)
				}
				return true
			})
		}
	}
	return found
}

// eventObjects are the kinds an Event of fn is written on, from the receiver of the function
// that writes it: the account controller writes on Accounts and ClusterAccounts, the rest on
// Webhooks.
func eventObjects(fn *ast.FuncDecl) []string {
	if fn.Recv != nil && len(fn.Recv.List) == 1 {
		if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
			if id, ok := star.X.(*ast.Ident); ok && id.Name == "accountStatus" {
				return []string{"Account", "ClusterAccount"}
			}
		}
	}
	return []string{"Webhook"}
}

// paramNames are the names of fn's parameters.
func paramNames(fn *ast.FuncDecl) map[string]bool {
	params := map[string]bool{}
	for _, p := range fn.Type.Params.List {
		for _, n := range p.Names {
			params[n.Name] = true
		}
	}
	return params
}

// eventFinder reads the Events that the calls of one function write.
type eventFinder struct {
	t        *testing.T
	fset     *token.FileSet
	consts   map[string]string
	refusals []string
	on       []string
	params   map[string]bool
}

// emitted returns the Events call writes: none when it writes none, or when it is one of the
// helpers (event, warn) passing on its caller's reason.
func (e *eventFinder) emitted(call *ast.CallExpr) []emitted {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	var typ string
	var arg int
	switch sel.Sel.Name {
	case "event":
		typ, arg = "Normal", 1
	case "warn":
		typ, arg = "Warning", 1
	case "Eventf":
		arg = 3
		if len(call.Args) <= arg {
			return nil
		}
		switch et := call.Args[2].(type) {
		case *ast.SelectorExpr:
			typ = strings.TrimPrefix(et.Sel.Name, "EventType")
		default:
			e.t.Fatalf("%s: an Eventf whose type the test cannot read", e.fset.Position(call.Pos()))
		}
	default:
		return nil
	}
	if len(call.Args) <= arg {
		return nil
	}
	at := e.fset.Position(call.Pos()).String()
	expr := call.Args[arg]
	var reasons []string
	if s, ok := constString(expr, e.consts); ok {
		reasons = []string{s}
	} else if id, ok := expr.(*ast.Ident); ok && e.params[id.Name] {
		// The helpers themselves (event, warn): their reason is their caller's, read there.
		return nil
	} else if s, ok := expr.(*ast.SelectorExpr); ok && s.Sel.Name == "Reason" {
		if x, ok := s.X.(*ast.Ident); ok && x.Name == "refusal" {
			reasons = e.refusals
		}
	}
	if len(reasons) == 0 {
		e.t.Fatalf("%s: an Event whose reason the test cannot work out (%T); teach the test", at, expr)
	}
	var found []emitted
	for _, r := range reasons {
		for _, o := range e.on {
			found = append(found, emitted{reason: r, typ: typ, on: o, at: at})
		}
	}
	return found
}

func parseDir(t *testing.T, dir string) []*ast.File {
	t.Helper()
	return parseDirWith(t, token.NewFileSet(), dir)
}

// parseDirWith parses the non-test Go files of dir, in name order.
func parseDirWith(t *testing.T, fset *token.FileSet, dir string) []*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return files
}

var eventRow = regexp.MustCompile("^\\| `([A-Za-z]+)` \\| (Normal|Warning) \\| ([^|]+) \\|")

// readmeEvents reads the README's Events table: reason to type and the objects it is written on.
func readmeEvents(t *testing.T, path string) map[string][2]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Events\n")
	if !ok {
		t.Fatalf("%s has no \"## Events\" section", path)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	rows := map[string][2]string{}
	for _, line := range strings.Split(section, "\n") {
		m := eventRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if _, dup := rows[m[1]]; dup {
			t.Errorf("the README's Events table has %q twice", m[1])
		}
		rows[m[1]] = [2]string{m[2], strings.TrimSpace(m[3])}
	}
	if len(rows) == 0 {
		t.Fatalf("%s: the Events section has no table rows", path)
	}
	return rows
}
