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

package providers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/egress"
)

// Descriptor is everything the rest of the program needs to know about one provider: main (its
// flags, rate and constructor), the import command, the metrics, the local environment, the
// demo and the benchmark read it from the explicit list in providers/catalog, never from a name
// spelled out of the provider's package.
type Descriptor struct {
	// Type is the value of spec.provider (the API enum).
	Type hooksv1alpha1.ProviderType
	// Name is the provider's one lower-case name: the prefix of its flags (--<name>-api-url), its
	// key in --provider-qps, the provider label of every metric, and import --provider's value.
	Name string
	// DisplayName is the SaaS's name for people.
	DisplayName string
	// ShortName is the SaaS's name in short messages, such as 8x8 or APS.
	ShortName string
	// HiddenSecretNote says why the import command cannot carry a webhook's secret over, where
	// the SaaS never shows it nor whether there is one; "" for the general note.
	HiddenSecretNote string
	// SpecField is the JSON name of the provider's block in the spec, such as eightByEight.
	SpecField string
	// DefaultQPS is the default client-side rate per credential (the --provider-qps default).
	DefaultQPS float64
	// CredentialKeys are the key sets that the credentials Secret may hold, one set per way to
	// authenticate; every key of one set is needed.
	CredentialKeys [][]string
	// SecretRefPaths are the paths below spec of the provider block's Secret references, as
	// WebhookSpec.SecretRefs reports them.
	SecretRefPaths []string
	// APIURL is the operator flag --<name>-api-url; nil when the provider's endpoints come from
	// each Webhook's spec (TenantEndpoints).
	APIURL *URLFlag
	// TenantEndpoints is true when a Webhook's spec names the provider's endpoints: the operator
	// then checks every connection against --endpoint-allowlist.
	TenantEndpoints bool
	// EndpointField is the path below spec of the field that names those endpoints, such as
	// "pageSeeder.serverUrl"; "" without TenantEndpoints.
	EndpointField string
	// New builds the provider from the operator's settings, using s.HTTPClient for every
	// request (token requests included) when it is not nil. Callers go through Build, which
	// gives that client what every provider's requests carry (the User-Agent), so a provider
	// does not do it itself. It returns an Implementation: a provider without import support
	// does not compile.
	New func(s Settings) Implementation
	// ImportFlags are the provider's own flags of `hookkeeper import`, which say which part of an
	// account to list (such as --account-id); providers may share a flag name.
	ImportFlags []ImportFlag
	// ImportScope checks the values of ImportFlags (by name; "" for a flag not given) and returns
	// what the listing's spec needs: it sets the provider block's scope fields. Its errors name the
	// flag and what it allows. nil when the provider has no such flag.
	ImportScope func(values map[string]string, allowInsecure bool) (func(*hooksv1alpha1.WebhookSpec), error)
	// Sample is a valid spec for a Webhook of this provider, credentialsRef aside: the
	// documentation's and the tests' example.
	Sample func() hooksv1alpha1.WebhookSpec
}

// URLFlag describes a provider's base URL flag.
type URLFlag struct {
	// Default is the flag's default; "" when the provider picks its host itself (8x8's regions).
	Default string
	// Usage is the flag's help text.
	Usage string
}

// ImportFlag is a flag of `hookkeeper import` that narrows the listing to a part of an account.
type ImportFlag struct {
	// Name is the flag's name, without dashes.
	Name string
	// Usage is its help for this provider.
	Usage string
	// Int is true for a flag that takes a whole number, parsed as flag.Int64 parses it (0x10 is
	// 16); ImportScope then gets the number in decimal, or "" when the flag is not given.
	// Providers that share a flag name agree on it.
	Int bool
	// Account is true for a flag that gives an account-level field, one that an Account or a
	// ClusterAccount holds for its Webhooks (8x8's account id and region, APS's region,
	// PageSeeder's server, service path and client): import --account and --cluster-account
	// refuse it and take the value from the account. Providers that share a flag name agree on it.
	Account bool
}

// CheckURLFlag checks the value of a flag that takes a base URL, such as --webex-api-url: an
// absolute http(s) URL, and https unless allowInsecure. The error names the flag.
func CheckURLFlag(flagName, raw string, allowInsecure bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%s must be an absolute http(s) URL, got %q", flagName, raw)
	}
	if u.Scheme == "http" && !allowInsecure {
		return fmt.Errorf("%s is http://: pass --allow-insecure-endpoints to allow it", flagName)
	}
	return nil
}

// Build builds the provider from s as the operator and the import command do: s.HTTPClient
// (when not nil and s.UserAgent is not empty) is replaced by a copy whose every request carries
// s.UserAgent, then New is called. Every caller that hands a provider its settings goes through
// it, so that no provider has to wrap its client itself.
func (d *Descriptor) Build(s Settings) Implementation {
	s.HTTPClient = withUserAgent(s.HTTPClient, s.UserAgent)
	return d.New(s)
}

// withUserAgent returns a copy of hc whose every request carries ua; hc itself when hc is nil
// (the provider then makes its own client, whose requests carry DefaultUserAgent) or ua is "".
func withUserAgent(hc *http.Client, ua string) *http.Client {
	if hc == nil || ua == "" {
		return hc
	}
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &userAgentTransport{base: base, ua: ua}
	return &c
}

// userAgentTransport sets the User-Agent of every request it sends.
type userAgentTransport struct {
	base http.RoundTripper
	ua   string
}

func (t *userAgentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not change the request it is given: set the header on a copy.
	out := req.Clone(req.Context())
	out.Header.Set("User-Agent", t.ua)
	return t.base.RoundTrip(out)
}

// FlagName is the name of d's base URL flag, without dashes.
func (d *Descriptor) FlagName() string {
	return d.Name + "-api-url"
}

// Settings are what the operator hands each provider's constructor (through Descriptor.Build).
type Settings struct {
	// BaseURL is the value of the provider's --<name>-api-url.
	BaseURL string
	// HTTPClient is the provider's own client: timeout, rate and metrics included.
	HTTPClient *http.Client
	// AllowInsecure allows http:// endpoints (--allow-insecure-endpoints).
	AllowInsecure bool
	// Egress is the --endpoint-allowlist policy for endpoints that a spec names.
	Egress *egress.Policy
	// UserAgent is the User-Agent of every request, token requests included, such as
	// "hookkeeper/v0.4.0 (hookkeeper-7d9f-x2)" (UserAgent): the version, and with --sharding
	// the replica's identity, so that the SaaS's logs tell which replica sent each request. Empty:
	// "hookkeeper".
	UserAgent string
}

// DefaultUserAgent is the User-Agent of the requests of a provider whose Settings have none.
const DefaultUserAgent = "hookkeeper"

// UserAgent returns the User-Agent the operator sends: "hookkeeper/<version>", followed by
// " (<identity>)" when identity is not empty, such as "hookkeeper/v0.4.0 (hookkeeper-7d9f-x2)".
// The identity names the replica, so that the SaaS's own logs tell which replica sent a request.
// Characters a header token or comment cannot hold are replaced by "_"; an empty version is
// "unknown".
func UserAgent(version, identity string) string {
	version = strings.Map(func(r rune) rune {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, r) {
			return '_'
		}
		return r
	}, version)
	if version == "" {
		version = "unknown"
	}
	ua := DefaultUserAgent + "/" + version
	identity = strings.Map(func(r rune) rune {
		if r < ' ' || r >= 0x7f || r == '(' || r == ')' || r == '\\' {
			return '_'
		}
		return r
	}, strings.TrimSpace(identity))
	if identity != "" {
		ua += " (" + identity + ")"
	}
	return ua
}
