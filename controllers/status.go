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
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	policy "github.com/hookkeeper/hookkeeper/internal/accounts"
	"github.com/hookkeeper/hookkeeper/internal/metrics"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
)

// Requeue waits for failures the work queue's backoff should not drive.
const (
	unauthorizedRetry = 5 * time.Minute
	credentialsRetry  = 2 * time.Minute
)

// maxConditionMessage caps a condition's message, in bytes: far below the API's 32768, so that
// no message can make a status write fail (and fail again at every retry), and above
// providers.MaxMessage, so that a message quoting a long targetUrl is still whole.
const maxConditionMessage = 4096

// setReady sets the Ready condition and, from its reason, Reconciling, Stalled and the observed
// generation: every condition the operator writes goes through here (see Webhook.SetReady). The
// message may quote a SaaS's answer or a tenant's spec, so it is made one safe, bounded line here,
// whatever its parts already went through.
func setReady(wh *hooksv1alpha1.Webhook, status metav1.ConditionStatus, reason, message string) {
	wh.SetReady(status, reason, providers.Line(message, maxConditionMessage))
}

// readyReason returns the current Ready reason, or "".
func readyReason(wh *hooksv1alpha1.Webhook) string {
	if c := meta.FindStatusCondition(wh.Status.Conditions, hooksv1alpha1.ConditionReady); c != nil {
		return c.Reason
	}
	return ""
}

// failure maps a provider error to the Ready condition, an event and the requeue: the one place
// where error kinds become behaviour. gate is the credential key to close on a 429.
func (r *WebhookReconciler) failure(ctx context.Context, wh *hooksv1alpha1.Webhook, gate string, err error) (ctrl.Result, error) {
	if refusal, ok := policy.AsRefusal(err); ok {
		return r.accountRefused(wh, refusal)
	}
	msg := err.Error()
	log := ctrl.LoggerFrom(ctx)
	switch providers.KindOf(err) {
	case providers.KindInvalid:
		r.warn(wh, hooksv1alpha1.ReasonInvalidSpec, msg)
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonInvalidSpec, msg)
		// Not retried until the spec changes.
		return ctrl.Result{}, reconcile.TerminalError(err)
	case providers.KindMissingCredentials:
		r.warn(wh, hooksv1alpha1.ReasonCredentialsNotFound, msg)
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonCredentialsNotFound, msg)
		// The Secret watch brings the Webhook back as soon as the Secret appears.
		return ctrl.Result{RequeueAfter: credentialsRetry}, nil
	case providers.KindUnauthorized:
		r.warn(wh, hooksv1alpha1.ReasonUnauthorized, msg)
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonUnauthorized, msg)
		return ctrl.Result{RequeueAfter: unauthorizedRetry}, nil
	case providers.KindRateLimited:
		wait := providers.RetryAfter(err)
		if wait <= 0 {
			wait = time.Second
		}
		r.Gates.Block(gate, wait)
		source := rateLimitSource(err)
		if source == "saas" {
			// Only the SaaS's own Retry-After holds the account back on every replica: the
			// client-side rate is this replica's part of the account's (split among the replicas),
			// and its wait is this replica's alone.
			r.recordAccountRateLimit(ctx, wh, wait)
		}
		metrics.RateLimitWaits.WithLabelValues(r.metricsProvider(wh), source).Inc()
		r.warn(wh, hooksv1alpha1.ReasonRateLimited, msg)
		log.Info("Rate limited", "source", source, "retryAfter", wait.String())
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonRateLimited, msg)
		return ctrl.Result{RequeueAfter: wait + 100*time.Millisecond}, nil
	case providers.KindConflict:
		r.warn(wh, hooksv1alpha1.ReasonConflict, msg)
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonConflict, msg)
		return r.resync(), nil
	default:
		r.warn(wh, hooksv1alpha1.ReasonProviderUnavailable, msg)
		setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonProviderUnavailable, msg)
		// The work queue backs off exponentially, up to 5 minutes.
		return ctrl.Result{}, err
	}
}

// rateLimitSource says where a KindRateLimited error comes from, as the rate-limit metrics label
// it: the SaaS's 429 ("saas"), the client-side rate ("client"), or a closed gate that held the
// request back ("gate").
func rateLimitSource(err error) string {
	if e, ok := errors.AsType[*providers.Error](err); ok {
		switch e.Op {
		case ratelimit.OpThrottle:
			return "client"
		case ratelimit.OpHold:
			return "gate"
		}
	}
	return "saas"
}

// rateLimited reports a closed gate without sending a request.
func (r *WebhookReconciler) rateLimited(wh *hooksv1alpha1.Webhook, wait time.Duration) (ctrl.Result, error) {
	metrics.RateLimitWaits.WithLabelValues(r.metricsProvider(wh), "gate").Inc()
	setReady(wh, metav1.ConditionFalse, hooksv1alpha1.ReasonRateLimited,
		"waiting "+wait.Round(time.Second).String()+" for the SaaS's Retry-After on these credentials")
	return ctrl.Result{RequeueAfter: wait + 100*time.Millisecond}, nil
}

// event records a Normal event. Like a condition's message, its note is made one safe line, cut
// to the API's limit for a note (providers.MaxMessage): a longer one is refused, and the event lost.
func (r *WebhookReconciler) event(wh *hooksv1alpha1.Webhook, reason, note string) {
	if r.Recorder != nil {
		r.Recorder.Eventf(wh, nil, corev1.EventTypeNormal, reason, reason, "%s", providers.Line(note, providers.MaxMessage))
	}
}

// warn records a Warning event, its note made safe as event's is.
func (r *WebhookReconciler) warn(wh *hooksv1alpha1.Webhook, reason, note string) {
	if r.Recorder != nil {
		r.Recorder.Eventf(wh, nil, corev1.EventTypeWarning, reason, reason, "%s", providers.Line(note, providers.MaxMessage))
	}
}
