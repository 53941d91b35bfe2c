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
	"maps"
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
// each of them instead of the ClusterRole and ClusterRoleBinding. Besides them: a ClusterRole for
// what a Role cannot grant (reading ClusterAccounts and Namespaces, writing ClusterAccounts'
// status), and a Role that reads the Secrets of each account-secret namespace that is not
// watched, where ClusterAccounts keep their credentials. Accounts and ClusterAccounts both work.

// watched are the namespaces the tests below install for; config/namespaced uses the same.
var watched = []string{"team-a", "team-b"}

// watchNamespacesArgs are helm arguments that set watchNamespaces to watched.
func watchNamespacesArgs() []string {
	return []string{"--set", "watchNamespaces={" + strings.Join(watched, ",") + "}"}
}

// TestChartWatchNamespaces: with watchNamespaces the chart grants the operator's generated rules
// by a Role and RoleBinding in each watched namespace, the Secrets of the account-secret
// namespaces (by default the release namespace) by a Role in each that is not watched, and
// the generated rules on cluster-scoped resources by a ClusterRole; it binds no cluster-wide role
// that reads Secrets, passes --watch-namespaces, and applies (dry-run) without a warning.
func TestChartWatchNamespaces(t *testing.T) {
	defaults := deploymentArgs(t, mustHelmTemplate(t, kustomizeNamespace))
	for _, flag := range []string{"watch-namespaces", "account-secret-namespaces"} {
		if got, ok := defaults[flag]; ok {
			t.Errorf("the default values pass --%s=%q", flag, got)
		}
	}
	for _, tc := range []struct {
		name, ns string
		args     []string
		// secretNS are the account-secret namespaces; flag, the --account-secret-namespaces passed.
		secretNS []string
		flag     string
	}{
		{name: "account secrets in the release namespace", ns: "helm-watch-namespaces", secretNS: []string{"helm-watch-namespaces"}},
		{name: "account secrets listed", ns: "helm-watch-namespaces-acct", args: []string{"--set", "operator.accountSecretNamespaces={platform-credentials," + watched[1] + "}"},
			secretNS: []string{"platform-credentials", watched[1]}, flag: "platform-credentials," + watched[1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs := mustHelmTemplate(t, tc.ns, append(watchNamespacesArgs(), tc.args...)...)
			checkNamespaced(t, objs, tc.ns, watched, tc.secretNS)
			if got, ok := deploymentArgs(t, objs)["account-secret-namespaces"]; got != tc.flag || ok != (tc.flag != "") {
				t.Errorf("--account-secret-namespaces=%q (passed: %t), want %q", got, ok, tc.flag)
			}

			c := needAPIServer(t)
			createNamespace(t, c, tc.ns, restrictedLabels)
			for _, w := range append(slices.Clone(watched), tc.secretNS...) {
				createNamespace(t, c, w, nil)
			}
			applyAll(t, c, objs)
		})
	}
}

