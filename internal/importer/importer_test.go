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
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	autodeskfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
	eightbyeightfake "github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
	pageseederfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
	"github.com/hookkeeper/hookkeeper/providers/webex"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

const (
	webexToken      = "tok-import-3c9a1e77"
	webexSigning    = "sig-import-b2d4f6"
	apiKey          = "key-import-51f0aa3c"
	account         = "6a1c3e5f-7b9d-4f1e-a2c4-e6f8a0b2c4d6"
	delivery        = "Bearer delivery-7e1d"
	oauthSecret     = "oauth-import-9f3b"
	apsClientID     = "aps-import-client"
	apsClientSecret = "aps-import-secret-0c4e"
	folder          = "urn:adsk.wipprod:fs.folder:co.import"
	psClientID      = "ps-import-client"
	psClientSecret  = "ps-import-secret-88a1"
	psClient        = int64(123)
)

// result is what one run of the command produced.
type result struct {
	code           int
	stdout, stderr string
}

func runCommand(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, "", &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// credentialsFile writes content to a file of the test's own and returns its path.
func credentialsFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials.env")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// parsed is one document of the output: the Webhook and the comment lines above it.
type parsed struct {
	hook     hooksv1alpha1.Webhook
	raw      map[string]any
	comments []string
}

// parseOutput reads the YAML stream back, strictly, so that a misspelt field fails the test.
func parseOutput(t *testing.T, out string) []parsed {
	t.Helper()
	if out == "" {
		return nil
	}
	if !strings.HasPrefix(out, "---\n") {
		t.Fatalf("output does not start with ---:\n%s", out)
	}
	var docs []parsed
	for _, chunk := range strings.Split(strings.TrimPrefix(out, "---\n"), "\n---\n") {
		var p parsed
		for _, line := range strings.Split(chunk, "\n") {
			if c, ok := strings.CutPrefix(line, "#   "); ok && len(p.comments) > 0 {
				p.comments[len(p.comments)-1] += " " + c
			} else if c, ok := strings.CutPrefix(line, "# "); ok {
				p.comments = append(p.comments, c)
			}
		}
		if err := yaml.UnmarshalStrict([]byte(chunk), &p.hook); err != nil {
			t.Fatalf("document does not read as a Webhook: %v\n%s", err, chunk)
		}
		if err := yaml.Unmarshal([]byte(chunk), &p.raw); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, p)
	}
	return docs
}

// byName indexes documents by metadata.name.
func byName(docs []parsed) map[string]parsed {
	m := map[string]parsed{}
	for _, d := range docs {
		m[d.hook.Name] = d
	}
	return m
}

// listRemotes lists the account as the command did, to compare the output with.
func listRemotes(t *testing.T, p importable, scope *providers.Request) []*providers.Remote {
	t.Helper()
	remotes, err := p.List(context.Background(), scope)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return remotes
}

// checkDocs checks what every imported Webhook must satisfy: the kind, the namespace, a valid
// unique name, the external id of one of the remotes, no status, the CRD schema, the provider's
// validation, and that adopting it would change nothing remotely. Documents come ordered by id.
func checkDocs(t *testing.T, docs []parsed, p importable, remotes []*providers.Remote, namespace string) {
	t.Helper()
	byID := map[string]*providers.Remote{}
	for _, r := range remotes {
		byID[r.ID] = r
	}
	schema := loadSchema(t)
	names := map[string]bool{}
	var ids []string
	for _, d := range docs {
		h := d.hook
		if h.APIVersion != "hooks.hookkeeper.dev/v1alpha1" || h.Kind != "Webhook" || h.Namespace != namespace {
			t.Errorf("%s: apiVersion %q kind %q namespace %q", h.Name, h.APIVersion, h.Kind, h.Namespace)
		}
		if errs := validation.IsDNS1123Subdomain(h.Name); len(errs) > 0 || names[h.Name] {
			t.Errorf("name %q is invalid or repeated: %v", h.Name, errs)
		}
		names[h.Name] = true
		if _, ok := d.raw["status"]; ok {
			t.Errorf("%s: the output has a status", h.Name)
		}
		if meta, _ := d.raw["metadata"].(map[string]any); meta != nil {
			if _, ok := meta["creationTimestamp"]; ok {
				t.Errorf("%s: the output has a creationTimestamp", h.Name)
			}
		}
		id := h.Annotations[hooksv1alpha1.AnnotationExternalID]
		ids = append(ids, id)
		remote := byID[id]
		if remote == nil {
			t.Errorf("%s: external id %q is not a remote webhook", h.Name, id)
			continue
		}
		for _, e := range checkSchema(schema, d.raw, "") {
			t.Errorf("%s: CRD schema: %s", h.Name, e)
		}
		req := &providers.Request{Owner: h.Namespace + "/" + h.Name, Spec: &h.Spec}
		if err := p.Validate(req); err != nil {
			t.Errorf("%s: Validate: %v", h.Name, err)
		}
		if diff := p.Diff(req, remote); diff.Action != providers.ActionNone {
			t.Errorf("%s: adopting it would %v %v", h.Name, diff.Action, diff.Fields)
		}
	}
	if !slices.IsSortedFunc(ids, compareIDs) {
		t.Errorf("Webhooks are not ordered by id: %v", ids)
	}
}

