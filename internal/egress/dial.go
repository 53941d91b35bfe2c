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

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RefusedError is an endpoint, or a connection, that the policy refuses. Its text names the
// host and the flag, never the address a name resolved to: the error ends up in the Webhook's
// status, which the tenant reads, and must not tell them what the cluster's names resolve to.
type RefusedError struct {
	// Host is the host name or address literal the endpoint names, as written.
	Host string
	// Port is the port connected to, when an entry of the policy names a port and the port
	// therefore took part in the decision; 0 otherwise.
	Port uint16
	// Reason is a short category: "loopback address", "private address", "link-local address",
	// "shared address", "unspecified address", "multicast address", "broadcast address",
	// "reserved address", "documentation address", "benchmarking address", "special-purpose
	// address", "IPv4-embedding address", or "not in --endpoint-allowlist".
	Reason string
}

func (e *RefusedError) Error() string {
	endpoint := fmt.Sprintf("%q", e.Host)
	if e.Port != 0 {
		endpoint += " on port " + strconv.Itoa(int(e.Port))
	}
	if strings.Contains(e.Reason, Flag) {
		return fmt.Sprintf("endpoint %s is refused: %s", endpoint, e.Reason)
	}
	return fmt.Sprintf("endpoint %s is refused: %s, which %s does not allow", endpoint, e.Reason, Flag)
}

// refused is the refusal of host on port for reason.
func (p *Policy) refused(host string, port uint16, reason string) *RefusedError {
	e := &RefusedError{Host: host, Reason: reason}
	if p != nil && p.ports {
		e.Port = port
	}
	return e
}

// CheckURL decides, without any request or lookup, what can be decided of the endpoint raw
// before connecting: a host that is an address literal is checked against the policy; a name
// that matches a host pattern (on the URL's port) is allowed; localhost and *.localhost are
// refused unless a pattern names them or a CIDR holds a loopback address; a name that matches no
// pattern is refused when no CIDR allows the URL's port, as with a policy of host patterns
// only. Whatever depends on what a name resolves to is left to the dialer. The port is the
// URL's, or 443 for https and 80 for http. An error that is not a *RefusedError means raw is no
// absolute URL.
func (p *Policy) CheckURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	return p.checkHost(u.Hostname(), urlPort(u))
}

// urlPort is the port a request to u connects to, or 0 when it is unknown: a scheme without a
// default port, or a port out of range, which no entry with a port then allows.
func urlPort(u *url.URL) uint16 {
	if s := u.Port(); s != "" {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return 0
		}
		return uint16(n)
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "wss":
		return 443
	case "http", "ws":
		return 80
	}
	return 0
}

func (p *Policy) checkHost(host string, port uint16) error {
	name := canonicalHost(host)
	if addr, err := netip.ParseAddr(name); err == nil {
		if reason := p.refusal(addr, port); reason != "" {
			return p.refused(host, port, reason)
		}
		return nil
	}
	switch {
	case p.matchesHost(name, port):
		return nil
	case (name == "localhost" || strings.HasSuffix(name, ".localhost")) && !p.allowsLoopback(port):
		return p.refused(host, port, reasonLoopback)
	case !p.Empty() && !p.prefixAllowsPort(port):
		return p.refused(host, port, "not in "+Flag)
	}
	return nil
}

// allowsLoopback reports whether a CIDR of the policy holds 127.0.0.1 or ::1 on port.
func (p *Policy) allowsLoopback(port uint16) bool {
	return !p.Empty() && (p.refusal(netip.IPv6Loopback(), port) == "" || p.refusal(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port) == "")
}

// DialContext connects to addr ("host:port") as a net.Dialer does, and checks every address it
// connects to, after resolution, against the policy, unless the host name matches a host
// pattern on that port. The check runs in the dialer's Control hook, for each address tried, so
// that no answer of a name server can route a connection around it. A refusal is a
// *RefusedError, never wrapped in the dialer's own error, whose text would name the address.
func (p *Policy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, service, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if p != nil {
		d.Resolver = p.resolver
	}
	port, err := d.Resolver.LookupPort(ctx, network, service)
	if err != nil {
		return nil, err
	}
	if !p.matchesHost(canonicalHost(host), uint16(port)) {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			return p.checkConnect(host, address)
		}
	}
	conn, err := d.DialContext(ctx, network, addr)
	var refused *RefusedError
	if errors.As(err, &refused) {
		return nil, refused
	}
	return conn, err
}

// checkConnect judges the address and port the dialer is about to connect to; one it cannot
// read is refused.
func (p *Policy) checkConnect(host, address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Host: host, Reason: "unreadable address"}
	}
	if reason := p.refusal(ap.Addr(), ap.Port()); reason != "" {
		return p.refused(host, ap.Port(), reason)
	}
	return nil
}

// Transport returns a clone of http.DefaultTransport that dials with DialContext and uses no
// proxy. Through a proxy the dialer would check the proxy's address instead of the endpoint's,
// and the proxy would reach whatever the spec names: endpoints that a spec supplies are
// therefore always reached directly, whatever HTTPS_PROXY says.
func (p *Policy) Transport() *http.Transport {
	var t *http.Transport
	if def, ok := http.DefaultTransport.(*http.Transport); ok {
		t = def.Clone()
	} else {
		t = &http.Transport{ForceAttemptHTTP2: true, MaxIdleConns: 100, IdleConnTimeout: 90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second, ExpectContinueTimeout: time.Second}
	}
	t.Proxy = nil
	t.DialContext = p.DialContext
	return t
}

// WithResolver returns a copy of the policy whose dialer resolves names with r (nil: the net
// package's default), for an operator that must use a resolver of its own, and for tests.
func (p *Policy) WithResolver(r *net.Resolver) *Policy {
	out := &Policy{}
	if p != nil {
		*out = *p
	}
	out.resolver = r
	return out
}
