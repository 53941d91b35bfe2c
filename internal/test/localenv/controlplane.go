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

package localenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// Scheme returns a scheme with the built-in Kubernetes types and the Webhook API.
func Scheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(hooksv1alpha1.AddToScheme(scheme))
	return scheme
}

// ControlPlaneOptions says where the control plane comes from and where its kubeconfig goes.
type ControlPlaneOptions struct {
	// Root is the repository root; the CRDs are read from its config/crd/bases.
	Root string
	// Assets is the directory that holds kube-apiserver and etcd.
	Assets string
	// KubeconfigPath is where the kubeconfig of User is written, for the operator and for kubectl.
	KubeconfigPath string
	// User is the name of the user in the kubeconfig, a member of system:masters.
	User string
	// FeatureGates is passed to kube-apiserver as --feature-gates when set, for example
	// "ShardedListAndWatch=true" for the server-side sharded list and watch.
	FeatureGates string
}

// ControlPlane is a running kube-apiserver and etcd with the Webhook CRD installed.
type ControlPlane struct {
	// Config reaches the API server as an administrator, with client-go's default rate limits.
	Config *rest.Config
	// KubeconfigPath is the kubeconfig written for the user of ControlPlaneOptions.
	KubeconfigPath string

	env *envtest.Environment
}

// StartControlPlane starts the API server and etcd, installs the CRDs and writes the kubeconfig.
// On error nothing is left running.
func StartControlPlane(o ControlPlaneOptions) (*ControlPlane, error) {
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(o.Root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: o.Assets,
	}
	if o.FeatureGates != "" {
		env.ControlPlane.GetAPIServer().Configure().Set("feature-gates", o.FeatureGates)
	}
	cfg, err := env.Start()
	if err != nil {
		// Start may have launched etcd before the API server failed.
		_ = env.Stop()
		return nil, fmt.Errorf("starting the control plane from %s: %w", o.Assets, err)
	}
	cp := &ControlPlane{Config: cfg, KubeconfigPath: o.KubeconfigPath, env: env}
	if err := cp.writeKubeconfig(o.User); err != nil {
		_ = env.Stop()
		return nil, err
	}
	return cp, nil
}

func (cp *ControlPlane) writeKubeconfig(name string) error {
	user, err := cp.env.AddUser(envtest.User{Name: name, Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("adding the user %s: %w", name, err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return fmt.Errorf("writing the kubeconfig: %w", err)
	}
	if err := os.WriteFile(cp.KubeconfigPath, kubeconfig, 0o600); err != nil {
		return fmt.Errorf("writing the kubeconfig: %w", err)
	}
	return nil
}

// Client returns a client of the API server that knows the Webhook API. A qps above zero sets
// its client-side rate limit (with burst); a negative qps removes the limit; zero keeps
// client-go's default.
func (cp *ControlPlane) Client(qps float32, burst int) (client.Client, error) {
	cfg := rest.CopyConfig(cp.Config)
	if qps != 0 {
		cfg.QPS = qps
		cfg.Burst = burst
	}
	c, err := client.New(cfg, client.Options{Scheme: Scheme()})
	if err != nil {
		return nil, fmt.Errorf("connecting to the control plane: %w", err)
	}
	return c, nil
}

// Stop stops the API server and etcd and removes their data.
func (cp *ControlPlane) Stop() error {
	return cp.env.Stop()
}

// EnsureNamespace creates the namespace unless it exists.
func EnsureNamespace(ctx context.Context, c client.Client, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", name, err)
	}
	return nil
}
