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
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// SpecOf writes remote, one of the webhooks List returned for req, back as the spec of a Webhook
// that would adopt it without any change: Diff of that spec against remote is ActionNone, or only
// asks for the ping of a webhook that is still pending. The server, service path, OAuth client and
// credentials reference come from req, since PageSeeder lists webhooks per client; the remote
// name is kept as pageSeeder.name, since the default name would differ from it.
//
// Fields at their default are left out. enabled is left to its default even for a webhook that
// PageSeeder reports inactive: PageSeeder cannot pause a webhook, so false would delete it. The
// signing secret belongs to the OAuth client, not to the webhook, so secrets is always empty. ok
// is false when remote is not a PageSeeder webhook.
func (p *Provider) SpecOf(req *providers.Request, remote *providers.Remote) (spec hooksv1alpha1.WebhookSpec, secrets []string, ok bool) {
	var w *Webhook
	if remote != nil {
		w, _ = remote.Object.(*Webhook)
	}
	if w == nil {
		return hooksv1alpha1.WebhookSpec{}, nil, false
	}
	block := &hooksv1alpha1.PageSeederSpec{
		Client: w.ClientID,
		Name:   w.Name,
		// Sorted and without duplicates, as Diff compares them: a stable output.
		Events:   setOf(w.Events),
		Projects: setOf(w.Projects),
		Groups:   setOf(w.Groups),
	}
	spec = hooksv1alpha1.WebhookSpec{
		Provider:   hooksv1alpha1.ProviderPageSeeder,
		TargetURL:  w.URL,
		PageSeeder: block,
	}
	if req != nil && req.Spec != nil {
		spec.CredentialsRef = req.Spec.CredentialsRef
		if scope := req.Spec.PageSeeder; scope != nil {
			block.ServerURL, block.ServicePath = scope.ServerURL, scope.ServicePath
			// The list is the scope client's, whatever an item says of its owner.
			block.Client = scope.Client
		}
	}
	if w.Server {
		block.Server = new(true)
	}
	if w.InsecureSSL {
		block.InsecureSSL = new(true)
	}
	if w.Format != "" && w.Format != defaultFormat {
		block.Format = w.Format
	}
	if w.Object != "" && w.Object != defaultObject {
		block.Object = w.Object
	}
	return spec, nil, true
}

// NameHint is what the import command names a Webhook of spec after: the remote name, if any.
func (p *Provider) NameHint(spec *hooksv1alpha1.WebhookSpec) string {
	if spec.PageSeeder != nil {
		return strings.TrimSpace(spec.PageSeeder.Name)
	}
	return ""
}

// servicePathPattern is the CRD's pattern of spec.pageSeeder.servicePath.
var servicePathPattern = regexp.MustCompile(`^/[A-Za-z0-9._~/-]*$`)

// importScope reads --server-url, --client and --service-path into the listing's spec.
func importScope(values map[string]string, allowInsecure bool) (func(*hooksv1alpha1.WebhookSpec), error) {
	server, servicePath := values["server-url"], values["service-path"]
	if server == "" {
		return nil, errors.New("--server-url is required with --provider pageseeder, such as https://ps.example.org")
	}
	if err := providers.CheckURLFlag("--server-url", server, allowInsecure); err != nil {
		return nil, err
	}
	client, err := strconv.ParseInt(values["client"], 10, 64)
	if values["client"] == "" || err != nil || client < 1 {
		return nil, errors.New("--client is required with --provider pageseeder: the internal numeric id of the OAuth client, 1 or more")
	}
	if servicePath != "" && !servicePathPattern.MatchString(servicePath) {
		return nil, fmt.Errorf("--service-path %q must be an absolute path such as %s", servicePath, DefaultServicePath)
	}
	return func(spec *hooksv1alpha1.WebhookSpec) {
		spec.PageSeeder = &hooksv1alpha1.PageSeederSpec{ServerURL: server, ServicePath: servicePath, Client: client}
	}, nil
}
