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
	"fmt"
	"hash/maphash"
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// webhookIndex follows the Webhook informer and answers what the reconciler and the metrics ask
// of all Webhooks: who records a remote webhook in its status, and the Webhooks themselves for
// the gauge. It keeps pointers to the cache's own objects (read only, never modified) and one
// map entry per remote id, where controller-runtime's field indexes keep two string sets per
// value (one per namespace, one for all namespaces): at 10,000 Webhooks that was about 8 MiB.
type webhookIndex struct {
	registry providers.Registry

	mu sync.RWMutex
	// byNamespace holds every Webhook of the cache, by namespace and UID.
	byNamespace map[string]map[types.UID]*hooksv1alpha1.Webhook
	// remoteOf is the hash of the remote key each Webhook records, and byRemote its reverse:
	// which Webhooks record "<provider>|<provider account>|<status.id>". Remote ids are unique
	// within an account only (PageSeeder ids are small integers on each server), so a bare id would
	// let one tenant's Webhook conflict with, and learn the name of, another tenant's Webhook on
	// another server. The hash (seeded per process, so no one can aim at a collision) keeps the
	// keys, which hold the SaaS's base URL, out of memory; a lookup compares the whole key.
	seed     maphash.Seed
	remoteOf map[types.UID]uint64
	byRemote map[uint64][]claim

	synced func() bool

	// onAccount, when set, is told of every Webhook that names an account and was added, changed
	// or removed, after the index has taken the change in: what the accounts' counts follow.
	onAccount func(wh *hooksv1alpha1.Webhook)
}

func newWebhookIndex(registry providers.Registry) *webhookIndex {
	return &webhookIndex{
		registry:    registry,
		byNamespace: map[string]map[types.UID]*hooksv1alpha1.Webhook{},
		seed:        maphash.MakeSeed(),
		remoteOf:    map[types.UID]uint64{},
		byRemote:    map[uint64][]claim{},
		synced:      func() bool { return false },
	}
}

// register follows the Webhook informer of c. The informer updates the index after its store,
// within milliseconds; remote webhooks this process takes are in the accounts' claims first.
func (x *webhookIndex) register(ctx context.Context, c cache.Informers) error {
	inf, err := c.GetInformer(ctx, &hooksv1alpha1.Webhook{})
	if err != nil {
		return fmt.Errorf("getting the Webhook informer for the index: %w", err)
	}
	reg, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { x.put(obj) },
		UpdateFunc: func(_, obj any) { x.put(obj) },
		DeleteFunc: x.remove,
	})
	if err != nil {
		return fmt.Errorf("following the Webhook informer for the index: %w", err)
	}
	x.synced = reg.HasSynced
	return nil
}

// remoteKeyOf is the remote key wh records in its status, "" when none: the account status
// says the id lives on, or, for a status written before the operator recorded it, the account
// the spec names.
func (x *webhookIndex) remoteKeyOf(wh *hooksv1alpha1.Webhook) string {
	if wh.Status.ID == "" {
		return ""
	}
	if wh.Status.RemoteAccount != "" {
		return remoteKey(wh.Status.RemoteAccount, wh.Status.ID)
	}
	prov, ok := x.registry[wh.Spec.Provider]
	if !ok {
		return ""
	}
	account := prov.Account(&providers.Request{Owner: wh.Namespace + "/" + wh.Name, Spec: &wh.Spec})
	return remoteKey(identKey(wh.Spec.Provider, account), wh.Status.ID)
}

func (x *webhookIndex) put(obj any) {
	wh, ok := obj.(*hooksv1alpha1.Webhook)
	if !ok {
		return
	}
	key := x.remoteKeyOf(wh)
	var h uint64
	if key != "" {
		h = maphash.String(x.seed, key)
	}
	x.mu.Lock()
	inNS := x.byNamespace[wh.Namespace]
	if inNS == nil {
		inNS = map[types.UID]*hooksv1alpha1.Webhook{}
		x.byNamespace[wh.Namespace] = inNS
	}
	prev := inNS[wh.UID]
	inNS[wh.UID] = wh
	x.linkLocked(wh, key, h)
	x.mu.Unlock()
	if x.onAccount != nil {
		if prev != nil && prev.Spec.AccountRef != nil && !sameAccountRef(prev.Spec.AccountRef, wh.Spec.AccountRef) {
			x.onAccount(prev)
		}
		counted := prev == nil || !sameAccountRef(prev.Spec.AccountRef, wh.Spec.AccountRef) ||
			prev.DeletionTimestamp.IsZero() != wh.DeletionTimestamp.IsZero()
		if wh.Spec.AccountRef != nil && counted {
			x.onAccount(wh)
		}
	}
}

