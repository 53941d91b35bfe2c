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
// name but only public addresses: every address that IANA's special-purpose address registries
// do not mark globally reachable (loopback, link-local, private, shared, unspecified, broadcast,
// reserved, documentation, benchmarking and the IETF's protocol assignments), multicast, and the
// IPv6 forms that carry an IPv4 address (IPv4-compatible, IPv4-translated, 6to4, Teredo) are
// refused; an IPv4-mapped or NAT64 address is judged by the IPv4 address it carries. A
// non-empty policy allows an endpoint only when its host name matches one of the host patterns
// (then whatever address the name resolves to: the administrator trusts that name, as for a
// self-hosted server on a private network) or the address it connects to is inside one of the
// CIDRs; nothing else, public addresses included. An entry may name a port, and then allows
// that port only.
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
	"strconv"
	"strings"
)

// Flag is the operator flag that holds the policy; refusals name it so that the reader knows
// what an administrator can change.
const Flag = "--endpoint-allowlist"

// Policy is a parsed --endpoint-allowlist. The zero value, like a nil *Policy, is the empty
// policy. A Policy is immutable and safe for concurrent use.
type Policy struct {
	hosts    []hostPattern
	prefixes []prefixEntry
	// entries are the canonical entries in the order given, for String.
	entries []string
	// ports is set when an entry names a port: refusals then name the port, which decided them.
	ports bool
	// resolver resolves names at dial time; nil is the net package's default.
	resolver *net.Resolver
}

// hostPattern is an exact host name, or with wildcard any name below domain (one or more
// labels), never domain itself; on port only, or on any port when port is 0.
type hostPattern struct {
	domain   string
	wildcard bool
	port     uint16
}

func (h hostPattern) String() string {
	name := h.domain
	if h.wildcard {
		name = "*." + name
	}
	return withPort(name, false, h.port)
}

func (h hostPattern) matches(host string, port uint16) bool {
	if !portMatches(h.port, port) {
		return false
	}
	if !h.wildcard {
		return host == h.domain
	}
	return len(host) > len(h.domain)+1 && strings.HasSuffix(host, "."+h.domain)
}

// prefixEntry is a CIDR, on port only or on any port when port is 0.
type prefixEntry struct {
	prefix netip.Prefix
	port   uint16
}

func (e prefixEntry) String() string {
	return withPort(e.prefix.String(), e.prefix.Addr().Is6(), e.port)
}

func (e prefixEntry) allows(addr netip.Addr, port uint16) bool {
	return portMatches(e.port, port) && e.prefix.Contains(addr)
}

// portMatches reports whether an entry's port allows port. A port that is not known (0, as for
// a URL of an unknown scheme without one) matches only entries without a port.
func portMatches(entry, port uint16) bool {
	return entry == 0 || entry == port
}

// withPort writes target with its port, if any, in the form Parse reads back: IPv6 in brackets,
// since its colons would otherwise swallow the port.
func withPort(target string, ipv6 bool, port uint16) string {
	switch {
	case port == 0:
		return target
	case ipv6:
		return "[" + target + "]:" + strconv.Itoa(int(port))
	}
	return target + ":" + strconv.Itoa(int(port))
}

// syntax is what an entry may be, for the errors of Parse.
const syntax = "a host name, *.domain pattern, address or CIDR, optionally followed by :port " +
	"(such as ps.example.com, *.corp.example:443, 10.20.0.0/16, 10.20.0.0/16:8443, [fd00::/8]:443)"

// errEntry says what an entry may be.
var errEntry = errors.New("not " + syntax)

// Parse reads a comma-separated list of host names (ps.example.com), wildcard patterns
// (*.corp.example: any name below corp.example, at any depth, not corp.example itself), CIDRs
// (10.20.0.0/16, fd00::/8) and single addresses (taken as /32 or /128), each optionally followed
// by a port from 1 to 65535 (ps.example.com:8443, *.corp.example:443, 10.20.0.0/16:443; an IPv6
// address or CIDR takes brackets then, [fd00::/8]:443). An entry with a port allows that port
// only; one without, every port. Whitespace around an entry is ignored, host names are compared
// without case and without a trailing dot, and the empty string is the empty policy. An entry
// that is none of these, such as "*", "a*b.com", a scheme, a path or an empty entry between
// commas, is an error that names it and the syntax.
func Parse(s string) (*Policy, error) {
	p := &Policy{}
	if strings.TrimSpace(s) == "" {
		return p, nil
	}
	for i, raw := range strings.Split(s, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			return nil, fmt.Errorf("entry %d is empty: want %s between commas", i+1, syntax)
		}
		if err := p.add(entry); err != nil {
			return nil, fmt.Errorf("entry %q: %w", entry, err)
		}
	}
	return p, nil
}

