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
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// TestUndeploy installs config/default for real, runs the operator as installed and the real
// namespace controller (kube-controller-manager), and runs make undeploy (hack/undeploy.sh) with
// kubectl against the API server:
//
//   - a Webhook whose remote webhook the SaaS refuses to delete (503) stops it: it exits non-zero
//     naming that Webhook, after the other Webhook and its remote webhook are gone, and leaves the
//     CRDs and the operator's Deployment in place;
//   - once the SaaS deletes again, make undeploy deletes it and its remote webhook, then the CRDs,
//     the Deployment, the RBAC and the namespace, which the namespace controller removes entirely;
//   - with no operator running, a Webhook keeps its finalizer and stops it again; FORCE=true then
//     removes the finalizer, warns that the remote webhook stays behind, and removes the rest.
//
// The CRDs, which the other tests share, are installed again at the end.
func TestUndeploy(t *testing.T) {
	needAPIServer(t)
	scheme := installedScheme()
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(apiServer.cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	r := &undeployRig{c: c, ctx: context.Background(), kustomize: tool(t, "kustomize", "KUSTOMIZE")}
	r.kubectl = filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
	if _, err := os.Stat(r.kubectl); err != nil {
		if r.kubectl, err = exec.LookPath("kubectl"); err != nil {
			t.Fatal("no kubectl in KUBEBUILDER_ASSETS or on PATH")
		}
	}
	t.Cleanup(func() { reinstallCRDs(t) })
	// Webhooks other tests left behind would be deleted too, and could hold the deletion up:
	// they are let go first.
	dropLeftoverWebhooks(t, c)
	startControllerManager(t, "namespace-controller")
	r.kubeconfig = writeAdminKubeconfig(t)
	r.cache = t.TempDir()

	t.Run("a Webhook the SaaS will not delete stops it, then it removes everything", func(t *testing.T) {
		undeployStuckWebhook(t, r)
	})
	t.Run("with no operator, FORCE=true leaves the remote webhook and removes the rest", func(t *testing.T) {
		undeployWithoutOperator(t, r)
	})
}

// undeployTenant is the namespace of TestUndeploy's Webhooks.
const undeployTenant = "undeploy-team"

// undeployRig is the state of TestUndeploy: its client, its tools and the kubeconfig and cache
// that make undeploy uses.
type undeployRig struct {
	c                                     client.Client
	ctx                                   context.Context
	kubectl, kustomize, kubeconfig, cache string
}

// undeploy runs make undeploy (viaMake) or hack/undeploy.sh with env, and returns its output.
func (r *undeployRig) undeploy(t *testing.T, viaMake bool, env ...string) (string, error) {
	t.Helper()
	env = append([]string{"KUBECONFIG=" + r.kubeconfig, "KUBECACHEDIR=" + r.cache}, env...)
	var cmd *exec.Cmd
	if viaMake {
		cmd = exec.Command("make", "-s", "undeploy", "KUBECTL="+r.kubectl, "KUSTOMIZE="+r.kustomize)
	} else {
		cmd = exec.Command(filepath.Join(root, "hack", "undeploy.sh"))
		env = append(env, "KUBECTL="+r.kubectl, "KUSTOMIZE="+r.kustomize)
	}
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	start := time.Now()
	select {
	case err := <-done:
		t.Logf("make undeploy %s (%s):\n%s", strings.Join(env[2:], " "), time.Since(start).Round(time.Second), out.String())
		return out.String(), err
	case <-time.After(undeployWait):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("make undeploy did not finish within %s:\n%s\nwhat it waited for:\n%s", undeployWait, out.String(), r.leftovers())
		return "", nil
	}
}

// undeployWait bounds one make undeploy. Deleting the CRDs and the operator's namespace takes
// seconds, but the namespace controller backs off while discovery still lists the deleted CRDs,
// and on a machine busy with other test packages that took more than 90 s once.
const undeployWait = 4 * time.Minute

// leftovers describes what a make undeploy that did not finish may have waited for: the
// operator's CRDs and namespace as they are, and the custom resources that are left.
func (r *undeployRig) leftovers() string {
	var b strings.Builder
	for _, name := range hookkeeperCRDs {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := r.c.Get(r.ctx, client.ObjectKey{Name: name}, crd); err != nil {
			fmt.Fprintf(&b, "CRD %s: %v\n", name, err)
			continue
		}
		fmt.Fprintf(&b, "CRD %s: deleting since %v, finalizers %v, conditions %+v\n", name, crd.DeletionTimestamp, crd.Finalizers, crd.Status.Conditions)
	}
	whs := &hooksv1alpha1.WebhookList{}
	if err := r.c.List(r.ctx, whs); err == nil {
		for _, wh := range whs.Items {
			fmt.Fprintf(&b, "Webhook %s/%s: deleting since %v, finalizers %v\n", wh.Namespace, wh.Name, wh.DeletionTimestamp, wh.Finalizers)
		}
	}
	nss := &corev1.NamespaceList{}
	if err := r.c.List(r.ctx, nss); err == nil {
		for _, ns := range nss.Items {
			if ns.DeletionTimestamp != nil {
				fmt.Fprintf(&b, "namespace %s: %s, conditions %+v\n", ns.Name, ns.Status.Phase, ns.Status.Conditions)
			}
		}
	}
	return b.String()
}

// install installs config/default for real and returns its Deployment.
func (r *undeployRig) install(t *testing.T) *appsv1.Deployment {
	t.Helper()
	objs := kustomizeBuild(t, filepath.Join(root, "config", "default"))
	installForReal(t, r.c, objs)
	waitEstablished(t, r.c)
	dep := &appsv1.Deployment{}
	convert(t, find(objs, "Deployment")[0], dep)
	return dep
}

// undeployStuckWebhook: a Webhook the SaaS will not delete stops make undeploy; once the SaaS
// deletes it, make undeploy removes everything.
func undeployStuckWebhook(t *testing.T, r *undeployRig) {
	c, ctx, tenant := r.c, r.ctx, undeployTenant
	dep := r.install(t)
	createNamespace(t, c, tenant, nil)
	sims := startSimulators(t)
	op := runInstalled(t, dep, sims)
	defer func() { _ = op.Stop(0) }()
	const stuckToken = "undeploy-stuck-token"
	sims.wx.AddToken(stuckToken)
	tokens := map[string]string{"goes": sims.webexToken, "stuck": stuckToken}
	for name, token := range tokens {
		createSecret(t, c, tenant, name, map[string]string{"token": token})
		wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: tenant, Name: name}, Spec: hooksv1alpha1.WebhookSpec{
			Provider: hooksv1alpha1.ProviderWebex, CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: name},
			TargetURL: "https://hooks.example.com/undeploy/" + name, Webex: &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}}}
		if err := c.Create(ctx, wh); err != nil {
			t.Fatal(err)
		}
	}
	for name := range tokens {
		waitFor(t, 45*time.Second, "Webhook "+name+" Ready", func() (bool, string) {
			r := readyReason(c, tenant, name)
			return r == hooksv1alpha1.ReasonAvailable, r
		})
	}
	sims.wx.InjectFault(simulator.Fault{Key: stuckToken, Method: "DELETE", Status: 503})

	out, err := r.undeploy(t, false, "UNDEPLOY_TIMEOUT=10s")
	if err == nil {
		t.Fatal("make undeploy succeeded with a Webhook whose remote webhook could not be deleted")
	}
	if !strings.Contains(out, tenant+"/stuck") || strings.Contains(out, tenant+"/goes") {
		t.Errorf("make undeploy's output should name %s/stuck, and only it", tenant)
	}
	if n := len(sims.wx.Hooks(sims.webexToken)); n != 0 {
		t.Errorf("the deletable Webhook's account still holds %d remote webhooks", n)
	}
	if n := len(sims.wx.Hooks(stuckToken)); n != 1 {
		t.Errorf("the stuck Webhook's account holds %d remote webhooks, want 1", n)
	}
	// The operator is still installed, so that the finalizer can still run.
	if err := c.Get(ctx, client.ObjectKeyFromObject(dep), &appsv1.Deployment{}); err != nil {
		t.Errorf("the operator's Deployment after the stopped undeploy: %v", err)
	}
	stuck := &hooksv1alpha1.Webhook{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: tenant, Name: "stuck"}, stuck); err != nil || stuck.DeletionTimestamp == nil {
		t.Errorf("the stuck Webhook after the stopped undeploy: %v, deleting since %v", err, stuck.DeletionTimestamp)
	}

	sims.wx.ClearFaults()
	if _, err := r.undeploy(t, true); err != nil {
		t.Fatalf("make undeploy: %v", err)
	}
	if n := len(sims.wx.Hooks(stuckToken)); n != 0 {
		t.Errorf("the stuck Webhook's account still holds %d remote webhooks", n)
	}
	checkUndeployed(t, c, dep)
}

