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
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// buildRequest resolves the credentials Secret and every secretRef of the Webhook, in its own
// namespace only, into a provider request; a Webhook on an account takes the account's fields and
// credentials (accountRequest), under the account's rules when live. A missing Secret or key is a
// KindMissingCredentials error that names it, never its value.
func (r *WebhookReconciler) buildRequest(ctx context.Context, wh *hooksv1alpha1.Webhook, live bool) (*providers.Request, error) {
	if wh.Spec.AccountRef != nil {
		return r.accountRequest(ctx, wh, live)
	}
	if wh.Spec.CredentialsRef == nil {
		return nil, providers.Invalid("", "credentialsRef", "set exactly one of spec.credentialsRef and spec.accountRef")
	}
	creds, err := r.readSecret(ctx, wh, client.ObjectKey{Namespace: wh.Namespace, Name: wh.Spec.CredentialsRef.Name}, "spec.credentialsRef")
	if err != nil {
		return nil, err
	}
	req := &providers.Request{
		Owner:       wh.Namespace + "/" + wh.Name,
		Spec:        wh.Spec.DeepCopy(),
		Credentials: creds.Data,
		Secrets:     map[string]string{},
	}
	for path, ref := range wh.Spec.SecretRefs() {
		if err := r.resolveSecret(ctx, wh, req, path, client.ObjectKey{Namespace: wh.Namespace, Name: ref.Name}, "spec."+path, ref.Key); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// resolveSecret reads one key of a Secret into req.Secrets[path].
func (r *WebhookReconciler) resolveSecret(ctx context.Context, wh *hooksv1alpha1.Webhook, req *providers.Request, path string, key client.ObjectKey, field, dataKey string) error {
	s, err := r.readSecret(ctx, wh, key, field)
	if err != nil {
		return err
	}
	v, ok := s.Data[dataKey]
	if !ok || len(v) == 0 {
		return &providers.Error{Kind: providers.KindMissingCredentials, Op: "resolve secrets", Field: path,
			Message: fmt.Sprintf("%s: Secret %q has no key %q (or it is empty)", field, key.Name, dataKey)}
	}
	req.Secrets[path] = string(v)
	return nil
}

// readSecret reads a Secret: of the Webhook's namespace, or of its account's. The operator
// watches Secrets as metadata only; the data of a Secret that a Webhook reads is fetched from the
// API server once per resource version and kept. For a Webhook being deleted, a Secret deleted a
// short while ago (by the same namespace deletion, typically) is still known. The field names the
// reference in errors; a Secret outside the Webhook's namespace is not named by its namespace.
func (r *WebhookReconciler) readSecret(ctx context.Context, wh *hooksv1alpha1.Webhook, key client.ObjectKey, field string) (*corev1.Secret, error) {
	meta, err := r.getSecretMeta(ctx, key)
	switch {
	case err == nil:
		if data, ok := r.secrets.get(key, meta.ResourceVersion); ok {
			return &corev1.Secret{Data: data}, nil
		}
	case !apierrors.IsNotFound(err):
		if key.Namespace == wh.Namespace {
			return nil, err
		}
		// A Secret outside the cached namespaces: read it from the API server below.
	}
	// Not read yet, changed since, or not in the watch cache yet: ask the API server.
	s := &corev1.Secret{}
	err = r.APIReader.Get(ctx, key, s)
	if err == nil {
		r.secrets.put(key, s.ResourceVersion, s.Data)
		return s, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, err
	}
	if !wh.DeletionTimestamp.IsZero() {
		if data, ok := r.secrets.recall(key); ok {
			ctrl.LoggerFrom(ctx).Info("Using a deleted Secret's last known data to delete the remote webhook", "secret", key.Name)
			return &corev1.Secret{Data: data}, nil
		}
	}
	where := fmt.Sprintf("in namespace %q", key.Namespace)
	if key.Namespace != wh.Namespace {
		where = "in the account's namespace"
	}
	return nil, &providers.Error{Kind: providers.KindMissingCredentials, Op: "resolve secrets",
		Message: fmt.Sprintf("%s: Secret %q not found %s", field, key.Name, where)}
}

// credentialKey identifies the account behind a request, for the per-credential rate-limit gate.
// It is a hash: the credentials themselves never leave the request.
func credentialKey(p hooksv1alpha1.ProviderType, creds map[string][]byte) string {
	keys := make([]string, 0, len(creds))
	for k := range creds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%x;", k, creds[k])
	}
	return string(p) + ":" + hex.EncodeToString(h.Sum(nil))[:32]
}

// secretHashPrefix marks a status.appliedSecretHash keyed with the status key; legacyHashPrefix
// the unkeyed hash of earlier releases.
const (
	secretHashPrefix = "hmac-sha256:"
	legacyHashPrefix = "sha256:"
)

// secretHash is what status records of the secrets a request sends, so that a rotation is noticed
// even where the SaaS masks secrets on read: an HMAC keyed with the operator's status key, because
// anyone who may read the Webhook could test guesses of a weak secret against a hash salted with
// what status itself shows (the UID). "" when there are none.
func (r *WebhookReconciler) secretHash(wh *hooksv1alpha1.Webhook, secrets map[string]string) string {
	if len(secrets) == 0 {
		return ""
	}
	return secretHashPrefix + hex.EncodeToString(hashSecrets(hmac.New(sha256.New, r.StatusKey), wh, secrets))
}

// secretsApplied reports whether status records that the secrets, whose secretHash is keyed,
// were applied. An earlier release's unkeyed hash of the same secrets counts too, so that the
// upgrade re-records it rather than sending every Webhook's secrets to the SaaS again.
func (r *WebhookReconciler) secretsApplied(wh *hooksv1alpha1.Webhook, keyed string, secrets map[string]string) bool {
	applied := wh.Status.AppliedSecretHash
	if applied == keyed {
		return true
	}
	if !strings.HasPrefix(applied, legacyHashPrefix) || len(secrets) == 0 {
		return false
	}
	legacy := legacyHashPrefix + hex.EncodeToString(hashSecrets(sha256.New(), wh, secrets))
	return hmac.Equal([]byte(applied), []byte(legacy))
}

// hashSecrets writes the UID and the secrets into h, in an order and encoding that depend on
// nothing else, and returns the sum.
func hashSecrets(h hash.Hash, wh *hooksv1alpha1.Webhook, secrets map[string]string) []byte {
	paths := make([]string, 0, len(secrets))
	for p := range secrets {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	fmt.Fprintf(h, "%s;", wh.UID)
	for _, p := range paths {
		fmt.Fprintf(h, "%s=%x;", p, secrets[p])
	}
	return h.Sum(nil)
}
