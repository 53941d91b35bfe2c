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

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// ownership answers who owns a remote webhook of a SaaS account, and takes it for a Webhook. Three
// sources say it, asked in this order: the claims of this process (accounts), which are ahead of
// the cache, from the moment of a create or an adoption; the status records of the cache (the
// Webhook index), across every credential of the same account; and, on a sharded replica, whose
// cache holds its own namespaces only, the API server. Its answers name the owner as the asking
// Webhook's status and events may (ownerName), "" when there is none.
type ownership struct {
	claims  *accounts
	index   *webhookIndex
	reader  client.Reader
	sharded bool
}

// other answers who else than wh owns the remote webhook id of the account object acct's SaaS
// account, without taking it.
func (o *ownership) other(ctx context.Context, acct *account, wh *hooksv1alpha1.Webhook, id string) (string, error) {
	if c, ok := o.claims.other(acct, wh.UID, id); ok {
		return ownerName(wh, c.key), nil
	}
	owners, err := o.index.recordedBy(ctx, remoteKey(acct.ident, id), wh.UID)
	if err != nil {
		return "", err
	}
	if len(owners) > 0 {
		return ownerName(wh, owners[0]), nil
	}
	if o.sharded {
		// A sharded replica's cache holds its own namespaces only; a Webhook of another
		// replica's namespace on the same account (a shared ClusterAccount, say) may record the
		// id: the API server is asked, by status.id, across every namespace.
		return o.recordedElsewhere(ctx, acct.ident, wh, id)
	}
	return "", nil
}

// claim is other, and when no one else owns the id it takes it for wh in the same step, so that
// two workers can never both adopt it.
func (o *ownership) claim(ctx context.Context, acct *account, wh *hooksv1alpha1.Webhook, id string) (string, error) {
	owner, err := o.other(ctx, acct, wh, id)
	if err != nil || owner != "" {
		return owner, err
	}
	if c, taken := o.claims.takeIfFree(acct, wh.UID, keyOf(wh), id); taken {
		return ownerName(wh, c.key), nil
	}
	return "", nil
}

// keeperOf is the owner check of a remote webhook that wh's status records: it stays wh's (and is
// taken for it) unless another Webhook claimed it in this process, or records it too and comes
// first (precedingRecorder), which it then names.
func (o *ownership) keeperOf(ctx context.Context, acct *account, wh *hooksv1alpha1.Webhook, id string) (string, error) {
	if c, ok := o.claims.other(acct, wh.UID, id); ok {
		return ownerName(wh, c.key), nil
	}
	first, ok, err := o.index.precedingRecorder(ctx, remoteKey(acct.ident, id), wh)
	if err != nil {
		return "", err
	}
	if ok {
		return ownerName(wh, first), nil
	}
	if c, taken := o.claims.takeIfFree(acct, wh.UID, keyOf(wh), id); taken {
		return ownerName(wh, c.key), nil
	}
	return "", nil
}

// recordedElsewhere asks the API server for a Webhook other than wh that records the remote id on
// the SaaS account ident (status.id is a selectable field of the CRD).
func (o *ownership) recordedElsewhere(ctx context.Context, ident string, wh *hooksv1alpha1.Webhook, id string) (string, error) {
	list := &hooksv1alpha1.WebhookList{}
	if err := o.reader.List(ctx, list, client.MatchingFieldsSelector{Selector: fields.OneTermEqualSelector("status.id", id)}); err != nil {
		return "", err
	}
	for i := range list.Items {
		o := &list.Items[i]
		if o.UID == wh.UID || (o.Status.RemoteAccount != "" && o.Status.RemoteAccount != ident) {
			continue
		}
		return ownerName(wh, types.NamespacedName{Namespace: o.Namespace, Name: o.Name}), nil
	}
	return "", nil
}

// ownerName names the owner for wh's status and events: by name in wh's own namespace only.
func ownerName(wh *hooksv1alpha1.Webhook, owner types.NamespacedName) string {
	if owner.Namespace == wh.Namespace {
		return "Webhook " + owner.String()
	}
	return "a Webhook in another namespace"
}

// keyOf is the Webhook's namespace and name.
func keyOf(wh *hooksv1alpha1.Webhook) types.NamespacedName {
	return types.NamespacedName{Namespace: wh.Namespace, Name: wh.Name}
}