// undeployWithoutOperator: with no operator, make undeploy stops at a Webhook nobody finalizes,
// and FORCE=true leaves its remote webhook and removes the rest.
func undeployWithoutOperator(t *testing.T, r *undeployRig) {
	c, ctx, tenant := r.c, r.ctx, undeployTenant
	dep := r.install(t)
	createNamespace(t, c, tenant, nil)
	wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: tenant, Name: "orphaned",
		Finalizers: []string{hooksv1alpha1.Finalizer}}, Spec: hooksv1alpha1.WebhookSpec{
		Provider: hooksv1alpha1.ProviderWebex, CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "orphaned"},
		TargetURL: "https://hooks.example.com/undeploy/orphaned", Webex: &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}}}
	if err := c.Create(ctx, wh); err != nil {
		t.Fatal(err)
	}
	out, err := r.undeploy(t, false, "UNDEPLOY_TIMEOUT=2s")
	if err == nil || !strings.Contains(out, tenant+"/orphaned") {
		t.Fatalf("make undeploy with a Webhook nobody finalizes: got %v, want a failure naming %s/orphaned", err, tenant)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(dep), &appsv1.Deployment{}); err != nil {
		t.Errorf("the operator's Deployment after the stopped undeploy: %v", err)
	}
	out, err = r.undeploy(t, false, "UNDEPLOY_TIMEOUT=2s", "FORCE=true")
	if err != nil {
		t.Fatalf("make undeploy FORCE=true: %v", err)
	}
	if !strings.Contains(out, "WARNING") || !strings.Contains(out, tenant+"/orphaned") {
		t.Errorf("make undeploy FORCE=true should warn that %s/orphaned's remote webhook stays behind", tenant)
	}
	checkUndeployed(t, c, dep)
}

