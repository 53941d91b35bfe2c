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

package catalog

import (
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/providers"
)

// spellingVariant is an edit of a descriptor's sample spec.
type spellingVariant struct {
	name string
	edit func(*hooksv1alpha1.WebhookSpec)
}

// accountSpellingCase is a provider, a spelling of its default base URL (empty: none to try),
// the edits of its sample that keep the account and those that name another.
type accountSpellingCase struct {
	provider hooksv1alpha1.ProviderType
	baseURL  string
	same     []spellingVariant
	other    []spellingVariant
}

// accountSpellingCases are the spellings of each provider's account.
var accountSpellingCases = []accountSpellingCase{
	{
		provider: hooksv1alpha1.ProviderPageSeeder,
		same: []spellingVariant{
			{"host in upper case", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServerURL = "https://PS.Example.ORG" }},
			{"scheme in upper case", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServerURL = "HTTPS://ps.example.org" }},
			{"explicit :443", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServerURL = "https://ps.example.org:443" }},
			{"explicit :0443", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServerURL = "https://ps.example.org:0443" }},
			{"trailing dot", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServerURL = "https://ps.example.org." }},
			{"trailing slash", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServerURL = "https://ps.example.org/" }},
			{"surrounding spaces", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServerURL = " https://ps.example.org " }},
			{"servicePath /ps/api", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServicePath = "/ps/api" }},
			{"servicePath /ps/service spelled out", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServicePath = "/ps/service" }},
			{"servicePath with a trailing slash", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServicePath = "/ps/service/" }},
			{"servicePath with an empty segment", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServicePath = "/ps//api" }},
			{"the site prefix in serverUrl", func(s *hooksv1alpha1.WebhookSpec) {
				s.PageSeeder.ServerURL, s.PageSeeder.ServicePath = "https://ps.example.org/ps", "/service"
			}},
			{"another webhook field", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.Name = "other" }},
		},
		other: []spellingVariant{
			{"another client", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.Client++ }},
			{"another host", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServerURL = "https://ps2.example.org" }},
			{"another port", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServerURL = "https://ps.example.org:8443" }},
			{"another site on the host", func(s *hooksv1alpha1.WebhookSpec) { s.PageSeeder.ServicePath = "/other/service" }},
		},
	},
	{
		provider: hooksv1alpha1.ProviderEightByEight,
		same: []spellingVariant{
			{"account id in upper case", func(s *hooksv1alpha1.WebhookSpec) {
				s.EightByEight.AccountID = "0123456789ABCDEF0123456789ABCDEF"
			}},
			{"account id with dashes", func(s *hooksv1alpha1.WebhookSpec) {
				s.EightByEight.AccountID = "01234567-89ab-cdef-0123-456789abcdef"
			}},
			{"account id with dashes in upper case", func(s *hooksv1alpha1.WebhookSpec) {
				s.EightByEight.AccountID = "01234567-89AB-CDEF-0123-456789ABCDEF"
			}},
			{"another sub-account", func(s *hooksv1alpha1.WebhookSpec) { s.EightByEight.SubAccountID = "other" }},
		},
		other: []spellingVariant{
			{"another account", func(s *hooksv1alpha1.WebhookSpec) {
				s.EightByEight.AccountID = "1123456789abcdef0123456789abcdef"
			}},
			{"another region", func(s *hooksv1alpha1.WebhookSpec) { s.EightByEight.Region = "US" }},
		},
	},
	{
		provider: hooksv1alpha1.ProviderAutodesk,
		baseURL:  "https://Developer.API.Autodesk.com:443/",
		same: []spellingVariant{
			{"another event", func(s *hooksv1alpha1.WebhookSpec) { s.Autodesk.Event = "dm.version.modified" }},
		},
		other: []spellingVariant{
			{"another region", func(s *hooksv1alpha1.WebhookSpec) { s.Autodesk.Region = "EMEA" }},
		},
	},
	{
		provider: hooksv1alpha1.ProviderWebex,
		baseURL:  "https://WEBEXAPIS.com.:443/v1/",
		same: []spellingVariant{
			{"org-owned", func(s *hooksv1alpha1.WebhookSpec) { s.Webex.OwnedBy = hooksv1alpha1.WebexOwnedByOrg }},
		},
	},
}

