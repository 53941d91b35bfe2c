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
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// conventionValues turns on every convention of the chart that other charts' users expect
// (cert-manager's and external-secrets'), each with a value the rendering can be checked for.
var conventionValues = []string{
	"--set", "global.labels.team=platform",
	"--set", "commonLabels.cost-center=c42",
	"--set", "global.imageRegistry=registry.example.com",
	"--set", "global.imagePullSecrets[0].name=mirror-pull",
	"--set", "revisionHistoryLimit=3",
	"--set", "serviceAccount.automount=false",
	"--set", "metrics.podMonitor.enabled=true",
	"--set", "metrics.podMonitor.authorization.type=Bearer",
	"--set", "metrics.podMonitor.authorization.credentials.name=scraper",
	"--set", "metrics.podMonitor.authorization.credentials.key=token",
	"--set", "prometheusRule.enabled=true",
	"--set", "dashboards.enabled=true",
	"--set", "podDisruptionBudget.enabled=true", "--set", "replicaCount=2",
	"--set", "networkPolicy.enabled=true",
	"--set-json", `extraObjects=[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{ .Release.Name }}-extra"},"data":{"ns":"{{ .Release.Namespace }}"}}]`,
}

// TestChartConventions renders the chart with conventionValues: global.labels and commonLabels
// reach every object of the chart, CRDs included (extraObjects are the user's, as written); the image comes from global.imageRegistry and the pod pulls
// with global.imagePullSecrets; revisionHistoryLimit and serviceAccount.automount reach the
// Deployment and the ServiceAccount; metrics.podMonitor renders a PodMonitor and no
// ServiceMonitor; extraObjects are rendered through tpl.
func TestChartConventions(t *testing.T) {
	objs := mustHelmTemplate(t, kustomizeNamespace, append([]string{"--include-crds"}, conventionValues...)...)
	kinds := map[string]bool{}
	for _, o := range objs {
		if o.GetName() == releaseName+"-extra" {
			continue // extraObjects are the user's, rendered as written, as the anchors' charts do
		}
		kinds[o.GetKind()] = true
		if l := o.GetLabels(); l["team"] != "platform" || l["cost-center"] != "c42" {
			t.Errorf("%s %s lacks global.labels or commonLabels: %v", o.GetKind(), o.GetName(), l)
		}
	}
	for _, kind := range []string{"CustomResourceDefinition", "Deployment", "PodMonitor", "PrometheusRule", "PodDisruptionBudget", "NetworkPolicy", "ConfigMap"} {
		if !kinds[kind] {
			t.Errorf("no %s rendered: the label check did not cover it", kind)
		}
	}
	if len(find(objs, "ServiceMonitor")) != 0 {
		t.Error("metrics.podMonitor renders a ServiceMonitor too")
	}
	dep := &appsv1.Deployment{}
	convert(t, find(objs, "Deployment")[0], dep)
	pod := dep.Spec.Template.Spec
	if img := pod.Containers[0].Image; !strings.HasPrefix(img, "registry.example.com/") {
		t.Errorf("image %s is not from global.imageRegistry", img)
	}
	if len(pod.ImagePullSecrets) != 1 || pod.ImagePullSecrets[0].Name != "mirror-pull" {
		t.Errorf("imagePullSecrets %v, want mirror-pull", pod.ImagePullSecrets)
	}
	if dep.Spec.RevisionHistoryLimit == nil || *dep.Spec.RevisionHistoryLimit != 3 {
		t.Errorf("revisionHistoryLimit %v, want 3", dep.Spec.RevisionHistoryLimit)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("serviceAccount.automount=false does not reach the pod")
	}
	sa := &corev1.ServiceAccount{}
	convert(t, find(objs, "ServiceAccount")[0], sa)
	if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
		t.Error("serviceAccount.automount=false does not reach the ServiceAccount")
	}
	extra := findOne(t, objs, "ConfigMap", releaseName+"-extra")
	if ns, _, _ := unstructured.NestedString(extra.Object, "data", "ns"); ns != kustomizeNamespace {
		t.Errorf("extraObjects are not rendered through tpl: data.ns = %q", ns)
	}
}
