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

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// secretStore is what the reconciler keeps of the Secrets that Webhooks read: their data by
// resource version (secretCache), and for a while the data of those deleted (secretMemory), so
// that the Webhooks deleted after their Secret can still delete their remote webhooks. The Secret
// watch tells it of every change; readSecret asks it before the API server.
type secretStore struct {
	read    *secretCache
	deleted *secretMemory
}

// newSecretStore keeps a deleted Secret's data for keep.
func newSecretStore(keep time.Duration, now func() time.Time) *secretStore {
	return &secretStore{read: newSecretCache(), deleted: newSecretMemory(keep, now)}
}

// get returns the data of the Secret read at the resource version.
func (s *secretStore) get(key client.ObjectKey, version string) (map[string][]byte, bool) {
	return s.read.get(key, version)
}

// put keeps the data of the Secret read at the resource version.
func (s *secretStore) put(key client.ObjectKey, version string, data map[string][]byte) {
	s.read.put(key, version, data)
}

// recall returns the last data read of a Secret deleted a short while ago.
func (s *secretStore) recall(key client.ObjectKey) (map[string][]byte, bool) {
	return s.deleted.recall(key)
}

// created: the Secret exists (again); what was kept of it goes.
func (s *secretStore) created(key client.ObjectKey) {
	s.deleted.forget(key)
	s.read.forget(key)
}

// updated: the Secret changed; it returns the data last read of it, if any, which is stale now.
func (s *secretStore) updated(key client.ObjectKey) (map[string][]byte, bool) {
	return s.read.forget(key)
}

// removed: the Secret was deleted; the data last read of it is remembered when Webhooks read it
// (readers), for their deletion.
func (s *secretStore) removed(key client.ObjectKey, readers bool) {
	if data, ok := s.read.forget(key); ok && readers {
		s.deleted.remember(key, data)
	}
}

// secretCache holds the data of the Secrets that Webhooks read, each with the resource version it
// was read at. Only referenced Secrets ever enter it; a change or deletion of one drops it.
type secretCache struct {
	mu sync.Mutex
	m  map[client.ObjectKey]cachedSecret
}

type cachedSecret struct {
	version string
	data    map[string][]byte
}

func newSecretCache() *secretCache {
	return &secretCache{m: map[client.ObjectKey]cachedSecret{}}
}

// get returns the data read at the resource version.
func (c *secretCache) get(key client.ObjectKey, version string) (map[string][]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[key]
	if !ok || s.version != version {
		return nil, false
	}
	return s.data, true
}

func (c *secretCache) put(key client.ObjectKey, version string, data map[string][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = cachedSecret{version: version, data: data}
}

// forget drops a Secret and returns the data last read of it, if any.
func (c *secretCache) forget(key client.ObjectKey) (map[string][]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[key]
	delete(c.m, key)
	return s.data, ok
}
