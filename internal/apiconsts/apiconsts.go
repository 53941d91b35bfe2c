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

// Package apiconsts reads the string constants of a Go package from its source, for the tests
// that keep something written by hand (a metric's help, Argo CD's health script) in step with the
// constants of api/v1alpha1: a constant added there fails them until they name it. It needs only
// the standard library.
package apiconsts

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Strings returns the constants of the Go package in dir whose names start with prefix, by name
// and value. Test files and generated files (zz_*) are not read. A constant with the prefix whose
// value is not a plain string literal is an error: whoever reads the list could not classify it.
func Strings(dir, prefix string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	out := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "zz_") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			return nil, err
		}
		if err := collect(f, prefix, out); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return out, nil
}

// collect adds the constants of f whose names start with prefix to out.
func collect(f *ast.File, prefix string, out map[string]string) error {
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, prefix) || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return fmt.Errorf("%s is not a plain string constant", name.Name)
				}
				value, err := strconv.Unquote(lit.Value)
				if err != nil {
					return fmt.Errorf("%s: %w", name.Name, err)
				}
				out[name.Name] = value
			}
		}
	}
	return nil
}
