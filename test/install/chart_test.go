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
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const deploymentName = releaseName + "-controller-manager"

// renderings are the ways to install the operator that the tests check.
func renderings(t *testing.T) map[string][]*unstructured.Unstructured {
	t.Helper()
	return map[string][]*unstructured.Unstructured{
		"kustomize config/default":    kustomizeBuild(t, "config/default"),
		"kustomize config/namespaced": kustomizeBuild(t, "config/namespaced"),
		"helm default values":         mustHelmTemplate(t, kustomizeNamespace),
		"helm everything values":      mustHelmTemplate(t, kustomizeNamespace, "-f", everythingValues),
	}
}

// TestDeploymentIsHardened checks the operator's pod in every rendering: non-root, read-only
// root file system, no privilege escalation, no capabilities, the RuntimeDefault seccomp
// profile, probes on the health port and CPU and memory requests and limits.
func TestDeploymentIsHardened(t *testing.T) {
	for name, objs := range renderings(t) {
		t.Run(name, func(t *testing.T) {
			var d appsv1.Deployment
			convert(t, findOne(t, objs, "Deployment", deploymentName), &d)
			checkHardened(t, &d)
		})
	}
}

func checkHardened(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	pod := d.Spec.Template.Spec
	if pod.HostNetwork || pod.HostPID || pod.HostIPC {
		t.Error("the pod shares a host namespace")
	}
	psc := pod.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil {
		t.Fatalf("container %s has no securityContext", c.Name)
	}
	// A container setting overrides the pod's.
	runAsNonRoot := psc.RunAsNonRoot
	if sc.RunAsNonRoot != nil {
		runAsNonRoot = sc.RunAsNonRoot
	}
	if runAsNonRoot == nil || !*runAsNonRoot {
		t.Error("runAsNonRoot is not true")
	}
	if uid := effectiveUID(psc, sc); uid != nil && *uid == 0 {
		t.Error("runAsUser is 0")
	}
	seccomp := psc.SeccompProfile
	if sc.SeccompProfile != nil {
		seccomp = sc.SeccompProfile
	}
	if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("seccompProfile is %+v, want RuntimeDefault", seccomp)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation is not false")
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Error("the container is privileged")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem is not true")
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Error("capabilities do not drop ALL")
	} else if len(sc.Capabilities.Add) > 0 {
		t.Errorf("capabilities add %v", sc.Capabilities.Add)
	}
	checkProbes(t, c)
	checkResources(t, c)
}

// checkProbes: the probes reach the port that --health-probe-bind-address opens.
func checkProbes(t *testing.T, c corev1.Container) {
	t.Helper()
	args := argMap(c.Args)
	probePort := portOf(t, args["health-probe-bind-address"])
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{{"livenessProbe", c.LivenessProbe, "/healthz"}, {"readinessProbe", c.ReadinessProbe, "/readyz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s is not an HTTP GET", p.name)
			continue
		}
		if p.probe.HTTPGet.Path != p.path {
			t.Errorf("%s path is %s, want %s", p.name, p.probe.HTTPGet.Path, p.path)
		}
		if got := resolvePort(t, c, p.probe.HTTPGet.Port.String()); got != probePort {
			t.Errorf("%s port is %d, but --health-probe-bind-address opens %d", p.name, got, probePort)
		}
	}
}

// checkResources: CPU and memory have a request and a limit, the request no higher.
func checkResources(t *testing.T, c corev1.Container) {
	t.Helper()
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := c.Resources.Requests[res]
		lim, hasLim := c.Resources.Limits[res]
		if !hasReq || req.IsZero() {
			t.Errorf("no %s request", res)
		}
		if !hasLim || lim.IsZero() {
			t.Errorf("no %s limit", res)
		}
		if hasReq && hasLim && req.Cmp(lim) > 0 {
			t.Errorf("%s request %s is above its limit %s", res, req.String(), lim.String())
		}
	}
}

func effectiveUID(psc *corev1.PodSecurityContext, sc *corev1.SecurityContext) *int64 {
	if sc.RunAsUser != nil {
		return sc.RunAsUser
	}
	return psc.RunAsUser
}

