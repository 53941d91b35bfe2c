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
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// restrictedLabels make the API server check pod templates against the "restricted" Pod
// Security Standard and warn about every violation (config/default's namespace has them too).
var restrictedLabels = map[string]string{
	"pod-security.kubernetes.io/enforce": "restricted",
	"pod-security.kubernetes.io/warn":    "restricted",
}

// TestKustomizeDefaultApplies applies `kustomize build config/default` (dry-run), its
// Namespace for real first.
func TestKustomizeDefaultApplies(t *testing.T) {
	c := needAPIServer(t)
	objs := kustomizeBuild(t, "config/default")
	if ns := find(objs, "Namespace"); len(ns) != 1 || ns[0].GetName() != kustomizeNamespace {
		t.Fatalf("config/default should hold the one Namespace %s, has %s", kustomizeNamespace, describe(ns))
	}
	applyAll(t, c, objs)
}

// TestChartApplies applies the chart's rendering with the default values and with every option
// on (dry-run), into a namespace that enforces the restricted Pod Security Standard. The
// everything values watch some namespaces: those exist first, as they must for a real install.
func TestChartApplies(t *testing.T) {
	c := needAPIServer(t)
	for name, args := range map[string][]string{
		"default values":    nil,
		"everything values": {"-f", everythingValues},
	} {
		t.Run(name, func(t *testing.T) {
			ns := "helm-" + strings.ReplaceAll(name, " ", "-")
			createNamespace(t, c, ns, restrictedLabels)
			objs := mustHelmTemplate(t, ns, args...)
			args := deploymentArgs(t, objs)
			namespaces := strings.Split(args["watch-namespaces"], ",")
			if args["watch-namespaces"] != "" {
				// The Roles that read ClusterAccounts' credentials.
				namespaces = append(namespaces, strings.Split(args["account-secret-namespaces"], ",")...)
			}
			for _, w := range namespaces {
				if w != "" {
					createNamespace(t, c, w, nil)
				}
			}
			for _, o := range objs {
				if o.GetKind() == "Namespace" {
					t.Errorf("the chart renders Namespace %s: the release namespace is helm's (--create-namespace)", o.GetName())
				}
				got := o.GetNamespace()
				switch {
				case got == "" || got == ns:
				case slices.Contains(namespaces, got) && (o.GetKind() == "Role" || o.GetKind() == "RoleBinding"):
					// The operator's permissions in a namespace it watches or reads account Secrets in.
				default:
					t.Errorf("%s %s is in namespace %s, not the release's (%s)", o.GetKind(), o.GetName(), got, ns)
				}
			}
			applyAll(t, c, objs)
		})
	}
}

// TestSamplesApply applies config/samples (dry-run): the CRD accepts every sample Webhook.
func TestSamplesApply(t *testing.T) {
	c := needAPIServer(t)
	objs := kustomizeBuild(t, "config/samples")
	createNamespace(t, c, "samples", nil)
	for _, o := range objs {
		if o.GetNamespace() == "" {
			o.SetNamespace("samples")
		}
	}
	if len(find(objs, "Webhook")) == 0 {
		t.Fatalf("config/samples holds no Webhook: %s", describe(objs))
	}
	applyAll(t, c, objs)
}

// TestPodSecurityWarningsAreSeen shows that applyAll would notice a pod that breaks the
// restricted standard: without this, a silent API server would pass any Deployment.
func TestPodSecurityWarningsAreSeen(t *testing.T) {
	c := needAPIServer(t)
	createNamespace(t, c, "pss-check", restrictedLabels)
	objs := mustHelmTemplate(t, "pss-check", "--set", "securityContext=null", "--set", "podSecurityContext=null")
	d := findOne(t, objs, "Deployment", releaseName+"-controller-manager")
	apiServer.warnings.take()
	if err := dryRunApply(context.Background(), c, d); err != nil {
		t.Fatal(err)
	}
	warnings := apiServer.warnings.take()
	if !containsSubstring(warnings, "restricted") {
		t.Fatalf("a Deployment without security contexts drew no Pod Security warning (got %q): is the PodSecurity admission plugin on?", warnings)
	}
}

// applyAll creates the Namespaces among objs, then applies every other object server-side in
// dry-run mode. Errors and API server warnings fail t.
func applyAll(t *testing.T, c client.Client, objs []*unstructured.Unstructured) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			createNamespace(t, c, o.GetName(), o.GetLabels())
		}
	}
	apiServer.warnings.take()
	applied := 0
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			continue
		}
		if err := dryRunApply(ctx, c, o); err != nil {
			t.Errorf("%s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
			continue
		}
		applied++
		for _, w := range apiServer.warnings.take() {
			t.Errorf("%s %s/%s: API server warning: %s", o.GetKind(), o.GetNamespace(), o.GetName(), w)
		}
	}
	t.Logf("applied %d objects (dry-run): %s", applied, describe(objs))
}

// dryRunApply sends o as a server-side apply that the API server validates and admits but does
// not store.
func dryRunApply(ctx context.Context, c client.Client, o *unstructured.Unstructured) error {
	return c.Apply(ctx, client.ApplyConfigurationFromUnstructured(o.DeepCopy()),
		client.FieldOwner(fieldOwner), client.ForceOwnership, client.DryRunAll)
}

// createNamespace creates a namespace for real, with labels; one that exists is kept.
func createNamespace(t *testing.T, c client.Client, name string, labels map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if err := c.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
}

func containsSubstring(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
