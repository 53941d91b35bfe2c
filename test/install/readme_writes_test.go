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
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

// TestREADMEListsEveryWrite checks the README's list of what the operator writes against the
// RBAC config/default ships: every write verb that a Role or ClusterRole bound to the operator's
// ServiceAccount grants must be named, with its resource, in one item of the list. The roles
// cannot then grant a write that the README does not own up to (TestOperatorRunsAsInstalled
// checks the other way: that the operator needs nothing the roles do not grant).
func TestREADMEListsEveryWrite(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "What it writes")
	if start < 0 {
		t.Fatal(`README.md has no list of what the operator writes ("What it writes ...")`)
	}
	list := readme[start:]
	first := strings.Index(list, "\n- ")
	if first < 0 {
		t.Fatal("README.md's list of what the operator writes has no items")
	}
	list = list[first+1:]
	if end := strings.Index(list, "\n\n"); end >= 0 {
		list = list[:end]
	}
	items := strings.Split(list, "\n- ")

	objs := kustomizeBuild(t, filepath.Join(root, "config", "default"))
	sa := find(objs, "ServiceAccount")[0]
	// The roles bound to the operator's ServiceAccount.
	bound := map[string]bool{}
	for _, kind := range []string{"RoleBinding", "ClusterRoleBinding"} {
		for _, o := range find(objs, kind) {
			var b rbacv1.RoleBinding // a ClusterRoleBinding has the same subjects and roleRef
			convert(t, o, &b)
			for _, s := range b.Subjects {
				if s.Kind == rbacv1.ServiceAccountKind && s.Name == sa.GetName() && s.Namespace == sa.GetNamespace() {
					bound[b.RoleRef.Kind+"/"+b.RoleRef.Name] = true
				}
			}
		}
	}
	writes := []string{"create", "update", "patch", "delete", "deletecollection"}
	checked := 0
	for _, kind := range []string{"Role", "ClusterRole"} {
		for _, o := range find(objs, kind) {
			if !bound[kind+"/"+o.GetName()] {
				continue
			}
			checked++
			var role rbacv1.ClusterRole // a Role has the same rules
			convert(t, o, &role)
			for _, rule := range role.Rules {
				for _, verb := range rule.Verbs {
					if verb == rbacv1.VerbAll {
						t.Errorf("%s %s grants every verb on %v", kind, o.GetName(), rule.Resources)
						continue
					}
					if !slices.Contains(writes, verb) {
						continue
					}
					for _, resource := range rule.Resources {
						if !slices.ContainsFunc(items, func(item string) bool {
							return strings.Contains(item, "`"+resource+"`") && regexp.MustCompile(`\b`+verb+`\b`).MatchString(item)
						}) {
							t.Errorf("%s %s grants %s on %s, which README.md's list of what the operator writes does not name in one item",
								kind, o.GetName(), verb, resource)
						}
					}
				}
			}
		}
	}
	if checked < 3 {
		t.Errorf("found %d roles bound to ServiceAccount %s, want the manager's, the leader election's and the status key's at least",
			checked, sa.GetName())
	}
}