// assertNoLeak fails when any secret value reached stdout or stderr.
func assertNoLeak(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Errorf("a secret value %q was printed:\nstdout:\n%s\nstderr:\n%s", s, r.stdout, r.stderr)
		}
	}
}

func hasNote(d parsed, substr string) bool {
	return slices.ContainsFunc(d.comments, func(c string) bool { return strings.Contains(c, substr) })
}

func TestImportWebex(t *testing.T) {
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	srv.Seed(webexToken, webexfake.Hook{Name: "Alerts for Team A", TargetURL: "https://hooks.example.com/alerts",
		Resource: "messages", Event: "created", Filter: "roomId=Y2lzY29zcGFyazovL3VzL1JPT00vYWJj", Secret: webexSigning})
	rooms := srv.Seed(webexToken, webexfake.Hook{Name: "rooms", TargetURL: "https://hooks.example.com/rooms", Resource: "rooms", Event: "all"})
	srv.Disable(rooms.ID)
	// Another user's webhook is not in the token's list.
	srv.Seed("someone-else", webexfake.Hook{Name: "not mine", TargetURL: "https://elsewhere.example.com", Resource: "rooms", Event: "all"})

	creds := credentialsFile(t, "# Webex bot\n\ntoken=\""+webexToken+"\"\n")
	r := runCommand(t, "--provider", "Webex", "--credentials-file", creds, "--webex-api-url", srv.URL(), "--allow-insecure-endpoints",
		"--namespace", "chat", "--name-prefix", "imported-", "--credentials-secret", "webex-bot")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	assertNoLeak(t, r, webexToken, webexSigning)
	docs := parseOutput(t, r.stdout)
	p := webex.New(webex.Options{BaseURL: srv.URL()})
	scope := &providers.Request{Spec: &hooksv1alpha1.WebhookSpec{Webex: &hooksv1alpha1.WebexSpec{}},
		Credentials: map[string][]byte{webex.CredentialToken: []byte(webexToken)}}
	remotes := listRemotes(t, p, scope)
	if len(docs) != 2 || len(remotes) != 2 {
		t.Fatalf("%d Webhooks for %d remote webhooks, want 2", len(docs), len(remotes))
	}
	checkDocs(t, docs, p, remotes, "chat")

	hooks := byName(docs)
	alerts, ok := hooks["imported-alerts-for-team-a"]
	if !ok {
		t.Fatalf("no Webhook imported-alerts-for-team-a among %v", slices.Sorted(maps.Keys(hooks)))
	}
	spec := alerts.hook.Spec
	if spec.Provider != hooksv1alpha1.ProviderWebex || spec.TargetURL != "https://hooks.example.com/alerts" ||
		spec.CredentialsRef.Name != "webex-bot" || spec.Webex.Name != "Alerts for Team A" || spec.Webex.Resource != "messages" ||
		spec.Webex.Event != "created" || spec.Webex.Filter != "roomId=Y2lzY29zcGFyazovL3VzL1JPT00vYWJj" || spec.Webex.SecretRef != nil {
		t.Errorf("alerts spec = %+v %+v", spec, spec.Webex)
	}
	if !hasNote(alerts, "spec.webex.secretRef is left out") || !strings.Contains(r.stderr, "chat/imported-alerts-for-team-a: spec.webex.secretRef") {
		t.Errorf("no note about the signing secret; comments %q, stderr:\n%s", alerts.comments, r.stderr)
	}
	roomsDoc, ok := hooks["imported-rooms"]
	if !ok || roomsDoc.hook.Annotations[hooksv1alpha1.AnnotationExternalID] != rooms.ID {
		t.Fatalf("no Webhook imported-rooms for %s", rooms.ID)
	}
	if roomsDoc.hook.Spec.Enabled != nil || !hasNote(roomsDoc, `reports the webhook "inactive"`) || hasNote(roomsDoc, "secretRef") {
		t.Errorf("rooms: enabled %v, comments %q", roomsDoc.hook.Spec.Enabled, roomsDoc.comments)
	}
	if !strings.Contains(r.stderr, "2 webex webhook(s) found in "+srv.URL()+"/webhooks") {
		t.Errorf("no summary on stderr:\n%s", r.stderr)
	}
}

