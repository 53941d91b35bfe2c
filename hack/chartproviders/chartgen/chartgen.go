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

// Package chartgen writes the files that follow providers/catalog, for hack/chartproviders: the
// Helm chart's providers map of dist/chart/values.yaml (each provider's apiUrl, when it has a base
// URL flag, and qps, with the descriptor's defaults), its schema in values.schema.json (exactly
// the catalog's names) and its rows in the Values table of dist/chart/README.md; and the list of
// the providers' samples in config/samples/kustomization.yaml (each provider's sample is
// config/samples/<name>.yaml, which the catalog's tests require).
package chartgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hookkeeper/hookkeeper/providers"
)

// The chart's files, below the root.
var (
	ValuesFile = filepath.Join("dist", "chart", "values.yaml")
	SchemaFile = filepath.Join("dist", "chart", "values.schema.json")
	ReadmeFile = filepath.Join("dist", "chart", "README.md")
	// samplesFile lists each provider's sample, config/samples/<name>.yaml.
	SamplesFile = filepath.Join("config", "samples", "kustomization.yaml")
)

// Run makes the chart's files below root describe descs, writing those that differ when write
// is true, and returns the files that differed.
func Run(root string, descs []providers.Descriptor, write bool) (stale []string, err error) {
	for _, f := range []struct {
		path string
		gen  func([]byte, []providers.Descriptor) ([]byte, error)
	}{{ValuesFile, values}, {SchemaFile, schema}, {ReadmeFile, readme}, {SamplesFile, samples}} {
		path := filepath.Join(root, f.path)
		old, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out, err := f.gen(old, descs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.path, err)
		}
		if bytes.Equal(old, out) {
			continue
		}
		stale = append(stale, f.path)
		if write {
			if err := os.WriteFile(path, out, 0o644); err != nil {
				return nil, err
			}
		}
	}
	return stale, nil
}

// apiURLText is the description of a provider's apiUrl; qpsText that of its qps.
func apiURLText(d providers.Descriptor) string {
	usage := strings.TrimSuffix(d.APIURL.Usage, ".")
	r, n := utf8.DecodeRuneInString(usage)
	text := fmt.Sprintf("--%s: %s%s.", d.FlagName(), string(unicode.ToLower(r)), usage[n:])
	if d.APIURL.Default == "" {
		return text + " Passed only when set."
	}
	return text + " Empty: the flag is not passed."
}

func qpsText(d providers.Descriptor) string {
	return fmt.Sprintf("%s's item of --provider-qps: requests per second per credential (0: no limit).", d.ShortName)
}

func qps(d providers.Descriptor) string {
	return strconv.FormatFloat(d.DefaultQPS, 'g', -1, 64)
}

