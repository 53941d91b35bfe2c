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
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// The roles of people on Accounts and ClusterAccounts, through the built-in admin, edit and view
// ClusterRoles as a cluster aggregates them, and the operator's own on them.

// TestAggregatedAccountRoles installs the chart's user ClusterRoles for real and runs the real
// ClusterRole aggregation controller (kube-controller-manager), so that the built-in edit and
// view ClusterRoles include them as in a cluster. Then, through real requests and access reviews:
// a namespace's editor (a RoleBinding to edit) manages Accounts there and nowhere else, writes no
// status, and can neither create nor change a ClusterAccount; an editor bound cluster-wide reads
// ClusterAccounts and still cannot create or change one; a viewer reads Accounts and, bound
// cluster-wide, ClusterAccounts, and writes neither. A RoleBinding grants nothing on the
// cluster-scoped ClusterAccounts, as the READMEs say.
func TestAggregatedAccountRoles(t *testing.T) {
	c := needAPIServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	applyAggregatedUserRoles(t, ctx, c)
	for _, ns := range []string{accountsTeam, accountsOtherTeam} {
		createNamespace(t, c, ns, nil)
	}
	bindAccountUsers(t, ctx, c)

	// A ClusterAccount and an Account to read and to try to change.
	admin, err := client.New(apiServer.cfg, client.Options{Scheme: installedScheme()})
	if err != nil {
		t.Fatal(err)
	}
	shared := &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: "accounts-rbac-shared"}, Spec: hooksv1alpha1.ClusterAccountSpec{
		AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex},
		CredentialsRef:  hooksv1alpha1.SecretReference{Name: "webex-bot", Namespace: kustomizeNamespace}}}
	createForReal(ctx, t, admin, shared)
	createForReal(ctx, t, admin, account(accountsOtherTeam, "theirs"))

	checkAccountGrants(t, ctx, c)
	checkAccountRequests(t, ctx, shared)
}

// The users of TestAggregatedAccountRoles and their namespaces: RoleBindings in the team's
// namespace, ClusterRoleBindings cluster-wide.
const (
	accountsTeam, accountsOtherTeam = "accounts-team-a", "accounts-team-b"

	nsEditor      = "alice" // edit in the team's namespace
	nsViewer      = "bob"   // view in the team's namespace
	clusterEditor = "carol" // edit everywhere
	clusterViewer = "dave"  // view everywhere
)

// applyAggregatedUserRoles applies the chart's user roles for real (removed at the end), starts
// the aggregation controller and waits for it to copy their rules into edit and view.
func applyAggregatedUserRoles(t *testing.T, ctx context.Context, c client.Client) {
	t.Helper()
	var userRoles []*unstructured.Unstructured
	for _, o := range find(mustHelmTemplate(t, "helm-user-roles"), "ClusterRole") {
		for suffix := range aggregatedInto {
			if strings.HasSuffix(o.GetName(), suffix) {
				userRoles = append(userRoles, o)
			}
		}
	}
	if len(userRoles) != len(aggregatedInto) {
		t.Fatalf("found %d of the user roles %v", len(userRoles), aggregatedInto)
	}
	applyForReal(t, c, userRoles)
	startClusterRoleAggregation(t)

	// The aggregation controller copies the user roles' rules into edit and view.
	deadline := time.Now().Add(time.Minute)
	for !aggregates(ctx, t, c, "edit", "accounts", "create") || !aggregates(ctx, t, c, "view", "clusteraccounts", "list") {
		if time.Now().After(deadline) {
			t.Fatal("the built-in edit and view ClusterRoles did not include the account roles within 1m")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// bindAccountUsers binds the users to edit and view, in the team's namespace or cluster-wide
// (removed at the end).
func bindAccountUsers(t *testing.T, ctx context.Context, c client.Client) {
	t.Helper()
	user := func(name string) []rbacv1.Subject {
		return []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}}
	}
	var bindings []client.Object
	for name, role := range map[string]string{nsEditor: "edit", nsViewer: "view"} {
		bindings = append(bindings, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "accounts-" + name, Namespace: accountsTeam},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, Subjects: user(name)})
	}
	for name, role := range map[string]string{clusterEditor: "edit", clusterViewer: "view"} {
		bindings = append(bindings, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "accounts-" + name},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, Subjects: user(name)})
	}
	for _, b := range bindings {
		if err := c.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := c.Delete(context.Background(), b); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting %T %s: %v", b, b.GetName(), err)
			}
		})
	}
}

