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

package pageseeder

import (
	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// Descriptor describes PageSeeder to the rest of the program (see providers/catalog). Its server
// comes from each Webhook's spec, so it has no URL flag and every connection is egress-checked.
var Descriptor = providers.Descriptor{
	Type:            hooksv1alpha1.ProviderPageSeeder,
	Name:            ProviderName,
	DisplayName:     "PageSeeder",
	ShortName:       "PageSeeder",
	SpecField:       "pageSeeder",
	DefaultQPS:      10,
	CredentialKeys:  [][]string{{CredentialClientID, CredentialClientSecret}, {CredentialToken}},
	TenantEndpoints: true,
	EndpointField:   "pageSeeder.serverUrl",
	ImportFlags: []providers.ImportFlag{
		{Name: "server-url", Usage: "the PageSeeder server, such as https://ps.example.org. Required with pageseeder.", Account: true},
		{Name: "client", Usage: "the internal numeric id of the OAuth client whose webhooks are listed. Required with pageseeder.", Int: true, Account: true},
		{Name: "service-path", Usage: "the service API path on the server; " + DefaultServicePath + " when empty.", Account: true},
	},
	ImportScope: importScope,
	New: func(s providers.Settings) providers.Implementation {
		return New(Options{HTTPClient: s.HTTPClient, AllowInsecure: s.AllowInsecure, Egress: s.Egress})
	},
	Sample: func() hooksv1alpha1.WebhookSpec {
		return hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderPageSeeder, TargetURL: "https://hooks.example.com/pageseeder",
			PageSeeder: &hooksv1alpha1.PageSeederSpec{ServerURL: "https://ps.example.org", Client: 42}}
	},
}
