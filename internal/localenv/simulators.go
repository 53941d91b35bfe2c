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
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	autodeskfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	eightbyeightfake "github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	pageseederfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
	"github.com/hookkeeper/hookkeeper/providers/simulator"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// SimulatorOptions configures the simulators that StartSimulators serves.
type SimulatorOptions struct {
	// AcceptAnyCredentials makes every simulator take any non-empty credentials, as placeholder
	// Secrets need; otherwise only the credentials added to each fake are valid.
	AcceptAnyCredentials bool
	// Latency holds back every request to a provider's simulator this long before it is handled;
	// a provider without an entry answers at once.
	Latency map[hooksv1alpha1.ProviderType]time.Duration
}

// faultServer is what every fake offers for fault injection and request counting.
type faultServer interface {
	InjectFault(simulator.Fault)
	ClearFaults()
	RequestsTotal() int
	ResetCounts()
}

// Simulator is one provider simulator served on a loopback listener.
type Simulator struct {
	// Name is the provider's name for people, such as "8x8".
	Name string
	// Provider is the spec.provider of the Webhooks the simulator serves.
	Provider hooksv1alpha1.ProviderType
	// Flag is the operator flag that takes URL, such as "--webex-api-url"; "" when the URL goes
	// into each Webhook's spec instead (PageSeeder's spec.pageSeeder.serverUrl).
	Flag string
	// URL is the simulator's API root, as the operator flag or the spec wants it.
	URL string

	fake   faultServer
	server *http.Server

	mu      sync.Mutex
	latency time.Duration
	outage  int // the status every request gets during an outage; 0 when there is none
}

// Simulators are the four provider simulators, each on a listener of its own.
type Simulators struct {
	// The fakes themselves, to add credentials to and to inspect.
	Webex        *webexfake.Server
	EightByEight *eightbyeightfake.Server
	Autodesk     *autodeskfake.Server
	PageSeeder   *pageseederfake.Server

	// All lists the simulators in a fixed order: Webex, 8x8, Autodesk, PageSeeder.
	All []*Simulator
}

// StartSimulators serves the four simulators on 127.0.0.1, each on a free port. On error
// nothing is left running.
func StartSimulators(o SimulatorOptions) (*Simulators, error) {
	s := &Simulators{
		Webex:        webexfake.NewUnstarted(),
		EightByEight: eightbyeightfake.NewUnstarted(),
		Autodesk:     autodeskfake.NewUnstarted(),
		PageSeeder:   pageseederfake.NewUnstarted(),
	}
	if o.AcceptAnyCredentials {
		s.Webex.SetAcceptAnyToken(true)
		s.EightByEight.SetAcceptAnyKey(true)
		s.Autodesk.SetAcceptAnyClient(true)
		s.PageSeeder.SetAcceptAnyClient(true)
	}
	// PageSeeder would POST a ping to each targetUrl and expect X-PS-Secret echoed. Local runs
	// have no receivers, so every ping succeeds and the webhooks go from pending to active.
	s.PageSeeder.SetPingResult(func(string) error { return nil })

	type entry struct {
		name     string
		provider hooksv1alpha1.ProviderType
		flag     string
		fake     faultServer
		handler  http.Handler
		// apiPath is appended to the listener's address to give the URL.
		apiPath string
	}
	entries := []entry{
		{"Webex", hooksv1alpha1.ProviderWebex, "--webex-api-url", s.Webex, s.Webex.Handler(), "/v1"},
		// The 8x8 client appends /api/v1/accounts/... to the base URL itself, as it does to a
		// region's host.
		{"8x8", hooksv1alpha1.ProviderEightByEight, "--eightbyeight-api-url", s.EightByEight, s.EightByEight.Handler(), ""},
		// One host serves /authentication/v2/token and /webhooks/v1, as developer.api.autodesk.com does.
		{"Autodesk", hooksv1alpha1.ProviderAutodesk, "--autodesk-api-url", s.Autodesk, s.Autodesk.Handler(), ""},
		// The whole PageSeeder server: /ps/oauth/token and /ps/service/...
		{"PageSeeder", hooksv1alpha1.ProviderPageSeeder, "", s.PageSeeder, s.PageSeeder.Handler(), ""},
	}
	for _, e := range entries {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.Stop()
			return nil, fmt.Errorf("listening for the %s simulator: %w", e.name, err)
		}
		srv := &http.Server{Handler: e.handler, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintf(os.Stderr, "the %s simulator stopped: %v\n", e.name, err)
			}
		}()
		sim := &Simulator{
			Name: e.name, Provider: e.provider, Flag: e.flag,
			URL:  "http://" + ln.Addr().String() + e.apiPath,
			fake: e.fake, server: srv,
		}
		sim.SetLatency(o.Latency[e.provider])
		s.All = append(s.All, sim)
	}
	return s, nil
}

