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

package v1alpha1

// Finalizer is set on every Webhook before anything is created remotely, so that the remote
// webhook is deleted (or deliberately orphaned) before the Webhook goes away.
const Finalizer = "hooks.hookkeeper.dev/finalizer"

// Annotations a user sets on a Webhook.
const (
	// AnnotationExternalID adopts this existing remote webhook instead of creating one.
	AnnotationExternalID = "hooks.hookkeeper.dev/external-id"
	// AnnotationPaused set to "true" stops every call to the SaaS for this Webhook.
	AnnotationPaused = "hooks.hookkeeper.dev/paused"
	// AnnotationReconcileRequestedAt forces a sync whenever its value changes.
	AnnotationReconcileRequestedAt = "hooks.hookkeeper.dev/reconcile-requested-at"
)

// Condition types. Ready is the summary; Reconciling and Stalled are the kstatus conditions
// (abnormal-true: True only when something is unusual), which tools such as Flux and kubectl
// wait read. The operator sets all three together, with the same reason.
const (
	// ConditionReady is True when the remote webhook exists, matches the spec and delivers as
	// spec.enabled says.
	ConditionReady = "Ready"
	// ConditionReconciling is True while the operator still works toward the spec without a
	// person having to act: creating, updating, deleting, waiting for the SaaS to verify the
	// webhook, re-activating it, or retrying after a transient error.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when nothing changes until a person acts: the spec or the
	// credentials must change, a conflicting Webhook must go, or the paused annotation must be
	// removed.
	ConditionStalled = "Stalled"
)

// Reasons of the Ready condition. They are part of the API: stable and CamelCase.
const (
	ReasonAvailable           = "Available"
	ReasonDisabled            = "Disabled"
	ReasonCreating            = "Creating"
	ReasonUpdating            = "Updating"
	ReasonDeleting            = "Deleting"
	ReasonRemoteDisabled      = "RemoteDisabled"
	ReasonInvalidSpec         = "InvalidSpec"
	ReasonCredentialsNotFound = "CredentialsNotFound"
	ReasonUnauthorized        = "Unauthorized"
	ReasonRateLimited         = "RateLimited"
	ReasonProviderUnavailable = "ProviderUnavailable"
	ReasonConflict            = "Conflict"
	ReasonPaused              = "Paused"

	// ReasonAccountNotFound: spec.accountRef names an Account or ClusterAccount that does not exist.
	ReasonAccountNotFound = "AccountNotFound"
	// ReasonAccountNotPermitted: the Webhook's namespace matches none of the ClusterAccount's
	// conditions.
	ReasonAccountNotPermitted = "AccountNotPermitted"
	// ReasonTargetNotPermitted: targetUrl matches none of the account's allowedTargets.
	ReasonTargetNotPermitted = "TargetNotPermitted"
	// ReasonAccountLimitReached: the namespace already has limits.webhooksPerNamespace Webhooks on
	// the account.
	ReasonAccountLimitReached = "AccountLimitReached"
)

// IsEnabled reports spec.enabled, which defaults to true.
func (s *WebhookSpec) IsEnabled() bool {
	return s.Enabled == nil || *s.Enabled
}

// SecretRefs returns every Secret key the provider block refers to, keyed by the field's path
// below spec (such as "webex.secretRef"). The credentials Secret is not among them.
func (s *WebhookSpec) SecretRefs() map[string]SecretKeySelector {
	refs := map[string]SecretKeySelector{}
	for path, ref := range s.SecretRefFields() {
		if ref != nil {
			refs[path] = *ref
		}
	}
	return refs
}

// SecretRefFields returns the Secret reference fields of the provider block that is set, by
// path below spec, as pointers into s: nil where an optional reference is unset. SecretRefs and
// the import command (which names the Secrets it cannot read) build on it.
func (s *WebhookSpec) SecretRefFields() map[string]*SecretKeySelector {
	fields := map[string]*SecretKeySelector{}
	switch {
	case s.Webex != nil:
		fields["webex.secretRef"] = s.Webex.SecretRef
	case s.EightByEight != nil:
		fields["eightByEight.authorizationSecretRef"] = s.EightByEight.AuthorizationSecretRef
		if s.EightByEight.OAuth != nil {
			fields["eightByEight.oauth.clientSecretRef"] = &s.EightByEight.OAuth.ClientSecretRef
		}
	case s.Autodesk != nil:
		fields["autodesk.secretRef"] = s.Autodesk.SecretRef
	}
	return fields
}

// SecretNames returns the names of every Secret the Webhook reads, the credentials Secret first.
func (s *WebhookSpec) SecretNames() []string {
	var names []string
	if s.CredentialsRef != nil {
		names = append(names, s.CredentialsRef.Name)
	}
	for _, ref := range s.SecretRefs() {
		dup := false
		for _, n := range names {
			dup = dup || n == ref.Name
		}
		if !dup {
			names = append(names, ref.Name)
		}
	}
	return names
}