// resolvePort turns a probe's port, a number or a port name, into the container port.
func resolvePort(t *testing.T, c corev1.Container, port string) int {
	t.Helper()
	if n, err := strconv.Atoi(port); err == nil {
		return n
	}
	for _, p := range c.Ports {
		if p.Name == port {
			return int(p.ContainerPort)
		}
	}
	t.Fatalf("container %s has no port named %q", c.Name, port)
	return 0
}

// argMap reads --name=value and --name (a true boolean) arguments.
func argMap(args []string) map[string]string {
	m := map[string]string{}
	for _, a := range args {
		name, value, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !ok {
			value = "true"
		}
		m[name] = value
	}
	return m
}

// portOf returns the port of a bind address such as ":8081".
func portOf(t *testing.T, addr string) int {
	t.Helper()
	i := strings.LastIndex(addr, ":")
	n, err := strconv.Atoi(addr[i+1:])
	if i < 0 || err != nil {
		t.Fatalf("bind address %q has no port", addr)
	}
	return n
}

// TestDeploymentParityWithKustomize: with the default values the chart's Deployment is the one
// config/default deploys, setting for setting: replicas, revisionHistoryLimit, strategy, the pod
// (termination grace period, security context, scheduling, volumes, service account) and the
// container (command, environment, ports, probes, resources, security context, pull policy).
// Only names and labels (the chart's app.kubernetes.io/* and Helm's, kustomize's control-plane),
// the image (make deploy rewrites config/manager's) and the arguments' form differ: the arguments
// are compared as the operator reads them, a flag left out standing for its default.
func TestDeploymentParityWithKustomize(t *testing.T) {
	var kd, hd appsv1.Deployment
	convert(t, findOne(t, kustomizeBuild(t, "config/default"), "Deployment", deploymentName), &kd)
	convert(t, findOne(t, mustHelmTemplate(t, kustomizeNamespace), "Deployment", deploymentName), &hd)

	// The arguments, as the operator reads them: its defaults, then what is passed.
	defaults := map[string]string{
		// controller-runtime's zap flags print no default; these are zap.Options{}'s.
		"zap-log-level": "info", "zap-encoder": "json", "zap-stacktrace-level": "error", "zap-time-encoding": "epoch", "zap-devel": "false",
	}
	flags := map[string]operatorFlag{}
	for _, f := range operatorFlags(t) {
		flags[f.name] = f
		if _, ok := defaults[f.name]; !ok {
			defaults[f.name] = f.def
			if f.def == "" {
				defaults[f.name] = zero(f)
			}
		}
	}
	effective := func(args []string) map[string]string {
		m := maps.Clone(defaults)
		maps.Copy(m, argMap(args))
		return m
	}
	ka, ha := effective(kd.Spec.Template.Spec.Containers[0].Args), effective(hd.Spec.Template.Spec.Containers[0].Args)
	for _, name := range slices.Sorted(maps.Keys(defaults)) {
		f, known := flags[name]
		if !known {
			f = operatorFlag{name: name, typ: "string"}
		}
		if !sameValue(t, f, ka[name], ha[name]) {
			t.Errorf("--%s: kustomize %q, helm %q", name, ka[name], ha[name])
		}
	}

	// Everything else, once the names, labels, image and arguments are set aside.
	normalize := func(d *appsv1.Deployment) appsv1.DeploymentSpec {
		spec := *d.Spec.DeepCopy()
		spec.Selector = nil
		spec.Template.Labels = nil
		c := &spec.Template.Spec.Containers[0]
		c.Image, c.Args = "", nil
		return spec
	}
	ks, hs := normalize(&kd), normalize(&hd)
	if !equality.Semantic.DeepEqual(ks, hs) {
		kj, _ := yaml.Marshal(ks)
		hj, _ := yaml.Marshal(hs)
		t.Errorf("the Deployments of config/default (config/manager/manager.yaml) and of the chart's default values differ:\nkustomize:\n%s\nhelm:\n%s", kj, hj)
	}
	// The settings the issue named, said one by one for a clearer failure.
	for _, c := range []struct {
		name string
		k, h any
	}{
		{"replicas", ptrString(kd.Spec.Replicas), ptrString(hd.Spec.Replicas)},
		{"revisionHistoryLimit", ptrString(kd.Spec.RevisionHistoryLimit), ptrString(hd.Spec.RevisionHistoryLimit)},
		{"terminationGracePeriodSeconds", ptrString(kd.Spec.Template.Spec.TerminationGracePeriodSeconds), ptrString(hd.Spec.Template.Spec.TerminationGracePeriodSeconds)},
		{"resources", ks.Template.Spec.Containers[0].Resources, hs.Template.Spec.Containers[0].Resources},
		{"env", ks.Template.Spec.Containers[0].Env, hs.Template.Spec.Containers[0].Env},
		{"ports", ks.Template.Spec.Containers[0].Ports, hs.Template.Spec.Containers[0].Ports},
		{"tolerations", ks.Template.Spec.Tolerations, hs.Template.Spec.Tolerations},
	} {
		if !equality.Semantic.DeepEqual(c.k, c.h) {
			t.Errorf("%s: kustomize %+v, helm %+v", c.name, c.k, c.h)
		}
	}
}

