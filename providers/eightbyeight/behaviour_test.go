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
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	"github.com/hookkeeper/hookkeeper/providers/providertest"
)

func TestBehaviourTable(t *testing.T) {
	providertest.Run(t, func(t *testing.T) *providertest.Env {
		srv := fake.New()
		t.Cleanup(srv.Close)
		const apiKey, authorization = "behaviour-api-key-0123456789", "Bearer behaviour-delivery-secret"
		const account = "0f8e2a4c-1b3d-4e5f-8a7b-9c0d1e2f3a4b"
		srv.AddKey(apiKey, account)
		p := eightbyeight.New(eightbyeight.Options{BaseURL: srv.URL(), HTTPClient: &http.Client{Timeout: 5 * time.Second}})
		return &providertest.Env{
			Provider: p,
			Request: func(owner string) *providers.Request {
				return &providers.Request{
					Owner: owner,
					Spec: &hooksv1alpha1.WebhookSpec{
						Provider:  hooksv1alpha1.ProviderEightByEight,
						TargetURL: "https://hooks.example.com/" + owner,
						EightByEight: &hooksv1alpha1.EightByEightSpec{
							AccountID: account,
							// Each owner gets a sub-account of its own, so that their keys never collide.
							SubAccountID:           strings.ReplaceAll(owner, "/", "_"),
							Type:                   "MSG",
							AuthorizationSecretRef: &hooksv1alpha1.SecretKeySelector{Name: "delivery", Key: "authorization"},
						},
					},
					Credentials: map[string][]byte{"apiKey": []byte(apiKey)},
					Secrets:     map[string]string{eightbyeight.AuthorizationSecretPath: authorization},
				}
			},
			Mutate: func(req *providers.Request) { req.Spec.TargetURL += "/moved" },
			Fault: func(status int, retryAfter, message string) {
				srv.InjectFault(fake.Fault{Key: apiKey, Status: status, RetryAfter: retryAfter, Message: message, Times: 1})
			},
			Redirect: func(status int, location string) {
				srv.InjectFault(fake.Fault{Key: apiKey, Status: status, Location: location, Times: 1})
			},
			Secrets: []string{apiKey, authorization},
			Count:   func() int { return len(srv.Hooks(account)) },
			// 8x8 answers the account's list in one piece: no SetPageSize.
			Requests: func() int { return srv.Requests(apiKey) },
			Name:     "eightbyeight",
			// Get reads the account's list; create and update are one upsert.
			Ops: map[string]string{"get": "list", "create": "upsert", "update": "upsert"},
			NewProvider: func(hc *http.Client) providers.Provider {
				return eightbyeight.New(eightbyeight.Options{BaseURL: srv.URL(), HTTPClient: hc})
			},
			Close: srv.Close,
			Delay: func(d time.Duration) { srv.InjectFault(fake.Fault{Key: apiKey, Delay: d, Times: 1}) },
			DropCreate: func(status int) {
				srv.InjectFault(fake.Fault{Key: apiKey, Method: http.MethodPost, DropResponse: true, Status: status, Times: 1})
			},
			MissingCredentials: []providertest.MissingCredentials{
				{Name: "no key", Credentials: map[string][]byte{"token": []byte("x")}, Keys: []string{`"apiKey"`}},
				{Name: "blank", Credentials: map[string][]byte{"apiKey": []byte("  \n")}, Keys: []string{`"apiKey"`}},
				{Name: "nil map", Credentials: nil, Keys: []string{`"apiKey"`}},
				{Name: "inner whitespace", Credentials: map[string][]byte{"apiKey": []byte("abc def")}, Keys: []string{`"apiKey"`}},
				{Name: "control character", Credentials: map[string][]byte{"apiKey": []byte("abc\x00def")}, Keys: []string{`"apiKey"`}},
			},
		}
	})
}
