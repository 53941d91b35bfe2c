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

package controllers

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// TestRoleHasTheLeastVerbs reads the ClusterRole that controller-gen generates from the RBAC
// markers and checks that it grants exactly what the operator uses: it reads Secrets and never
// writes them, and it never creates, updates or deletes a Webhook (it only patches finalizers and
// status; spec belongs to the user and to GitOps).
func TestRoleHasTheLeastVerbs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	if err := yaml.Unmarshal(data, &role); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"/secrets": {"get", "list", "watch"},
		// --sharding cuts the hash space where the namespaces crowd: it reads their names.
		"/namespaces":                              {"list", "watch"},
		"events.k8s.io/events":                     {"create", "patch"},
		"hooks.hookkeeper.dev/webhooks":            {"get", "list", "patch", "watch"},
		"hooks.hookkeeper.dev/webhooks/status":     {"get", "patch"},
		"hooks.hookkeeper.dev/webhooks/finalizers": {"update"},
		// Accounts: read, and their status written; their spec belongs to the platform team.
		"hooks.hookkeeper.dev/accounts":               {"get", "list", "watch"},
		"hooks.hookkeeper.dev/clusteraccounts":        {"get", "list", "watch"},
		"hooks.hookkeeper.dev/accounts/status":        {"get", "patch"},
		"hooks.hookkeeper.dev/clusteraccounts/status": {"get", "patch"},
	}
	got := map[string][]string{}
	for _, rule := range role.Rules {
		if len(rule.ResourceNames) > 0 || len(rule.NonResourceURLs) > 0 {
			t.Errorf("unexpected rule %+v", rule)
		}
		for _, g := range rule.APIGroups {
			for _, r := range rule.Resources {
				key := g + "/" + r
				got[key] = append(got[key], rule.Verbs...)
			}
		}
	}
	for key, verbs := range got {
		slices.Sort(verbs)
		if !slices.Equal(verbs, want[key]) {
			t.Errorf("%s: verbs %v, want %v", key, verbs, want[key])
		}
	}
	for key := range want {
		if _, ok := got[key]; !ok {
			t.Errorf("%s: missing from the role", key)
		}
	}
}
