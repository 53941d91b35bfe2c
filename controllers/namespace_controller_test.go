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

package controllers_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// startNamespaceController runs the real kube-controller-manager, built by hack/setup-envtest.sh
// beside kube-apiserver, with the namespace controller alone: what deletes a namespace's content
// in a cluster. It stops at the end of the spec.
func startNamespaceController() {
	bin := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kube-controller-manager")
	_, err := os.Stat(bin)
	Expect(err).NotTo(HaveOccurred(), "no kube-controller-manager in KUBEBUILDER_ASSETS: run hack/setup-envtest.sh (make test does), which builds it")

	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	kubeconfig := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(clientcmd.WriteToFile(*kc, kubeconfig)).To(Succeed())

	cmd := exec.Command(bin, "--kubeconfig="+kubeconfig, "--controllers=namespace-controller",
		"--leader-elect=false", "--secure-port=0", "--concurrent-namespace-syncs=2")
	cmd.Stdout, cmd.Stderr = GinkgoWriter, GinkgoWriter
	// The kernel stops it should the suite die without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	Expect(cmd.Start()).To(Succeed())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	DeferCleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
}

var _ = Describe("Deletion that ends, with the real namespace controller", func() {
	ctx := context.Background()

	It("deletes a namespace of 100 Webhooks and their Secrets, leaving no remote webhook", func() {
		startNamespaceController()
		e := newMixedEnv(ctx)
		keys := map[hooksv1alpha1.ProviderType][]client.ObjectKey{}
		e.each(func(p hooksv1alpha1.ProviderType, _ account) { keys[p] = e.create(ctx, p, "hook", 25) })
		Eventually(func(g Gomega) {
			e.each(func(p hooksv1alpha1.ProviderType, a account) { expectExactlyOne(g, ctx, a, keys[p]...) })
		}).WithTimeout(2 * time.Minute).WithPolling(time.Second).Should(Succeed())

		// kubectl delete namespace: the namespace controller deletes the Secrets and the Webhooks in
		// an order of its own; the operator must still delete every remote webhook, and the
		// namespace must go.
		Expect(k8sClient.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: e.ns}})).To(Succeed())
		Eventually(func() bool {
			err := k8sClient.Get(ctx, client.ObjectKey{Name: e.ns}, &corev1.Namespace{})
			return apierrors.IsNotFound(err)
		}).WithTimeout(3*time.Minute).WithPolling(time.Second).Should(BeTrue(), "namespace %s is gone", e.ns)
		e.each(func(p hooksv1alpha1.ProviderType, a account) {
			Expect(a.remotes()).To(BeEmpty(), "%s: no remote webhook left behind", p)
		})
	})
})
