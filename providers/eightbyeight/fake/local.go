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
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// Simulator describes the 8x8 simulator to the local environment (providers/catalog/simulated).
var Simulator = simulator.Descriptor{
	Provider: "eightbyeight",
	// The 8x8 client appends /api/v1/accounts/... to the base URL itself, as it does to a
	// region's host.
	New: func(acceptAny bool) simulator.Local {
		s := NewUnstarted()
		s.SetAcceptAnyKey(acceptAny)
		return local{s}
	},
}

type local struct{ *Server }

func (l local) NewAccount(seed, _ string) simulator.Account {
	key := "key-" + seed
	sum := hex.EncodeToString(func() []byte { h := sha256.Sum256([]byte(seed)); return h[:16] }())
	// A GUID with dashes, as 8x8 gives account ids.
	account := sum[:8] + "-" + sum[8:12] + "-" + sum[12:16] + "-" + sum[16:20] + "-" + sum[20:]
	l.AddKey(key, account)
	return simulator.Account{
		Credentials: map[string]string{"apiKey": key},
		Spec: func(spec *hooksv1alpha1.WebhookSpec, i int) {
			// 8x8 keeps one webhook per account, sub-account and type: a sub-account each.
			spec.EightByEight = &hooksv1alpha1.EightByEightSpec{AccountID: account,
				SubAccountID: fmt.Sprintf("sub-%06d", i), Type: "MSG"}
		},
	}
}

// Try lists the simulator's side of the Webhooks, for the demo.
func (l local) Try(url string, hooks []hooksv1alpha1.Webhook, secret simulator.SecretLookup) []string {
	// Each account the Webhooks name, with the API key they use. 8x8 shows the delivery secrets
	// as "***": only the simulator's memory holds them.
	seen := map[string]bool{}
	var cmds []string
	for _, h := range hooks {
		if h.Spec.EightByEight == nil {
			continue
		}
		key := secret(h.Namespace, h.Spec.CredentialsRef.Name, "apiKey")
		account := h.Spec.EightByEight.AccountID
		if key == "" || seen[key+"\n"+account] {
			continue
		}
		seen[key+"\n"+account] = true
		cmds = append(cmds, fmt.Sprintf("curl -s -H %s %s/api/v1/accounts/%s/webhooks",
			simulator.ShellQuote("Authorization: Bearer "+key), url, account))
	}
	return cmds
}
