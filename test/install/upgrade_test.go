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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// crdsDirChart is the last commit whose chart kept the CRD in crds/, which Helm installs once and
// never upgrades.
const crdsDirChart = "a353af5"

// oldChart extracts dist/chart of commit from git into a temporary directory.
func oldChart(t *testing.T, commit string) string {
	t.Helper()
	if _, err := command(root, nil, "git", "cat-file", "-e", commit+"^{commit}"); err != nil {
		t.Skipf("commit %s is not in this clone (a shallow one?): %v", commit, err)
	}
	dir := t.TempDir()
	archive := filepath.Join(dir, "chart.tar")
	if _, err := command(root, nil, "git", "archive", "--format=tar", "-o", archive, commit, "dist/chart"); err != nil {
		t.Fatal(err)
	}
	if _, err := command(dir, nil, "tar", "-xf", archive); err != nil {
		t.Fatal(err)
	}
	chart := filepath.Join(dir, "dist", "chart")
	if _, err := os.Stat(filepath.Join(chart, "crds")); err != nil {
		t.Fatalf("the chart of %s has no crds/ directory: %v", commit, err)
	}
	return chart
}

// helmOwnership adds what Helm adds to every object of a release.
func helmOwnership(o *unstructured.Unstructured, release, namespace string) {
	labels := o.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels["app.kubernetes.io/managed-by"] = "Helm"
	o.SetLabels(labels)
	annotations := o.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations["meta.helm.sh/release-name"] = release
	annotations["meta.helm.sh/release-namespace"] = namespace
	o.SetAnnotations(annotations)
}

// helmWouldAdopt is Helm's check (pkg/action/validate.go, checkOwnership) before it takes an
// object that already exists into a release: its label and annotations must name the release.
func helmWouldAdopt(o metav1.Object, release, namespace string) error {
	var errs []error
	for _, c := range []struct {
		m         map[string]string
		key, want string
	}{
		{o.GetLabels(), "app.kubernetes.io/managed-by", "Helm"},
		{o.GetAnnotations(), "meta.helm.sh/release-name", release},
		{o.GetAnnotations(), "meta.helm.sh/release-namespace", namespace},
	} {
		if got, ok := c.m[c.key]; !ok || got != c.want {
			errs = append(errs, fmt.Errorf("%s is %q, must be %q", c.key, got, c.want))
		}
	}
	return errors.Join(errs...)
}

// TestChartUpgradeFromCRDsDir upgrades a release of the chart as it was with crds/ to the chart
// with the CRD as a template: the old rendering, CRD included, is installed server-side as the
// field manager helm (with Helm's ownership metadata on every object but the CRD, which Helm
// installed from crds/ without it), a Webhook created, the CRD labelled and annotated as the
// README's upgrade notes say, and the new rendering applied server-side as the same field
// manager, without forcing conflicts. The Webhook stays, and the CRD is now the release's, with
// the keep policy. (A CRD that `kubectl apply --server-side` also applied, as the old README
// said to, is co-owned by the field manager kubectl: a server-side upgrade that changes
// spec.versions, an atomic list, then conflicts with it once; see the chart's README.)
func TestChartUpgradeFromCRDsDir(t *testing.T) {
	c := needAPIServer(t)
	chart := oldChart(t, crdsDirChart)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const hooksNS = "upgrade-webhooks"
	r := &upgradeRig{c: c, ctx: ctx, release: "upgrade", ns: "helm-upgrade"}
	createNamespace(t, c, r.ns, nil)
	createNamespace(t, c, hooksNS, nil)
	t.Cleanup(func() {
		for _, o := range r.created {
			if err := c.Delete(context.Background(), o); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting %s %s: %v", o.GetKind(), o.GetName(), err)
			}
		}
	})

	crdName := r.installOld(t, chart)
	hook := r.createSampleWebhook(t, hooksNS)
	r.followUpgradeNotes(t, crdName)
	newObjs := r.upgrade(t, crdName)

	// The Webhook is still there, unchanged.
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(hook.GroupVersionKind())
	if err := c.Get(ctx, client.ObjectKeyFromObject(hook), got); err != nil {
		t.Fatalf("the Webhook is gone after the upgrade: %v", err)
	}
	if !equality.Semantic.DeepEqual(got.Object["spec"], hook.Object["spec"]) {
		t.Errorf("the Webhook's spec changed: %v, was %v", got.Object["spec"], hook.Object["spec"])
	}
	r.checkCRDIsTheRelease(t, crdName, newObjs)
}

// upgradeRig is the state of TestChartUpgradeFromCRDsDir: the release and its namespace, and
// what the test created (removed at the end).
type upgradeRig struct {
	c           client.Client
	ctx         context.Context
	release, ns string
	created     []*unstructured.Unstructured
}

