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
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/accounts"
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

// secretNamespace is where the platform team keeps the ClusterAccounts' credentials.
const secretNamespace = "hookkeeper-system"

// newCluster is a cluster without an API server, holding objs, as the command reads it.
func newCluster(t *testing.T, objs ...client.Object) client.WithWatch {
	t.Helper()
	s, err := clusterScheme()
	if err != nil {
		t.Fatal(err)
	}
	return fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).Build()
}

func runOnCluster(t *testing.T, c client.Reader, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runWith(context.Background(), args, "", &stdout, &stderr, c)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func secret(namespace, name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func namespace(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

// checkAccountDocs checks what every Webhook imported from an account must satisfy: on top of
// checkDocs's rules, it names the account and no credentials Secret, sets no account-level
// field, and, completed with the account's fields as the operator does, passes the provider's
// validation and would change nothing remotely unless a note says what it changes.
func checkAccountDocs(t *testing.T, docs []parsed, p importable, view *accounts.View, remotes []*providers.Remote, ns string) {
	t.Helper()
	byID := map[string]*providers.Remote{}
	for _, r := range remotes {
		byID[r.ID] = r
	}
	schema := loadSchema(t)
	names := map[string]bool{}
	for _, d := range docs {
		h := d.hook
		if h.APIVersion != "hooks.hookkeeper.dev/v1alpha1" || h.Kind != "Webhook" || h.Namespace != ns || names[h.Name] {
			t.Errorf("%s: apiVersion %q kind %q namespace %q (repeated: %v)", h.Name, h.APIVersion, h.Kind, h.Namespace, names[h.Name])
		}
		names[h.Name] = true
		spec, _ := d.raw["spec"].(map[string]any)
		if _, ok := spec["credentialsRef"]; ok || h.Spec.CredentialsRef != nil {
			t.Errorf("%s: the output has a credentialsRef", h.Name)
		}
		if ref := h.Spec.AccountRef; ref == nil || ref.Kind != view.Kind || ref.Name != view.Name {
			t.Errorf("%s: accountRef %+v, want %s %s", h.Name, ref, view.Kind, view.Name)
		}
		if w := h.Spec.EightByEight; w != nil && (w.AccountID != "" || w.Region != "" || view.Settings.EightByEight.OAuth != nil && w.OAuth != nil) {
			t.Errorf("%s: account-level 8x8 fields in the output: %+v", h.Name, w)
		}
		if w := h.Spec.Autodesk; w != nil && w.Region != "" {
			t.Errorf("%s: account-level APS region in the output: %q", h.Name, w.Region)
		}
		if w := h.Spec.PageSeeder; w != nil && (w.ServerURL != "" || w.ServicePath != "" || w.Client != 0) {
			t.Errorf("%s: account-level PageSeeder fields in the output: %+v", h.Name, w)
		}
		for _, e := range checkSchema(schema, d.raw, "") {
			t.Errorf("%s: CRD schema: %s", h.Name, e)
		}
		remote := byID[h.Annotations[hooksv1alpha1.AnnotationExternalID]]
		if remote == nil {
			t.Errorf("%s: external id %q is not a remote webhook", h.Name, h.Annotations[hooksv1alpha1.AnnotationExternalID])
			continue
		}
		resolved, err := view.Resolve(&h.Spec)
		if err != nil {
			t.Errorf("%s: the operator would refuse its spec on %s: %v", h.Name, view, err)
			continue
		}
		req := &providers.Request{Owner: h.Namespace + "/" + h.Name, Spec: resolved.Spec}
		if err := p.Validate(req); err != nil {
			t.Errorf("%s: Validate: %v", h.Name, err)
		}
		if diff := p.Diff(req, remote); diff.Action != providers.ActionNone && !hasNote(d, "applying this Webhook") {
			t.Errorf("%s: adopting it would %v %v, and no note says so", h.Name, diff.Action, diff.Fields)
		}
	}
}

// webexAccount is a ClusterAccount that lets namespaces labelled webex=allowed, and two named
// ones, use a Webex bot's token.
func webexAccount() *hooksv1alpha1.ClusterAccount {
	return &hooksv1alpha1.ClusterAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "corp-webex"},
		Spec: hooksv1alpha1.ClusterAccountSpec{
			CredentialsRef: hooksv1alpha1.SecretReference{Namespace: secretNamespace, Name: "webex-bot"},
			Conditions: []hooksv1alpha1.AccountCondition{
				{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"webex": "allowed"}}},
				{Namespaces: []string{"team-z", "secret-team"}},
			},
			AccountSettings: hooksv1alpha1.AccountSettings{
				Provider:       hooksv1alpha1.ProviderWebex,
				AllowedTargets: []string{"https://*.corp.example/"},
				Limits:         &hooksv1alpha1.AccountLimits{WebhooksPerNamespace: new(int32(2))},
				AllowAdoption:  new(true),
			},
		},
	}
}

