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

package eightbyeight_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
)

const (
	apiKey        = "key-alice-7d3e91b04c2a"
	account       = "6a1c3e5f-7b9d-4f1e-a2c4-e6f8a0b2c4d6"
	otherAccount  = "00112233445566778899aabbccddeeff"
	subAccount    = "Onion_Marketing"
	authorization = "Basic ZGVsaXZlcnk6c2VjcmV0LTQy"
	oauthSecret   = "oauth-client-secret-5e6f"
	owner         = "team-a/chat-alerts"
)

// env is a fake 8x8 with a provider pointed at it and a record of what was sent.
type env struct {
	t    *testing.T
	srv  *fake.Server
	prov *eightbyeight.Provider
	rec  *recorder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := fake.New()
	t.Cleanup(srv.Close)
	srv.AddKey(apiKey, account)
	rec := &recorder{next: http.DefaultTransport}
	prov := eightbyeight.New(eightbyeight.Options{BaseURL: srv.URL(), HTTPClient: &http.Client{Transport: rec}})
	return &env{t: t, srv: srv, prov: prov, rec: rec}
}

// newRequest is a valid request for an MSG webhook with a static delivery Authorization; mutate
// adjusts it per test case.
func newRequest(mutate ...func(*providers.Request)) *providers.Request {
	req := &providers.Request{
		Owner: owner,
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:       hooksv1alpha1.ProviderEightByEight,
			TargetURL:      "https://hooks.example.com/8x8",
			CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "eight-creds"},
			EightByEight: &hooksv1alpha1.EightByEightSpec{
				AccountID:              account,
				SubAccountID:           subAccount,
				Type:                   eightbyeight.TypeMSG,
				Region:                 eightbyeight.RegionAPAC,
				AuthorizationSecretRef: &hooksv1alpha1.SecretKeySelector{Name: "delivery", Key: "authorization"},
			},
		},
		Credentials: map[string][]byte{"apiKey": []byte(apiKey + "\n")},
		Secrets:     map[string]string{eightbyeight.AuthorizationSecretPath: authorization},
	}
	for _, m := range mutate {
		m(req)
	}
	return req
}

// withOAuth swaps the static Authorization for an OAuth configuration.
func withOAuth(r *providers.Request) {
	r.Spec.EightByEight.AuthorizationSecretRef = nil
	r.Spec.EightByEight.OAuth = &hooksv1alpha1.EightByEightOAuth{
		TokenURL:        "https://auth.example.com/oauth/token",
		ClientID:        "hookkeeper-client",
		ClientSecretRef: hooksv1alpha1.SecretKeySelector{Name: "delivery", Key: "clientSecret"},
		Scope:           "read write",
	}
	r.Secrets = map[string]string{eightbyeight.OAuthClientSecretPath: oauthSecret}
}

func id(sub, typ string) string {
	return account + "/" + sub + "/" + typ
}

func boolPtr(b bool) *bool { return &b }

// sent is one request as it left the client.
type sent struct {
	Method string
	URL    string
	Auth   string
	Raw    string
	Body   []map[string]any
}

// recorder is a transport that remembers every request, to check what went on the wire.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []sent
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	s := sent{Method: req.Method, URL: req.URL.String(), Auth: req.Header.Get("Authorization")}
	if req.Body != nil {
		data, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		s.Raw = string(data)
		_ = json.Unmarshal(data, &s.Body)
		req.Body = io.NopCloser(bytes.NewReader(data))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, s)
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// last returns the last request with the given method.
func (r *recorder) last(t *testing.T, method string) sent {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.reqs) - 1; i >= 0; i-- {
		if r.reqs[i].Method == method {
			return r.reqs[i]
		}
	}
	t.Fatalf("no %s request was sent", method)
	return sent{}
}

// count returns how many requests were sent.
func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}
