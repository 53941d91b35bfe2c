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
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/hookkeeper/hookkeeper/internal/sharding"
)

const (
	shardRoleName        = releaseName + "-shard-role"
	shardRoleBindingName = releaseName + "-shard-rolebinding"
	leaderRoleName       = releaseName + "-leader-election-role"
	leaderBindingName    = releaseName + "-leader-election-rolebinding"
	// The status key Role and binding are rendered whatever the replicas (statuskey_test.go).
	statusKeyRoleName    = releaseName + "-status-key-role"
	statusKeyBindingName = releaseName + "-status-key-rolebinding"
)

// namesIn returns the names of the objects of kind in namespace, sorted.
func namesIn(objs []*unstructured.Unstructured, kind, namespace string) []string {
	var names []string
	for _, o := range find(objs, kind) {
		if o.GetNamespace() == namespace {
			names = append(names, o.GetName())
		}
	}
	slices.Sort(names)
	return names
}

// TestChartSharding: above one replica the chart shards (--sharding, --shard-identity from the
// pod's name, leader election off, the Role for the shard Leases, a PodDisruptionBudget) unless
// sharding.enabled is false, which keeps leader election; one replica renders what it always did.
func TestChartSharding(t *testing.T) {
	t.Run("one replica", checkChartOneReplica)

	for name, args := range shardedRenderings {
		t.Run(name, func(t *testing.T) {
			ns := "helm-sharding"
			objs := mustHelmTemplate(t, ns, args...)
			checkShardedRendering(t, objs, ns)
			if c := apiServer.client; c != nil {
				createNamespace(t, c, ns, restrictedLabels)
				for _, w := range strings.Split(deploymentArgs(t, objs)["watch-namespaces"], ",") {
					if w != "" {
						createNamespace(t, c, w, nil)
					}
				}
				applyAll(t, c, objs)
			}
		})
	}

	t.Run("three replicas, sharding off", checkChartShardingOff)

	t.Run("everything values", func(t *testing.T) {
		checkShardedRendering(t, mustHelmTemplate(t, kustomizeNamespace, "-f", everythingValues), kustomizeNamespace)
	})

	for _, c := range shardLeaseDurations {
		t.Run(c.name, func(t *testing.T) {
			if got := deploymentArgs(t, mustHelmTemplate(t, kustomizeNamespace, c.set...))["shard-lease-duration"]; got != c.want {
				t.Errorf("--shard-lease-duration=%q, want %q", got, c.want)
			}
		})
	}
}

// shardedRenderings are the values, by name, that TestChartSharding renders sharded.
var shardedRenderings = map[string][]string{
	"three replicas":                          {"--set", "replicaCount=3"},
	"three replicas, leader election off":     {"--set", "replicaCount=3", "--set", "leaderElection.enabled=false"},
	"three replicas with watchNamespaces":     append([]string{"--set", "replicaCount=3"}, watchNamespacesArgs()...),
	"three replicas, sharding.enabled stated": {"--set", "replicaCount=3", "--set", "sharding.enabled=true"},
}

// shardLeaseDurations are values and the --shard-lease-duration they pass: the shard Lease
// duration reaches every mode, the sharded pods, and the elected leader's claim on every
// namespace.
var shardLeaseDurations = []struct {
	name string
	set  []string
	want string
}{
	{"lease duration, one replica", nil, "15s"},
	{"lease duration, three replicas", []string{"--set", "replicaCount=3"}, "15s"},
	{"lease duration set, three replicas", []string{"--set", "replicaCount=3", "--set", "sharding.leaseDurationSeconds=45"}, "45s"},
	{"lease duration set, active/standby", []string{"--set", "replicaCount=2", "--set", "sharding.enabled=false", "--set", "sharding.leaseDurationSeconds=7"}, "7s"},
}

