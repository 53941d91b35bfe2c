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
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/accounts"
)

// namespace is a Namespace object with labels, as the cache holds it (with the name label the API
// server sets on every namespace).
func namespace(name string, kv ...string) *corev1.Namespace {
	l := map[string]string{corev1.LabelMetadataName: name}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}}
}

func matchLabels(kv ...string) hooksv1alpha1.AccountCondition {
	l := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return hooksv1alpha1.AccountCondition{NamespaceSelector: &metav1.LabelSelector{MatchLabels: l}}
}

func matchExpressions(e ...metav1.LabelSelectorRequirement) hooksv1alpha1.AccountCondition {
	return hooksv1alpha1.AccountCondition{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: e}}
}

func names(n ...string) hooksv1alpha1.AccountCondition {
	return hooksv1alpha1.AccountCondition{Namespaces: n}
}

var webex = hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex}

// goldTier and noSandboxLabel are the selector requirements of TestPermits' matchExpressions cases.
var (
	goldTier       = metav1.LabelSelectorRequirement{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"gold", "silver"}}
	noSandboxLabel = metav1.LabelSelectorRequirement{Key: "sandbox", Operator: metav1.LabelSelectorOpDoesNotExist}
)

// permitsCase is an account, a namespace (nil: not in the cache), and whether the account serves it.
type permitsCase struct {
	name      string
	account   *accounts.View
	namespace string
	ns        *corev1.Namespace
	want      bool
}

