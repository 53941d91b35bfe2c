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

package autodesk_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	"github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	"github.com/hookkeeper/hookkeeper/providers/internal/testutil"
)

const (
	clientID     = "aps-client-7d1e0c4b"
	clientSecret = "aps-secret-5f2a9be31c"
	signing      = "sig-token-0ddba11"
	owner        = "team-a/model-events"
	folder       = "urn:adsk.wipprod:fs.folder:co.abc123"
	target       = "https://hooks.example.com/aps"
)

// env is a fake APS with a provider pointed at it and a record of what was sent.
type env struct {
	t    *testing.T
	srv  *fake.Server
	prov *autodesk.Provider
	rec  *recorder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := fake.New()
	t.Cleanup(srv.Close)
	srv.AddClient(clientID, clientSecret)
	rec := &recorder{next: http.DefaultTransport}
	prov := autodesk.New(autodesk.Options{BaseURL: srv.URL(), HTTPClient: &http.Client{Transport: rec}})
	return &env{t: t, srv: srv, prov: prov, rec: rec}
}

// newRequest is a valid request; mutate adjusts it per test case.
func newRequest(mutate ...func(*providers.Request)) *providers.Request {
	req := &providers.Request{
		Owner: owner,
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:       hooksv1alpha1.ProviderAutodesk,
			TargetURL:      target,
			CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "aps-creds"},
			Autodesk: &hooksv1alpha1.AutodeskSpec{
				System:    "data",
				Event:     "dm.version.added",
				Scope:     map[string]string{"folder": folder},
				SecretRef: &hooksv1alpha1.SecretKeySelector{Name: "aps-signing", Key: "token"},
			},
		},
		Credentials: map[string][]byte{"clientId": []byte(clientID), "clientSecret": []byte(clientSecret + "\n")},
		Secrets:     map[string]string{autodesk.SecretRefPath: signing},
	}
	for _, m := range mutate {
		m(req)
	}
	return req
}

func attr(s string) *apiextensionsv1.JSON { return &apiextensionsv1.JSON{Raw: []byte(s)} }

func ptr[T any](v T) *T { return &v }

// sent is one request as it left the client.
type sent struct {
	Method string
	Path   string
	Query  url.Values
	Region string
	Auth   string
	Form   url.Values
	Body   map[string]any
	Raw    string
}

// recorder is a transport that remembers every request, to check what went on the wire.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []sent
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	s := sent{Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.Query(),
		Region: req.Header.Get("x-ads-region"), Auth: req.Header.Get("Authorization")}
	if req.Body != nil {
		data, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		s.Raw = string(data)
		if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			s.Form, _ = url.ParseQuery(string(data))
		} else {
			_ = json.Unmarshal(data, &s.Body)
		}
		req.Body = io.NopCloser(bytes.NewReader(data))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, s)
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recorder) all() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.reqs...)
}

// api returns the requests to the webhooks API, without token requests.
func (r *recorder) api() []sent {
	var out []sent
	for _, s := range r.all() {
		if strings.HasPrefix(s.Path, "/webhooks/") {
			out = append(out, s)
		}
	}
	return out
}

// find returns the requests with this method whose path ends with suffix.
func (r *recorder) find(method, suffix string) []sent {
	var out []sent
	for _, s := range r.all() {
		if s.Method == method && strings.HasSuffix(s.Path, suffix) {
			out = append(out, s)
		}
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
}

// hookOf returns the wire object of a remote.
func hookOf(t *testing.T, r *providers.Remote) *autodesk.Hook {
	t.Helper()
	h, ok := r.Object.(*autodesk.Hook)
	if !ok || h == nil {
		t.Fatalf("remote %+v carries no *autodesk.Hook", r)
	}
	return h
}

// assertNoSecrets checks every text an error offers for the credentials of these tests and for more.
func assertNoSecrets(t *testing.T, err error, more ...string) {
	t.Helper()
	testutil.AssertNoSecrets(t, err, append([]string{clientID, clientSecret, signing}, more...), append([]string{clientSecret, signing}, more...))
}
