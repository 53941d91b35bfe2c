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
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// An account is one credential's view of one list scope (Provider.Scope: a Webex token, an 8x8 account in a
// region, a PageSeeder OAuth client on one server). It is the unit of everything the operator
// shares between the Webhooks of that account:
//
//   - the snapshot: the last full list of the account's remote webhooks, from which every Webhook
//     of the account is observed, so that a resync costs one list per account;
//   - the claims: which Webhook took which remote webhook, from the moment of the create or
//     adoption, before the status write has reached the cache;
//   - the create turns, where the SaaS keeps one webhook per natural key;
//   - its share of the reconcile workers, so that a slow or hung account cannot hold them all.
type account struct {
	key string
	// ident is "<provider>|<provider account>", the canonical SaaS account (Provider.Account):
	// credentials of the same account, and lists of other list scopes on it, see the same remote
	// webhooks, so claims are checked across every account object with the same ident. It is
	// what status.remoteAccount records.
	ident string

	// creating serializes creates where the SaaS keeps one webhook per natural key, so that a
	// second Webhook sees the first one's webhook before it would create its own.
	creating sync.Mutex

	// mu guards the snapshot and is held while listing, so that the workers that need the
	// account at the same moment wait for one list instead of sending their own.
	mu      sync.Mutex
	valid   bool
	fetched time.Time
	ids     []string // in list order, for a stable choice among candidates
	remotes map[string]*providers.Remote

	// Guarded by accounts.mu.
	claims map[string]claim // remote id -> the Webhook that took it
	busy   int              // workers reconciling a Webhook of this account now
	// waiting are the Webhooks that wait for one of the account's slots, by namespace, and
	// nsBusy the account's slots each namespace holds now: a freed slot goes to the waiting
	// namespace that holds fewest, so that one namespace creating hundreds of Webhooks on a shared
	// account does not hold back another namespace's first.
	waiting map[string]map[types.NamespacedName]struct{}
	nsBusy  map[string]int
	// promised are the Webhooks woken for a freed slot, which is theirs until they come for it
	// (or promiseTTL passes, if they never do).
	promised map[types.NamespacedName]time.Time
	used     time.Time // when a reconcile last asked for this account
	// req is the last request made through this account: what reaches it again (its server,
	// account fields and credentials) for a Webhook that has moved to another account since.
	req *providers.Request
}

// accounts holds every account the operator has met, and the worker share of each.
type accounts struct {
	mu      sync.Mutex
	m       map[string]*account
	byIdent map[string][]*account
	// claimed maps a Webhook to the account and remote id it claims.
	claimed map[types.UID]claimRef
	now     func() time.Time
	// share is how many workers one account may use at once, and the Webhooks of one namespace
	// together, however many accounts they use: a tenant with many hung credentials holds no more
	// workers than a tenant with one.
	share int
	// nsBusy counts the workers reconciling a Webhook of each namespace now, and nsWaiting the
	// Webhooks that waited for their namespace's share.
	nsBusy    map[string]int
	nsWaiting map[string]map[types.NamespacedName]struct{}
	// promisedIn is the account where a slot is kept for each Webhook (account.promised).
	promisedIn map[types.NamespacedName]*account
	// wake is called with a Webhook that waited for its account's share, once a worker of that
	// account is free.
	wake func(types.NamespacedName)
}

func newAccounts(now func() time.Time, share int, wake func(types.NamespacedName)) *accounts {
	return &accounts{m: map[string]*account{}, byIdent: map[string][]*account{}, claimed: map[types.UID]claimRef{},
		nsBusy: map[string]int{}, nsWaiting: map[string]map[types.NamespacedName]struct{}{},
		promisedIn: map[types.NamespacedName]*account{},
		now:        now, share: max(1, share), wake: wake}
}

// get returns the account object of the credential key on the list scope, a list of the
// canonical SaaS account ident (identKey), and remembers req as its last request.
func (a *accounts) get(credential, listScope, ident string, req *providers.Request) *account {
	key := credential + "|" + listScope
	a.mu.Lock()
	defer a.mu.Unlock()
	acct, ok := a.m[key]
	if !ok {
		acct = &account{key: key, ident: ident, claims: map[string]claim{},
			waiting: map[string]map[types.NamespacedName]struct{}{}, nsBusy: map[string]int{},
			promised: map[types.NamespacedName]time.Time{}, used: a.now()}
		a.m[key] = acct
		a.byIdent[ident] = append(a.byIdent[ident], acct)
	}
	// An account handed out is in use: sweep never drops one a reconcile is about to enter.
	acct.used = a.now()
	if req != nil {
		acct.req = req
	}
	return acct
}

