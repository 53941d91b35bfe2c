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

package egress_test

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
)

const (
	unspecified   = "unspecified address"
	loopback      = "loopback address"
	private       = "private address"
	shared        = "shared address"
	linkLocal     = "link-local address"
	multicast     = "multicast address"
	broadcast     = "broadcast address"
	reserved      = "reserved address"
	documentation = "documentation address"
	benchmarking  = "benchmarking address"
	specialUse    = "special-purpose address"
	embedding     = "IPv4-embedding address"
)

// registryCases are addresses of every entry of IANA's IPv4 and IPv6 Special-Purpose Address
// Registries, of the ranges refused beside them and of the IPv6 forms that carry an IPv4
// address, with the reason the empty policy refuses them; and public neighbours of the blocks,
// which it allows ("").
var registryCases = []struct{ addr, reason string }{
	// IPv4 registry.
	{"0.0.0.0", unspecified},       // 0.0.0.0/32
	{"0.255.255.255", unspecified}, // 0.0.0.0/8
	{"10.0.0.0", private},
	{"10.255.255.255", private},
	{"100.64.0.0", shared},
	{"100.127.255.255", shared},
	{"127.0.0.1", loopback},
	{"127.255.255.255", loopback},
	{"169.254.169.254", linkLocal},
	{"172.16.0.1", private},
	{"172.31.255.255", private},
	{"192.0.0.0", specialUse},   // 192.0.0.0/24
	{"192.0.0.255", specialUse}, // 192.0.0.0/24
	{"192.0.0.7", specialUse},   // 192.0.0.0/29
	{"192.0.0.8", specialUse},
	{"192.0.0.9", specialUse},  // globally reachable, refused
	{"192.0.0.10", specialUse}, // globally reachable, refused
	{"192.0.0.170", specialUse},
	{"192.0.0.171", specialUse},
	{"192.0.2.1", documentation},
	{"192.31.196.1", specialUse}, // globally reachable, refused
	{"192.52.193.1", specialUse}, // globally reachable, refused
	{"192.88.99.1", specialUse},
	{"192.88.99.2", specialUse},
	{"192.168.1.1", private},
	{"192.175.48.1", specialUse}, // globally reachable, refused
	{"198.18.0.0", benchmarking},
	{"198.19.255.255", benchmarking},
	{"198.51.100.1", documentation},
	{"203.0.113.1", documentation},
	{"240.0.0.1", reserved},
	{"255.255.255.254", reserved},
	{"255.255.255.255", broadcast},
	{"224.0.0.1", multicast},
	{"239.255.255.255", multicast},
	// Public neighbours.
	{"8.8.8.8", ""},
	{"1.0.0.0", ""},
	{"100.63.255.255", ""},
	{"100.128.0.0", ""},
	{"172.15.255.255", ""},
	{"172.32.0.0", ""},
	{"191.255.255.255", ""},
	{"192.0.1.0", ""},
	{"192.0.3.0", ""},
	{"192.31.195.255", ""},
	{"192.31.197.0", ""},
	{"192.52.192.255", ""},
	{"192.88.98.255", ""},
	{"192.88.100.0", ""},
	{"192.167.255.255", ""},
	{"192.169.0.0", ""},
	{"192.175.47.255", ""},
	{"192.175.49.0", ""},
	{"198.17.255.255", ""},
	{"198.20.0.0", ""},
	{"198.51.99.255", ""},
	{"198.51.101.0", ""},
	{"203.0.112.255", ""},
	{"203.0.114.0", ""},
	{"223.255.255.255", ""},

	// IPv6 registry.
	{"::", unspecified},
	{"::1", loopback},
	{"::ffff:127.0.0.1", loopback}, // ::ffff:0:0/96, judged by its IPv4 address
	{"::ffff:192.0.2.1", documentation},
	{"::ffff:198.18.0.1", benchmarking},
	{"::ffff:192.0.0.9", specialUse},
	{"::ffff:8.8.8.8", ""},
	{"64:ff9b::7f00:1", loopback}, // 64:ff9b::/96, judged by its IPv4 address
	{"64:ff9b::a9fe:a9fe", linkLocal},
	{"64:ff9b::a00:1", private},
	{"64:ff9b::c000:201", documentation},
	{"64:ff9b::c612:1", benchmarking},
	{"64:ff9b::c000:9", specialUse},
	{"64:ff9b::808:808", ""},
	{"64:ff9b:1::1", private},
	{"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", private},
	{"100::1", specialUse},
	{"100::ffff:ffff:ffff:ffff", specialUse},
	{"100:0:0:1::1", specialUse},
	{"2001::1", embedding}, // Teredo
	{"2001:0:4136:e378:8000:63bf:3fff:fdd2", embedding},
	{"2001:1::1", specialUse}, // globally reachable, refused
	{"2001:1::2", specialUse}, // globally reachable, refused
	{"2001:1::3", specialUse}, // globally reachable, refused
	{"2001:2::1", benchmarking},
	{"2001:2:0:ffff::1", benchmarking},
	{"2001:3::1", specialUse},     // globally reachable, refused
	{"2001:4:112::1", specialUse}, // globally reachable, refused
	{"2001:10::1", specialUse},
	{"2001:20::1", specialUse}, // globally reachable, refused
	{"2001:30::1", specialUse}, // globally reachable, refused
	{"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", specialUse},
	{"2001:db8::1", documentation},
	{"2001:db8:ffff::1", documentation},
	{"2002::1", embedding},
	{"2002:7f00:1::1", embedding},
	{"2002:808:808::1", embedding},
	{"2620:4f:8000::1", specialUse}, // globally reachable, refused
	{"3fff::1", documentation},
	{"3fff:fff:ffff::1", documentation},
	{"5f00::1", specialUse},
	{"fc00::1", private},
	{"fdff:ffff::1", private},
	{"fe80::1", linkLocal},
	{"fe80::1%eth0", linkLocal},
	{"febf::1", linkLocal},
	{"fec0::1", private},
	{"ff02::1", multicast},
	// Outside the registries: deprecated forms that carry an IPv4 address, and what is not
	// global unicast space.
	{"::7f00:1", embedding},        // IPv4-compatible ::/96
	{"::808:808", embedding},       // IPv4-compatible, of a public address
	{"::ffff:0:7f00:1", embedding}, // IPv4-translated ::ffff:0:0:0/96
	{"::ffff:0:808:808", embedding},
	{"::1:0:0:0", reserved},
	{"64:ff9b::1:0:0:1", reserved}, // beside the NAT64 /96
	{"100:0:0:2::1", reserved},
	{"1fff:ffff::1", reserved},
	{"4000::1", reserved},
	{"fbff::1", reserved},
	// Public neighbours.
	{"2001:4860:4860::8888", ""},
	{"2606:4700:4700::1111", ""},
	{"2000::1", ""},
	{"2001:200::1", ""},
	{"2001:db7:ffff::1", ""},
	{"2001:db9::1", ""},
	{"2003::1", ""},
	{"2620:4f:7fff::1", ""},
	{"2620:4f:8001::1", ""},
	{"3ffe:ffff::1", ""},
	{"3fff:1000::1", ""},
}

