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
	"sync"

	"k8s.io/apimachinery/pkg/types"
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
	if owner := r.claims.other(remoteKey(wh.Spec.Provider, id), wh.UID); owner != "" {
		return owner, nil
	}
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

// claims remember which Webhook took which remote webhook in this process, from the moment of
// the create or adoption: the status index only learns it once the status write has reached
// the cache, and two Webhooks reconciled at the same moment must not both take one webhook.
type claims struct {
	mu    sync.Mutex
	byKey map[string]claim
	byUID map[types.UID]string
}

type claim struct {
	uid   types.UID
	owner string
}

func newClaims() *claims {
	return &claims{byKey: map[string]claim{}, byUID: map[types.UID]string{}}
}

// take records that wh manages the remote webhook id, and forgets what it managed before.
func (c *claims) take(wh *hooksv1alpha1.Webhook, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(wh, remoteKey(wh.Spec.Provider, id))
}

func (c *claims) setLocked(wh *hooksv1alpha1.Webhook, key string) {
	c.dropLocked(wh.UID)
	c.byKey[key] = claim{uid: wh.UID, owner: wh.Namespace + "/" + wh.Name}
	c.byUID[wh.UID] = key
}

// drop forgets what wh manages.
func (c *claims) drop(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(uid)
}

func (c *claims) dropLocked(uid types.UID) {
	if key, ok := c.byUID[uid]; ok {
		if c.byKey[key].uid == uid {
			delete(c.byKey, key)
		}
		delete(c.byUID, uid)
	}
}

// other returns the Webhook other than uid that claimed the remote webhook key, or "".
func (c *claims) other(key string, uid types.UID) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.byKey[key]; ok && cl.uid != uid {
		return cl.owner
	}
	return ""
}

// takeIfFree takes the remote webhook id for wh unless another Webhook claimed it first, whose
// name it then returns: the check and the claim are one step, so two workers cannot both win.
func (c *claims) takeIfFree(wh *hooksv1alpha1.Webhook, id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := remoteKey(wh.Spec.Provider, id)
	if cl, ok := c.byKey[key]; ok && cl.uid != wh.UID {
		return cl.owner
	}
	c.setLocked(wh, key)
	return ""
}
