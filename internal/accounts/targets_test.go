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

package accounts_test

import (
	"testing"

	"github.com/hookkeeper/hookkeeper/internal/accounts"
)

// targetAllowedCase is a rule, a target, and whether the rule admits the target.
type targetAllowedCase struct {
	rule, target string
	want         bool
}

// targetAllowedCases are the rules and targets of TestTargetAllowed, grouped by what they test.
var targetAllowedCases = []targetAllowedCase{
	// The path is a prefix at a "/" boundary.
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooks", true},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooks/", true},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooks/team-a/x", true},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooksx", false},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooks-evil", false},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/", false},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example", false},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/Hooks", false},
	{"https://hooks.corp.example/hooks/", "https://hooks.corp.example/hooks/x", true},
	{"https://hooks.corp.example/hooks/", "https://hooks.corp.example/hooks", true},
	{"https://hooks.corp.example/hooks/", "https://hooks.corp.example/hooksx", false},
	{"https://hooks.corp.example/a/b", "https://hooks.corp.example/a/b/c", true},
	{"https://hooks.corp.example/a/b", "https://hooks.corp.example/a/bc", false},
	{"https://hooks.corp.example/a/b", "https://hooks.corp.example/a", false},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooks?team=a", true},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooksx?p=/hooks/", false},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooks/x#frag", true},
	// A rule without a path, or with "/", admits every path on the host.
	{"https://hooks.corp.example", "https://hooks.corp.example/any/thing", true},
	{"https://hooks.corp.example/", "https://hooks.corp.example", true},
	{"https://hooks.corp.example/", "https://hooks.corp.example/x?y=z", true},

	// The host is compared whole.
	{"https://hooks.corp.example", "https://hooks.corp.example.evil.com/", false},
	{"https://hooks.corp.example", "https://hooks.corp.example.evil.com", false},
	{"https://hooks.corp.example/", "https://evilhooks.corp.example/", false},
	{"https://hooks.corp.example/", "https://x.hooks.corp.example/", false},
	{"https://hooks.corp.example/", "https://corp.example/", false},
	// Case and a trailing dot do not matter.
	{"https://hooks.corp.example/hooks", "https://HOOKS.Corp.Example/hooks/x", true},
	{"https://HOOKS.corp.example/hooks", "https://hooks.corp.example/hooks/x", true},
	{"https://hooks.corp.example/hooks", "https://hooks.corp.example./hooks/x", true},
	{"https://hooks.corp.example./hooks", "https://hooks.corp.example/hooks/x", true},
	{"https://hooks.corp.example/", "https://hooks.corp.example../", false},

	// "*.domain": hosts below domain, not domain itself, nor a name that ends like it.
	{"https://*.corp.example", "https://a.corp.example/x", true},
	{"https://*.corp.example", "https://a.b.corp.example/x", true},
	{"https://*.corp.example", "https://A.CORP.EXAMPLE./x", true},
	{"https://*.corp.example", "https://corp.example/x", false},
	{"https://*.corp.example", "https://corp.example./x", false},
	{"https://*.corp.example", "https://evil-corp.example/x", false},
	{"https://*.corp.example", "https://evilcorp.example/x", false},
	{"https://*.corp.example", "https://a.corp.example.evil.com/x", false},
	{"https://*.corp.example", "https://.corp.example/x", false},
	{"https://*.domain", "https://evil-domain/", false},
	{"https://*.domain", "https://sub.domain/", true},
	{"https://*.domain", "https://domain/", false},
	{"https://*.corp.example/hooks", "https://a.corp.example/hooks/x", true},
	{"https://*.corp.example/hooks", "https://a.corp.example/other", false},
	// A wildcard is a whole first label, and only in a rule.
	{"https://a*.corp.example", "https://ab.corp.example/", false},
	{"https://*.*.corp.example", "https://a.b.corp.example/", false},
	{"https://x.*.corp.example", "https://x.a.corp.example/", false},
	{"https://*", "https://anything/", false},
	{"https://*.corp.example", "https://*.corp.example/", false},

	// Scheme and port must be the same, a missing port being the scheme's.
	{"https://hooks.corp.example", "http://hooks.corp.example/", false},
	{"http://hooks.corp.example", "https://hooks.corp.example/", false},
	{"http://hooks.corp.example", "http://hooks.corp.example/", true},
	{"HTTPS://hooks.corp.example", "https://hooks.corp.example/", true},
	{"https://hooks.corp.example", "HTTPS://hooks.corp.example/", true},
	{"https://hooks.corp.example", "https://hooks.corp.example:443/x", true},
	{"https://hooks.corp.example:443", "https://hooks.corp.example/x", true},
	{"https://hooks.corp.example:443/hooks", "https://hooks.corp.example:0443/hooks", true},
	{"http://hooks.corp.example", "http://hooks.corp.example:80/x", true},
	{"http://hooks.corp.example:80", "http://hooks.corp.example/x", true},
	{"https://hooks.corp.example", "https://hooks.corp.example:80/x", false},
	{"http://hooks.corp.example", "http://hooks.corp.example:443/x", false},
	{"https://hooks.corp.example", "https://hooks.corp.example:8443/x", false},
	{"https://hooks.corp.example:8443", "https://hooks.corp.example/x", false},
	{"https://hooks.corp.example:8443", "https://hooks.corp.example:8443/x", true},
	{"https://hooks.corp.example:8443", "https://hooks.corp.example:18443/x", false},
	{"https://*.corp.example:8443", "https://a.corp.example:8443/x", true},
	{"https://*.corp.example:8443", "https://a.corp.example/x", false},
	{"https://hooks.corp.example", "https://hooks.corp.example:/x", true},

	// User information is refused, in the target or the rule.
	{"https://hooks.corp.example", "https://user@hooks.corp.example/", false},
	{"https://hooks.corp.example", "https://user:pw@hooks.corp.example/", false},
	{"https://hooks.corp.example", "https://hooks.corp.example@evil.com/", false},
	{"https://hooks.corp.example", "https://hooks.corp.example:443@evil.com/", false},
	{"https://evil.com", "https://hooks.corp.example@evil.com/", false},
	{"https://user@hooks.corp.example", "https://hooks.corp.example/", false},
	{"https://hooks.corp.example", "https://evil.com#@hooks.corp.example/", false},
	{"https://hooks.corp.example", `https://evil.com\@hooks.corp.example/`, false},

	// Dot segments, escaped dots, slashes and backslashes: only a rule without a path.
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/../team-b", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/./x", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/..", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/%2e%2e/team-b", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/%2E%2E/team-b", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/.%2e/team-b", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a%2f..%2fteam-b", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/%2F..%2Fteam-b", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/..%5cteam-b", false},
	{"https://hooks.corp.example/team-a", `https://hooks.corp.example/team-a/..\team-b`, false},
	{"https://hooks.corp.example/team-a", `https://hooks.corp.example/team-a\..\team-b`, false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/..;/team-b", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/.;x/team-b", false},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/%2e%2e;/team-b", false},
	{"https://hooks.corp.example", "https://hooks.corp.example/team-a/../team-b", true},
	{"https://hooks.corp.example/", "https://hooks.corp.example/team-a/%2e%2e/team-b", true},
	{"https://hooks.corp.example/", `https://hooks.corp.example/a\b`, true},
	{"https://*.corp.example", "https://a.corp.example/x/../y", true},
	// Dots that are not segments are ordinary characters.
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/v1.2/x", true},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/...", true},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/.well-known", true},
	{"https://hooks.corp.example/team-a", "https://hooks.corp.example/team-a/x?next=../y", true},

	// IP literals are compared as addresses, and never match a wildcard.
	{"https://10.0.0.1", "https://10.0.0.1/x", true},
	{"https://10.0.0.1:8443/hooks", "https://10.0.0.1:8443/hooks/x", true},
	{"https://10.0.0.1", "https://10.0.0.2/x", false},
	{"https://10.0.0.1", "https://10.0.0.1.evil.com/x", false},
	{"https://10.0.0.1", "https://10.1/x", false},
	{"https://10.0.0.1", "https://010.0.0.1/x", false},
	{"https://10.0.0.1", "https://0x0a000001/x", false},
	{"https://10.0.0.1", "https://167772161/x", false},
	{"https://*.0.0.1", "https://10.0.0.1/x", false},
	{"https://*.1", "https://10.0.0.1/x", false},
	{"https://[2001:db8::1]", "https://[2001:DB8:0:0:0:0:0:1]/x", true},
	{"https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443/x", true},
	{"https://[2001:db8::1]", "https://[2001:db8::2]/x", false},
	{"https://[2001:db8::1]", "https://[2001:db8::1]:8443/x", false},
	{"https://[::1]", "https://localhost/x", false},

	// Targets and rules that are not absolute http(s) URLs with a host admit nothing.
	{"https://hooks.corp.example", "ftp://hooks.corp.example/", false},
	{"ftp://hooks.corp.example", "ftp://hooks.corp.example/", false},
	{"https://hooks.corp.example", "//hooks.corp.example/", false},
	{"https://hooks.corp.example", "/hooks", false},
	{"https://hooks.corp.example", "https:hooks.corp.example", false},
	{"https://hooks.corp.example", "https:///hooks", false},
	{"https://hooks.corp.example", "", false},
	{"", "https://hooks.corp.example/", false},
	{"/", "https://hooks.corp.example/", false},
	{"https://hooks.corp.example", " https://hooks.corp.example/", false},
	{"https://hooks.corp.example", "https://hooks.corp.example/\n", false},
	{"https://hooks.corp.example", "https://hooks corp.example/", false},
	{"https://hooks.corp.example", "https://hooks.corp.example%2fevil.com/", false},
}

func TestTargetAllowed(t *testing.T) {
	for _, tt := range targetAllowedCases {
		if got := accounts.TargetAllowed([]string{tt.rule}, tt.target); got != tt.want {
			t.Errorf("TargetAllowed([%q], %q) = %v, want %v", tt.rule, tt.target, got, tt.want)
		}
	}
}

func TestTargetAllowedAnyRule(t *testing.T) {
	rules := []string{"ftp://bad", "https://a.example/x", "not a url", "https://*.b.example"}
	for target, want := range map[string]bool{
		"https://a.example/x/y":   true,
		"https://c.b.example/":    true,
		"https://a.example/y":     false,
		"https://b.example/":      false,
		"ftp://bad/":              false,
		"https://other.example/x": false,
	} {
		if got := accounts.TargetAllowed(rules, target); got != want {
			t.Errorf("TargetAllowed(%q, %q) = %v, want %v", rules, target, got, want)
		}
	}
	if accounts.TargetAllowed(nil, "https://a.example/") {
		t.Error("TargetAllowed(nil, ...) admitted a target: an empty list is the caller's to read as no rule")
	}
}