// sweep frees what accounts that no worker entered for idle hold: an account that no Webhook
// claims and no worker uses goes, with its snapshot; one that Webhooks still claim keeps its
// claims and drops its snapshot, which the next reconcile lists again. Every Webhook of an account
// is reconciled at least once per resync period, so an account idle for longer than that has no
// Webhook left that needs its snapshot: a server that answers a list with megabytes of ids, or a
// credential rotated away, costs memory for one period, not for the life of the process.
func (a *accounts) sweep(idle time.Duration) {
	cutoff := a.now().Add(-idle)
	a.mu.Lock()
	var stale []*account
	for key, acct := range a.m {
		if acct.busy > 0 || len(acct.waiting) > 0 || !acct.used.Before(cutoff) {
			continue
		}
		stale = append(stale, acct)
		if len(acct.claims) > 0 {
			continue
		}
		delete(a.m, key)
		rest := slices.DeleteFunc(a.byIdent[acct.ident], func(o *account) bool { return o == acct })
		if len(rest) == 0 {
			delete(a.byIdent, acct.ident)
		} else {
			a.byIdent[acct.ident] = rest
		}
	}
	a.mu.Unlock()
	for _, acct := range stale {
		acct.forget()
	}
}

// previous returns an account object of the SaaS account ident that the credential used, and its
// last request; nil when this process has met none (or has dropped it since).
func (a *accounts) previous(credential, ident string) (*account, *providers.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, acct := range a.byIdent[ident] {
		if strings.HasPrefix(acct.key, credential+"|") && acct.req != nil {
			return acct, acct.req
		}
	}
	return nil, nil
}

// retire drops the snapshots of the accounts of a credential that was rotated away, and makes them
// idle, so that the next sweep frees those that no Webhook claims any more: the Webhooks move to
// the account of the new credential at their next reconcile, which the Secret's watch brings at
// once.
func (a *accounts) retire(credential string) {
	a.mu.Lock()
	var old []*account
	for key, acct := range a.m {
		if strings.HasPrefix(key, credential+"|") {
			acct.used = time.Time{}
			old = append(old, acct)
		}
	}
	a.mu.Unlock()
	for _, acct := range old {
		acct.forget()
	}
}

// forget drops the snapshot: the next reconcile lists again.
func (acct *account) forget() {
	acct.mu.Lock()
	defer acct.mu.Unlock()
	acct.valid, acct.ids, acct.remotes = false, nil, nil
}

// size is how many accounts are known, for tests.
func (a *accounts) size() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.m)
}

// identKey is "<provider>|<provider account>": the canonical SaaS account, as claims, owner
// checks, gates and status.remoteAccount name it.
func identKey(p hooksv1alpha1.ProviderType, account string) string {
	return string(p) + "|" + account
}

// lockCreates holds the account's create turn until the returned function is called.
func (acct *account) lockCreates() func() {
	acct.creating.Lock()
	return acct.creating.Unlock
}

// snapshot makes sure the account's snapshot was listed at notBefore or later, listing again when
// it is missing or older. It copies nothing: find and matching read the snapshot afterwards. The
// remote webhooks in it are never modified, only replaced, so a caller may keep one it read.
func (acct *account) snapshot(ctx context.Context, now func() time.Time, notBefore time.Time,
	list func(context.Context) ([]*providers.Remote, error)) error {
	acct.mu.Lock()
	defer acct.mu.Unlock()
	if acct.valid && !acct.fetched.Before(notBefore) {
		return nil
	}
	started := now()
	remotes, err := list(ctx)
	if err != nil {
		acct.valid = false
		return err
	}
	acct.ids = make([]string, 0, len(remotes))
	acct.remotes = make(map[string]*providers.Remote, len(remotes))
	for _, r := range remotes {
		if _, dup := acct.remotes[r.ID]; !dup {
			acct.ids = append(acct.ids, r.ID)
		}
		acct.remotes[r.ID] = r
	}
	acct.valid, acct.fetched = true, started
	return nil
}

// find returns the remote webhook with the id from the snapshot.
func (acct *account) find(id string) (*providers.Remote, bool) {
	acct.mu.Lock()
	defer acct.mu.Unlock()
	r, ok := acct.remotes[id]
	return r, ok
}

// matching returns the remote webhooks of the snapshot that match, in list order.
func (acct *account) matching(match func(*providers.Remote) bool) []*providers.Remote {
	acct.mu.Lock()
	defer acct.mu.Unlock()
	var out []*providers.Remote
	for _, id := range acct.ids {
		if r := acct.remotes[id]; match(r) {
			out = append(out, r)
		}
	}
	return out
}

// put records a remote webhook the operator just created, updated or found.
func (acct *account) put(r *providers.Remote) {
	acct.mu.Lock()
	defer acct.mu.Unlock()
	if !acct.valid {
		return
	}
	if _, ok := acct.remotes[r.ID]; !ok {
		acct.ids = append(acct.ids, r.ID)
	}
	acct.remotes[r.ID] = r
}

// remove forgets a remote webhook the operator just deleted.
func (acct *account) remove(id string) {
	acct.mu.Lock()
	defer acct.mu.Unlock()
	if _, ok := acct.remotes[id]; !ok {
		return
	}
	delete(acct.remotes, id)
	for i, v := range acct.ids {
		if v == id {
			acct.ids = append(acct.ids[:i:i], acct.ids[i+1:]...)
			break
		}
	}
}

// invalidate makes the next snapshot list again: what the SaaS holds is no longer known.
func (acct *account) invalidate() {
	acct.mu.Lock()
	defer acct.mu.Unlock()
	acct.valid = false
}
