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

package accounts

import (
	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// OAuthSecretPath is the secretRef path of 8x8's OAuth client secret: read from the account's
// credentials namespace when the account sets oauth.
const OAuthSecretPath = "eightByEight.oauth.clientSecretRef"

// Resolved is a Webhook's spec completed with its account's fields.
type Resolved struct {
	// Spec is a copy of the Webhook's spec with the account's fields filled in.
	Spec *hooksv1alpha1.WebhookSpec
	// AccountSecrets are the secretRef paths whose Secret is the account's (in SecretNamespace),
	// not the Webhook's.
	AccountSecrets map[string]bool
}

// Resolve completes a Webhook's spec with the account's fields. A Webhook on an account leaves the
// account-level fields out or sets the same value (in any spelling of it); another value is an
// InvalidSpec error that names both fields. The provider must be the account's. Which fields are
// the account's is the API's to say (AccountSettings.Complete).
func (v *View) Resolve(spec *hooksv1alpha1.WebhookSpec) (*Resolved, error) {
	if spec.Provider != v.Settings.Provider {
		return nil, providers.Invalid("", "accountRef", "%s is a %s account, and this Webhook's spec.provider is %s",
			v, v.Settings.Provider, spec.Provider)
	}
	out := &Resolved{Spec: spec.DeepCopy(), AccountSecrets: map[string]bool{}}
	out.Spec.CredentialsRef = nil
	paths, c := v.Settings.Complete(out.Spec, sameValue)
	if c != nil {
		if c.Why != "" {
			return nil, providers.Invalid("", c.Field, "cannot be set on a Webhook on %s: %s", v, c.Why)
		}
		return nil, providers.Invalid("", c.Field, "%q differs from spec.%s %q of %s: leave it out to use the account's, or set the same value",
			c.Mine, c.Field, c.Theirs, v)
	}
	for _, p := range paths {
		out.AccountSecrets[p] = true
	}
	return out, nil
}

// sameValue compares two spellings of an account-level value, as the providers name accounts.
func sameValue(kind hooksv1alpha1.ValueKind, mine, theirs string) bool {
	canon := func(s string) (string, bool) { return s, true }
	switch kind {
	case hooksv1alpha1.ValueGUID:
		canon = providers.CanonicalGUID
	case hooksv1alpha1.ValueURL:
		canon = providers.CanonicalURL
	}
	a, ok1 := canon(mine)
	b, ok2 := canon(theirs)
	return ok1 && ok2 && a == b
}