// permitsCases are the accounts and namespaces of TestPermits, grouped by the kind of condition.
var permitsCases = []permitsCase{
	// An Account serves its own namespace, whatever its labels, and no other.
	{"Account: its own namespace", accountView(webex), "team-a", namespace("team-a"), true},
	{"Account: its own namespace, not in the cache", accountView(webex), "team-a", nil, true},
	{"Account: another namespace", accountView(webex), "team-b", namespace("team-b"), false},
	{"Account: another namespace with the same labels", accountView(webex), "team-b", namespace("team-b", "team", "a"), false},

	// A ClusterAccount without conditions serves nobody.
	{"ClusterAccount without conditions", clusterView(webex), "team-a", namespace("team-a", "team", "a"), false},
	{"ClusterAccount without conditions, unknown namespace", clusterView(webex), "team-a", nil, false},

	// A list of namespaces.
	{"namespaces: listed", clusterView(webex, names("team-a", "team-b")), "team-b", namespace("team-b"), true},
	{"namespaces: listed, not in the cache", clusterView(webex, names("team-a", "team-b")), "team-b", nil, true},
	{"namespaces: not listed", clusterView(webex, names("team-a", "team-b")), "team-c", namespace("team-c"), false},
	{"namespaces: a prefix of a listed one", clusterView(webex, names("team-ab")), "team-a", namespace("team-a"), false},

	// matchLabels.
	{"matchLabels: matching", clusterView(webex, matchLabels("team", "payments")), "pay", namespace("pay", "team", "payments"), true},
	{"matchLabels: another value", clusterView(webex, matchLabels("team", "payments")), "ops", namespace("ops", "team", "ops"), false},
	{"matchLabels: the label missing", clusterView(webex, matchLabels("team", "payments")), "ops", namespace("ops"), false},
	{"matchLabels: all labels needed", clusterView(webex, matchLabels("team", "payments", "env", "prod")),
		"pay", namespace("pay", "team", "payments"), false},
	{"matchLabels: unknown namespace", clusterView(webex, matchLabels("team", "payments")), "pay", nil, false},
	{"matchLabels on the name label", clusterView(webex, matchLabels(corev1.LabelMetadataName, "pay")), "pay", namespace("pay"), true},

	// matchExpressions.
	{"matchExpressions: In and DoesNotExist hold", clusterView(webex, matchExpressions(goldTier, noSandboxLabel)),
		"a", namespace("a", "tier", "silver"), true},
	{"matchExpressions: DoesNotExist fails", clusterView(webex, matchExpressions(goldTier, noSandboxLabel)),
		"a", namespace("a", "tier", "gold", "sandbox", "yes"), false},
	{"matchExpressions: In fails", clusterView(webex, matchExpressions(goldTier, noSandboxLabel)),
		"a", namespace("a", "tier", "bronze"), false},
	{"matchExpressions: NotIn", clusterView(webex, matchExpressions(metav1.LabelSelectorRequirement{
		Key: "tier", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"bronze"}})), "a", namespace("a", "tier", "gold"), true},
	{"matchExpressions: Exists", clusterView(webex, matchExpressions(metav1.LabelSelectorRequirement{
		Key: "hooks", Operator: metav1.LabelSelectorOpExists})), "a", namespace("a", "hooks", ""), true},
	{"matchExpressions: unknown namespace", clusterView(webex, matchExpressions(noSandboxLabel)), "a", nil, false},
	{"matchLabels and matchExpressions together", clusterView(webex, hooksv1alpha1.AccountCondition{
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "x"},
			MatchExpressions: []metav1.LabelSelectorRequirement{goldTier}}}), "a", namespace("a", "team", "x", "tier", "bronze"), false},
	{"a selector that cannot be read permits nobody", clusterView(webex, matchExpressions(metav1.LabelSelectorRequirement{
		Key: "tier", Operator: "Bogus", Values: []string{"gold"}})), "a", namespace("a", "tier", "gold"), false},
	{"an empty selector matches every known namespace", clusterView(webex, hooksv1alpha1.AccountCondition{
		NamespaceSelector: &metav1.LabelSelector{}}), "a", namespace("a"), true},
	{"an empty selector does not match an unknown namespace", clusterView(webex, hooksv1alpha1.AccountCondition{
		NamespaceSelector: &metav1.LabelSelector{}}), "a", nil, false},

	// Any entry permits.
	{"any entry: the second one's list", clusterView(webex, matchLabels("team", "x"), names("b")), "b", namespace("b"), true},
	{"any entry: the first one's selector", clusterView(webex, matchLabels("team", "x"), names("b")), "a", namespace("a", "team", "x"), true},
	{"any entry: past one that cannot be read", clusterView(webex, matchExpressions(metav1.LabelSelectorRequirement{
		Key: "tier", Operator: "Bogus"}), names("a")), "a", namespace("a"), true},
	{"any entry: none", clusterView(webex, matchLabels("team", "x"), names("b")), "c", namespace("c", "team", "y"), false},
	{"one entry with both: its list", clusterView(webex, hooksv1alpha1.AccountCondition{
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "x"}}, Namespaces: []string{"b"}}),
		"b", nil, true},
	{"one entry with both: its selector", clusterView(webex, hooksv1alpha1.AccountCondition{
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "x"}}, Namespaces: []string{"b"}}),
		"a", namespace("a", "team", "x"), true},
}

func TestPermits(t *testing.T) {
	for _, tt := range permitsCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.account.Permits(tt.namespace, tt.ns); got != tt.want {
				t.Errorf("Permits(%q) = %v, want %v", tt.namespace, got, tt.want)
			}
			err := tt.account.Permission(tt.namespace, tt.ns)
			if tt.want {
				if err != nil {
					t.Errorf("Permission(%q) = %v, want nil", tt.namespace, err)
				}
				return
			}
			r, ok := accounts.AsRefusal(fmt.Errorf("wrapped: %w", err))
			if !ok {
				t.Fatalf("Permission(%q) = %v (%T), want a Refusal", tt.namespace, err, err)
			}
			if r.Reason != hooksv1alpha1.ReasonAccountNotPermitted {
				t.Errorf("reason %q, want %s", r.Reason, hooksv1alpha1.ReasonAccountNotPermitted)
			}
			if !strings.Contains(r.Message, tt.account.String()) {
				t.Errorf("message %q does not name the account %s", r.Message, tt.account)
			}
			if r.Error() != r.Message {
				t.Errorf("Error() %q, want the message", r.Error())
			}
		})
	}
}

