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

// Simulator describes the Autodesk simulator to the local environment
// (providers/catalog/simulated). One host serves /authentication/v2/token and /webhooks/v1, as
// developer.api.autodesk.com does.
var Simulator = simulator.Descriptor{
	Provider: "autodesk",
	New: func(acceptAny bool) simulator.Local {
		s := NewUnstarted()
		s.SetAcceptAnyClient(acceptAny)
		return local{s}
	},
}

type local struct{ *Server }

func (l local) NewAccount(seed, _ string) simulator.Account {
	id, secret := "app-"+seed, "secret-"+seed
	l.AddClient(id, secret)
	return simulator.Account{
		Credentials: map[string]string{"clientId": id, "clientSecret": secret},
		Spec: func(spec *hooksv1alpha1.WebhookSpec, i int) {
			// APS refuses a second hook of the same event, callback and scope: a folder each.
			spec.Autodesk = &hooksv1alpha1.AutodeskSpec{System: "data", Event: "dm.version.added",
				Scope: map[string]string{"folder": fmt.Sprintf("urn:adsk.wipprod:fs.folder:co.hook-%06d", i)}}
		},
	}
}

// Try lists the simulator's side of the Webhooks, for the demo.
func (l local) Try(url string, hooks []hooksv1alpha1.Webhook, secret simulator.SecretLookup) []string {
	// The hooks of each app (client id) and region: a hook belongs to the app whose token created
	// it, so the listing needs a token of the same client first, two commands.
	seen := map[string]bool{}
	var cmds []string
	for _, h := range hooks {
		if h.Spec.Autodesk == nil {
			continue
		}
		region := string(h.Spec.Autodesk.Region)
		if region == "" {
			region = "US"
		}
		key := h.Namespace + "/" + h.Spec.CredentialsRef.Name + "\n" + region
		token, fetch := simulator.BearerCommands(h.Namespace, h.Spec.CredentialsRef.Name, secret, url+"/authentication/v2/token", "-d scope=data:read")
		if token == "" || seen[key] {
			continue
		}
		seen[key] = true
		cmds = append(cmds, fetch...)
		cmds = append(cmds, fmt.Sprintf("curl -s -H %s -H %s %s/webhooks/v1/hooks",
			token, simulator.ShellQuote("x-ads-region: "+region), url))
	}
	return cmds
}
