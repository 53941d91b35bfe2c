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
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/internal/egress"
)

// parseCases are Parse's inputs, with the canonical policy or the error they give.
var parseCases = []struct {
	in, want, wantErr string
}{
	{in: "", want: ""},
	{in: "   ", want: ""},
	{in: "pageseeder.example.com", want: "pageseeder.example.com"},
	{in: " PS.Example.COM. , *.Corp.Example ", want: "ps.example.com,*.corp.example"},
	{in: "10.20.0.0/16,127.0.0.1/32", want: "10.20.0.0/16,127.0.0.1/32"},
	{in: "fd00::/8, ::1/128", want: "fd00::/8,::1/128"},
	{in: "127.0.0.1", want: "127.0.0.1/32"},
	{in: "::1", want: "::1/128"},
	{in: "::ffff:10.0.0.1", want: "10.0.0.1/32"},
	{in: "a.example,A.example.,a.example", want: "a.example"},
	{in: "0.0.0.0/0,::/0", want: "0.0.0.0/0,::/0"},
	{in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
	{in: "10.0.0.0/33", wantErr: `entry "10.0.0.0/33": not a host name, *.domain pattern, address or CIDR`},
	{in: "10.0.0.1/8", wantErr: `entry "10.0.0.1/8": not a host name, *.domain pattern, address or CIDR, optionally followed by :port (such as ps.example.com, *.corp.example:443, 10.20.0.0/16, 10.20.0.0/16:8443, [fd00::/8]:443): host bits are set; did you mean 10.0.0.0/8?`},
	{in: "::ffff:10.0.0.0/104", wantErr: "write an IPv4 range in IPv4"},
	{in: "*", wantErr: `entry "*": not a host name`},
	{in: "*.", wantErr: `entry "*.": not a host name`},
	{in: "*.*.example", wantErr: `entry "*.*.example"`},
	{in: "a*b.com", wantErr: `entry "a*b.com"`},
	{in: "*example.com", wantErr: `entry "*example.com"`},
	{in: "https://ps.example.com", wantErr: `entry "https://ps.example.com": not a host name, *.domain pattern, address or CIDR, optionally followed by :port (such as`},
	{in: "ps.example.com/ps", wantErr: `entry "ps.example.com/ps"`},
	{in: "a.example,,b.example", wantErr: "entry 2 is empty: want a host name, *.domain pattern, address or CIDR, optionally followed by :port"},
	{in: "a.example,", wantErr: "entry 2 is empty"},
	{in: ",a.example", wantErr: "entry 1 is empty"},
	{in: "-a.example", wantErr: `entry "-a.example"`},
	{in: "a..example", wantErr: `entry "a..example"`},
	{in: "bücher.example", wantErr: `entry "bücher.example"`},
	{in: "under_score.example", wantErr: `entry "under_score.example"`},
	{in: "fe80::1%eth0", wantErr: `entry "fe80::1%eth0"`},
	{in: strings.Repeat("a", 64) + ".example", wantErr: "not a host name"},

	// Ports.
	{in: "ps.example.com:8443", want: "ps.example.com:8443"},
	{in: " PS.Example.com.:08443 ", want: "ps.example.com:8443"},
	{in: "*.corp.example:443", want: "*.corp.example:443"},
	{in: "ps.example.com,ps.example.com:443,ps.example.com:443", want: "ps.example.com,ps.example.com:443"},
	{in: "10.0.0.0/8:443", want: "10.0.0.0/8:443"},
	{in: "10.0.0.1:443", want: "10.0.0.1/32:443"},
	{in: "10.0.0.1.:443", want: "10.0.0.1/32:443"},
	{in: "[fd00::/8]:443", want: "[fd00::/8]:443"},
	{in: "[::1]:65535", want: "[::1/128]:65535"},
	{in: "[fd00::/8]", want: "fd00::/8"},
	{in: "[::ffff:10.0.0.1]:443", want: "10.0.0.1/32:443"},
	{in: "fd00::1:443", want: "fd00::1:443/128"}, // without brackets, every colon is the address's
	{in: "ps.example.com:0", wantErr: `entry "ps.example.com:0": not a host name, *.domain pattern, address or CIDR, optionally followed by :port (such as ps.example.com, *.corp.example:443, 10.20.0.0/16, 10.20.0.0/16:8443, [fd00::/8]:443): port 0 is not a number from 1 to 65535`},
	{in: "ps.example.com:65536", wantErr: `entry "ps.example.com:65536": not a host name, *.domain pattern, address or CIDR, optionally followed by :port (such as ps.example.com, *.corp.example:443, 10.20.0.0/16, 10.20.0.0/16:8443, [fd00::/8]:443): port 65536 is not`},
	{in: "ps.example.com:https", wantErr: `entry "ps.example.com:https": not a host name`},
	{in: "ps.example.com:+443", wantErr: `entry "ps.example.com:+443": not a host name`},
	{in: "ps.example.com:", wantErr: `entry "ps.example.com:": not a host name`},
	{in: ":443", wantErr: `entry ":443": not a host name`},
	{in: "a*b.com:443", wantErr: `entry "a*b.com:443": not a host name`},
	{in: "10.0.0.1/8:443", wantErr: "host bits are set; did you mean 10.0.0.0/8?"},
	{in: "10.0.0.0/8:443:1", wantErr: `entry "10.0.0.0/8:443:1": not a host name`},
	{in: "[10.0.0.0/8]:443", wantErr: "brackets hold an IPv6 address or CIDR only"},
	{in: "[10.0.0.1]:443", wantErr: "brackets hold an IPv6 address or CIDR only"},
	{in: "[ps.example.com]:443", wantErr: `entry "[ps.example.com]:443": not a host name`},
	{in: "[fd00::/8", wantErr: "a [ without ]"},
	{in: "[fd00::/8]443", wantErr: "only :port may follow ]"},
	{in: "fd00::/8:443", wantErr: `entry "fd00::/8:443": not a host name`},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.in, func(t *testing.T) {
			p, err := egress.Parse(c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("Parse(%q) = %v, %v; want an error containing %q", c.in, p, err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			if got := p.String(); got != c.want {
				t.Fatalf("Parse(%q).String() = %q, want %q", c.in, got, c.want)
			}
			if p.Empty() != (c.want == "") {
				t.Fatalf("Parse(%q).Empty() = %v", c.in, p.Empty())
			}
		})
	}
}

func TestNilPolicyIsEmpty(t *testing.T) {
	var p *egress.Policy
	if !p.Empty() || p.String() != "" {
		t.Fatal("a nil policy is not the empty policy")
	}
	_ = assertRefused(t, p.CheckURL("https://127.0.0.1/"), "loopback address")
	if err := p.CheckURL("https://ps.example.com/"); err != nil {
		t.Fatalf("a nil policy refuses a public name: %v", err)
	}
}

// assertRefused checks that err is a *RefusedError of the reason (nil for reason "") whose text
// names the flag.
func assertRefused(t *testing.T, err error, reason string) *egress.RefusedError {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("refused: %v, want allowed", err)
		}
		return nil
	}
	var re *egress.RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("got %v (%T), want a *egress.RefusedError (%s)", err, err, reason)
	}
	if re.Reason != reason || !strings.Contains(err.Error(), "--endpoint-allowlist") || !strings.Contains(err.Error(), re.Host) {
		t.Fatalf("got %q (reason %q), want reason %q, naming the host and --endpoint-allowlist", err, re.Reason, reason)
	}
	return re
}

