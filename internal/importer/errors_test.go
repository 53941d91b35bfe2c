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
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// usageCase is a command line and what its message must say.
type usageCase struct {
	name string
	args []string
	want []string
}

// usageCommandLineCases are mistakes of the provider flag and the command line's shape.
func usageCommandLineCases(webexCreds string) []usageCase {
	return []usageCase{
		{name: "no provider", args: []string{"--credentials-file", webexCreds}, want: []string{"--provider is required", "webex, eightbyeight, autodesk, pageseeder"}},
		{name: "unknown provider", args: []string{"--provider", "slack", "--credentials-file", webexCreds}, want: []string{`--provider "slack" is not one of`}},
		{name: "unknown flag", args: []string{"--provider", "webex", "--token", "x"}, want: []string{"flag provided but not defined: -token"}},
		{name: "positional argument", args: []string{"--provider", "webex", "--credentials-file", webexCreds, "extra"}, want: []string{`unexpected argument "extra"`}},
	}
}

// usageCredentialsFileCases are mistakes of the credentials file: none, missing, a directory, and
// contents that lack a key or cannot be read. missing is a path to no file, dir a directory.
func usageCredentialsFileCases(t *testing.T, webexCreds, missing, dir string) []usageCase {
	return []usageCase{
		{name: "no credentials file", args: []string{"--provider", "webex"}, want: []string{"--credentials-file is required", `"token"`}},
		{name: "credentials file missing", args: []string{"--provider", "webex", "--credentials-file", missing},
			want: []string{"--credentials-file", "absent.env", "no such file"}},
		{name: "credentials file is a directory", args: []string{"--provider", "webex", "--credentials-file", dir},
			want: []string{"--credentials-file", "is a directory"}},
		{name: "missing key", args: []string{"--provider", "eightbyeight", "--account-id", account, "--credentials-file", webexCreds},
			want: []string{"--credentials-file", `no key "apiKey"`}},
		{name: "key in another case", args: []string{"--provider", "webex", "--credentials-file", credentialsFile(t, "TOKEN="+webexToken+"\n")},
			want: []string{`no key "token"`, `case-sensitive and the file has "TOKEN"`}},
		{name: "empty key", args: []string{"--provider", "webex", "--credentials-file", credentialsFile(t, "token=\"\"\n")},
			want: []string{`key "token" is empty`}},
		{name: "half a client", args: []string{"--provider", "autodesk", "--credentials-file", credentialsFile(t, "clientId=abc\n")},
			want: []string{`no key "clientSecret"`, `"clientId" and "clientSecret", or "token"`}},
		{name: "not a KEY=VALUE line", args: []string{"--provider", "webex", "--credentials-file", credentialsFile(t, "# token\n"+webexToken+"\n")},
			want: []string{"line 2 is not a KEY=VALUE line"}},
		{name: "key set twice", args: []string{"--provider", "webex", "--credentials-file", credentialsFile(t, "token=a\ntoken="+webexToken+"\n")},
			want: []string{`key "token" is set twice, on lines 1 and 2`}},
		{name: "unmatched quote", args: []string{"--provider", "webex", "--credentials-file", credentialsFile(t, "token=\""+webexToken+"\n")},
			want: []string{`line 1: the value of "token" has an unmatched quote`}},
	}
}

// usageScopeFlagCases are mistakes of the flags that say which webhooks to list.
func usageScopeFlagCases(webexCreds string) []usageCase {
	return []usageCase{
		{name: "scope flag of another provider", args: []string{"--provider", "webex", "--credentials-file", webexCreds, "--account-id", account},
			want: []string{"--account-id does not apply to --provider webex"}},
		{name: "8x8 without account", args: []string{"--provider", "eightbyeight", "--credentials-file", webexCreds},
			want: []string{"--account-id is required"}},
		{name: "8x8 bad account", args: []string{"--provider", "eightbyeight", "--credentials-file", webexCreds, "--account-id", "acme"},
			want: []string{`--account-id "acme" is not a GUID`}},
		{name: "8x8 bad region", args: []string{"--provider", "eightbyeight", "--credentials-file", webexCreds, "--account-id", account, "--region", "EMEA"},
			want: []string{`--region "EMEA" is not one of APAC, US, EU, ID`}},
		{name: "APS bad region", args: []string{"--provider", "autodesk", "--credentials-file", webexCreds, "--region", "mars"},
			want: []string{`--region "MARS" is not one of US, EMEA`}},
		{name: "pageseeder without server", args: []string{"--provider", "pageseeder", "--credentials-file", webexCreds, "--client", "1"},
			want: []string{"--server-url is required"}},
		{name: "pageseeder http server", args: []string{"--provider", "pageseeder", "--credentials-file", webexCreds, "--client", "1", "--server-url", "http://ps.example.org"},
			want: []string{"--server-url is http://", "--allow-insecure-endpoints"}},
		{name: "pageseeder without client", args: []string{"--provider", "pageseeder", "--credentials-file", webexCreds, "--server-url", "https://ps.example.org"},
			want: []string{"--client is required"}},
		{name: "pageseeder client not a number", args: []string{"--provider", "pageseeder", "--credentials-file", webexCreds, "--server-url", "https://ps.example.org", "--client", "one"},
			want: []string{`invalid value "one" for flag -client`}},
		{name: "pageseeder client zero", args: []string{"--provider", "pageseeder", "--credentials-file", webexCreds, "--server-url", "https://ps.example.org", "--client", "0"},
			want: []string{"--client is required"}},
		{name: "pageseeder bad service path", args: []string{"--provider", "pageseeder", "--credentials-file", webexCreds, "--server-url", "https://ps.example.org", "--client", "1", "--service-path", "ps service"},
			want: []string{`--service-path "ps service"`}},
		{name: "webex bad owner", args: []string{"--provider", "webex", "--credentials-file", webexCreds, "--owned-by", "me"},
			want: []string{`--owned-by "me" is not one of creator, org`}},
	}
}