func (p *Policy) add(entry string) error {
	target, port, bracketed, err := splitPort(entry)
	if err != nil {
		return err
	}
	if strings.Contains(target, "/") {
		prefix, err := parsePrefix(target)
		if err != nil {
			return err
		}
		if bracketed && !prefix.Addr().Is6() {
			return fmt.Errorf("%w: brackets hold an IPv6 address or CIDR only", errEntry)
		}
		p.addPrefix(prefixEntry{prefix, port})
		return nil
	}
	// "10.0.0.1." is an address too: host names lose their trailing dot, and this one would
	// otherwise come back from String as an address.
	if addr, err := netip.ParseAddr(strings.TrimSuffix(target, ".")); err == nil && addr.Zone() == "" {
		if bracketed && !addr.Is6() {
			return fmt.Errorf("%w: brackets hold an IPv6 address or CIDR only", errEntry)
		}
		addr = addr.Unmap()
		p.addPrefix(prefixEntry{netip.PrefixFrom(addr, addr.BitLen()), port})
		return nil
	}
	h, ok := parseHostPattern(target)
	if !ok || bracketed {
		return errEntry
	}
	h.port = port
	if !slices.Contains(p.hosts, h) {
		p.hosts = append(p.hosts, h)
		p.entries = append(p.entries, h.String())
		p.ports = p.ports || port != 0
	}
	return nil
}

func (p *Policy) addPrefix(e prefixEntry) {
	if !slices.Contains(p.prefixes, e) {
		p.prefixes = append(p.prefixes, e)
		p.entries = append(p.entries, e.String())
		p.ports = p.ports || e.port != 0
	}
}

// splitPort separates an entry from its port (0 when it has none). An IPv6 address or CIDR
// with a port is written in brackets; without brackets, an entry with more than one colon is an
// IPv6 address or CIDR without a port, since "fd00::1:443" could be either.
func splitPort(entry string) (target string, port uint16, bracketed bool, err error) {
	if inner, ok := strings.CutPrefix(entry, "["); ok {
		target, rest, ok := strings.Cut(inner, "]")
		if !ok {
			return "", 0, false, fmt.Errorf("%w: a [ without ]", errEntry)
		}
		if rest == "" {
			return target, 0, true, nil
		}
		digits, ok := strings.CutPrefix(rest, ":")
		if !ok {
			return "", 0, false, fmt.Errorf("%w: only :port may follow ]", errEntry)
		}
		port, err := parsePort(digits)
		return target, port, true, err
	}
	if strings.Count(entry, ":") != 1 {
		return entry, 0, false, nil
	}
	target, digits, _ := strings.Cut(entry, ":")
	port, err = parsePort(digits)
	return target, port, false, err
}

// parsePort reads the port of an entry: decimal digits only, since a service name ("https")
// would depend on the machine's /etc/services, and never 0, which no connection uses. What is
// not digits at all is no port, as in "https://ps.example.com", and gets the general error.
func parsePort(digits string) (uint16, error) {
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, errEntry
	}
	n, err := strconv.ParseUint(digits, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%w: port %s is not a number from 1 to 65535", errEntry, digits)
	}
	return uint16(n), nil
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
// order given, without duplicates, host names in lower case, single addresses as /32 or /128,
// IPv6 with a port in brackets.
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

// matchesHost reports whether host (canonical) on port matches a host pattern.
func (p *Policy) matchesHost(host string, port uint16) bool {
	if p == nil {
		return false
	}
	return slices.ContainsFunc(p.hosts, func(h hostPattern) bool { return h.matches(host, port) })
}

// prefixAllowsPort reports whether a CIDR of the policy may allow some address on port: if none
// does, a name that matches no host pattern is refused whatever it resolves to.
func (p *Policy) prefixAllowsPort(port uint16) bool {
	return slices.ContainsFunc(p.prefixes, func(e prefixEntry) bool { return portMatches(e.port, port) })
}

// refusal returns why connecting to addr on port is refused, or "" when it is allowed, for a
// host name that matched no pattern.
func (p *Policy) refusal(addr netip.Addr, port uint16) string {
	addr = normalize(addr)
	if p.Empty() || !addr.IsValid() {
		return specialAddress(addr)
	}
	if slices.ContainsFunc(p.prefixes, func(e prefixEntry) bool { return e.allows(addr, port) }) {
		return ""
	}
	return "not in " + Flag
}