func quoted(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// values replaces the providers map of values.yaml: from the line "providers:" to the next
// blank line.
func values(old []byte, descs []providers.Descriptor) ([]byte, error) {
	text := string(old)
	start := strings.Index(text, "\nproviders:\n")
	if start < 0 {
		return nil, errors.New(`no "providers:" line`)
	}
	start++
	end := strings.Index(text[start:], "\n\n")
	if end < 0 {
		return nil, errors.New("the providers map is not followed by a blank line")
	}
	end += start + 1
	var b strings.Builder
	b.WriteString("providers:\n")
	for _, d := range descs {
		fmt.Fprintf(&b, "  %s:\n", d.Name)
		if d.APIURL != nil {
			for _, line := range wrap("-- "+apiURLText(d), 100-6) {
				fmt.Fprintf(&b, "    # %s\n", line)
			}
			fmt.Fprintf(&b, "    apiUrl: %s\n", quoted(d.APIURL.Default))
		}
		for _, line := range wrap("-- "+qpsText(d), 100-6) {
			fmt.Fprintf(&b, "    # %s\n", line)
		}
		fmt.Fprintf(&b, "    qps: %s\n", qps(d))
	}
	return []byte(text[:start] + b.String() + text[end:]), nil
}

// wrap cuts text into lines of at most width characters, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// schema replaces properties.providers of values.schema.json, keeping the rest as it is.
func schema(old []byte, descs []providers.Descriptor) ([]byte, error) {
	var doc ordered
	if err := json.Unmarshal(old, &doc); err != nil {
		return nil, err
	}
	props, ok := doc.get("properties").(ordered)
	if !ok {
		return nil, errors.New("no properties")
	}
	url := ordered{
		{"anyOf", []any{
			ordered{{"type", "string"}, {"pattern", `^https?://[^\s]+$`}},
			ordered{{"type", "string"}, {"maxLength", 0}},
		}},
		{"description", "An absolute http(s) URL; empty: the flag is not passed (the operator's default)."},
	}
	var each ordered
	for _, d := range descs {
		var p ordered
		if d.APIURL != nil {
			p = append(p, field{"apiUrl", url})
		}
		p = append(p,
			field{"qps", ordered{{"type", "number"}, {"minimum", 0}, {"description", "Requests per second per credential; 0: no limit."}}},
			field{"burst", ordered{{"type", "integer"}, {"minimum", 1}, {"description", "Burst of requests per credential; twice the rate when unset."}}})
		each = append(each, field{d.Name, ordered{{"type", "object"}, {"properties", p}, {"required", []any{"qps"}}, {"additionalProperties", false}}})
	}
	props = props.set("providers", ordered{
		{"type", "object"},
		{"description", "One entry per provider of the operator (providers/catalog), by its name; no other."},
		{"properties", each},
		{"additionalProperties", false},
	}, "operator")
	doc = doc.set("properties", props, "")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readme replaces the rows of the providers values in the README's Values table (those whose
// value starts with "providers."), where the first of them is, or before serviceAccount.create.
func readme(old []byte, descs []providers.Descriptor) ([]byte, error) {
	var rows []string
	for _, d := range descs {
		if d.APIURL != nil {
			rows = append(rows, fmt.Sprintf("| `providers.%s.apiUrl` | `%s` | %s |", d.Name, quoted(d.APIURL.Default), apiURLText(d)))
		}
		rows = append(rows, fmt.Sprintf("| `providers.%s.qps` | `%s` | %s |", d.Name, qps(d), qpsText(d)))
	}
	lines := strings.Split(string(old), "\n")
	var out []string
	at := -1
	for _, l := range lines {
		if strings.HasPrefix(l, "| `providers.") {
			if at < 0 {
				at = len(out)
			}
			continue
		}
		out = append(out, l)
	}
	if at < 0 {
		for i, l := range out {
			if strings.HasPrefix(l, "| `serviceAccount.create` |") {
				at = i
				break
			}
		}
	}
	if at < 0 {
		return nil, errors.New("no providers rows in the Values table, and no serviceAccount.create row to put them before")
	}
	out = append(out[:at], append(rows, out[at:]...)...)
	return []byte(strings.Join(out, "\n")), nil
}

// samples replaces the resources of the samples' kustomization, its last lines: one
// <name>.yaml per provider.
func samples(old []byte, descs []providers.Descriptor) ([]byte, error) {
	text := string(old)
	i := strings.Index(text, "\nresources:\n")
	if i < 0 {
		return nil, errors.New(`no "resources:" line`)
	}
	for _, l := range strings.Split(strings.TrimSuffix(text[i+len("\nresources:\n"):], "\n"), "\n") {
		if !strings.HasPrefix(l, "- ") {
			return nil, fmt.Errorf("%q after resources: the list must end the file", l)
		}
	}
	var b strings.Builder
	b.WriteString(text[:i] + "\nresources:\n")
	for _, d := range descs {
		fmt.Fprintf(&b, "- %s.yaml\n", d.Name)
	}
	return []byte(b.String()), nil
}