func ptrString[T any](p *T) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}

// TestChartCRDsAreGenerated: the chart's CRD templates (templates/crds) are what make chart-crds
// writes from config/crd/bases, byte for byte, and render as those CRDs with the chart's labels
// and, with crds.keep (the default), the helm.sh/resource-policy: keep annotation; crds.enabled
// false renders none.
func TestChartCRDsAreGenerated(t *testing.T) {
	want := yamlFiles(t, filepath.Join(root, "config", "crd", "bases"))
	got := yamlFiles(t, filepath.Join(chartDir, "templates", "crds"))
	// make chart-crds into a scratch chart: the templates it writes must be the committed ones.
	scratch := t.TempDir()
	if out, err := command(root, nil, "make", "-s", "chart-crds", "CHART="+scratch); err != nil {
		t.Fatalf("make chart-crds: %v\n%s", err, out)
	}
	fresh := yamlFiles(t, filepath.Join(scratch, "templates", "crds"))
	for name, data := range fresh {
		if g, ok := got[name]; !ok {
			t.Errorf("dist/chart/templates/crds/%s is missing: run make chart-crds", name)
		} else if !bytes.Equal(g, data) {
			t.Errorf("dist/chart/templates/crds/%s differs from what make chart-crds writes from config/crd/bases/%s: run make chart-crds", name, name)
		}
	}
	for name := range got {
		if _, ok := fresh[name]; !ok {
			t.Errorf("dist/chart/templates/crds/%s is not in config/crd/bases: run make chart-crds", name)
		}
	}
	if _, err := os.Stat(filepath.Join(chartDir, "crds")); err == nil {
		t.Error("dist/chart/crds exists: the CRDs are templates (templates/crds), which helm upgrade upgrades")
	}

	for _, keep := range []bool{true, false} {
		objs := mustHelmTemplate(t, kustomizeNamespace, "--set", "crds.keep="+strconv.FormatBool(keep))
		if n := len(find(objs, "CustomResourceDefinition")); n != len(want) {
			t.Errorf("crds.keep=%t: the chart renders %d CRDs, config/crd/bases has %d", keep, n, len(want))
		}
		for name, data := range want {
			var generated unstructured.Unstructured
			if err := yaml.Unmarshal(data, &generated.Object); err != nil {
				t.Fatalf("config/crd/bases/%s: %v", name, err)
			}
			rendered := findOne(t, objs, "CustomResourceDefinition", generated.GetName())
			if !equality.Semantic.DeepEqual(rendered.Object["spec"], generated.Object["spec"]) {
				t.Errorf("the spec of CRD %s in the chart is not that of config/crd/bases/%s: run make chart-crds", generated.GetName(), name)
			}
			annotations := rendered.GetAnnotations()
			if policy, ok := annotations["helm.sh/resource-policy"]; keep && policy != "keep" || !keep && ok {
				t.Errorf("crds.keep=%t: CRD %s has helm.sh/resource-policy %q", keep, generated.GetName(), policy)
			}
			delete(annotations, "helm.sh/resource-policy")
			if !equality.Semantic.DeepEqual(annotations, generated.GetAnnotations()) {
				t.Errorf("CRD %s: annotations %v, config/crd/bases/%s has %v", generated.GetName(), annotations, name, generated.GetAnnotations())
			}
			if l := rendered.GetLabels(); l["app.kubernetes.io/instance"] != releaseName || l["app.kubernetes.io/managed-by"] != "Helm" {
				t.Errorf("CRD %s lacks the chart's labels: %v", generated.GetName(), l)
			}
		}
	}
	if n := len(find(mustHelmTemplate(t, kustomizeNamespace, "--set", "crds.enabled=false"), "CustomResourceDefinition")); n != 0 {
		t.Errorf("crds.enabled=false renders %d CRDs", n)
	}
}

func yamlFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no YAML files in %s (%v)", dir, err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}

// TestChartRBACIsGenerated: the chart's roles grant exactly what config/rbac grants; the manager
// ClusterRole's rules are those controller-gen writes into config/rbac/role.yaml, and so are
// those of the Roles that replace it with watchNamespaces.
func TestChartRBACIsGenerated(t *testing.T) {
	t.Run("role.yaml as Roles (watchNamespaces)", func(t *testing.T) {
		objs := mustHelmTemplate(t, kustomizeNamespace, watchNamespacesArgs()...)
		want := generatedManagerRules(t)
		for _, ns := range watched {
			var got rbacv1.Role
			convert(t, findIn(t, objs, "Role", ns, releaseName+"-manager-role"), &got)
			if !equality.Semantic.DeepEqual(got.Rules, want) {
				gj, _ := json.MarshalIndent(got.Rules, "", "  ")
				wj, _ := json.MarshalIndent(want, "", "  ")
				t.Errorf("the rules of Role %s/%s in the chart (dist/chart/templates/rbac.yaml) are not those of config/rbac/role.yaml:\nchart: %s\nconfig: %s",
					ns, got.Name, gj, wj)
			}
		}
	})
	// What a namespace-scoped install grants by a ClusterRole: the generated rules on
	// cluster-scoped resources, in the chart and in config/namespaced alike.
	t.Run("role.yaml on cluster-scoped resources (watchNamespaces)", func(t *testing.T) {
		want := managerClusterRules(t)
		var chart, kustomize rbacv1.ClusterRole
		convert(t, findOne(t, mustHelmTemplate(t, kustomizeNamespace, watchNamespacesArgs()...), "ClusterRole", releaseName+"-manager-cluster-role"), &chart)
		convert(t, findOne(t, kustomizeBuild(t, "config/namespaced"), "ClusterRole", releaseName+"-manager-cluster-role"), &kustomize)
		for name, got := range map[string][]rbacv1.PolicyRule{"the chart": chart.Rules, "config/namespaced": kustomize.Rules} {
			if !maps.Equal(ruleSet(got), ruleSet(want)) {
				t.Errorf("%s grants by ClusterRole %v, want the rules of config/rbac/role.yaml on cluster-scoped resources %v",
					name, slices.Sorted(maps.Keys(ruleSet(got))), slices.Sorted(maps.Keys(ruleSet(want))))
			}
		}
		if !equality.Semantic.DeepEqual(chart.Rules, kustomize.Rules) {
			t.Errorf("the chart's ClusterRole %s grants %+v, config/namespaced's %+v", chart.Name, chart.Rules, kustomize.Rules)
		}
	})
	objs := mustHelmTemplate(t, kustomizeNamespace)
	for _, c := range []struct{ kind, chartName, file string }{
		{"ClusterRole", "manager-role", "role.yaml"},
		{"ClusterRole", "webhook-editor-role", "webhook_editor_role.yaml"},
		{"ClusterRole", "webhook-viewer-role", "webhook_viewer_role.yaml"},
		{"ClusterRole", "account-editor-role", "account_editor_role.yaml"},
		{"ClusterRole", "account-viewer-role", "account_viewer_role.yaml"},
		{"Role", "leader-election-role", "leader_election_role.yaml"},
		{"Role", "status-key-role", "status_key_role.yaml"},
	} {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, "config", "rbac", c.file))
			if err != nil {
				t.Fatal(err)
			}
			var want rbacv1.ClusterRole // a Role's rules read the same
			if err := yaml.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			var got rbacv1.ClusterRole
			convert(t, findOne(t, objs, c.kind, releaseName+"-"+c.chartName), &got)
			if !equality.Semantic.DeepEqual(got.Rules, want.Rules) {
				gj, _ := json.MarshalIndent(got.Rules, "", "  ")
				wj, _ := json.MarshalIndent(want.Rules, "", "  ")
				t.Errorf("the rules of %s %s in the chart (dist/chart/templates/rbac.yaml) are not those of config/rbac/%s:\nchart: %s\nconfig: %s",
					c.kind, c.chartName, c.file, gj, wj)
			}
		})
	}
	// The bindings give the roles to the operator's ServiceAccount.
	sa := releaseName + "-controller-manager"
	var crb rbacv1.ClusterRoleBinding
	convert(t, findOne(t, objs, "ClusterRoleBinding", releaseName+"-manager-rolebinding"), &crb)
	if crb.RoleRef.Name != releaseName+"-manager-role" || len(crb.Subjects) != 1 || crb.Subjects[0].Name != sa || crb.Subjects[0].Namespace != kustomizeNamespace {
		t.Errorf("ClusterRoleBinding binds %+v to %+v", crb.RoleRef, crb.Subjects)
	}
	var rb rbacv1.RoleBinding
	convert(t, findOne(t, objs, "RoleBinding", releaseName+"-leader-election-rolebinding"), &rb)
	if rb.RoleRef.Name != releaseName+"-leader-election-role" || len(rb.Subjects) != 1 || rb.Subjects[0].Name != sa {
		t.Errorf("RoleBinding binds %+v to %+v", rb.RoleRef, rb.Subjects)
	}
	var keyRB rbacv1.RoleBinding
	convert(t, findOne(t, objs, "RoleBinding", releaseName+"-status-key-rolebinding"), &keyRB)
	if keyRB.RoleRef.Name != releaseName+"-status-key-role" || len(keyRB.Subjects) != 1 || keyRB.Subjects[0].Name != sa {
		t.Errorf("RoleBinding binds %+v to %+v", keyRB.RoleRef, keyRB.Subjects)
	}
	findOne(t, objs, "ServiceAccount", sa)
}

