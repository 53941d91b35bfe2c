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
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
)

// countingServer is an HTTP server on 127.0.0.1 that counts the connections made to it.
type countingServer struct {
	*httptest.Server
	conns atomic.Int32
}

func newCountingServer(t *testing.T) *countingServer {
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("reached"))
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *countingServer) port() string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	return port
}

// TestDialContext dials a server on 127.0.0.1, by its address and by names that a resolver of
// the test's own resolves to it: as DNS rebinding would, after any check made before the request.
func TestDialContext(t *testing.T) {
	loopback := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	resolver := testutil.NewResolver(map[string][]netip.Addr{
		"rebind.example": loopback, "ps.corp.example": loopback,
		"mapped.example": {netip.MustParseAddr("::ffff:127.0.0.1")},
	})
	cases := []struct {
		name, policy, host, reason string
	}{
		{"address, empty policy", "", "127.0.0.1", "loopback address"},
		{"name resolving to loopback, empty policy", "", "rebind.example", "loopback address"},
		{"name resolving to mapped loopback, empty policy", "", "mapped.example", "loopback address"},
		{"name resolving to loopback, CIDR elsewhere", "10.0.0.0/8", "rebind.example", notListed},
		{"name resolving to loopback, another name listed", "ps.example.com", "rebind.example", notListed},
		{"name resolving to loopback, CIDR holds it", "127.0.0.1/32", "rebind.example", ""},
		{"address, CIDR holds it", "127.0.0.0/8", "127.0.0.1", ""},
		{"listed name: any address", "rebind.example", "rebind.example", ""},
		{"listed name in another case", "REBIND.example.", "Rebind.Example", ""},
		{"name below a wildcard: any address", "*.corp.example", "ps.corp.example", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newCountingServer(t)
			p, err := egress.Parse(c.policy)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, err := p.WithResolver(resolver.Resolver).DialContext(ctx, "tcp", net.JoinHostPort(c.host, srv.port()))
			if conn != nil {
				_ = conn.Close()
			}
			re := assertRefused(t, err, c.reason)
			if re == nil {
				return
			}
			if re.Host != c.host {
				t.Errorf("refusal names %q, want %q", re.Host, c.host)
			}
			if c.host != "127.0.0.1" && strings.Contains(err.Error(), "127.0.0.1") {
				t.Errorf("refusal %q names the address %s resolved to", err, c.host)
			}
			waitIdle()
			if n := srv.conns.Load(); n != 0 {
				t.Errorf("the server accepted %d connections, want 0", n)
			}
		})
	}
}

// waitIdle gives a connection that the dialer should not have made the time to reach the server.
func waitIdle() { time.Sleep(20 * time.Millisecond) }

// TestTransport sends requests through the policy's transport: a refusal reaches the caller as
// a *RefusedError, with nothing sent, and an allowed endpoint answers.
func TestTransport(t *testing.T) {
	srv := newCountingServer(t)
	resolver := testutil.NewResolver(map[string][]netip.Addr{"rebind.example": {netip.MustParseAddr("127.0.0.1")}})
	get := func(p *egress.Policy, host string) (*http.Response, error) {
		hc := &http.Client{Transport: p.WithResolver(resolver.Resolver).Transport(), Timeout: 10 * time.Second}
		return hc.Get("http://" + net.JoinHostPort(host, srv.port()) + "/")
	}
	var none *egress.Policy
	if tr := none.Transport(); tr.Proxy != nil || tr.DialContext == nil {
		t.Fatal("the transport may use a proxy, or dials without the policy")
	}
	for _, host := range []string{"127.0.0.1", "rebind.example"} {
		resp, err := get(none, host)
		if err == nil {
			_ = resp.Body.Close()
		}
		var re *egress.RefusedError
		if !errors.As(err, &re) || re.Reason != "loopback address" {
			t.Fatalf("GET %s with a nil policy: %v, want a loopback refusal", host, err)
		}
	}
	waitIdle()
	if n := srv.conns.Load(); n != 0 {
		t.Fatalf("the server accepted %d connections, want 0", n)
	}
	allow, _ := egress.Parse("127.0.0.1/32")
	resp, err := get(allow, "rebind.example")
	if err != nil {
		t.Fatalf("GET with 127.0.0.1/32 allowed: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || srv.conns.Load() != 1 {
		t.Fatalf("GET with 127.0.0.1/32 allowed: status %d, %d connections", resp.StatusCode, srv.conns.Load())
	}
}

// TestResolverIsUsed proves that the names above were resolved by the test's resolver, so that
// the refusals above come from what it answered.
func TestResolverIsUsed(t *testing.T) {
	resolver := testutil.NewResolver(map[string][]netip.Addr{"only-here.example": {netip.MustParseAddr("127.0.0.1")}})
	allow, _ := egress.Parse("127.0.0.1/32")
	srv := newCountingServer(t)
	conn, err := allow.WithResolver(resolver.Resolver).DialContext(context.Background(), "tcp", net.JoinHostPort("only-here.example", srv.port()))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = conn.Close()
	if resolver.Lookups.Load() == 0 {
		t.Fatal("the resolver answered no query")
	}
}

// TestDialContextPorts dials two servers on 127.0.0.1 under entries that name the port of the
// first: only that port is reached, by address, by a name that resolves to it, and by a name
// that a host pattern lists.
func TestDialContextPorts(t *testing.T) {
	resolver := testutil.NewResolver(map[string][]netip.Addr{
		"rebind.example": {netip.MustParseAddr("127.0.0.1")}, "ps.corp.example": {netip.MustParseAddr("127.0.0.1")},
	})
	open, other := newCountingServer(t), newCountingServer(t)
	cases := []struct {
		name, policy, host string
		// wantOpen and wantOther are the reasons dialing the listed port and the other one give.
		wantOpen, wantOther string
	}{
		{"address, CIDR on the port", "127.0.0.1/32:PORT", "127.0.0.1", "", notListed},
		{"mapped address, CIDR on the port", "127.0.0.1/32:PORT", "::ffff:127.0.0.1", "", notListed},
		{"name, CIDR on the port", "127.0.0.0/8:PORT", "rebind.example", "", notListed},
		{"listed name on the port", "rebind.example:PORT", "rebind.example", "", notListed},
		{"name below a wildcard on the port", "*.corp.example:PORT", "ps.corp.example", "", notListed},
		{"listed name on the port, CIDR on any port", "rebind.example:PORT,127.0.0.1/32", "rebind.example", "", ""},
		{"name listed on another port, empty otherwise", "other.example:PORT", "rebind.example", notListed, notListed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := egress.Parse(strings.ReplaceAll(c.policy, "PORT", open.port()))
			if err != nil {
				t.Fatal(err)
			}
			p = p.WithResolver(resolver.Resolver)
			for _, target := range []struct {
				srv    *countingServer
				reason string
			}{{open, c.wantOpen}, {other, c.wantOther}} {
				before := target.srv.conns.Load()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				conn, err := p.DialContext(ctx, "tcp", net.JoinHostPort(c.host, target.srv.port()))
				cancel()
				if conn != nil {
					_ = conn.Close()
				}
				re := assertRefused(t, err, target.reason)
				if re == nil {
					continue
				}
				if want := target.srv.port(); strconv.Itoa(int(re.Port)) != want || !strings.Contains(err.Error(), " on port "+want+" ") {
					t.Errorf("refusal %q names port %d, want %s", err, re.Port, want)
				}
				waitIdle()
				if n := target.srv.conns.Load() - before; n != 0 {
					t.Errorf("the server on port %s accepted %d connections, want 0", target.srv.port(), n)
				}
			}
		})
	}
}