// TestPermissionMessage checks what a refused namespace is told: the account and the rule, but
// not which other namespaces the rule permits.
func TestPermissionMessage(t *testing.T) {
	hidden := []string{"zz-hidden-alpha", "zz-hidden-beta", "zz-hidden-gamma"}
	tests := []struct {
		name    string
		account *accounts.View
		want    []string
	}{
		{"no conditions", clusterView(webex), []string{`ClusterAccount "platform"`, "has no spec.conditions", "no namespace may use it"}},
		{"a list", clusterView(webex, names(hidden...)),
			[]string{`namespace "team-c"`, `ClusterAccount "platform"`, "spec.conditions", "a list of 3 namespaces"}},
		{"a selector and a list", clusterView(webex, matchLabels("team", "payments"), names(hidden[:2]...)),
			[]string{"namespaceSelector team=payments", "a list of 2 namespaces"}},
		{"one entry with both", clusterView(webex, hooksv1alpha1.AccountCondition{
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"gold"}}}},
			Namespaces: hidden}), []string{"namespaceSelector tier in (gold) or a list of 3 namespaces"}},
		// A selector on the name label lists namespaces too: it says how many, not which.
		{"a selector on the name label", clusterView(webex, matchExpressions(metav1.LabelSelectorRequirement{
			Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpIn, Values: hidden})),
			[]string{"namespaceSelector", corev1.LabelMetadataName, "3 namespaces"}},
		{"matchLabels on the name label", clusterView(webex, matchLabels(corev1.LabelMetadataName, hidden[0], "team", "x")),
			[]string{"namespaceSelector", corev1.LabelMetadataName, "1 namespace", "team=x"}},
		{"NotIn on the name label", clusterView(webex, matchExpressions(metav1.LabelSelectorRequirement{
			Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpNotIn, Values: append([]string{"team-c"}, hidden...)})),
			[]string{"namespaceSelector", corev1.LabelMetadataName, "notin", "4 namespaces"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.account.Permission("team-c", namespace("team-c", "team", "other"))
			r, ok := accounts.AsRefusal(err)
			if !ok {
				t.Fatalf("Permission = %v, want a Refusal", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(r.Message, s) {
					t.Errorf("message %q does not say %q", r.Message, s)
				}
			}
			for _, h := range append(hidden, "zz-hidden") {
				if strings.Contains(r.Message, h) {
					t.Errorf("message %q names another namespace, %s", r.Message, h)
				}
			}
			if strings.Contains(r.Message, "platform-secrets") || strings.Contains(r.Message, "platform-creds") {
				t.Errorf("message %q names the credentials Secret", r.Message)
			}
		})
	}
}

// TestPermissionEmptySelector: an empty selector matches every namespace the cache knows; one it
// does not know is told so, rather than shown an empty selector.
func TestPermissionEmptySelector(t *testing.T) {
	v := clusterView(webex, hooksv1alpha1.AccountCondition{NamespaceSelector: &metav1.LabelSelector{}})
	r, ok := accounts.AsRefusal(v.Permission("team-c", nil))
	if !ok || !strings.Contains(r.Message, "namespaceSelector {} (every namespace)") {
		t.Errorf("Permission of an unknown namespace = %+v, want a refusal describing the empty selector", r)
	}
}