// Get returns the simulator of provider, or nil.
func (s *Simulators) Get(provider hooksv1alpha1.ProviderType) *Simulator {
	for _, sim := range s.All {
		if sim.Provider == provider {
			return sim
		}
	}
	return nil
}

// URL returns the API root of provider's simulator, or "".
func (s *Simulators) URL(provider hooksv1alpha1.ProviderType) string {
	if sim := s.Get(provider); sim != nil {
		return sim.URL
	}
	return ""
}

// LoopbackAllowlist is the --endpoint-allowlist that local runs give the operator. Endpoints that
// a Webhook's spec supplies (spec.pageSeeder.serverUrl) may reach only public addresses unless
// the allowlist names them, and every simulator listens on 127.0.0.1.
const LoopbackAllowlist = "127.0.0.1/32"

// EndpointFlags returns the operator flags that let it reach the simulators at all: plain HTTP
// (--allow-insecure-endpoints) and loopback addresses in Webhook specs (--endpoint-allowlist).
// Every operator that the demo, the bench and their tests start passes them.
func EndpointFlags() []string {
	return []string{"--allow-insecure-endpoints", "--endpoint-allowlist=" + LoopbackAllowlist}
}

// OperatorFlags returns the operator flags that point it at the simulators. The operator needs
// EndpointFlags as well, since the simulators speak plain HTTP on loopback.
func (s *Simulators) OperatorFlags() []string {
	var flags []string
	for _, sim := range s.All {
		if sim.Flag != "" {
			flags = append(flags, sim.Flag+"="+sim.URL)
		}
	}
	return flags
}

// RequestsTotal sums the requests every simulator received since the last ResetCounts, failed
// ones and token requests included.
func (s *Simulators) RequestsTotal() int {
	total := 0
	for _, sim := range s.All {
		total += sim.RequestsTotal()
	}
	return total
}

// ResetCounts sets the request counters of every simulator back to zero.
func (s *Simulators) ResetCounts() {
	for _, sim := range s.All {
		sim.ResetCounts()
	}
}

// Stop closes every listener, giving requests in flight a few seconds to finish.
func (s *Simulators) Stop() {
	for _, sim := range s.All {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := sim.server.Shutdown(ctx); err != nil {
			_ = sim.server.Close()
		}
		cancel()
	}
}

// RequestsTotal counts the requests the simulator received since the last ResetCounts.
func (sim *Simulator) RequestsTotal() int { return sim.fake.RequestsTotal() }

// ResetCounts sets the simulator's request counters back to zero.
func (sim *Simulator) ResetCounts() { sim.fake.ResetCounts() }

// Latency returns the delay every request currently gets.
func (sim *Simulator) Latency() time.Duration {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	return sim.latency
}

// SetLatency delays every later request by d (none for d <= 0). During an outage the new
// latency applies to the error answers, and stays once the outage ends.
func (sim *Simulator) SetLatency(d time.Duration) {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	sim.latency = max(d, 0)
	sim.applyLocked()
}

// StartOutage makes the simulator answer every request with status (such as 503), after the
// usual latency, until EndOutage. The requests change nothing.
func (sim *Simulator) StartOutage(status int) {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	sim.outage = status
	sim.applyLocked()
}

// EndOutage makes the simulator serve requests normally again, with its latency.
func (sim *Simulator) EndOutage() {
	sim.mu.Lock()
	defer sim.mu.Unlock()
	sim.outage = 0
	sim.applyLocked()
}

// applyLocked replaces the injected faults by the one that the latency and the outage call for.
// A simulator applies only the first fault that matches a request, so one fault has to carry
// both the delay and the error.
func (sim *Simulator) applyLocked() {
	sim.fake.ClearFaults()
	switch {
	case sim.outage != 0:
		sim.fake.InjectFault(simulator.Fault{Status: sim.outage, Delay: sim.latency})
	case sim.latency > 0:
		// Only a delay, and no limit on the number of hits: every request waits, then is handled
		// normally.
		sim.fake.InjectFault(simulator.Fault{Delay: sim.latency})
	}
}
