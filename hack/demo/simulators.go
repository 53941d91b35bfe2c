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

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// secretLookup reads one key of a Secret; "" when it is missing.
type secretLookup func(namespace, name, key string) string

// simulator is one provider simulator of the demo. A provider joins the demo with one entry in
// simulators below.
type simulator struct {
	// name is shown on screen.
	name string
	// flag is the operator flag that receives the simulator's API URL, such as
	// "--webex-api-url"; "" when the URL belongs in the Webhook specs instead.
	flag string
	// handler returns a fresh simulator, ready to accept the demo's credentials, and the path of
	// its API root, which is appended to the listener's address to give the URL.
	handler func() (h http.Handler, apiPath string)
	// try, when set, returns shell commands that show the simulator's side of the given
	// Webhooks; secret reads their credentials.
	try func(apiURL string, hooks []hooksv1alpha1.Webhook, secret secretLookup) []string
}

// simulators are started, in this order, on loopback ports of their own.
var simulators = []simulator{
	{name: "Webex", flag: "--webex-api-url", handler: webexHandler, try: webexTry},
}

func webexHandler() (http.Handler, string) {
	s := webexfake.NewUnstarted()
	s.SetAcceptAnyToken(true) // the samples hold a placeholder token
	return s.Handler(), "/v1"
}

// webexTry lists the webhooks of each token the Webex Webhooks use: the simulator accepts any
// token, but each token is a user of its own and only sees the webhooks created with it.
func webexTry(apiURL string, hooks []hooksv1alpha1.Webhook, secret secretLookup) []string {
	seen := map[string]bool{}
	var cmds []string
	for _, h := range hooks {
		if h.Spec.Provider != hooksv1alpha1.ProviderWebex {
			continue
		}
		token := secret(h.Namespace, h.Spec.CredentialsRef.Name, "token")
		if token == "" || seen[token] {
			continue
		}
		seen[token] = true
		cmds = append(cmds, fmt.Sprintf("curl -s -H 'Authorization: Bearer %s' %s/webhooks", token, apiURL))
	}
	return cmds
}

// runningSimulator is a simulator served on a loopback listener.
type runningSimulator struct {
	simulator
	url    string
	server *http.Server
}

// startSimulators serves each simulator on 127.0.0.1 with a free port. On error it returns the
// ones already started, for stopSimulators.
func startSimulators(sims []simulator) ([]*runningSimulator, error) {
	var started []*runningSimulator
	for _, sim := range sims {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return started, fmt.Errorf("listening for the %s simulator: %w", sim.name, err)
		}
		h, apiPath := sim.handler()
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Printf("the %s simulator stopped: %v\n", sim.name, err)
			}
		}()
		started = append(started, &runningSimulator{simulator: sim, url: "http://" + ln.Addr().String() + apiPath, server: srv})
	}
	return started, nil
}

func stopSimulators(sims []*runningSimulator) {
	for _, s := range sims {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.server.Shutdown(ctx); err != nil {
			_ = s.server.Close()
		}
		cancel()
	}
}
