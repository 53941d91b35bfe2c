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

package accounts_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/accounts"
	"github.com/hookkeeper/hookkeeper/providers"
)

const (
	guid       = "0123456789abcdef0123456789abcdef"
	guidDashed = "01234567-89AB-CDEF-0123-456789ABCDEF" // guid, spelled otherwise
	otherGUID  = "fedcba9876543210fedcba9876543210"
)

// accountView views an Account "shared" in namespace team-a with the given settings.
func accountView(s hooksv1alpha1.AccountSettings) *accounts.View {
	return accounts.FromAccount(&hooksv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "shared"},
		Spec: hooksv1alpha1.AccountSpec{CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "creds"},
			AccountSettings: s},
	})
}

// clusterView views a ClusterAccount "platform" with the given settings and conditions.
func clusterView(s hooksv1alpha1.AccountSettings, conds ...hooksv1alpha1.AccountCondition) *accounts.View {
	return accounts.FromClusterAccount(&hooksv1alpha1.ClusterAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "platform"},
		Spec: hooksv1alpha1.ClusterAccountSpec{
			CredentialsRef:  hooksv1alpha1.SecretReference{Namespace: "platform-secrets", Name: "platform-creds"},
			Conditions:      conds,
			AccountSettings: s,
		},
	})
}

func oauth(clientID string) *hooksv1alpha1.EightByEightOAuth {
	return &hooksv1alpha1.EightByEightOAuth{TokenURL: "https://auth.example.com/token", ClientID: clientID,
		ClientSecretRef:     hooksv1alpha1.SecretKeySelector{Name: "oauth", Key: "secret"},
		CredentialsLocation: "header"}
}

func eightByEightSettings(id string, region hooksv1alpha1.EightByEightRegion, o *hooksv1alpha1.EightByEightOAuth) hooksv1alpha1.AccountSettings {
	return hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderEightByEight,
		EightByEight: &hooksv1alpha1.EightByEightAccount{AccountID: id, Region: region, OAuth: o}}
}

func autodeskSettings(region hooksv1alpha1.AutodeskRegion) hooksv1alpha1.AccountSettings {
	return hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderAutodesk,
		Autodesk: &hooksv1alpha1.AutodeskAccount{Region: region}}
}

func pageSeederSettings(server, servicePath string, client int64) hooksv1alpha1.AccountSettings {
	return hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderPageSeeder,
		PageSeeder: &hooksv1alpha1.PageSeederAccount{ServerURL: server, ServicePath: servicePath, Client: client}}
}

// The Webhook specs on an account: the account-level fields left out unless a mutation sets them.
func eightByEightSpec(mutate ...func(*hooksv1alpha1.EightByEightSpec)) *hooksv1alpha1.WebhookSpec {
	s := &hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderEightByEight, TargetURL: "https://hooks.example.com/8x8",
		AccountRef:   &hooksv1alpha1.AccountReference{Name: "shared"},
		EightByEight: &hooksv1alpha1.EightByEightSpec{SubAccountID: "Marketing", Type: "MSG"}}
	for _, m := range mutate {
		m(s.EightByEight)
	}
	return s
}

func autodeskSpec(region hooksv1alpha1.AutodeskRegion) *hooksv1alpha1.WebhookSpec {
	return &hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderAutodesk, TargetURL: "https://hooks.example.com/aps",
		AccountRef: &hooksv1alpha1.AccountReference{Name: "shared"},
		Autodesk: &hooksv1alpha1.AutodeskSpec{System: "data", Event: "dm.version.added", Region: region,
			Scope: map[string]string{"folder": "urn:adsk.wipprod:fs.folder:co.abc"}}}
}

func pageSeederSpec(server, servicePath string, client int64) *hooksv1alpha1.WebhookSpec {
	return &hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderPageSeeder, TargetURL: "https://hooks.example.com/ps",
		AccountRef: &hooksv1alpha1.AccountReference{Name: "shared"},
		PageSeeder: &hooksv1alpha1.PageSeederSpec{ServerURL: server, ServicePath: servicePath, Client: client,
			Events: []string{"comment.*"}}}
}