func TestImportEightByEight(t *testing.T) {
	srv := eightbyeightfake.New()
	t.Cleanup(srv.Close)
	srv.AddKey(apiKey, account)
	srv.Seed(account, eightbyeightfake.Hook{SubAccountID: "*", Type: "MSG", URL: "https://hooks.example.com/8x8/msg",
		Enabled: true, HTTPAuthorization: delivery})
	srv.Seed(account, eightbyeightfake.Hook{SubAccountID: "Onion_Marketing", Type: "CADR", URL: "https://hooks.example.com/8x8/dr",
		OAuth: &eightbyeightfake.OAuth{URL: "https://auth.example.com/token", ClientID: "dr-client", ClientSecret: oauthSecret,
			CredentialsLocation: "body", Scope: "receipts"}})

	creds := credentialsFile(t, "export apiKey='"+apiKey+"'\n")
	r := runCommand(t, "--provider=eightbyeight", "--credentials-file="+creds, "--eightbyeight-api-url="+srv.URL(),
		"--allow-insecure-endpoints", "--account-id="+account, "--region=eu")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	assertNoLeak(t, r, apiKey, delivery, oauthSecret, "***")
	docs := parseOutput(t, r.stdout)
	p := eightbyeight.New(eightbyeight.Options{BaseURL: srv.URL()})
	scope := &providers.Request{Spec: &hooksv1alpha1.WebhookSpec{EightByEight: &hooksv1alpha1.EightByEightSpec{AccountID: account}},
		Credentials: map[string][]byte{eightbyeight.CredentialAPIKey: []byte(apiKey)}}
	remotes := listRemotes(t, p, scope)
	if len(docs) != 2 || len(remotes) != 2 {
		t.Fatalf("%d Webhooks for %d remote webhooks, want 2", len(docs), len(remotes))
	}
	checkDocs(t, docs, p, remotes, "default")

	hooks := byName(docs)
	msg, ok := hooks["msg-all"]
	if !ok {
		t.Fatalf("no Webhook msg-all among %v", slices.Sorted(maps.Keys(hooks)))
	}
	// 8x8 keys an account by its GUID: the import writes it in its one spelling.
	canonical := strings.ReplaceAll(account, "-", "")
	if got := msg.hook.Annotations[hooksv1alpha1.AnnotationExternalID]; got != canonical+"/*/MSG" {
		t.Errorf("external id = %q", got)
	}
	s := msg.hook.Spec
	if s.CredentialsRef.Name != "eightbyeight-credentials" || s.Enabled != nil || s.EightByEight.Region != "EU" ||
		s.EightByEight.AccountID != canonical || s.EightByEight.SubAccountID != "*" || s.EightByEight.Type != "MSG" ||
		s.EightByEight.AuthorizationSecretRef == nil || *s.EightByEight.AuthorizationSecretRef != (hooksv1alpha1.SecretKeySelector{Name: "msg-all", Key: "authorization"}) {
		t.Errorf("msg spec = %+v %+v", s, s.EightByEight)
	}
	if !hasNote(msg, `Create Secret default/msg-all with the key "authorization" holding it`) {
		t.Errorf("no note about the Secret to create: %q", msg.comments)
	}
	dr, ok := hooks["cadr-onion-marketing"]
	if !ok {
		t.Fatalf("no Webhook cadr-onion-marketing among %v", slices.Sorted(maps.Keys(hooks)))
	}
	o := dr.hook.Spec.EightByEight.OAuth
	if dr.hook.Spec.IsEnabled() || o == nil || o.TokenURL != "https://auth.example.com/token" || o.ClientID != "dr-client" ||
		o.CredentialsLocation != "body" || o.Scope != "receipts" ||
		o.ClientSecretRef != (hooksv1alpha1.SecretKeySelector{Name: "cadr-onion-marketing", Key: "oauthClientSecret"}) {
		t.Errorf("cadr spec: enabled %v, oauth %+v", dr.hook.Spec.IsEnabled(), o)
	}
	if !hasNote(dr, `Create Secret default/cadr-onion-marketing with the key "oauthClientSecret"`) || !hasNote(dr, "hence enabled: false") {
		t.Errorf("cadr comments: %q", dr.comments)
	}
}

