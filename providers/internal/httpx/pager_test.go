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

package httpx

import (
	"errors"
	"testing"
)

func TestPager(t *testing.T) {
	cases := []struct {
		name  string
		max   int
		links []string
		// stopAt is the index of the link whose Next fails, -1 for none; want is its error.
		stopAt int
		want   error
	}{
		{"distinct links within the limit", 4, []string{"a", "b", "c"}, -1, nil},
		{"a link to itself stops at its second sight", 1000, []string{"self", "self"}, 1, ErrPageRepeated},
		{"a loop of two", 1000, []string{"a", "b", "a"}, 2, ErrPageRepeated},
		{"the limit counts the first page", 3, []string{"a", "b", "c"}, 2, ErrTooManyPages},
		{"a limit of one allows no next page", 1, []string{"a"}, 0, ErrTooManyPages},
		{"a limit below one is one", 0, []string{"a"}, 0, ErrTooManyPages},
		{"an empty state is a state", 10, []string{"", ""}, 1, ErrPageRepeated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := NewPager(c.max)
			for i, link := range c.links {
				err := p.Next(link)
				switch {
				case i == c.stopAt && !errors.Is(err, c.want):
					t.Fatalf("Next(%q) at %d = %v, want %v", link, i, err, c.want)
				case i != c.stopAt && err != nil:
					t.Fatalf("Next(%q) at %d = %v, want nil", link, i, err)
				case i == c.stopAt:
					return
				}
			}
			if c.stopAt >= 0 {
				t.Fatalf("the pager never stopped, want a stop at %d", c.stopAt)
			}
		})
	}
}