// resolveCheck checks what Resolve returns for a spec that resolves.
type resolveCheck func(t *testing.T, r *accounts.Resolved)

// resolveCase is a Webhook spec on an account, and what Resolve should make of it.
type resolveCase struct {
	name     string
	account  *accounts.View
	spec     *hooksv1alpha1.WebhookSpec
	check    resolveCheck // for a spec that resolves
	errField string       // for a spec that does not: the field the error names (below spec)
	errAlso  []string
}

// resolveWebexCases: Webex has no account-level field, so the spec is the Webhook's, without credentialsRef.
var resolveWebexCases = []resolveCase{
	{name: "Webex: nothing to merge", account: accountView(hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex}),
		spec: &hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, TargetURL: "https://hooks.example.com/x",
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "stale"},
			Webex:          &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}},
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.Webex.Resource != "messages" || r.Spec.TargetURL != "https://hooks.example.com/x" {
				t.Errorf("the Webhook's fields changed: %+v", r.Spec)
			}
		}},
}

// resolveEightByEightCases: the 8x8 account-level fields (accountId, region, oauth) a Webhook leaves out, repeats or contradicts.
var resolveEightByEightCases = []resolveCase{
	{name: "8x8: accountId and region left out take the account's",
		account: accountView(eightByEightSettings(guidDashed, "US", nil)), spec: eightByEightSpec(),
		check: func(t *testing.T, r *accounts.Resolved) {
			if got := r.Spec.EightByEight; got.AccountID != guidDashed || got.Region != "US" || got.OAuth != nil {
				t.Errorf("got %+v, want the account's accountId and region and no oauth", got)
			}
			if got := r.Spec.EightByEight; got.SubAccountID != "Marketing" || got.Type != "MSG" {
				t.Errorf("the Webhook's own fields changed: %+v", got)
			}
		}},
	{name: "8x8: a region left out on both stays the default",
		account: accountView(eightByEightSettings(guid, "", nil)), spec: eightByEightSpec(),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.EightByEight.Region != "" {
				t.Errorf("region %q, want empty (APAC)", r.Spec.EightByEight.Region)
			}
		}},
	{name: "8x8: the same accountId in another spelling",
		account: accountView(eightByEightSettings(guid, "", nil)),
		spec:    eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.AccountID = guidDashed }),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.EightByEight.AccountID != guid {
				t.Errorf("accountId %q, want the account's spelling %q", r.Spec.EightByEight.AccountID, guid)
			}
		}},
	{name: "8x8: another accountId",
		account:  accountView(eightByEightSettings(guid, "", nil)),
		spec:     eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.AccountID = otherGUID }),
		errField: "eightByEight.accountId", errAlso: []string{otherGUID, guid}},
	{name: "8x8: an accountId that only looks like the account's",
		account:  accountView(eightByEightSettings(guid, "", nil)),
		spec:     eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.AccountID = guid + "0" }),
		errField: "eightByEight.accountId"},
	{name: "8x8: APAC spelled out where the account leaves the default",
		account: accountView(eightByEightSettings(guid, "", nil)),
		spec:    eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.Region = "APAC" }),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.EightByEight.Region != "APAC" {
				t.Errorf("region %q, want APAC", r.Spec.EightByEight.Region)
			}
		}},
	{name: "8x8: the account's region spelled out",
		account: accountView(eightByEightSettings(guid, "EU", nil)),
		spec:    eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.Region = "EU" }),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.EightByEight.Region != "EU" {
				t.Errorf("region %q, want EU", r.Spec.EightByEight.Region)
			}
		}},
	{name: "8x8: another region than the account's default",
		account:  accountView(eightByEightSettings(guid, "", nil)),
		spec:     eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.Region = "US" }),
		errField: "eightByEight.region", errAlso: []string{`"US"`, `"APAC"`}},
	{name: "8x8: the default region where the account sets another",
		account:  clusterView(eightByEightSettings(guid, "EU", nil)),
		spec:     eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.Region = "APAC" }),
		errField: "eightByEight.region", errAlso: []string{`"APAC"`, `"EU"`}},
	{name: "8x8: the account's oauth, read from the account's namespace",
		account: clusterView(eightByEightSettings(guid, "", oauth("hookkeeper"))), spec: eightByEightSpec(),
		check: func(t *testing.T, r *accounts.Resolved) {
			if !reflect.DeepEqual(r.Spec.EightByEight.OAuth, oauth("hookkeeper")) {
				t.Errorf("oauth %+v, want the account's", r.Spec.EightByEight.OAuth)
			}
			if !r.AccountSecrets[accounts.OAuthSecretPath] || len(r.AccountSecrets) != 1 {
				t.Errorf("AccountSecrets %v, want only %s", r.AccountSecrets, accounts.OAuthSecretPath)
			}
			if _, ok := r.Spec.SecretRefs()[accounts.OAuthSecretPath]; !ok {
				t.Errorf("%s is not a secretRef path of the spec: %v", accounts.OAuthSecretPath, r.Spec.SecretRefs())
			}
		}},
	{name: "8x8: the account's oauth repeated on the Webhook",
		account: accountView(eightByEightSettings(guid, "", oauth("hookkeeper"))),
		spec:    eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.OAuth = oauth("hookkeeper") }),
		check: func(t *testing.T, r *accounts.Resolved) {
			if !r.AccountSecrets[accounts.OAuthSecretPath] {
				t.Errorf("AccountSecrets %v, want %s", r.AccountSecrets, accounts.OAuthSecretPath)
			}
		}},
	{name: "8x8: another oauth than the account's",
		account:  accountView(eightByEightSettings(guid, "", oauth("hookkeeper"))),
		spec:     eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.OAuth = oauth("someone-else") }),
		errField: "eightByEight.oauth"},
	{name: "8x8: authorizationSecretRef on a Webhook whose account sets oauth",
		account: clusterView(eightByEightSettings(guid, "", oauth("hookkeeper"))),
		spec: eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) {
			s.AuthorizationSecretRef = &hooksv1alpha1.SecretKeySelector{Name: "auth", Key: "value"}
		}),
		errField: "eightByEight.authorizationSecretRef", errAlso: []string{"spec.eightByEight.oauth"}},
	{name: "8x8: the Webhook's own authorizationSecretRef, the account without oauth",
		account: accountView(eightByEightSettings(guid, "", nil)),
		spec: eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) {
			s.AuthorizationSecretRef = &hooksv1alpha1.SecretKeySelector{Name: "auth", Key: "value"}
		}),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.EightByEight.AuthorizationSecretRef == nil || len(r.AccountSecrets) != 0 {
				t.Errorf("want the Webhook's authorizationSecretRef, from its namespace: %+v, %v", r.Spec.EightByEight, r.AccountSecrets)
			}
		}},
	{name: "8x8: the Webhook's own oauth, the account without oauth",
		account: accountView(eightByEightSettings(guid, "", nil)),
		spec:    eightByEightSpec(func(s *hooksv1alpha1.EightByEightSpec) { s.OAuth = oauth("mine") }),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.EightByEight.OAuth.ClientID != "mine" || r.AccountSecrets[accounts.OAuthSecretPath] {
				t.Errorf("want the Webhook's oauth, from its namespace: %+v, %v", r.Spec.EightByEight.OAuth, r.AccountSecrets)
			}
		}},
}

