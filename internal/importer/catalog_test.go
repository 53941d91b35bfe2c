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

	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// TestEveryProviderIsImportable: the command can list every provider of the catalog, under its
// name and its type, with the key sets its descriptor gives. That each implements what the
// command needs is checked when it compiles (providers.Implementation).
func TestEveryProviderIsImportable(t *testing.T) {
	for _, d := range catalog.All() {
		for _, spelling := range []string{d.Name, string(d.Type)} {
			if got := providerNames[strings.ToLower(spelling)]; got != d.Type {
				t.Errorf("--provider %s resolves to %q, want %s", spelling, got, d.Type)
			}
		}
		if shortNames[d.Type] != d.Name || len(credentialSets[d.Type]) != len(d.CredentialKeys) {
			t.Errorf("%s: the command's names or key sets differ from the descriptor's", d.Type)
		}
	}
}
