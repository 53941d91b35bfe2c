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
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/internal/accounts"
)

// FuzzTargetAllowed never panics, and admits a target only when, read the plain way (the scheme
// before "://", the host up to the first "/", "?", "#" or "\" and before the port), it has the
// rule's scheme and the rule's host or, for a "*.domain" rule, a host below domain. Reading the
// host without a URL library is what a receiver or a proxy that parses URLs its own way would
// do, so the property also catches a target whose host two parsers would disagree on. Plain
// `go test` runs the seeds; `go test -fuzz FuzzTargetAllowed ./internal/accounts/` explores.
func FuzzTargetAllowed(f *testing.F) {
	for _, s := range [][2]string{
		{"https://hooks.corp.example", "https://hooks.corp.example/x"},
		{"https://hooks.corp.example", "https://hooks.corp.example.evil.com/"},
		{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooksx"},
		{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooks/../admin"},
		{"https://hooks.corp.example/hooks", "https://hooks.corp.example/hooks/%2e%2e/admin"},
		{"https://*.corp.example", "https://a.corp.example/"},
		{"https://*.corp.example", "https://evil-corp.example/"},
		{"https://*.corp.example", "https://corp.example/"},
		{"https://*.corp.example:8443/p", "https://A.B.corp.example.:08443/p/q"},
		{"http://10.0.0.1:8080", "http://10.0.0.1:8080/x"},
		{"https://[2001:db8::1]", "https://[2001:DB8::1]:443/x"},
		{"https://hooks.corp.example", "https://user@hooks.corp.example/"},
		{"https://hooks.corp.example", "https://hooks.corp.example@evil.com/"},
		{"https://hooks.corp.example", `https://evil.com\@hooks.corp.example/`},
		{"https://hooks.corp.example", "https://evil.com#@hooks.corp.example/"},
		{"https://hooks.corp.example", "https://evil.com?@hooks.corp.example/"},
		{"https://*.corp.example", "https://%C3%BC.corp.example/"},
		{"https://*.corp.example", "https://a.corp.example%2F.evil.com/"},
		{"HTTPS://Hooks.Corp.Example./", "https://hooks.corp.example/"},
		{"", ""},
		{"*", "https://x/"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, rule, target string) {
		if !accounts.TargetAllowed([]string{rule}, target) {
			return
		}
		rs, rh, ok := plainSchemeHost(rule)
		if !ok {
			t.Fatalf("TargetAllowed([%q], %q): admitted by a rule that has no plain scheme and host", rule, target)
		}
		ts, th, ok := plainSchemeHost(target)
		if !ok {
			t.Fatalf("TargetAllowed([%q], %q): admitted a target that has no plain scheme and host, or user information", rule, target)
		}
		if ts != rs || (ts != "http" && ts != "https") {
			t.Fatalf("TargetAllowed([%q], %q): admitted scheme %q under rule scheme %q", rule, target, ts, rs)
		}
		if domain, ok := strings.CutPrefix(rh, "*."); ok {
			if !strings.HasSuffix(th, "."+domain) || len(th) <= len(domain)+1 || net.ParseIP(th) != nil {
				t.Fatalf("TargetAllowed([%q], %q): admitted host %q, which is not below %q", rule, target, th, domain)
			}
			return
		}
		if !sameHost(th, rh) {
			t.Fatalf("TargetAllowed([%q], %q): admitted host %q under rule host %q", rule, target, th, rh)
		}
	})
}

// plainSchemeHost reads a URL's scheme and host without net/url: the scheme lower-cased, the host
// percent-decoded, lower-cased and without its trailing dot or brackets. It reports false when
// there is no "scheme://", an empty host, or user information ("@" before the path).
func plainSchemeHost(raw string) (scheme, host string, ok bool) {
	i := strings.Index(raw, "://")
	if i <= 0 {
		return "", "", false
	}
	scheme = strings.ToLower(raw[:i])
	authority := raw[i+3:]
	if end := strings.IndexAny(authority, `/?#\`); end >= 0 {
		authority = authority[:end]
	}
	if strings.Contains(authority, "@") {
		return "", "", false
	}
	if strings.HasPrefix(authority, "[") {
		end := strings.Index(authority, "]")
		if end < 0 {
			return "", "", false
		}
		host = authority[1:end]
	} else {
		host = authority
		if c := strings.LastIndex(host, ":"); c >= 0 {
			host = host[:c]
		}
	}
	if h, err := url.PathUnescape(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return scheme, host, host != ""
}

// sameHost compares hosts as names, or as addresses when both are IP literals.
func sameHost(a, b string) bool {
	if ia, ib := net.ParseIP(a), net.ParseIP(b); ia != nil && ib != nil {
		return ia.Equal(ib)
	}
	return a == b
}
