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
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// defaultStatusKeySecret is --status-key-secret's default, which config/rbac's status key Role
// names and config/default's Deployment does not pass.
const defaultStatusKeySecret = "hookkeeper-status-key"

// statusKeySecretOf returns the status key Secret that the operator of a rendering uses.
func statusKeySecretOf(t *testing.T, objs []*unstructured.Unstructured) string {
	t.Helper()
	var dep appsv1.Deployment
	convert(t, find(objs, "Deployment")[0], &dep)
	if name, ok := argMap(dep.Spec.Template.Spec.Containers[0].Args)["status-key-secret"]; ok {
		return name
	}
	return defaultStatusKeySecret
}

// checkStatusKeyRole: the status key Role grants create on Secrets (which no name can narrow)
// and get on the one Secret name, nothing else.
func checkStatusKeyRole(t *testing.T, role rbacv1.Role, name string) {
	t.Helper()
	want := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"create"}},
		{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{name}, Verbs: []string{"get"}},
	}
	if !equality.Semantic.DeepEqual(role.Rules, want) {
		gj, _ := json.MarshalIndent(role.Rules, "", "  ")
		t.Errorf("Role %s/%s grants %s, want create on Secrets and get on Secret %q only", role.Namespace, role.Name, gj, name)
	}
}

// TestStatusKeySecretFollowsTheRelease: in every rendering, the operator may create Secrets and
// get the one --status-key-secret names, in its own namespace only, and two releases in one
// namespace name two Secrets.
func TestStatusKeySecretFollowsTheRelease(t *testing.T) {
	var operatorDefault string
	for _, f := range operatorFlags(t) {
		if f.name == "status-key-secret" {
			operatorDefault = f.def
		}
	}
	if operatorDefault != defaultStatusKeySecret {
		t.Fatalf("--status-key-secret defaults to %q, want %q as config/rbac/status_key_role.yaml says", operatorDefault, defaultStatusKeySecret)
	}
	renderings := map[string][]*unstructured.Unstructured{
		"chart":                           mustHelmTemplate(t, kustomizeNamespace),
		"chart, operator.statusKeySecret": mustHelmTemplate(t, kustomizeNamespace, "--set", "operator.statusKeySecret=my-key"),
		"chart, another release":          mustHelmTemplate(t, kustomizeNamespace, "--set", "fullnameOverride=hookkeeper-two"),
		"chart with watchNamespaces":      mustHelmTemplate(t, "helm-watch-namespaces", watchNamespacesArgs()...),
		"kustomize config/default":        kustomizeBuild(t, "config/default"),
		"kustomize config/namespaced":     kustomizeBuild(t, "config/namespaced"),
	}
	names := map[string]string{}
	for name, objs := range renderings {
		t.Run(name, func(t *testing.T) {
			var dep appsv1.Deployment
			convert(t, find(objs, "Deployment")[0], &dep)
			secret := statusKeySecretOf(t, objs)
			names[name] = secret
			var role rbacv1.Role
			var binding rbacv1.RoleBinding
			for _, o := range find(objs, "Role") {
				if strings.HasSuffix(o.GetName(), "-status-key-role") {
					convert(t, o, &role)
				}
			}
			for _, o := range find(objs, "RoleBinding") {
				if strings.HasSuffix(o.GetName(), "-status-key-rolebinding") {
					convert(t, o, &binding)
				}
			}
			if role.Name == "" || binding.Name == "" {
				t.Fatalf("no status key Role or RoleBinding (the rendering has %s)", describe(objs))
			}
			if role.Namespace != dep.Namespace || binding.Namespace != dep.Namespace {
				t.Errorf("the status key Role is in %q and its binding in %q, the operator in %q", role.Namespace, binding.Namespace, dep.Namespace)
			}
			checkStatusKeyRole(t, role, secret)
			sa := rbacv1.Subject{Kind: "ServiceAccount", Name: dep.Spec.Template.Spec.ServiceAccountName, Namespace: dep.Namespace}
			if binding.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name}) ||
				len(binding.Subjects) != 1 || binding.Subjects[0] != sa {
				t.Errorf("RoleBinding %s binds %+v to %+v, want Role %s to %+v", binding.Name, binding.RoleRef, binding.Subjects, role.Name, sa)
			}
		})
	}
	if names["chart"] != operatorDefault || names["kustomize config/default"] != operatorDefault {
		t.Errorf("the default installs name the status key Secret %q (chart) and %q (kustomize), the operator %q",
			names["chart"], names["kustomize config/default"], operatorDefault)
	}
	if names["chart, another release"] == names["chart"] {
		t.Errorf("two releases in one namespace share the status key Secret %q", names["chart"])
	}
	if names["chart, operator.statusKeySecret"] != "my-key" {
		t.Errorf("operator.statusKeySecret=my-key passes --status-key-secret=%s", names["chart, operator.statusKeySecret"])
	}
}
