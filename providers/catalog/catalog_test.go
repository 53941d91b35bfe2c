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

package catalog_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
	"github.com/hookkeeper/hookkeeper/providers/catalog/catalogtest"
)

// root is the repository root.
var root = filepath.Join("..", "..")

// TestDescriptorsAreConsistent: each descriptor's names agree with each other and with the API,
// and nothing is shared between two descriptors. It runs on the tests' catalog: the example
// provider, which has no block in the API, passes every check but those against the API.
func TestDescriptorsAreConsistent(t *testing.T) {
	lower := regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	seen := map[string]string{}
	specFields := specBlocks(t)
	for _, d := range catalogtest.All() {
		noAPI := catalogtest.WithoutAPIBlock(d)
		t.Run(string(d.Type), func(t *testing.T) {
			for what, v := range map[string]string{"type": string(d.Type), "name": d.Name, "display name": d.DisplayName, "short name": d.ShortName, "spec field": d.SpecField} {
				if v == "" && !(noAPI && what == "spec field") {
					t.Errorf("%s is empty", what)
				}
				if other, dup := seen[what+"="+v]; dup {
					t.Errorf("%s %q is also %s's", what, v, other)
				}
				seen[what+"="+v] = string(d.Type)
			}
			if !lower.MatchString(d.Name) {
				t.Errorf("name %q must be lower-case letters and digits: it is a flag prefix and a metrics label", d.Name)
			}
			if d.Name != strings.ToLower(string(d.Type)) {
				t.Errorf("name %q is not the lower-cased type %q: the import command and the docs accept both spellings", d.Name, d.Type)
			}
			if _, ok := specFields[d.SpecField]; !ok && !noAPI {
				t.Errorf("spec field %q is not a field of WebhookSpec", d.SpecField)
			}
			if (d.APIURL == nil) != d.TenantEndpoints {
				t.Errorf("a provider has either a base URL flag or endpoints in the spec: APIURL %v, TenantEndpoints %v", d.APIURL, d.TenantEndpoints)
			}
			if d.TenantEndpoints != (d.EndpointField != "") || (d.EndpointField != "" && !strings.HasPrefix(d.EndpointField, d.SpecField+".")) {
				t.Errorf("endpoint field %q: want a field of spec.%s exactly when the spec names the endpoints", d.EndpointField, d.SpecField)
			}
			if d.DefaultQPS <= 0 {
				t.Errorf("default rate %v, want a positive rate", d.DefaultQPS)
			}
			if len(d.CredentialKeys) == 0 {
				t.Error("no credential key set")
			}
			for _, set := range d.CredentialKeys {
				if len(set) == 0 || slices.Contains(set, "") {
					t.Errorf("credential key set %q has an empty key", set)
				}
			}
			checkSample(t, d)
			if !noAPI {
				checkSecretRefPaths(t, d)
			}
		})
	}
}

// checkSample: the provider comes from the package named as the descriptor (so that its own
// errors and the metrics label agree), and the sample is a spec of this provider with exactly its
// block set, which the provider itself finds valid.
func checkSample(t *testing.T, d providers.Descriptor) {
	t.Helper()
	spec := d.Sample()
	if spec.Provider != d.Type {
		t.Errorf("sample spec.provider %q", spec.Provider)
	}
	v := reflect.ValueOf(spec)
	for field, i := range specBlocks(t) {
		set := !v.Field(i).IsNil()
		if set != (field == d.SpecField) {
			t.Errorf("sample sets spec.%s: %v", field, set)
		}
	}
	p := d.Build(providers.Settings{AllowInsecure: true})
	typ := reflect.TypeOf(p)
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if want := "/" + d.Name; !strings.HasSuffix(typ.PkgPath(), want) {
		t.Errorf("the provider is a %s of package %s: the name %q (its flags' prefix and metrics label) must be its package's, ...%s",
			typ.Name(), typ.PkgPath(), d.Name, want)
	}
	if err := p.Validate(&providers.Request{Owner: "ns/sample", Spec: &spec}); err != nil {
		t.Errorf("the provider refuses its own sample: %v", err)
	}
}

// checkSecretRefPaths: with every Secret reference of the provider's block set, SecretRefs
// reports exactly the descriptor's paths.
func checkSecretRefPaths(t *testing.T, d providers.Descriptor) {
	t.Helper()
	spec := d.Sample()
	block := reflect.ValueOf(&spec).Elem().Field(specBlocks(t)[d.SpecField])
	fillSecretRefs(block)
	var got []string
	for path := range spec.SecretRefs() {
		got = append(got, path)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(d.SecretRefPaths))
	if !slices.Equal(got, want) {
		t.Errorf("with every secret reference set, SecretRefs reports %q; the descriptor says %q", got, want)
	}
}

// fillSecretRefs sets every SecretKeySelector reachable from v, allocating the structs on the way.
func fillSecretRefs(v reflect.Value) {
	selector := reflect.TypeOf(hooksv1alpha1.SecretKeySelector{})
	switch {
	case v.Kind() == reflect.Pointer && v.Type().Elem() == selector:
		v.Set(reflect.ValueOf(&hooksv1alpha1.SecretKeySelector{Name: "s", Key: "k"}))
	case v.Type() == selector:
		v.Set(reflect.ValueOf(hooksv1alpha1.SecretKeySelector{Name: "s", Key: "k"}))
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillSecretRefs(v.Elem())
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillSecretRefs(v.Field(i))
			}
		}
	}
}