// apply applies o server-side as owner.
func (r *upgradeRig) apply(o *unstructured.Unstructured, owner string, opts ...client.ApplyOption) error {
	return r.c.Apply(r.ctx, client.ApplyConfigurationFromUnstructured(o.DeepCopy()), append(opts, client.FieldOwner(owner))...)
}

// resetCRD: envtest created the CRDs, and other tests may have applied the chart's since: make
// one what o says (its metadata, without other managers' labels), applied server-side as the
// release's field manager, which so owns all of it.
func (r *upgradeRig) resetCRD(t *testing.T, o *unstructured.Unstructured) {
	t.Helper()
	if err := r.apply(o, "helm", client.ForceOwnership); err != nil {
		t.Fatalf("applying the CRD %s: %v", o.GetName(), err)
	}
	var existing unstructured.Unstructured
	existing.SetGroupVersionKind(o.GroupVersionKind())
	if err := r.c.Get(r.ctx, client.ObjectKey{Name: o.GetName()}, &existing); err != nil {
		t.Fatal(err)
	}
	drop := map[string]map[string]any{"labels": {}, "annotations": {}}
	for k := range existing.GetLabels() {
		if _, ok := o.GetLabels()[k]; !ok {
			drop["labels"][k] = nil
		}
	}
	for k := range existing.GetAnnotations() {
		if _, ok := o.GetAnnotations()[k]; !ok {
			drop["annotations"][k] = nil
		}
	}
	patch, err := json.Marshal(map[string]any{"metadata": drop})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.c.Patch(r.ctx, &existing, client.RawPatch(types.MergePatchType, patch), client.FieldOwner("helm")); err != nil {
		t.Fatalf("removing other tests' labels from the CRD %s: %v", o.GetName(), err)
	}
}

// installOld installs the old release, of chart, and returns the name of the CRD of its crds/.
func (r *upgradeRig) installOld(t *testing.T, chart string) string {
	t.Helper()
	oldObjs, err := helmTemplateChart(t, chart, r.release, r.ns)
	if err != nil {
		t.Fatalf("rendering the chart of %s: %v", crdsDirChart, err)
	}
	var crdName string
	for _, o := range oldObjs {
		if o.GetKind() == "CustomResourceDefinition" {
			// The CRD of crds/.
			crdName = o.GetName()
			r.resetCRD(t, o)
			continue
		}
		helmOwnership(o, r.release, r.ns)
		if err := r.apply(o, "helm", client.ForceOwnership); err != nil {
			t.Fatalf("installing the chart of %s: %s %s: %v", crdsDirChart, o.GetKind(), o.GetName(), err)
		}
		r.created = append(r.created, o)
	}
	if crdName == "" {
		t.Fatalf("the chart of %s renders no CRD: %s", crdsDirChart, describe(oldObjs))
	}
	return crdName
}

// createSampleWebhook creates a Webhook, from config/samples, in hooksNS.
func (r *upgradeRig) createSampleWebhook(t *testing.T, hooksNS string) *unstructured.Unstructured {
	t.Helper()
	hooks := find(kustomizeBuild(t, "config/samples"), "Webhook")
	if len(hooks) == 0 {
		t.Fatal("config/samples holds no Webhook")
	}
	hook := hooks[0].DeepCopy()
	hook.SetNamespace(hooksNS)
	if err := r.c.Create(r.ctx, hook); err != nil {
		t.Fatalf("creating Webhook %s: %v", hook.GetName(), err)
	}
	r.created = append(r.created, hook)
	return hook
}

// followUpgradeNotes checks that Helm would refuse to take the CRD crdName over as it is, runs
// the upgrade notes' kubectl label and kubectl annotate, and checks that Helm would then.
func (r *upgradeRig) followUpgradeNotes(t *testing.T, crdName string) {
	t.Helper()
	var crd apiextensionsv1.CustomResourceDefinition
	if err := r.c.Get(r.ctx, client.ObjectKey{Name: crdName}, &crd); err != nil {
		t.Fatal(err)
	}
	if err := helmWouldAdopt(&crd, r.release, r.ns); err == nil {
		t.Fatal("the CRD installed from crds/ already carries the release's ownership metadata: the upgrade notes' step is untested")
	}
	// The upgrade notes: kubectl label and kubectl annotate.
	before := crd.DeepCopy()
	metav1.SetMetaDataLabel(&crd.ObjectMeta, "app.kubernetes.io/managed-by", "Helm")
	metav1.SetMetaDataAnnotation(&crd.ObjectMeta, "meta.helm.sh/release-name", r.release)
	metav1.SetMetaDataAnnotation(&crd.ObjectMeta, "meta.helm.sh/release-namespace", r.ns)
	if err := r.c.Patch(r.ctx, &crd, client.MergeFrom(before), client.FieldOwner("kubectl-label")); err != nil {
		t.Fatal(err)
	}
	if err := helmWouldAdopt(&crd, r.release, r.ns); err != nil {
		t.Fatalf("after the upgrade notes' kubectl label and annotate, Helm would still refuse the CRD: %v", err)
	}
}

