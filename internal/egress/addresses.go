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

// The categories a refusal of the empty policy names. They are few on purpose: the tenant reads
// them in the Webhook's status and needs to know what kind of address is refused, not which
// registry entry.
const (
	reasonUnspecified   = "unspecified address"
	reasonLoopback      = "loopback address"
	reasonPrivate       = "private address"
	reasonShared        = "shared address"
	reasonLinkLocal     = "link-local address"
	reasonMulticast     = "multicast address"
	reasonBroadcast     = "broadcast address"
	reasonReserved      = "reserved address"
	reasonDocumentation = "documentation address"
	reasonBenchmarking  = "benchmarking address"
	reasonSpecial       = "special-purpose address"
	reasonEmbedded      = "IPv4-embedding address"
)

type specialRange struct {
	prefix netip.Prefix
	reason string
}

func special(cidr, reason string) specialRange {
	return specialRange{netip.MustParsePrefix(cidr), reason}
}

// specialRanges are the addresses the empty policy refuses: every entry of IANA's IPv4 and IPv6
// Special-Purpose Address Registries (RFC 6890, RFC 8190), and the multicast and deprecated
// ranges that those registries leave to other documents. The first match wins, so a more
// specific entry is listed before the block that holds it and names its own category.
//
// Deviation from the registries: the entries they mark globally reachable are refused too,
// except the NAT64 prefix (see specialAddress). Each is an anycast service address (PCP, TURN,
// DNS-SD, AMT, AS112), whose nearest instance may well be run inside the cluster's own network,
// or an identifier that no IP route reaches (ORCHIDv2, DETs); none is where an HTTPS server that
// a tenant names lives, and an administrator who needs one can list it in the allowlist.
var specialRanges = []specialRange{
	// IPv4.
	special("0.0.0.0/32", reasonUnspecified),        // RFC 1122 §3.2.1.3: "this host on this network"
	special("0.0.0.0/8", reasonUnspecified),         // RFC 791 §3.2: "this network"
	special("10.0.0.0/8", reasonPrivate),            // RFC 1918
	special("100.64.0.0/10", reasonShared),          // RFC 6598: carrier-grade NAT
	special("127.0.0.0/8", reasonLoopback),          // RFC 1122 §3.2.1.3
	special("169.254.0.0/16", reasonLinkLocal),      // RFC 3927; cloud metadata lives here
	special("172.16.0.0/12", reasonPrivate),         // RFC 1918
	special("192.0.0.0/29", reasonSpecial),          // RFC 7335: IPv4 service continuity prefix
	special("192.0.0.8/32", reasonSpecial),          // RFC 7600: IPv4 dummy address
	special("192.0.0.9/32", reasonSpecial),          // RFC 7723: PCP anycast; reachable, refused (see above)
	special("192.0.0.10/32", reasonSpecial),         // RFC 8155: TURN anycast; reachable, refused (see above)
	special("192.0.0.170/32", reasonSpecial),        // RFC 8880, RFC 7050: NAT64/DNS64 discovery
	special("192.0.0.171/32", reasonSpecial),        // RFC 8880, RFC 7050: NAT64/DNS64 discovery
	special("192.0.0.0/24", reasonSpecial),          // RFC 6890: IETF protocol assignments
	special("192.0.2.0/24", reasonDocumentation),    // RFC 5737: TEST-NET-1
	special("192.31.196.0/24", reasonSpecial),       // RFC 7535: AS112-v4; reachable, refused (see above)
	special("192.52.193.0/24", reasonSpecial),       // RFC 7450: AMT; reachable, refused (see above)
	special("192.88.99.0/24", reasonSpecial),        // RFC 7526: deprecated 6to4 relay anycast, with RFC 6751's 6a44 relay at .2
	special("192.168.0.0/16", reasonPrivate),        // RFC 1918
	special("192.175.48.0/24", reasonSpecial),       // RFC 7534: AS112 direct delegation; reachable, refused (see above)
	special("198.18.0.0/15", reasonBenchmarking),    // RFC 2544
	special("198.51.100.0/24", reasonDocumentation), // RFC 5737: TEST-NET-2
	special("203.0.113.0/24", reasonDocumentation),  // RFC 5737: TEST-NET-3
	special("224.0.0.0/4", reasonMulticast),         // RFC 5771; not in the registry, never a server
	special("255.255.255.255/32", reasonBroadcast),  // RFC 8190, RFC 919 §7: limited broadcast
	special("240.0.0.0/4", reasonReserved),          // RFC 1112 §4

	// IPv6. IPv4-mapped addresses (::ffff:0:0/96, RFC 4291) never get here: normalize unmaps
	// them, and the IPv4 address is judged by the entries above.
	special("::/128", reasonUnspecified),       // RFC 4291
	special("::1/128", reasonLoopback),         // RFC 4291
	special("::/96", reasonEmbedded),           // RFC 4291 §2.5.5.1: IPv4-compatible, deprecated; not in the registry
	special("::ffff:0:0:0/96", reasonEmbedded), // RFC 2765: IPv4-translated (SIIT); not in the registry
	// 64:ff9b::/96 (RFC 6052), the well-known NAT64 prefix, is globally reachable: judged by
	// the IPv4 address it carries, in specialAddress.
	special("64:ff9b:1::/48", reasonPrivate),      // RFC 8215: local-use NAT64, reaches the local network
	special("100::/64", reasonSpecial),            // RFC 6666: discard-only
	special("100:0:0:1::/64", reasonSpecial),      // RFC 9780: dummy prefix
	special("2001::/32", reasonEmbedded),          // RFC 4380, RFC 8190: Teredo, whose client address is obfuscated IPv4
	special("2001:1::1/128", reasonSpecial),       // RFC 7723: PCP anycast; reachable, refused (see above)
	special("2001:1::2/128", reasonSpecial),       // RFC 8155: TURN anycast; reachable, refused (see above)
	special("2001:1::3/128", reasonSpecial),       // RFC 9665: DNS-SD SRP anycast; reachable, refused (see above)
	special("2001:2::/48", reasonBenchmarking),    // RFC 5180, RFC Errata 1752
	special("2001:3::/32", reasonSpecial),         // RFC 7450: AMT; reachable, refused (see above)
	special("2001:4:112::/48", reasonSpecial),     // RFC 7535: AS112-v6; reachable, refused (see above)
	special("2001:10::/28", reasonSpecial),        // RFC 4843: ORCHID, deprecated
	special("2001:20::/28", reasonSpecial),        // RFC 7343: ORCHIDv2; reachable, refused (see above)
	special("2001:30::/28", reasonSpecial),        // RFC 9374: drone remote ID entity tags; reachable, refused (see above)
	special("2001::/23", reasonSpecial),           // RFC 2928: IETF protocol assignments
	special("2001:db8::/32", reasonDocumentation), // RFC 3849
	// 6to4 carries an IPv4 address in bits 16 to 47, which a relay anywhere on the path would
	// reach; the relays' anycast is deprecated (RFC 7526), so no endpoint needs it.
	special("2002::/16", reasonEmbedded),        // RFC 3056
	special("2620:4f:8000::/48", reasonSpecial), // RFC 7534: AS112 direct delegation; reachable, refused (see above)
	special("3fff::/20", reasonDocumentation),   // RFC 9637
	special("5f00::/16", reasonSpecial),         // RFC 9602: segment routing (SRv6) SIDs
	special("fc00::/7", reasonPrivate),          // RFC 4193, RFC 8190: unique local
	special("fe80::/10", reasonLinkLocal),       // RFC 4291
	special("fec0::/10", reasonPrivate),         // RFC 3879: site-local, deprecated; not in the registry
	special("ff00::/8", reasonMulticast),        // RFC 4291; not in the registry, never a server
}