// resolveAutodeskCases: the Autodesk region a Webhook leaves out, repeats or contradicts.
var resolveAutodeskCases = []resolveCase{
	{name: "Autodesk: the region left out takes the account's",
		account: accountView(autodeskSettings("EMEA")), spec: autodeskSpec(""),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.Autodesk.Region != "EMEA" || r.Spec.Autodesk.Event != "dm.version.added" {
				t.Errorf("got %+v, want region EMEA and the Webhook's event", r.Spec.Autodesk)
			}
		}},
	{name: "Autodesk: US spelled out where the account leaves the default",
		account: accountView(autodeskSettings("")), spec: autodeskSpec("US"),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.Autodesk.Region != "US" {
				t.Errorf("region %q, want US", r.Spec.Autodesk.Region)
			}
		}},
	{name: "Autodesk: the account's region spelled out",
		account: accountView(autodeskSettings("JPN")), spec: autodeskSpec("JPN"),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.Autodesk.Region != "JPN" {
				t.Errorf("region %q, want JPN", r.Spec.Autodesk.Region)
			}
		}},
	{name: "Autodesk: another region than the account's default",
		account: accountView(autodeskSettings("")), spec: autodeskSpec("EMEA"),
		errField: "autodesk.region", errAlso: []string{`"EMEA"`, `"US"`}},
	{name: "Autodesk: the default region where the account sets another",
		account: clusterView(autodeskSettings("GBR")), spec: autodeskSpec("US"),
		errField: "autodesk.region", errAlso: []string{`"US"`, `"GBR"`}},
}

