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

package controllers_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/controllers"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	"github.com/hookkeeper/hookkeeper/providers/webex"
)

var _ = Describe("Status key", Ordered, func() {
	ctx := context.Background()
	const signing = "guessable-signing-secret"
	var (
		e   webexEnv
		key client.ObjectKey
		id  string
	)
	// hashOf is the hash of the Webhook's one secret, keyed with key, or unkeyed as releases before
	// the status key wrote it.
	hashOf := func(wh *hooksv1alpha1.Webhook, key []byte) string {
		input := fmt.Sprintf("%s;%s=%x;", wh.UID, webex.SecretRefPath, signing)
		if key == nil {
			sum := sha256.Sum256([]byte(input))
			return "sha256:" + hex.EncodeToString(sum[:])
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(input))
		return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
	}
	// updates counts the operator's updates of the remote webhook.
	updates := func() int {
		n := 0
		for _, m := range wx.Mutations() {
			if m.Remote == id && m.Kind == simulator.MutationUpdate {
				n++
			}
		}
		return n
	}

	BeforeAll(func() {
		e = newWebexEnv(ctx)
		e.putSecret(ctx, "webex-signing", map[string]string{"secret": signing})
		key = e.create(ctx, "keyed", func(wh *hooksv1alpha1.Webhook) {
			wh.Spec.Webex.SecretRef = &hooksv1alpha1.SecretKeySelector{Name: "webex-signing", Key: "secret"}
		})
		id = expectAvailable(ctx, key).Status.ID
	})

	It("keys appliedSecretHash with the key of the operator's Secret, not with what a reader of the Webhook knows", func() {
		var s corev1.Secret
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: statusKeySecret}, &s)).To(Succeed())
		statusKey := s.Data[controllers.StatusKeyDataKey]
		Expect(statusKey).To(HaveLen(controllers.StatusKeySize))
		Expect(s.Immutable).To(HaveValue(BeTrue()))

		wh := expectAvailable(ctx, key)
		Expect(wh.Status.AppliedSecretHash).To(Equal(hashOf(wh, statusKey)))
		Expect(wh.Status.AppliedSecretHash).NotTo(Equal(hashOf(wh, nil)), "a guess of the secret could be tested against status")
	})

	It("keeps the key across a restart: the secrets are not sent again", func() {
		before, hash := updates(), expectAvailable(ctx, key).Status.AppliedSecretHash
		restartOperator()
		requestSync(ctx, key)
		Consistently(func(g Gomega) {
			g.Expect(updates()).To(Equal(before))
			g.Expect(get(g, ctx, key).Status.AppliedSecretHash).To(Equal(hash))
		}).WithTimeout(3 * time.Second).Should(Succeed())
	})

	It("re-records an earlier release's unkeyed hash without sending the secrets again", func() {
		before := updates()
		wh := expectAvailable(ctx, key)
		keyed := wh.Status.AppliedSecretHash
		base := wh.DeepCopy()
		wh.Status.AppliedSecretHash = hashOf(wh, nil)
		Expect(k8sClient.Status().Patch(ctx, wh, client.MergeFrom(base))).To(Succeed())

		requestSync(ctx, key)
		Eventually(func(g Gomega) string { return get(g, ctx, key).Status.AppliedSecretHash }).Should(Equal(keyed))
		Consistently(updates).WithTimeout(2 * time.Second).Should(Equal(before))
	})
})