// usageEndpointAndOutputCases are mistakes of the API endpoints, the timeout and the names of
// what the command writes. apiURL is an http:// API.
func usageEndpointAndOutputCases(webexCreds, apiURL string) []usageCase {
	return []usageCase{
		{name: "http API without allow-insecure", args: []string{"--provider", "webex", "--credentials-file", webexCreds, "--webex-api-url", apiURL},
			want: []string{"--webex-api-url is http://: pass --allow-insecure-endpoints"}},
		{name: "relative API URL", args: []string{"--provider", "autodesk", "--credentials-file", webexCreds, "--autodesk-api-url", "developer.api.autodesk.com"},
			want: []string{"--autodesk-api-url must be an absolute http(s) URL"}},
		{name: "zero timeout", args: []string{"--provider", "webex", "--credentials-file", webexCreds, "--http-timeout", "0s"},
			want: []string{"--http-timeout must be positive"}},
		{name: "bad namespace", args: []string{"--provider", "webex", "--credentials-file", webexCreds, "--namespace", "Chat_Ops"},
			want: []string{`--namespace "Chat_Ops" is not a valid namespace`}},
		{name: "bad prefix", args: []string{"--provider", "webex", "--credentials-file", webexCreds, "--name-prefix", "Imported_"},
			want: []string{`--name-prefix "Imported_"`}},
		{name: "bad credentials secret", args: []string{"--provider", "webex", "--credentials-file", webexCreds, "--credentials-secret", "Webex Bot"},
			want: []string{`--credentials-secret "Webex Bot" is not a valid Secret name`}},
	}
}

// TestUsageErrors: every mistake of the command line or the credentials file is refused before
// any request, with exit status 2 and a message that names the flag or the key.
func TestUsageErrors(t *testing.T) {
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	webexCreds := credentialsFile(t, "token="+webexToken+"\n")
	missing := filepath.Join(t.TempDir(), "absent.env")
	dir := t.TempDir()

	tests := slices.Concat(usageCommandLineCases(webexCreds), usageCredentialsFileCases(t, webexCreds, missing, dir),
		usageScopeFlagCases(webexCreds), usageEndpointAndOutputCases(webexCreds, srv.URL()))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetCounts()
			r := runCommand(t, tt.args...)
			if r.code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, ExitUsage, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
			if !strings.Contains(r.stderr, "Run 'hookkeeper import --help' for usage.") {
				t.Errorf("stderr does not point at the help:\n%s", r.stderr)
			}
			assertNoLeak(t, r, webexToken)
			if n := srv.RequestsTotal(); n != 0 {
				t.Errorf("%d requests reached the SaaS", n)
			}
		})
	}
}