// resolvePageSeederCases: the PageSeeder serverUrl, servicePath and client a Webhook leaves out, repeats or contradicts.
var resolvePageSeederCases = []resolveCase{
	{name: "PageSeeder: serverUrl, servicePath and client left out take the account's",
		account: accountView(pageSeederSettings("https://ps.example.org", "/custom/service", 12)),
		spec:    pageSeederSpec("", "", 0),
		check: func(t *testing.T, r *accounts.Resolved) {
			if got := r.Spec.PageSeeder; got.ServerURL != "https://ps.example.org" || got.ServicePath != "/custom/service" || got.Client != 12 {
				t.Errorf("got %+v, want the account's serverUrl, servicePath and client", got)
			}
			if !reflect.DeepEqual(r.Spec.PageSeeder.Events, []string{"comment.*"}) {
				t.Errorf("the Webhook's own fields changed: %+v", r.Spec.PageSeeder)
			}
		}},
	{name: "PageSeeder: the same serverUrl in another spelling",
		account: accountView(pageSeederSettings("https://ps.example.org", "", 12)),
		spec:    pageSeederSpec("HTTPS://PS.Example.ORG.:443/", "", 12),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.PageSeeder.ServerURL != "https://ps.example.org" {
				t.Errorf("serverUrl %q, want the account's spelling", r.Spec.PageSeeder.ServerURL)
			}
		}},
	{name: "PageSeeder: another serverUrl",
		account:  accountView(pageSeederSettings("https://ps.example.org", "", 12)),
		spec:     pageSeederSpec("https://ps.example.org.evil.example", "", 0),
		errField: "pageSeeder.serverUrl", errAlso: []string{"https://ps.example.org.evil.example", "https://ps.example.org"}},
	{name: "PageSeeder: the same server over http",
		account:  accountView(pageSeederSettings("https://ps.example.org", "", 12)),
		spec:     pageSeederSpec("http://ps.example.org", "", 0),
		errField: "pageSeeder.serverUrl"},
	{name: "PageSeeder: the default servicePath spelled out where the account leaves it",
		account: accountView(pageSeederSettings("https://ps.example.org", "", 12)),
		spec:    pageSeederSpec("", "/ps/service/", 0),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.PageSeeder.ServicePath != "" {
				t.Errorf("servicePath %q, want the account's (empty: the default)", r.Spec.PageSeeder.ServicePath)
			}
		}},
	{name: "PageSeeder: the account's servicePath in another spelling",
		account: accountView(pageSeederSettings("https://ps.example.org", "/custom/service", 12)),
		spec:    pageSeederSpec("", "/custom/./service/", 0),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.PageSeeder.ServicePath != "/custom/service" {
				t.Errorf("servicePath %q, want the account's", r.Spec.PageSeeder.ServicePath)
			}
		}},
	{name: "PageSeeder: another servicePath than the default",
		account:  accountView(pageSeederSettings("https://ps.example.org", "", 12)),
		spec:     pageSeederSpec("", "/other", 0),
		errField: "pageSeeder.servicePath", errAlso: []string{`"/other"`, `"/ps/service"`}},
	{name: "PageSeeder: the default servicePath where the account sets another",
		account:  accountView(pageSeederSettings("https://ps.example.org", "/custom", 12)),
		spec:     pageSeederSpec("", "/ps/service", 0),
		errField: "pageSeeder.servicePath", errAlso: []string{`"/ps/service"`, `"/custom"`}},
	{name: "PageSeeder: the account's client spelled out",
		account: accountView(pageSeederSettings("https://ps.example.org", "", 12)),
		spec:    pageSeederSpec("https://ps.example.org", "", 12),
		check: func(t *testing.T, r *accounts.Resolved) {
			if r.Spec.PageSeeder.Client != 12 {
				t.Errorf("client %d, want 12", r.Spec.PageSeeder.Client)
			}
		}},
	{name: "PageSeeder: another client",
		account:  clusterView(pageSeederSettings("https://ps.example.org", "", 12)),
		spec:     pageSeederSpec("", "", 13),
		errField: "pageSeeder.client", errAlso: []string{`"13"`, `"12"`}},
}

