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
	"slices"
	"strconv"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// selects reports whether selector picks the pods of the operator's Deployment in objs.
func selects(t *testing.T, objs []*unstructured.Unstructured, selector *metav1.LabelSelector) bool {
	t.Helper()
	var d appsv1.Deployment
	convert(t, findOne(t, objs, "Deployment", deploymentName), &d)
	s, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		t.Fatal(err)
	}
	return !s.Empty() && s.Matches(labels.Set(d.Spec.Template.Labels))
}

// TestChartPodDisruptionBudget: a PodDisruptionBudget that keeps one of the operator's pods is
// rendered with several replicas only, and applies (dry-run).
func TestChartPodDisruptionBudget(t *testing.T) {
	for _, args := range [][]string{nil, {"--set", "replicaCount=1"}, {"--set", "replicaCount=3", "--set", "podDisruptionBudget.enabled=false"}} {
		if got := find(mustHelmTemplate(t, kustomizeNamespace, args...), "PodDisruptionBudget"); len(got) != 0 {
			t.Errorf("helm template %v renders a PodDisruptionBudget", args)
		}
	}
	for _, c := range []struct {
		name string
		args []string
		min  *intstr.IntOrString
		max  *intstr.IntOrString
	}{
		{"two replicas", []string{"--set", "replicaCount=2"}, ptr(intstr.FromInt32(1)), nil},
		{"maxUnavailable replaces minAvailable", []string{"--set", "replicaCount=3", "--set", "podDisruptionBudget.maxUnavailable=50%"}, nil, ptr(intstr.FromString("50%"))},
		{"everything values", []string{"-f", everythingValues}, nil, ptr(intstr.FromInt32(1))},
	} {
		t.Run(c.name, func(t *testing.T) {
			const ns = "helm-pdb"
			objs := mustHelmTemplate(t, ns, c.args...)
			pdbs := find(objs, "PodDisruptionBudget")
			if len(pdbs) != 1 {
				t.Fatalf("want one PodDisruptionBudget, got %s", describe(pdbs))
			}
			var pdb policyv1.PodDisruptionBudget
			convert(t, pdbs[0], &pdb)
			if !selects(t, objs, pdb.Spec.Selector) {
				t.Errorf("the PodDisruptionBudget's selector %v does not select the operator's pods", pdb.Spec.Selector)
			}
			if !equalIntOrString(pdb.Spec.MinAvailable, c.min) || !equalIntOrString(pdb.Spec.MaxUnavailable, c.max) {
				t.Errorf("minAvailable %v, maxUnavailable %v; want %v, %v", pdb.Spec.MinAvailable, pdb.Spec.MaxUnavailable, c.min, c.max)
			}
			if cl := apiServer.client; cl != nil {
				createNamespace(t, cl, ns, nil)
				applyAll(t, cl, pdbs)
			}
		})
	}
}

// TestChartNetworkPolicy: networkPolicy.enabled renders a NetworkPolicy for the operator's pods
// that lets in the metrics and probe ports and lets out HTTPS, the API server and DNS, and
// nothing else; it applies (dry-run).
func TestChartNetworkPolicy(t *testing.T) {
	if got := find(mustHelmTemplate(t, kustomizeNamespace), "NetworkPolicy"); len(got) != 0 {
		t.Error("the default values render a NetworkPolicy")
	}
	for name, args := range map[string][]string{
		"enabled":           {"--set", "networkPolicy.enabled=true"},
		"everything values": {"-f", everythingValues},
	} {
		t.Run(name, func(t *testing.T) {
			const ns = "helm-network-policy"
			objs := mustHelmTemplate(t, ns, args...)
			var np networkingv1.NetworkPolicy
			convert(t, findOne(t, objs, "NetworkPolicy", releaseName+"-controller-manager"), &np)
			if !selects(t, objs, &np.Spec.PodSelector) {
				t.Errorf("the NetworkPolicy's podSelector %v does not select the operator's pods", np.Spec.PodSelector)
			}
			if !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) || !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
				t.Errorf("policyTypes %v, want Ingress and Egress", np.Spec.PolicyTypes)
			}
			args := deploymentArgs(t, objs)
			var d appsv1.Deployment
			convert(t, findOne(t, objs, "Deployment", deploymentName), &d)
			container := d.Spec.Template.Spec.Containers[0]
			var ingress []string
			for _, r := range np.Spec.Ingress {
				for _, p := range r.Ports {
					ingress = append(ingress, portString(p))
				}
			}
			for _, want := range []string{
				"TCP/" + strconv.Itoa(portOf(t, args["metrics-bind-address"])),
				"TCP/" + strconv.Itoa(portOf(t, args["health-probe-bind-address"])),
			} {
				if !slices.Contains(ingress, want) {
					t.Errorf("ingress ports %v lack %s", ingress, want)
				}
			}
			for _, p := range container.Ports {
				if !slices.Contains(ingress, string(p.Protocol)+"/"+strconv.Itoa(int(p.ContainerPort))) {
					t.Errorf("the container's port %s (%d) is not let in: %v", p.Name, p.ContainerPort, ingress)
				}
			}
			var egress []string
			for _, r := range np.Spec.Egress {
				for _, p := range r.Ports {
					egress = append(egress, portString(p))
				}
				if len(r.Ports) == 0 {
					t.Errorf("an egress rule allows every port: %+v", r)
				}
			}
			for _, want := range []string{"TCP/443", "TCP/6443", "UDP/53", "TCP/53"} {
				if !slices.Contains(egress, want) {
					t.Errorf("egress ports %v lack %s", egress, want)
				}
			}
			if cl := apiServer.client; cl != nil {
				createNamespace(t, cl, ns, nil)
				applyAll(t, cl, []*unstructured.Unstructured{findOne(t, objs, "NetworkPolicy", releaseName+"-controller-manager")})
			}
		})
	}
}

func portString(p networkingv1.NetworkPolicyPort) string {
	proto := corev1.ProtocolTCP
	if p.Protocol != nil {
		proto = *p.Protocol
	}
	if p.Port == nil {
		return string(proto) + "/*"
	}
	return string(proto) + "/" + p.Port.String()
}

func equalIntOrString(a, b *intstr.IntOrString) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func ptr[T any](v T) *T { return &v }