func TestTargetPermission(t *testing.T) {
	open := accountView(webex)
	if err := open.TargetPermission("http://anything.example.net:8080/x"); err != nil {
		t.Errorf("no allowedTargets: %v, want any target", err)
	}
	s := webex
	s.AllowedTargets = []string{"https://hooks.corp.example/team-a", "https://*.apps.corp.example"}
	v := clusterView(s)
	if err := v.TargetPermission("https://hooks.corp.example/team-a/x"); err != nil {
		t.Errorf("first rule: %v", err)
	}
	if err := v.TargetPermission("https://svc.apps.corp.example/x"); err != nil {
		t.Errorf("second rule: %v", err)
	}
	err := v.TargetPermission("https://hooks.corp.example/team-b")
	r, ok := accounts.AsRefusal(err)
	if !ok || r.Reason != hooksv1alpha1.ReasonTargetNotPermitted {
		t.Fatalf("TargetPermission = %v, want a TargetNotPermitted refusal", err)
	}
	for _, want := range []string{"spec.targetUrl", "spec.allowedTargets", `ClusterAccount "platform"`,
		"https://hooks.corp.example/team-a, https://*.apps.corp.example"} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("message %q does not say %q", r.Message, want)
		}
	}
	if strings.Contains(r.Message, "more") {
		t.Errorf("message %q speaks of more rules than there are", r.Message)
	}

	// Many rules: the first five and a count.
	s.AllowedTargets = nil
	for i := range 8 {
		s.AllowedTargets = append(s.AllowedTargets, fmt.Sprintf("https://h%d.example.com/", i))
	}
	r, ok = accounts.AsRefusal(clusterView(s).TargetPermission("https://elsewhere.example.com/"))
	if !ok {
		t.Fatal("want a refusal")
	}
	if !strings.Contains(r.Message, "https://h4.example.com/") || strings.Contains(r.Message, "https://h5.example.com/") ||
		!strings.Contains(r.Message, "and 3 more") {
		t.Errorf("message %q, want the first five rules and 3 more", r.Message)
	}
}

func TestLimitPermission(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	wh := func(name string, created time.Time, deleting bool) *hooksv1alpha1.Webhook {
		w := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name,
			UID: types.UID("uid-" + name), CreationTimestamp: metav1.NewTime(created)}}
		if deleting {
			w.DeletionTimestamp = ptr.To(metav1.NewTime(created.Add(time.Hour)))
			w.Finalizers = []string{"hooks.hookkeeper.dev/finalizer"}
		}
		return w
	}
	limited := func(n *int32) *accounts.View {
		s := webex
		s.Limits = &hooksv1alpha1.AccountLimits{WebhooksPerNamespace: n}
		return clusterView(s, names("team-a"))
	}
	a := wh("a", t0, false)
	b := wh("b", t0.Add(time.Minute), false)
	c := wh("c", t0.Add(2*time.Minute), false)
	// Created in the same second as c, which the API server's timestamps cannot tell apart.
	tieB, tieC := wh("b", t0, false), wh("c", t0, false)
	goneA := wh("a", t0, true)

	tests := []struct {
		name     string
		account  *accounts.View
		self     *hooksv1alpha1.Webhook
		siblings []*hooksv1alpha1.Webhook
		refused  bool
	}{
		{"no limits", clusterView(webex, names("team-a")), c, []*hooksv1alpha1.Webhook{a, b, c}, false},
		{"limits without webhooksPerNamespace", limited(nil), c, []*hooksv1alpha1.Webhook{a, b, c}, false},
		{"the oldest", limited(ptr.To[int32](2)), a, []*hooksv1alpha1.Webhook{a, b, c}, false},
		{"the second oldest", limited(ptr.To[int32](2)), b, []*hooksv1alpha1.Webhook{c, b, a}, false},
		{"the newest, beyond the limit", limited(ptr.To[int32](2)), c, []*hooksv1alpha1.Webhook{a, b, c}, true},
		{"the newest, not yet among the siblings", limited(ptr.To[int32](2)), c, []*hooksv1alpha1.Webhook{a, b}, true},
		{"the newest, with room", limited(ptr.To[int32](3)), c, []*hooksv1alpha1.Webhook{a, b, c}, false},
		{"a limit of one: the oldest", limited(ptr.To[int32](1)), a, []*hooksv1alpha1.Webhook{c, b, a}, false},
		{"a limit of one: the second", limited(ptr.To[int32](1)), b, []*hooksv1alpha1.Webhook{c, b, a}, true},
		{"the only one", limited(ptr.To[int32](1)), a, []*hooksv1alpha1.Webhook{a}, false},
		{"a tie, by name: the first", limited(ptr.To[int32](2)), a, []*hooksv1alpha1.Webhook{tieC, tieB, a}, false},
		{"a tie, by name: the second", limited(ptr.To[int32](2)), tieB, []*hooksv1alpha1.Webhook{tieC, tieB, a}, false},
		{"a tie, by name: the last", limited(ptr.To[int32](2)), tieC, []*hooksv1alpha1.Webhook{tieC, tieB, a}, true},
		{"an older one being deleted does not count", limited(ptr.To[int32](2)), c, []*hooksv1alpha1.Webhook{goneA, b, c}, false},
		{"an older one being deleted, limit reached anyway", limited(ptr.To[int32](1)), c, []*hooksv1alpha1.Webhook{goneA, b, c}, true},
		{"newer ones do not count", limited(ptr.To[int32](1)), a, []*hooksv1alpha1.Webhook{a, b, c}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.account.LimitPermission(tt.self, tt.siblings)
			if !tt.refused {
				if err != nil {
					t.Errorf("LimitPermission(%s) = %v, want nil", tt.self.Name, err)
				}
				return
			}
			r, ok := accounts.AsRefusal(err)
			if !ok {
				t.Fatalf("LimitPermission(%s) = %v, want a refusal", tt.self.Name, err)
			}
			limit := *tt.account.Settings.Limits.WebhooksPerNamespace
			if r.Reason != hooksv1alpha1.ReasonAccountLimitReached ||
				!strings.Contains(r.Message, tt.account.String()) ||
				!strings.Contains(r.Message, fmt.Sprintf("already has %d Webhooks", limit)) ||
				!strings.Contains(r.Message, "spec.limits.webhooksPerNamespace") {
				t.Errorf("refusal %+v, want AccountLimitReached naming the account, the limit of %d and the field", r, limit)
			}
		})
	}
}

