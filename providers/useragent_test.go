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

package providers_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
)

// TestBuildSetsTheUserAgent: the client Build hands New carries Settings.UserAgent on every
// request, whatever the request set (a token request of golang.org/x/oauth2, say), without
// changing the settings' own client or the caller's request; without a UserAgent or a client,
// New gets the settings' client as it is.
func TestBuildSetsTheUserAgent(t *testing.T) {
	var got []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("User-Agent"))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ts.Close()
	var given *http.Client
	d := providers.Descriptor{New: func(s providers.Settings) providers.Implementation {
		given = s.HTTPClient
		return nil
	}}
	ua := providers.UserAgent("v0.4.0", "replica-b")
	base := &http.Client{Transport: ts.Client().Transport}
	d.Build(providers.Settings{HTTPClient: base, UserAgent: ua})
	if given == nil || given == base || base.Transport != ts.Client().Transport {
		t.Fatal("Build changed the settings' own client instead of handing New a copy")
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/token", nil)
	req.Header.Set("User-Agent", "Go-http-client/1.1")
	resp, err := given.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if req.Header.Get("User-Agent") != "Go-http-client/1.1" {
		t.Errorf("the caller's request now has User-Agent %q", req.Header.Get("User-Agent"))
	}
	if len(got) != 1 || got[0] != ua {
		t.Errorf("the server saw User-Agents %q, want %q", got, ua)
	}

	if d.Build(providers.Settings{HTTPClient: base}); given != base {
		t.Error("without a UserAgent, New did not get the settings' client")
	}
	if d.Build(providers.Settings{UserAgent: ua}); given != nil {
		t.Error("without a client, New did not get nil (the provider's default)")
	}
	// Without a transport, the default one carries the requests.
	got = nil
	d.Build(providers.Settings{HTTPClient: &http.Client{}, UserAgent: ua})
	if resp, err := given.Get(ts.URL); err != nil {
		t.Fatal(err)
	} else {
		_ = resp.Body.Close()
	}
	if len(got) != 1 || got[0] != ua {
		t.Errorf("through the default transport the server saw %q, want %q", got, ua)
	}
}
