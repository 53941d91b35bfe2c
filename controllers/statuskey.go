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
	"crypto/rand"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// StatusKeyDataKey is the data key of the status key Secret that holds the key.
const StatusKeyDataKey = "key"

// StatusKeySize is the length in bytes of the key the operator creates, and the least it accepts:
// SHA-256's output size, below which RFC 2104 says an HMAC key weakens it.
const StatusKeySize = 32

// NewStatusKey returns a random key, for an operator that has no namespace to keep one in (run
// outside a cluster): the hashes it records then change with every start.
func NewStatusKey() ([]byte, error) {
	key := make([]byte, StatusKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generating a status key: %w", err)
	}
	return key, nil
}

// LoadStatusKey returns the key of status.appliedSecretHash, kept in the Secret name of the
// operator's own namespace so that every replica, and every restart, hashes alike. The first
// start creates the Secret with a random key; a Secret that exists is never written, so replicas
// starting together all end up with the one key whose create won.
//
// reader should read straight from the API server (the manager's API reader): a cached read
// would cache every Secret of the namespace for this one.
func LoadStatusKey(ctx context.Context, reader client.Reader, writer client.Writer, name client.ObjectKey) ([]byte, error) {
	s := &corev1.Secret{}
	err := reader.Get(ctx, name, s)
	if apierrors.IsNotFound(err) {
		var key []byte
		if key, err = NewStatusKey(); err != nil {
			return nil, err
		}
		s = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: name.Namespace, Name: name.Name, Labels: map[string]string{
				"app.kubernetes.io/name":      "hookkeeper",
				"app.kubernetes.io/component": "status-key",
			}},
			// Immutable: an edit would silently change every hash, and so re-apply every Webhook.
			Immutable: new(true),
			Type:      corev1.SecretTypeOpaque,
			Data:      map[string][]byte{StatusKeyDataKey: key},
		}
		err = writer.Create(ctx, s)
		if apierrors.IsAlreadyExists(err) {
			// Another replica created it in between: its key is the one.
			s = &corev1.Secret{}
			err = reader.Get(ctx, name, s)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("status key Secret %s: %w", name, err)
	}
	key := s.Data[StatusKeyDataKey]
	switch {
	case key == nil:
		return nil, fmt.Errorf("status key Secret %s has no data key %q: delete the Secret and restart the operator to create a new one", name, StatusKeyDataKey)
	case len(key) < StatusKeySize:
		return nil, fmt.Errorf("status key Secret %s: data key %q holds %d bytes, want at least %d: delete the Secret and restart the operator to create a new one",
			name, StatusKeyDataKey, len(key), StatusKeySize)
	}
	return key, nil
}
