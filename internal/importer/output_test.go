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

package importer

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// seededWebex is a Webex simulator with two webhooks of webexToken, one with a secret that
// cannot be read back (a note), and the credentials file for it.
func seededWebex(t *testing.T) (*webexfake.Server, string) {
	t.Helper()
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	srv.Seed(webexToken, webexfake.Hook{Name: "Alerts", TargetURL: "https://hooks.example.com/alerts",
		Resource: "messages", Event: "created", Secret: webexSigning})
	srv.Seed(webexToken, webexfake.Hook{Name: "Rooms", TargetURL: "https://hooks.example.com/rooms", Resource: "rooms", Event: "all"})
	return srv, credentialsFile(t, "token="+webexToken+"\n")
}

// list is the JSON output: a v1 List.
type list struct {
	APIVersion string                  `json:"apiVersion"`
	Kind       string                  `json:"kind"`
	Items      []hooksv1alpha1.Webhook `json:"items"`
}

// parseList reads the JSON output strictly, so that a misspelt field fails the test.
func parseList(t *testing.T, out string) (list, []map[string]any) {
	t.Helper()
	var l list
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("stdout is not a List of Webhooks: %v\n%s", err, out)
	}
	var raw struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	if l.APIVersion != "v1" || l.Kind != "List" {
		t.Errorf("apiVersion %q kind %q, want a v1 List", l.APIVersion, l.Kind)
	}
	return l, raw.Items
}

// TestImportOutputJSON: -o json prints the Webhooks that -o yaml prints, as one v1 List, with
// no comment; the notes are on stderr either way. -n is --namespace.
func TestImportOutputJSON(t *testing.T) {
	srv, creds := seededWebex(t)
	common := []string{"--provider", "webex", "--credentials-file", creds, "--webex-api-url", srv.URL(), "--allow-insecure-endpoints"}

	asYAML := runCommand(t, append(common, "-n", "chat")...)
	asJSON := runCommand(t, append(common, "-n", "chat", "-o", "json")...)
	longJSON := runCommand(t, append(common, "--namespace=chat", "--output=json")...)
	for name, r := range map[string]result{"yaml": asYAML, "json": asJSON, "json, long flags": longJSON} {
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d, stderr:\n%s", name, r.code, r.stderr)
		}
		assertNoLeak(t, r, webexToken, webexSigning)
		if !strings.Contains(r.stderr, "chat/alerts: spec.webex.secretRef is left out") {
			t.Errorf("%s: the note is not on stderr:\n%s", name, r.stderr)
		}
	}
	if asJSON.stdout != longJSON.stdout {
		t.Errorf("-n/-o and --namespace/--output print different things:\n%s\n%s", asJSON.stdout, longJSON.stdout)
	}
	if strings.Contains(asJSON.stdout, "#") || strings.Contains(asJSON.stdout, "NOTE") {
		t.Errorf("the JSON output carries the notes:\n%s", asJSON.stdout)
	}

	l, raw := parseList(t, asJSON.stdout)
	docs := parseOutput(t, asYAML.stdout)
	if len(l.Items) != 2 || len(docs) != 2 {
		t.Fatalf("%d Webhooks in JSON, %d in YAML, want 2", len(l.Items), len(docs))
	}
	for i, h := range l.Items {
		if h.Namespace != "chat" || h.Kind != "Webhook" || h.APIVersion != "hooks.hookkeeper.dev/v1alpha1" {
			t.Errorf("item %d: %s %s/%s", i, h.APIVersion+"/"+h.Kind, h.Namespace, h.Name)
		}
		if !equality.Semantic.DeepEqual(h, docs[i].hook) {
			t.Errorf("item %d differs between JSON and YAML:\njson %+v\nyaml %+v", i, h, docs[i].hook)
		}
		if _, ok := raw[i]["status"]; ok {
			t.Errorf("item %d has a status", i)
		}
		if meta, _ := raw[i]["metadata"].(map[string]any); meta != nil {
			if _, ok := meta["creationTimestamp"]; ok {
				t.Errorf("item %d has a creationTimestamp", i)
			}
		}
	}
}

// TestImportOutputJSONEmpty: an account without webhooks is an empty List, still valid JSON.
func TestImportOutputJSONEmpty(t *testing.T) {
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	creds := credentialsFile(t, "token="+webexToken+"\n")
	r := runCommand(t, "--provider", "webex", "--credentials-file", creds, "--webex-api-url", srv.URL(), "--allow-insecure-endpoints", "-o", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	l, _ := parseList(t, r.stdout)
	if len(l.Items) != 0 || !bytes.Contains([]byte(r.stdout), []byte(`"items": []`)) {
		t.Errorf("want an empty List, got:\n%s", r.stdout)
	}
}

// TestImportOutputFlags: the short flags are in the help, and a wrong value of either is a
// usage error before any request.
func TestImportOutputFlags(t *testing.T) {
	creds := credentialsFile(t, "token="+webexToken+"\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"-o", "xml"}, `--output "xml" is not one of yaml, json`},
		{"upper case format", []string{"--output=JSON"}, `--output "JSON" is not one of yaml, json`},
		{"invalid namespace", []string{"-n", "Chat_Room"}, `--namespace "Chat_Room" is not a valid namespace`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// An unreachable API: a usage error must come before any request.
			args := append([]string{"--provider", "webex", "--credentials-file", creds, "--webex-api-url", "http://127.0.0.1:1", "--allow-insecure-endpoints"}, tc.args...)
			r := runCommand(t, args...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Errorf("exit %d, want %d with %q; stderr:\n%s\nstdout:\n%s", r.code, ExitUsage, tc.want, r.stderr, r.stdout)
			}
		})
	}
	r := runCommand(t, "--help")
	for _, want := range []string{"  -n string", "  -o string", "  -output string", "Short for --namespace.", "-o json"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the help does not show %q:\n%s", want, r.stdout)
		}
	}
}
