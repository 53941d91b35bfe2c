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

package eightbyeight

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// The keys SpecOf gives the secret references it cannot fill in.
const (
	// ImportAuthorizationKey is the key of the Secret that should hold the delivery Authorization value.
	ImportAuthorizationKey = "authorization"
	// ImportOAuthClientSecretKey is the key of the Secret that should hold the OAuth client secret.
	ImportOAuthClientSecretKey = "oauthClientSecret"
)

// SpecOf writes remote, one of the webhooks List returned for req, back as the spec of a Webhook
// that would adopt it without any change: Diff of that spec against remote is ActionNone. The
// account comes from the remote's id, the region and the credentials reference from req (8x8
// does not say which region answered).
//
// 8x8 reads the delivery secrets back as "***", so they are never copied. A webhook that has one
// still gets its reference (authorizationSecretRef, or oauth.clientSecretRef) with a Key but no
// Name, for the caller to name the Secret the user must create: without the reference the
// operator would upsert the webhook without its secret and stop authenticating deliveries.
// secrets lists the paths of those references. ok is false when remote is not an 8x8 webhook.
func (p *Provider) SpecOf(req *providers.Request, remote *providers.Remote) (spec hooksv1alpha1.WebhookSpec, secrets []string, ok bool) {
	ref, refOK := remoteRef(remote)
	var w *Webhook
	if refOK {
		w, _ = remote.Object.(*Webhook)
	}
	if w == nil {
		return hooksv1alpha1.WebhookSpec{}, nil, false
	}
	block := &hooksv1alpha1.EightByEightSpec{
		AccountID:    ref.AccountID,
		SubAccountID: ref.SubAccountID,
		Type:         hooksv1alpha1.EightByEightType(ref.Type),
	}
	spec = hooksv1alpha1.WebhookSpec{
		Provider:     hooksv1alpha1.ProviderEightByEight,
		TargetURL:    w.URL,
		EightByEight: block,
	}
	if req != nil && req.Spec != nil {
		spec.CredentialsRef = req.Spec.CredentialsRef
		if req.Spec.EightByEight != nil {
			block.Region = req.Spec.EightByEight.Region
		}
	}
	if !w.IsEnabled() {
		spec.Enabled = new(false)
	}
	if w.HTTPAuthorization != "" {
		block.AuthorizationSecretRef = &hooksv1alpha1.SecretKeySelector{Key: ImportAuthorizationKey}
		secrets = append(secrets, AuthorizationSecretPath)
	}
	if o := w.OAuth; o.configured() {
		block.OAuth = &hooksv1alpha1.EightByEightOAuth{
			TokenURL:        o.URL,
			ClientID:        o.ClientID,
			ClientSecretRef: hooksv1alpha1.SecretKeySelector{Key: ImportOAuthClientSecretKey},
			Scope:           o.Scope,
		}
		// header is the default on both sides; only body needs saying so.
		if credentialsLocation(o.CredentialsLocation) != credentialsLocationHeader {
			block.OAuth.CredentialsLocation = o.CredentialsLocation
		}
		secrets = append(secrets, OAuthClientSecretPath)
	}
	return spec, secrets, true
}

// NameHint is what the import command names a Webhook of spec after: its type and sub-account
// ("all" for every sub-account), since 8x8 webhooks have no name.
func (p *Provider) NameHint(spec *hooksv1alpha1.WebhookSpec) string {
	if spec.EightByEight == nil {
		return ""
	}
	sub := spec.EightByEight.SubAccountID
	if sub == "*" {
		sub = "all"
	}
	return string(spec.EightByEight.Type) + "-" + sub
}

// importFlags are 8x8's flags of `hookkeeper import`.
var importFlags = []providers.ImportFlag{
	{Name: "account-id", Usage: "the 8x8 account, a GUID with or without dashes. Required with eightbyeight.", Account: true},
	{Name: "region", Usage: "APAC (the default), US, EU or ID.", Account: true},
}

// importScope reads --account-id and --region into the listing's spec.
func importScope(values map[string]string, _ bool) (func(*hooksv1alpha1.WebhookSpec), error) {
	account := values["account-id"]
	if account == "" {
		return nil, errors.New("--account-id is required with --provider eightbyeight: the 8x8 account GUID")
	}
	if len(account) < 32 || len(account) > 36 || !accountIDPattern.MatchString(account) {
		return nil, fmt.Errorf("--account-id %q is not a GUID of 32 to 36 characters, with or without dashes", account)
	}
	region := strings.ToUpper(values["region"])
	regions := []string{string(RegionAPAC), string(RegionUS), string(RegionEU), string(RegionID)}
	if region != "" && !slices.Contains(regions, region) {
		return nil, fmt.Errorf("--region %q is not one of %s", region, strings.Join(regions, ", "))
	}
	return func(spec *hooksv1alpha1.WebhookSpec) {
		spec.EightByEight = &hooksv1alpha1.EightByEightSpec{AccountID: account, Region: hooksv1alpha1.EightByEightRegion(region)}
	}, nil
}
