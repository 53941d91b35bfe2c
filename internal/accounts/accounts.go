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

// Package accounts holds the rules of Accounts and ClusterAccounts, apart from the API server:
// what a Webhook on an account is (its spec completed with the account's fields), whether its
// namespace may use the account, where its deliveries may go and how many Webhooks a namespace may
// have on it. The controllers feed it objects from their cache; it makes no request.
package accounts

import (
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// View is an Account or a ClusterAccount, seen the same way.
type View struct {
	// Kind is Account or ClusterAccount.
	Kind hooksv1alpha1.AccountKind
	// Name is the account's name; Namespace is an Account's namespace ("" for a ClusterAccount).
	Name, Namespace string
	// SecretNamespace and SecretName locate the credentials Secret.
	SecretNamespace, SecretName string
	// Settings are the provider, the account-level fields and the rules.
	Settings *hooksv1alpha1.AccountSettings
	// Conditions say who may use a ClusterAccount; nil for an Account.
	Conditions []hooksv1alpha1.AccountCondition
}

// FromAccount views an Account.
func FromAccount(a *hooksv1alpha1.Account) *View {
	return &View{Kind: hooksv1alpha1.AccountKindAccount, Name: a.Name, Namespace: a.Namespace,
		SecretNamespace: a.Namespace, SecretName: a.Spec.CredentialsRef.Name, Settings: &a.Spec.AccountSettings}
}

// FromClusterAccount views a ClusterAccount.
func FromClusterAccount(c *hooksv1alpha1.ClusterAccount) *View {
	return &View{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: c.Name,
		SecretNamespace: c.Spec.CredentialsRef.Namespace, SecretName: c.Spec.CredentialsRef.Name,
		Settings: &c.Spec.AccountSettings, Conditions: c.Spec.Conditions}
}

// String names the account as messages do: its kind and name. An Account lives in the namespace of
// the Webhooks that use it, so no message names another namespace.
func (v *View) String() string {
	return fmt.Sprintf("%s %q", v.Kind, v.Name)
}

// IsCluster reports whether the view is of a ClusterAccount.
func (v *View) IsCluster() bool { return v.Kind == hooksv1alpha1.AccountKindClusterAccount }

// AdoptionAllowed reports whether the external-id annotation may be used on the account: as
// allowAdoption says, by default on an Account only.
func (v *View) AdoptionAllowed() bool {
	if v.Settings.AllowAdoption != nil {
		return *v.Settings.AllowAdoption
	}
	return !v.IsCluster()
}

// Refusal is why a Webhook may not use its account, with the Ready reason that says so. Its
// message names the account and the rule, never another namespace and never a credential.
type Refusal struct {
	Reason  string
	Message string
}

func (r *Refusal) Error() string { return r.Message }

// AsRefusal returns the Refusal in err's chain, if any.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

// NotFound is the refusal of a Webhook whose accountRef names nothing.
func NotFound(ref *hooksv1alpha1.AccountReference) *Refusal {
	kind := ref.Kind
	if kind == "" {
		kind = hooksv1alpha1.AccountKindAccount
	}
	where := "in this namespace"
	if kind == hooksv1alpha1.AccountKindClusterAccount {
		where = "in the cluster"
	}
	return &Refusal{Reason: hooksv1alpha1.ReasonAccountNotFound,
		Message: fmt.Sprintf("spec.accountRef: %s %q does not exist %s", kind, ref.Name, where)}
}

// Permits reports whether a namespace may use the account. An Account serves its own namespace
// only; a ClusterAccount the namespaces that match any of its conditions (none: nobody). A
// namespace that is not known (nil) matches no selector, only a condition that names it.
func (v *View) Permits(namespace string, ns *corev1.Namespace) bool {
	if !v.IsCluster() {
		return namespace == v.Namespace
	}
	for _, c := range v.Conditions {
		for _, n := range c.Namespaces {
			if n == namespace {
				return true
			}
		}
		if c.NamespaceSelector == nil || ns == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(c.NamespaceSelector)
		if err != nil {
			// A selector the API server let through but that cannot be read permits nobody.
			continue
		}
		if sel.Matches(labels.Set(ns.Labels)) {
			return true
		}
	}
	return false
}

// Permission checks that a namespace may use the account, as a Refusal naming the rule.
func (v *View) Permission(namespace string, ns *corev1.Namespace) error {
	if v.Permits(namespace, ns) {
		return nil
	}
	if len(v.Conditions) == 0 {
		return &Refusal{Reason: hooksv1alpha1.ReasonAccountNotPermitted, Message: fmt.Sprintf(
			"%s has no spec.conditions, so no namespace may use it: ask its owner to add this namespace", v)}
	}
	return &Refusal{Reason: hooksv1alpha1.ReasonAccountNotPermitted, Message: fmt.Sprintf(
		"namespace %q matches none of the spec.conditions of %s (%s): ask its owner to permit this namespace",
		namespace, v, describeConditions(v.Conditions))}
}

// describeConditions says what the conditions look at without naming the namespaces they list.
func describeConditions(conds []hooksv1alpha1.AccountCondition) string {
	parts := make([]string, 0, len(conds))
	for _, c := range conds {
		var p []string
		if c.NamespaceSelector != nil {
			if sel, ok := describeSelector(c.NamespaceSelector); ok {
				p = append(p, "namespaceSelector "+cut(sel, 200))
			}
		}
		if len(c.Namespaces) > 0 {
			p = append(p, "a list of "+plural(len(c.Namespaces), "namespace"))
		}
		parts = append(parts, strings.Join(p, " or "))
	}
	return strings.Join(parts, "; ")
}

// describeSelector writes a selector as labels.Selector does, except that the values of the
// kubernetes.io/metadata.name label, which are namespace names, are only counted.
func describeSelector(ls *metav1.LabelSelector) (string, bool) {
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		return "", false
	}
	reqs, _ := sel.Requirements()
	if len(reqs) == 0 {
		return "{} (every namespace)", true
	}
	parts := make([]string, 0, len(reqs))
	for _, r := range reqs {
		n := r.Values().Len()
		if r.Key() != corev1.LabelMetadataName || n == 0 {
			parts = append(parts, r.String())
			continue
		}
		op := "in"
		if o := r.Operator(); o == selection.NotIn || o == selection.NotEquals {
			op = "notin"
		}
		noun := "namespaces"
		if n == 1 {
			noun = "namespace"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%d %s)", r.Key(), op, n, noun))
	}
	return strings.Join(parts, ","), true
}

