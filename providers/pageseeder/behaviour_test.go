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

package pageseeder_test

import (
	"net/http"
	"testing"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
	"github.com/hookkeeper/hookkeeper/providers/providertest"
)

// The client the behaviour table's fake knows.
const (
	behaviourClientID     = "behaviour-client-7c1d"
	behaviourClientSecret = "behaviour-secret-0123456789"
	behaviourInternalID   = int64(321)
)

func TestBehaviourTable(t *testing.T) {
	providertest.Run(t, behaviourEnv)
}

// behaviourEnv starts a fake PageSeeder that knows the behaviour client, and describes it and
// the provider to the behaviour table.
func behaviourEnv(t *testing.T) *providertest.Env {
	srv := fake.New()
	t.Cleanup(srv.Close)
	const clientID, internalID = behaviourClientID, behaviourInternalID
	srv.AddClient(clientID, behaviourClientSecret, internalID)
	srv.SetPingResult(func(string) error { return nil })
	p := pageseeder.New(pageseeder.Options{HTTPClient: &http.Client{Timeout: 5 * time.Second}, AllowInsecure: true, Egress: loopback})
	return &providertest.Env{
		Provider: p,
		Request:  func(owner string) *providers.Request { return behaviourRequest(srv, owner) },
		Mutate: func(req *providers.Request) {
			req.Spec.TargetURL += "/moved"
			req.Spec.PageSeeder.Events = append(req.Spec.PageSeeder.Events, "membership.created")
		},
		Fault: func(status int, retryAfter, message string) {
			// Service calls only: the token is cached, and the table means the API request.
			srv.InjectFault(fake.Fault{Key: clientID, Path: "/ps/service/", Status: status,
				RetryAfter: retryAfter, Message: message, Times: 1})
		},
		Redirect: func(status int, location string) {
			srv.InjectFault(fake.Fault{Key: clientID, Path: "/ps/service/", Status: status, Location: location, Times: 1})
		},
		Secrets: []string{clientID, behaviourClientSecret},
		Count:   func() int { return len(srv.Hooks(internalID)) },
		// PageSeeder documents no paging of the webhook list: no SetPageSize.
		Requests: func() int { return srv.Requests(clientID) },
		Name:     "pageseeder",
		NewProvider: func(hc *http.Client) providers.Provider {
			return pageseeder.New(pageseeder.Options{HTTPClient: hc, AllowInsecure: true, Egress: loopback})
		},
		Close: srv.Close,
		Delay: func(d time.Duration) {
			srv.InjectFault(fake.Fault{Key: clientID, Path: "/ps/service/", Delay: d, Times: 1})
		},
		DropCreate: func(status int) {
			srv.InjectFault(fake.Fault{Key: clientID, Method: http.MethodPost, Path: "/ps/service/", DropResponse: true,
				Status: status, Times: 1})
		},
		MissingCredentials: behaviourMissingCredentials,
		Token:              behaviourTokenEnv(srv),
	}
}

// behaviourRequest is the behaviour table's request for owner: a webhook of the behaviour client
// on srv, for comments, with the client's credentials.
func behaviourRequest(srv *fake.Server, owner string) *providers.Request {
	return &providers.Request{
		Owner: owner,
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:  hooksv1alpha1.ProviderPageSeeder,
			TargetURL: "https://hooks.example.com/" + owner,
			PageSeeder: &hooksv1alpha1.PageSeederSpec{
				ServerURL: srv.URL(), Client: behaviourInternalID, Events: []string{"comment.*"},
			},
		},
		Credentials: map[string][]byte{
			pageseeder.CredentialClientID:     []byte(behaviourClientID),
			pageseeder.CredentialClientSecret: []byte(behaviourClientSecret),
		},
	}
}

// behaviourMissingCredentials are the credentials the behaviour table expects refused, with the
// keys each refusal names.
var behaviourMissingCredentials = []providertest.MissingCredentials{
	{Name: "nothing", Credentials: nil, Keys: []string{`"clientId"`, `"clientSecret"`, `"token"`}},
	{Name: "wrong keys", Credentials: map[string][]byte{"apiKey": []byte("x")}, Keys: []string{`"clientId"`, `"token"`}},
	{Name: "client id only", Credentials: map[string][]byte{"clientId": []byte(behaviourClientID)}, Keys: []string{`"clientSecret"`}},
	{Name: "secret only", Credentials: map[string][]byte{"clientSecret": []byte(behaviourClientSecret)}, Keys: []string{`"clientId"`}},
	{Name: "blank token", Credentials: map[string][]byte{"token": []byte(" \n")}, Keys: []string{`"token"`}},
	{Name: "inner whitespace", Credentials: map[string][]byte{"token": []byte("abc def")}, Keys: []string{`"token"`}},
	{Name: "control character in the secret", Credentials: map[string][]byte{"clientId": []byte(behaviourClientID),
		"clientSecret": []byte("abc\x00def")}, Keys: []string{`"clientSecret"`}},
}

// behaviourTokenEnv describes the token endpoint of srv to the behaviour table.
func behaviourTokenEnv(srv *fake.Server) *providertest.TokenEnv {
	const clientID = behaviourClientID
	return &providertest.TokenEnv{
		Fault: func(status int, retryAfter, message string) {
			srv.InjectFault(fake.Fault{Key: clientID, Path: "/ps/oauth/token", Status: status, RetryAfter: retryAfter,
				Message: message, Times: 1})
		},
		Redirect: func(status int, location string) {
			srv.InjectFault(fake.Fault{Key: clientID, Path: "/ps/oauth/token", Status: status, Location: location, Times: 1})
		},
		Delay: func(d time.Duration) {
			srv.InjectFault(fake.Fault{Key: clientID, Path: "/ps/oauth/token", Delay: d, Times: 1})
		},
		Requests:      func() int { return srv.TokenRequests(clientID) },
		Op:            "token",
		MessagePrefix: "token request refused: ",
	}
}
