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
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// maxNameLength is the limit the CRD puts on spec.pageSeeder.name. It is checked again here
// because the default name, "<namespace>/<name>", can exceed it although the CRD accepted the spec.
const maxNameLength = 256

// The defaults of the CRD, applied again for specs that did not pass through the API server.
const (
	defaultFormat = "json"
	defaultObject = "minimal"
)

// Validate checks what the CRD schema cannot, or what a spec that bypassed it may lack: the
// https rule and the egress policy (as far as it can be decided without a lookup) for
// serverUrl, the client id, the enums, the length of the defaulted name, and
// list items that would break the comma-separated parameters.
func (p *Provider) Validate(req *providers.Request) error {
	spec, err := pageSeederSpec(req)
	if err != nil {
		return err
	}
	if _, _, err := p.endpoints(spec); err != nil {
		return err
	}
	if spec.Client < 1 {
		return providers.Invalid(ProviderName, "pageSeeder.client", "must be the internal numeric id of the OAuth client, 1 or more")
	}
	if req.Spec.TargetURL == "" {
		return providers.Invalid(ProviderName, "targetUrl", "is required")
	}
	if spec.Name != "" && strings.TrimSpace(spec.Name) == "" {
		return providers.Invalid(ProviderName, "pageSeeder.name", "is blank: leave it out for the default name, or give a visible name")
	}
	if n := utf8.RuneCountInString(desiredName(req)); n > maxNameLength {
		if spec.Name == "" {
			return providers.Invalid(ProviderName, "pageSeeder.name",
				"the default name %q has %d characters, more than %d: set a shorter name", req.Owner, n, maxNameLength)
		}
		return providers.Invalid(ProviderName, "pageSeeder.name", "has %d characters, more than %d", n, maxNameLength)
	}
	if f := spec.Format; f != "" && f != "json" && f != "xml" {
		return providers.Invalid(ProviderName, "pageSeeder.format", "must be json or xml, not %q", f)
	}
	if o := spec.Object; o != "" && o != "minimal" && o != "basic" {
		return providers.Invalid(ProviderName, "pageSeeder.object", "must be minimal or basic, not %q", o)
	}
	for field, items := range map[string][]string{
		"pageSeeder.events": spec.Events, "pageSeeder.projects": spec.Projects, "pageSeeder.groups": spec.Groups,
	} {
		for _, it := range items {
			if strings.TrimSpace(it) == "" || strings.Contains(it, ",") {
				return providers.Invalid(ProviderName, field, "item %q is empty or holds a comma", it)
			}
		}
	}
	return nil
}

// endpoints returns the server root, where the token endpoint is, and the service root. It
// refuses an http serverUrl unless the operator allows insecure endpoints, so that credentials
// never travel in clear by accident, and a serverUrl that the egress policy refuses.
func (p *Provider) endpoints(spec *hooksv1alpha1.PageSeederSpec) (server, root string, err error) {
	u, perr := url.Parse(strings.TrimSpace(spec.ServerURL))
	switch {
	case perr != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return "", "", providers.Invalid(ProviderName, "pageSeeder.serverUrl",
			"%q is not an absolute https URL such as https://ps.example.org", spec.ServerURL)
	case u.Scheme == "http" && !p.allowInsecure:
		return "", "", providers.Invalid(ProviderName, "pageSeeder.serverUrl",
			"%q uses http: use https, or run the operator with --allow-insecure-endpoints", spec.ServerURL)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", "", providers.Invalid(ProviderName, "pageSeeder.serverUrl",
			"must be the server's address only, without user, query or fragment")
	}
	servicePath := spec.ServicePath
	if servicePath == "" {
		servicePath = DefaultServicePath
	}
	if !strings.HasPrefix(servicePath, "/") || badSegments(servicePath) {
		return "", "", providers.Invalid(ProviderName, "pageSeeder.servicePath", "must be an absolute path such as /ps/service, without empty, . or .. segments")
	}
	server = strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/")
	if err := p.checkEndpoint("validate", server); err != nil {
		return "", "", err
	}
	return server, server + strings.TrimRight(servicePath, "/"), nil
}

// checkEndpoint checks a URL built on serverUrl against the egress policy, before any request.
func (p *Provider) checkEndpoint(op, target string) error {
	err := p.egress.CheckURL(target)
	if err == nil {
		return nil
	}
	if refused := refusedEndpoint(op, err); refused != nil {
		return refused
	}
	return providers.Invalid(ProviderName, "pageSeeder.serverUrl", "%s", err.Error())
}

// params are the create and edit parameters, sent form-encoded. UNCONFIRMED: PageSeeder
// documents neither service's parameters. These are the attribute names of its <webhook>
// element, which the create and edit services most plausibly take; the lists go comma-separated
// as the element stores them. Every parameter is always sent, empty lists and false booleans
// included, so that an edit also clears what the spec no longer sets (whether an empty value
// clears is UNCONFIRMED too).
func params(req *providers.Request) url.Values {
	spec := specOrEmpty(req)
	return url.Values{
		"url":         {req.Spec.TargetURL},
		"name":        {desiredName(req)},
		"events":      {strings.Join(spec.Events, ",")},
		"projects":    {strings.Join(spec.Projects, ",")},
		"groups":      {strings.Join(spec.Groups, ",")},
		"server":      {strconv.FormatBool(isTrue(spec.Server))},
		"format":      {formatOf(spec)},
		"object":      {objectOf(spec)},
		"insecuressl": {strconv.FormatBool(isTrue(spec.InsecureSSL))},
	}
}