// accountGrant is whether who may, or may not (want), do verbs on resource in ns ("":
// cluster-wide).
type accountGrant struct {
	who, resource, ns string
	verbs             []string
	want              bool
}

// The verbs that read and those that write.
var (
	accountReadVerbs  = []string{"get", "list", "watch"}
	accountWriteVerbs = []string{"create", "update", "patch", "delete"}
)

// accountGrants are what each user of TestAggregatedAccountRoles may and may not do.
var accountGrants = []accountGrant{
	// A namespace's editor: Accounts there, nothing of Accounts elsewhere, no status.
	{nsEditor, "accounts", accountsTeam, append(accountReadVerbs, accountWriteVerbs...), true},
	{nsEditor, "accounts/status", accountsTeam, []string{"get"}, true},
	{nsEditor, "accounts/status", accountsTeam, []string{"update", "patch"}, false},
	{nsEditor, "accounts", accountsOtherTeam, append(accountReadVerbs, accountWriteVerbs...), false},
	{nsEditor, "accounts", "", []string{"list", "watch"}, false},
	// ... and no ClusterAccount, which a RoleBinding cannot grant.
	{nsEditor, "clusteraccounts", "", append(accountReadVerbs, accountWriteVerbs...), false},
	// A namespace's viewer: reads the Accounts there.
	{nsViewer, "accounts", accountsTeam, accountReadVerbs, true},
	{nsViewer, "accounts/status", accountsTeam, []string{"get"}, true},
	{nsViewer, "accounts", accountsTeam, accountWriteVerbs, false},
	{nsViewer, "accounts", accountsOtherTeam, accountReadVerbs, false},
	{nsViewer, "clusteraccounts", "", append(accountReadVerbs, accountWriteVerbs...), false},
	// An editor everywhere: Accounts everywhere, ClusterAccounts read-only.
	{clusterEditor, "accounts", accountsOtherTeam, append(accountReadVerbs, accountWriteVerbs...), true},
	{clusterEditor, "clusteraccounts", "", accountReadVerbs, true},
	{clusterEditor, "clusteraccounts/status", "", []string{"get"}, true},
	{clusterEditor, "clusteraccounts", "", accountWriteVerbs, false},
	{clusterEditor, "clusteraccounts/status", "", []string{"update", "patch"}, false},
	// A viewer everywhere: reads both, writes neither.
	{clusterViewer, "accounts", "", accountReadVerbs, true},
	{clusterViewer, "accounts", accountsTeam, accountReadVerbs, true},
	{clusterViewer, "clusteraccounts", "", accountReadVerbs, true},
	{clusterViewer, "clusteraccounts/status", "", []string{"get"}, true},
	{clusterViewer, "accounts", accountsTeam, accountWriteVerbs, false},
	{clusterViewer, "clusteraccounts", "", accountWriteVerbs, false},
}

// checkAccountGrants checks accountGrants by SubjectAccessReviews, asked as the admin for each
// user.
func checkAccountGrants(t *testing.T, ctx context.Context, c client.Client) {
	t.Helper()
	can := func(t *testing.T, who string, a authorizationv1.ResourceAttributes) bool {
		t.Helper()
		a.Group = hooksv1alpha1.GroupVersion.Group
		review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: who, Groups: []string{"system:authenticated"}, ResourceAttributes: &a}}
		if err := c.Create(ctx, review); err != nil {
			t.Fatalf("SubjectAccessReview %s %+v: %v", who, a, err)
		}
		return review.Status.Allowed
	}
	attrs := func(verb, resource, ns string) authorizationv1.ResourceAttributes {
		resource, sub, _ := strings.Cut(resource, "/")
		return authorizationv1.ResourceAttributes{Verb: verb, Resource: resource, Subresource: sub, Namespace: ns}
	}
	for _, g := range accountGrants {
		for _, verb := range g.verbs {
			if got := can(t, g.who, attrs(verb, g.resource, g.ns)); got != g.want {
				where := g.ns
				if where == "" {
					where = "cluster-wide"
				}
				t.Errorf("%s may %s %s (%s): %t, want %t", g.who, verb, g.resource, where, got, g.want)
			}
		}
	}
}

