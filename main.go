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

// Command hookkeeper runs the operator that manages SaaS webhooks declared as Webhook resources.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	goruntime "runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/hookkeeper/hookkeeper/internal/config"
	"github.com/hookkeeper/hookkeeper/internal/importer"
	"github.com/hookkeeper/hookkeeper/internal/operator"
	"github.com/hookkeeper/hookkeeper/providers"
)

// Set at build time: make build and the Dockerfile pass -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

// versionCommand is the subcommand that prints the version; --version does the same.
const versionCommand = "version"

// commands are the subcommands, in the order the usage lists them.
var commands = []string{importer.Command, versionCommand}

// Exit statuses of the command.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	c, zapOpts, code := dispatch(os.Args[1:], os.Stdout, os.Stderr)
	if c == nil {
		os.Exit(code)
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(zapOpts)))
	if err := operator.Run(ctrl.SetupSignalHandler(), c, build()); err != nil {
		ctrl.Log.WithName("setup").Error(err, "Operator stopped")
		os.Exit(exitFailure)
	}
}

// dispatch reads the command line. It runs a subcommand, or prints the version or the usage,
// and returns nil and the exit status; or it returns the validated flags of the operator, which
// the caller runs.
func dispatch(args []string, stdout, stderr io.Writer) (*config.Config, *zap.Options, int) {
	// A subcommand has flags of its own: dispatch before the operator's flags are parsed.
	if len(args) > 0 {
		switch args[0] {
		case importer.Command:
			return nil, nil, runImport(args[1:], stdout, stderr)
		case versionCommand:
			if len(args) > 1 {
				return nil, nil, usageError(stderr, fmt.Sprintf("%s takes no arguments, got %q", versionCommand, args[1]))
			}
			printVersion(stdout)
			return nil, nil, exitOK
		}
	}
	if wantsVersion(args) {
		printVersion(stdout)
		return nil, nil, exitOK
	}
	var c config.Config
	fs := flag.NewFlagSet("hookkeeper", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Bind(fs)
	zapOpts := &zap.Options{}
	zapOpts.BindFlags(fs)
	// controller-runtime registers --kubeconfig on the global flag set, where GetConfigOrDie reads it.
	if f := flag.CommandLine.Lookup("kubeconfig"); f != nil {
		fs.Var(f.Value, f.Name, f.Usage)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs)
			return nil, nil, exitOK
		}
		return nil, nil, usageError(stderr, err.Error())
	}
	if fs.NArg() > 0 {
		arg := fs.Arg(0)
		if slices.Contains(commands, arg) {
			return nil, nil, usageError(stderr, fmt.Sprintf("the command %q must come first, before any flag", arg))
		}
		return nil, nil, usageError(stderr, fmt.Sprintf("unknown command %q: the commands are %s; the operator itself takes flags only",
			arg, strings.Join(commands, ", ")))
	}
	if err := c.Validate(); err != nil {
		return nil, nil, usageError(stderr, "invalid flags: "+err.Error())
	}
	return &c, zapOpts, exitOK
}

// wantsVersion reports whether the operator's flags ask for the version (-version or --version,
// before any "--"). It is not a flag of the flag set: the Helm chart passes every flag there.
func wantsVersion(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-version", "--version", "-version=true", "--version=true":
			return true
		}
	}
	return false
}

// usageError reports a mistake in the command line and returns exit status 2.
func usageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "hookkeeper: %s\nRun 'hookkeeper --help' for usage.\n", msg)
	return exitUsage
}

// printUsage writes the help of the command: its subcommands and the operator's flags.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, `Usage:
  hookkeeper [flags]                 run the operator
  hookkeeper %-23s print Webhook resources that adopt the webhooks of a SaaS account
  hookkeeper %-23s print the version, the commit and the Go version (also: hookkeeper --version)

Run 'hookkeeper %s --help' for the flags of %s.

Exit status: 0 on success, 1 when the operator stops on an error, 2 on a usage error.

Flags of the operator:
`, importer.Command+" [flags]", versionCommand, importer.Command, importer.Command)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// buildInfo is the version, the commit and the Go version of the binary. Without a commit from
// the linker flags, the commit go build stamped from the VCS, if any.
func buildInfo() (ver, rev, goVersion string) {
	ver, rev = version, commit
	if info, ok := debug.ReadBuildInfo(); ok && rev == "unknown" {
		var modified bool
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && rev != "unknown" {
			rev += "-dirty"
		}
	}
	return ver, rev, goruntime.Version()
}

// build is the binary's build information, as the operator logs it and sends it in its User-Agent.
func build() operator.Build {
	ver, rev, goVersion := buildInfo()
	return operator.Build{Version: ver, Commit: rev, GoVersion: goVersion}
}

// printVersion writes the version, the commit and the Go version.
func printVersion(w io.Writer) {
	ver, rev, goVersion := buildInfo()
	fmt.Fprintf(w, "hookkeeper %s\ncommit: %s\ngo: %s %s/%s\n", ver, rev, goVersion, goruntime.GOOS, goruntime.GOARCH)
}

// runImport runs `hookkeeper import` until it ends or an interrupt cancels it.
func runImport(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ver, _, _ := buildInfo()
	return importer.Run(ctx, args, providers.UserAgent(ver, importer.Command), stdout, stderr)
}