// checkChartOneReplica: with one replica the chart does not shard, whatever sharding.enabled
// says.
func checkChartOneReplica(t *testing.T) {
	defaults := mustHelmTemplate(t, kustomizeNamespace)
	args := deploymentArgs(t, defaults)
	for _, flag := range []string{"sharding", "shard-identity"} {
		if v, ok := args[flag]; ok {
			t.Errorf("one replica passes --%s=%s", flag, v)
		}
	}
	if args["leader-elect"] != "true" {
		t.Errorf("one replica passes --leader-elect=%s, want true", args["leader-elect"])
	}
	c, _ := managerContainer(t)
	if env := envNamed(c, "POD_NAME"); len(env) != 0 {
		t.Errorf("one replica sets %+v", env)
	}
	if got := namesIn(defaults, "Role", kustomizeNamespace); !slices.Equal(got, []string{leaderRoleName, statusKeyRoleName}) {
		t.Errorf("one replica renders the Roles %v, want the leader-election and status key Roles alone", got)
	}
	if got := namesIn(defaults, "RoleBinding", kustomizeNamespace); !slices.Equal(got, []string{leaderBindingName, statusKeyBindingName}) {
		t.Errorf("one replica renders the RoleBindings %v, want the leader-election and status key RoleBindings alone", got)
	}
	// sharding.enabled changes nothing with one replica: the rendering is the same either way.
	for _, set := range []string{"sharding.enabled=false", "sharding.enabled=true"} {
		other := mustHelmTemplate(t, kustomizeNamespace, "--set", set)
		if len(other) != len(defaults) {
			t.Fatalf("--set %s renders %s, the defaults %s", set, describe(other), describe(defaults))
		}
		for i := range defaults {
			if !equality.Semantic.DeepEqual(other[i].Object, defaults[i].Object) {
				t.Errorf("--set %s with one replica changes %s %s", set, defaults[i].GetKind(), defaults[i].GetName())
			}
		}
	}
}

// checkChartShardingOff: three replicas with sharding.enabled=false are active/standby.
func checkChartShardingOff(t *testing.T) {
	objs := mustHelmTemplate(t, kustomizeNamespace, "--set", "replicaCount=3", "--set", "sharding.enabled=false")
	args := deploymentArgs(t, objs)
	if _, ok := args["sharding"]; ok {
		t.Error("sharding.enabled=false passes --sharding")
	}
	if _, ok := args["shard-identity"]; ok {
		t.Error("sharding.enabled=false passes --shard-identity")
	}
	if args["leader-elect"] != "true" {
		t.Errorf("sharding.enabled=false passes --leader-elect=%s, want true: the replicas are active/standby", args["leader-elect"])
	}
	if got := namesIn(objs, "Role", kustomizeNamespace); !slices.Equal(got, []string{leaderRoleName, statusKeyRoleName}) {
		t.Errorf("sharding.enabled=false renders the Roles %v, want the leader-election and status key Roles alone", got)
	}
	if got := namesIn(objs, "RoleBinding", kustomizeNamespace); !slices.Equal(got, []string{leaderBindingName, statusKeyBindingName}) {
		t.Errorf("sharding.enabled=false renders the RoleBindings %v, want the leader-election and status key RoleBindings alone", got)
	}
	if len(find(objs, "PodDisruptionBudget")) != 1 {
		t.Error("three replicas without sharding render no PodDisruptionBudget")
	}
}

