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

package webex

import (
	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// Descriptor describes Webex to the rest of the program (see providers/catalog).
var Descriptor = providers.Descriptor{
	Type:           hooksv1alpha1.ProviderWebex,
	Name:           ProviderName,
	DisplayName:    "Cisco Webex",
	ShortName:      "Webex",
	SpecField:      "webex",
	DefaultQPS:     10,
	CredentialKeys: [][]string{{CredentialToken}},
	SecretRefPaths: []string{"webex.secretRef"},
	APIURL:         &providers.URLFlag{Default: DefaultBaseURL, Usage: "Base URL of the Webex API."},
	ImportFlags:    importFlags,
	ImportScope:    importScope,
	New: func(s providers.Settings) providers.Implementation {
		return New(Options{BaseURL: s.BaseURL, HTTPClient: s.HTTPClient})
	},
	Sample: func() hooksv1alpha1.WebhookSpec {
		return hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, TargetURL: "https://hooks.example.com/webex",
			Webex: &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}}
	},
}
