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

package install

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// The namespace-scoped install: with the chart's watchNamespaces, or with config/namespaced,
// the operator watches some namespaces only and its permissions are a Role and RoleBinding in
// each of them instead of the ClusterRole and ClusterRoleBinding.

// watched are the namespaces the tests below install for; config/namespaced uses the same.
var watched = []string{"team-a", "team-b"}

// watchNamespacesArgs are helm arguments that set watchNamespaces to watched.
func watchNamespacesArgs() []string {
	return []string{"--set", "watchNamespaces={" + strings.Join(watched, ",") + "}"}
}

// TestChartWatchNamespaces: with watchNamespaces the chart grants the operator's generated rules
// by a Role and RoleBinding in each watched namespace, binds no cluster-wide role that reads
// Secrets, passes --watch-namespaces, and applies (dry-run) without a warning.
func TestChartWatchNamespaces(t *testing.T) {
	if got, ok := deploymentArgs(t, mustHelmTemplate(t, kustomizeNamespace))["watch-namespaces"]; ok {
		t.Errorf("the default values pass --watch-namespaces=%q", got)
	}
	const ns = "helm-watch-namespaces"
	objs := mustHelmTemplate(t, ns, watchNamespacesArgs()...)
	checkNamespaced(t, objs, ns, watched)

	c := needAPIServer(t)
	createNamespace(t, c, ns, restrictedLabels)
	for _, w := range watched {
		createNamespace(t, c, w, nil)
	}
	applyAll(t, c, objs)
}