// checkShardedRendering checks a rendering in which the replicas shard the namespaces.
func checkShardedRendering(t *testing.T, objs []*unstructured.Unstructured, ns string) {
	t.Helper()
	args := deploymentArgs(t, objs)
	if args["sharding"] != "true" {
		t.Errorf("--sharding=%q, want true", args["sharding"])
	}
	if args["shard-identity"] != "$(POD_NAME)" {
		t.Errorf("--shard-identity=%q, want $(POD_NAME)", args["shard-identity"])
	}
	if args["leader-elect"] != "false" {
		t.Errorf("--leader-elect=%q, want false: every replica works", args["leader-elect"])
	}
	c := podContainer(t, objs)
	env := envNamed(c, "POD_NAME")
	want := corev1.EnvVar{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}}
	if len(env) != 1 || !equality.Semantic.DeepEqual(env[0], want) {
		t.Errorf("env POD_NAME is %+v, want the pod's name from the downward API", env)
	}
	// As the kubelet expands it, two pods get two identities.
	a, b := argMap(expandArgs(c, "hookkeeper-controller-manager-5d8f9-abcde")), argMap(expandArgs(c, "hookkeeper-controller-manager-5d8f9-fghij"))
	if a["shard-identity"] == b["shard-identity"] || a["shard-identity"] != "hookkeeper-controller-manager-5d8f9-abcde" {
		t.Errorf("two pods get the shard identities %q and %q", a["shard-identity"], b["shard-identity"])
	}

	wantRoles, wantBindings := []string{shardRoleName, statusKeyRoleName}, []string{shardRoleBindingName, statusKeyBindingName}
	if args["watch-namespaces"] != "" && args["account-secret-namespaces"] == "" {
		// Namespace-scoped, ClusterAccounts keep their credentials in the release namespace by
		// default, whose Secrets the operator then reads (namespaced_test.go).
		wantRoles = append(wantRoles, releaseName+"-account-secrets-role")
		wantBindings = append(wantBindings, releaseName+"-account-secrets-rolebinding")
	}
	slices.Sort(wantRoles)
	slices.Sort(wantBindings)
	if got := namesIn(objs, "Role", ns); !slices.Equal(got, wantRoles) {
		t.Errorf("the Roles in the release namespace are %v, want %v alone (no leader election)", got, wantRoles)
	}
	if got := namesIn(objs, "RoleBinding", ns); !slices.Equal(got, wantBindings) {
		t.Errorf("the RoleBindings in the release namespace are %v, want %v alone", got, wantBindings)
	}
	var role rbacv1.Role
	convert(t, findIn(t, objs, "Role", ns, shardRoleName), &role)
	wantRules := []rbacv1.PolicyRule{{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: shardLeaseVerbs}}
	if !equality.Semantic.DeepEqual(role.Rules, wantRules) {
		t.Errorf("the shard Role grants %+v, want %+v", role.Rules, wantRules)
	}
	var rb rbacv1.RoleBinding
	convert(t, findIn(t, objs, "RoleBinding", ns, shardRoleBindingName), &rb)
	sa := podServiceAccount(t, objs)
	if rb.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: shardRoleName}) ||
		!slices.Equal(rb.Subjects, []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}}) {
		t.Errorf("the shard RoleBinding binds %+v to %+v, want the Role to ServiceAccount %s/%s", rb.RoleRef, rb.Subjects, ns, sa)
	}
	if len(find(objs, "PodDisruptionBudget")) != 1 {
		t.Error("no PodDisruptionBudget with several sharded replicas")
	}
}

// shardLeaseVerbs are the verbs the chart's shard Role grants on Leases; TestShardLeaseRBAC
// checks that they are exactly those internal/sharding uses.
var shardLeaseVerbs = []string{"get", "list", "create", "update", "delete"}

// podContainer returns the operator's container in a rendering.
func podContainer(t *testing.T, objs []*unstructured.Unstructured) corev1.Container {
	t.Helper()
	var d appsv1.Deployment
	convert(t, findOne(t, objs, "Deployment", deploymentName), &d)
	return d.Spec.Template.Spec.Containers[0]
}

// podServiceAccount returns the ServiceAccount of the operator's pods in a rendering.
func podServiceAccount(t *testing.T, objs []*unstructured.Unstructured) string {
	t.Helper()
	var d appsv1.Deployment
	convert(t, findOne(t, objs, "Deployment", deploymentName), &d)
	return d.Spec.Template.Spec.ServiceAccountName
}

