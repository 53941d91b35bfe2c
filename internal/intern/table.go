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

package intern

import "sync"

// Table is a bounded interner for strings that live as long as the objects holding them, such as
// those of an informer's cache, which are replaced on every update: String(s) hands out one copy
// per value, like the package's String, but the table forgets everything once it holds
// MaxStrings values, so that a tenant who writes many distinct values costs it a bounded size,
// never the cache its sharing. Values longer than MaxLen are rare repeats and are returned as
// they are.
type Table struct {
	// MaxLen is the longest value interned; MaxStrings the most values held at once.
	MaxLen, MaxStrings int

	mu sync.Mutex
	m  map[string]string
}

// String returns the table's copy of s, adding s when it is new.
func (t *Table) String(s string) string {
	if s == "" || len(s) > t.MaxLen {
		return s
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.m[s]; ok {
		return c
	}
	switch {
	case t.m == nil:
		t.m = map[string]string{}
	case len(t.m) >= t.MaxStrings:
		clear(t.m)
	}
	t.m[s] = s
	return s
}

// Len is how many values the table holds.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