// nat64 is the well-known NAT64 prefix: a translator reaches the IPv4 address in the last 32
// bits, which is what an IPv6-only cluster dials for an IPv4-only host through DNS64.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// globalUnicast is the only IPv6 space that IANA allocates for global unicast (RFC 4291 §2.4,
// IANA's IPv6 address space registry). Outside it, an address that reaches anything at all
// reaches it through a route of the local network, which is what the empty policy keeps out.
var globalUnicast = netip.MustParsePrefix("2000::/3")

// specialAddress returns the category of an address that the empty policy refuses, or "".
// IPv4-mapped and NAT64 addresses are judged by the IPv4 address they carry; the other forms
// that carry one are refused outright, since judging them means decoding each format (Teredo
// obfuscates its client's address) and no endpoint needs them. IPv6 outside global unicast
// space is refused as reserved.
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
	switch {
	case nat64.Contains(addr):
		b := addr.As16()
		return specialAddress(netip.AddrFrom4([4]byte(b[12:16])))
	case addr.Is6() && !globalUnicast.Contains(addr):
		return reasonReserved
	}
	return ""
}

// normalize unmaps an IPv4-mapped address and drops a zone, which netip.Prefix.Contains would
// otherwise never match: fe80::1%eth0 is link-local all the same.
func normalize(addr netip.Addr) netip.Addr {
	return addr.Unmap().WithZone("")
}