var envReference = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// expandArgs returns the container's arguments as the kubelet passes them to a pod named podName:
// $(NAME) becomes the value of the container's variable NAME, where it is a plain value or the
// pod's name from the downward API; other references stay as they are.
func expandArgs(c corev1.Container, podName string) []string {
	vars := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			vars[e.Name] = e.Value
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
			vars[e.Name] = podName
		}
	}
	out := make([]string, 0, len(c.Args))
	for _, a := range c.Args {
		out = append(out, envReference.ReplaceAllStringFunc(a, func(ref string) string {
			if v, ok := vars[envReference.FindStringSubmatch(ref)[1]]; ok {
				return v
			}
			return ref
		}))
	}
	return out
}

// TestShardLeaseRBAC installs the shipped RBAC for the shard Leases for real (the chart's shard
// Role with three replicas, and config/default's leader-election Role, which --sharding uses when
// the kustomize install runs several replicas), then runs internal/sharding's Membership, the
// code the operator runs, as the installed ServiceAccount: two replicas join, renew, see each
// other and leave. Every request it makes is recorded: the chart's Role grants exactly those
// verbs, no more.
func TestShardLeaseRBAC(t *testing.T) {
	c := needAPIServer(t)
	for _, tc := range shardLeaseRBACRenderings {
		t.Run(tc.name, func(t *testing.T) {
			checkShardLeaseRBAC(t, c, tc)
		})
	}
}

// shardLeaseRBACRendering is a rendering of the shipped RBAC for TestShardLeaseRBAC, in the
// namespace ns; exact when its Role must grant exactly the verbs internal/sharding uses.
type shardLeaseRBACRendering struct {
	name, ns string
	render   func(t *testing.T, ns string) []*unstructured.Unstructured
	exact    bool
}

// shardLeaseRBACRenderings are the renderings TestShardLeaseRBAC installs.
var shardLeaseRBACRenderings = []shardLeaseRBACRendering{
	{name: "chart", ns: "shard-rbac-chart", exact: true, render: func(t *testing.T, ns string) []*unstructured.Unstructured {
		return mustHelmTemplate(t, ns, "--set", "replicaCount=3")
	}},
	{name: "chart, leader election off", ns: "shard-rbac-chart-no-le", exact: true, render: func(t *testing.T, ns string) []*unstructured.Unstructured {
		return mustHelmTemplate(t, ns, "--set", "replicaCount=3", "--set", "leaderElection.enabled=false")
	}},
	{name: "kustomize config/default", ns: "shard-rbac-kustomize", render: func(t *testing.T, ns string) []*unstructured.Unstructured {
		return inNamespace(kustomizeBuild(t, "config/default"), kustomizeNamespace, ns)
	}},
}

