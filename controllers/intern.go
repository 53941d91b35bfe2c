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

package controllers

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/intern"
)

// interner makes equal strings of the cached objects share one copy. The JSON decoder gives
// every string of every object its own allocation; at 10,000 Webhooks the same apiVersion,
// namespace, finalizer, credentials name and condition types, statuses and reasons repeated in
// every object cost megabytes. Its table is bounded (intern.Table): strings longer than 128
// bytes are rare repeats, and a table that reaches 1024 strings starts again, so that a tenant
// who writes many distinct values costs the table a bounded size, never the cache its sharing.
type interner struct {
	table intern.Table
}

func newInterner() *interner { return &interner{table: intern.Table{MaxLen: 128, MaxStrings: 1024}} }

var cacheStrings = newInterner()

// intern returns the table's copy of s.
func (in *interner) intern(s string) string { return in.table.String(s) }

func (in *interner) internAll(ss []string) {
	for i := range ss {
		ss[i] = in.intern(ss[i])
	}
}

// internMap interns the keys and values of a label or annotation map in place.
func (in *interner) internMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[in.intern(k)] = in.intern(v)
	}
	return out
}

// internObject interns the strings that repeat across cached objects: the type, namespace,
// labels, annotations and finalizers of any object, and of a Webhook its provider, credentials
// name, deletion policy, state and its conditions' types, statuses and reasons. Names, UIDs,
// resource versions and condition messages (which often name the remote id) are mostly unique
// and left alone: a table full of them would hold strings no object uses any more.
func (in *interner) internObject(obj any) {
	switch o := obj.(type) {
	case *hooksv1alpha1.Webhook:
		in.internMeta(&o.TypeMeta, &o.ObjectMeta)
		o.Spec.Provider = hooksv1alpha1.ProviderType(in.intern(string(o.Spec.Provider)))
		if ref := o.Spec.CredentialsRef; ref != nil {
			ref.Name = in.intern(ref.Name)
		}
		if ref := o.Spec.AccountRef; ref != nil {
			ref.Name = in.intern(ref.Name)
			ref.Kind = hooksv1alpha1.AccountKind(in.intern(string(ref.Kind)))
		}
		o.Spec.DeletionPolicy = hooksv1alpha1.DeletionPolicy(in.intern(string(o.Spec.DeletionPolicy)))
		o.Status.State = in.intern(o.Status.State)
		for i := range o.Status.Conditions {
			c := &o.Status.Conditions[i]
			c.Type = in.intern(c.Type)
			c.Status = metav1.ConditionStatus(in.intern(string(c.Status)))
			c.Reason = in.intern(c.Reason)
		}
	case *metav1.PartialObjectMetadata:
		in.internMeta(&o.TypeMeta, &o.ObjectMeta)
	}
}

func (in *interner) internMeta(t *metav1.TypeMeta, m *metav1.ObjectMeta) {
	t.APIVersion = in.intern(t.APIVersion)
	t.Kind = in.intern(t.Kind)
	m.Namespace = in.intern(m.Namespace)
	m.Labels = in.internMap(m.Labels)
	m.Annotations = in.internMap(m.Annotations)
	in.internAll(m.Finalizers)
}