// checkAccountRequests checks the same through real requests, as kubectl would send them, with
// the ClusterAccount shared.
func checkAccountRequests(t *testing.T, ctx context.Context, shared *hooksv1alpha1.ClusterAccount) {
	t.Helper()
	as := func(name string) client.Client {
		cfg := rest.CopyConfig(apiServer.cfg)
		cfg.Impersonate = rest.ImpersonationConfig{UserName: name, Groups: []string{"system:authenticated"}}
		cl, err := client.New(cfg, client.Options{Scheme: installedScheme()})
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	editor := as(nsEditor)
	mine := account(accountsTeam, "mine")
	if err := editor.Create(ctx, mine); err != nil {
		t.Fatalf("the namespace's editor creating an Account there: %v", err)
	}
	mine.Spec.AllowedTargets = []string{"https://hooks.team-a.example/"}
	if err := editor.Update(ctx, mine); err != nil {
		t.Errorf("the namespace's editor updating its Account: %v", err)
	}
	if err := editor.Delete(ctx, mine); err != nil {
		t.Errorf("the namespace's editor deleting its Account: %v", err)
	}
	forbidden := func(what string, err error) {
		t.Helper()
		if !apierrors.IsForbidden(err) {
			t.Errorf("%s: got %v, want Forbidden", what, err)
		}
	}
	forbidden("the namespace's editor creating an Account in another namespace", editor.Create(ctx, account(accountsOtherTeam, "not-mine")))
	newShared := shared.DeepCopy()
	newShared.ObjectMeta = metav1.ObjectMeta{Name: "accounts-rbac-mine"}
	forbidden("the namespace's editor creating a ClusterAccount", editor.Create(ctx, newShared))
	for _, who := range []string{nsEditor, clusterEditor} {
		cl := as(who)
		forbidden(who+" creating a ClusterAccount", cl.Create(ctx, newShared.DeepCopy()))
		changed := shared.DeepCopy()
		changed.Spec.AllowedTargets = []string{"https://evil.example/"}
		forbidden(who+" updating a ClusterAccount", cl.Update(ctx, changed))
		forbidden(who+" deleting a ClusterAccount", cl.Delete(ctx, shared.DeepCopy()))
	}
	var cas hooksv1alpha1.ClusterAccountList
	for _, who := range []string{clusterEditor, clusterViewer} {
		if err := as(who).List(ctx, &cas); err != nil || len(cas.Items) == 0 {
			t.Errorf("%s listing ClusterAccounts: %d, %v", who, len(cas.Items), err)
		}
	}
	forbidden("the namespace's viewer listing ClusterAccounts", as(nsViewer).List(ctx, &cas))
	var accts hooksv1alpha1.AccountList
	if err := as(clusterViewer).List(ctx, &accts); err != nil || len(accts.Items) == 0 {
		t.Errorf("the cluster viewer listing every Account: %d, %v", len(accts.Items), err)
	}
	forbidden("the namespace's viewer creating an Account", as(nsViewer).Create(ctx, account(accountsTeam, "viewer")))
}

// TestOperatorRBACCoversAccounts installs the cluster-wide RBAC of the operator (the chart's
// default values) for real and asks the API server what its ServiceAccount may do with Accounts,
// ClusterAccounts and Namespaces: read them, write the accounts' status, and change nothing else.
func TestOperatorRBACCoversAccounts(t *testing.T) {
	c := needAPIServer(t)
	const releaseNS = "rbac-accounts"
	createNamespace(t, c, releaseNS, nil)
	objs := mustHelmTemplate(t, releaseNS)
	applyForReal(t, c, []*unstructured.Unstructured{
		findOne(t, objs, "ClusterRole", releaseName+"-manager-role"),
		findOne(t, objs, "ClusterRoleBinding", releaseName+"-manager-rolebinding"),
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sa := "system:serviceaccount:" + releaseNS + ":" + releaseName + "-controller-manager"
	can := func(a authorizationv1.ResourceAttributes) bool {
		t.Helper()
		review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: sa, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + releaseNS, "system:authenticated"}, ResourceAttributes: &a}}
		if err := c.Create(ctx, review); err != nil {
			t.Fatalf("SubjectAccessReview %+v: %v", a, err)
		}
		return review.Status.Allowed
	}
	hooks := func(verb, resource, ns string) authorizationv1.ResourceAttributes {
		resource, sub, _ := strings.Cut(resource, "/")
		return authorizationv1.ResourceAttributes{Verb: verb, Group: hooksv1alpha1.GroupVersion.Group, Resource: resource, Subresource: sub, Namespace: ns}
	}
	// RBAC reaches the authorizer through an informer: wait for the grant to show.
	deadline := time.Now().Add(30 * time.Second)
	for !can(hooks("list", "clusteraccounts", "")) {
		if time.Now().After(deadline) {
			t.Fatalf("%s may still not list ClusterAccounts 30s after its ClusterRoleBinding was created", sa)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var allowed, refused []authorizationv1.ResourceAttributes
	for _, verb := range []string{"get", "list", "watch"} {
		allowed = append(allowed, hooks(verb, "clusteraccounts", ""), hooks(verb, "accounts", ""), hooks(verb, "accounts", "team-a"))
	}
	// Namespaces are read through the cache: list and watch.
	for _, verb := range []string{"list", "watch"} {
		allowed = append(allowed, authorizationv1.ResourceAttributes{Verb: verb, Resource: "namespaces"})
	}
	allowed = append(allowed, hooks("patch", "accounts/status", "team-a"), hooks("patch", "clusteraccounts/status", ""))
	for _, verb := range []string{"create", "update", "patch", "delete"} {
		refused = append(refused, hooks(verb, "accounts", "team-a"), hooks(verb, "clusteraccounts", ""),
			authorizationv1.ResourceAttributes{Verb: verb, Resource: "namespaces"})
	}
	for _, a := range allowed {
		if !can(a) {
			t.Errorf("the operator may not %s %s/%s in %q", a.Verb, a.Resource, a.Subresource, a.Namespace)
		}
	}
	for _, a := range refused {
		if can(a) {
			t.Errorf("the operator may %s %s/%s in %q", a.Verb, a.Resource, a.Subresource, a.Namespace)
		}
	}
}

// account is a Webex Account in namespace.
func account(namespace, name string) *hooksv1alpha1.Account {
	return &hooksv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}, Spec: hooksv1alpha1.AccountSpec{
		AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex},
		CredentialsRef:  hooksv1alpha1.LocalObjectReference{Name: "webex-bot"}}}
}