// resolveProviderMismatchCases: the provider is the account's.
var resolveProviderMismatchCases = []resolveCase{
	{name: "a Webhook of another provider than the account's",
		account: clusterView(pageSeederSettings("https://ps.example.org", "", 12)), spec: autodeskSpec(""),
		errField: "accountRef", errAlso: []string{"PageSeeder", "Autodesk"}},
	{name: "an 8x8 Webhook on a Webex account",
		account: accountView(hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex}), spec: eightByEightSpec(),
		errField: "accountRef", errAlso: []string{"Webex", "EightByEight"}},
}

func TestResolve(t *testing.T) {
	for _, cases := range [][]resolveCase{resolveWebexCases, resolveEightByEightCases, resolveAutodeskCases,
		resolvePageSeederCases, resolveProviderMismatchCases} {
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) { runResolveCase(t, tt) })
		}
	}
}

// runResolveCase resolves tt.spec on tt.account, checks that the Webhook's spec is left as it was,
// then checks the resolved spec or the error.
func runResolveCase(t *testing.T, tt resolveCase) {
	t.Helper()
	before := tt.spec.DeepCopy()
	r, err := tt.account.Resolve(tt.spec)
	if !reflect.DeepEqual(tt.spec, before) {
		t.Errorf("Resolve changed the Webhook's spec:\n got %+v\nwant %+v", tt.spec, before)
	}
	if tt.errField == "" {
		checkResolved(t, tt, r, err)
		return
	}
	checkResolveError(t, tt, r, err)
}

// checkResolved checks a spec that resolves: no error, no credentialsRef, the Webhook's accountRef
// and targetUrl kept, and the case's own check.
func checkResolved(t *testing.T, tt resolveCase, r *accounts.Resolved, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if r.Spec.CredentialsRef != nil {
		t.Errorf("the resolved spec keeps credentialsRef %v: the account's credentials are used", r.Spec.CredentialsRef)
	}
	if !reflect.DeepEqual(r.Spec.AccountRef, tt.spec.AccountRef) || r.Spec.TargetURL != tt.spec.TargetURL {
		t.Errorf("the resolved spec lost the Webhook's accountRef or targetUrl: %+v", r.Spec)
	}
	tt.check(t, r)
}