func TestImportClusterAccountWebex(t *testing.T) {
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	alerts := srv.Seed(webexToken, webexfake.Hook{Name: "Alerts", TargetURL: "https://hooks.corp.example/alerts",
		Resource: "messages", Event: "created", Secret: webexSigning})
	elsewhere := srv.Seed(webexToken, webexfake.Hook{Name: "Team B's", TargetURL: "https://b.corp.example/hook", Resource: "rooms", Event: "all"})
	here := srv.Seed(webexToken, webexfake.Hook{Name: "Team A's", TargetURL: "https://a.corp.example/hook", Resource: "rooms", Event: "all"})
	outside := srv.Seed(webexToken, webexfake.Hook{Name: "Outside", TargetURL: "https://hooks.other.example/x", Resource: "memberships", Event: "all"})

	p := webex.New(webex.Options{BaseURL: srv.URL()})
	scope := &providers.Request{Spec: &hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, Webex: &hooksv1alpha1.WebexSpec{}},
		Credentials: map[string][]byte{webex.CredentialToken: []byte(webexToken)}}
	ident := string(hooksv1alpha1.ProviderWebex) + "|" + p.Account(scope)

	ca := webexAccount()
	// Team B's Webhook records its remote webhook; team A's was applied and names its id.
	teamB := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "team-b", Name: "rooms"},
		Spec: hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, TargetURL: "https://b.corp.example/hook",
			AccountRef: &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: ca.Name}},
		Status: hooksv1alpha1.WebhookStatus{ID: elsewhere.ID, RemoteAccount: ident}}
	teamA := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "rooms",
		Annotations: map[string]string{hooksv1alpha1.AnnotationExternalID: here.ID}},
		Spec: hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, TargetURL: "https://a.corp.example/hook",
			AccountRef: &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: ca.Name}}}
	// A Webhook named as the output would name the first one, on another account.
	taken := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "alerts"},
		Spec: hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, TargetURL: "https://a.corp.example/mine",
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "own-token"}},
		Status: hooksv1alpha1.WebhookStatus{ID: "Y2lzY29zcGFyazovL3VzL1dFQkhPT0svb3du", RemoteAccount: ident}}
	c := newCluster(t, ca, teamA, teamB, taken,
		namespace("team-a", map[string]string{"webex": "allowed"}),
		secret(secretNamespace, "webex-bot", map[string]string{"token": webexToken}))

	r := runOnCluster(t, c, "--cluster-account", "corp-webex", "--namespace", "team-a", "--webex-api-url", srv.URL(), "--allow-insecure-endpoints")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	assertNoLeak(t, r, webexToken, webexSigning)
	docs := parseOutput(t, r.stdout)
	if len(docs) != 2 {
		t.Fatalf("%d Webhooks, want 2 (the two that no Webhook manages):\n%s", len(docs), r.stdout)
	}
	checkAccountDocs(t, docs, p, accounts.FromClusterAccount(ca), listRemotes(t, p, scope), "team-a")
	hooks := byName(docs)
	a, ok := hooks["alerts-2"]
	if !ok || a.hook.Annotations[hooksv1alpha1.AnnotationExternalID] != alerts.ID {
		t.Fatalf("no Webhook alerts-2 for %s (alerts is taken) among %v", alerts.ID, slices.Sorted(maps.Keys(hooks)))
	}
	if !hasNote(a, "spec.webex.secretRef is left out") || hasNote(a, "TargetNotPermitted") {
		t.Errorf("alerts-2 comments: %q", a.comments)
	}
	o, ok := hooks["outside"]
	if !ok || o.hook.Annotations[hooksv1alpha1.AnnotationExternalID] != outside.ID {
		t.Fatalf("no Webhook outside for %s among %v", outside.ID, slices.Sorted(maps.Keys(hooks)))
	}
	if !hasNote(o, "refuses this Webhook (TargetNotPermitted)") || !hasNote(o, "https://*.corp.example/") {
		t.Errorf("outside comments: %q", o.comments)
	}
	for _, want := range []string{
		"skipped webhook " + elsewhere.ID + ": a Webhook in another namespace already manages it",
		"skipped webhook " + here.ID + ": Webhook team-a/rooms already manages it",
		`allows 2 Webhooks per namespace (spec.limits.webhooksPerNamespace); namespace "team-a" has 1 on it and 2 are printed`,
		`2 webex webhook(s) found in ` + srv.URL() + `/webhooks of ClusterAccount "corp-webex", and 2 that Webhooks already manage`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr+r.stdout, "team-b") {
		t.Errorf("the output names another namespace:\n%s\n%s", r.stdout, r.stderr)
	}

	// --owned-by is Webex's own listing scope, not an account-level field: it goes with an account.
	r = runOnCluster(t, c, "--cluster-account", "corp-webex", "-n", "team-a", "--webex-api-url", srv.URL(), "--allow-insecure-endpoints",
		"--owned-by", "org", "-o", "json")
	if r.code != ExitOK || !strings.Contains(r.stderr, "/webhooks?ownedBy=org of ClusterAccount") || !strings.Contains(r.stdout, `"kind": "List"`) {
		t.Errorf("--owned-by org: exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestImportAccountEightByEight(t *testing.T) {
	srv := eightbyeightfake.New()
	t.Cleanup(srv.Close)
	srv.AddKey(apiKey, account)
	oauth := eightbyeightfake.OAuth{URL: "https://auth.example.com/token", ClientID: "dr-client", ClientSecret: oauthSecret,
		CredentialsLocation: "body", Scope: "receipts"}
	srv.Seed(account, eightbyeightfake.Hook{SubAccountID: "*", Type: "MSG", URL: "https://hooks.example.com/8x8/msg",
		Enabled: true, HTTPAuthorization: delivery})
	srv.Seed(account, eightbyeightfake.Hook{SubAccountID: "Onion_Marketing", Type: "CADR", URL: "https://hooks.example.com/8x8/dr",
		Enabled: true, OAuth: &oauth})
	srv.Seed(account, eightbyeightfake.Hook{SubAccountID: "Plain", Type: "MSG", URL: "https://hooks.example.com/8x8/plain", Enabled: true})

	acct := &hooksv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: "chat", Name: "eight"},
		Spec: hooksv1alpha1.AccountSpec{
			CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "eight-credentials"},
			AccountSettings: hooksv1alpha1.AccountSettings{
				Provider: hooksv1alpha1.ProviderEightByEight,
				EightByEight: &hooksv1alpha1.EightByEightAccount{AccountID: strings.ToUpper(account), Region: "EU",
					OAuth: &hooksv1alpha1.EightByEightOAuth{TokenURL: oauth.URL, ClientID: oauth.ClientID, CredentialsLocation: "body", Scope: "receipts",
						ClientSecretRef: hooksv1alpha1.SecretKeySelector{Name: "eight-oauth", Key: "clientSecret"}}},
			},
		},
	}
	c := newCluster(t, acct, secret("chat", "eight-credentials", map[string]string{"apiKey": apiKey}))
	r := runOnCluster(t, c, "--account", "chat/eight", "--eightbyeight-api-url", srv.URL(), "--allow-insecure-endpoints", "--name-prefix", "sms-")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	assertNoLeak(t, r, apiKey, delivery, oauthSecret, "***")
	docs := parseOutput(t, r.stdout)
	p := eightbyeight.New(eightbyeight.Options{BaseURL: srv.URL()})
	scope := &providers.Request{Spec: &hooksv1alpha1.WebhookSpec{EightByEight: &hooksv1alpha1.EightByEightSpec{AccountID: account}},
		Credentials: map[string][]byte{eightbyeight.CredentialAPIKey: []byte(apiKey)}}
	if len(docs) != 3 {
		t.Fatalf("%d Webhooks, want 3:\n%s", len(docs), r.stdout)
	}
	checkAccountDocs(t, docs, p, accounts.FromAccount(acct), listRemotes(t, p, scope), "chat")
	hooks := byName(docs)
	msg, dr, plain := hooks["sms-msg-all"], hooks["sms-cadr-onion-marketing"], hooks["sms-msg-plain"]
	if msg.hook.Name == "" || dr.hook.Name == "" || plain.hook.Name == "" {
		t.Fatalf("Webhooks %v", slices.Sorted(maps.Keys(hooks)))
	}
	for _, d := range docs {
		w := d.hook.Spec.EightByEight
		if w == nil || w.OAuth != nil || w.AuthorizationSecretRef != nil || w.SubAccountID == "" || w.Type == "" {
			t.Errorf("%s: eightByEight %+v", d.hook.Name, w)
		}
		if hasNote(d, "Create Secret") || hasNote(d, "oauth.clientSecretRef") {
			t.Errorf("%s asks for a Secret the account holds: %q", d.hook.Name, d.comments)
		}
	}
	if !hasNote(msg, `spec.eightByEight.authorizationSecretRef is left out: cannot be set on a Webhook on Account "eight": its account sets spec.eightByEight.oauth`) ||
		!hasNote(msg, "applying this Webhook updates the remote webhook: eightByEight.authorizationSecretRef, eightByEight.oauth") {
		t.Errorf("msg comments: %q", msg.comments)
	}
	if len(dr.comments) != 0 {
		t.Errorf("the webhook with the account's own OAuth gets notes: %q", dr.comments)
	}
	if !hasNote(plain, "updates the remote webhook: eightByEight.oauth") {
		t.Errorf("plain comments: %q", plain.comments)
	}
	if !strings.Contains(r.stderr, `3 eightbyeight webhook(s) found in`) || !strings.Contains(r.stderr, `of Account "eight"`) {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

func TestImportAccountPageSeeder(t *testing.T) {
	srv := pageseederfake.New()
	t.Cleanup(srv.Close)
	srv.AddClient(psClientID, psClientSecret, psClient)
	first := srv.Seed(psClient, pageseederfake.Hook{Name: "Publishing", URL: "https://hooks.example.com/ps", Events: "uri.modified",
		Groups: "acme-docs", Status: pageseederfake.StatusActive})
	second := srv.Seed(psClient, pageseederfake.Hook{Name: "Comments", URL: "https://hooks.example.com/ps/c", Events: "comment.*",
		Status: pageseederfake.StatusActive})
	srv.Seed(psClient+1, pageseederfake.Hook{Name: "Other client", URL: "https://hooks.example.com/other"})

	acct := &hooksv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: "docs", Name: "ps"},
		Spec: hooksv1alpha1.AccountSpec{
			CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "ps-client"},
			AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderPageSeeder,
				PageSeeder: &hooksv1alpha1.PageSeederAccount{ServerURL: srv.URL(), ServicePath: "/ps/service", Client: psClient}},
		},
	}
	c := newCluster(t, acct, secret("docs", "ps-client", map[string]string{"clientId": psClientID, "clientSecret": psClientSecret}))
	r := runOnCluster(t, c, "--account", "docs/ps", "--namespace", "docs")
	if r.code != ExitUsage || !strings.Contains(r.stderr, `spec.pageSeeder.serverUrl of Account "ps" is http://: pass --allow-insecure-endpoints`) ||
		srv.RequestsTotal() != 0 {
		t.Errorf("an http:// server without --allow-insecure-endpoints: exit %d, %d requests, stderr:\n%s", r.code, srv.RequestsTotal(), r.stderr)
	}
	r = runOnCluster(t, c, "--account", "docs/ps", "--namespace", "docs", "--allow-insecure-endpoints")
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
	if len(docs) != 2 {
		t.Fatalf("%d Webhooks, want 2:\n%s", len(docs), r.stdout)
	}
	checkAccountDocs(t, docs, p, accounts.FromAccount(acct), listRemotes(t, p, scope), "docs")
	for i, want := range []pageseederfake.Hook{first, second} {
		d := docs[i]
		if d.hook.Annotations[hooksv1alpha1.AnnotationExternalID] != strconv.FormatInt(want.ID, 10) || d.hook.Spec.PageSeeder.Name != want.Name {
			t.Errorf("document %d is %s for %s, want %s", i, d.hook.Name, d.hook.Annotations[hooksv1alpha1.AnnotationExternalID], want.Name)
		}
	}
	if strings.Contains(r.stdout, srv.URL()) {
		t.Errorf("the output repeats the account's server:\n%s", r.stdout)
	}
}

