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
	"net/http"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	"github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
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
	rec  *testutil.Recorder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := fake.New()
	t.Cleanup(srv.Close)
	srv.AddClient(clientID, clientSecret)
	rec := &testutil.Recorder{}
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
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "aps-creds"},
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

// api returns the requests to the webhooks API, without token requests.
func api(r *testutil.Recorder) []testutil.Sent {
	var out []testutil.Sent
	for _, s := range r.All() {
		if strings.HasPrefix(s.Path, "/webhooks/") {
			out = append(out, s)
		}
	}
	return out
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
