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
	"testing"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	"github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	"github.com/hookkeeper/hookkeeper/providers/providertest"
)

// missingCredentials are the credentials Secrets that name no usable client or token, with the
// keys their error must name.
var missingCredentials = []providertest.MissingCredentials{
	{Name: "nil map", Credentials: nil, Keys: []string{`"clientId"`, `"clientSecret"`, `"token"`}},
	{Name: "unrelated key", Credentials: map[string][]byte{"apiKey": []byte("x")}, Keys: []string{`"clientId"`, `"token"`}},
	{Name: "blank values", Credentials: map[string][]byte{"clientId": []byte(" "), "clientSecret": []byte("\n"), "token": []byte("")},
		Keys: []string{`"clientId"`, `"clientSecret"`}},
	{Name: "id without secret", Credentials: map[string][]byte{"clientId": []byte("abc")}, Keys: []string{`"clientSecret"`}},
	{Name: "secret without id", Credentials: map[string][]byte{"clientSecret": []byte("abc")}, Keys: []string{`"clientId"`}},
	{Name: "token with inner whitespace", Credentials: map[string][]byte{"token": []byte("abc def")}, Keys: []string{`"token"`}},
}

func TestBehaviourTable(t *testing.T) {
	providertest.Run(t, func(t *testing.T) *providertest.Env {
		srv := fake.New()
		t.Cleanup(srv.Close)
		const clientID, clientSecret, signing = "behaviour-client-0123", "behaviour-client-secret-4567", "behaviour-signing-token"
		srv.AddClient(clientID, clientSecret)
		p := autodesk.New(autodesk.Options{BaseURL: srv.URL(), HTTPClient: &http.Client{Timeout: 5 * time.Second}})
		return &providertest.Env{
			Provider: p,
			Request: func(owner string) *providers.Request {
				return &providers.Request{
					Owner: owner,
					Spec: &hooksv1alpha1.WebhookSpec{
						Provider:  hooksv1alpha1.ProviderAutodesk,
						TargetURL: "https://hooks.example.com/" + owner,
						Autodesk: &hooksv1alpha1.AutodeskSpec{
							System: "data", Event: "dm.version.added", Region: "EMEA",
							Scope:     map[string]string{"folder": "urn:adsk.wipprod:fs.folder:co.behaviour"},
							SecretRef: &hooksv1alpha1.SecretKeySelector{Name: "aps-signing", Key: "token"},
						},
					},
					Credentials: map[string][]byte{"clientId": []byte(clientID), "clientSecret": []byte(clientSecret)},
					Secrets:     map[string]string{autodesk.SecretRefPath: signing},
				}
			},
			Mutate: func(req *providers.Request) { req.Spec.Autodesk.Filter = "$[?(@.ext=='dwg')]" },
			Fault: func(status int, retryAfter, message string) {
				srv.InjectFault(fake.Fault{Key: clientID, Path: "/webhooks/", Status: status, RetryAfter: retryAfter,
					Message: message, Times: 1})
			},
			Redirect: func(status int, location string) {
				srv.InjectFault(fake.Fault{Key: clientID, Path: "/webhooks/", Status: status, Location: location, Times: 1})
			},
			Secrets:     []string{clientID, clientSecret, signing},
			Count:       func() int { return len(srv.Hooks(clientID)) },
			Requests:    func() int { return srv.Requests(clientID) },
			SetPageSize: srv.SetPageSize,
			Name:        "autodesk",
			NewProvider: func(hc *http.Client) providers.Provider {
				return autodesk.New(autodesk.Options{BaseURL: srv.URL(), HTTPClient: hc})
			},
			Close: srv.Close,
			Delay: func(d time.Duration) {
				srv.InjectFault(fake.Fault{Key: clientID, Path: "/webhooks/", Delay: d, Times: 1})
			},
			DropCreate: func(status int) {
				srv.InjectFault(fake.Fault{Key: clientID, Method: http.MethodPost, Path: "/webhooks/", DropResponse: true,
					Status: status, Times: 1})
			},
			MissingCredentials: missingCredentials,
			Token: &providertest.TokenEnv{
				Fault: func(status int, retryAfter, message string) {
					srv.InjectFault(fake.Fault{Key: clientID, Path: "/authentication/", Status: status, RetryAfter: retryAfter,
						Message: message, Times: 1})
				},
				Redirect: func(status int, location string) {
					srv.InjectFault(fake.Fault{Key: clientID, Path: "/authentication/", Status: status, Location: location, Times: 1})
				},
				Delay: func(d time.Duration) {
					srv.InjectFault(fake.Fault{Key: clientID, Path: "/authentication/", Delay: d, Times: 1})
				},
				Requests:      func() int { return srv.TokenRequests(clientID) },
				MessagePrefix: "token endpoint: ",
			},
		}
	})
}