// TestKustomizeNamespaced: config/namespaced is config/default for the namespaces team-a and
// team-b, with the same checks as the chart's watchNamespaces; otherwise its operator runs as
// config/default's.
func TestKustomizeNamespaced(t *testing.T) {
	objs := kustomizeBuild(t, "config/namespaced")
	checkNamespaced(t, objs, kustomizeNamespace, watched, []string{kustomizeNamespace})

	// Nothing else differs from config/default: the same objects but the manager's RBAC, and
	// the same arguments but --watch-namespaces.
	defaults := kustomizeBuild(t, "config/default")
	isManagerRBAC := func(o *unstructured.Unstructured) bool {
		return strings.HasPrefix(o.GetKind(), "ClusterRole") && strings.HasPrefix(o.GetName(), releaseName+"-manager-") ||
			strings.HasPrefix(o.GetKind(), "Role") && (o.GetNamespace() != kustomizeNamespace || strings.HasPrefix(o.GetName(), releaseName+"-account-secrets-"))
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
// releaseNS, watching the namespaces ns, with the account-secret namespaces secretNS.
func checkNamespaced(t *testing.T, objs []*unstructured.Unstructured, releaseNS string, ns, secretNS []string) {
	t.Helper()
	sa := rbacv1.Subject{Kind: "ServiceAccount", Name: releaseName + "-controller-manager", Namespace: releaseNS}
	rules := generatedManagerRules(t)

	if got, want := deploymentArgs(t, objs)["watch-namespaces"], strings.Join(ns, ","); got != want {
		t.Errorf("--watch-namespaces=%q, want %q", got, want)
	}
	checkNamespacedClusterRBAC(t, objs, sa)
	// Every namespaced object is in the release namespace or a watched one; the account-secret
	// namespaces hold their Roles and RoleBindings alone.
	allowed := append([]string{releaseNS}, ns...)
	for _, o := range objs {
		n := o.GetNamespace()
		if n == "" || slices.Contains(allowed, n) {
			continue
		}
		if slices.Contains(secretNS, n) && (o.GetKind() == "Role" || o.GetKind() == "RoleBinding") {
			continue
		}
		t.Errorf("%s %s is in namespace %s, neither the release's nor a watched one", o.GetKind(), o.GetName(), n)
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
		checkBinding(t, objs, n, releaseName+"-manager-rolebinding", role.Name, sa)
	}
	checkNamespacedSecretRoles(t, objs, releaseNS, ns, secretNS, sa)
	// Leader election is unchanged: its Role stays in the release namespace.
	checkBinding(t, objs, releaseNS, releaseName+"-leader-election-rolebinding", releaseName+"-leader-election-role", sa)
	findIn(t, objs, "Role", releaseNS, releaseName+"-leader-election-role")
}

// checkNamespacedClusterRBAC checks the cluster-scoped RBAC of a namespace-scoped rendering: no
// ClusterRole reads Secrets, and the one ClusterRole bound to sa grants the generated rules on
// cluster-scoped resources.
func checkNamespacedClusterRBAC(t *testing.T, objs []*unstructured.Unstructured, sa rbacv1.Subject) {
	t.Helper()
	// Nothing cluster-wide reads Secrets.
	for _, o := range find(objs, "ClusterRole") {
		var cr rbacv1.ClusterRole
		convert(t, o, &cr)
		if grantsSecrets(cr.Rules) {
			t.Errorf("ClusterRole %s grants access to Secrets in every namespace", cr.Name)
		}
	}
	// The one ClusterRole bound to the operator grants the generated rules on cluster-scoped
	// resources, nothing else.
	clusterRole, clusterBinding := releaseName+"-manager-cluster-role", releaseName+"-manager-cluster-rolebinding"
	var cr rbacv1.ClusterRole
	convert(t, findIn(t, objs, "ClusterRole", "", clusterRole), &cr)
	if got, want := ruleSet(cr.Rules), ruleSet(managerClusterRules(t)); !maps.Equal(got, want) {
		t.Errorf("ClusterRole %s grants %v, want the rules of config/rbac/role.yaml on cluster-scoped resources, %v", cr.Name, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for _, o := range find(objs, "ClusterRoleBinding") {
		// Save those of the secure metrics endpoint (metrics_test.go), which grant no object.
		if bindsMetricsRoleOnly(t, objs, o) {
			continue
		}
		if o.GetName() == clusterBinding {
			var crb rbacv1.ClusterRoleBinding
			convert(t, o, &crb)
			if crb.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole}) || len(crb.Subjects) != 1 || crb.Subjects[0] != sa {
				t.Errorf("ClusterRoleBinding %s binds %+v to %+v, want ClusterRole %s to %+v", crb.Name, crb.RoleRef, crb.Subjects, clusterRole, sa)
			}
			continue
		}
		t.Errorf("ClusterRoleBinding %s is rendered: the operator's permissions must be namespaced, save %s", o.GetName(), clusterBinding)
	}
}

// checkNamespacedSecretRoles checks the Roles of a namespace-scoped rendering that read Secrets:
// those of the account-secret namespaces secretNS that ns does not hold, and that no other Role
// but the watched namespaces' and the status key's grants Secrets.
func checkNamespacedSecretRoles(t *testing.T, objs []*unstructured.Unstructured, releaseNS string, ns, secretNS []string, sa rbacv1.Subject) {
	t.Helper()
	// A Role and a RoleBinding per account-secret namespace that is not watched read its Secrets.
	accountSecrets := releaseName + "-account-secrets-role"
	for _, n := range secretNS {
		if slices.Contains(ns, n) {
			continue
		}
		var role rbacv1.Role
		convert(t, findIn(t, objs, "Role", n, accountSecrets), &role)
		want := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list", "watch"}}}
		if !equality.Semantic.DeepEqual(role.Rules, want) {
			t.Errorf("Role %s/%s grants %+v, want %+v", n, role.Name, role.Rules, want)
		}
		checkBinding(t, objs, n, releaseName+"-account-secrets-rolebinding", role.Name, sa)
	}
	// Secrets are readable in the watched and the account-secret namespaces alone, save the
	// operator's own status key.
	for _, o := range find(objs, "Role") {
		var r rbacv1.Role
		convert(t, o, &r)
		if r.Namespace == releaseNS && r.Name == releaseName+"-status-key-role" {
			checkStatusKeyRole(t, r, statusKeySecretOf(t, objs))
			continue
		}
		if !grantsSecrets(r.Rules) {
			continue
		}
		switch {
		case slices.Contains(ns, r.Namespace) && r.Name == releaseName+"-manager-role":
		case slices.Contains(secretNS, r.Namespace) && !slices.Contains(ns, r.Namespace) && r.Name == accountSecrets:
		default:
			t.Errorf("Role %s/%s grants access to Secrets outside the watched and account-secret namespaces", r.Namespace, r.Name)
		}
	}
}

// checkBinding checks that the RoleBinding namespace/name binds the Role role to sa alone.
func checkBinding(t *testing.T, objs []*unstructured.Unstructured, namespace, name, role string, sa rbacv1.Subject) {
	t.Helper()
	var rb rbacv1.RoleBinding
	convert(t, findIn(t, objs, "RoleBinding", namespace, name), &rb)
	if rb.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role}) {
		t.Errorf("RoleBinding %s/%s refers to %+v, want Role %s", namespace, rb.Name, rb.RoleRef, role)
	}
	if len(rb.Subjects) != 1 || rb.Subjects[0] != sa {
		t.Errorf("RoleBinding %s/%s binds %+v, want %+v", namespace, rb.Name, rb.Subjects, sa)
	}
}