func TestAdoptionPermission(t *testing.T) {
	adopting := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "w",
		Annotations: map[string]string{hooksv1alpha1.AnnotationExternalID: "Y2lzY29zcGFyazovL3VzL1dFQkhPT0svMQ"}}}
	emptyID := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "w",
		Annotations: map[string]string{hooksv1alpha1.AnnotationExternalID: ""}}}
	plain := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "w",
		Annotations: map[string]string{"other": "x"}}}
	with := func(allow *bool) hooksv1alpha1.AccountSettings {
		s := webex
		s.AllowAdoption = allow
		return s
	}
	tests := []struct {
		name    string
		account *accounts.View
		wh      *hooksv1alpha1.Webhook
		allowed bool // AdoptionAllowed
		refused bool
	}{
		{"Account by default", accountView(with(nil)), adopting, true, false},
		{"ClusterAccount by default", clusterView(with(nil)), adopting, false, true},
		{"ClusterAccount by default, an empty annotation", clusterView(with(nil)), emptyID, false, true},
		{"Account, allowAdoption false", accountView(with(ptr.To(false))), adopting, false, true},
		{"Account, allowAdoption true", accountView(with(ptr.To(true))), adopting, true, false},
		{"ClusterAccount, allowAdoption true", clusterView(with(ptr.To(true))), adopting, true, false},
		{"ClusterAccount, allowAdoption false", clusterView(with(ptr.To(false))), adopting, false, true},
		{"ClusterAccount by default, no annotation", clusterView(with(nil)), plain, false, false},
		{"Account, allowAdoption false, no annotation", accountView(with(ptr.To(false))), plain, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.account.AdoptionAllowed(); got != tt.allowed {
				t.Errorf("AdoptionAllowed() = %v, want %v", got, tt.allowed)
			}
			err := tt.account.AdoptionPermission(tt.wh)
			if !tt.refused {
				if err != nil {
					t.Errorf("AdoptionPermission = %v, want nil", err)
				}
				return
			}
			r, ok := accounts.AsRefusal(err)
			if !ok {
				t.Fatalf("AdoptionPermission = %v, want a refusal", err)
			}
			if r.Reason != hooksv1alpha1.ReasonAccountNotPermitted || !strings.Contains(r.Message, tt.account.String()) ||
				!strings.Contains(r.Message, hooksv1alpha1.AnnotationExternalID) || !strings.Contains(r.Message, "spec.allowAdoption") {
				t.Errorf("refusal %+v, want AccountNotPermitted naming the account, the annotation and spec.allowAdoption", r)
			}
		})
	}
}
