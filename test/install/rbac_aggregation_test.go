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
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// aggregatedInto says which built-in ClusterRoles each user role must join.
var aggregatedInto = map[string][]string{
	"webhook-editor-role": {"admin", "edit"},
	"webhook-viewer-role": {"view"},
	"account-editor-role": {"admin", "edit"},
	"account-viewer-role": {"view"},
}

// TestUserRolesAggregate: the webhook-editor and account-editor ClusterRoles carry the labels that
// put them into the built-in admin and edit ClusterRoles, webhook-viewer and account-viewer those
// of view, in the chart (unless rbac.aggregateToDefaultRoles is off) and in config/rbac; no other
// role carries one. With an API server, the labels are checked against the aggregation rules of
// its own admin, edit and view ClusterRoles; TestAggregatedAccountRoles (account_rbac_test.go)
// runs the aggregation itself and checks what the built-in roles then grant.
func TestUserRolesAggregate(t *testing.T) {
	for name, objs := range map[string][]*unstructured.Unstructured{
		"helm default values":      mustHelmTemplate(t, kustomizeNamespace),
		"helm everything values":   mustHelmTemplate(t, kustomizeNamespace, "-f", everythingValues),
		"kustomize config/default": kustomizeBuild(t, "config/default"),
	} {
		t.Run(name, func(t *testing.T) {
			seen := 0
			for _, o := range objs {
				if o.GetKind() != "ClusterRole" && o.GetKind() != "Role" {
					continue
				}
				var want []string
				for suffix, roles := range aggregatedInto {
					if strings.HasSuffix(o.GetName(), suffix) {
						want = roles
						seen++
					}
				}
				var got []string
				for k, v := range o.GetLabels() {
					if role, ok := strings.CutPrefix(k, "rbac.authorization.k8s.io/aggregate-to-"); ok && v == "true" {
						got = append(got, role)
					}
				}
				if !sameSet(got, want) {
					t.Errorf("%s %s aggregates into %v, want %v", o.GetKind(), o.GetName(), got, want)
				}
				checkAggregation(t, o.GetName(), o.GetLabels(), want)
			}
			if seen != len(aggregatedInto) {
				t.Errorf("found %d of the user roles %v", seen, aggregatedInto)
			}
		})
	}
	t.Run("helm aggregateToDefaultRoles=false", func(t *testing.T) {
		for _, o := range mustHelmTemplate(t, kustomizeNamespace, "--set", "rbac.aggregateToDefaultRoles=false") {
			for k := range o.GetLabels() {
				if strings.HasPrefix(k, "rbac.authorization.k8s.io/aggregate-to-") {
					t.Errorf("%s %s has the label %s", o.GetKind(), o.GetName(), k)
				}
			}
		}
	})
}

// checkAggregation asks the API server, when there is one, whether the aggregation rules of its
// built-in ClusterRoles select a role with these labels: exactly the roles in want.
func checkAggregation(t *testing.T, name string, roleLabels map[string]string, want []string) {
	t.Helper()
	if apiServer.client == nil {
		return
	}
	for _, builtin := range []string{"admin", "edit", "view"} {
		var cr rbacv1.ClusterRole
		if err := apiServer.client.Get(context.Background(), client.ObjectKey{Name: builtin}, &cr); err != nil {
			t.Fatalf("reading the built-in ClusterRole %s: %v", builtin, err)
		}
		if cr.AggregationRule == nil {
			t.Fatalf("the built-in ClusterRole %s has no aggregation rule", builtin)
		}
		selected := false
		for _, sel := range cr.AggregationRule.ClusterRoleSelectors {
			s, err := metav1.LabelSelectorAsSelector(&sel)
			if err != nil {
				t.Fatal(err)
			}
			if s.Matches(labels.Set(roleLabels)) {
				selected = true
			}
		}
		if wanted := slices.Contains(want, builtin); selected != wanted {
			t.Errorf("the built-in ClusterRole %s aggregates %s: %t, want %t", builtin, name, selected, wanted)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