// TestAccountIdentityIgnoresSpelling: every spelling of one SaaS account is one account, for
// every provider, and what really names another account is another. The claims, the owner checks,
// the snapshots, the gates and the metrics all key on Account, so a spelling that split it would
// let a second namespace adopt, or flip, a remote webhook that another namespace owns.
func TestAccountIdentityIgnoresSpelling(t *testing.T) {
	for _, tc := range accountSpellingCases {
		d, ok := ByType(tc.provider)
		if !ok {
			t.Fatalf("no descriptor for %s", tc.provider)
		}
		t.Run(d.Name, func(t *testing.T) { checkAccountSpellings(t, d, tc) })
	}
}

// checkAccountSpellings checks that the account of d's sample is not empty, and is the same with
// tc.baseURL and with every edit of tc.same, and another with every edit of tc.other.
func checkAccountSpellings(t *testing.T, d providers.Descriptor, tc accountSpellingCase) {
	t.Helper()
	policy := mustPolicy(t)
	account := func(base string, edit func(*hooksv1alpha1.WebhookSpec)) string {
		if base == "" && d.APIURL != nil {
			base = d.APIURL.Default
		}
		p := d.New(providers.Settings{BaseURL: base, Egress: policy})
		spec := d.Sample()
		if edit != nil {
			edit(&spec)
		}
		return p.Account(&providers.Request{Owner: "team-a/hook", Spec: &spec})
	}
	want := account("", nil)
	if want == "" {
		t.Fatal("the sample's account is empty")
	}
	if tc.baseURL != "" {
		if got := account(tc.baseURL, nil); got != want {
			t.Errorf("base URL %q: account %q, want %q", tc.baseURL, got, want)
		}
	}
	for _, v := range tc.same {
		if got := account("", v.edit); got != want {
			t.Errorf("%s: account %q, want %q", v.name, got, want)
		}
	}
	for _, v := range tc.other {
		if got := account("", v.edit); got == want {
			t.Errorf("%s: account %q is the sample's, but it names another account", v.name, got)
		}
	}
}

// TestCanonicalURL pins the spelling rules of CanonicalURL, the one home of server identity.
func TestCanonicalURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://ps.example.org":              "https://ps.example.org",
		"HTTPS://PS.EXAMPLE.ORG:443/":         "https://ps.example.org",
		"https://ps.example.org.:443/a/../b/": "https://ps.example.org/b",
		"http://ps.example.org:80":            "http://ps.example.org",
		"http://ps.example.org:443":           "http://ps.example.org:443",
		"https://ps.example.org:08443//x//y":  "https://ps.example.org:8443/x/y",
		"https://[::FFFF:10.0.0.1]:443":       "https://10.0.0.1",
		"https://[2001:DB8:0::1]":             "https://[2001:db8::1]",
		"https://u:p@ps.example.org/?q=1#f":   "https://ps.example.org",
		"https://ps.example.org/%70s":         "https://ps.example.org/ps",
	} {
		got, ok := providers.CanonicalURL(in)
		if !ok || got != want {
			t.Errorf("CanonicalURL(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "ps.example.org", "ftp://ps.example.org", "https://", "https://ps.example.org:0", "https://ps.example.org:99999"} {
		if got, ok := providers.CanonicalURL(in); ok {
			t.Errorf("CanonicalURL(%q) = %q, want a refusal", in, got)
		}
	}
	for in, want := range map[string]string{
		"0123456789abcdef0123456789abcdef":     "0123456789abcdef0123456789abcdef",
		"01234567-89AB-CDEF-0123-456789ABCDEF": "0123456789abcdef0123456789abcdef",
	} {
		if got, ok := providers.CanonicalGUID(in); !ok || got != want {
			t.Errorf("CanonicalGUID(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdeg"} {
		if got, ok := providers.CanonicalGUID(in); ok {
			t.Errorf("CanonicalGUID(%q) = %q, want a refusal", in, got)
		}
	}
}

// mustPolicy is the default egress policy: an empty allowlist.
func mustPolicy(t *testing.T) *egress.Policy {
	t.Helper()
	p, err := egress.Parse("")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
