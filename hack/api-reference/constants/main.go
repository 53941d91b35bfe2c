// Command constants writes the part of docs/api-reference.md that crd-ref-docs cannot: the
// untyped string constants of an API package that users meet in a Webhook without finding them
// in its schema. They are the condition types (constants named Condition*), the reasons of the
// Ready condition (Reason*, with whether each means Stalled, read from the StalledReason
// function) and the annotations a user sets (Annotation*), each with its doc comment.
//
//	go run ./hack/api-reference/constants api/v1alpha1
//
// It reads the package with go/parser and go/doc, writes Markdown to stdout and needs nothing but
// the standard library, so it builds wherever the module does.
package main

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: constants PACKAGE_DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "constants:", err)
		os.Exit(1)
	}
}

// constant is one string constant with its doc comment.
type constant struct {
	name, value, doc string
}

// group is a const ( ... ) block whose constants share a name prefix.
type group struct {
	doc       string
	constants []constant
}

func run(dir string, w io.Writer) error {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no Go files", dir)
	}
	pkg, err := doc.NewFromFiles(fset, files, "api", doc.PreserveAST)
	if err != nil {
		return err
	}

	conditions, err := findGroup(pkg, "Condition")
	if err != nil {
		return err
	}
	reasons, err := findGroup(pkg, "Reason")
	if err != nil {
		return err
	}
	annotations, err := findGroup(pkg, "Annotation")
	if err != nil {
		return err
	}
	stalled := stalledReasons(files)

	var b strings.Builder
	b.WriteString("\n## Status conditions\n\n")
	b.WriteString(text(conditions.doc) + "\n\n")
	b.WriteString("| Type | Description |\n| --- | --- |\n")
	for _, c := range conditions.constants {
		fmt.Fprintf(&b, "| `%s` | %s |\n", c.value, cell(described(c)))
	}

	b.WriteString("\n### Reasons\n\n")
	b.WriteString(text(reasons.doc) + "\n")
	if len(stalled) > 0 {
		b.WriteString("\nWhen Ready is not True, its reason decides the kstatus conditions: a reason marked " +
			"Stalled makes Stalled True (nothing changes until a person acts); any other makes " +
			"Reconciling True (the operator is still working).\n\n")
		b.WriteString("| Reason | Stalled |\n| --- | --- |\n")
		for _, c := range reasons.constants {
			mark := ""
			if stalled[c.name] {
				mark = "Stalled"
			}
			fmt.Fprintf(&b, "| `%s` | %s |\n", c.value, mark)
		}
	} else {
		b.WriteString("\n| Reason |\n| --- |\n")
		for _, c := range reasons.constants {
			fmt.Fprintf(&b, "| `%s` |\n", c.value)
		}
	}

	b.WriteString("\n## Annotations\n\n")
	b.WriteString(text(annotations.doc) + "\n\n")
	b.WriteString("| Annotation | Description |\n| --- | --- |\n")
	for _, c := range annotations.constants {
		fmt.Fprintf(&b, "| `%s` | %s |\n", c.value, cell(stripName(c)))
	}

	_, err = io.WriteString(w, b.String())
	return err
}

// findGroup returns the one const block of untyped string constants whose names all start with
// prefix, in source order.
func findGroup(pkg *doc.Package, prefix string) (group, error) {
	var found []group
	for _, v := range pkg.Consts {
		g := group{doc: v.Doc}
		for _, spec := range v.Decl.Specs {
			vs, ok := spec.(*ast.ValueSpec)
			if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 {
				g.constants = nil
				break
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || !strings.HasPrefix(vs.Names[0].Name, prefix) {
				g.constants = nil
				break
			}
			value, err := strconv.Unquote(lit.Value)
			if err != nil {
				return group{}, err
			}
			g.constants = append(g.constants, constant{name: vs.Names[0].Name, value: value, doc: vs.Doc.Text()})
		}
		if len(g.constants) > 0 {
			found = append(found, g)
		}
	}
	if len(found) != 1 {
		return group{}, fmt.Errorf("want one const block of %s* string constants, found %d", prefix, len(found))
	}
	return found[0], nil
}

// stalledReasons returns the constants listed in the case clauses of func StalledReason: the
// reasons that mean Stalled. It returns nil when there is no such function.
func stalledReasons(files []*ast.File) map[string]bool {
	var names []string
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Name.Name != "StalledReason" || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if cc, ok := n.(*ast.CaseClause); ok {
					for _, e := range cc.List {
						if id, ok := e.(*ast.Ident); ok {
							names = append(names, id.Name)
						}
					}
				}
				return true
			})
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// described is a constant's doc comment with its Go name, where the comment starts with it,
// replaced by its value: "ConditionReady is True when" becomes "Ready is True when".
func described(c constant) string {
	if rest, ok := strings.CutPrefix(c.doc, c.name+" "); ok {
		return c.value + " " + rest
	}
	return c.doc
}

// stripName is a constant's doc comment without its Go name, where the comment starts with it:
// "AnnotationPaused set to" becomes "Set to".
func stripName(c constant) string {
	if rest, ok := strings.CutPrefix(c.doc, c.name+" "); ok && rest != "" {
		return strings.ToUpper(rest[:1]) + rest[1:]
	}
	return c.doc
}

// text renders a doc comment as Markdown prose: < and > escaped, so that "<name>" is not read as
// an HTML tag, and | escaped, so that it cannot end a table cell.
func text(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "|", `\|`).Replace(strings.TrimSpace(s))
}

// cell renders a doc comment in one table cell: its lines joined, its paragraphs split by <br />.
func cell(s string) string {
	return strings.NewReplacer("\n\n", "<br /><br />", "\n", " ").Replace(text(s))
}
