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
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
	"github.com/hookkeeper/hookkeeper/providers/catalog/simulated"
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

// Simulator is one provider simulator served on a loopback listener.
type Simulator struct {
	// Name is the provider's name for people, such as "8x8 Chat Apps".
	Name string
	// Provider is the spec.provider of the Webhooks the simulator serves.
	Provider hooksv1alpha1.ProviderType
	// Flag is the operator flag that takes URL, such as "--webex-api-url"; "" when the URL goes
	// into each Webhook's spec instead (PageSeeder's spec.pageSeeder.serverUrl).
	Flag string
	// URL is the simulator's API root, as the operator flag or the spec wants it.
	URL string

	fake   simulator.Local
	server *http.Server

	mu      sync.Mutex
	latency time.Duration
	outage  int // the status every request gets during an outage; 0 when there is none
}

// Simulators are the provider simulators, one per provider of the catalog, each on a listener of
// its own.
type Simulators struct {
	// All lists the simulators in the catalog's order.
	All []*Simulator
}

// StartSimulators serves every provider's simulator (providers/catalog/simulated) on 127.0.0.1,
// each on a free port. On error nothing is left running.
func StartSimulators(o SimulatorOptions) (*Simulators, error) {
	s := &Simulators{}
	for _, sd := range simulated.All() {
		d, ok := catalog.ByName(sd.Provider)
		if !ok {
			s.Stop()
			return nil, fmt.Errorf("simulator of %q: no such provider in the catalog", sd.Provider)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.Stop()
			return nil, fmt.Errorf("listening for the %s simulator: %w", d.DisplayName, err)
		}
		fake := sd.New(o.AcceptAnyCredentials)
		srv := &http.Server{Handler: fake.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintf(os.Stderr, "the %s simulator stopped: %v\n", d.DisplayName, err)
			}
		}()
		sim := &Simulator{
			Name: d.DisplayName, Provider: d.Type,
			URL:  "http://" + ln.Addr().String() + sd.APIPath,
			fake: fake, server: srv,
		}
		if d.APIURL != nil {
			sim.Flag = "--" + d.FlagName()
		}
		sim.SetLatency(o.Latency[d.Type])
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

// NewAccount registers fresh credentials with the simulator, made unique by seed: the Secret's
// keys, and how to set the provider block of Webhook i of the account.
func (sim *Simulator) NewAccount(seed string) simulator.Account {
	return sim.fake.NewAccount(seed, sim.URL)
}

// Try returns shell commands that show the simulator's side of the given Webhooks (the demo
// prints them); secret reads a key of their Secrets.
func (sim *Simulator) Try(hooks []hooksv1alpha1.Webhook, secret simulator.SecretLookup) []string {
	var own []hooksv1alpha1.Webhook
	for _, h := range hooks {
		if h.Spec.Provider == sim.Provider {
			own = append(own, h)
		}
	}
	return sim.fake.Try(sim.URL, own, secret)
}

// RequestsTotal counts the requests the simulator received since the last ResetCounts.
func (sim *Simulator) RequestsTotal() int { return sim.fake.RequestsTotal() }

// ResetCounts sets the simulator's request counters back to zero.
func (sim *Simulator) ResetCounts() { sim.fake.ResetCounts() }

// Mutations returns every change that requests made to the simulator's webhooks, each with its
// time and User-Agent, in the order applied.
func (sim *Simulator) Mutations() []simulator.Mutation { return sim.fake.Mutations() }

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

// EndpointURLs returns, for each provider whose Webhooks name their own server (its descriptor's
// EndpointField, such as spec.pageSeeder.serverUrl), its simulator's URL.
func (s *Simulators) EndpointURLs() map[hooksv1alpha1.ProviderType]string {
	urls := map[hooksv1alpha1.ProviderType]string{}
	for _, d := range catalog.All() {
		if d.EndpointField != "" {
			urls[d.Type] = s.URL(d.Type)
		}
	}
	return urls
}

// PointAtSimulators sets, in obj if it is a Webhook, the field that names its provider's server
// to urls[provider] (see EndpointURLs), as `make demo` does to the samples, which name servers
// that cannot be reached from here. It returns one line per change, for people; a Webhook without
// the field is left for the API server to refuse.
func PointAtSimulators(obj *unstructured.Unstructured, urls map[hooksv1alpha1.ProviderType]string) ([]string, error) {
	gvk := obj.GroupVersionKind()
	if gvk.Group != hooksv1alpha1.GroupVersion.Group || gvk.Kind != "Webhook" {
		return nil, nil
	}
	provider, _, err := unstructured.NestedString(obj.Object, "spec", "provider")
	if err != nil {
		return nil, err
	}
	url := urls[hooksv1alpha1.ProviderType(provider)]
	d, ok := catalog.ByType(hooksv1alpha1.ProviderType(provider))
	if url == "" || !ok || d.EndpointField == "" {
		return nil, nil
	}
	field := append([]string{"spec"}, strings.Split(d.EndpointField, ".")...)
	old, found, err := unstructured.NestedString(obj.Object, field...)
	if err != nil || !found || old == url {
		return nil, err
	}
	if err := unstructured.SetNestedField(obj.Object, url, field...); err != nil {
		return nil, err
	}
	return []string{fmt.Sprintf("spec.%s %s -> %s (the %s simulator)", d.EndpointField, old, url, d.DisplayName)}, nil
}
