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
	"net"
	"strconv"
	"testing"
)

// TestLoopbackAddrsAreBelowTheEphemeralRange: distinct (the replicas of the bench never share a
// port), free, and out of the range that outgoing connections take ports from.
func TestLoopbackAddrsAreBelowTheEphemeralRange(t *testing.T) {
	addrs, err := LoopbackAddrs(30)
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) != 30 {
		t.Fatalf("got %d addresses, want 30", len(addrs))
	}
	seen := map[string]bool{}
	low := ephemeralLow()
	for _, a := range addrs {
		if seen[a] {
			t.Errorf("%s given twice", a)
		}
		seen[a] = true
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := strconv.Atoi(port)
		if host != "127.0.0.1" || p < 10000 || p >= low {
			t.Errorf("%s: want 127.0.0.1 and a port in [10000, %d)", a, low)
		}
		// Free: the caller can bind it.
		ln, err := net.Listen("tcp", a)
		if err != nil {
			t.Errorf("%s is not free: %v", a, err)
			continue
		}
		_ = ln.Close()
	}
}
