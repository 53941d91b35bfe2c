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

package simulator

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// MutationKind says what a mutating request did to a remote webhook.
type MutationKind string

// The kinds of mutation a simulator records.
const (
	MutationCreate MutationKind = "create"
	MutationUpdate MutationKind = "update"
	// MutationReactivate is an update that turned a webhook the SaaS had disabled active again.
	MutationReactivate MutationKind = "reactivate"
	// MutationActivate is a verification that the client asked for (PageSeeder's ping) and that
	// made a pending webhook active.
	MutationActivate MutationKind = "activate"
	MutationDelete   MutationKind = "delete"
)

// Mutation is one change that a request made to a simulator's webhooks, as a test reads it back
// to tell which client changed which webhook, and when.
type Mutation struct {
	// Time is when the simulator applied the change.
	Time time.Time
	Kind MutationKind
	// UserAgent is the request's User-Agent header: the operator names its replica in it.
	UserAgent string
	// Remote is the webhook's id on the SaaS (8x8, which has none: "<accountId>/<subAccountId>/<type>").
	Remote string
	// Name is the webhook's name where the SaaS has one (Webex, PageSeeder: the operator's
	// "<namespace>/<name>" marker by default); "" otherwise.
	Name string
	// TargetURL is where the webhook delivers: after the change, or before it for a delete.
	TargetURL string
}

// MutationLog records the mutations of a simulator. The zero value is ready to use and safe for
// concurrent use.
type MutationLog struct {
	mu  sync.Mutex
	log []Mutation
}

// Add records m, made by the request r: its time is now, its User-Agent r's. Call it once the
// change is applied, and only then.
func (l *MutationLog) Add(r *http.Request, m Mutation) {
	m.Time = time.Now()
	m.UserAgent = r.Header.Get("User-Agent")
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = append(l.log, m)
}

// List returns every mutation recorded, in the order they were applied.
func (l *MutationLog) List() []Mutation {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.log)
}
