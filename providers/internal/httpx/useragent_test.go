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
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
)

func TestUserAgent(t *testing.T) {
	for _, tc := range []struct{ version, identity, want string }{
		{"v0.4.0", "hookkeeper-7d9f-x2", "hookkeeper/v0.4.0 (hookkeeper-7d9f-x2)"},
		{"v0.4.0", "", "hookkeeper/v0.4.0"},
		{"", "replica-a", "hookkeeper/unknown (replica-a)"},
		{"(devel)", " replica a ", "hookkeeper/_devel_ (replica a)"},
		{"v1 beta/2", "r(1)\r\nX-Evil: 1", "hookkeeper/v1_beta_2 (r_1___X-Evil: 1)"},
	} {
		got := providers.UserAgent(tc.version, tc.identity)
		if got != tc.want {
			t.Errorf("UserAgent(%q, %q) = %q, want %q", tc.version, tc.identity, got, tc.want)
		}
		if !HeaderSafe(strings.ReplaceAll(got, " ", "")) {
			t.Errorf("UserAgent(%q, %q) = %q holds control characters", tc.version, tc.identity, got)
		}
	}
}