// TestChartToggles checks what each switch of the values adds or removes.
func TestChartToggles(t *testing.T) {
	defaults := mustHelmTemplate(t, kustomizeNamespace)
	if got := find(defaults, "ServiceMonitor"); len(got) != 0 {
		t.Error("the default values render a ServiceMonitor: it must stay off, clusters without prometheus-operator lack its CRD")
	}
	if got := find(defaults, "ConfigMap"); len(got) != 0 {
		t.Error("the default values render the dashboards ConfigMap")
	}
	svc := findOne(t, defaults, "Service", releaseName+"-metrics")
	var s corev1.Service
	convert(t, svc, &s)
	if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].TargetPort.String() != "metrics" || s.Spec.Ports[0].Port != 8080 {
		t.Errorf("metrics Service ports: %+v", s.Spec.Ports)
	}

	t.Run("leader election off", func(t *testing.T) {
		objs := mustHelmTemplate(t, kustomizeNamespace, "--set", "leaderElection.enabled=false")
		for _, o := range append(find(objs, "Role"), find(objs, "RoleBinding")...) {
			if strings.Contains(o.GetName(), "leader-election") {
				t.Errorf("%s %s is rendered with leader election off", o.GetKind(), o.GetName())
			}
		}
		if got := deploymentArgs(t, objs)["leader-elect"]; got != "false" {
			t.Errorf("--leader-elect=%s", got)
		}
	})
	t.Run("metrics off", func(t *testing.T) {
		objs := mustHelmTemplate(t, kustomizeNamespace, "--set", "operator.metricsBindAddress=0", "--set", "metrics.service.enabled=false")
		if len(find(objs, "Service")) != 0 {
			t.Error("a metrics Service is rendered with the metrics endpoint off")
		}
		var d appsv1.Deployment
		convert(t, findOne(t, objs, "Deployment", deploymentName), &d)
		for _, p := range d.Spec.Template.Spec.Containers[0].Ports {
			if p.Name == "metrics" {
				t.Error("the container declares a metrics port with the metrics endpoint off")
			}
		}
		if got := deploymentArgs(t, objs)["metrics-bind-address"]; got != "0" {
			t.Errorf("--metrics-bind-address=%s", got)
		}
	})
	t.Run("dashboards", func(t *testing.T) {
		objs := mustHelmTemplate(t, kustomizeNamespace, "--set", "dashboards.enabled=true")
		var cm corev1.ConfigMap
		convert(t, findOne(t, objs, "ConfigMap", releaseName+"-dashboards"), &cm)
		if cm.Labels["grafana_dashboard"] != "1" {
			t.Errorf("dashboards ConfigMap labels: %v", cm.Labels)
		}
		file, err := os.ReadFile(filepath.Join(chartDir, "dashboards", "hookkeeper.json"))
		if err != nil {
			t.Fatal(err)
		}
		var want, got any
		if err := json.Unmarshal(file, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(cm.Data["hookkeeper.json"]), &got); err != nil {
			t.Fatalf("the ConfigMap's hookkeeper.json: %v", err)
		}
		if !equality.Semantic.DeepEqual(got, want) {
			t.Error("the ConfigMap's hookkeeper.json is not dashboards/hookkeeper.json")
		}
	})
	t.Run("digest", func(t *testing.T) {
		const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		objs := mustHelmTemplate(t, kustomizeNamespace, "--set", "image.digest="+digest)
		var d appsv1.Deployment
		convert(t, findOne(t, objs, "Deployment", deploymentName), &d)
		if got := d.Spec.Template.Spec.Containers[0].Image; got != "ghcr.io/hookkeeper/hookkeeper@"+digest {
			t.Errorf("image %s", got)
		}
	})
}

