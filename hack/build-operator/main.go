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

// Command build-operator builds the operator binary as the tests, the demo and the benchmark run
// it (localenv.BuildOperator: as the image builds it). make test runs it once, before any test
// starts, and hands the binary to the tests in HOOKKEEPER_OPERATOR_BINARY: a first build with an
// empty build cache takes minutes on a small machine, which no test's deadline should include,
// and the packages that run the operator then do not each compile it again at the same time.
//
//	go run ./hack/build-operator -o bin/hookkeeper-test
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

func main() {
	out := flag.String("o", "", "where to write the operator binary (required)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: build-operator -o <path>")
		os.Exit(2)
	}
	root, err := localenv.FindRoot(".")
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		// Build it, whatever a caller's environment says of a prebuilt one.
		err = localenv.BuildFromSource(ctx, root, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "build-operator:", err)
		os.Exit(1)
	}
}
