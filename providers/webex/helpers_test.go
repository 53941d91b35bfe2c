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

package webex_test

import (
	"net/http"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/webex"
	"github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

const (
	token  = "tok-alice-4f1d2c9e8b7a"
	secret = "sig-secret-93b1c0ffee"
	owner  = "team-a/chat-alerts"
)

// env is a fake Webex with a provider pointed at it and a record of what was sent.
type env struct {
	t    *testing.T
	srv  *fake.Server
	prov *webex.Provider
	rec  *testutil.Recorder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := fake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(token)
	rec := &testutil.Recorder{}
	prov := webex.New(webex.Options{BaseURL: srv.URL(), HTTPClient: &http.Client{Transport: rec}})
	return &env{t: t, srv: srv, prov: prov, rec: rec}
}

func (e *env) client() *webex.Client {
	e.t.Helper()
	c, err := webex.NewClient(e.srv.URL(), &http.Client{Transport: e.rec}, token, secret)
	if err != nil {
		e.t.Fatalf("NewClient: %v", err)
	}
	return c
}

// newRequest is a valid request; mutate adjusts it per test case.
func newRequest(mutate ...func(*providers.Request)) *providers.Request {
	req := &providers.Request{
		Owner: owner,
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:       hooksv1alpha1.ProviderWebex,
			TargetURL:      "https://hooks.example.com/webex",
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "webex-creds"},
			Webex: &hooksv1alpha1.WebexSpec{
				Resource:  "messages",
				Event:     "created",
				Filter:    "roomId=Y2lzY29zcGFyazovL3VzL1JPT00vYWJj",
				OwnedBy:   hooksv1alpha1.WebexOwnedByCreator,
				SecretRef: &hooksv1alpha1.SecretKeySelector{Name: "webex-sig", Key: "secret"},
			},
		},
		Credentials: map[string][]byte{"token": []byte(token + "\n")},
		Secrets:     map[string]string{webex.SecretRefPath: secret},
	}
	for _, m := range mutate {
		m(req)
	}
	return req
}
