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
	"errors"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

func TestWatchNamespacesExist(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := hooksv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	reader := fake.NewClientBuilder().WithScheme(scheme).
		WithObjects(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}).Build()
	if err := CheckNamespaces(context.Background(), reader, []string{"team-a"}); err != nil {
		t.Errorf("an existing namespace: %v", err)
	}
	err := CheckNamespaces(context.Background(), reader, []string{"team-a", "team-typo"})
	if err == nil || !strings.Contains(err.Error(), `--watch-namespaces: entry "team-typo": no such namespace`) {
		t.Errorf("a missing namespace: %v, want an error naming the flag and the entry", err)
	}
	// Namespace-scoped RBAC: Namespaces cannot be read, and Webhooks only where a Role grants it.
	scoped := interceptor.NewClient(reader, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			return apierrors.NewForbidden(schema.GroupResource{Resource: "namespaces"}, key.Name, errors.New("no"))
		},
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			var lo client.ListOptions
			lo.ApplyOptions(opts)
			if lo.Namespace != "team-a" {
				return apierrors.NewForbidden(schema.GroupResource{Group: "hooks.hookkeeper.dev", Resource: "webhooks"}, "", errors.New("no"))
			}
			return c.List(ctx, list, opts...)
		},
	})
	if err := CheckNamespaces(context.Background(), scoped, []string{"team-a"}); err != nil {
		t.Errorf("a namespace with a Role: %v", err)
	}
	err = CheckNamespaces(context.Background(), scoped, []string{"team-typo"})
	if err == nil || !strings.Contains(err.Error(), `--watch-namespaces: entry "team-typo"`) {
		t.Errorf("a namespace without a Role: %v, want an error naming the flag and the entry", err)
	}
}

// TestAccountSecretNamespacesReadable: with --watch-namespaces, the operator stops at start, naming
// the flag, when it may not list the Secrets of an account-secret namespace outside them.
func TestAccountSecretNamespacesReadable(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	var listed []string
	reader := interceptor.NewClient(fake.NewClientBuilder().WithScheme(scheme).Build(), interceptor.Funcs{
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			var lo client.ListOptions
			lo.ApplyOptions(opts)
			listed = append(listed, lo.Namespace)
			if lo.Namespace != "platform" {
				return apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "", errors.New("no"))
			}
			return c.List(ctx, list, opts...)
		},
	})
	ctx := context.Background()
	for _, tt := range []struct {
		name            string
		watched, secret []string
		wantErr         string
		wantListed      []string
	}{
		{name: "every namespace watched: the ClusterRole covers them", secret: []string{"hookkeeper-system"}},
		{name: "readable", watched: []string{"team-a"}, secret: []string{"platform"}, wantListed: []string{"platform"}},
		{name: "watched: the manager's Role covers it", watched: []string{"team-a"}, secret: []string{"team-a", "platform"}, wantListed: []string{"platform"}},
		{name: "not readable", watched: []string{"team-a"}, secret: []string{"platform", "hookkeeper-system"}, wantListed: []string{"platform", "hookkeeper-system"},
			wantErr: `--account-secret-namespaces: the operator may not list Secrets in namespace "hookkeeper-system"`},
		{name: "any, not readable", watched: []string{"team-a"}, secret: []string{"*"}, wantListed: []string{""},
			wantErr: `--account-secret-namespaces: the operator may not list Secrets in every namespace`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			listed = nil
			err := CheckAccountSecretNamespaces(ctx, reader, tt.watched, tt.secret)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("check: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("check = %v, want an error with %q", err, tt.wantErr)
			}
			if !slices.Equal(listed, tt.wantListed) {
				t.Errorf("listed Secrets in %q, want %q", listed, tt.wantListed)
			}
		})
	}
}
