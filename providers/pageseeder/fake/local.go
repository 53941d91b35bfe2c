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
	"strings"
	"sync/atomic"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// Simulator describes the PageSeeder simulator to the local environment
// (providers/catalog/simulated): the whole server, /ps/oauth/token and /ps/service/... PageSeeder
// has no operator flag for its URL: each Webhook's spec names its server.
var Simulator = simulator.Descriptor{
	Provider: "pageseeder",
	New: func(acceptAny bool) simulator.Local {
		s := NewUnstarted()
		s.SetAcceptAnyClient(acceptAny)
		// PageSeeder would POST a ping to each targetUrl and expect X-PS-Secret echoed. Local runs
		// have no receivers, so every ping succeeds and the webhooks go from pending to active.
		s.SetPingResult(func(string) error { return nil })
		return &local{Server: s}
	},
}

type local struct {
	*Server
	// clients numbers the OAuth clients that NewAccount registers.
	clients atomic.Int64
}

func (l *local) NewAccount(seed, url string) simulator.Account {
	id, secret := "client-"+seed, "secret-"+seed
	client := 1000 + l.clients.Add(1)
	l.AddClient(id, secret, client)
	return simulator.Account{
		Credentials: map[string]string{"clientId": id, "clientSecret": secret},
		Spec: func(spec *hooksv1alpha1.WebhookSpec, _ int) {
			spec.PageSeeder = &hooksv1alpha1.PageSeederSpec{ServerURL: url, Client: client, Events: []string{"comment.*"}}
		},
	}
}

// Try lists the simulator's side of the Webhooks, for the demo.
func (l *local) Try(url string, hooks []hooksv1alpha1.Webhook, secret simulator.SecretLookup) []string {
	// The webhooks of each OAuth client (spec.pageSeeder.client), with a token of their credentials.
	seen := map[string]bool{}
	var cmds []string
	for _, h := range hooks {
		if h.Spec.PageSeeder == nil {
			continue
		}
		servicePath := h.Spec.PageSeeder.ServicePath
		if servicePath == "" {
			servicePath = "/ps/service"
		}
		token, fetch := simulator.BearerCommands(h.Namespace, h.Spec.CredentialsRef.Name, secret, url+"/ps/oauth/token", "")
		key := fmt.Sprintf("%s/%s\n%d", h.Namespace, h.Spec.CredentialsRef.Name, h.Spec.PageSeeder.Client)
		if token == "" || seen[key] {
			continue
		}
		seen[key] = true
		cmds = append(cmds, fetch...)
		cmds = append(cmds, fmt.Sprintf("curl -s -H %s %s%s/clients/%d/webhooks.json",
			token, url, strings.TrimRight(servicePath, "/"), h.Spec.PageSeeder.Client))
	}
	return cmds
}
