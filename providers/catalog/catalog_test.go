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
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// root is the repository root.
var root = filepath.Join("..", "..")

// TestDescriptorsAreConsistent: each descriptor's names agree with each other and with the API,
// and nothing is shared between two descriptors.
func TestDescriptorsAreConsistent(t *testing.T) {
	lower := regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	seen := map[string]string{}
	specFields := specBlocks(t)
	for _, d := range catalog.All() {
		t.Run(string(d.Type), func(t *testing.T) {
			for what, v := range map[string]string{"type": string(d.Type), "name": d.Name, "display name": d.DisplayName, "short name": d.ShortName, "spec field": d.SpecField} {
				if v == "" {
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
			if _, ok := specFields[d.SpecField]; !ok {
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
			checkSecretRefPaths(t, d)
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
	p := d.New(providers.Settings{AllowInsecure: true})
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

// TestChartValuesCoverEveryDescriptor: the chart has each base URL flag with the descriptor's
// default, and the descriptors' rates as the --provider-qps default.
func TestChartValuesCoverEveryDescriptor(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "dist", "chart", "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(data, &values); err != nil {
		t.Fatal(err)
	}
	operator, _ := values["operator"].(map[string]any)
	var qps []string
	for _, d := range catalog.All() {
		qps = append(qps, d.Name+"="+strconv.FormatFloat(d.DefaultQPS, 'g', -1, 64))
		if d.APIURL == nil {
			continue
		}
		key := d.Name + "ApiUrl"
		v, ok := operator[key]
		if !ok {
			t.Errorf("the chart has no operator.%s for --%s", key, d.FlagName())
		} else if v != d.APIURL.Default {
			t.Errorf("operator.%s defaults to %v, the flag to %q", key, v, d.APIURL.Default)
		}
	}
	if got, want := operator["providerQps"], strings.Join(qps, ","); got != want {
		t.Errorf("operator.providerQps defaults to %v, the descriptors say %q", got, want)
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
}
