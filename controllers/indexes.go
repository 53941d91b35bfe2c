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
)

const (
	// indexSecretNames indexes Webhooks by every Secret they read.
	indexSecretNames = "spec.secretNames"
	// indexRemoteKey indexes Webhooks by "<provider>/<status.id>", to tell who owns a remote webhook.
	indexRemoteKey = "status.remoteKey"
)

func registerIndexes(ctx context.Context, idx client.FieldIndexer) error {
	if err := idx.IndexField(ctx, &hooksv1alpha1.Webhook{}, indexSecretNames, func(o client.Object) []string {
		return o.(*hooksv1alpha1.Webhook).Spec.SecretNames()
	}); err != nil {
		return err
	}
	return idx.IndexField(ctx, &hooksv1alpha1.Webhook{}, indexRemoteKey, func(o client.Object) []string {
		wh := o.(*hooksv1alpha1.Webhook)
		if wh.Status.ID == "" {
			return nil
		}
		return []string{remoteKey(wh.Spec.Provider, wh.Status.ID)}
	})
}

func remoteKey(p hooksv1alpha1.ProviderType, id string) string {
	return string(p) + "/" + id
}

// ownedByOther returns the name of another Webhook whose status claims the remote webhook id of
// the same provider, or "" when none does.
func (r *WebhookReconciler) ownedByOther(ctx context.Context, wh *hooksv1alpha1.Webhook, id string) (string, error) {
	var list hooksv1alpha1.WebhookList
	if err := r.List(ctx, &list, client.MatchingFields{indexRemoteKey: remoteKey(wh.Spec.Provider, id)}); err != nil {
		return "", err
	}
	for i := range list.Items {
		if list.Items[i].UID != wh.UID {
			return list.Items[i].Namespace + "/" + list.Items[i].Name, nil
		}
	}
	return "", nil
}