// clusterScoped are the resources of config/rbac/role.yaml that no Role can grant, and
// namespaced those a Role grants; a resource added to the markers must be sorted into one, so
// that a namespace-scoped install still grants it.
var (
	clusterScoped = []string{"namespaces", "clusteraccounts", "clusteraccounts/status"}
	namespaced    = []string{"secrets", "events", "webhooks", "webhooks/status", "webhooks/finalizers", "accounts", "accounts/status"}
)

// managerClusterRules returns the rules of config/rbac/role.yaml on cluster-scoped resources:
// what the namespace-scoped installs grant by their ClusterRole.
func managerClusterRules(t *testing.T) []rbacv1.PolicyRule {
	t.Helper()
	var out []rbacv1.PolicyRule
	for _, r := range generatedManagerRules(t) {
		var resources []string
		for _, res := range r.Resources {
			switch {
			case slices.Contains(clusterScoped, res):
				resources = append(resources, res)
			case !slices.Contains(namespaced, res):
				t.Errorf("config/rbac/role.yaml grants %q, which the tests do not know as namespaced or cluster-scoped (namespaced_test.go)", res)
			}
		}
		if len(resources) > 0 {
			r.Resources = resources
			out = append(out, r)
		}
	}
	return out
}

// ruleSet flattens rules into group/resource/verb items, for comparing rules however grouped.
func ruleSet(rules []rbacv1.PolicyRule) map[string]bool {
	out := map[string]bool{}
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					item := g + "/" + res + ":" + v
					if len(r.ResourceNames) > 0 {
						item += " " + strings.Join(r.ResourceNames, ",")
					}
					out[item] = true
				}
			}
		}
	}
	return out
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
// server, as the operator's ServiceAccount, what it may do: read Secrets and manage Webhooks and
// Accounts in the watched namespaces, read Secrets in the account-secret namespaces (by default
// the release namespace), read ClusterAccounts and Namespaces and write ClusterAccounts' status
// cluster-wide, and nothing else of the kind in any other namespace or cluster-wide.
func TestNamespacedRBACIsEnforced(t *testing.T) {
	c := needAPIServer(t)
	for _, tc := range []struct {
		name, releaseNS string
		args            []string
		secretNS        []string
	}{
		{name: "account secrets in the release namespace", releaseNS: "rbac-check", secretNS: []string{"rbac-check"}},
		{name: "account secrets listed", releaseNS: "rbac-check-acct", args: []string{"--set", "operator.accountSecretNamespaces={platform-credentials}"},
			secretNS: []string{"platform-credentials"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkNamespacedRBAC(t, c, tc.releaseNS, tc.secretNS, mustHelmTemplate(t, tc.releaseNS, append(watchNamespacesArgs(), tc.args...)...))
		})
	}
}

