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

package operator

import (
	"net/http"
	"os"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/metrics"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// registry builds the provider set from the explicit list of descriptors: no init() side effects.
func (o *operator) registry() providers.Registry {
	return o.registryOf(catalog.All())
}

// registryOf builds the providers of descs, each through its Descriptor.Build (which gives its
// requests the User-Agent) with its own HTTP client (httpClientOf) and its --<name>-api-url. Each
// provider labels its requests with the operation they serve, for the metrics. The tests build
// the tests' catalog (the example provider included) with it.
func (o *operator) registryOf(descs []providers.Descriptor) providers.Registry {
	c := o.cfg
	registry := providers.Registry{}
	for _, d := range descs {
		settings := providers.Settings{HTTPClient: o.httpClientOf(d), AllowInsecure: c.AllowInsecure, Egress: c.Egress,
			UserAgent: o.userAgent()}
		if u := c.APIURLs[d.Name]; u != nil {
			settings.BaseURL = *u
		}
		registry[d.Type] = metrics.Provider(d.Build(settings))
	}
	return registry
}

// userAgent is the User-Agent of the requests to the SaaS: hookkeeper/<version>, and with
// --sharding the replica's identity, so that the SaaS's logs tell which replica sent each request.
func (o *operator) userAgent() string {
	if !o.cfg.Sharding {
		return providers.UserAgent(o.build.Version, "")
	}
	id := o.cfg.ShardIdentity
	if id == "" {
		id, _ = os.Hostname() // shardRunner refuses to start without it
	}
	return providers.UserAgent(o.build.Version, id)
}

// providerNames maps each provider's type to its name, the provider label of every metric.
func providerNames() map[hooksv1alpha1.ProviderType]string {
	names := map[hooksv1alpha1.ProviderType]string{}
	for _, d := range catalog.All() {
		names[d.Type] = d.Name
	}
	return names
}

// httpClient returns the client of the catalog's provider with this name (httpClientOf).
func (o *operator) httpClient(provider string) *http.Client {
	d, _ := catalog.ByName(provider)
	d.Name = provider
	return o.httpClientOf(d)
}

// httpClientOf returns the client of one provider: its own connection pool, limited to the
// provider's --provider-qps per credential. A provider whose endpoints come from the Webhook's
// spec (PageSeeder's serverUrl) gets a transport that checks every connection against
// --endpoint-allowlist when it is dialed.
func (o *operator) httpClientOf(d providers.Descriptor) *http.Client {
	provider := d.Name
	var base http.RoundTripper
	if d.TenantEndpoints {
		base = o.cfg.Egress.Transport()
	} else if t, ok := http.DefaultTransport.(*http.Transport); ok {
		base = t.Clone()
	}
	// Requests the client-side rate refuses never leave the process, so they are not counted.
	limit := o.cfg.ProviderQPS.Limit(provider)
	limit.Share = o.rateShare
	if o.gates != nil {
		// A request that waited its turn while a 429 closed its credential's gate (in this
		// replica, or in another and then here through the account's status) is not sent.
		limit.Gate = o.gates
	}
	return &http.Client{Timeout: o.cfg.HTTPTimeout,
		Transport: ratelimit.Transport(metrics.Transport(base, provider), provider, limit)}
}
