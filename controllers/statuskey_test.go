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
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
)

// unkeyedHash is status.appliedSecretHash as releases before the status key wrote it: SHA-256 of
// the UID and the secrets, which anyone who reads the Webhook can recompute for a guess.
func unkeyedHash(uid types.UID, secrets map[string]string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s;", uid)
	for _, p := range slices.Sorted(maps.Keys(secrets)) {
		fmt.Fprintf(h, "%s=%x;", p, secrets[p])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, StatusKeySize) }

func TestSecretHashIsKeyed(t *testing.T) {
	wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{UID: "0b6c2f0e-9d1a-4c55-8a43-5e0d7e1f2a3b"}}
	secrets := map[string]string{"webex.secretRef": "weak-guessable", "oauth.clientSecretRef": "another"}
	a, b := &WebhookReconciler{StatusKey: testKey(1)}, &WebhookReconciler{StatusKey: testKey(2)}

	ha := a.secretHash(wh, secrets)
	if !strings.HasPrefix(ha, "hmac-sha256:") || len(ha) != len("hmac-sha256:")+64 {
		t.Fatalf("secretHash = %q, want hmac-sha256: and 64 hex digits", ha)
	}
	if again := (&WebhookReconciler{StatusKey: testKey(1)}).secretHash(wh, secrets); again != ha {
		t.Errorf("the same key and secrets hash to %q, then %q", ha, again)
	}
	if hb := b.secretHash(wh, secrets); hb == ha {
		t.Error("two keys give the same hash: it is not keyed")
	}
	old := unkeyedHash(wh.UID, secrets)
	if ha == old || strings.Contains(ha, strings.TrimPrefix(old, "sha256:")) {
		t.Errorf("status would hold the unkeyed SHA-256 %q, which a reader of the Webhook can test guesses against", old)
	}
	for _, v := range secrets {
		if strings.Contains(ha, v) || strings.Contains(ha, hex.EncodeToString([]byte(v))) {
			t.Errorf("the hash %q shows a secret", ha)
		}
	}
	rotated := map[string]string{"webex.secretRef": "weak-guessable2", "oauth.clientSecretRef": "another"}
	if a.secretHash(wh, rotated) == ha {
		t.Error("a rotated secret hashes as before")
	}
	other := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{UID: "another-uid"}}
	if a.secretHash(other, secrets) == ha {
		t.Error("two Webhooks with the same secrets share a hash")
	}
	if h := a.secretHash(wh, nil); h != "" {
		t.Errorf("no secrets hash to %q, want empty", h)
	}
}

// An earlier release's hash of the same secrets counts as applied, so that the upgrade sends no
// secrets again; one of other secrets, or a keyed hash of another key, does not.
func TestSecretsAppliedRecognisesTheUnkeyedHash(t *testing.T) {
	r := &WebhookReconciler{StatusKey: testKey(1)}
	secrets := map[string]string{"webex.secretRef": "s3cret"}
	withStatus := func(hash string) *hooksv1alpha1.Webhook {
		return &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{UID: "uid-1"}, Status: hooksv1alpha1.WebhookStatus{AppliedSecretHash: hash}}
	}
	keyed := r.secretHash(withStatus(""), secrets)
	for _, tc := range []struct {
		name, status string
		want         bool
	}{
		{"the keyed hash", keyed, true},
		{"the unkeyed hash of the same secrets", unkeyedHash("uid-1", secrets), true},
		{"the unkeyed hash of other secrets", unkeyedHash("uid-1", map[string]string{"webex.secretRef": "old"}), false},
		{"the unkeyed hash of another Webhook", unkeyedHash("uid-2", secrets), false},
		{"the hash of another key", (&WebhookReconciler{StatusKey: testKey(2)}).secretHash(withStatus(""), secrets), false},
		{"nothing", "", false},
	} {
		if got := r.secretsApplied(withStatus(tc.status), keyed, secrets); got != tc.want {
			t.Errorf("%s: secretsApplied = %t, want %t", tc.name, got, tc.want)
		}
	}
}

var statusKeyName = client.ObjectKey{Namespace: "hookkeeper-system", Name: "hookkeeper-status-key"}

