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

package fake

import (
	"fmt"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// Simulator describes the Webex simulator to the local environment (providers/catalog/simulated).
var Simulator = simulator.Descriptor{
	Provider: "webex",
	// The operator's --webex-api-url includes the API version.
	APIPath: "/v1",
	New: func(acceptAny bool) simulator.Local {
		s := NewUnstarted()
		s.SetAcceptAnyToken(acceptAny)
		return local{s}
	},
}

type local struct{ *Server }

func (l local) NewAccount(seed, _ string) simulator.Account {
	token := "token-" + seed
	l.AddToken(token)
	return simulator.Account{
		Credentials: map[string]string{"token": token},
		Spec: func(spec *hooksv1alpha1.WebhookSpec, _ int) {
			// Webex keeps any number of webhooks alike: the target URL tells them apart.
			spec.Webex = &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}
		},
	}
}

// Try lists the simulator's side of the Webhooks, for the demo.
func (l local) Try(url string, hooks []hooksv1alpha1.Webhook, secret simulator.SecretLookup) []string {
	// The simulator takes any token, but each token is a user of its own and sees only the
	// webhooks created with it: one listing per token.
	seen := map[string]bool{}
	var cmds []string
	for _, h := range hooks {
		if h.Spec.Webex == nil {
			continue
		}
		token := secret(h.Namespace, h.Spec.CredentialsRef.Name, "token")
		if token == "" || seen[token] {
			continue
		}
		seen[token] = true
		cmds = append(cmds, fmt.Sprintf("curl -s -H 'Authorization: Bearer %s' %s/webhooks", token, url))
	}
	return cmds
}