// checkResolveError checks a spec that does not resolve: an InvalidSpec error on tt.errField whose
// message names the Webhook's field, the account's field, the account and tt.errAlso.
func checkResolveError(t *testing.T, tt resolveCase, r *accounts.Resolved, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("Resolve accepted the spec: %+v", r.Spec)
	}
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindInvalid {
		t.Fatalf("error %v (%T), want a providers.Error of KindInvalid (InvalidSpec)", err, err)
	}
	if pe.Field != tt.errField {
		t.Errorf("error field %q, want %q", pe.Field, tt.errField)
	}
	msg := err.Error()
	if !strings.Contains(msg, "spec."+tt.errField+":") {
		t.Errorf("message %q does not start with the Webhook's field spec.%s", msg, tt.errField)
	}
	if tt.errField != "accountRef" && tt.errField != "eightByEight.authorizationSecretRef" &&
		strings.Count(msg, "spec."+tt.errField) < 2 {
		t.Errorf("message %q does not name the account's spec.%s too", msg, tt.errField)
	}
	if !strings.Contains(msg, tt.account.String()) {
		t.Errorf("message %q does not name the account %s", msg, tt.account)
	}
	for _, s := range tt.errAlso {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not say %s", msg, s)
		}
	}
	if _, ok := accounts.AsRefusal(err); ok {
		t.Errorf("a spec that differs from its account is InvalidSpec, not a Refusal: %v", err)
	}
}

// TestResolveCopies checks that what Resolve returns shares nothing with the account, so that a
// caller that changes the resolved spec cannot change the cached account.
func TestResolveCopies(t *testing.T) {
	v := clusterView(eightByEightSettings(guid, "", oauth("hookkeeper")))
	r, err := v.Resolve(eightByEightSpec())
	if err != nil {
		t.Fatal(err)
	}
	r.Spec.EightByEight.OAuth.ClientID = "changed"
	r.Spec.EightByEight.OAuth.ClientSecretRef.Name = "changed"
	if got := v.Settings.EightByEight.OAuth; got.ClientID != "hookkeeper" || got.ClientSecretRef.Name != "oauth" {
		t.Errorf("changing the resolved spec changed the account: %+v", got)
	}
}

func TestFromAccountAndClusterAccount(t *testing.T) {
	a := accountView(autodeskSettings(""))
	if a.Kind != hooksv1alpha1.AccountKindAccount || a.Name != "shared" || a.Namespace != "team-a" ||
		a.SecretNamespace != "team-a" || a.SecretName != "creds" || a.IsCluster() || a.Conditions != nil {
		t.Errorf("Account view %+v", a)
	}
	if got, want := a.String(), `Account "shared"`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	conds := []hooksv1alpha1.AccountCondition{{Namespaces: []string{"x"}}}
	c := clusterView(autodeskSettings(""), conds...)
	if c.Kind != hooksv1alpha1.AccountKindClusterAccount || c.Name != "platform" || c.Namespace != "" ||
		c.SecretNamespace != "platform-secrets" || c.SecretName != "platform-creds" || !c.IsCluster() ||
		!reflect.DeepEqual(c.Conditions, conds) {
		t.Errorf("ClusterAccount view %+v", c)
	}
	if got, want := c.String(), `ClusterAccount "platform"`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNotFound(t *testing.T) {
	for _, tt := range []struct {
		ref  hooksv1alpha1.AccountReference
		want string
	}{
		{hooksv1alpha1.AccountReference{Name: "gone"}, `spec.accountRef: Account "gone" does not exist in this namespace`},
		{hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindAccount, Name: "gone"}, `Account "gone" does not exist in this namespace`},
		{hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: "gone"}, `ClusterAccount "gone" does not exist in the cluster`},
	} {
		r := accounts.NotFound(&tt.ref)
		if r.Reason != hooksv1alpha1.ReasonAccountNotFound || !strings.Contains(r.Message, tt.want) {
			t.Errorf("NotFound(%+v) = %+v, want reason %s and %q", tt.ref, r, hooksv1alpha1.ReasonAccountNotFound, tt.want)
		}
	}
}