// checkShardLeaseRBAC installs the RBAC of tc and runs two Memberships as its ServiceAccount.
func checkShardLeaseRBAC(t *testing.T, c client.Client, tc shardLeaseRBACRendering) {
	objs := tc.render(t, tc.ns)
	createNamespace(t, c, tc.ns, nil)
	t.Cleanup(func() {
		// Leases a failed Leave left behind.
		_ = c.DeleteAllOf(context.Background(), &coordinationv1.Lease{}, client.InNamespace(tc.ns), client.HasLabels{sharding.MemberLabel})
	})
	leaseVerbs := installShardLeaseRBAC(t, c, objs, tc.ns)

	cfg := rest.CopyConfig(apiServer.cfg)
	cfg.WarningHandlerWithContext = nil
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + tc.ns + ":" + podServiceAccount(t, objs),
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + tc.ns, "system:authenticated"},
	}
	direct, err := client.NewWithWatch(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	waitForGrant(t, direct, authorizationv1.ResourceAttributes{Verb: "list", Group: "coordination.k8s.io", Resource: "leases", Namespace: tc.ns})

	rec := &verbRecorder{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runTwoMemberships(t, ctx, c, rec.wrap(direct), tc.ns)

	used := rec.verbs()
	for _, v := range used {
		if !slices.Contains(leaseVerbs, v) {
			t.Errorf("the shard Leases need %q, which the shipped Roles do not grant (%v)", v, leaseVerbs)
		}
	}
	if tc.exact && !equalSets(used, leaseVerbs) {
		t.Errorf("the chart's shard Role grants %v on Leases, internal/sharding uses %v: grant exactly those", leaseVerbs, used)
	}
	if other := rec.others(); len(other) > 0 {
		t.Errorf("Membership made requests on other resources than Leases: %v", other)
	}

	// The grant is the release namespace's Role: the same code is refused elsewhere.
	elsewhere := &sharding.Membership{Client: direct, Namespace: "default", Identity: "hookkeeper-controller-manager-a", Duration: 15 * time.Second}
	if _, err := elsewhere.Sync(ctx, nil); !apierrors.IsForbidden(err) {
		t.Errorf("a Sync in namespace default: got %v, want Forbidden", err)
	}
}

// installShardLeaseRBAC installs only the namespaced RBAC of the release namespace ns of objs
// (the Lease permissions come from it), and returns the verbs its Roles grant on Leases.
func installShardLeaseRBAC(t *testing.T, c client.Client, objs []*unstructured.Unstructured, ns string) []string {
	t.Helper()
	var rbac []*unstructured.Unstructured
	for _, o := range objs {
		switch o.GetKind() {
		case "ServiceAccount", "Role", "RoleBinding":
			if o.GetNamespace() == ns {
				rbac = append(rbac, o)
			}
		}
	}
	installForReal(t, c, rbac)
	leaseVerbs := roleVerbsOnLeases(t, rbac)
	if len(leaseVerbs) == 0 {
		t.Fatalf("no Role in %s grants anything on Leases: %s", ns, describe(rbac))
	}
	return leaseVerbs
}

// runTwoMemberships runs two Memberships through op in ns: a joins alone and takes every slot;
// b joins; a renews and gives b its share; both leave, and take their Leases along.
func runTwoMemberships(t *testing.T, ctx context.Context, c, op client.Client, ns string) {
	t.Helper()
	a := &sharding.Membership{Client: op, Namespace: ns, Identity: "hookkeeper-controller-manager-a", Duration: 15 * time.Second}
	b := &sharding.Membership{Client: op, Namespace: ns, Identity: "hookkeeper-controller-manager-b", Duration: 15 * time.Second}
	va, err := a.Sync(ctx, nil)
	if err != nil {
		t.Fatalf("replica a joining: %v", err)
	}
	running := va.Start
	if len(running) == 0 {
		t.Errorf("replica a alone starts no slot: %+v", va)
	}
	vb, err := b.Sync(ctx, nil)
	if err != nil {
		t.Fatalf("replica b joining: %v", err)
	}
	if len(vb.Members) != 2 {
		t.Errorf("replica b sees the members %v, want a and b", vb.Members)
	}
	if va, err = a.Sync(ctx, running); err != nil {
		t.Fatalf("replica a renewing: %v", err)
	}
	if len(va.Stop) == 0 {
		t.Errorf("replica a keeps every slot with b in: %+v", va)
	}
	for _, id := range []string{a.Identity, b.Identity} {
		lease := &coordinationv1.Lease{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: sharding.LeaseName(id)}, lease); err != nil {
			t.Errorf("the shard Lease of %s: %v", id, err)
		} else if lease.Labels[sharding.MemberLabel] == "" {
			t.Errorf("the shard Lease of %s lacks the label %s", id, sharding.MemberLabel)
		}
	}
	for _, m := range []*sharding.Membership{a, b} {
		if err := m.Leave(ctx); err != nil {
			t.Errorf("replica %s leaving: %v", m.Identity, err)
		}
	}
	var left coordinationv1.LeaseList
	if err := c.List(ctx, &left, client.InNamespace(ns), client.HasLabels{sharding.MemberLabel}); err != nil {
		t.Fatal(err)
	} else if len(left.Items) != 0 {
		t.Errorf("%d shard Leases are left after both replicas left", len(left.Items))
	}
}

