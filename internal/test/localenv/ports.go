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

package localenv

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// LoopbackAddrs returns n loopback addresses whose ports were free a moment ago, for a process
// that binds them itself (the operator's --metrics-bind-address, --pprof-bind-address).
//
// The ports come from below the kernel's ephemeral range: a port that the kernel handed out and
// took back (net.Listen on port 0, then Close) can be handed to an outgoing connection of any
// process before the operator binds it, and the operator then exits with "address already in
// use". Ports below the range are never given to outgoing connections; only another process
// choosing the same port at random can take one, which is rare.
func LoopbackAddrs(n int) ([]string, error) {
	low := ephemeralLow()
	const floor = 10000
	if low <= floor+n {
		return nil, fmt.Errorf("the ephemeral port range starts at %d: no room below it for %d ports", low, n)
	}
	var addrs []string
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	for tries := 0; len(addrs) < n; tries++ {
		if tries == 1000 {
			return nil, errors.New("no free loopback port below the ephemeral range after 1000 tries")
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(floor+rand.IntN(low-floor))))
		if err != nil {
			continue
		}
		lns = append(lns, ln)
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux), or IANA's 49152.
func ephemeralLow() int {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(data)); len(f) == 2 {
			if low, err := strconv.Atoi(f[0]); err == nil && low > 0 {
				return low
			}
		}
	}
	return 49152
}
