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
	"strings"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	autodeskfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	eightbyeightfake "github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	pageseederfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// secretLookup reads one key of a Secret; "" when it is missing.
type secretLookup func(namespace, name, key string) string

// simulator is one provider simulator of the demo. A provider joins the demo with one entry in
// simulators below.
type simulator struct {
	// name is shown on screen.
	name string
	// provider is the spec.provider of the Webhooks the simulator serves.
	provider hooksv1alpha1.ProviderType
	// flag is the operator flag that receives the simulator's API URL, such as
	// "--webex-api-url"; "" when the URL belongs in the Webhook specs instead (PageSeeder: see
	// sampleRewrites in apply.go).
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
	{name: "Webex", provider: hooksv1alpha1.ProviderWebex, flag: "--webex-api-url", handler: webexHandler, try: webexTry},
	{name: "8x8", provider: hooksv1alpha1.ProviderEightByEight, flag: "--eightbyeight-api-url", handler: eightByEightHandler, try: eightByEightTry},
	{name: "Autodesk", provider: hooksv1alpha1.ProviderAutodesk, flag: "--autodesk-api-url", handler: autodeskHandler, try: autodeskTry},
	{name: "PageSeeder", provider: hooksv1alpha1.ProviderPageSeeder, handler: pageSeederHandler, try: pageSeederTry},
}

// simulatorURL returns the URL of the running simulator of provider, or "".
func simulatorURL(sims []*runningSimulator, provider hooksv1alpha1.ProviderType) string {
	for _, s := range sims {
		if s.provider == provider {
			return s.url
		}
	}
	return ""
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

func eightByEightHandler() (http.Handler, string) {
	s := eightbyeightfake.NewUnstarted()
	s.SetAcceptAnyKey(true) // the samples hold a placeholder API key and account id
	// The client appends /api/v1/accounts/... to the base URL itself, as it does to a region's host.
	return s.Handler(), ""
}

// eightByEightTry lists each account the 8x8 Webhooks name, with the API key they use. 8x8
// shows the delivery secrets as "***": only the simulator's memory holds them.
func eightByEightTry(apiURL string, hooks []hooksv1alpha1.Webhook, secret secretLookup) []string {
	seen := map[string]bool{}
	var cmds []string
	for _, h := range hooks {
		if h.Spec.Provider != hooksv1alpha1.ProviderEightByEight || h.Spec.EightByEight == nil {
			continue
		}
		key := secret(h.Namespace, h.Spec.CredentialsRef.Name, "apiKey")
		account := h.Spec.EightByEight.AccountID
		if key == "" || seen[key+"\n"+account] {
			continue
		}
		seen[key+"\n"+account] = true
		cmds = append(cmds, fmt.Sprintf("curl -s -H %s %s/api/v1/accounts/%s/webhooks",
			shellQuote("Authorization: Bearer "+key), apiURL, account))
	}
	return cmds
}

func autodeskHandler() (http.Handler, string) {
	s := autodeskfake.NewUnstarted()
	s.SetAcceptAnyClient(true) // the samples hold a placeholder client id and secret
	// One host serves /authentication/v2/token and /webhooks/v1, as developer.api.autodesk.com does.
	return s.Handler(), ""
}

// autodeskTry lists the hooks of each app (client id) and region the Autodesk Webhooks use. A
// hook belongs to the app whose token created it, so the listing needs a token of the same
// client first: two commands.
func autodeskTry(apiURL string, hooks []hooksv1alpha1.Webhook, secret secretLookup) []string {
	seen := map[string]bool{}
	var cmds []string
	for _, h := range hooks {
		if h.Spec.Provider != hooksv1alpha1.ProviderAutodesk || h.Spec.Autodesk == nil {
			continue
		}
		region := string(h.Spec.Autodesk.Region)
		if region == "" {
			region = "US"
		}
		key := h.Namespace + "/" + h.Spec.CredentialsRef.Name + "\n" + region
		token, fetch := bearerCommands(h.Namespace, h.Spec.CredentialsRef.Name, secret, apiURL+"/authentication/v2/token", "-d scope=data:read")
		if token == "" || seen[key] {
			continue
		}
		seen[key] = true
		cmds = append(cmds, fetch...)
		cmds = append(cmds, fmt.Sprintf("curl -s -H %s -H %s %s/webhooks/v1/hooks",
			token, shellQuote("x-ads-region: "+region), apiURL))
	}
	return cmds
}

func pageSeederHandler() (http.Handler, string) {
	s := pageseederfake.NewUnstarted()
	// Any client credentials get an administrator's token, and any numeric client exists.
	s.SetAcceptAnyClient(true)
	// PageSeeder would POST a ping to each targetUrl and want X-PS-Secret echoed; the samples'
	// receivers do not exist, so every ping succeeds and the webhooks go from pending to active.
	s.SetPingResult(func(string) error { return nil })
	return s.Handler(), ""
}

// pageSeederTry lists the webhooks of each OAuth client (spec.pageSeeder.client) the
// PageSeeder Webhooks manage, with a token of their credentials.
func pageSeederTry(apiURL string, hooks []hooksv1alpha1.Webhook, secret secretLookup) []string {
	seen := map[string]bool{}
	var cmds []string
	for _, h := range hooks {
		if h.Spec.Provider != hooksv1alpha1.ProviderPageSeeder || h.Spec.PageSeeder == nil {
			continue
		}
		servicePath := h.Spec.PageSeeder.ServicePath
		if servicePath == "" {
			servicePath = "/ps/service"
		}
		token, fetch := bearerCommands(h.Namespace, h.Spec.CredentialsRef.Name, secret, apiURL+"/ps/oauth/token", "")
		key := fmt.Sprintf("%s/%s\n%d", h.Namespace, h.Spec.CredentialsRef.Name, h.Spec.PageSeeder.Client)
		if token == "" || seen[key] {
			continue
		}
		seen[key] = true
		cmds = append(cmds, fetch...)
		cmds = append(cmds, fmt.Sprintf("curl -s -H %s %s%s/clients/%d/webhooks.json",
			token, apiURL, strings.TrimRight(servicePath, "/"), h.Spec.PageSeeder.Client))
	}
	return cmds
}

// bearerCommands returns the Authorization header argument, already quoted for the shell, that
// authenticates as the credentials Secret namespace/name, and the commands that must run first. With
// clientId and clientSecret it fetches a client-credentials token from tokenURL into $TOKEN; with
// a ready-made "token" it uses that. The header is "" when the Secret holds neither.
func bearerCommands(ns, name string, secret secretLookup, tokenURL, extraForm string) (header string, before []string) {
	id, sec := secret(ns, name, "clientId"), secret(ns, name, "clientSecret")
	if id == "" || sec == "" {
		if token := secret(ns, name, "token"); token != "" {
			return shellQuote("Authorization: Bearer " + token), nil
		}
		return "", nil
	}
	form := "-d grant_type=client_credentials"
	if extraForm != "" {
		form += " " + extraForm
	}
	fetch := fmt.Sprintf(`TOKEN=$(curl -s -u %s %s %s | sed -E 's/.*"access_token": *"([^"]*)".*/\1/')`,
		shellQuote(id+":"+sec), form, tokenURL)
	return `"Authorization: Bearer $TOKEN"`, []string{fetch}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
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
