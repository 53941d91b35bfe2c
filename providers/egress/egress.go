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

// Package egress is the policy for endpoints that a Webhook's spec supplies, such as
// spec.pageSeeder.serverUrl: the namespace editor who writes the spec must not be able to point
// the operator, and the credentials it sends, at the cluster's own network (the API server,
// cloud metadata at 169.254.169.254, internal services).
//
// The operator's --endpoint-allowlist is parsed into a Policy. An empty policy allows any host
// name but only public addresses: loopback, link-local, private, shared (CGNAT), unspecified,
// multicast, broadcast and reserved addresses are refused, in their IPv4-mapped IPv6 forms too.
// A non-empty policy allows an endpoint only when its host name matches one of the host patterns
// (then whatever address the name resolves to: the administrator trusts that name, as for a
// self-hosted server on a private network) or the address it connects to is inside one of the
// CIDRs; nothing else, public addresses included.
//
// CheckURL decides what it can before any request; the addresses are checked again on every
// connection, after resolution, by the dialer of Transport, so that a name that resolves to a
// public address when checked and to a private one when used (DNS rebinding) gains nothing.
package egress

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// Flag is the operator flag that holds the policy; refusals name it so that the reader knows
// what an administrator can change.
const Flag = "--endpoint-allowlist"

// Policy is a parsed --endpoint-allowlist. The zero value, like a nil *Policy, is the empty
// policy. A Policy is immutable and safe for concurrent use.
type Policy struct {
	hosts    []hostPattern
	prefixes []netip.Prefix
	// entries are the canonical entries in the order given, for String.
	entries []string
	// resolver resolves names at dial time; nil is the net package's default.
	resolver *net.Resolver
}

// hostPattern is an exact host name, or with wildcard any name below domain (one or more
// labels), never domain itself.
type hostPattern struct {
	domain   string
	wildcard bool
}

func (h hostPattern) String() string {
	if h.wildcard {
		return "*." + h.domain
	}
	return h.domain
}

func (h hostPattern) matches(host string) bool {
	if !h.wildcard {
		return host == h.domain
	}
	return len(host) > len(h.domain)+1 && strings.HasSuffix(host, "."+h.domain)
}

// Parse reads a comma-separated list of host names (ps.example.com), wildcard patterns
// (*.corp.example: any name below corp.example, at any depth, not corp.example itself), CIDRs
// (10.20.0.0/16, fd00::/8) and single addresses (taken as /32 or /128). Whitespace around an
// entry is ignored, host names are compared without case and without a trailing dot, and the
// empty string is the empty policy. An entry that is none of these, such as "*", "a*b.com", a
// port, a scheme, a path or an empty entry between commas, is an error that names it.
func Parse(s string) (*Policy, error) {
	p := &Policy{}
	if strings.TrimSpace(s) == "" {
		return p, nil
	}
	for i, raw := range strings.Split(s, ",") {
		entry := strings.TrimSpace(raw)
		if err := p.add(entry); err != nil {
			if entry == "" {
				return nil, fmt.Errorf("entry %d is empty: want a host name, *.domain pattern or CIDR between commas", i+1)
			}
			return nil, fmt.Errorf("entry %q: %w", entry, err)
		}
	}
	return p, nil
}

// errEntry says what an entry may be.
var errEntry = errors.New("not a host name, *.domain pattern or CIDR (such as ps.example.com, *.corp.example, 10.20.0.0/16)")

func (p *Policy) add(entry string) error {
	if strings.Contains(entry, "/") {
		prefix, err := parsePrefix(entry)
		if err != nil {
			return err
		}
		p.addPrefix(prefix)
		return nil
	}
	// "10.0.0.1." is an address too: host names lose their trailing dot, and this one would
	// otherwise come back from String as an address.
	if addr, err := netip.ParseAddr(strings.TrimSuffix(entry, ".")); err == nil && addr.Zone() == "" {
		p.addPrefix(netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
		return nil
	}
	h, ok := parseHostPattern(entry)
	if !ok {
		return errEntry
	}
	if !slices.Contains(p.hosts, h) {
		p.hosts = append(p.hosts, h)
		p.entries = append(p.entries, h.String())
	}
	return nil
}

func (p *Policy) addPrefix(prefix netip.Prefix) {
	if !slices.Contains(p.prefixes, prefix) {
		p.prefixes = append(p.prefixes, prefix)
		p.entries = append(p.entries, prefix.String())
	}
}

// parsePrefix reads a CIDR. A prefix with host bits set is refused rather than masked, since
// "10.0.0.1/8" more likely means 10.0.0.1 than the whole of 10/8; an IPv4-mapped prefix is
// refused since addresses are compared unmapped.
func parsePrefix(entry string) (netip.Prefix, error) {
	prefix, err := netip.ParsePrefix(entry)
	switch {
	case err != nil:
		return netip.Prefix{}, errEntry
	case prefix.Addr().Is4In6():
		return netip.Prefix{}, fmt.Errorf("%w: write an IPv4 range in IPv4", errEntry)
	case prefix.Masked() != prefix:
		return netip.Prefix{}, fmt.Errorf("%w: host bits are set; did you mean %s?", errEntry, prefix.Masked())
	}
	return prefix, nil
}

// parseHostPattern reads a host name or *.domain. Only ASCII letters, digits and hyphens are
// allowed (an internationalised name is written in its xn-- form), in labels of 1 to 63
// characters that neither start nor end with a hyphen.
func parseHostPattern(entry string) (hostPattern, bool) {
	name, wildcard := strings.CutPrefix(entry, "*.")
	name = canonicalHost(name)
	if !validHostName(name) {
		return hostPattern{}, false
	}
	return hostPattern{domain: name, wildcard: wildcard}, true
}

// canonicalHost lowers the case and drops one trailing dot: "PS.Example.com." is ps.example.com.
func canonicalHost(host string) string {
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

func validHostName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// String returns the canonical list, which Parse reads back to the same policy: entries in the
// order given, without duplicates, host names in lower case, single addresses as /32 or /128.
func (p *Policy) String() string {
	if p == nil {
		return ""
	}
	return strings.Join(p.entries, ",")
}

// Empty reports whether the policy has no entry: public addresses only.
func (p *Policy) Empty() bool {
	return p == nil || len(p.entries) == 0
}

// matchesHost reports whether host (canonical) matches a host pattern.
func (p *Policy) matchesHost(host string) bool {
	if p == nil {
		return false
	}
	return slices.ContainsFunc(p.hosts, func(h hostPattern) bool { return h.matches(host) })
}

// refusal returns why connecting to addr is refused, or "" when it is allowed, for a host name
// that matched no pattern.
func (p *Policy) refusal(addr netip.Addr) string {
	addr = normalize(addr)
	if p.Empty() || !addr.IsValid() {
		return specialAddress(addr)
	}
	if slices.ContainsFunc(p.prefixes, func(prefix netip.Prefix) bool { return prefix.Contains(addr) }) {
		return ""
	}
	return "not in " + Flag
}