// TestRegistry judges every address of registryCases under the empty policy, in a URL (the check
// before any request) and at the dialer's check of the address it connects to.
func TestRegistry(t *testing.T) {
	var empty egress.Policy
	for _, c := range registryCases {
		t.Run(c.addr, func(t *testing.T) {
			addr := netip.MustParseAddr(c.addr)
			host := c.addr
			if addr.Is6() {
				host = "[" + strings.Replace(c.addr, "%", "%25", 1) + "]"
			}
			_ = assertRefused(t, empty.CheckURL("https://"+host+":8443/"), c.reason)
			_ = assertRefused(t, empty.CheckConnect("ps.example.com", netip.AddrPortFrom(addr, 443).String()), c.reason)
		})
	}
}

// TestRegistryDial dials the refused IPv4 addresses of registryCases, by address and by a name
// that resolves to them: the dialer refuses each before connecting, or the dial would time out.
// IPv6 is left to TestRegistry, since a machine without IPv6 fails at the socket, before the
// check.
func TestRegistryDial(t *testing.T) {
	answers := map[string][]netip.Addr{}
	for _, c := range registryCases {
		if addr := netip.MustParseAddr(c.addr).Unmap(); c.reason != "" && addr.Is4() {
			answers[strings.ReplaceAll(addr.String(), ".", "-")+".example"] = []netip.Addr{addr}
		}
	}
	resolver := testutil.NewResolver(answers).Resolver
	var empty *egress.Policy
	for _, c := range registryCases {
		addr := netip.MustParseAddr(c.addr)
		if c.reason == "" || !addr.Unmap().Is4() {
			continue
		}
		name := strings.ReplaceAll(addr.Unmap().String(), ".", "-") + ".example"
		for _, host := range []string{c.addr, name} {
			t.Run(host, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				conn, err := empty.WithResolver(resolver).DialContext(ctx, "tcp", net.JoinHostPort(host, "443"))
				if conn != nil {
					_ = conn.Close()
				}
				_ = assertRefused(t, err, c.reason)
			})
		}
	}
}

// TestAllowlistOverridesRegistry: a CIDR of the allowlist allows what the empty policy refuses,
// on its port only.
func TestAllowlistOverridesRegistry(t *testing.T) {
	p, err := egress.Parse("198.18.0.0/15:443,[2001:db8::/32]:443")
	if err != nil {
		t.Fatal(err)
	}
	for url, reason := range map[string]string{
		"https://198.18.0.1/":          "",
		"https://198.18.0.1:8443/":     notListed,
		"https://[2001:db8::1]/":       "",
		"https://[2001:db8::1]:8443/":  notListed,
		"https://[::ffff:198.18.0.1]/": "",
		"https://8.8.8.8/":             notListed,
	} {
		_ = assertRefused(t, p.CheckURL(url), reason)
	}
}
