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

// The claims of the accounts: which Webhook took which remote webhook of a SaaS account, from the
// moment of a create or an adoption, before its status write has reached the cache. ownership.go
// asks them first.

import (
	"k8s.io/apimachinery/pkg/types"
)

// claim is a Webhook that took a remote webhook.
type claim struct {
	uid types.UID
	key types.NamespacedName
}

// claimRef is the account object and the remote id that a Webhook claims.
type claimRef struct {
	acct *account
	id   string
}

// take records that the Webhook manages the account's remote webhook id, and forgets what it
// managed before.
func (a *accounts) take(acct *account, uid types.UID, key types.NamespacedName, id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.setLocked(acct, uid, key, id)
}

func (a *accounts) setLocked(acct *account, uid types.UID, key types.NamespacedName, id string) {
	a.dropLocked(uid)
	acct.claims[id] = claim{uid: uid, key: key}
	a.claimed[uid] = claimRef{acct: acct, id: id}
}

// claimsElsewhere reports whether the Webhook claims a remote webhook of an account other than
// acct: one made or adopted through other credentials, before its credentials changed.
func (a *accounts) claimsElsewhere(uid types.UID, acct *account) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	ref, ok := a.claimed[uid]
	return ok && ref.acct != acct
}

// drop forgets what the Webhook manages.
func (a *accounts) drop(uid types.UID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dropLocked(uid)
}

func (a *accounts) dropLocked(uid types.UID) {
	if ref, ok := a.claimed[uid]; ok {
		if ref.acct.claims[ref.id].uid == uid {
			delete(ref.acct.claims, ref.id)
		}
		delete(a.claimed, uid)
	}
}

// otherLocked returns another Webhook's claim on the remote webhook id of acct's SaaS account, in
// acct or in an account object of other credentials or list scopes on it (they see the same webhook).
func (a *accounts) otherLocked(acct *account, uid types.UID, id string) (claim, bool) {
	for _, other := range a.byIdent[acct.ident] {
		if c, ok := other.claims[id]; ok && c.uid != uid {
			return c, true
		}
	}
	return claim{}, false
}

// other returns the Webhook other than uid that claimed the remote webhook id of acct's account.
func (a *accounts) other(acct *account, uid types.UID, id string) (claim, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.otherLocked(acct, uid, id)
}

// takeIfFree takes the remote webhook id for the Webhook unless another Webhook claimed it first,
// which it then returns: the check and the claim are one step, so two workers cannot both win.
func (a *accounts) takeIfFree(acct *account, uid types.UID, key types.NamespacedName, id string) (claim, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.otherLocked(acct, uid, id); ok {
		return c, true
	}
	a.setLocked(acct, uid, key, id)
	return claim{}, false
}
