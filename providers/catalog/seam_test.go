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
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// perProviderByNature are Go test files outside the seam that name providers on purpose: test
// tables whose entries drive each provider's own simulator, and tests of one provider's
// behaviour. Each entry says why; only tests may be here (the test checks it). A provider added later still needs its entries in the tables these hold, which
// is what the tables are for.
var perProviderByNature = map[string]string{
	"config/argocd/argocd_test.go":            "Argo CD's health check on a Webhook of one provider",
	"internal/config/config_test.go":          "the operator's --provider-qps default and per-provider limits",
	"internal/config/cache_test.go":           "the cache scope of the flags, checked with a Webhook of one provider",
	"internal/operator/providers_test.go":     "the operator's per-provider clients",
	"controllers/ratelimit_source_test.go":    "which rate-limit waits reach an account's status, on one provider's account",
	"test/sharding/accounts_test.go":          "one ClusterAccount across replicas, on Webex's simulator",
	"test/install/account_rbac_test.go":       "the installed RBAC on accounts of one provider",
	"hack/demo/demo_test.go":                  "the demo's check of each sample's remote id format",
	"controllers/faults_test.go":              "fault-injection tables, one entry per provider",
	"controllers/invalid_test.go":             "invalid-spec tables, one entry per provider block",
	"controllers/kstatus_test.go":             "kstatus per Ready reason, driven through one provider's simulator",
	"controllers/lifecycle_test.go":           "the all-provider lifecycle table: each entry's account on its simulator",
	"controllers/metrics_test.go":             "metrics of one provider's requests",
	"controllers/snapshot_test.go":            "list sharing on one provider's simulator",
	"controllers/suite_test.go":               "the envtest suite's simulators, one per provider",
	"controllers/tenancy_test.go":             "tenancy attacks through PageSeeder's and Webex's simulators",
	"controllers/ownership_test.go":           "ownership attacks: a tenant's own PageSeeder server, another spelling of an 8x8 account",
	"controllers/account_unit_test.go":        "the Retry-After gate of a credential aimed at a tenant-named PageSeeder server",
	"controllers/statuskey_suite_test.go":     "the keyed secret hash of a Webex signing secret, computed as the operator does",
	"controllers/webhook_controller_test.go":  "Webex-only specs with no all-provider equivalent",
	"controllers/accounts_invalid_test.go":    "the account schema per provider block",
	"controllers/accounts_test.go":            "accounts driven through Webex's and 8x8's simulators",
	"internal/accounts/accounts_test.go":      "account rules on accounts of one provider or another",
	"internal/accounts/resolve_test.go":       "each provider's account-level fields",
	"internal/importer/errors_test.go":        "import errors per provider",
	"internal/importer/importer_test.go":      "import per provider, against each simulator",
	"internal/importer/account_test.go":       "import from an Account or ClusterAccount per provider, against each simulator",
	"internal/importer/output_test.go":        "import output per provider block",
	"internal/test/localenv/localenv_test.go": "each simulator of the local environment",
	"hack/bench/bench_test.go":                "the benchmark's workload per provider",
	"hack/bench/replicas_test.go":             "metrics text as an operator writes it, with its provider labels, and the outage provider of the options under test",
	"test/install/installed_test.go":          "the installed operator, one Webhook per provider",
	"test/install/undeploy_test.go":           "make undeploy against one provider's simulator",
}

// notYetOnTheList are Go files that still name providers where they should loop over the list.
// It may only shrink: an entry that names no provider any more fails the test until it goes.
var notYetOnTheList = map[string]string{}

// TestProviderNamesStayBehindTheSeam: outside its own package, api/ and the list in
// providers/catalog, no Go file imports a provider's packages, uses its API constant, or spells
// its name or type as a string literal, except the files listed above.
func TestProviderNamesStayBehindTheSeam(t *testing.T) {
	var alternatives []string
	for _, d := range catalog.All() {
		alternatives = append(alternatives,
			regexp.QuoteMeta(`hookkeeper/providers/`+d.Name)+`(/[a-z]+)?"`,
			`\bProvider`+regexp.QuoteMeta(string(d.Type))+`\b`,
			`"`+regexp.QuoteMeta(d.Name)+`"`, `"`+regexp.QuoteMeta(string(d.Type))+`"`,
			`"`+regexp.QuoteMeta(d.ShortName)+`"`, `"`+regexp.QuoteMeta(d.SpecField)+`"`)
		// The provider block and the API types named after it: spec.EightByEight,
		// hooksv1alpha1.EightByEightSpec, hooksv1alpha1.EightByEightRegion...
		if goName := specBlockGoName(t, d.SpecField); goName != "" {
			alternatives = append(alternatives, `\.`+regexp.QuoteMeta(goName)+`\w*\b`)
		}
	}
	mention := regexp.MustCompile(strings.Join(alternatives, "|"))
	ownPackage := regexp.MustCompile(`^providers/(` + strings.Join(catalog.Names(), "|") + `)/`)
	mentioning := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if d.IsDir() {
			switch rel {
			case ".git", "bin", "dist", ".demo", "tmp":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasPrefix(rel, "api/") || strings.HasPrefix(rel, "providers/catalog/") ||
			ownPackage.MatchString(rel) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if m := mention.Find(data); m != nil {
			mentioning[rel] = true
			if _, ok := perProviderByNature[rel]; ok {
				return nil
			}
			if _, ok := notYetOnTheList[rel]; ok {
				return nil
			}
			t.Errorf("%s names a provider (%s): loop over providers/catalog instead, or list the file here with the reason", rel, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range perProviderByNature {
		if !strings.HasSuffix(f, "_test.go") {
			t.Errorf("%s is not a test: code outside the seam loops over providers/catalog, it does not name providers", f)
		}
	}
	for _, list := range []map[string]string{perProviderByNature, notYetOnTheList} {
		for _, f := range slices.Sorted(func(yield func(string) bool) {
			for k := range list {
				if !yield(k) {
					return
				}
			}
		}) {
			if !mentioning[f] {
				t.Errorf("%s names no provider any more: remove it from the list", f)
			}
		}
	}
}

// specBlockGoName is the Go name of the WebhookSpec field whose JSON name is field, such as
// "EightByEight"; "" when there is none (the catalog's tests report that).
func specBlockGoName(t *testing.T, field string) string {
	t.Helper()
	typ := reflect.TypeOf(hooksv1alpha1.WebhookSpec{})
	for i := range typ.NumField() {
		if name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ","); name == field {
			return typ.Field(i).Name
		}
	}
	return ""
}
