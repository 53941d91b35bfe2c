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
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

const (
	// indexSecretNames indexes Webhooks by every Secret they read.
	indexSecretNames = "spec.secretNames"
	// indexRemoteKey indexes Webhooks by "<provider>|<provider scope>|<status.id>": who owns a
	// remote webhook of an account. Remote ids are unique within a scope only (PageSeeder ids are
	// small integers on each server), so a bare id would let one tenant's Webhook conflict with,
	// and learn the name of, another tenant's Webhook on another server.
	indexRemoteKey = "status.remoteKey"
)

func registerIndexes(ctx context.Context, idx client.FieldIndexer, registry providers.Registry) error {
	if err := idx.IndexField(ctx, &hooksv1alpha1.Webhook{}, indexSecretNames, func(o client.Object) []string {
		return o.(*hooksv1alpha1.Webhook).Spec.SecretNames()
	}); err != nil {
		return err
	}
	return idx.IndexField(ctx, &hooksv1alpha1.Webhook{}, indexRemoteKey, func(o client.Object) []string {
		wh := o.(*hooksv1alpha1.Webhook)
		prov, ok := registry[wh.Spec.Provider]
		if wh.Status.ID == "" || !ok {
			return nil
		}
		scope := prov.Scope(&providers.Request{Owner: wh.Namespace + "/" + wh.Name, Spec: &wh.Spec})
		return []string{remoteKey(scopeKey(wh.Spec.Provider, scope), wh.Status.ID)}
	})
}

func remoteKey(scope, id string) string {
	return scope + "|" + id
}
