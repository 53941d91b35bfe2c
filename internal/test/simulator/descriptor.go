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

package simulator

import (
	"fmt"
	"net/http"
	"strings"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// Descriptor is a provider's simulator as the local environment, the demo and the benchmark use
// it. Each provider's fake package exports one; the list is providers/catalog/simulated, which a
// test holds to the provider list. The operator binary never links a simulator.
type Descriptor struct {
	// Provider is the Name of the provider's descriptor.
	Provider string
	// APIPath is appended to the address the simulator listens on to give the base URL the
	// operator's flag (or, for a provider without one, each Webhook's spec) wants.
	APIPath string
	// New returns an unstarted simulator set up for local runs (no receivers: where the SaaS
	// would call the target URL to verify it, the call succeeds). With acceptAny it takes any
	// non-empty credentials; otherwise only those of its NewAccount.
	New func(acceptAny bool) Local
}

// Local is what the local environment needs of a simulator.
type Local interface {
	// Handler serves the SaaS API.
	Handler() http.Handler
	InjectFault(Fault)
	ClearFaults()
	RequestsTotal() int
	ResetCounts()
	// Mutations returns every change that requests made to the webhooks, with the User-Agent
	// of each, in the order applied.
	Mutations() []Mutation
	// NewAccount registers fresh credentials, made unique by seed, and returns them. url is the
	// simulator's base URL.
	NewAccount(seed string, url string) Account
	// Try returns shell commands that show the simulator's side of the given Webhooks (those of
	// its provider), whose API root is url; secret reads a key of their Secrets ("" when missing).
	Try(url string, hooks []hooksv1alpha1.Webhook, secret SecretLookup) []string
}

// SecretLookup reads one key of a Secret; "" when it is missing.
type SecretLookup func(namespace, name, key string) string

// ShellQuote quotes s for a POSIX shell.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// BearerCommands returns the Authorization header argument, already quoted for the shell, that
// authenticates as the credentials Secret namespace/name, and the commands that must run first.
// With clientId and clientSecret it fetches a client-credentials token from tokenURL into $TOKEN;
// with a ready-made "token" it uses that. The header is "" when the Secret holds neither.
func BearerCommands(ns, name string, secret SecretLookup, tokenURL, extraForm string) (header string, before []string) {
	id, sec := secret(ns, name, "clientId"), secret(ns, name, "clientSecret")
	if id == "" || sec == "" {
		if token := secret(ns, name, "token"); token != "" {
			return ShellQuote("Authorization: Bearer " + token), nil
		}
		return "", nil
	}
	form := "-d grant_type=client_credentials"
	if extraForm != "" {
		form += " " + extraForm
	}
	fetch := fmt.Sprintf(`TOKEN=$(curl -s -u %s %s %s | sed -E 's/.*"access_token": *"([^"]*)".*/\1/')`,
		ShellQuote(id+":"+sec), form, tokenURL)
	return `"Authorization: Bearer $TOKEN"`, []string{fetch}
}

// Account is one set of credentials registered with a simulator.
type Account struct {
	// Credentials are the keys of the credentials Secret.
	Credentials map[string]string
	// Spec sets the provider block of Webhook i of the account, with a natural key of its own.
	Spec func(spec *hooksv1alpha1.WebhookSpec, i int)
}
