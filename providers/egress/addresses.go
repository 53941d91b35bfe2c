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

package egress

import "net/netip"

// specialRanges are the addresses the empty policy refuses, each with the category a refusal
// names. The first match wins, so the broadcast address is named before the reserved range
// that holds it.
var specialRanges = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast address"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved address"},
	{netip.MustParsePrefix("::/128"), "unspecified address"},
	{netip.MustParsePrefix("::1/128"), "loopback address"},
	{netip.MustParsePrefix("fc00::/7"), "private address"},
	{netip.MustParsePrefix("fec0::/10"), "private address"},
	{netip.MustParsePrefix("fe80::/10"), "link-local address"},
	{netip.MustParsePrefix("ff00::/8"), "multicast address"},
	// The local-use NAT64 prefix translates to addresses of the local network.
	{netip.MustParsePrefix("64:ff9b:1::/48"), "private address"},
}

// Prefixes whose addresses carry an IPv4 address that a translator or tunnel reaches: the
// well-known NAT64 prefix in the last 32 bits, 6to4 in bits 16 to 47.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// specialAddress returns the category of an address that the empty policy refuses, or "".
// IPv4-mapped, NAT64 and 6to4 addresses are judged by the IPv4 address they carry.
func specialAddress(addr netip.Addr) string {
	addr = normalize(addr)
	if !addr.IsValid() {
		return "invalid address"
	}
	for _, r := range specialRanges {
		if r.prefix.Contains(addr) {
			return r.reason
		}
	}
	if v4, ok := embeddedIPv4(addr); ok {
		return specialAddress(v4)
	}
	return ""
}

// normalize unmaps an IPv4-mapped address and drops a zone, which netip.Prefix.Contains would
// otherwise never match: fe80::1%eth0 is link-local all the same.
func normalize(addr netip.Addr) netip.Addr {
	return addr.Unmap().WithZone("")
}

func embeddedIPv4(addr netip.Addr) (netip.Addr, bool) {
	if !addr.Is6() {
		return netip.Addr{}, false
	}
	b := addr.As16()
	switch {
	case nat64.Contains(addr):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(addr):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}
