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

package main

import (
	"io"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/internal/config"
)

// TestImportDispatch runs the import subcommand as main dispatches it: its own flags and exit
// statuses, none of the operator's.
func TestImportDispatch(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := runImport([]string{"--help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "Usage: hookkeeper import") {
		t.Errorf("--help: exit %d, stdout:\n%s", code, stdout.String())
	}
	stdout.Reset()
	if code := runImport([]string{"--provider", "slack"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `--provider "slack"`) {
		t.Errorf("unknown provider: exit %d, stderr:\n%s", code, stderr.String())
	}
	stderr.Reset()
	if code := runImport([]string{"--leader-elect"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "-leader-elect") {
		t.Errorf("an operator flag: exit %d, stderr:\n%s", code, stderr.String())
	}
}

// TestCommandLine runs the command line as main reads it: subcommands, --version, --help and
// usage errors, with their exit statuses and what they print where.
func TestCommandLine(t *testing.T) {
	tests := []commandLineCase{
		{name: "no arguments runs the operator", operator: true, noStdout: true, noStderr: true,
			wantConfig: func(t *testing.T, c *config.Config) {
				if !c.MetricsSecure || c.PprofAddr != "" || c.MetricsAddr != ":8080" {
					t.Errorf("defaults: metrics-secure %t, pprof %q, metrics %q", c.MetricsSecure, c.PprofAddr, c.MetricsAddr)
				}
			}},
		{name: "operator flags", args: []string{"--metrics-secure=false", "--pprof-bind-address=127.0.0.1:6060", "--kubeconfig=/nowhere"},
			operator: true, noStdout: true, noStderr: true,
			wantConfig: func(t *testing.T, c *config.Config) {
				if c.MetricsSecure || c.PprofAddr != "127.0.0.1:6060" {
					t.Errorf("metrics-secure %t, pprof %q", c.MetricsSecure, c.PprofAddr)
				}
			}},
		{name: "version", args: []string{"version"}, stdout: []string{"hookkeeper dev\n", "commit: unknown\n", "go: go1."}, noStderr: true},
		{name: "--version", args: []string{"--version"}, stdout: []string{"hookkeeper dev\n", "commit: ", "go: go1."}, noStderr: true},
		{name: "-version", args: []string{"-version"}, stdout: []string{"hookkeeper dev\n"}, noStderr: true},
		{name: "--version after a flag", args: []string{"--leader-elect", "--version"}, stdout: []string{"hookkeeper dev\n"}, noStderr: true},
		{name: "version with an argument", args: []string{"version", "--short"}, code: 2, noStdout: true,
			stderr: []string{`version takes no arguments, got "--short"`, "Run 'hookkeeper --help' for usage."}},
		{name: "--help", args: []string{"--help"}, noStderr: true,
			stdout: []string{"hookkeeper [flags]", "hookkeeper import [flags]", "hookkeeper version", "hookkeeper --version",
				"  -metrics-secure\n", "  -pprof-bind-address string\n", "  -kubeconfig string\n", "  -zap-log-level value\n"}},
		{name: "-h", args: []string{"-h"}, stdout: []string{"hookkeeper import [flags]"}, noStderr: true},
		{name: "import --help", args: []string{"import", "--help"}, stdout: []string{"Usage: hookkeeper import"}, noStderr: true},
		{name: "unknown command", args: []string{"serve"}, code: 2, noStdout: true,
			stderr: []string{`unknown command "serve": the commands are import, version`, "Run 'hookkeeper --help' for usage."}},
		{name: "stray argument after flags", args: []string{"--leader-elect", "extra"}, code: 2, noStdout: true,
			stderr: []string{`unknown command "extra"`, "import, version"}},
		{name: "command after flags", args: []string{"--leader-elect", "import"}, code: 2, noStdout: true,
			stderr: []string{`the command "import" must come first`}},
		{name: "unknown flag", args: []string{"--metrics-insecure"}, code: 2, noStdout: true,
			stderr: []string{"flag provided but not defined: -metrics-insecure", "Run 'hookkeeper --help' for usage."}},
		{name: "invalid flag value", args: []string{"--resync-period=0s"}, code: 2, noStdout: true,
			stderr: []string{"invalid flags: --resync-period", "must be positive"}},
		{name: "everything after -- is an argument", args: []string{"--", "--version"}, code: 2, noStdout: true,
			stderr: []string{`unknown command "--version"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkCommandLine(t, tt) })
	}
}

// commandLineCase is a command line of TestCommandLine and what it must do.
type commandLineCase struct {
	name       string
	args       []string
	code       int
	operator   bool     // the operator runs: dispatch returns its flags
	stdout     []string // substrings of stdout
	stderr     []string // substrings of stderr
	noStdout   bool
	noStderr   bool
	wantConfig func(t *testing.T, c *config.Config)
}

// checkCommandLine dispatches tt's command line and checks its exit status and output.
func checkCommandLine(t *testing.T, tt commandLineCase) {
	t.Helper()
	var stdout, stderr strings.Builder
	c, zapOpts, code := dispatch(tt.args, &stdout, &stderr)
	if tt.operator != (c != nil) || tt.operator != (zapOpts != nil) {
		t.Fatalf("dispatch returned config %v (exit %d), want the operator to run: %t; stderr:\n%s", c != nil, code, tt.operator, stderr.String())
	}
	if code != tt.code {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
	}
	for _, w := range tt.stdout {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("stdout does not contain %q:\n%s", w, stdout.String())
		}
	}
	for _, w := range tt.stderr {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr does not contain %q:\n%s", w, stderr.String())
		}
	}
	if tt.noStdout && stdout.Len() > 0 {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	if tt.noStderr && stderr.Len() > 0 {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if tt.wantConfig != nil && c != nil {
		tt.wantConfig(t, c)
	}
}

// TestHelpListsNoVersionFlag: --version is read before the flags, so that -h does not list it
// as a flag the Helm chart would have to pass (test/install reads -h).
func TestHelpListsNoVersionFlag(t *testing.T) {
	var stdout strings.Builder
	dispatch([]string{"-h"}, &stdout, io.Discard)
	if strings.Contains(stdout.String(), "\n  -version") {
		t.Errorf("-h lists -version as a flag:\n%s", stdout.String())
	}
}

// TestVersionFromLinkerFlags: what make build and the Dockerfile set with -X is what prints.
func TestVersionFromLinkerFlags(t *testing.T) {
	oldVersion, oldCommit := version, commit
	t.Cleanup(func() { version, commit = oldVersion, oldCommit })
	version, commit = "v1.2.3", "0123abcd"
	var stdout strings.Builder
	if _, _, code := dispatch([]string{"version"}, &stdout, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "hookkeeper v1.2.3\ncommit: 0123abcd\ngo: " + goruntime.Version() + " " + goruntime.GOOS + "/" + goruntime.GOARCH + "\n"
	if stdout.String() != want {
		t.Errorf("version printed\n%s\nwant\n%s", stdout.String(), want)
	}
}