// Diff compares every field the parameters carry; all of them are editable in place with PATCH
// (UNCONFIRMED, like the parameters), so a difference is always an Update, never a Replace.
// Lists are compared as sets. A webhook still pending while spec ping is on also asks for an
// Update, under "pageSeeder.ping", so that the next sync pings it again. Status is otherwise
// left to the controller, as the interface asks.
func (p *Provider) Diff(req *providers.Request, remote *providers.Remote) providers.Diff {
	var w *Webhook
	if remote != nil {
		w, _ = remote.Object.(*Webhook)
	}
	if w == nil {
		// Without the wire object nothing can be compared; an update is harmless and returns it.
		return providers.Diff{Action: providers.ActionUpdate, Fields: []string{"targetUrl", "pageSeeder.name"}}
	}
	fields := fieldDiff(req, w)
	if pingEnabled(specOrEmpty(req)) && strings.EqualFold(w.Status, StatusPending) {
		fields = append(fields, "pageSeeder.ping")
	}
	if len(fields) == 0 {
		return providers.Diff{Action: providers.ActionNone}
	}
	return providers.Diff{Action: providers.ActionUpdate, Fields: fields}
}

// fieldDiff returns the spec paths whose value differs from the webhook's.
func fieldDiff(req *providers.Request, w *Webhook) []string {
	spec := specOrEmpty(req)
	var fields []string
	mark := func(differs bool, field string) {
		if differs {
			fields = append(fields, field)
		}
	}
	mark(w.URL != targetURL(req), "targetUrl")
	mark(w.Name != desiredName(req), "pageSeeder.name")
	mark(!sameSet(w.Events, spec.Events), "pageSeeder.events")
	mark(!sameSet(w.Projects, spec.Projects), "pageSeeder.projects")
	mark(!sameSet(w.Groups, spec.Groups), "pageSeeder.groups")
	mark(w.Server != isTrue(spec.Server), "pageSeeder.server")
	mark(orDefault(w.Format, defaultFormat) != formatOf(spec), "pageSeeder.format")
	mark(orDefault(w.Object, defaultObject) != objectOf(spec), "pageSeeder.object")
	mark(w.InsecureSSL != isTrue(spec.InsecureSSL), "pageSeeder.insecureSSL")
	return fields
}

// sameSet compares two lists as sets of trimmed, non-empty items.
func sameSet(a, b []string) bool {
	return slices.Equal(setOf(a), setOf(b))
}

func setOf(items []string) []string {
	var out []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// missing returns the wanted items that got lost.
func missing(wanted, got []string) []string {
	have := setOf(got)
	var lost []string
	for _, w := range setOf(wanted) {
		if _, found := slices.BinarySearch(have, w); !found {
			lost = append(lost, w)
		}
	}
	return lost
}

// desiredName is the remote name: the spec's, or the Webhook's own "<namespace>/<name>", which
// doubles as the marker Matches looks for.
func desiredName(req *providers.Request) string {
	if req.Spec != nil && req.Spec.PageSeeder != nil && req.Spec.PageSeeder.Name != "" {
		return req.Spec.PageSeeder.Name
	}
	return req.Owner
}

func targetURL(req *providers.Request) string {
	if req.Spec == nil {
		return ""
	}
	return req.Spec.TargetURL
}

// pingEnabled reads spec ping, which defaults to true.
func pingEnabled(spec *hooksv1alpha1.PageSeederSpec) bool {
	return spec.Ping == nil || *spec.Ping
}

func formatOf(spec *hooksv1alpha1.PageSeederSpec) string {
	return orDefault(spec.Format, defaultFormat)
}

func objectOf(spec *hooksv1alpha1.PageSeederSpec) string {
	return orDefault(spec.Object, defaultObject)
}

func isTrue(b *bool) bool { return b != nil && *b }

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func pageSeederSpec(req *providers.Request) (*hooksv1alpha1.PageSeederSpec, error) {
	if req == nil || req.Spec == nil || req.Spec.PageSeeder == nil {
		return nil, providers.Invalid(ProviderName, "pageSeeder", "is required when provider is PageSeeder")
	}
	return req.Spec.PageSeeder, nil
}

// specOrEmpty serves Diff, which cannot fail: Validate has already rejected a missing block.
func specOrEmpty(req *providers.Request) *hooksv1alpha1.PageSeederSpec {
	if spec, err := pageSeederSpec(req); err == nil {
		return spec
	}
	return &hooksv1alpha1.PageSeederSpec{}
}

// badSegments reports a path with an empty, "." or ".." segment (a trailing slash aside).
func badSegments(path string) bool {
	segs := strings.Split(strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/"), "/")
	return slices.ContainsFunc(segs, func(s string) bool { return s == "" || s == "." || s == ".." })
}