// TestChartRefusesBrokenValues: values that would install a broken operator fail the
// rendering with a message that says what to change: values.schema.json's (which names the
// value by its path) where a schema can say it, the templates' own otherwise.
func TestChartRefusesBrokenValues(t *testing.T) {
	for _, c := range brokenValues {
		t.Run(c.name, func(t *testing.T) {
			var args []string
			for _, s := range c.set {
				args = append(args, "--set", s)
			}
			_, err := helmTemplate(t, kustomizeNamespace, args...)
			if err == nil {
				t.Fatalf("helm template %v succeeded", c.set)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("helm template %v failed without saying %q: %v", c.set, c.want, err)
			}
		})
	}
	for _, set := range acceptedValues {
		if _, err := helmTemplate(t, kustomizeNamespace, set...); err != nil {
			t.Errorf("helm template %v: %v", set, err)
		}
	}
}

// brokenValues are wrong values (--set items), each with what the refusal must say.
var brokenValues = []struct {
	name string
	set  []string
	want string
}{
	{"replicas without sharding or leader election", []string{"replicaCount=2", "sharding.enabled=false", "leaderElection.enabled=false"}, "with sharding.enabled false requires leaderElection.enabled"},
	{"POD_NAME in extraEnv with sharding", []string{"replicaCount=2", "extraEnv[0].name=POD_NAME", "extraEnv[0].value=operator"}, "extraEnv: POD_NAME is the chart's own with sharding"},
	{"misspelled sharding value", []string{"sharding.enable=true"}, `at '/sharding': additional properties 'enable' not allowed`},
	{"shard Lease too short", []string{"replicaCount=3", "sharding.leaseDurationSeconds=2"}, `at '/sharding/leaseDurationSeconds': minimum: got 2, want 3`},
	{"shard Lease not whole seconds", []string{"sharding.leaseDurationSeconds=15s"}, `at '/sharding/leaseDurationSeconds': got string, want integer`},
	{"ServiceMonitor without Service", []string{"metrics.serviceMonitor.enabled=true", "metrics.service.enabled=false"}, "requires metrics.service.enabled"},
	{"Service without metrics", []string{"operator.metricsBindAddress=0"}, "operator.metricsBindAddress is \"0\""},
	{"probe address without port", []string{"operator.healthProbeBindAddress=localhost"}, `at '/operator/healthProbeBindAddress': 'localhost' does not match pattern ':[0-9]+$'`},
	{"no ServiceAccount", []string{"serviceAccount.create=false"}, "serviceAccount.name is required"},
	{"watchNamespaces not a list", []string{"watchNamespaces=team-a"}, `at '/watchNamespaces': got string, want array`},
	{"watchNamespaces upper case", []string{"watchNamespaces={team-a,Team-B}"}, `at '/watchNamespaces/1': 'Team-B' does not match pattern`},
	{"watchNamespaces underscore", []string{"watchNamespaces={team_a}"}, `at '/watchNamespaces/0': 'team_a' does not match pattern`},
	{"watchNamespaces empty entry", []string{"watchNamespaces[0]="}, `at '/watchNamespaces/0': '' does not match pattern`},
	{"watchNamespaces too long", []string{"watchNamespaces={" + strings.Repeat("a", 64) + "}"}, `at '/watchNamespaces/0': maxLength: got 64, want 63`},
	{"watchNamespaces duplicate", []string{"watchNamespaces={team-a,team-b,team-a}"}, `at '/watchNamespaces': items at 0 and 2 are equal`},
	{"endpointAllowlist not a list", []string{"endpointAllowlist=10.20.0.0/16"}, `at '/endpointAllowlist': got string, want array`},
	{"endpointAllowlist URL", []string{"endpointAllowlist={https://pageseeder.example.com}"}, `endpointAllowlist: entry "https://pageseeder.example.com" is a URL`},
	{"endpointAllowlist space", []string{"endpointAllowlist[0]=a.example b.example"}, `at '/endpointAllowlist/0': 'a.example b.example' does not match pattern`},
	{"endpointAllowlist comma", []string{`endpointAllowlist[0]=a.example\,b.example`}, `at '/endpointAllowlist/0': 'a.example,b.example' does not match pattern`},
	{"endpointAllowlist empty entry", []string{"endpointAllowlist[0]="}, `at '/endpointAllowlist/0': '' does not match pattern`},
	{"accountSecretNamespaces not a list", []string{"operator.accountSecretNamespaces=platform"}, `at '/operator/accountSecretNamespaces': got string, want array`},
	{"accountSecretNamespaces upper case", []string{"operator.accountSecretNamespaces={platform,Team-B}"}, `at '/operator/accountSecretNamespaces/1': 'Team-B' does not match pattern`},
	{"accountSecretNamespaces pattern", []string{"operator.accountSecretNamespaces={team-*}"}, `at '/operator/accountSecretNamespaces/0': 'team-*' does not match pattern`},
	{"accountSecretNamespaces empty entry", []string{"operator.accountSecretNamespaces[0]="}, `at '/operator/accountSecretNamespaces/0': '' does not match pattern`},
	{"accountSecretNamespaces too long", []string{"operator.accountSecretNamespaces={" + strings.Repeat("a", 64) + "}"}, `at '/operator/accountSecretNamespaces/0': maxLength: got 64, want 63`},
	{"accountSecretNamespaces duplicate", []string{"operator.accountSecretNamespaces={platform,platform}"}, `at '/operator/accountSecretNamespaces': items at 0 and 1 are equal`},
	{"accountSecretNamespaces * with a namespace", []string{"operator.accountSecretNamespaces={platform,*}"}, `operator.accountSecretNamespaces: "*" admits every namespace and stands alone`},
	// The wrong values of issue 25, each refused with a message that names it.
	{"old name replicas", []string{"replicas=3"}, `at '': additional properties 'replicas' not allowed`},
	{"misspelled ServiceMonitor", []string{"metrics.servicemonitor.enabled=true"}, `at '/metrics': additional properties 'servicemonitor' not allowed`},
	{"memory limit not a quantity", []string{"resources.limits.memory=lots"}, `at '/resources/limits/memory': 'lots' does not match pattern`},
	{"cpu request not a quantity", []string{"resources.requests.cpu=fast"}, `at '/resources/requests/cpu': 'fast' does not match pattern`},
	{"misspelled resources key", []string{"resources.limit.memory=1Gi"}, `at '/resources': additional properties 'limit' not allowed`},
	{"provider rate not a number", []string{"providers.webex.qps=abc"}, `at '/providers/webex/qps': got string, want number`},
	{"provider rate negative", []string{"providers.webex.qps=-1"}, `at '/providers/webex/qps': minimum: got -1, want 0`},
	{"provider burst zero", []string{"providers.webex.burst=0"}, `at '/providers/webex/burst': minimum: got 0, want 1`},
	{"unknown provider", []string{"providers.acme.qps=1"}, `at '/providers': additional properties 'acme' not allowed`},
	{"base URL of a provider without the flag", []string{"providers.pageseeder.apiUrl=https://ps.example.com"}, `at '/providers/pageseeder': additional properties 'apiUrl' not allowed`},
	{"old provider rate value", []string{"operator.providerQps=webex=10"}, `at '/operator': additional properties 'providerQps' not allowed`},
	{"PDB minAvailable above 100%", []string{"podDisruptionBudget.minAvailable=150%"}, `at '/podDisruptionBudget/minAvailable': '150%' does not match pattern`},
	{"PDB maxUnavailable above 100%", []string{"podDisruptionBudget.maxUnavailable=101%"}, `at '/podDisruptionBudget/maxUnavailable': '101%' does not match pattern`},
	{"PDB minAvailable negative", []string{"podDisruptionBudget.minAvailable=-1"}, `at '/podDisruptionBudget/minAvailable'`},
	{"grace period below the schema's minimum", []string{"terminationGracePeriodSeconds=4"}, `at '/terminationGracePeriodSeconds': minimum: got 4, want 5`},
	{"grace period below httpTimeout", []string{"terminationGracePeriodSeconds=5"}, `terminationGracePeriodSeconds (5) must be at least operator.httpTimeout (30s) plus 5 seconds`},
	{"grace period below a longer httpTimeout", []string{"operator.httpTimeout=1m", "terminationGracePeriodSeconds=60"}, `terminationGracePeriodSeconds (60) must be at least operator.httpTimeout (1m) plus 5 seconds`},
	{"misspelled security context field", []string{"securityContext.readOnlyRootFileSystem=true"}, `at '/securityContext': additional properties 'readOnlyRootFileSystem' not allowed`},
	{"misspelled probe field", []string{"livenessProbe.periodSecond=30"}, `at '/livenessProbe': additional properties 'periodSecond' not allowed`},
	{"misspelled metrics Service value", []string{"metrics.service.annotation.a=b"}, `at '/metrics/service': additional properties 'annotation' not allowed`},
	{"ServiceMonitor interval not a duration", []string{"metrics.serviceMonitor.interval=30"}, `at '/metrics/serviceMonitor/interval'`},
	{"PodMonitor and ServiceMonitor", []string{"metrics.podMonitor.enabled=true", "metrics.serviceMonitor.enabled=true", "metrics.secure=false"}, "metrics.podMonitor.enabled and metrics.serviceMonitor.enabled are exclusive"},
	{"PodMonitor without a token with metrics.secure", []string{"metrics.podMonitor.enabled=true"}, "metrics.podMonitor.enabled with metrics.secure requires metrics.podMonitor.authorization"},
	{"global.imagePullSecrets without a name", []string{"global.imagePullSecrets[0].nam=x"}, `at '/global/imagePullSecrets/0'`},
	{"automount not a boolean", []string{"serviceAccount.automount=maybe"}, `at '/serviceAccount/automount': got string, want boolean`},
	{"pprof address without a port", []string{"operator.pprofBindAddress=localhost"}, `at '/operator/pprofBindAddress': 'localhost' does not match pattern`},
	{"accountSecretNamespaces * with watchNamespaces", []string{"operator.accountSecretNamespaces={*}", "watchNamespaces={team-a}"},
		`operator.accountSecretNamespaces: "*" needs the Secrets of every namespace, which a namespace-scoped install (watchNamespaces) does not grant`},
}

