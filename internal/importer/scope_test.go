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
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// TestScopeFlagsFromTheDescriptors: the help shows every provider's import flags with their
// kind, and each provider's part of a shared flag's help; providers that share a flag agree on
// its kind and on whether it is account-level; a number flag refuses what flag.Int64 refuses,
// before anything else is checked.
func TestScopeFlagsFromTheDescriptors(t *testing.T) {
	help := runCommand(t, "--help").stdout
	kinds := map[string]providers.ImportFlag{}
	for _, d := range catalog.All() {
		if len(d.ImportFlags) > 0 && d.ImportScope == nil {
			t.Errorf("%s declares import flags and no ImportScope to read them", d.Type)
		}
		for _, f := range d.ImportFlags {
			if first, ok := kinds[f.Name]; ok && first.Int != f.Int {
				t.Errorf("--%s: %s and an earlier provider disagree on whether it takes a number", f.Name, d.Type)
			}
			if first, ok := kinds[f.Name]; ok && first.Account != f.Account {
				t.Errorf("--%s: %s and an earlier provider disagree on whether it is account-level", f.Name, d.Type)
			}
			kinds[f.Name] = f
			if f.Usage == "" || !strings.Contains(help, d.Name+": "+strings.TrimSuffix(f.Usage, ".")) {
				t.Errorf("--%s: the help lacks %s's part %q:\n%s", f.Name, d.Name, f.Usage, help)
			}
		}
	}
	for name, f := range kinds {
		kind := "string"
		if f.Int {
			kind = "int"
			r := runCommand(t, "--"+name, "not-a-number")
			if r.code != ExitUsage || !strings.Contains(r.stderr, `invalid value "not-a-number" for flag -`+name) {
				t.Errorf("--%s not-a-number: exit %d, stderr %q", name, r.code, r.stderr)
			}
		}
		if !strings.Contains(help, "\n  -"+name+" "+kind+"\n") {
			t.Errorf("the help does not show --%s as a flag of kind %s:\n%s", name, kind, help)
		}
	}
	if strings.Contains(help, ".;") {
		t.Errorf("a shared flag's help joins sentences badly:\n%s", help)
	}
}

// TestCredentialKeysHelp: the help of --credentials-file names every provider and every key, once
// per provider group.
func TestCredentialKeysHelp(t *testing.T) {
	got := credentialKeysHelp()
	for _, d := range catalog.All() {
		if !strings.Contains(got, d.Name) {
			t.Errorf("%q does not name %s", got, d.Name)
		}
		for _, set := range d.CredentialKeys {
			if want := strings.Join(set, " and "); !strings.Contains(got, want) {
				t.Errorf("%q lacks %s's keys %q", got, d.Name, want)
			}
		}
	}
	if strings.Contains(got, `"`) {
		t.Errorf("%q: the help spells the keys unquoted", got)
	}
}