// inNamespace moves the objects of namespace from into to, with the subjects of their bindings.
func inNamespace(objs []*unstructured.Unstructured, from, to string) []*unstructured.Unstructured {
	for _, o := range objs {
		if o.GetNamespace() == from {
			o.SetNamespace(to)
		}
		if subjects, ok, _ := unstructured.NestedSlice(o.Object, "subjects"); ok {
			for _, s := range subjects {
				if m := s.(map[string]any); m["namespace"] == from {
					m["namespace"] = to
				}
			}
			_ = unstructured.SetNestedSlice(o.Object, subjects, "subjects")
		}
	}
	return objs
}

// roleVerbsOnLeases returns the verbs the Roles among objs grant on coordination.k8s.io Leases.
func roleVerbsOnLeases(t *testing.T, objs []*unstructured.Unstructured) []string {
	t.Helper()
	var verbs []string
	for _, o := range find(objs, "Role") {
		var role rbacv1.Role
		convert(t, o, &role)
		for _, r := range role.Rules {
			if slices.Contains(r.APIGroups, "coordination.k8s.io") && slices.Contains(r.Resources, "leases") && len(r.ResourceNames) == 0 {
				for _, v := range r.Verbs {
					if !slices.Contains(verbs, v) {
						verbs = append(verbs, v)
					}
				}
			}
		}
	}
	return verbs
}

// waitForGrant waits until the API server's authorizer, which learns of RBAC objects through an
// informer, allows a; it fails t if it never does.
func waitForGrant(t *testing.T, c client.Client, a authorizationv1.ResourceAttributes) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &a}}
		if err := c.Create(context.Background(), review); err != nil {
			t.Fatalf("SelfSubjectAccessReview %+v: %v", a, err)
		}
		if review.Status.Allowed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still not allowed to %s %s in %s 30s after the RBAC was applied", a.Verb, a.Resource, a.Namespace)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func equalSets(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// verbRecorder records the API verbs a client is used for, on Leases and on anything else.
type verbRecorder struct {
	mu    sync.Mutex
	lease []string
	other []string
}

func (r *verbRecorder) add(verb string, obj runtime.Object) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch obj.(type) {
	case *coordinationv1.Lease, *coordinationv1.LeaseList:
		if !slices.Contains(r.lease, verb) {
			r.lease = append(r.lease, verb)
		}
	default:
		r.other = append(r.other, fmt.Sprintf("%s %T", verb, obj))
	}
}

func (r *verbRecorder) verbs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lease)
}

func (r *verbRecorder) others() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.other)
}

// wrap returns c with every request recorded.
func (r *verbRecorder) wrap(c client.WithWatch) client.WithWatch {
	return interceptor.NewClient(c, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			r.add("get", obj)
			return c.Get(ctx, key, obj, opts...)
		},
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			r.add("list", list)
			return c.List(ctx, list, opts...)
		},
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			r.add("create", obj)
			return c.Create(ctx, obj, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			r.add("update", obj)
			return c.Update(ctx, obj, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			r.add("patch", obj)
			return c.Patch(ctx, obj, patch, opts...)
		},
		Apply: func(ctx context.Context, c client.WithWatch, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
			r.add("patch", nil)
			return c.Apply(ctx, obj, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			r.add("delete", obj)
			return c.Delete(ctx, obj, opts...)
		},
		DeleteAllOf: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteAllOfOption) error {
			r.add("deletecollection", obj)
			return c.DeleteAllOf(ctx, obj, opts...)
		},
		Watch: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) (watch.Interface, error) {
			r.add("watch", list)
			return c.Watch(ctx, list, opts...)
		},
	})
}