func TestLoadStatusKeyCreatesOneKeyForEveryReplica(t *testing.T) {
	ctx := context.Background()
	c := fake.NewClientBuilder().Build()
	// Replicas starting together: each reads, finds nothing, creates; all must agree.
	const replicas = 8
	keys := make([][]byte, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { keys[i], errs[i] = LoadStatusKey(ctx, c, c, statusKeyName) })
	}
	wg.Wait()
	for i := range replicas {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("replica %d got another key than replica 0", i)
		}
	}
	if len(keys[0]) != StatusKeySize || bytes.Equal(keys[0], make([]byte, StatusKeySize)) {
		t.Fatalf("the key has %d bytes, or is all zero", len(keys[0]))
	}
	var s corev1.Secret
	if err := c.Get(ctx, statusKeyName, &s); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Data[StatusKeyDataKey], keys[0]) || s.Immutable == nil || !*s.Immutable {
		t.Errorf("the Secret holds another key, or is mutable: %+v", s.ObjectMeta)
	}
	// A restart reads the same key again.
	again, err := LoadStatusKey(ctx, c, c, statusKeyName)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Errorf("a restart got another key (%v)", err)
	}
}

// The replica whose read found nothing loses the create to another: it takes the winner's key.
func TestLoadStatusKeyLosesTheRaceToAnotherReplica(t *testing.T) {
	ctx := context.Background()
	winner := testKey(7)
	c := fake.NewClientBuilder().WithObjects(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: statusKeyName.Namespace, Name: statusKeyName.Name},
		Data:       map[string][]byte{StatusKeyDataKey: winner},
	}).Build()
	reads := 0
	late := interceptor.NewClient(c.(client.WithWatch), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			reads++
			if reads == 1 {
				return apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
			}
			return c.Get(ctx, key, obj, opts...)
		},
	})
	key, err := LoadStatusKey(ctx, late, late, statusKeyName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(key, winner) {
		t.Error("the replica that lost the create uses a key of its own")
	}
	if reads != 2 {
		t.Errorf("%d reads, want 2: the stale one, and the one after the create was refused", reads)
	}
}

// A Secret that exists is read, never written, whatever it holds.
func TestLoadStatusKeyNeverWritesAnExistingSecret(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		data    map[string][]byte
		wantErr []string // substrings of the error; none: the key is returned
	}{
		{name: "a key", data: map[string][]byte{StatusKeyDataKey: testKey(9)}},
		{name: "a longer key", data: map[string][]byte{StatusKeyDataKey: bytes.Repeat([]byte("k"), 64)}},
		{name: "no key", data: map[string][]byte{"other": testKey(9)},
			wantErr: []string{"hookkeeper-system/hookkeeper-status-key", `no data key "key"`}},
		{name: "a short key", data: map[string][]byte{StatusKeyDataKey: []byte("short-key-value")},
			wantErr: []string{"hookkeeper-system/hookkeeper-status-key", `data key "key" holds 15 bytes, want at least 32`}},
		{name: "no data", wantErr: []string{"hookkeeper-system/hookkeeper-status-key", `no data key "key"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			existing := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Namespace: statusKeyName.Namespace, Name: statusKeyName.Name},
				Data:       tc.data,
			}
			base := fake.NewClientBuilder().WithObjects(existing).Build()
			var writes []string
			c := interceptor.NewClient(base.(client.WithWatch), interceptor.Funcs{
				Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
					writes = append(writes, "create")
					return c.Create(ctx, obj, opts...)
				},
				Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
					writes = append(writes, "update")
					return c.Update(ctx, obj, opts...)
				},
				Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
					writes = append(writes, "patch")
					return c.Patch(ctx, obj, patch, opts...)
				},
				Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
					writes = append(writes, "delete")
					return c.Delete(ctx, obj, opts...)
				},
			})
			key, err := LoadStatusKey(ctx, c, c, statusKeyName)
			if len(writes) > 0 {
				t.Errorf("an existing Secret was written: %v", writes)
			}
			if tc.wantErr == nil {
				if err != nil || !bytes.Equal(key, tc.data[StatusKeyDataKey]) {
					t.Errorf("LoadStatusKey = %v, want the Secret's key", err)
				}
				return
			}
			if err == nil {
				t.Fatal("a malformed Secret was accepted")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			for _, v := range tc.data {
				if strings.Contains(err.Error(), string(v)) {
					t.Errorf("error %q shows the Secret's data", err)
				}
			}
		})
	}
}

func TestLoadStatusKeyNamesTheSecretWhenItCannotReadIt(t *testing.T) {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, statusKeyName.Name, errors.New("RBAC"))
	c := interceptor.NewClient(fake.NewClientBuilder().Build(), interceptor.Funcs{
		Get: func(context.Context, client.WithWatch, client.ObjectKey, client.Object, ...client.GetOption) error {
			return forbidden
		},
	})
	_, err := LoadStatusKey(context.Background(), c, c, statusKeyName)
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "status key Secret hookkeeper-system/hookkeeper-status-key") {
		t.Errorf("LoadStatusKey = %v, want the Forbidden error, naming the Secret", err)
	}
}
