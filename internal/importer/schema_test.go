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

package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// crdPath is the generated CRD, relative to this package.
var crdPath = filepath.Join("..", "..", "config", "crd", "bases", "hooks.hookkeeper.dev_webhooks.yaml")

// loadSchema reads the OpenAPI schema of the Webhook CRD.
func loadSchema(t *testing.T) *apiextensionsv1.JSONSchemaProps {
	t.Helper()
	data, err := os.ReadFile(crdPath)
	if err != nil {
		t.Fatalf("reading the CRD: %v", err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatalf("reading %s: %v", crdPath, err)
	}
	for _, v := range crd.Spec.Versions {
		if v.Name == "v1alpha1" && v.Schema != nil && v.Schema.OpenAPIV3Schema != nil {
			return v.Schema.OpenAPIV3Schema
		}
	}
	t.Fatalf("%s has no v1alpha1 schema", crdPath)
	return nil
}

// checkSchema reports the ways obj, a decoded YAML document, breaks the parts of the structural
// schema that matter for a spec: types, required fields, enums, patterns, lengths, bounds and
// unknown fields. The CEL rules are left to the providers' Validate, which covers them.
func checkSchema(s *apiextensionsv1.JSONSchemaProps, obj any, path string) []string {
	if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
		return nil
	}
	switch s.Type {
	case "object":
		return checkSchemaObject(s, obj, path)
	case "array":
		return checkSchemaArray(s, obj, path)
	case "string":
		return checkSchemaString(s, obj, path)
	case "integer":
		return checkSchemaInteger(s, obj, path)
	case "boolean":
		if _, ok := obj.(bool); !ok {
			return []string{path + ": " + fmt.Sprintf("want a boolean, got %T", obj)}
		}
	}
	return nil
}

// schemaErrors collects the ways a value at one path breaks its schema.
type schemaErrors struct {
	path string
	errs []string
}

// bad adds a break, prefixed with the path.
func (e *schemaErrors) bad(format string, args ...any) {
	e.errs = append(e.errs, e.path+": "+fmt.Sprintf(format, args...))
}

// checkSchemaObject checks an object: its required fields, its number of properties, and each
// property against its schema or the schema of additional properties; any other is unknown.
// The object at .metadata is the API server's to check.
func checkSchemaObject(s *apiextensionsv1.JSONSchemaProps, obj any, path string) []string {
	e := &schemaErrors{path: path}
	m, ok := obj.(map[string]any)
	if !ok {
		e.bad("want an object, got %T", obj)
		return e.errs
	}
	if path == ".metadata" {
		return nil // the API server's own schema
	}
	for _, r := range s.Required {
		if _, ok := m[r]; !ok {
			e.bad("missing required field %q", r)
		}
	}
	if s.MinProperties != nil && int64(len(m)) < *s.MinProperties {
		e.bad("%d properties, fewer than %d", len(m), *s.MinProperties)
	}
	if s.MaxProperties != nil && int64(len(m)) > *s.MaxProperties {
		e.bad("%d properties, more than %d", len(m), *s.MaxProperties)
	}
	for k, v := range m {
		if sub, ok := s.Properties[k]; ok {
			e.errs = append(e.errs, checkSchema(&sub, v, path+"."+k)...)
			continue
		}
		if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
			e.errs = append(e.errs, checkSchema(s.AdditionalProperties.Schema, v, path+"."+k)...)
			continue
		}
		e.bad("unknown field %q", k)
	}
	return e.errs
}

// checkSchemaArray checks an array: its length, and each item against the items' schema.
func checkSchemaArray(s *apiextensionsv1.JSONSchemaProps, obj any, path string) []string {
	e := &schemaErrors{path: path}
	items, ok := obj.([]any)
	if !ok {
		e.bad("want an array, got %T", obj)
		return e.errs
	}
	if s.MaxItems != nil && int64(len(items)) > *s.MaxItems {
		e.bad("%d items, more than %d", len(items), *s.MaxItems)
	}
	for i, it := range items {
		if s.Items != nil && s.Items.Schema != nil {
			e.errs = append(e.errs, checkSchema(s.Items.Schema, it, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return e.errs
}

// checkSchemaString checks a string: its length in characters, its pattern, its date-time format
// and its enum.
func checkSchemaString(s *apiextensionsv1.JSONSchemaProps, obj any, path string) []string {
	e := &schemaErrors{path: path}
	str, ok := obj.(string)
	if !ok {
		e.bad("want a string, got %T", obj)
		return e.errs
	}
	n := int64(utf8.RuneCountInString(str))
	if s.MinLength != nil && n < *s.MinLength {
		e.bad("%q is shorter than %d", str, *s.MinLength)
	}
	if s.MaxLength != nil && n > *s.MaxLength {
		e.bad("%d characters, more than %d", n, *s.MaxLength)
	}
	if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(str) {
		e.bad("%q does not match %s", str, s.Pattern)
	}
	if s.Format == "date-time" {
		if _, err := time.Parse(time.RFC3339, str); err != nil {
			e.bad("%q is not a date-time", str)
		}
	}
	if len(s.Enum) > 0 {
		var allowed []string
		for _, v := range s.Enum {
			allowed = append(allowed, strings.Trim(string(v.Raw), `"`))
		}
		if !slices.Contains(allowed, str) {
			e.bad("%q is not one of %v", str, allowed)
		}
	}
	return e.errs
}

// checkSchemaInteger checks an integer, which JSON decodes as a float64 without a fraction, and
// its minimum.
func checkSchemaInteger(s *apiextensionsv1.JSONSchemaProps, obj any, path string) []string {
	e := &schemaErrors{path: path}
	f, ok := obj.(float64)
	if !ok || f != float64(int64(f)) {
		e.bad("want an integer, got %v", obj)
		return e.errs
	}
	if s.Minimum != nil && f < *s.Minimum {
		e.bad("%v is less than %v", f, *s.Minimum)
	}
	return e.errs
}
