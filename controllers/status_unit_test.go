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
	"errors"
	"strings"
	"testing"
	"unicode"

	"k8s.io/client-go/tools/events"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
)

// TestHostileTextReachesConditionsAndEventsSafe: whatever text an error carries (a provider's
// message built without Excerpt, a plain error quoting a 100 KB answer), the Ready condition
// and the event hold one clean line short enough for the API server to accept.
func TestHostileTextReachesConditionsAndEventsSafe(t *testing.T) {
	hostile := "\x1b[2J\x1b[31mred\x1b[0m \u202eevil\u202c \u2066x\u2069 a\u200bb\u200d\ufeff\r\nlevel=info msg=forged " +
		strings.Repeat("A", 100<<10)
	const visible = "red evil x a b level=info msg=forged AAAA"
	errs := map[string]error{"plain error": errors.New(hostile)}
	for _, k := range []providers.Kind{providers.KindInvalid, providers.KindMissingCredentials, providers.KindUnauthorized,
		providers.KindConflict, providers.KindUnavailable} {
		errs[k.String()] = &providers.Error{Kind: k, Provider: "saas", Op: "create", StatusCode: 400, Message: hostile, TrackingID: hostile}
	}
	for name, err := range errs {
		t.Run(name, func(t *testing.T) {
			rec := events.NewFakeRecorder(4)
			r := &WebhookReconciler{Recorder: rec}
			wh := &hooksv1alpha1.Webhook{}
			_, _ = r.failure(context.Background(), wh, "gate", err)
			if len(wh.Status.Conditions) == 0 {
				t.Fatal("failure set no condition")
			}
			for _, c := range wh.Status.Conditions {
				assertSafeLine(t, "condition "+c.Type, c.Message, maxConditionMessage)
			}
			msg := readyMessage(wh)
			if !strings.Contains(msg, visible) {
				t.Errorf("Ready message %.120q lost the printable text %q", msg, visible)
			}
			select {
			case ev := <-rec.Events:
				assertSafeLine(t, "event", ev, providers.MaxMessage+100)
			default:
				t.Fatal("failure recorded no event")
			}
		})
	}
}

// TestConditionAndEventCaps: the operator's own messages are capped too, a condition's at
// maxConditionMessage bytes (whole for a 2048-character targetUrl) and an event's at the API's
// 1024.
func TestConditionAndEventCaps(t *testing.T) {
	target := "https://hooks.example.com/" + strings.Repeat("p", 2048-26)
	wh := &hooksv1alpha1.Webhook{}
	setReady(wh, "False", hooksv1alpha1.ReasonCreating, "check that "+target+" answers its verification request")
	if msg := readyMessage(wh); !strings.Contains(msg, target) {
		t.Errorf("a message quoting a 2048-character targetUrl was cut: %d bytes", len(msg))
	}
	setReady(wh, "False", hooksv1alpha1.ReasonCreating, strings.Repeat("é", 100<<10))
	assertSafeLine(t, "Ready", readyMessage(wh), maxConditionMessage)

	rec := events.NewFakeRecorder(1)
	r := &WebhookReconciler{Recorder: rec}
	r.event(wh, "Created", "created remote webhook "+strings.Repeat("7", 100<<10))
	// The fake recorder prefixes "Normal Created ".
	note := strings.TrimPrefix(<-rec.Events, "Normal Created ")
	if len(note) > providers.MaxMessage {
		t.Errorf("event note has %d bytes, want at most %d", len(note), providers.MaxMessage)
	}
}

func readyMessage(wh *hooksv1alpha1.Webhook) string {
	for _, c := range wh.Status.Conditions {
		if c.Type == hooksv1alpha1.ConditionReady {
			return c.Message
		}
	}
	return ""
}

func assertSafeLine(t *testing.T, what, s string, maxBytes int) {
	t.Helper()
	if len(s) > maxBytes {
		t.Errorf("%s has %d bytes, want at most %d", what, len(s), maxBytes)
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp)
	}); i >= 0 {
		t.Errorf("%s holds a control or format character at byte %d: %.120q", what, i, s)
	}
}