// rbacOther is a namespace the operator does not watch, for checkNamespacedRBAC.
const rbacOther = "team-c"

// checkNamespacedRBAC applies the RBAC of a namespace-scoped rendering for releaseNS, with the
// account-secret namespaces secretNS, and checks what the operator may do.
func checkNamespacedRBAC(t *testing.T, c client.Client, releaseNS string, secretNS []string, objs []*unstructured.Unstructured) {
	for _, n := range append([]string{releaseNS, rbacOther}, append(slices.Clone(watched), secretNS...)...) {
		createNamespace(t, c, n, nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	applyNamespacedRBAC(t, ctx, c, objs)
	// A Secret in a watched namespace, in each account-secret namespace and one elsewhere, for
	// the real requests.
	for _, n := range append([]string{watched[0], rbacOther}, secretNS...) {
		createCredentials(t, ctx, c, n)
	}

	a := impersonateOperator(t, ctx, releaseNS, secretNS)
	a.waitForGrants(t)
	allowed, refused := a.expectedAccess()
	for _, attrs := range allowed {
		if !a.can(t, attrs) {
			t.Errorf("the operator may not %s", describeAttrs(attrs))
		}
	}
	for _, attrs := range refused {
		if a.can(t, attrs) {
			t.Errorf("the operator may %s", describeAttrs(attrs))
		}
	}
	a.checkStatusKeyAccess(t, statusKeySecretOf(t, objs))
	// Leader election still works in the release namespace.
	if !a.can(t, authorizationv1.ResourceAttributes{Verb: "update", Group: "coordination.k8s.io", Resource: "leases", Namespace: releaseNS}) {
		t.Errorf("the operator may not update Leases in %s", releaseNS)
	}
	a.checkRequests(t)
}

// applyNamespacedRBAC applies the Roles and RoleBindings of objs, and the operator's ClusterRole
// and ClusterRoleBinding, for real (removed at the end).
func applyNamespacedRBAC(t *testing.T, ctx context.Context, c client.Client, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		switch {
		case o.GetKind() == "Role" || o.GetKind() == "RoleBinding":
		case strings.HasPrefix(o.GetKind(), "ClusterRole") && strings.HasPrefix(o.GetName(), releaseName+"-manager-cluster-"):
		default:
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
}

// createCredentials creates the Secret credentials in namespace n (removed at the end).
func createCredentials(t *testing.T, ctx context.Context, c client.Client, n string) {
	t.Helper()
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

// operatorAccess is the operator's ServiceAccount of the release in releaseNS, with the
// account-secret namespaces secretNS, as the API server sees it in its pod.
type operatorAccess struct {
	ctx       context.Context
	op        client.WithWatch
	user      string
	releaseNS string
	secretNS  []string
}

// impersonateOperator returns a client that is the operator's ServiceAccount in releaseNS.
func impersonateOperator(t *testing.T, ctx context.Context, releaseNS string, secretNS []string) *operatorAccess {
	t.Helper()
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
	return &operatorAccess{ctx: ctx, op: op, user: cfg.Impersonate.UserName, releaseNS: releaseNS, secretNS: secretNS}
}

// can asks the API server whether the operator may do a.
func (a *operatorAccess) can(t *testing.T, attrs authorizationv1.ResourceAttributes) bool {
	t.Helper()
	review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &attrs}}
	if err := a.op.Create(a.ctx, review); err != nil {
		t.Fatalf("SelfSubjectAccessReview %+v: %v", attrs, err)
	}
	return review.Status.Allowed
}

// waitForGrants waits for the first grants to show: RBAC reaches the authorizer through an
// informer.
func (a *operatorAccess) waitForGrants(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !a.can(t, secretsAttrs("list", watched[0])) || !a.can(t, hookAttrs("clusteraccounts")("list", "", "")) || !a.can(t, secretsAttrs("list", a.secretNS[0])) {
		if time.Now().After(deadline) {
			t.Fatalf("%s may still not list Secrets in %s and %s, or ClusterAccounts, 30s after its bindings were created", a.user, watched[0], a.secretNS[0])
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// expectedAccess returns what the operator may do and what it may not, save its status key.
func (a *operatorAccess) expectedAccess() (allowed, refused []authorizationv1.ResourceAttributes) {
	secrets := secretsAttrs
	webhooks, accounts, clusterAccounts := hookAttrs("webhooks"), hookAttrs("accounts"), hookAttrs("clusteraccounts")
	for _, n := range watched {
		allowed = append(allowed,
			secrets("get", n), secrets("list", n), secrets("watch", n),
			webhooks("get", n, ""), webhooks("list", n, ""), webhooks("watch", n, ""), webhooks("patch", n, ""),
			webhooks("patch", n, "status"), webhooks("update", n, "finalizers"),
			accounts("get", n, ""), accounts("list", n, ""), accounts("watch", n, ""), accounts("patch", n, "status"),
			authorizationv1.ResourceAttributes{Verb: "create", Group: "events.k8s.io", Resource: "events", Namespace: n})
		// Read-only on Secrets and Accounts, even there.
		for _, verb := range []string{"create", "update", "patch", "delete"} {
			refused = append(refused, secrets(verb, n), accounts(verb, n, ""))
		}
	}
	// The credentials of ClusterAccounts, read-only.
	for _, n := range a.secretNS {
		allowed = append(allowed, secrets("get", n), secrets("list", n), secrets("watch", n))
		for _, verb := range []string{"create", "update", "patch", "delete"} {
			if n != a.releaseNS || verb != "create" { // the status key's create, below
				refused = append(refused, secrets(verb, n))
			}
		}
	}
	// Cluster-scoped: ClusterAccounts and Namespaces read, ClusterAccounts' status written.
	allowed = append(allowed,
		clusterAccounts("get", "", ""), clusterAccounts("list", "", ""), clusterAccounts("watch", "", ""),
		clusterAccounts("get", "", "status"), clusterAccounts("patch", "", "status"),
		namespacesAttrs("list"), namespacesAttrs("watch"))
	refused = append(refused,
		clusterAccounts("create", "", ""), clusterAccounts("update", "", ""), clusterAccounts("patch", "", ""), clusterAccounts("delete", "", ""),
		namespacesAttrs("create"), namespacesAttrs("update"), namespacesAttrs("delete"),
		secrets("list", ""), secrets("watch", ""), secrets("get", rbacOther), secrets("list", rbacOther),
		webhooks("list", "", ""), webhooks("list", rbacOther, ""), webhooks("patch", rbacOther, ""),
		accounts("list", "", ""), accounts("list", rbacOther, ""), accounts("get", rbacOther, ""), accounts("patch", rbacOther, "status"))
	if !slices.Contains(a.secretNS, a.releaseNS) {
		refused = append(refused, secrets("list", a.releaseNS), secrets("watch", a.releaseNS))
	}
	return allowed, refused
}

// checkStatusKeyAccess: in its own namespace, the operator may create Secrets (its status key,
// at first start) and read that one Secret, keySecret; others only when the release namespace
// keeps ClusterAccounts' credentials.
func (a *operatorAccess) checkStatusKeyAccess(t *testing.T, keySecret string) {
	t.Helper()
	key := func(verb, name string) authorizationv1.ResourceAttributes {
		return authorizationv1.ResourceAttributes{Verb: verb, Resource: "secrets", Namespace: a.releaseNS, Name: name}
	}
	for _, attrs := range []authorizationv1.ResourceAttributes{secretsAttrs("create", a.releaseNS), key("get", keySecret)} {
		if !a.can(t, attrs) {
			t.Errorf("the operator may not %s", describeAttrs(attrs))
		}
	}
	refusedKey := []authorizationv1.ResourceAttributes{key("update", keySecret), key("patch", keySecret), key("delete", keySecret)}
	if !slices.Contains(a.secretNS, a.releaseNS) {
		refusedKey = append(refusedKey, key("get", "credentials"))
	}
	for _, attrs := range refusedKey {
		if a.can(t, attrs) {
			t.Errorf("the operator may %s", describeAttrs(attrs))
		}
	}
}

// checkRequests checks the same through real requests, as the operator's informers make them.
func (a *operatorAccess) checkRequests(t *testing.T) {
	t.Helper()
	ctx, op := a.ctx, a.op
	for _, n := range append([]string{watched[0]}, a.secretNS...) {
		var list corev1.SecretList
		if err := op.List(ctx, &list, client.InNamespace(n)); err != nil {
			t.Errorf("listing Secrets in %s: %v", n, err)
		} else if len(list.Items) == 0 {
			t.Errorf("listing Secrets in %s returned none", n)
		}
		if w, err := op.Watch(ctx, &corev1.SecretList{}, client.InNamespace(n)); err != nil {
			t.Errorf("watching Secrets in %s: %v", n, err)
		} else {
			w.Stop()
		}
	}
	for _, kind := range []string{"WebhookList", "AccountList"} {
		if err := op.List(ctx, hooksList(kind), client.InNamespace(watched[0])); err != nil {
			t.Errorf("listing %s in %s: %v", kind, watched[0], err)
		}
		if w, err := op.Watch(ctx, hooksList(kind), client.InNamespace(watched[0])); err != nil {
			t.Errorf("watching %s in %s: %v", kind, watched[0], err)
		} else {
			w.Stop()
		}
	}
	if err := op.List(ctx, hooksList("ClusterAccountList")); err != nil {
		t.Errorf("listing ClusterAccounts: %v", err)
	}
	if err := op.List(ctx, &corev1.NamespaceList{}); err != nil {
		t.Errorf("listing Namespaces: %v", err)
	}
	for _, r := range []struct {
		what string
		err  error
	}{
		{"listing Secrets in " + rbacOther, op.List(ctx, &corev1.SecretList{}, client.InNamespace(rbacOther))},
		{"getting Secret " + rbacOther + "/credentials", op.Get(ctx, client.ObjectKey{Namespace: rbacOther, Name: "credentials"}, &corev1.Secret{})},
		{"listing Secrets in every namespace", op.List(ctx, &corev1.SecretList{})},
		{"listing Webhooks in every namespace", op.List(ctx, hooksList("WebhookList"))},
		{"listing Accounts in every namespace", op.List(ctx, hooksList("AccountList"))},
		{"listing Accounts in " + rbacOther, op.List(ctx, hooksList("AccountList"), client.InNamespace(rbacOther))},
	} {
		if !apierrors.IsForbidden(r.err) {
			t.Errorf("%s: got %v, want Forbidden", r.what, r.err)
		}
	}
}

// hooksList returns an empty list of the hooks.hookkeeper.dev kind.
func hooksList(kind string) *unstructured.UnstructuredList {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(schema.GroupVersionKind{Group: "hooks.hookkeeper.dev", Version: "v1alpha1", Kind: kind})
	return l
}

// secretsAttrs is verb on Secrets in ns.
func secretsAttrs(verb, ns string) authorizationv1.ResourceAttributes {
	return authorizationv1.ResourceAttributes{Verb: verb, Resource: "secrets", Namespace: ns}
}

// hookAttrs returns the attributes of verb on a hooks.hookkeeper.dev resource, its subresource
// sub, in ns.
func hookAttrs(resource string) func(verb, ns, sub string) authorizationv1.ResourceAttributes {
	return func(verb, ns, sub string) authorizationv1.ResourceAttributes {
		return authorizationv1.ResourceAttributes{Verb: verb, Group: "hooks.hookkeeper.dev", Resource: resource, Subresource: sub, Namespace: ns}
	}
}

// namespacesAttrs is verb on Namespaces.
func namespacesAttrs(verb string) authorizationv1.ResourceAttributes {
	return authorizationv1.ResourceAttributes{Verb: verb, Resource: "namespaces"}
}

// describeAttrs says what a means, for the errors.
func describeAttrs(a authorizationv1.ResourceAttributes) string {
	what := a.Resource
	if a.Subresource != "" {
		what += "/" + a.Subresource
	}
	if a.Name != "" {
		what += " " + a.Name
	}
	where := a.Namespace
	if where == "" {
		where = "every namespace (cluster-wide)"
	}
	return a.Verb + " " + what + " in " + where
}
