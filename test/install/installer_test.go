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
	"reflect"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// installerImage is the IMG the test writes into the one-file install.
const installerImage = "registry.example.test/team/hookkeeper:v0.0.0-installer"

// TestInstallerFile: `make build-installer`'s script writes one file that is exactly
// `kustomize build config/default` with the image set, in an order kubectl apply can follow,
// and that an API server takes (dry-run) without a warning.
func TestInstallerFile(t *testing.T) {
	c := needAPIServer(t)
	out := filepath.Join(t.TempDir(), "install.yaml")
	if _, err := command(root, nil, filepath.Join(root, "hack", "build-installer.sh"),
		tool(t, "kustomize", "KUSTOMIZE"), installerImage, out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	installer := decode(t, data)

	want := kustomizeBuild(t, "config/default")
	deployments := 0
	for _, o := range want {
		if o.GetKind() != "Deployment" {
			continue
		}
		deployments++
		containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
		for _, ct := range containers {
			ct.(map[string]any)["image"] = installerImage
		}
		if err := unstructured.SetNestedSlice(o.Object, containers, "spec", "template", "spec", "containers"); err != nil {
			t.Fatal(err)
		}
	}
	if deployments != 1 {
		t.Fatalf("config/default renders %d Deployments, want 1", deployments)
	}
	if len(installer) != len(want) {
		t.Fatalf("install.yaml holds %d objects, kustomize build config/default %d:\n%s\n%s", len(installer), len(want), describe(installer), describe(want))
	}
	for i := range want {
		if !reflect.DeepEqual(installer[i].Object, want[i].Object) {
			t.Errorf("object %d of install.yaml, %s %s, differs from kustomize build config/default with the image set", i, installer[i].GetKind(), installer[i].GetName())
		}
	}
	checkDependencyOrder(t, installer)
	for _, kind := range []string{"Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment"} {
		if len(find(installer, kind)) == 0 {
			t.Errorf("install.yaml holds no %s", kind)
		}
	}
	applyAll(t, c, installer)
}

// checkDependencyOrder: the Namespace comes before anything in it, the CRD before any custom
// resource, and the ServiceAccount and RBAC before the Deployment that uses them.
func checkDependencyOrder(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	pos := func(kinds ...string) (first, last int) {
		first, last = len(objs), -1
		for i, o := range objs {
			if slices.Contains(kinds, o.GetKind()) {
				first, last = min(first, i), max(last, i)
			}
		}
		return first, last
	}
	_, lastNamespace := pos("Namespace")
	for i, o := range objs {
		if o.GetNamespace() != "" && i < lastNamespace {
			t.Errorf("%s %s/%s comes before its Namespace", o.GetKind(), o.GetNamespace(), o.GetName())
		}
		if strings.Contains(o.GetAPIVersion(), "hookkeeper.dev") {
			if _, lastCRD := pos("CustomResourceDefinition"); i < lastCRD {
				t.Errorf("%s %s comes before the CRD", o.GetKind(), o.GetName())
			}
		}
	}
	firstDeployment, _ := pos("Deployment")
	_, lastRBAC := pos("ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
	if lastRBAC > firstDeployment {
		t.Errorf("the Deployment comes before its ServiceAccount or RBAC: %s", describe(objs))
	}
}
