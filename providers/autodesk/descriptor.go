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

package autodesk

import (
	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// Descriptor describes Autodesk Platform Services to the rest of the program (see
// providers/catalog).
var Descriptor = providers.Descriptor{
	Type:             hooksv1alpha1.ProviderAutodesk,
	Name:             ProviderName,
	DisplayName:      "Autodesk Platform Services",
	ShortName:        "APS",
	HiddenSecretNote: "APS never shows a hook's signing token, nor whether it has one",
	SpecField:        "autodesk",
	DefaultQPS:       10,
	CredentialKeys:   [][]string{{CredentialClientID, CredentialClientSecret}, {CredentialToken}},
	SecretRefPaths:   []string{"autodesk.secretRef"},
	APIURL: &providers.URLFlag{Default: DefaultBaseURL,
		Usage: "Base URL of Autodesk Platform Services, for /webhooks/v1 and /authentication/v2/token."},
	ImportFlags: importFlags,
	ImportScope: importScope,
	New: func(s providers.Settings) providers.Implementation {
		return New(Options{BaseURL: s.BaseURL, HTTPClient: s.HTTPClient})
	},
	Sample: func() hooksv1alpha1.WebhookSpec {
		return hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderAutodesk, TargetURL: "https://hooks.example.com/aps",
			Autodesk: &hooksv1alpha1.AutodeskSpec{System: "data", Event: "dm.version.added",
				Scope: map[string]string{"folder": "urn:adsk.wipprod:fs.folder:co.sample"}}}
	},
}
