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

package v1alpha1

import (
	"fmt"
	"path"
	"reflect"
)

// This file says, per provider block, which fields of a Webhook belong to its account and how a
// Webhook on an account is completed from it. It lives beside the blocks it reads, so that the
// account logic outside the API names no provider.

// ValueKind says how two spellings of an account-level value compare.
type ValueKind int

const (
	// ValueExact values compare as written (after their defaults are applied).
	ValueExact ValueKind = iota
	// ValueGUID values are GUIDs, in either case, with or without dashes.
	ValueGUID
	// ValueURL values are http(s) URLs, in any spelling of the same server and path.
	ValueURL
)

// SameValue reports whether two spellings of a value of the kind name the same thing.
// +kubebuilder:object:generate=false
type SameValue func(kind ValueKind, mine, theirs string) bool

// AccountFieldConflict is a Webhook field that its account rules out: a different value of an
// account-level field, or (Why set) a field the account's settings exclude.
// +kubebuilder:object:generate=false
type AccountFieldConflict struct {
	// Field is the spec path, such as "eightByEight.accountId".
	Field string
	// Mine and Theirs are the Webhook's and the account's values.
	Mine, Theirs string
	// Why, when set, says why the field cannot be set at all on the account.
	Why string
}

// The account-level defaults, as the providers apply them to an empty value.
const (
	defaultEightByEightRegion = "APAC"
	defaultAutodeskRegion     = "US"
	defaultServicePath        = "/ps/service"
)

// AccountSecretPaths are the secretRef paths that an account may hold for its Webhooks: read
// from the account's credentials namespace when the account sets them.
const oauthSecretPath = "eightByEight.oauth.clientSecretRef"

// WebhookSpec is the spec of the account itself: its provider block with the account-level
// fields only. It reaches what the account's credentials see (its list), never one webhook.
func (a *AccountSettings) WebhookSpec() *WebhookSpec {
	spec := &WebhookSpec{Provider: a.Provider}
	switch a.Provider {
	case ProviderWebex:
		spec.Webex = &WebexSpec{OwnedBy: WebexOwnedByCreator}
	case ProviderEightByEight:
		spec.EightByEight = &EightByEightSpec{}
	case ProviderAutodesk:
		spec.Autodesk = &AutodeskSpec{}
	case ProviderPageSeeder:
		spec.PageSeeder = &PageSeederSpec{}
	}
	_, _ = a.Complete(spec, func(ValueKind, string, string) bool { return true })
	return spec
}

// Complete fills the account-level fields of spec's provider block from the account, in place. A
// field the Webhook sets must name the same value as the account's (same compares spellings);
// the first that does not is returned as a conflict, and spec is then only partly completed. It
// returns the secretRef paths whose Secret is the account's.
func (a *AccountSettings) Complete(spec *WebhookSpec, same SameValue) (accountSecrets []string, conflict *AccountFieldConflict) {
	switch {
	case spec.EightByEight != nil && a.EightByEight != nil:
		return completeEightByEight(spec.EightByEight, a.EightByEight, same)
	case spec.Autodesk != nil && a.Autodesk != nil:
		w, acct := spec.Autodesk, a.Autodesk
		if c := sameDefaulted("autodesk.region", string(w.Region), string(acct.Region), defaultAutodeskRegion); c != nil {
			return nil, c
		}
		if w.Region == "" {
			w.Region = acct.Region
		}
	case spec.PageSeeder != nil && a.PageSeeder != nil:
		return nil, completePageSeeder(spec.PageSeeder, a.PageSeeder, same)
	}
	return nil, nil
}

func completeEightByEight(w *EightByEightSpec, a *EightByEightAccount, same SameValue) ([]string, *AccountFieldConflict) {
	if w.AccountID != "" && !same(ValueGUID, w.AccountID, a.AccountID) {
		return nil, &AccountFieldConflict{Field: "eightByEight.accountId", Mine: w.AccountID, Theirs: a.AccountID}
	}
	w.AccountID = a.AccountID
	if c := sameDefaulted("eightByEight.region", string(w.Region), string(a.Region), defaultEightByEightRegion); c != nil {
		return nil, c
	}
	if w.Region == "" {
		w.Region = a.Region
	}
	if a.OAuth == nil {
		return nil, nil
	}
	if w.OAuth != nil && !reflect.DeepEqual(w.OAuth, a.OAuth) {
		return nil, &AccountFieldConflict{Field: "eightByEight.oauth", Mine: "(this Webhook's oauth)", Theirs: "(the account's oauth)"}
	}
	if w.AuthorizationSecretRef != nil {
		return nil, &AccountFieldConflict{Field: "eightByEight.authorizationSecretRef",
			Why: "its account sets spec.eightByEight.oauth, and 8x8 takes at most one of them"}
	}
	w.OAuth = a.OAuth.DeepCopy()
	return []string{oauthSecretPath}, nil
}

func completePageSeeder(w *PageSeederSpec, a *PageSeederAccount, same SameValue) *AccountFieldConflict {
	if w.ServerURL != "" && !same(ValueURL, w.ServerURL, a.ServerURL) {
		return &AccountFieldConflict{Field: "pageSeeder.serverUrl", Mine: w.ServerURL, Theirs: a.ServerURL}
	}
	w.ServerURL = a.ServerURL
	if w.ServicePath != "" && cleanPath(w.ServicePath) != cleanPath(a.ServicePath) {
		return &AccountFieldConflict{Field: "pageSeeder.servicePath", Mine: w.ServicePath, Theirs: orDefault(a.ServicePath, defaultServicePath)}
	}
	w.ServicePath = a.ServicePath
	if w.Client != 0 && w.Client != a.Client {
		return &AccountFieldConflict{Field: "pageSeeder.client", Mine: fmt.Sprint(w.Client), Theirs: fmt.Sprint(a.Client)}
	}
	w.Client = a.Client
	return nil
}

// sameDefaulted compares a Webhook's value with its account's, an empty value being the default.
func sameDefaulted(field, mine, theirs, def string) *AccountFieldConflict {
	if mine == "" || orDefault(mine, def) == orDefault(theirs, def) {
		return nil
	}
	return &AccountFieldConflict{Field: field, Mine: mine, Theirs: orDefault(theirs, def)}
}

func cleanPath(p string) string {
	return path.Clean("/" + orDefault(p, defaultServicePath))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// SecretNames are the names of the Secrets, besides its credentials Secret, that the account's
// settings read in the account's credentials namespace.
func (a *AccountSettings) SecretNames() []string {
	if a.EightByEight != nil && a.EightByEight.OAuth != nil {
		return []string{a.EightByEight.OAuth.ClientSecretRef.Name}
	}
	return nil
}