// createForReal creates obj as the admin and deletes it at the end of the test.
func createForReal(ctx context.Context, t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Create(ctx, obj); err != nil {
		t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
	t.Cleanup(func() {
		if err := c.Delete(context.Background(), obj); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting %T %s: %v", obj, obj.GetName(), err)
		}
	})
}

// applyForReal applies objs server-side, not as a dry run, and deletes them at the end of the test.
func applyForReal(t *testing.T, c client.Client, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		if err := c.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(o.DeepCopy()),
			client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
			t.Fatalf("applying %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
		t.Cleanup(func() {
			if err := c.Delete(context.Background(), o.DeepCopy()); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
			}
		})
	}
}

// aggregates tells whether the built-in ClusterRole name grants verb on resource of hookkeeper's
// API group yet.
func aggregates(ctx context.Context, t *testing.T, c client.Client, name, resource, verb string) bool {
	t.Helper()
	var cr rbacv1.ClusterRole
	if err := c.Get(ctx, client.ObjectKey{Name: name}, &cr); err != nil {
		t.Fatalf("reading the built-in ClusterRole %s: %v", name, err)
	}
	for _, r := range cr.Rules {
		if slices.Contains(r.APIGroups, hooksv1alpha1.GroupVersion.Group) && slices.Contains(r.Resources, resource) && slices.Contains(r.Verbs, verb) {
			return true
		}
	}
	return false
}

// startClusterRoleAggregation runs the real kube-controller-manager, which hack/setup-envtest.sh
// builds beside kube-apiserver, with the ClusterRole aggregation controller alone: what fills the
// built-in admin, edit and view ClusterRoles in a cluster. It stops at the end of the test.
func startClusterRoleAggregation(t *testing.T) {
	t.Helper()
	startControllerManager(t, "clusterrole-aggregation")
}

// startControllerManager runs the real kube-controller-manager with the given controllers alone,
// as the admin, until the end of the test; its log is shown when the test fails.
func startControllerManager(t *testing.T, controllers ...string) {
	t.Helper()
	bin := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kube-controller-manager")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no kube-controller-manager in KUBEBUILDER_ASSETS: run hack/setup-envtest.sh (make test does), which builds it: %v", err)
	}
	kubeconfig := writeAdminKubeconfig(t)
	log, err := os.Create(filepath.Join(t.TempDir(), "kube-controller-manager.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--kubeconfig="+kubeconfig, "--controllers="+strings.Join(controllers, ","), "--leader-elect=false", "--secure-port=0")
	cmd.Stdout, cmd.Stderr = log, log
	// The kernel stops it should the test binary die without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = log.Close()
		if t.Failed() {
			data, _ := os.ReadFile(log.Name())
			t.Logf("kube-controller-manager log:\n%s", tail(string(data), 40))
		}
	})
}

// writeAdminKubeconfig writes a kubeconfig that reaches the test API server as the admin, for the
// processes a test runs, and returns its path.
func writeAdminKubeconfig(t *testing.T) string {
	t.Helper()
	cfg := apiServer.cfg
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, kubeconfig); err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
