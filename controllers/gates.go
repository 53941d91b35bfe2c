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
	"sync"
	"time"
)

// Gates remembers, per credential, the time before which no request may be sent: a 429 for one
// Webhook pauses every Webhook that uses the same account.
type Gates struct {
	mu    sync.Mutex
	until map[string]time.Time
	now   func() time.Time
}

// NewGates returns empty gates that read the time from now.
func NewGates(now func() time.Time) *Gates {
	return &Gates{until: map[string]time.Time{}, now: now}
}

// Block closes the gate of key for d, unless it is already closed for longer.
func (g *Gates) Block(key string, d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t := g.now().Add(d)
	if t.After(g.until[key]) {
		g.until[key] = t
	}
}

// Wait returns how long key's gate stays closed, 0 when it is open.
func (g *Gates) Wait(key string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.until[key]
	if !ok {
		return 0
	}
	d := t.Sub(g.now())
	if d <= 0 {
		delete(g.until, key)
		return 0
	}
	return d
}
