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

// Command chartproviders writes the files that follow providers/catalog (see chartgen): the Helm
// chart's providers values and the samples' list. With -check it writes nothing and fails when a
// file is not what it would write. Run it with `go generate ./providers/catalog` after adding a
// provider to the catalog.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/hookkeeper/hookkeeper/hack/chartproviders/chartgen"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

func main() {
	root := flag.String("root", ".", "The repository's root.")
	check := flag.Bool("check", false, "Write nothing; exit with status 1 when a file is not up to date.")
	flag.Parse()
	stale, err := chartgen.Run(*root, catalog.All(), !*check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chartproviders:", err)
		os.Exit(1)
	}
	if *check && len(stale) > 0 {
		fmt.Fprintf(os.Stderr, "chartproviders: %s not up to date: run go generate ./providers/catalog\n", strings.Join(stale, ", "))
		os.Exit(1)
	}
}