// TestRuntimeErrors: a refusal of the SaaS is exit status 1, names what was listed, and never
// shows the credentials.
func TestRuntimeErrors(t *testing.T) {
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	wrong := "tok-wrong-6d2f0b"
	r := runCommand(t, "--provider", "webex", "--credentials-file", credentialsFile(t, "token="+wrong+"\n"),
		"--webex-api-url", srv.URL(), "--allow-insecure-endpoints")
	if r.code != ExitFailure || r.stdout != "" {
		t.Errorf("exit %d, stdout %q; want %d and nothing", r.code, r.stdout, ExitFailure)
	}
	if !strings.Contains(r.stderr, "listing the webhooks of "+srv.URL()+"/webhooks") || strings.Contains(r.stderr, "--help") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	assertNoLeak(t, r, wrong)

	srv.Close()
	r = runCommand(t, "--provider", "webex", "--credentials-file", credentialsFile(t, "token="+webexToken+"\n"),
		"--webex-api-url", srv.URL(), "--allow-insecure-endpoints", "--http-timeout", "2s")
	if r.code != ExitFailure {
		t.Errorf("unreachable SaaS: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	assertNoLeak(t, r, webexToken)
}

func TestEmptyAccount(t *testing.T) {
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	r := runCommand(t, "--provider", "webex", "--credentials-file", credentialsFile(t, "token="+webexToken+"\n"),
		"--webex-api-url", srv.URL(), "--allow-insecure-endpoints", "--owned-by", "org")
	if r.code != ExitOK || r.stdout != "" || !strings.Contains(r.stderr, "0 webex webhook(s) found in "+srv.URL()+"/webhooks?ownedBy=org") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestUserAgent: every request of the command carries the User-Agent Run was given, so that the
// SaaS's logs tell the import from the operator; without one, the providers' default.
func TestUserAgent(t *testing.T) {
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("User-Agent"))
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	for _, tc := range []struct{ given, want string }{
		{"hookkeeper/v1.2.3 (import)", "hookkeeper/v1.2.3 (import)"},
		{"", "hookkeeper"},
	} {
		mu.Lock()
		seen = nil
		mu.Unlock()
		var stdout, stderr bytes.Buffer
		args := []string{"--provider", "webex", "--credentials-file", credentialsFile(t, "token="+webexToken+"\n"),
			"--webex-api-url", front.URL, "--allow-insecure-endpoints"}
		if code := Run(context.Background(), args, tc.given, &stdout, &stderr); code != ExitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
		}
		mu.Lock()
		if len(seen) == 0 {
			t.Errorf("User-Agent %q: no request reached the server", tc.given)
		}
		for _, ua := range seen {
			if ua != tc.want {
				t.Errorf("User-Agent %q: a request carried %q, want %q", tc.given, ua, tc.want)
			}
		}
		mu.Unlock()
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "-help"} {
		r := runCommand(t, arg)
		if r.code != ExitOK || r.stderr != "" {
			t.Errorf("%s: exit %d, stderr %q", arg, r.code, r.stderr)
		}
		for _, w := range []string{"Usage: hookkeeper import --provider NAME --credentials-file FILE", "-credentials-file", "-account-id",
			"-server-url", "-owned-by", "-allow-insecure-endpoints", "Exit status",
			"hookkeeper import --account NAMESPACE/NAME", "hookkeeper import --cluster-account NAME --namespace NAMESPACE",
			"\n  -account string\n", "\n  -cluster-account string\n", "\n  -kubeconfig string\n", "\n  -context string\n"} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: usage does not mention %q:\n%s", arg, w, r.stdout)
			}
		}
	}
}

func TestParseEnv(t *testing.T) {
	got, err := parseEnv([]byte("\ufeff# comment\n\n  token = abc#def \nexport apiKey=\"a b\\tc\"\nclientId='x=y'\nempty=\nclientSecret=\"raw\\q\"\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"token": "abc#def", "apiKey": "a b\tc", "clientId": "x=y", "empty": "", "clientSecret": `raw\q`}
	if len(got) != len(want) {
		t.Errorf("got %d keys, want %d: %v", len(got), len(want), keysOf(got))
	}
	for k, v := range want {
		if string(got[k]) != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func keysOf(m map[string][]byte) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func TestNamer(t *testing.T) {
	n := newNamer("")
	for _, tt := range []struct{ hint, want string }{
		{"Alerts for Team A", "alerts-for-team-a"},
		{"alerts for team a", "alerts-for-team-a-2"},
		{"team-a/chat-alerts", "team-a-chat-alerts"},
		{"  --Ünïcode ** names__ ", "n-code-names"},
		{"***", "webhook"},
		{"", "webhook-2"},
		{"MSG-*", "msg"},
	} {
		if got := n.next(tt.hint); got != tt.want {
			t.Errorf("next(%q) = %q, want %q", tt.hint, got, tt.want)
		}
	}

	long := strings.Repeat("abcdefghij", 40)
	p := newNamer("imported.")
	first, second := p.next(long), p.next(long)
	if len(first) != 253 || len(second) != 253 || !strings.HasPrefix(first, "imported.abc") || !strings.HasSuffix(second, "-2") || first == second {
		t.Errorf("long names %q (%d), %q (%d)", first, len(first), second, len(second))
	}
}

func TestCompareIDs(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"2", "10", -1}, {"10", "2", 1}, {"abc", "abd", -1}, {"10", "9x", -1}, {"7", "7", 0}} {
		if got := compareIDs(tt.a, tt.b); got != tt.want {
			t.Errorf("compareIDs(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestUnreadableCredentialsFile: a file the user cannot read is refused like a missing one.
func TestUnreadableCredentialsFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	path := credentialsFile(t, "token="+webexToken+"\n")
	if err := os.Chmod(path, 0o000); err != nil {
		t.Fatal(err)
	}
	r := runCommand(t, "--provider", "webex", "--credentials-file", path)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "--credentials-file") || !strings.Contains(r.stderr, "permission denied") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