// specBlocks maps the JSON name of each provider block of WebhookSpec (a pointer to a struct) to
// its field index.
func specBlocks(t *testing.T) map[string]int {
	t.Helper()
	blocks := map[string]int{}
	typ := reflect.TypeOf(hooksv1alpha1.WebhookSpec{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct && strings.HasSuffix(f.Type.Elem().Name(), "Spec") {
			blocks[name] = i
		}
	}
	return blocks
}

// TestEveryProviderBlockHasADescriptor: the API has no provider block, and its enum no value,
// that the list lacks.
func TestEveryProviderBlockHasADescriptor(t *testing.T) {
	var fields []string
	for _, d := range catalog.All() {
		fields = append(fields, d.SpecField)
	}
	for block := range specBlocks(t) {
		if !slices.Contains(fields, block) {
			t.Errorf("WebhookSpec has the provider block %q, which no descriptor names", block)
		}
	}
	crds, err := filepath.Glob(filepath.Join(root, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(crds) == 0 {
		t.Fatalf("no CRD in config/crd/bases: %v", err)
	}
	data, err := os.ReadFile(crds[0])
	if err != nil {
		t.Fatal(err)
	}
	var crd map[string]any
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	versions, _, _ := unstructured.NestedSlice(crd, "spec", "versions")
	if len(versions) == 0 {
		t.Fatal("the CRD has no version")
	}
	enum, _, _ := unstructured.NestedSlice(versions[0].(map[string]any), "schema", "openAPIV3Schema", "properties", "spec", "properties", "provider", "enum")
	var got []string
	for _, e := range enum {
		got = append(got, e.(string))
	}
	var want []string
	for _, d := range catalog.All() {
		want = append(want, string(d.Type))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the CRD's spec.provider enum is %q, the descriptors (in order) %q", got, want)
	}
}

// TestChartValuesCoverEveryDescriptor: the chart's providers map, in values.yaml and in
// values.schema.json, lists exactly the catalog's providers: each with its rate (the
// --provider-qps default), and its base URL flag's default as apiUrl exactly when it has that
// flag; the schema refuses any other name, and an apiUrl for a provider without the flag.
func TestChartValuesCoverEveryDescriptor(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "dist", "chart", "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var values struct {
		Providers map[string]map[string]any `json:"providers"`
	}
	if err := yaml.Unmarshal(data, &values); err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(filepath.Join(root, "dist", "chart", "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	type object struct {
		Properties           map[string]json.RawMessage `json:"properties"`
		Required             []string                   `json:"required"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
	}
	var schema struct {
		Properties struct {
			Providers struct {
				Properties           map[string]object `json:"properties"`
				AdditionalProperties *bool             `json:"additionalProperties"`
			} `json:"providers"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	names := catalog.Names()
	if got := slices.Sorted(maps.Keys(values.Providers)); !slices.Equal(got, slices.Sorted(slices.Values(names))) {
		t.Errorf("values.yaml's providers are %q, the catalog's %q", got, names)
	}
	schemaProviders := schema.Properties.Providers
	if got := slices.Sorted(maps.Keys(schemaProviders.Properties)); !slices.Equal(got, slices.Sorted(slices.Values(names))) {
		t.Errorf("values.schema.json's providers are %q, the catalog's %q", got, names)
	}
	if a := schemaProviders.AdditionalProperties; a == nil || *a {
		t.Error("values.schema.json's providers allow other names: want additionalProperties: false")
	}
	for _, d := range catalog.All() {
		v, s := values.Providers[d.Name], schemaProviders.Properties[d.Name]
		if qps, ok := v["qps"].(float64); !ok || qps != d.DefaultQPS {
			t.Errorf("providers.%s.qps is %v, the descriptor's rate %v", d.Name, v["qps"], d.DefaultQPS)
		}
		want := []string{"burst", "qps"}
		if d.APIURL != nil {
			want = append(want, "apiUrl")
			if got, ok := v["apiUrl"]; !ok || got != d.APIURL.Default {
				t.Errorf("providers.%s.apiUrl is %v, the default of --%s %q", d.Name, got, d.FlagName(), d.APIURL.Default)
			}
		} else if _, ok := v["apiUrl"]; ok {
			t.Errorf("providers.%s.apiUrl is set, and the provider has no base URL flag", d.Name)
		}
		if got := slices.Sorted(maps.Keys(s.Properties)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("values.schema.json's providers.%s has %q, want %q", d.Name, got, slices.Sorted(slices.Values(want)))
		}
		if s.AdditionalProperties == nil || *s.AdditionalProperties || !slices.Equal(s.Required, []string{"qps"}) {
			t.Errorf("values.schema.json's providers.%s: want additionalProperties: false and qps required", d.Name)
		}
	}
}

// TestSamplesCoverEveryDescriptor: config/samples holds a Webhook of every provider.
func TestSamplesCoverEveryDescriptor(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(root, "config", "samples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(string(data)), 4096)
		for {
			var o map[string]any
			if err := dec.Decode(&o); err != nil {
				break
			}
			if o["kind"] == "Webhook" {
				p, _, _ := unstructured.NestedString(o, "spec", "provider")
				seen[p] = true
			}
		}
	}
	for _, d := range catalog.All() {
		if !seen[string(d.Type)] {
			t.Errorf("config/samples has no Webhook of provider %s", d.Type)
		}
	}
	// Each provider's sample is <name>.yaml, which the kustomization lists.
	data, err := os.ReadFile(filepath.Join(root, "config", "samples", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatal(err)
	}
	for _, d := range catalog.All() {
		f := d.Name + ".yaml"
		if _, err := os.Stat(filepath.Join(root, "config", "samples", f)); err != nil {
			t.Errorf("config/samples has no %s: %v", f, err)
		}
		if !slices.Contains(k.Resources, f) {
			t.Errorf("config/samples/kustomization.yaml does not list %s (resources %q)", f, k.Resources)
		}
	}
}
