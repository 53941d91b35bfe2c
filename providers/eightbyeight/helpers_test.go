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
	"net/http"
	"strings"
	"testing"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
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
	rec  *testutil.Recorder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := fake.New()
	t.Cleanup(srv.Close)
	srv.AddKey(apiKey, account)
	rec := &testutil.Recorder{}
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
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "eight-creds"},
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

// canonicalAccount is account as ids and scopes spell it: 8x8 keys an account by its GUID.
var canonicalAccount = strings.ToLower(strings.ReplaceAll(account, "-", ""))

func id(sub, typ string) string {
	return canonicalAccount + "/" + sub + "/" + typ
}

func boolPtr(b bool) *bool { return &b }
