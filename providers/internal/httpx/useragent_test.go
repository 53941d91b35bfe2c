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
	"context"
	"net/http"
	"net/http/httptest"
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

// TestClientSetsTheUserAgent: every request through Client carries Settings.UserAgent, whatever
// NewRequest or another caller (an OAuth token request) set; the caller's request is left as it was.
func TestClientSetsTheUserAgent(t *testing.T) {
	var got []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("User-Agent"))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ts.Close()
	ua := providers.UserAgent("v0.4.0", "replica-b")
	base := &http.Client{Transport: ts.Client().Transport}
	hc := Client(providers.Settings{HTTPClient: base, UserAgent: ua})
	if hc == base || base.Transport != ts.Client().Transport {
		t.Fatal("Client changed the settings' own client instead of returning a copy")
	}

	req, err := NewRequest(context.Background(), http.MethodPost, ts.URL+"/hooks", "token-1", strings.NewReader("{}"), "application/json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Send(hc, req, "p", "create", nil); err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("User-Agent") != DefaultUserAgent {
		t.Errorf("the caller's request now has User-Agent %q", req.Header.Get("User-Agent"))
	}
	// A request made elsewhere, such as a token request of golang.org/x/oauth2, gets it too.
	other, _ := http.NewRequest(http.MethodPost, ts.URL+"/token", nil)
	resp, err := hc.Do(other)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if len(got) != 2 || got[0] != ua || got[1] != ua {
		t.Errorf("the server saw User-Agents %q, want %q twice", got, ua)
	}

	// No user agent, or no client: the settings' client as it is.
	if c := Client(providers.Settings{HTTPClient: base}); c != base {
		t.Error("without a UserAgent, Client did not return the settings' client")
	}
	if c := Client(providers.Settings{UserAgent: ua}); c != nil {
		t.Error("without a client, Client did not return nil (the provider's default)")
	}
	// Without a transport, the default one carries the requests.
	got = nil
	if resp, err := Client(providers.Settings{HTTPClient: &http.Client{}, UserAgent: ua}).Get(ts.URL); err != nil {
		t.Fatal(err)
	} else {
		_ = resp.Body.Close()
	}
	if len(got) != 1 || got[0] != ua {
		t.Errorf("through the default transport the server saw %q, want %q", got, ua)
	}
}
