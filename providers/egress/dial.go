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
	// Reason is a short category: "loopback address", "private address", "link-local address",
	// "shared address", "unspecified address", "multicast address", "broadcast address",
	// "reserved address", or "not in --endpoint-allowlist".
	Reason string
}

func (e *RefusedError) Error() string {
	if strings.Contains(e.Reason, Flag) {
		return fmt.Sprintf("endpoint %q is refused: %s", e.Host, e.Reason)
	}
	return fmt.Sprintf("endpoint %q is refused: %s, which %s does not allow", e.Host, e.Reason, Flag)
}

// CheckURL decides, without any request or lookup, what can be decided of the endpoint raw
// before connecting: a host that is an address literal is checked against the policy; a name
// that matches a host pattern is allowed; localhost and *.localhost are refused unless a pattern
// names them or a CIDR holds a loopback address; with a policy of host patterns only, any other
// name is refused. Whatever depends on what a name resolves to is left to the dialer. An error
// that is not a *RefusedError means raw is no absolute URL.
func (p *Policy) CheckURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	return p.checkHost(u.Hostname())
}

func (p *Policy) checkHost(host string) error {
	name := canonicalHost(host)
	if addr, err := netip.ParseAddr(name); err == nil {
		if reason := p.refusal(addr); reason != "" {
			return &RefusedError{Host: host, Reason: reason}
		}
		return nil
	}
	switch {
	case p.matchesHost(name):
		return nil
	case (name == "localhost" || strings.HasSuffix(name, ".localhost")) && !p.allowsLoopback():
		return &RefusedError{Host: host, Reason: "loopback address"}
	case !p.Empty() && len(p.prefixes) == 0:
		return &RefusedError{Host: host, Reason: "not in " + Flag}
	}
	return nil
}

// allowsLoopback reports whether a CIDR of the policy holds 127.0.0.1 or ::1.
func (p *Policy) allowsLoopback() bool {
	return !p.Empty() && (p.refusal(netip.IPv6Loopback()) == "" || p.refusal(netip.AddrFrom4([4]byte{127, 0, 0, 1})) == "")
}

// DialContext connects to addr ("host:port") as a net.Dialer does, and checks every address it
// connects to, after resolution, against the policy, unless the host name matches a host
// pattern. The check runs in the dialer's Control hook, for each address tried, so that no
// answer of a name server can route a connection around it. A refusal is a *RefusedError, never
// wrapped in the dialer's own error, whose text would name the address.
func (p *Policy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if p != nil {
		d.Resolver = p.resolver
	}
	if !p.matchesHost(canonicalHost(host)) {
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

// checkConnect judges the address the dialer is about to connect to; one it cannot read is
// refused.
func (p *Policy) checkConnect(host, address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Host: host, Reason: "unreadable address"}
	}
	if reason := p.refusal(ap.Addr()); reason != "" {
		return &RefusedError{Host: host, Reason: reason}
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
