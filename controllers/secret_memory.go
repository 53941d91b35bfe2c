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
	"maps"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// secretMemory keeps, for a bounded time, the data of deleted Secrets that Webhooks read. A
// namespace deletion removes the credentials Secret and the Webhooks in no set order; with this
// memory the Webhooks deleted after their Secret can still delete their remote webhooks instead
// of leaving them behind. It lives in the operator's memory only, as the informer cache that the
// data came from does, and is used for Webhooks being deleted only.
type secretMemory struct {
	mu      sync.Mutex
	ttl     time.Duration
	now     func() time.Time
	secrets map[client.ObjectKey]rememberedSecret
}

type rememberedSecret struct {
	data  map[string][]byte
	until time.Time
}

func newSecretMemory(ttl time.Duration, now func() time.Time) *secretMemory {
	return &secretMemory{ttl: ttl, now: now, secrets: map[client.ObjectKey]rememberedSecret{}}
}

// remember keeps a copy of a deleted Secret's data until the ttl has passed.
func (m *secretMemory) remember(key client.ObjectKey, data map[string][]byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire()
	m.secrets[key] = rememberedSecret{data: maps.Clone(data), until: m.now().Add(m.ttl)}
}

// forget drops a Secret that exists again.
func (m *secretMemory) forget(key client.ObjectKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.secrets, key)
}

// recall returns the data of a Secret deleted less than the ttl ago.
func (m *secretMemory) recall(key client.ObjectKey) (map[string][]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire()
	s, ok := m.secrets[key]
	return s.data, ok
}

func (m *secretMemory) expire() {
	now := m.now()
	for k, s := range m.secrets {
		if !now.Before(s.until) {
			delete(m.secrets, k)
		}
	}
}
