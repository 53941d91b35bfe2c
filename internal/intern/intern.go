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

// Package intern gives repeated strings one shared copy, the one home of interning. String (and
// Strings) use the standard library's unique package, whose table holds nothing that is no longer
// used, so values a SaaS sends cannot make it grow without bound: the providers intern the
// strings that repeat from one remote webhook to the next (statuses, event names, regions) in the
// slim objects of an account snapshot. Table is a bounded table for the strings of the
// informers' objects (controllers), which are replaced on every update.
package intern

import "unique"

// String returns the canonical copy of s, which every equal string interned meanwhile shares.
func String(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// Strings returns a new slice of items, each interned; nil for none.
func Strings(items []string) []string {
	if len(items) == 0 {
		return nil
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = String(it)
	}
	return out
}