// checkUndeployed checks that no Webhook, CRD, Deployment or namespace of the operator is left:
// the namespace must be gone entirely, not stuck terminating.
func checkUndeployed(t *testing.T, c client.Client, dep *appsv1.Deployment) {
	t.Helper()
	ctx := context.Background()
	for _, crd := range hookkeeperCRDs {
		if err := c.Get(ctx, client.ObjectKey{Name: crd}, &apiextensionsv1.CustomResourceDefinition{}); !apierrors.IsNotFound(err) {
			t.Errorf("CRD %s after make undeploy: got %v, want NotFound", crd, err)
		}
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(dep), &appsv1.Deployment{}); !apierrors.IsNotFound(err) {
		t.Errorf("the operator's Deployment after make undeploy: got %v, want NotFound", err)
	}
	// kubectl waited for the namespace to go; the namespace controller emptied and removed it.
	ns := &corev1.Namespace{}
	if err := c.Get(ctx, client.ObjectKey{Name: dep.Namespace}, ns); !apierrors.IsNotFound(err) {
		t.Errorf("namespace %s after make undeploy: got %v (phase %s, conditions %+v), want NotFound", dep.Namespace, err, ns.Status.Phase, ns.Status.Conditions)
	}
}

// hookkeeperCRDs are the CRDs config/default installs.
var hookkeeperCRDs = []string{"webhooks.hooks.hookkeeper.dev", "accounts.hooks.hookkeeper.dev", "clusteraccounts.hooks.hookkeeper.dev"}

// waitEstablished waits until the API server serves every hookkeeper CRD.
func waitEstablished(t *testing.T, c client.Client) {
	t.Helper()
	for _, name := range hookkeeperCRDs {
		waitFor(t, 30*time.Second, "CRD "+name+" established", func() (bool, string) {
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := c.Get(context.Background(), client.ObjectKey{Name: name}, crd); err != nil {
				return false, err.Error()
			}
			for _, cond := range crd.Status.Conditions {
				if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
					return true, ""
				}
			}
			return false, fmt.Sprintf("%+v", crd.Status.Conditions)
		})
	}
}

// reinstallCRDs installs the CRDs that TestMain installed again, for the tests that follow.
func reinstallCRDs(t *testing.T) {
	t.Helper()
	// envtest logs through controller-runtime's logger, which nothing else here sets.
	ctrllog.SetLogger(logr.Discard())
	if _, err := envtest.InstallCRDs(apiServer.cfg, envtest.CRDInstallOptions{
		Paths: []string{filepath.Join(root, "config", "crd", "bases")}, ErrorIfPathMissing: true,
	}); err != nil {
		t.Errorf("installing the CRDs again: %v", err)
	}
}

// dropLeftoverWebhooks removes the finalizers of Webhooks that earlier tests left and deletes them.
func dropLeftoverWebhooks(t *testing.T, c client.Client) {
	t.Helper()
	ctx := context.Background()
	var list hooksv1alpha1.WebhookList
	if err := c.List(ctx, &list); err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		wh := &list.Items[i]
		t.Logf("deleting Webhook %s/%s, left by an earlier test", wh.Namespace, wh.Name)
		if len(wh.Finalizers) > 0 {
			patch := client.MergeFrom(wh.DeepCopy())
			wh.Finalizers = nil
			if err := c.Patch(ctx, wh, patch); err != nil && !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
		}
		if err := c.Delete(ctx, wh); err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
	}
}