const notListed = "not in --endpoint-allowlist"

// checkURLCases are URLs under a policy, with the reason CheckURL refuses them ("" allowed).
var checkURLCases = []struct {
	policy, url, reason string
}{
	{"", "https://ps.example.com", ""},
	{"", "https://8.8.8.8/", ""},
	{"", "https://[2001:4860:4860::8888]:8443/", ""},
	{"", "http://127.0.0.1:8080", "loopback address"},
	{"", "http://127.0.0.1.:8080", "loopback address"},
	{"", "http://[::1]/", "loopback address"},
	{"", "http://[::ffff:127.0.0.1]/", "loopback address"},
	{"", "http://169.254.169.254/latest/meta-data", "link-local address"},
	{"", "http://[::ffff:169.254.169.254]/", "link-local address"},
	{"", "http://[fe80::1%25eth0]/", "link-local address"},
	{"", "http://10.1.2.3/", "private address"},
	{"", "http://172.31.255.255/", "private address"},
	{"", "http://192.168.0.1/", "private address"},
	{"", "http://[fd12::1]/", "private address"},
	{"", "http://100.64.0.1/", "shared address"},
	{"", "http://0.0.0.0/", "unspecified address"},
	{"", "http://[::]/", "unspecified address"},
	{"", "http://224.0.0.1/", "multicast address"},
	{"", "http://[ff02::1]/", "multicast address"},
	{"", "http://255.255.255.255/", "broadcast address"},
	{"", "http://localhost:8080", "loopback address"},
	{"", "http://LocalHost.:8080", "loopback address"},
	{"", "http://api.localhost/", "loopback address"},
	{"", "http://internal.corp/", ""}, // decided when dialing
	{"ps.example.com", "https://PS.example.com./ps", ""},
	{"ps.example.com", "https://other.example.com", notListed},
	{"ps.example.com", "https://8.8.8.8", notListed},
	{"*.corp.example", "https://ps.eu.corp.example", ""},
	{"*.corp.example", "https://corp.example", notListed},
	{"*.corp.example", "https://xcorp.example", notListed},
	{"10.20.0.0/16", "https://10.20.3.4", ""},
	{"10.20.0.0/16", "https://10.21.3.4", notListed},
	{"10.20.0.0/16", "https://8.8.8.8", notListed},
	{"10.20.0.0/16", "https://ps.example.com", ""}, // a CIDR may hold what the name resolves to
	{"10.20.0.0/16", "http://localhost", "loopback address"},
	{"127.0.0.1/32", "http://localhost:8080", ""},
	{"127.0.0.1/32", "http://[::ffff:127.0.0.1]:8080", ""},
	{"localhost", "http://localhost:8080", ""},
	{"*.localhost", "http://a.localhost:8080", ""},

	// Entries with a port allow that port only; a URL without one has its scheme's.
	{"ps.example.com:8443", "https://ps.example.com:8443/", ""},
	{"ps.example.com:8443", "https://ps.example.com/", notListed},
	{"ps.example.com:8443", "https://ps.example.com:8444/", notListed},
	{"ps.example.com:443", "https://ps.example.com/", ""},
	{"ps.example.com:443", "http://ps.example.com/", notListed},
	{"ps.example.com:80", "http://ps.example.com/", ""},
	{"ps.example.com:443", "ftp://ps.example.com/", notListed},
	{"ps.example.com:443", "https://ps.example.com:99999/", notListed},
	{"ps.example.com", "https://ps.example.com:8443/", ""},
	{"ps.example.com,ps.example.com:443", "https://ps.example.com:8443/", ""},
	{"*.corp.example:443", "https://ps.corp.example/", ""},
	{"*.corp.example:443", "https://ps.corp.example:8443/", notListed},
	{"10.0.0.0/8:443", "https://10.1.2.3/", ""},
	{"10.0.0.0/8:443", "https://10.1.2.3:444/", notListed},
	{"10.0.0.0/8:443", "https://[::ffff:10.1.2.3]/", ""},
	{"10.0.0.0/8:443", "https://ps.example.com/", ""},             // the dialer decides what it resolves to
	{"10.0.0.0/8:443", "https://ps.example.com:8443/", notListed}, // no entry allows 8443
	{"ps.example.com:8443,10.0.0.0/8", "https://other.example.com:8443/", ""},
	{"[fd00::/8]:443", "https://[fd00::1]/", ""},
	{"[fd00::/8]:443", "https://[fd00::1]:8443/", notListed},
	{"127.0.0.1:8080", "http://localhost:8080/", ""},
	{"127.0.0.1:8080", "http://localhost:8081/", "loopback address"},
	{"[::1]:8080", "http://localhost:8080/", ""},
	{"localhost:8080", "http://localhost:8081/", "loopback address"},
}