func TestImportAutodesk(t *testing.T) {
	srv := autodeskfake.New()
	t.Cleanup(srv.Close)
	srv.AddClient(apsClientID, apsClientSecret)
	first := srv.Seed(apsClientID, autodeskfake.Hook{System: "data", Event: "dm.version.added", CallbackURL: "https://hooks.example.com/aps/a",
		Scope: map[string]string{"folder": folder}, Tenant: folder, Region: "EMEA", Token: "aps-signing-a"})
	second := srv.Seed(apsClientID, autodeskfake.Hook{System: "data", Event: "dm.version.added", CallbackURL: "https://hooks.example.com/aps/b",
		Scope: map[string]string{"folder": folder + "2"}, Region: "EMEA", Status: "inactive", AutoReactivateHook: true,
		HookAttribute: []byte(`{"team":"b"}`), Filter: "$[?(@.ext=='rvt')]", HookExpiry: "2031-01-02T03:04:05.000Z",
		CallbackWithEventPayloadOnly: "true"})
	srv.Seed(apsClientID, autodeskfake.Hook{System: "data", Event: "dm.folder.added", CallbackURL: "https://hooks.example.com/aps/us",
		Scope: map[string]string{"folder": folder}, Region: "US"})

	creds := credentialsFile(t, "clientId="+apsClientID+"\nclientSecret="+apsClientSecret+"\n")
	r := runCommand(t, "--provider", "autodesk", "--credentials-file", creds, "--autodesk-api-url", srv.URL(), "--allow-insecure-endpoints",
		"--region", "emea", "--name-prefix", "aps.")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	assertNoLeak(t, r, apsClientSecret, "aps-signing-a")
	docs := parseOutput(t, r.stdout)
	p := autodesk.New(autodesk.Options{BaseURL: srv.URL()})
	scope := &providers.Request{Spec: &hooksv1alpha1.WebhookSpec{Autodesk: &hooksv1alpha1.AutodeskSpec{Region: "EMEA"}},
		Credentials: map[string][]byte{autodesk.CredentialClientID: []byte(apsClientID), autodesk.CredentialClientSecret: []byte(apsClientSecret)}}
	remotes := listRemotes(t, p, scope)
	if len(docs) != 2 || len(remotes) != 2 {
		t.Fatalf("%d Webhooks for %d remote webhooks in EMEA, want 2", len(docs), len(remotes))
	}
	checkDocs(t, docs, p, remotes, "default")

	// Two hooks of the same event: the one with the smaller id keeps the plain name.
	ids := []string{first.HookID, second.HookID}
	slices.Sort(ids)
	want := map[string]string{ids[0]: "aps.data-dm-version-added", ids[1]: "aps.data-dm-version-added-2"}
	for _, d := range docs {
		id := d.hook.Annotations[hooksv1alpha1.AnnotationExternalID]
		if d.hook.Name != want[id] {
			t.Errorf("hook %s is named %q, want %q", id, d.hook.Name, want[id])
		}
		if d.hook.Spec.Autodesk.SecretRef != nil || !hasNote(d, "spec.autodesk.secretRef is left out") {
			t.Errorf("%s: secretRef %v, comments %q", d.hook.Name, d.hook.Spec.Autodesk.SecretRef, d.comments)
		}
		a := d.hook.Spec.Autodesk
		switch id {
		case first.HookID:
			if d.hook.Spec.Enabled != nil || a.Region != "EMEA" || a.System != "data" || a.Event != "dm.version.added" ||
				a.Scope["folder"] != folder || a.Tenant != "" || a.HookAttribute != nil || a.HookExpiry != nil {
				t.Errorf("first hook spec = %+v %+v", d.hook.Spec, a)
			}
		case second.HookID:
			if d.hook.Spec.IsEnabled() || a.AutoReactivateHook == nil || !*a.AutoReactivateHook || a.Filter != "$[?(@.ext=='rvt')]" ||
				a.HookAttribute == nil || string(a.HookAttribute.Raw) != `{"team":"b"}` || a.HookExpiry == nil ||
				a.HookExpiry.UTC().Format("2006-01-02T15:04:05Z") != "2031-01-02T03:04:05Z" ||
				a.CallbackWithEventPayloadOnly == nil || !*a.CallbackWithEventPayloadOnly {
				t.Errorf("second hook spec = %+v %+v", d.hook.Spec, a)
			}
			if !hasNote(d, `APS reports the webhook "inactive", hence enabled: false`) {
				t.Errorf("second hook comments: %q", d.comments)
			}
		}
	}
}