// upgrade runs helm upgrade, server-side, without forcing conflicts, and returns the new
// chart's objects. A CRD the old chart did not have (Account, ClusterAccount) Helm creates with
// the release's metadata: here it exists already, so it is made the release's first, as if Helm
// had just created it.
func (r *upgradeRig) upgrade(t *testing.T, crdName string) []*unstructured.Unstructured {
	t.Helper()
	newObjs := mustHelmTemplateChart(t, chartDir, r.release, r.ns)
	for _, o := range newObjs {
		if o.GetKind() == "CustomResourceDefinition" && o.GetName() != crdName {
			crd := o.DeepCopy()
			helmOwnership(crd, r.release, r.ns)
			r.resetCRD(t, crd)
		}
	}
	for _, o := range newObjs {
		helmOwnership(o, r.release, r.ns)
		if err := r.apply(o, "helm"); err != nil {
			t.Errorf("upgrading: %s %s: %v", o.GetKind(), o.GetName(), err)
			continue
		}
		if o.GetKind() != "CustomResourceDefinition" {
			r.created = append(r.created, o)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return newObjs
}

// checkCRDIsTheRelease checks that the CRD crdName is the release's: its labels and keep
// policy, its schema of newObjs, and the helm field manager applies its spec.
func (r *upgradeRig) checkCRDIsTheRelease(t *testing.T, crdName string, newObjs []*unstructured.Unstructured) {
	t.Helper()
	var crd apiextensionsv1.CustomResourceDefinition
	if err := r.c.Get(r.ctx, client.ObjectKey{Name: crdName}, &crd); err != nil {
		t.Fatal(err)
	}
	if p := crd.Annotations["helm.sh/resource-policy"]; p != "keep" {
		t.Errorf("the CRD's helm.sh/resource-policy is %q, want keep", p)
	}
	rendered := findOne(t, newObjs, "CustomResourceDefinition", crdName)
	// Its schema is the new one (config/crd/bases of today, not the chart of crdsDirChart).
	stored := &unstructured.Unstructured{}
	stored.SetGroupVersionKind(rendered.GroupVersionKind())
	if err := r.c.Get(r.ctx, client.ObjectKey{Name: crdName}, stored); err != nil {
		t.Fatal(err)
	}
	// Compared as JSON: numbers decode from YAML and from the API server as different types.
	if a, b := mustJSON(t, crdSchemas(stored)), mustJSON(t, crdSchemas(rendered)); a != b {
		t.Error("after the upgrade the CRD's schema is not the chart's")
	}
	for k, v := range rendered.GetLabels() {
		if crd.Labels[k] != v {
			t.Errorf("the CRD's label %s is %q, want the chart's %q", k, crd.Labels[k], v)
		}
	}
	if err := helmWouldAdopt(&crd, r.release, r.ns); err != nil {
		t.Errorf("the CRD does not name the release: %v", err)
	}
	owned := false
	for _, m := range crd.ManagedFields {
		if m.Manager == "helm" && m.Operation == metav1.ManagedFieldsOperationApply && m.FieldsV1 != nil {
			fields := m.FieldsV1.GetRawString()
			owned = strings.Contains(fields, `"f:spec"`) && strings.Contains(fields, `"f:versions"`) && strings.Contains(fields, `"f:helm.sh/resource-policy"`)
		}
	}
	if !owned {
		t.Errorf("the helm field manager does not own the CRD's spec and keep annotation: %+v", crd.ManagedFields)
	}
}

// crdSchemas returns the schema of each version of the CRD o, by version name.
func crdSchemas(o *unstructured.Unstructured) map[string]any {
	versions, _, _ := unstructured.NestedSlice(o.Object, "spec", "versions")
	out := map[string]any{}
	for _, v := range versions {
		m, _ := v.(map[string]any)
		out[fmt.Sprint(m["name"])] = m["schema"]
	}
	return out
}

// mustHelmTemplateChart is helmTemplateChart that fails t on an error.
func mustHelmTemplateChart(t *testing.T, chart, release, namespace string, args ...string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := helmTemplateChart(t, chart, release, namespace, args...)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