// TargetPermission checks a targetUrl against the account's allowedTargets.
func (v *View) TargetPermission(target string) error {
	allowed := v.Settings.AllowedTargets
	if len(allowed) == 0 || TargetAllowed(allowed, target) {
		return nil
	}
	shown := allowed
	if len(shown) > 5 {
		shown = shown[:5]
	}
	more := ""
	if len(allowed) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(allowed)-len(shown))
	}
	return &Refusal{Reason: hooksv1alpha1.ReasonTargetNotPermitted, Message: fmt.Sprintf(
		"spec.targetUrl is not under any of the spec.allowedTargets of %s (%s%s)", v, cut(strings.Join(shown, ", "), 600), more)}
}

// LimitPermission checks the account's webhooksPerNamespace for a Webhook among those of its
// namespace on the same account (itself included or not): the oldest ones fit, the newest wait.
// Webhooks being deleted do not count.
func (v *View) LimitPermission(self *hooksv1alpha1.Webhook, siblings []*hooksv1alpha1.Webhook) error {
	if v.Settings.Limits == nil || v.Settings.Limits.WebhooksPerNamespace == nil {
		return nil
	}
	limit := int(*v.Settings.Limits.WebhooksPerNamespace)
	ahead := 0
	for _, o := range siblings {
		if o.UID == self.UID || !o.DeletionTimestamp.IsZero() {
			continue
		}
		if older(o, self) {
			ahead++
		}
	}
	if ahead < limit {
		return nil
	}
	return &Refusal{Reason: hooksv1alpha1.ReasonAccountLimitReached, Message: fmt.Sprintf(
		"this namespace already has %d Webhooks on %s, its spec.limits.webhooksPerNamespace: delete one to make room", ahead, v)}
}

// older orders Webhooks by creation, then name: the order in which a limit admits them.
func older(a, b *hooksv1alpha1.Webhook) bool {
	ta, tb := a.CreationTimestamp.Time, b.CreationTimestamp.Time
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return a.Name < b.Name
}

// AdoptionPermission refuses the external-id annotation where the account does not allow it.
func (v *View) AdoptionPermission(wh *hooksv1alpha1.Webhook) error {
	if _, ok := wh.Annotations[hooksv1alpha1.AnnotationExternalID]; !ok || v.AdoptionAllowed() {
		return nil
	}
	return &Refusal{Reason: hooksv1alpha1.ReasonAccountNotPermitted, Message: fmt.Sprintf(
		"the %s annotation adopts a remote webhook that nobody here made, which %s does not allow (spec.allowAdoption): remove the annotation",
		hooksv1alpha1.AnnotationExternalID, v)}
}

// cut shortens s to n bytes at most.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// plural is "1 namespace", "3 namespaces".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
