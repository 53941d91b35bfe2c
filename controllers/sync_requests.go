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

	"k8s.io/apimachinery/pkg/types"
)

// syncRequests maps a Webhook's UID to the last reconcile-requested-at value acted on ("" for
// none): a plain map, a third of a sync.Map's size per entry, as every Webhook has one.
type syncRequests struct {
	mu sync.Mutex
	m  map[types.UID]string
}

// swap records v for uid and returns the value it replaces, and whether there was one.
func (s *syncRequests) swap(uid types.UID, v string) (old string, seen bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[types.UID]string{}
	}
	old, seen = s.m[uid]
	s.m[uid] = v
	return old, seen
}

func (s *syncRequests) forget(uid types.UID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, uid)
}