func TestImportPageSeeder(t *testing.T) {
	srv := pageseederfake.New()
	t.Cleanup(srv.Close)
	srv.AddClient(psClientID, psClientSecret, psClient)
	var seeded []pageseederfake.Hook
	for range 10 {
		// Ten webhooks, so that ids 1 to 10 show that they are ordered as numbers.
		seeded = append(seeded, srv.Seed(psClient, pageseederfake.Hook{Name: "Publishing", URL: "https://hooks.example.com/ps",
			Events: "uri.modified,comment.*", Groups: "acme-docs", Status: pageseederfake.StatusActive}))
	}
	srv.Seed(psClient, pageseederfake.Hook{Name: "Pending one", URL: "https://hooks.example.com/ps/pending", Format: "xml", Server: true})
	srv.Seed(psClient+1, pageseederfake.Hook{Name: "Other client", URL: "https://hooks.example.com/other"})

	creds := credentialsFile(t, "clientId = "+psClientID+"\r\nclientSecret = \""+psClientSecret+"\"\r\n")
	r := runCommand(t, "--provider", "PageSeeder", "--credentials-file", creds, "--server-url", srv.URL(), "--client", "123",
		"--service-path", "/ps/service", "--allow-insecure-endpoints", "--namespace", "docs")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	assertNoLeak(t, r, psClientSecret)
	docs := parseOutput(t, r.stdout)
	p := pageseeder.New(pageseeder.Options{AllowInsecure: true, Egress: anyEndpoint})
	scope := &providers.Request{
		Spec:        &hooksv1alpha1.WebhookSpec{PageSeeder: &hooksv1alpha1.PageSeederSpec{ServerURL: srv.URL(), Client: psClient}},
		Credentials: map[string][]byte{pageseeder.CredentialClientID: []byte(psClientID), pageseeder.CredentialClientSecret: []byte(psClientSecret)},
	}
	// The pending webhook only asks for its ping, which checkCommon would count as a change.
	active := slices.DeleteFunc(slices.Clone(docs), func(d parsed) bool { return d.hook.Name == "pending-one" })
	if len(active) != len(seeded) {
		t.Fatalf("%d active Webhooks, want %d", len(active), len(seeded))
	}
	remotes := listRemotes(t, p, scope)
	if len(docs) != 11 || len(remotes) != 11 {
		t.Fatalf("%d Webhooks for %d remote webhooks, want 11", len(docs), len(remotes))
	}
	checkDocs(t, active, p, remotes, "docs")

	for i, d := range docs[:len(seeded)] {
		wantName := "publishing"
		if i > 0 {
			wantName += "-" + strconv.Itoa(i+1)
		}
		s := d.hook.Spec.PageSeeder
		if d.hook.Name != wantName || d.hook.Annotations[hooksv1alpha1.AnnotationExternalID] != strconv.FormatInt(seeded[i].ID, 10) {
			t.Errorf("document %d is %s for %s, want %s for %d", i, d.hook.Name, d.hook.Annotations[hooksv1alpha1.AnnotationExternalID], wantName, seeded[i].ID)
		}
		if s.ServerURL != srv.URL() || s.ServicePath != "/ps/service" || s.Client != psClient || s.Name != "Publishing" ||
			!slices.Equal(s.Events, []string{"comment.*", "uri.modified"}) || !slices.Equal(s.Groups, []string{"acme-docs"}) ||
			s.Format != "" || s.Object != "" || d.hook.Spec.CredentialsRef.Name != "pageseeder-credentials" {
			t.Errorf("%s spec = %+v", d.hook.Name, s)
		}
	}
	pending := byName(docs)["pending-one"]
	if s := pending.hook.Spec.PageSeeder; s == nil || s.Format != "xml" || s.Server == nil || !*s.Server || pending.hook.Spec.Enabled != nil ||
		!hasNote(pending, "pending") {
		t.Errorf("pending webhook = %+v, comments %q", pending.hook.Spec, pending.comments)
	}
}
