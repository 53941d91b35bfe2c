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
	"crypto/tls"
	"maps"
	"slices"
	"testing"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
)

// TestSecretCache: the cache holds the Secrets of the account-secret namespaces beside those of
// --watch-namespaces, metadata or typed alike; Webhooks and Accounts stay in the watched
// namespaces; without --watch-namespaces every namespace is cached and nothing is added.
func TestSecretCache(t *testing.T) {
	for _, tt := range []struct {
		name            string
		watched, secret []string
		want            []string // the Secret cache's namespaces; nil: the default namespaces
	}{
		{name: "every namespace", secret: []string{"hookkeeper-system"}},
		{name: "every namespace, any account namespace", secret: []string{"*"}},
		{name: "watched, account secrets elsewhere", watched: []string{"team-a", "team-b"}, secret: []string{"hookkeeper-system", "platform"},
			want: []string{"hookkeeper-system", "platform", "team-a", "team-b"}},
		{name: "watched, account secrets among them", watched: []string{"team-a", "team-b"}, secret: []string{"team-b"}},
		{name: "watched, some account secrets among them", watched: []string{"team-a"}, secret: []string{"team-a", "platform"},
			want: []string{"platform", "team-a"}},
		{name: "watched, no account-secret namespace", watched: []string{"team-a"}},
		{name: "watched, any account namespace", watched: []string{"team-a"}, secret: []string{"*"}, want: []string{cache.AllNamespaces}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &Config{Namespaces: tt.watched, SecretNamespaces: tt.secret}
			o := c.ManagerOptions(runtime.NewScheme(), nil).Cache
			if got := slices.Sorted(maps.Keys(o.DefaultNamespaces)); !slices.Equal(got, slices.Sorted(slices.Values(tt.watched))) {
				t.Errorf("the default namespaces are %q, want those of --watch-namespaces %q", got, tt.watched)
			}
			if o.DefaultTransform == nil {
				t.Error("no default transform: the cache would keep managedFields")
			}
			if tt.want == nil {
				if len(o.ByObject) != 0 {
					t.Errorf("ByObject %v, want none", o.ByObject)
				}
				return
			}
			if len(o.ByObject) != 1 {
				t.Fatalf("ByObject %v, want Secrets alone", o.ByObject)
			}
			for obj, by := range o.ByObject {
				if _, ok := obj.(*corev1.Secret); !ok {
					t.Errorf("ByObject holds a %T, want a Secret", obj)
				}
				if got := slices.Sorted(maps.Keys(by.Namespaces)); !slices.Equal(got, tt.want) {
					t.Errorf("Secrets are cached in %q, want %q", got, tt.want)
				}
			}
		})
	}
}

// TestManagerOptions: --metrics-secure (the default) serves HTTPS behind controller-runtime's
// authentication and authorization filter, HTTP/1.1 only; --metrics-secure=false plain HTTP;
// --pprof-bind-address reaches the manager.
func TestManagerOptions(t *testing.T) {
	c, err := parseFlags(t)
	if err != nil {
		t.Fatal(err)
	}
	o := c.ManagerOptions(runtime.NewScheme(), nil)
	m := o.Metrics
	if !m.SecureServing || m.FilterProvider == nil || m.BindAddress != ":8080" || o.PprofBindAddress != "" {
		t.Errorf("defaults: secure %t, filter %t, bind %q, pprof %q", m.SecureServing, m.FilterProvider != nil, m.BindAddress, o.PprofBindAddress)
	}
	tlsConfig := &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
	for _, f := range m.TLSOpts {
		f(tlsConfig)
	}
	if !slices.Equal(tlsConfig.NextProtos, []string{"http/1.1"}) {
		t.Errorf("the metrics server offers %v, want HTTP/1.1 only", tlsConfig.NextProtos)
	}

	c, err = parseFlags(t, "--metrics-secure=false", "--pprof-bind-address=127.0.0.1:6060", "--metrics-bind-address=127.0.0.1:9090")
	if err != nil {
		t.Fatal(err)
	}
	o = c.ManagerOptions(runtime.NewScheme(), nil)
	m = o.Metrics
	if m.SecureServing || m.FilterProvider != nil || len(m.TLSOpts) != 0 || m.BindAddress != "127.0.0.1:9090" || o.PprofBindAddress != "127.0.0.1:6060" {
		t.Errorf("--metrics-secure=false: secure %t, filter %t, bind %q, pprof %q", m.SecureServing, m.FilterProvider != nil, m.BindAddress, o.PprofBindAddress)
	}
}

// TestShardedInformers: with --sharding, the manager's cache builds its informers through the
// shard scope, and the scope restricts exactly the Webhooks and the Secrets (typed or metadata).
func TestShardedInformers(t *testing.T) {
	c, err := parseFlags(t, "--sharding")
	if err != nil {
		t.Fatal(err)
	}
	if o := c.ManagerOptions(runtime.NewScheme(), nil); o.Cache.NewInformer != nil {
		t.Error("without a shard scope the informers are built as controller-runtime builds them")
	}
	if o := c.ManagerOptions(runtime.NewScheme(), sharding.NewScope(logr.Discard())); o.Cache.NewInformer == nil || o.LeaderElection {
		t.Errorf("with a shard scope: NewInformer set %t, leader election %t; want the scope's informers and no election", o.Cache.NewInformer != nil, o.LeaderElection)
	}
	secretMeta := &metav1.PartialObjectMetadata{}
	secretMeta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	configMapMeta := &metav1.PartialObjectMetadata{}
	configMapMeta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
	for obj, want := range map[runtime.Object]string{
		&hooksv1alpha1.Webhook{}: "webhooks",
		&corev1.Secret{}:         "secrets",
		secretMeta:               "secrets",
		configMapMeta:            "",
		&corev1.Namespace{}:      "",
	} {
		if got := shardedResource(obj); got != want {
			t.Errorf("shardedResource(%T %v) = %q, want %q", obj, obj.GetObjectKind().GroupVersionKind(), got, want)
		}
	}
}