// linkLocked records the remote key wh records (hashed h), replacing what it recorded before.
func (x *webhookIndex) linkLocked(wh *hooksv1alpha1.Webhook, key string, h uint64) {
	old, had := x.remoteOf[wh.UID]
	if had && key != "" && old == h {
		return
	}
	if had {
		x.unlinkLocked(wh.UID, old)
	}
	if key != "" {
		x.remoteOf[wh.UID] = h
		x.byRemote[h] = append(x.byRemote[h], claim{uid: wh.UID, key: types.NamespacedName{Namespace: wh.Namespace, Name: wh.Name}})
	}
}

func (x *webhookIndex) remove(obj any) {
	if tomb, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	wh, ok := obj.(*hooksv1alpha1.Webhook)
	if !ok {
		return
	}
	if x.onAccount != nil && wh.Spec.AccountRef != nil {
		defer x.onAccount(wh)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if inNS := x.byNamespace[wh.Namespace]; inNS != nil {
		delete(inNS, wh.UID)
		if len(inNS) == 0 {
			delete(x.byNamespace, wh.Namespace)
		}
	}
	if old, had := x.remoteOf[wh.UID]; had {
		x.unlinkLocked(wh.UID, old)
	}
}

func (x *webhookIndex) unlinkLocked(uid types.UID, key uint64) {
	delete(x.remoteOf, uid)
	owners := slices.DeleteFunc(x.byRemote[key], func(c claim) bool { return c.uid == uid })
	if len(owners) == 0 {
		delete(x.byRemote, key)
		return
	}
	x.byRemote[key] = owners
}

// waitSynced waits until the index has seen the informer's first list, so that an answer never
// misses a Webhook the cache already holds.
func (x *webhookIndex) waitSynced(ctx context.Context) error {
	if x.synced() {
		return nil
	}
	return wait.PollUntilContextCancel(ctx, 20*time.Millisecond, true, func(context.Context) (bool, error) {
		return x.synced(), nil
	})
}

// recordedBy returns the Webhooks whose status records the remote key, except the one of uid.
func (x *webhookIndex) recordedBy(ctx context.Context, key string, except types.UID) ([]types.NamespacedName, error) {
	if err := x.waitSynced(ctx); err != nil {
		return nil, fmt.Errorf("waiting for the Webhook index: %w", err)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []types.NamespacedName
	for _, c := range x.byRemote[maphash.String(x.seed, key)] {
		if c.uid == except {
			continue
		}
		if wh := x.byNamespace[c.key.Namespace][c.uid]; wh != nil && x.remoteKeyOf(wh) == key {
			out = append(out, c.key)
		}
	}
	return out, nil
}

// precedingRecorder returns a Webhook other than wh whose status records the remote key and that
// comes first: created earlier, or at the same second with the smaller UID. Two Webhooks that both
// record one remote webhook (an earlier release could get there, through two spellings of one
// account) then agree on which keeps it, whichever is reconciled first after a restart.
func (x *webhookIndex) precedingRecorder(ctx context.Context, key string, wh *hooksv1alpha1.Webhook) (types.NamespacedName, bool, error) {
	if err := x.waitSynced(ctx); err != nil {
		return types.NamespacedName{}, false, fmt.Errorf("waiting for the Webhook index: %w", err)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, c := range x.byRemote[maphash.String(x.seed, key)] {
		if c.uid == wh.UID {
			continue
		}
		other := x.byNamespace[c.key.Namespace][c.uid]
		if other == nil || x.remoteKeyOf(other) != key {
			continue
		}
		a, b := other.CreationTimestamp.Time, wh.CreationTimestamp.Time
		if a.Before(b) || (a.Equal(b) && other.UID < wh.UID) {
			return c.key, true, nil
		}
	}
	return types.NamespacedName{}, false, nil
}

// each calls fn with every Webhook of the cache (fn must not modify it or keep it), holding the
// index's read lock: fn must not call the index.
func (x *webhookIndex) each(fn func(*hooksv1alpha1.Webhook)) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, inNS := range x.byNamespace {
		for _, wh := range inNS {
			fn(wh)
		}
	}
}

// eachInNamespace calls fn with every Webhook of namespace ns, as each does.
func (x *webhookIndex) eachInNamespace(ns string, fn func(*hooksv1alpha1.Webhook)) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, wh := range x.byNamespace[ns] {
		fn(wh)
	}
}

// remoteKey names remote webhook id on the SaaS account ident (identKey): ids are unique within an
// account only.
func remoteKey(ident, id string) string {
	return ident + "|" + id
}