func TestCheckURL(t *testing.T) {
	for _, c := range checkURLCases {
		t.Run(c.policy+" "+c.url, func(t *testing.T) {
			p, err := egress.Parse(c.policy)
			if err != nil {
				t.Fatal(err)
			}
			_ = assertRefused(t, p.CheckURL(c.url), c.reason)
		})
	}
	if err := (&egress.Policy{}).CheckURL("/relative"); err == nil || errors.As(err, new(*egress.RefusedError)) {
		t.Fatalf("CheckURL of a relative URL = %v, want an error that is no refusal", err)
	}
}

// TestEmptyPolicyAddresses goes through the ranges of the empty policy at their edges, in the
// forms an address may take.
func TestEmptyPolicyAddresses(t *testing.T) {
	cases := map[string]string{
		"8.8.8.8": "", "1.1.1.1": "", "2001:4860:4860::8888": "", "172.15.255.255": "", "172.32.0.0": "",
		"100.63.255.255": "", "100.128.0.0": "", "169.253.255.255": "", "223.255.255.255": "", "11.0.0.0": "",
		"0.1.2.3": "unspecified address", "127.255.255.255": "loopback address",
		"169.254.169.254": "link-local address", "::ffff:169.254.169.254": "link-local address",
		"::ffff:10.0.0.1": "private address", "::ffff:127.0.0.1": "loopback address",
		"64:ff9b::a9fe:a9fe": "link-local address", "64:ff9b::808:808": "",
		"2002:7f00:1::1": "IPv4-embedding address", "2002:808:808::1": "IPv4-embedding address",
		"64:ff9b:1::1": "private address", "fec0::1": "private address",
		"fe80::1%eth0": "link-local address", "240.0.0.1": "reserved address",
		"100.127.255.255": "shared address", "fc00::1": "private address", "febf::1": "link-local address",
	}
	var empty egress.Policy
	for addr, reason := range cases {
		t.Run(addr, func(t *testing.T) {
			host := addr
			if strings.Contains(addr, ":") {
				host = "[" + strings.Replace(addr, "%", "%25", 1) + "]"
			}
			_ = assertRefused(t, empty.CheckURL("https://"+host+"/"), reason)
		})
	}
}

