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
	"fmt"
	"strings"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// secretLookup reads one key of a Secret; "" when it is missing.
type secretLookup func(namespace, name, key string) string

// tryFunc returns shell commands that show a simulator's side of the given Webhooks, whose
// API root is apiURL; secret reads their credentials.
type tryFunc func(apiURL string, hooks []hooksv1alpha1.Webhook, secret secretLookup) []string

// tries holds the commands the demo suggests for each provider's simulator (internal/localenv
// starts the simulators themselves). A provider joins the suggestions with one entry here.
var tries = map[hooksv1alpha1.ProviderType]tryFunc{
	hooksv1alpha1.ProviderWebex:        webexTry,
	hooksv1alpha1.ProviderEightByEight: eightByEightTry,
	hooksv1alpha1.ProviderAutodesk:     autodeskTry,
	hooksv1alpha1.ProviderPageSeeder:   pageSeederTry,
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
