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

package config

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// cacheScopeNamespaces are the namespaces of TestCacheScope, each with a Secret and an Account.
var cacheScopeNamespaces = []string{"team-a", "platform", "other"}

// TestCacheScope builds the manager's cache from the flags against a real API server: with
// --watch-namespaces, Webhooks, Accounts and Secrets are cached in the watched namespaces, and the
// Secrets (metadata only, as the operator watches them) of the account-secret namespaces too;
// ClusterAccounts and Namespaces are cluster-scoped and cached whole. With
// --account-secret-namespaces=*, Secrets are cached in every namespace, and nothing else widens.
// It needs KUBEBUILDER_ASSETS (make test sets it).
func TestCacheScope(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: no API server to build a cache against (make test sets it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, scheme := startCacheScopeServer(ctx, t)

	for _, tt := range []struct {
		name                    string
		args                    []string
		own                     string
		secretsIn, secretsNotIn []string
		accountsIn, accountsNot []string
	}{
		{name: "watched namespaces, account secrets in the operator's namespace", args: []string{"--watch-namespaces=team-a"}, own: "platform",
			secretsIn: []string{"team-a", "platform"}, secretsNotIn: []string{"other"}, accountsIn: []string{"team-a"}, accountsNot: []string{"platform", "other"}},
		{name: "watched namespaces, account secrets listed", args: []string{"--watch-namespaces=team-a", "--account-secret-namespaces=platform"}, own: "hookkeeper-system",
			secretsIn: []string{"team-a", "platform"}, secretsNotIn: []string{"other"}, accountsIn: []string{"team-a"}, accountsNot: []string{"platform", "other"}},
		{name: "watched namespaces, account secrets anywhere", args: []string{"--watch-namespaces=team-a", "--account-secret-namespaces=*"},
			secretsIn: []string{"team-a", "platform", "other"}, accountsIn: []string{"team-a"}, accountsNot: []string{"platform", "other"}},
		{name: "every namespace", own: "platform",
			secretsIn: cacheScopeNamespaces, accountsIn: cacheScopeNamespaces},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			c.SecretNamespaces = c.AccountSecretNamespacesIn(tt.own)
			opts := c.ManagerOptions(scheme, nil).Cache
			opts.Scheme = scheme
			cc := startCache(ctx, t, cfg, opts)
			checkSecrets(ctx, t, cc, tt.secretsIn, tt.secretsNotIn)
			checkCachedKinds(ctx, t, cc, tt.accountsIn, tt.accountsNot)
		})
	}
}

// startCacheScopeServer starts an API server with the CRDs, and creates in it a Secret and an
// Account in each namespace of TestCacheScope, and one ClusterAccount.
func startCacheScopeServer(ctx context.Context, t *testing.T) (*rest.Config, *runtime.Scheme) {
	t.Helper()
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	scheme := runtime.NewScheme()
	utilruntime.Must(corev1.AddToScheme(scheme))
	utilruntime.Must(hooksv1alpha1.AddToScheme(scheme))
	admin, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range cacheScopeNamespaces {
		for _, obj := range []client.Object{
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
			&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: ns}, StringData: map[string]string{"token": "x"}},
			&hooksv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Name: "acct", Namespace: ns}, Spec: hooksv1alpha1.AccountSpec{
				AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex},
				CredentialsRef:  hooksv1alpha1.LocalObjectReference{Name: "creds"}}},
		} {
			if err := admin.Create(ctx, obj); err != nil {
				t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
			}
		}
	}
	ca := &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: "shared"}, Spec: hooksv1alpha1.ClusterAccountSpec{
		AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex},
		CredentialsRef:  hooksv1alpha1.SecretReference{Name: "creds", Namespace: "platform"}}}
	if err := admin.Create(ctx, ca); err != nil {
		t.Fatal(err)
	}
	return cfg, scheme
}

// startCache starts a cache with opts until the test ends, and waits for it to sync.
func startCache(ctx context.Context, t *testing.T, cfg *rest.Config, opts cache.Options) cache.Cache {
	t.Helper()
	cc, err := cache.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	cctx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go func() { _ = cc.Start(cctx) }()
	if !cc.WaitForCacheSync(cctx) {
		t.Fatal("the cache did not sync")
	}
	return cc
}

// checkSecrets checks that cc holds the Secret of each namespace of in, and none of notIn.
func checkSecrets(ctx context.Context, t *testing.T, cc cache.Cache, in, notIn []string) {
	t.Helper()
	secrets := func(ns string) ([]string, error) {
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("SecretList"))
		if err := cc.List(ctx, list, client.InNamespace(ns)); err != nil {
			return nil, err
		}
		var names []string
		for _, s := range list.Items {
			names = append(names, s.Namespace+"/"+s.Name)
		}
		return names, nil
	}
	for _, ns := range in {
		got, err := secrets(ns)
		if err != nil || !slices.Contains(got, ns+"/creds") {
			t.Errorf("Secrets of %s in the cache: %q, %v; want %s/creds", ns, got, err, ns)
		}
	}
	for _, ns := range notIn {
		if got, err := secrets(ns); err == nil && len(got) > 0 {
			t.Errorf("the cache holds the Secrets of %s: %q", ns, got)
		}
	}
}

// checkCachedKinds checks that cc holds the Account of each namespace of in and none of notIn,
// and the cluster-scoped kinds whole: the ClusterAccount and every Namespace.
func checkCachedKinds(ctx context.Context, t *testing.T, cc cache.Cache, in, notIn []string) {
	t.Helper()
	for _, ns := range in {
		var list hooksv1alpha1.AccountList
		if err := cc.List(ctx, &list, client.InNamespace(ns)); err != nil || len(list.Items) != 1 {
			t.Errorf("Accounts of %s in the cache: %d, %v; want 1", ns, len(list.Items), err)
		}
	}
	for _, ns := range notIn {
		var list hooksv1alpha1.AccountList
		if err := cc.List(ctx, &list, client.InNamespace(ns)); err == nil && len(list.Items) > 0 {
			t.Errorf("the cache holds the Accounts of %s", ns)
		}
	}
	var cas hooksv1alpha1.ClusterAccountList
	if err := cc.List(ctx, &cas); err != nil || len(cas.Items) != 1 {
		t.Errorf("ClusterAccounts in the cache: %d, %v; want 1", len(cas.Items), err)
	}
	ns := &metav1.PartialObjectMetadata{}
	ns.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
	for _, name := range cacheScopeNamespaces {
		if err := cc.Get(ctx, client.ObjectKey{Name: name}, ns); err != nil {
			t.Errorf("Namespace %s in the cache: %v", name, err)
		}
	}
}
