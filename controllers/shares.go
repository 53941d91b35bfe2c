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

// The worker shares of the accounts: how many workers the Webhooks of one account, and of one
// namespace, may use at once, and who is woken when a worker frees up.

import (
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// enter takes one of the account's worker slots, and one of the namespace's, for the Webhook.
// When the account or the namespace already uses its share, it reports false and remembers the
// Webhook, to wake it when a slot frees: the worker goes to another Webhook instead of waiting
// behind a slow SaaS.
func (a *accounts) enter(acct *account, key types.NamespacedName) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	for k, at := range acct.promised {
		if now.Sub(at) > promiseTTL {
			delete(acct.promised, k)
			delete(a.promisedIn, k)
		}
	}
	_, promised := acct.promised[key]
	delete(acct.promised, key)
	delete(a.promisedIn, key)
	if !promised && (acct.busy+len(acct.promised) >= a.share || acct.poorerWaiting(key.Namespace)) {
		acct.wait(key)
		return false
	}
	if a.nsBusy[key.Namespace] >= a.share {
		w := a.nsWaiting[key.Namespace]
		if w == nil {
			w = map[types.NamespacedName]struct{}{}
			a.nsWaiting[key.Namespace] = w
		}
		w[key] = struct{}{}
		return false
	}
	acct.busy++
	acct.nsBusy[key.Namespace]++
	a.nsBusy[key.Namespace]++
	acct.unwait(key)
	if w := a.nsWaiting[key.Namespace]; w != nil {
		delete(w, key)
		if len(w) == 0 {
			delete(a.nsWaiting, key.Namespace)
		}
	}
	return true
}

// leave frees the slots that enter took for the Webhook key, and wakes a Webhook that waited
// for the account's slot (of the namespace that holds fewest of them) and one that waited for the
// namespace's.
func (a *accounts) leave(acct *account, key types.NamespacedName) {
	a.mu.Lock()
	acct.busy--
	if acct.nsBusy[key.Namespace]--; acct.nsBusy[key.Namespace] <= 0 {
		delete(acct.nsBusy, key.Namespace)
	}
	if a.nsBusy[key.Namespace]--; a.nsBusy[key.Namespace] <= 0 {
		delete(a.nsBusy, key.Namespace)
	}
	var woken []types.NamespacedName
	if k, ok := acct.next(); ok {
		woken = append(woken, k)
		acct.unwait(k)
		if k.Namespace != key.Namespace {
			// The slot passes to another namespace: kept for it, so that a Webhook of the
			// namespace that held it, reaching a worker first, does not take it back.
			acct.promised[k] = a.now()
			a.promisedIn[k] = acct
		}
	}
	if w := a.nsWaiting[key.Namespace]; w != nil {
		for k := range w {
			woken = append(woken, k)
			delete(w, k)
			break
		}
		if len(w) == 0 {
			delete(a.nsWaiting, key.Namespace)
		}
	}
	a.mu.Unlock()
	if a.wake != nil {
		for _, k := range woken {
			a.wake(k)
		}
	}
}

// promiseTTL is how long a freed slot stays kept for the Webhook woken for it, should it never come
// (deleted meanwhile, or its wake-up lost).
const promiseTTL = 2 * time.Second

// unpromise drops what was kept for a Webhook that is gone.
func (a *accounts) unpromise(key types.NamespacedName) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if acct, ok := a.promisedIn[key]; ok {
		delete(acct.promised, key)
		delete(a.promisedIn, key)
	}
}

// wait and unwait add and remove a Webhook waiting for one of the account's slots.
func (acct *account) wait(key types.NamespacedName) {
	w := acct.waiting[key.Namespace]
	if w == nil {
		w = map[types.NamespacedName]struct{}{}
		acct.waiting[key.Namespace] = w
	}
	w[key] = struct{}{}
}

func (acct *account) unwait(key types.NamespacedName) {
	if w := acct.waiting[key.Namespace]; w != nil {
		delete(w, key)
		if len(w) == 0 {
			delete(acct.waiting, key.Namespace)
		}
	}
}

// poorerWaiting reports whether another namespace waits for the account while holding fewer of
// its slots than ns: that namespace goes first.
func (acct *account) poorerWaiting(ns string) bool {
	mine := acct.nsBusy[ns]
	for other := range acct.waiting {
		if other != ns && acct.nsBusy[other] < mine {
			return true
		}
	}
	return false
}

// next is a waiting Webhook of the namespace that holds fewest of the account's slots.
func (acct *account) next() (types.NamespacedName, bool) {
	best, found := "", false
	for ns := range acct.waiting {
		if !found || acct.nsBusy[ns] < acct.nsBusy[best] || (acct.nsBusy[ns] == acct.nsBusy[best] && ns < best) {
			best, found = ns, true
		}
	}
	for k := range acct.waiting[best] {
		return k, true
	}
	return types.NamespacedName{}, false
}