func TestImportClusterAccountAutodesk(t *testing.T) {
	srv := autodeskfake.New()
	t.Cleanup(srv.Close)
	srv.AddClient(apsClientID, apsClientSecret)
	emea := srv.Seed(apsClientID, autodeskfake.Hook{System: "data", Event: "dm.version.added", CallbackURL: "https://hooks.example.com/aps/a",
		Scope: map[string]string{"folder": folder}, Region: "EMEA"})
	srv.Seed(apsClientID, autodeskfake.Hook{System: "data", Event: "dm.folder.added", CallbackURL: "https://hooks.example.com/aps/us",
		Scope: map[string]string{"folder": folder}, Region: "US"})

	ca := &hooksv1alpha1.ClusterAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "aps"},
		Spec: hooksv1alpha1.ClusterAccountSpec{
			CredentialsRef: hooksv1alpha1.SecretReference{Namespace: secretNamespace, Name: "aps-app"},
			Conditions:     []hooksv1alpha1.AccountCondition{{Namespaces: []string{"design"}}},
			AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderAutodesk,
				Autodesk: &hooksv1alpha1.AutodeskAccount{Region: "EMEA"}, AllowAdoption: new(true)},
		},
	}
	// The namespace does not exist yet: a condition that names it permits it.
	c := newCluster(t, ca, secret(secretNamespace, "aps-app", map[string]string{"clientId": apsClientID, "clientSecret": apsClientSecret}))
	r := runOnCluster(t, c, "--cluster-account", "aps", "-n", "design", "--autodesk-api-url", srv.URL(), "--allow-insecure-endpoints")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	assertNoLeak(t, r, apsClientSecret)
	docs := parseOutput(t, r.stdout)
	p := autodesk.New(autodesk.Options{BaseURL: srv.URL()})
	scope := &providers.Request{Spec: &hooksv1alpha1.WebhookSpec{Autodesk: &hooksv1alpha1.AutodeskSpec{Region: "EMEA"}},
		Credentials: map[string][]byte{autodesk.CredentialClientID: []byte(apsClientID), autodesk.CredentialClientSecret: []byte(apsClientSecret)}}
	if len(docs) != 1 || docs[0].hook.Annotations[hooksv1alpha1.AnnotationExternalID] != emea.HookID {
		t.Fatalf("want the one EMEA hook %s:\n%s", emea.HookID, r.stdout)
	}
	checkAccountDocs(t, docs, p, accounts.FromClusterAccount(ca), listRemotes(t, p, scope), "design")
	if a := docs[0].hook.Spec.Autodesk; a.System != "data" || a.Event != "dm.version.added" || a.Scope["folder"] != folder {
		t.Errorf("autodesk = %+v", a)
	}
}