// FuzzParse: Parse never panics, and what it accepts, String gives back in a form that parses to
// the same policy and the same text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "a.example", "*.corp.example", "10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8",
		" A.Example. , 10.20.0.0/16 ", "*", "*.", "a*b.com", "10.0.0.0/33", "a,,b", "::ffff:1.2.3.4", "x:1", "0.0.0.0/0,::/0",
		"a.example:8443", "*.corp.example:443", "10.0.0.0/8:443", "127.0.0.1:80", "[fd00::/8]:443", "[::1]:1", "[::1]", "a:0", "[1.2.3.4]:5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := egress.Parse(s)
		if err != nil {
			return
		}
		again, err := egress.Parse(p.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", s, p.String(), err)
		}
		if again.String() != p.String() || !reflect.DeepEqual(again, p) {
			t.Fatalf("Parse(%q) = %q, parsed again %q", s, p.String(), again.String())
		}
		for _, probe := range []string{"127.0.0.1", "10.1.2.3", "8.8.8.8", "::1", "a.example"} {
			for _, url := range []string{"https://" + bracket(probe) + "/", "http://" + bracket(probe) + ":8443/"} {
				a, b := p.CheckURL(url), again.CheckURL(url)
				if (a == nil) != (b == nil) {
					t.Fatalf("Parse(%q) and its String disagree on %s: %v / %v", s, url, a, b)
				}
			}
		}
	})
}

// bracket writes addr as the host of a URL; a name stays as it is.
func bracket(addr string) string {
	if a, err := netip.ParseAddr(addr); err == nil && a.Is6() {
		return "[" + addr + "]"
	}
	return addr
}

// TestRefusalNamesPort: a refusal names the port when an entry names one, since the port then
// decided it, and not otherwise.
func TestRefusalNamesPort(t *testing.T) {
	cases := []struct{ policy, url, want string }{
		{"ps.example.com:8443", "https://ps.example.com/",
			`endpoint "ps.example.com" on port 443 is refused: not in --endpoint-allowlist`},
		{"10.0.0.0/8:443", "http://127.0.0.1:8080/",
			`endpoint "127.0.0.1" on port 8080 is refused: not in --endpoint-allowlist`},
		{"127.0.0.1:8080", "http://localhost:8081/",
			`endpoint "localhost" on port 8081 is refused: loopback address, which --endpoint-allowlist does not allow`},
		{"ps.example.com", "https://other.example.com:8443/",
			`endpoint "other.example.com" is refused: not in --endpoint-allowlist`},
		{"", "http://[::1]:8080/",
			`endpoint "::1" is refused: loopback address, which --endpoint-allowlist does not allow`},
	}
	for _, c := range cases {
		p, err := egress.Parse(c.policy)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.CheckURL(c.url); err == nil || err.Error() != c.want {
			t.Errorf("%s under %q: %v, want %q", c.url, c.policy, err, c.want)
		}
	}
}
