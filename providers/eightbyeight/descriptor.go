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
	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// Descriptor describes 8x8 Chat Apps to the rest of the program (see providers/catalog).
var Descriptor = providers.Descriptor{
	Type:           hooksv1alpha1.ProviderEightByEight,
	Name:           ProviderName,
	DisplayName:    "8x8 Chat Apps",
	ShortName:      "8x8",
	SpecField:      "eightByEight",
	DefaultQPS:     20,
	CredentialKeys: [][]string{{CredentialAPIKey}},
	SecretRefPaths: []string{"eightByEight.authorizationSecretRef", "eightByEight.oauth.clientSecretRef"},
	APIURL:         &providers.URLFlag{Usage: "Base URL of the 8x8 API for every region; empty means each region's own host."},
	ImportFlags:    importFlags,
	ImportScope:    importScope,
	New: func(s providers.Settings) providers.Implementation {
		return New(Options{BaseURL: s.BaseURL, HTTPClient: s.HTTPClient})
	},
	Sample: func() hooksv1alpha1.WebhookSpec {
		return hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderEightByEight, TargetURL: "https://hooks.example.com/8x8",
			EightByEight: &hooksv1alpha1.EightByEightSpec{AccountID: "0123456789abcdef0123456789abcdef",
				SubAccountID: "my-subaccount", Type: "MSG", Region: "APAC"}}
	},
}