// TestAccountRefusals: an account that cannot be used as asked stops the command with exit
// status 2 before any request to the SaaS, with a message that names the account and the rule,
// and never the namespaces a ClusterAccount lists.
func TestAccountRefusals(t *testing.T) {
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	srv.Seed(webexToken, webexfake.Hook{Name: "Alerts", TargetURL: "https://hooks.corp.example/alerts", Resource: "messages", Event: "created"})

	open := webexAccount()
	closed := webexAccount()
	closed.Name, closed.Spec.Conditions = "closed", nil
	strict := webexAccount()
	strict.Name, strict.Spec.AllowAdoption = "strict", nil
	noSecret := webexAccount()
	noSecret.Name, noSecret.Spec.CredentialsRef.Name = "no-secret", "absent"
	badSecret := webexAccount()
	badSecret.Name, badSecret.Spec.CredentialsRef.Name = "bad-secret", "upper-case"
	c := newCluster(t, open, closed, strict, noSecret, badSecret,
		namespace("team-a", map[string]string{"webex": "allowed"}), namespace("team-x", map[string]string{"webex": "no"}),
		secret(secretNamespace, "webex-bot", map[string]string{"token": webexToken}),
		secret(secretNamespace, "upper-case", map[string]string{"TOKEN": webexToken}))

	tests := []struct {
		name   string
		args   []string
		want   []string
		absent []string
	}{
		{name: "namespace not permitted", args: []string{"--cluster-account", "corp-webex", "-n", "team-x"},
			want:   []string{`namespace "team-x" matches none of the spec.conditions of ClusterAccount "corp-webex"`, "namespaceSelector webex=allowed", "a list of 2 namespaces"},
			absent: []string{"team-z", "secret-team", "team-a"}},
		{name: "namespace that does not exist", args: []string{"--cluster-account", "corp-webex", "-n", "team-y"},
			want: []string{`namespace "team-y" matches none of the spec.conditions`}},
		{name: "no conditions", args: []string{"--cluster-account", "closed", "-n", "team-a"},
			want: []string{`ClusterAccount "closed" has no spec.conditions, so no namespace may use it`}},
		{name: "adoption not allowed", args: []string{"--cluster-account", "strict", "-n", "team-a"},
			want: []string{`ClusterAccount "strict" does not allow adoption (spec.allowAdoption is not true)`, "spec.allowAdoption: true"}},
		{name: "cluster account not found", args: []string{"--cluster-account", "nope", "-n", "team-a"},
			want: []string{`ClusterAccount "nope" was not found`}},
		{name: "account not found", args: []string{"--account", "team-a/nope"},
			want: []string{`Account "nope" was not found in namespace "team-a"`}},
		{name: "no Secret", args: []string{"--cluster-account", "no-secret", "-n", "team-a"},
			want: []string{`the credentials Secret of ClusterAccount "no-secret" (spec.credentialsRef) was not found`}},
		{name: "Secret without the key", args: []string{"--cluster-account", "bad-secret", "-n", "team-a"},
			want: []string{`the credentials Secret of ClusterAccount "bad-secret": no key "token"`, `case-sensitive and the file has "TOKEN"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetCounts()
			r := runOnCluster(t, c, append(tt.args, "--webex-api-url", srv.URL(), "--allow-insecure-endpoints")...)
			if r.code != ExitUsage || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing", r.code, r.stdout, ExitUsage)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(r.stderr, a) {
					t.Errorf("stderr names %q:\n%s", a, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "--help") {
				t.Errorf("a refusal points at the help, as if the command line were wrong:\n%s", r.stderr)
			}
			assertNoLeak(t, r, webexToken)
			if n := srv.RequestsTotal(); n != 0 {
				t.Errorf("%d requests reached the SaaS", n)
			}
		})
	}
}

// TestAccountFromKubeconfig: the account is read from the cluster of --kubeconfig (else
// $KUBECONFIG) and --context, and every request to it carries the command's User-Agent.
func TestAccountFromKubeconfig(t *testing.T) {
	api := newAccountAPI(t)
	kubeconfig := writeAccountKubeconfig(t, api.srv.URL)
	const agent = "hookkeeper/v1.2.3 (import)"
	run := func(args ...string) result {
		api.reset()
		var stdout, stderr bytes.Buffer
		code := runWith(context.Background(), append(args, "--http-timeout", "5s"), agent, &stdout, &stderr, nil)
		return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	}
	api.checkAccountRead(t, "--kubeconfig", agent, run("--cluster-account", "corp-webex", "-n", "team-a", "--kubeconfig", kubeconfig, "--context", "good"))
	t.Setenv("KUBECONFIG", kubeconfig)
	api.checkAccountRead(t, "$KUBECONFIG", agent, run("--cluster-account", "corp-webex", "-n", "team-a", "--context", "good"))

	r := run("--cluster-account", "corp-webex", "-n", "team-a", "--kubeconfig", kubeconfig, "--context", "absent")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "loading the kubeconfig") || !strings.Contains(r.stderr, "absent") {
		t.Errorf("unknown context: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// accountAPI is a Kubernetes API server that serves the discovery of hookkeeper's group and finds
// no object, and records the User-Agent and the path of every request.
type accountAPI struct {
	srv           *httptest.Server
	mu            sync.Mutex
	agents, paths []string
}

// newAccountAPI starts an accountAPI, closed at the end of the test.
func newAccountAPI(t *testing.T) *accountAPI {
	a := &accountAPI{}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

// serve records the request, and answers the discovery of the core API and hookkeeper's group, and
// NotFound to anything else.
func (a *accountAPI) serve(w http.ResponseWriter, r *http.Request) {
	write := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	gv := hooksv1alpha1.GroupVersion.String()
	a.mu.Lock()
	a.agents, a.paths = append(a.agents, r.Header.Get("User-Agent")), append(a.paths, r.URL.Path)
	a.mu.Unlock()
	switch r.URL.Path {
	case "/api":
		write(w, http.StatusOK, metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}})
	case "/apis":
		version := metav1.GroupVersionForDiscovery{GroupVersion: gv, Version: hooksv1alpha1.GroupVersion.Version}
		write(w, http.StatusOK, metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"},
			Groups: []metav1.APIGroup{{Name: hooksv1alpha1.GroupVersion.Group, Versions: []metav1.GroupVersionForDiscovery{version}, PreferredVersion: version}}})
	case "/apis/" + gv:
		write(w, http.StatusOK, metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv,
			APIResources: []metav1.APIResource{
				{Name: "clusteraccounts", SingularName: "clusteraccount", Kind: "ClusterAccount", Verbs: []string{"get", "list"}},
				{Name: "accounts", SingularName: "account", Namespaced: true, Kind: "Account", Verbs: []string{"get", "list"}},
				{Name: "webhooks", SingularName: "webhook", Namespaced: true, Kind: "Webhook", Verbs: []string{"get", "list"}},
			}})
	default:
		status := apierrors.NewNotFound(schema.GroupResource{Group: hooksv1alpha1.GroupVersion.Group, Resource: "clusteraccounts"}, path.Base(r.URL.Path)).ErrStatus
		status.Kind, status.APIVersion = "Status", "v1"
		write(w, http.StatusNotFound, status)
	}
}

// reset forgets the requests recorded so far.
func (a *accountAPI) reset() {
	a.mu.Lock()
	a.agents, a.paths = nil, nil
	a.mu.Unlock()
}

// checkAccountRead checks that the run r refused the ClusterAccount corp-webex as not found after
// reading it from this server, that every request carried agent, and that r leaks no token.
func (a *accountAPI) checkAccountRead(t *testing.T, name, agent string, r result) {
	t.Helper()
	if r.code != ExitUsage || !strings.Contains(r.stderr, `ClusterAccount "corp-webex" was not found`) {
		t.Errorf("%s: exit %d, stderr:\n%s", name, r.code, r.stderr)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !slices.Contains(a.paths, "/apis/"+hooksv1alpha1.GroupVersion.String()+"/clusteraccounts/corp-webex") {
		t.Errorf("%s: the ClusterAccount was not read: %v", name, a.paths)
	}
	for _, ua := range a.agents {
		if ua != agent {
			t.Errorf("%s: a request to the cluster carried User-Agent %q, want %q", name, ua, agent)
		}
	}
	assertNoLeak(t, r, "kube-token-4e1a")
}

// writeAccountKubeconfig writes a kubeconfig whose current context "dead" names a cluster that
// does not answer, and whose context "good" names the cluster at url, and returns its path.
func writeAccountKubeconfig(t *testing.T, url string) string {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "config")
	config := `apiVersion: v1
kind: Config
current-context: dead
clusters:
- name: dead
  cluster: {server: "http://127.0.0.1:1"}
- name: good
  cluster: {server: "` + url + `"}
users:
- name: me
  user: {token: kube-token-4e1a}
contexts:
- name: dead
  context: {cluster: dead, user: me}
- name: good
  context: {cluster: good, user: me}
`
	if err := os.WriteFile(kubeconfig, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// noCluster fails a test that reads the cluster.
type noCluster struct{ t *testing.T }

func (n noCluster) Get(context.Context, client.ObjectKey, client.Object, ...client.GetOption) error {
	n.t.Error("the command read the cluster")
	return nil
}

func (n noCluster) List(context.Context, client.ObjectList, ...client.ListOption) error {
	n.t.Error("the command listed the cluster")
	return nil
}

// TestAccountUsageErrors: the account flags exclude the credential flags and the account-level
// flags, and need what they need, before anything is read.
func TestAccountUsageErrors(t *testing.T) {
	creds := credentialsFile(t, "token="+webexToken+"\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"both accounts", []string{"--account", "a/b", "--cluster-account", "c"}, "--account and --cluster-account are mutually exclusive"},
		{"account and provider", []string{"--account", "a/b", "--provider", "webex"}, "--provider cannot be used with --account: the SaaS is the account's spec.provider"},
		{"cluster account and credentials file", []string{"--cluster-account", "c", "-n", "a", "--credentials-file", creds},
			"--credentials-file cannot be used with --cluster-account: the credentials come from the account's Secret"},
		{"account and credentials secret", []string{"--account", "a/b", "--credentials-secret", "s"}, "--credentials-secret cannot be used with --account"},
		{"account and region", []string{"--account", "a/b", "--region", "EU"}, "--region cannot be used with --account: it is an account-level field"},
		{"account and account id", []string{"--cluster-account", "c", "-n", "a", "--account-id", account}, "--account-id cannot be used with --cluster-account"},
		{"account and client", []string{"--account", "a/b", "--client", "1"}, "--client cannot be used with --account"},
		{"account and service path", []string{"--account", "a/b", "--service-path", "/ps/service"}, "--service-path cannot be used with --account"},
		{"account without namespace", []string{"--account", "webex-bot"}, `--account "webex-bot" is not NAMESPACE/NAME`},
		{"account with two slashes", []string{"--account", "a/b/c"}, `--account "a/b/c" is not NAMESPACE/NAME`},
		{"account in a bad namespace", []string{"--account", "Team_A/bot"}, `"Team_A" is not a valid namespace`},
		{"account with a bad name", []string{"--account", "team-a/Bot Account"}, `"Bot Account" is not a valid name`},
		{"account in another namespace", []string{"--account", "team-a/bot", "-n", "team-b"},
			`--namespace "team-b" differs from the namespace of --account "team-a/bot"`},
		{"cluster account without namespace", []string{"--cluster-account", "corp"}, "--namespace is required with --cluster-account"},
		{"cluster account with a bad name", []string{"--cluster-account", "Corp Webex", "-n", "a"}, `--cluster-account "Corp Webex" is not a valid name`},
		{"bad output", []string{"--account", "a/b", "-o", "xml"}, `--output "xml" is not one of yaml, json`},
		{"bad timeout", []string{"--account", "a/b", "--http-timeout", "-1s"}, "--http-timeout must be positive"},
		{"kubeconfig without account", []string{"--provider", "webex", "--credentials-file", creds, "--kubeconfig", "/dev/null"},
			"--kubeconfig only applies with --account or --cluster-account"},
		{"context without account", []string{"--provider", "webex", "--credentials-file", creds, "--context", "prod"},
			"--context only applies with --account or --cluster-account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runOnCluster(t, noCluster{t}, tt.args...)
			if r.code != ExitUsage || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing", r.code, r.stdout, ExitUsage)
			}
			if !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "Run 'hookkeeper import --help' for usage.") {
				t.Errorf("stderr lacks %q or the pointer to the help:\n%s", tt.want, r.stderr)
			}
		})
	}

	// A listing flag of another provider is known wrong once the account is read.
	acct := &hooksv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "chat", Name: "eight"},
		Spec: hooksv1alpha1.AccountSpec{CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "creds"},
			AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderEightByEight,
				EightByEight: &hooksv1alpha1.EightByEightAccount{AccountID: account}}}}
	r := runOnCluster(t, newCluster(t, acct), "--account", "chat/eight", "--owned-by", "org")
	if r.code != ExitUsage || !strings.Contains(r.stderr, `--owned-by does not apply to Account "eight": its spec.provider is EightByEight`) {
		t.Errorf("--owned-by on an 8x8 account: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// TestAccountWithoutClusterWideList: a user who may list Webhooks only in the namespace gets the
// Webhooks for the rest, and a warning that other namespaces were not looked at.
func TestAccountWithoutClusterWideList(t *testing.T) {
	srv := webexfake.New()
	t.Cleanup(srv.Close)
	srv.AddToken(webexToken)
	hook := srv.Seed(webexToken, webexfake.Hook{Name: "Alerts", TargetURL: "https://hooks.corp.example/alerts", Resource: "messages", Event: "created"})
	p := webex.New(webex.Options{BaseURL: srv.URL()})
	ident := string(hooksv1alpha1.ProviderWebex) + "|" + p.Account(&providers.Request{Spec: &hooksv1alpha1.WebhookSpec{Webex: &hooksv1alpha1.WebexSpec{}}})
	ca := webexAccount()
	elsewhere := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "team-b", Name: "alerts"},
		Spec: hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, TargetURL: "https://hooks.corp.example/alerts",
			AccountRef: &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: ca.Name}},
		Status: hooksv1alpha1.WebhookStatus{ID: hook.ID, RemoteAccount: ident}}
	base := newCluster(t, ca, elsewhere, namespace("team-a", map[string]string{"webex": "allowed"}),
		secret(secretNamespace, "webex-bot", map[string]string{"token": webexToken}))
	c := interceptor.NewClient(base, interceptor.Funcs{List: func(ctx context.Context, cl client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
		lo := (&client.ListOptions{}).ApplyOptions(opts)
		if _, ok := list.(*hooksv1alpha1.WebhookList); ok && lo.Namespace == "" {
			return apierrors.NewForbidden(schema.GroupResource{Group: hooksv1alpha1.GroupVersion.Group, Resource: "webhooks"}, "", nil)
		}
		return cl.List(ctx, list, opts...)
	}})
	r := runOnCluster(t, c, "--cluster-account", "corp-webex", "-n", "team-a", "--webex-api-url", srv.URL(), "--allow-insecure-endpoints")
	if r.code != ExitOK || len(parseOutput(t, r.stdout)) != 1 {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "listing the Webhooks of every namespace is forbidden") {
		t.Errorf("no warning:\n%s", r.stderr)
	}
}

// TestAccountFields: the account-level fields are those of the account's block of the provider,
// as the account's type declares them.
func TestAccountFields(t *testing.T) {
	for specField, want := range map[string][]string{
		"eightByEight": {"eightByEight.accountId", "eightByEight.region", "eightByEight.oauth"},
		"autodesk":     {"autodesk.region"},
		"pageSeeder":   {"pageSeeder.serverUrl", "pageSeeder.servicePath", "pageSeeder.client"},
		"webex":        nil,
	} {
		if got := accountFields(specField); !slices.Equal(got, want) {
			t.Errorf("accountFields(%q) = %q, want %q", specField, got, want)
		}
	}
}

// TestRemoteOnAnotherAccountIsSkipped: a remote webhook whose own account-level fields place it
// on another SaaS account than the account's (an APS hook of another region) is no Webhook of it.
func TestRemoteOnAnotherAccountIsSkipped(t *testing.T) {
	srv := autodeskfake.New()
	t.Cleanup(srv.Close)
	srv.AddClient(apsClientID, apsClientSecret)
	srv.Seed(apsClientID, autodeskfake.Hook{System: "data", Event: "dm.folder.added", CallbackURL: "https://hooks.example.com/aps/us",
		Scope: map[string]string{"folder": folder}, Region: "US"})
	creds := map[string][]byte{autodesk.CredentialClientID: []byte(apsClientID), autodesk.CredentialClientSecret: []byte(apsClientSecret)}
	p := autodesk.New(autodesk.Options{BaseURL: srv.URL()})
	us := listRemotes(t, p, &providers.Request{Spec: &hooksv1alpha1.WebhookSpec{Autodesk: &hooksv1alpha1.AutodeskSpec{Region: "US"}}, Credentials: creds})
	if len(us) != 1 {
		t.Fatalf("%d US hooks, want 1", len(us))
	}
	ca := &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: "aps"},
		Spec: hooksv1alpha1.ClusterAccountSpec{AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderAutodesk,
			Autodesk: &hooksv1alpha1.AutodeskAccount{Region: "EMEA"}}}}
	o := &options{namespace: "design", typ: hooksv1alpha1.ProviderAutodesk, view: accounts.FromClusterAccount(ca)}
	emea := &providers.Request{Spec: &hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderAutodesk,
		Autodesk: &hooksv1alpha1.AutodeskSpec{Region: "EMEA"}}, Credentials: creds}
	spec, secrets, ok := p.SpecOf(emea, us[0])
	if !ok {
		t.Fatal("SpecOf refused the hook")
	}
	if _, why, ok := o.accountDocument(p, emea, "x", us[0], spec, secrets); ok || !strings.Contains(why, "it lives on") {
		t.Errorf("a US hook on an EMEA account: ok %v, why %q", ok, why)
	}
}
