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

package example_test

import (
	"net/http"
	"testing"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/providertest"
	"github.com/hookkeeper/hookkeeper/providers/providertest/example"
	"github.com/hookkeeper/hookkeeper/providers/providertest/example/fake"
)

// TestBehaviourTable: the fifth provider passes the table every provider passes.
func TestBehaviourTable(t *testing.T) {
	providertest.Run(t, func(t *testing.T) *providertest.Env {
		srv := fake.New()
		t.Cleanup(srv.Close)
		const token = "example-token-0123456789"
		srv.AddToken(token)
		p := example.Descriptor.New(providers.Settings{BaseURL: srv.URL(), HTTPClient: &http.Client{Timeout: 5 * time.Second}})
		return &providertest.Env{
			Provider: p,
			Request: func(owner string) *providers.Request {
				return &providers.Request{
					Owner:       owner,
					Spec:        &hooksv1alpha1.WebhookSpec{Provider: example.Type, TargetURL: "https://hooks.example.com/" + owner},
					Credentials: map[string][]byte{example.CredentialToken: []byte(token)},
				}
			},
			Mutate: func(req *providers.Request) { req.Spec.TargetURL += "/moved" },
			Fault: func(status int, retryAfter, message string) {
				srv.InjectFault(fake.Fault{Key: token, Status: status, RetryAfter: retryAfter, Message: message, Times: 1})
			},
			Redirect: func(status int, location string) {
				srv.InjectFault(fake.Fault{Key: token, Status: status, Location: location, Times: 1})
			},
			Secrets:  []string{token},
			Count:    func() int { return len(srv.Hooks(token)) },
			Requests: func() int { return srv.Requests(token) },
			Name:     example.Name,
			NewProvider: func(hc *http.Client) providers.Provider {
				return example.Descriptor.New(providers.Settings{BaseURL: srv.URL(), HTTPClient: hc})
			},
			Close: srv.Close,
			Delay: func(d time.Duration) { srv.InjectFault(fake.Fault{Key: token, Delay: d, Times: 1}) },
			DropCreate: func(status int) {
				srv.InjectFault(fake.Fault{Key: token, Method: http.MethodPost, DropResponse: true, Status: status, Times: 1})
			},
			MissingCredentials: []providertest.MissingCredentials{
				{Name: "no key", Credentials: map[string][]byte{"apiKey": []byte("x")}, Keys: []string{`"token"`}},
				{Name: "blank", Credentials: map[string][]byte{"token": []byte("  \n")}, Keys: []string{`"token"`}},
				{Name: "nil map", Credentials: nil, Keys: []string{`"token"`}},
				{Name: "inner whitespace", Credentials: map[string][]byte{"token": []byte("abc def")}, Keys: []string{`"token"`}},
			},
		}
	})
}
