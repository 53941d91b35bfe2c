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
	"fmt"
	"path"
	"reflect"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// Defaults of the account-level fields, as the providers apply them to an empty value.
const (
	defaultEightByEightRegion = "APAC"
	defaultAutodeskRegion     = "US"
	defaultServicePath        = "/ps/service"
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
// InvalidSpec error that names both fields. The provider must be the account's.
func (v *View) Resolve(spec *hooksv1alpha1.WebhookSpec) (*Resolved, error) {
	if spec.Provider != v.Settings.Provider {
		return nil, providers.Invalid("", "accountRef", "%s is a %s account, and this Webhook's spec.provider is %s",
			v, v.Settings.Provider, spec.Provider)
	}
	out := &Resolved{Spec: spec.DeepCopy(), AccountSecrets: map[string]bool{}}
	out.Spec.CredentialsRef = nil
	var err error
	switch spec.Provider {
	case hooksv1alpha1.ProviderEightByEight:
		err = v.resolveEightByEight(out)
	case hooksv1alpha1.ProviderAutodesk:
		err = v.resolveAutodesk(out.Spec)
	case hooksv1alpha1.ProviderPageSeeder:
		err = v.resolvePageSeeder(out.Spec)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// conflict is the InvalidSpec error of a Webhook field that differs from its account's.
func (v *View) conflict(field string, mine, theirs any) error {
	return providers.Invalid("", field, "%q differs from spec.%s %q of %s: leave it out to use the account's, or set the same value",
		fmt.Sprint(mine), field, fmt.Sprint(theirs), v)
}

func (v *View) resolveEightByEight(out *Resolved) error {
	a := v.Settings.EightByEight
	w := out.Spec.EightByEight
	if a == nil || w == nil {
		return nil // the CRD requires both blocks for this provider; Validate names what is missing
	}
	if w.AccountID != "" {
		mine, ok1 := providers.CanonicalGUID(w.AccountID)
		theirs, ok2 := providers.CanonicalGUID(a.AccountID)
		if !ok1 || !ok2 || mine != theirs {
			return v.conflict("eightByEight.accountId", w.AccountID, a.AccountID)
		}
	}
	w.AccountID = a.AccountID
	if err := v.sameRegion("eightByEight.region", string(w.Region), string(a.Region), defaultEightByEightRegion); err != nil {
		return err
	}
	if w.Region == "" {
		w.Region = a.Region
	}
	if a.OAuth != nil {
		if w.OAuth != nil && !reflect.DeepEqual(w.OAuth, a.OAuth) {
			return v.conflict("eightByEight.oauth", "(this Webhook's oauth)", "(the account's oauth)")
		}
		if w.AuthorizationSecretRef != nil {
			return providers.Invalid("", "eightByEight.authorizationSecretRef",
				"cannot be set on a Webhook whose account %s sets spec.eightByEight.oauth: 8x8 takes at most one of them", v)
		}
		w.OAuth = a.OAuth.DeepCopy()
		out.AccountSecrets[OAuthSecretPath] = true
	}
	return nil
}

func (v *View) resolveAutodesk(spec *hooksv1alpha1.WebhookSpec) error {
	a, w := v.Settings.Autodesk, spec.Autodesk
	if a == nil || w == nil {
		return nil
	}
	if err := v.sameRegion("autodesk.region", string(w.Region), string(a.Region), defaultAutodeskRegion); err != nil {
		return err
	}
	if w.Region == "" {
		w.Region = a.Region
	}
	return nil
}

func (v *View) resolvePageSeeder(spec *hooksv1alpha1.WebhookSpec) error {
	a, w := v.Settings.PageSeeder, spec.PageSeeder
	if a == nil || w == nil {
		return nil
	}
	if w.ServerURL != "" {
		mine, ok1 := providers.CanonicalURL(w.ServerURL)
		theirs, ok2 := providers.CanonicalURL(a.ServerURL)
		if !ok1 || !ok2 || mine != theirs {
			return v.conflict("pageSeeder.serverUrl", w.ServerURL, a.ServerURL)
		}
	}
	w.ServerURL = a.ServerURL
	if w.ServicePath != "" && cleanServicePath(w.ServicePath) != cleanServicePath(a.ServicePath) {
		return v.conflict("pageSeeder.servicePath", w.ServicePath, orDefault(a.ServicePath, defaultServicePath))
	}
	w.ServicePath = a.ServicePath
	if w.Client != 0 && w.Client != a.Client {
		return v.conflict("pageSeeder.client", w.Client, a.Client)
	}
	w.Client = a.Client
	return nil
}

// sameRegion checks a Webhook's region against its account's, an empty value being the default.
func (v *View) sameRegion(field, mine, theirs, def string) error {
	if mine == "" || orDefault(mine, def) == orDefault(theirs, def) {
		return nil
	}
	return v.conflict(field, mine, orDefault(theirs, def))
}

func cleanServicePath(p string) string {
	return path.Clean("/" + orDefault(p, defaultServicePath))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