// TestKustomizeNamespaced: config/namespaced is config/default for the namespaces team-a and
// team-b, with the same checks as the chart's watchNamespaces; otherwise its operator runs as
// config/default's.
func TestKustomizeNamespaced(t *testing.T) {
	objs := kustomizeBuild(t, "config/namespaced")
	checkNamespaced(t, objs, kustomizeNamespace, watched)

	// Nothing else differs from config/default: the same objects but the manager's RBAC, and
	// the same arguments but --watch-namespaces.
	defaults := kustomizeBuild(t, "config/default")
	isManagerRBAC := func(o *unstructured.Unstructured) bool {
		return strings.HasPrefix(o.GetKind(), "ClusterRole") && strings.HasPrefix(o.GetName(), releaseName+"-manager-") ||
			strings.HasPrefix(o.GetKind(), "Role") && o.GetNamespace() != kustomizeNamespace
	}
	key := func(o *unstructured.Unstructured) string {
		return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
	}
	var want, got []string
	for _, o := range defaults {
		if !isManagerRBAC(o) {
			want = append(want, key(o))
		}
	}
	for _, o := range objs {
		if !isManagerRBAC(o) {
			got = append(got, key(o))
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("besides the manager's RBAC, config/namespaced renders\n%s\nwhile config/default renders\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	da, na := deploymentArgs(t, defaults), deploymentArgs(t, objs)
	delete(na, "watch-namespaces")
	if !equality.Semantic.DeepEqual(da, na) {
		t.Errorf("besides --watch-namespaces, config/namespaced passes %v, config/default %v", na, da)
	}

	c := needAPIServer(t)
	for _, w := range watched {
		createNamespace(t, c, w, nil)
	}
	applyAll(t, c, objs)
}

// checkNamespaced checks a namespace-scoped rendering for the operator's ServiceAccount in
// releaseNS, watching the namespaces ns.
func checkNamespaced(t *testing.T, objs []*unstructured.Unstructured, releaseNS string, ns []string) {
	t.Helper()
	sa := rbacv1.Subject{Kind: "ServiceAccount", Name: releaseName + "-controller-manager", Namespace: releaseNS}
	rules := generatedManagerRules(t)

	if got, want := deploymentArgs(t, objs)["watch-namespaces"], strings.Join(ns, ","); got != want {
		t.Errorf("--watch-namespaces=%q, want %q", got, want)
	}
	// Nothing cluster-wide reads Secrets, nor is bound to the operator.
	for _, o := range find(objs, "ClusterRole") {
		var cr rbacv1.ClusterRole
		convert(t, o, &cr)
		if grantsSecrets(cr.Rules) {
			t.Errorf("ClusterRole %s grants access to Secrets in every namespace", cr.Name)
		}
	}
	for _, o := range find(objs, "ClusterRoleBinding") {
		// Save those of the secure metrics endpoint (metrics_test.go), which grant no object.
		if bindsMetricsRoleOnly(t, objs, o) {
			continue
		}
		t.Errorf("ClusterRoleBinding %s is rendered: the operator's permissions must be namespaced", o.GetName())
	}
	// Every namespaced object is in the release namespace or a watched one.
	allowed := append([]string{releaseNS}, ns...)
	for _, o := range objs {
		if n := o.GetNamespace(); n != "" && !slices.Contains(allowed, n) {
			t.Errorf("%s %s is in namespace %s, neither the release's nor a watched one", o.GetKind(), o.GetName(), n)
		}
	}
	// A Role and a RoleBinding per watched namespace give the operator its generated rules.
	for _, n := range ns {
		var role rbacv1.Role
		convert(t, findIn(t, objs, "Role", n, releaseName+"-manager-role"), &role)
		if !equality.Semantic.DeepEqual(role.Rules, rules) {
			gj, _ := json.MarshalIndent(role.Rules, "", "  ")
			wj, _ := json.MarshalIndent(rules, "", "  ")
			t.Errorf("the rules of Role %s/%s are not those of config/rbac/role.yaml:\ngot: %s\nwant: %s", n, role.Name, gj, wj)
		}
		var rb rbacv1.RoleBinding
		convert(t, findIn(t, objs, "RoleBinding", n, releaseName+"-manager-rolebinding"), &rb)
		if rb.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name}) {
			t.Errorf("RoleBinding %s/%s refers to %+v, want Role %s", n, rb.Name, rb.RoleRef, role.Name)
		}
		if len(rb.Subjects) != 1 || rb.Subjects[0] != sa {
			t.Errorf("RoleBinding %s/%s binds %+v, want %+v", n, rb.Name, rb.Subjects, sa)
		}
	}
	// Secrets are readable in the watched namespaces alone, save the operator's own status key.
	for _, o := range find(objs, "Role") {
		var r rbacv1.Role
		convert(t, o, &r)
		if r.Namespace == releaseNS && r.Name == releaseName+"-status-key-role" {
			checkStatusKeyRole(t, r, statusKeySecretOf(t, objs))
			continue
		}
		if grantsSecrets(r.Rules) && !slices.Contains(ns, r.Namespace) {
			t.Errorf("Role %s/%s grants access to Secrets outside the watched namespaces", r.Namespace, r.Name)
		}
	}
	// Leader election is unchanged: its Role stays in the release namespace.
	var le rbacv1.RoleBinding
	convert(t, findIn(t, objs, "RoleBinding", releaseNS, releaseName+"-leader-election-rolebinding"), &le)
	if len(le.Subjects) != 1 || le.Subjects[0] != sa {
		t.Errorf("the leader-election RoleBinding binds %+v, want %+v", le.Subjects, sa)
	}
	findIn(t, objs, "Role", releaseNS, releaseName+"-leader-election-role")
}

// generatedManagerRules returns the rules controller-gen wrote into config/rbac/role.yaml.
func generatedManagerRules(t *testing.T) []rbacv1.PolicyRule {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cr rbacv1.ClusterRole
	if err := yaml.Unmarshal(data, &cr); err != nil {
		t.Fatal(err)
	}
	if len(cr.Rules) == 0 {
		t.Fatal("config/rbac/role.yaml has no rules")
	}
	return cr.Rules
}

// grantsSecrets tells whether any rule reaches core Secrets.
func grantsSecrets(rules []rbacv1.PolicyRule) bool {
	for _, r := range rules {
		group := slices.Contains(r.APIGroups, "") || slices.Contains(r.APIGroups, "*")
		resource := slices.Contains(r.Resources, "secrets") || slices.Contains(r.Resources, "*")
		if group && resource && len(r.Verbs) > 0 {
			return true
		}
	}
	return false
}

// findIn returns the one object of kind, namespace and name, failing t when there is none.
func findIn(t *testing.T, objs []*unstructured.Unstructured, kind, namespace, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range find(objs, kind) {
		if o.GetNamespace() == namespace && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %s/%s in the rendering (it has %s)", kind, namespace, name, describe(objs))
	return nil
}

// TestChartEndpointAllowlist: endpointAllowlist reaches --endpoint-allowlist, its entries
// joined by commas in their order; empty, the flag is not passed at all.
func TestChartEndpointAllowlist(t *testing.T) {
	if got, ok := deploymentArgs(t, mustHelmTemplate(t, kustomizeNamespace))["endpoint-allowlist"]; ok {
		t.Errorf("the default values pass --endpoint-allowlist=%q", got)
	}
	values := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(values, []byte("endpointAllowlist: [\"10.20.0.0/16\", \"*.corp.example\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	objs := mustHelmTemplate(t, kustomizeNamespace, "-f", values)
	if got, want := deploymentArgs(t, objs)["endpoint-allowlist"], "10.20.0.0/16,*.corp.example"; got != want {
		t.Errorf("--endpoint-allowlist=%q, want %q", got, want)
	}
	// The allowlist changes nothing of the RBAC: the operator still watches every namespace.
	if _, ok := deploymentArgs(t, objs)["watch-namespaces"]; ok {
		t.Error("endpointAllowlist alone passes --watch-namespaces")
	}
	findOne(t, objs, "ClusterRoleBinding", releaseName+"-manager-rolebinding")
}

// TestNamespacedRBACIsEnforced installs the chart's namespaced RBAC for real and asks the API
// server, as the operator's ServiceAccount, what it may do: read Secrets and manage Webhooks in
// the watched namespaces, and nothing of the kind in any other namespace or cluster-wide.
func TestNamespacedRBACIsEnforced(t *testing.T) {
	c := needAPIServer(t)
	const (
		releaseNS = "rbac-check"
		other     = "team-c" // a namespace the operator does not watch
	)
	objs := mustHelmTemplate(t, releaseNS, watchNamespacesArgs()...)
	for _, n := range append([]string{releaseNS, other}, watched...) {
		createNamespace(t, c, n, nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The Roles and RoleBindings, for real (removed at the end).
	for _, o := range objs {
		if o.GetKind() != "Role" && o.GetKind() != "RoleBinding" {
			continue
		}
		obj := o.DeepCopy()
		if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
			t.Fatalf("applying %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
		t.Cleanup(func() {
			if err := c.Delete(context.Background(), o.DeepCopy()); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
			}
		})
	}
	// A Secret in a watched namespace and one elsewhere, for the real requests.
	for _, n := range []string{watched[0], other} {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "credentials", Namespace: n}, StringData: map[string]string{"token": "x"}}
		if err := c.Create(ctx, s); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := c.Delete(context.Background(), s); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting Secret %s/%s: %v", s.Namespace, s.Name, err)
			}
		})
	}

	// The operator, as the API server sees it in its pod.
	sa := releaseName + "-controller-manager"
	cfg := rest.CopyConfig(apiServer.cfg)
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + releaseNS + ":" + sa,
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + releaseNS, "system:authenticated"},
	}
	op, err := client.NewWithWatch(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	can := func(t *testing.T, a authorizationv1.ResourceAttributes) bool {
		t.Helper()
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &a}}
		if err := op.Create(ctx, review); err != nil {
			t.Fatalf("SelfSubjectAccessReview %+v: %v", a, err)
		}
		return review.Status.Allowed
	}
	secrets := func(verb, ns string) authorizationv1.ResourceAttributes {
		return authorizationv1.ResourceAttributes{Verb: verb, Resource: "secrets", Namespace: ns}
	}
	webhooks := func(verb, ns, sub string) authorizationv1.ResourceAttributes {
		return authorizationv1.ResourceAttributes{Verb: verb, Group: "hooks.hookkeeper.dev", Resource: "webhooks", Subresource: sub, Namespace: ns}
	}

	// RBAC reaches the authorizer through an informer: wait for the first grant to show.
	deadline := time.Now().Add(30 * time.Second)
	for !can(t, secrets("list", watched[0])) {
		if time.Now().After(deadline) {
			t.Fatalf("%s may still not list Secrets in %s 30s after its RoleBinding was created", cfg.Impersonate.UserName, watched[0])
		}
		time.Sleep(200 * time.Millisecond)
	}

	for _, n := range watched {
		for _, a := range []authorizationv1.ResourceAttributes{
			secrets("get", n), secrets("list", n), secrets("watch", n),
			webhooks("get", n, ""), webhooks("list", n, ""), webhooks("watch", n, ""), webhooks("patch", n, ""),
			webhooks("patch", n, "status"), webhooks("update", n, "finalizers"),
			{Verb: "create", Group: "events.k8s.io", Resource: "events", Namespace: n},
		} {
			if !can(t, a) {
				t.Errorf("the operator may not %s %s/%s in %s", a.Verb, a.Resource, a.Subresource, n)
			}
		}
		// Read-only on Secrets, even there.
		for _, verb := range []string{"create", "update", "patch", "delete"} {
			if can(t, secrets(verb, n)) {
				t.Errorf("the operator may %s Secrets in %s", verb, n)
			}
		}
	}
	for _, a := range []authorizationv1.ResourceAttributes{
		secrets("list", ""), secrets("watch", ""), secrets("get", other), secrets("list", other), secrets("list", releaseNS),
		webhooks("list", "", ""), webhooks("list", other, ""), webhooks("patch", other, ""),
	} {
		if can(t, a) {
			where := a.Namespace
			if where == "" {
				where = "every namespace"
			}
			t.Errorf("the operator may %s %s in %s", a.Verb, a.Resource, where)
		}
	}
	// In its own namespace, it may create Secrets (its status key, at first start) and read that
	// one Secret, no other.
	keySecret := statusKeySecretOf(t, objs)
	key := func(verb, name string) authorizationv1.ResourceAttributes {
		return authorizationv1.ResourceAttributes{Verb: verb, Resource: "secrets", Namespace: releaseNS, Name: name}
	}
	for _, a := range []authorizationv1.ResourceAttributes{secrets("create", releaseNS), key("get", keySecret)} {
		if !can(t, a) {
			t.Errorf("the operator may not %s Secret %q in %s", a.Verb, a.Name, releaseNS)
		}
	}
	for _, a := range []authorizationv1.ResourceAttributes{
		key("get", "credentials"), key("update", keySecret), key("patch", keySecret), key("delete", keySecret), secrets("watch", releaseNS),
	} {
		if can(t, a) {
			t.Errorf("the operator may %s Secret %q in %s", a.Verb, a.Name, releaseNS)
		}
	}
	// Leader election still works in the release namespace.
	if !can(t, authorizationv1.ResourceAttributes{Verb: "update", Group: "coordination.k8s.io", Resource: "leases", Namespace: releaseNS}) {
		t.Errorf("the operator may not update Leases in %s", releaseNS)
	}

	// The same through real requests, as the operator's informers make them.
	var list corev1.SecretList
	if err := op.List(ctx, &list, client.InNamespace(watched[0])); err != nil {
		t.Errorf("listing Secrets in %s: %v", watched[0], err)
	} else if len(list.Items) == 0 {
		t.Errorf("listing Secrets in %s returned none", watched[0])
	}
	if w, err := op.Watch(ctx, &corev1.SecretList{}, client.InNamespace(watched[0])); err != nil {
		t.Errorf("watching Secrets in %s: %v", watched[0], err)
	} else {
		w.Stop()
	}
	hooks := &unstructured.UnstructuredList{}
	hooks.SetGroupVersionKind(schema.GroupVersionKind{Group: "hooks.hookkeeper.dev", Version: "v1alpha1", Kind: "WebhookList"})
	if err := op.List(ctx, hooks, client.InNamespace(watched[0])); err != nil {
		t.Errorf("listing Webhooks in %s: %v", watched[0], err)
	}
	if w, err := op.Watch(ctx, hooks, client.InNamespace(watched[0])); err != nil {
		t.Errorf("watching Webhooks in %s: %v", watched[0], err)
	} else {
		w.Stop()
	}
	for _, r := range []struct {
		what string
		err  error
	}{
		{"listing Secrets in " + other, op.List(ctx, &corev1.SecretList{}, client.InNamespace(other))},
		{"getting Secret " + other + "/credentials", op.Get(ctx, client.ObjectKey{Namespace: other, Name: "credentials"}, &corev1.Secret{})},
		{"listing Secrets in every namespace", op.List(ctx, &corev1.SecretList{})},
		{"listing Webhooks in every namespace", op.List(ctx, hooks)},
	} {
		if !apierrors.IsForbidden(r.err) {
			t.Errorf("%s: got %v, want Forbidden", r.what, r.err)
		}
	}
}