// Several replicas are fine sharded, with leader election or without (it is not used then),
// and active/standby with leader election. ClusterAccounts' credentials may be anywhere in a
// cluster-wide install.
var acceptedValues = [][]string{
	{"--set", "replicaCount=3"},
	{"--set", "replicaCount=3", "--set", "leaderElection.enabled=false"},
	{"--set", "replicaCount=3", "--set", "sharding.enabled=false"},
	{"--set", "operator.accountSecretNamespaces={*}"},
	{"--set", "operator.httpTimeout=1m30s", "--set", "terminationGracePeriodSeconds=95"},
	{"--set", "operator.httpTimeout=1500ms", "--set", "terminationGracePeriodSeconds=7"},
	{"--set", "podDisruptionBudget.minAvailable=100%", "--set", "replicaCount=2"},
	{"--set-json", "providers.webex.qps=2.5", "--set", "providers.autodesk.qps=0", "--set-json", "providers.pageseeder.qps=0.5", "--set", "providers.pageseeder.burst=3"},
	{"--set", "resources.limits.cpu=1.5", "--set", "resources.limits.memory=1e9", "--set", "resources.requests.memory=0.5Gi"},
}

// deploymentArgs returns the arguments of the operator's container in a rendering.
func deploymentArgs(t *testing.T, objs []*unstructured.Unstructured) map[string]string {
	t.Helper()
	var d appsv1.Deployment
	convert(t, findOne(t, objs, "Deployment", deploymentName), &d)
	return argMap(d.Spec.Template.Spec.Containers[0].Args)
}
