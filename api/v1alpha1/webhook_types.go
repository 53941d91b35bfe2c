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

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProviderType names the SaaS that hosts a remote webhook.
// +kubebuilder:validation:Enum=Webex;EightByEight;Autodesk;PageSeeder
type ProviderType string

// The supported providers.
const (
	ProviderWebex        ProviderType = "Webex"
	ProviderEightByEight ProviderType = "EightByEight"
	ProviderAutodesk     ProviderType = "Autodesk"
	ProviderPageSeeder   ProviderType = "PageSeeder"
)

// DeletionPolicy says what happens to the remote webhook when its Webhook is deleted.
// +kubebuilder:validation:Enum=Delete;Orphan
type DeletionPolicy string

// The deletion policies.
const (
	// DeletionPolicyDelete removes the remote webhook before the Webhook goes away.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyOrphan leaves the remote webhook in place.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
)

// LocalObjectReference names an object in the Webhook's own namespace.
type LocalObjectReference struct {
	// Name of the Secret, in the Webhook's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// AccountKind is the kind of account a Webhook names.
// +kubebuilder:validation:Enum=Account;ClusterAccount
type AccountKind string

// The account kinds.
const (
	// AccountKindAccount is an Account in the Webhook's own namespace.
	AccountKindAccount AccountKind = "Account"
	// AccountKindClusterAccount is a cluster-scoped ClusterAccount.
	AccountKindClusterAccount AccountKind = "ClusterAccount"
)

// AccountReference names the Account or ClusterAccount whose credentials a Webhook uses.
type AccountReference struct {
	// Kind is Account (the default: looked up in the Webhook's namespace) or ClusterAccount.
	// +kubebuilder:default=Account
	// +optional
	Kind AccountKind `json:"kind,omitempty"`
	// Name of the Account or ClusterAccount.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// IsCluster reports whether the reference names a ClusterAccount.
func (r *AccountReference) IsCluster() bool { return r != nil && r.Kind == AccountKindClusterAccount }

// SecretKeySelector picks one key of a Secret in the Webhook's own namespace.
type SecretKeySelector struct {
	// Name of the Secret, in the Webhook's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Key within the Secret's data whose value is used.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// WebhookSpec is the desired state of one webhook subscription on a SaaS.
// +kubebuilder:validation:XValidation:rule="self.provider != 'Webex' || has(self.webex)",message="spec.webex is required when spec.provider is Webex"
// +kubebuilder:validation:XValidation:rule="self.provider != 'EightByEight' || has(self.eightByEight)",message="spec.eightByEight is required when spec.provider is EightByEight"
// +kubebuilder:validation:XValidation:rule="self.provider != 'Autodesk' || has(self.autodesk)",message="spec.autodesk is required when spec.provider is Autodesk"
// +kubebuilder:validation:XValidation:rule="self.provider != 'PageSeeder' || has(self.pageSeeder)",message="spec.pageSeeder is required when spec.provider is PageSeeder"
// +kubebuilder:validation:XValidation:rule="!has(self.webex) || self.provider == 'Webex'",message="spec.webex is only allowed when spec.provider is Webex: set exactly the block that matches spec.provider"
// +kubebuilder:validation:XValidation:rule="!has(self.eightByEight) || self.provider == 'EightByEight'",message="spec.eightByEight is only allowed when spec.provider is EightByEight: set exactly the block that matches spec.provider"
// +kubebuilder:validation:XValidation:rule="!has(self.autodesk) || self.provider == 'Autodesk'",message="spec.autodesk is only allowed when spec.provider is Autodesk: set exactly the block that matches spec.provider"
// +kubebuilder:validation:XValidation:rule="!has(self.pageSeeder) || self.provider == 'PageSeeder'",message="spec.pageSeeder is only allowed when spec.provider is PageSeeder: set exactly the block that matches spec.provider"
// +kubebuilder:validation:XValidation:rule="has(self.credentialsRef) != has(self.accountRef)",message="set exactly one of spec.credentialsRef and spec.accountRef"
// +kubebuilder:validation:XValidation:rule="has(self.accountRef) || self.provider != 'EightByEight' || !has(self.eightByEight) || has(self.eightByEight.accountId)",message="spec.eightByEight.accountId is required unless spec.accountRef names an account that sets it"
// +kubebuilder:validation:XValidation:rule="has(self.accountRef) || self.provider != 'PageSeeder' || !has(self.pageSeeder) || (has(self.pageSeeder.serverUrl) && has(self.pageSeeder.client))",message="spec.pageSeeder.serverUrl and spec.pageSeeder.client are required unless spec.accountRef names an account that sets them"
type WebhookSpec struct {
	// Provider is the SaaS that hosts the webhook: Webex, EightByEight, Autodesk or PageSeeder.
	// It cannot be changed: delete the Webhook and create a new one instead.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.provider is immutable: delete the Webhook and create a new one to move to another provider"
	Provider ProviderType `json:"provider"`

	// TargetURL is the absolute http or https URL that receives the events.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// It may not carry a user or password (the SaaS would store and show them) nor a fragment
	// (never sent over HTTP).
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",message="spec.targetUrl must be an absolute http:// or https:// URL with a host"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@')",message="spec.targetUrl must not carry a user or password: authenticate deliveries with the provider's signing secret instead"
	// +kubebuilder:validation:XValidation:rule="!self.contains('#')",message="spec.targetUrl must not have a #fragment: it is never sent to the receiver"
	TargetURL string `json:"targetUrl"`

	// Enabled says whether the SaaS should deliver events. Webex cannot pause a webhook through its
	// API, so there false deletes the remote webhook and true creates it again.
	// +kubebuilder:default=true
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// CredentialsRef names the Secret, in the Webhook's namespace, that holds the API credentials.
	// Keys: Webex `token`; EightByEight `apiKey`; Autodesk `clientId` and `clientSecret`, or `token`;
	// PageSeeder `clientId` and `clientSecret`, or `token`. Exactly one of this and accountRef.
	// +optional
	CredentialsRef *LocalObjectReference `json:"credentialsRef,omitempty"`

	// AccountRef names an Account (in the Webhook's namespace) or a ClusterAccount that holds the
	// credentials and the account-level settings, under the account's rules (who may use it, for
	// which targets, how many Webhooks). Exactly one of this and credentialsRef.
	// +optional
	AccountRef *AccountReference `json:"accountRef,omitempty"`

	// DeletionPolicy says whether deleting the Webhook deletes the remote webhook (Delete, the
	// default) or leaves it in place (Orphan).
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// Webex configures a Cisco Webex webhook. Set it when, and only when, provider is Webex.
	// +optional
	Webex *WebexSpec `json:"webex,omitempty"`

	// EightByEight configures an 8x8 Chat Apps webhook. Set it when, and only when, provider is EightByEight.
	// +optional
	EightByEight *EightByEightSpec `json:"eightByEight,omitempty"`

	// Autodesk configures an Autodesk Platform Services hook. Set it when, and only when, provider is Autodesk.
	// +optional
	Autodesk *AutodeskSpec `json:"autodesk,omitempty"`

	// PageSeeder configures a PageSeeder client webhook. Set it when, and only when, provider is PageSeeder.
	// +optional
	PageSeeder *PageSeederSpec `json:"pageSeeder,omitempty"`
}

// WebexResource is the Webex resource a webhook subscribes to.
// +kubebuilder:validation:Enum=all;attachmentActions;dataSources;memberships;messages;rooms;meetings;recordings;convergedRecordings;meetingParticipants;meetingTranscripts;telephony_calls;telephony_conference;telephony_mwi;uc_counters;serviceApp;adminBatchJobs
type WebexResource string

// WebexEvent is the Webex event a webhook subscribes to.
// +kubebuilder:validation:Enum=all;created;updated;deleted;started;ended;joined;left;migrated;authorized;deauthorized;statusChanged
type WebexEvent string

// WebexOwnedBy says who owns a Webex webhook.
// +kubebuilder:validation:Enum=creator;org
type WebexOwnedBy string

// The Webex owners.
const (
	WebexOwnedByCreator WebexOwnedBy = "creator"
	WebexOwnedByOrg     WebexOwnedBy = "org"
)

// WebexSpec configures a Cisco Webex webhook. Webex changes name, targetUrl and the signing
// secret in place; a change of resource, event, filter or ownedBy deletes the remote webhook and
// creates a new one, with a new id.
// +kubebuilder:validation:XValidation:rule="!has(self.filter) || !self.filter.matches('(^|&)(hostEmail|hostUserId|ownerEmail|ownerId)=') || self.ownedBy == 'org'",message="spec.webex.filter on hostEmail, hostUserId, ownerEmail or ownerId needs spec.webex.ownedBy: org"
type WebexSpec struct {
	// Name of the remote webhook. Defaults to "<namespace>/<name>" of this Webhook, which also lets
	// the operator find the webhook again if the status is lost.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name string `json:"name,omitempty"`

	// Resource is the Webex resource to watch, such as messages, rooms or memberships; "all" is
	// the firehose over memberships, messages and rooms.
	Resource WebexResource `json:"resource"`

	// Event is the event on the resource, such as created, updated or deleted; "all" for every one.
	Event WebexEvent `json:"event"`

	// Filter narrows the events, as Webex's "key=value&key=value" expression, for example
	// "roomId=Y2lz...". Filters on hostEmail, hostUserId, ownerEmail or ownerId need ownedBy: org.
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*=[^&=]+(&[A-Za-z][A-Za-z0-9_]*=[^&=]+)*$`
	// +optional
	Filter string `json:"filter,omitempty"`

	// OwnedBy is creator (the default: the token's user owns it) or org (an org-wide webhook,
	// which needs an administrator's token).
	// +kubebuilder:default=creator
	// +optional
	OwnedBy WebexOwnedBy `json:"ownedBy,omitempty"`

	// SecretRef points at the secret Webex uses to sign each delivery (X-Spark-Signature,
	// HMAC-SHA1 of the body). A change of the Secret is applied at once.
	// +optional
	SecretRef *SecretKeySelector `json:"secretRef,omitempty"`
}

// EightByEightType is the kind of 8x8 Chat Apps webhook.
// +kubebuilder:validation:Enum=MSG;CADR;CABM
type EightByEightType string

// EightByEightRegion is the 8x8 data centre that holds the account.
// +kubebuilder:validation:Enum=APAC;US;EU;ID
type EightByEightRegion string

// EightByEightSpec configures an 8x8 Chat Apps webhook. 8x8 keys webhooks by (accountId,
// subAccountId, type) and has no id of its own: status.id is "<accountId>/<subAccountId>/<type>".
// Every field but the key is changed in place; a change of the key moves the webhook.
// +kubebuilder:validation:XValidation:rule="!(has(self.authorizationSecretRef) && has(self.oauth))",message="spec.eightByEight: set at most one of authorizationSecretRef and oauth"
type EightByEightSpec struct {
	// AccountID is the 8x8 account, a GUID with or without dashes (32 to 36 characters).
	// +kubebuilder:validation:MinLength=32
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:Pattern=`^[0-9A-Fa-f]{8}[-]?(?:[0-9A-Fa-f]{4}[-]?){3}[0-9A-Fa-f]{12}$`
	// +optional
	AccountID string `json:"accountId,omitempty"`

	// SubAccountID is the sub-account whose events are sent, or "*" for every sub-account.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^(\*|[^\s/*]+)$`
	SubAccountID string `json:"subAccountId"`

	// Type is MSG (inbound messages), CADR (delivery receipts) or CABM (business management updates).
	Type EightByEightType `json:"type"`

	// Region is the 8x8 data centre: APAC (the default, chatapps.8x8.com), US (chatapps.us.8x8.com),
	// EU (chatapps.8x8.uk) or ID (chatapps.8x8.id). Empty means APAC, or the account's region.
	// +optional
	Region EightByEightRegion `json:"region,omitempty"`

	// AuthorizationSecretRef points at the static Authorization header value that 8x8 sends to
	// targetUrl with each delivery, such as "Bearer abc". At most one of this and oauth.
	// +optional
	AuthorizationSecretRef *SecretKeySelector `json:"authorizationSecretRef,omitempty"`

	// OAuth makes 8x8 fetch a token with the OAuth client-credentials flow and send it with each
	// delivery. At most one of this and authorizationSecretRef.
	// +optional
	OAuth *EightByEightOAuth `json:"oauth,omitempty"`
}

// EightByEightOAuth is the OAuth client-credentials configuration 8x8 uses to authenticate deliveries.
type EightByEightOAuth struct {
	// TokenURL is the token endpoint 8x8 calls, an absolute http or https URL.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",message="spec.eightByEight.oauth.tokenUrl must be an absolute http:// or https:// URL with a host"
	TokenURL string `json:"tokenUrl"`

	// ClientID is the OAuth client id.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	ClientID string `json:"clientId"`

	// ClientSecretRef points at the OAuth client secret.
	ClientSecretRef SecretKeySelector `json:"clientSecretRef"`

	// CredentialsLocation is where 8x8 puts the client credentials: header (HTTP Basic, the
	// default) or body (form fields).
	// +kubebuilder:validation:Enum=header;body
	// +kubebuilder:default=header
	// +optional
	CredentialsLocation string `json:"credentialsLocation,omitempty"`

	// Scope is the space-separated OAuth scope to ask for.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Scope string `json:"scope,omitempty"`
}

// AutodeskRegion is the APS region that stores the hook and sends its callbacks.
// +kubebuilder:validation:Enum=US;EMEA;AUS;CAN;DEU;IND;JPN;GBR
type AutodeskRegion string

// AutodeskSpec configures an Autodesk Platform Services hook. APS changes filter, hookAttribute,
// the token, autoReactivateHook, hookExpiry and callbackWithEventPayloadOnly in place (and the
// status, through spec.enabled); any other change deletes the hook and creates a new one.
type AutodeskSpec struct {
	// System is the APS event system, such as "data" or "derivative".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][A-Za-z0-9._-]*$`
	System string `json:"system"`

	// Event is the event name, such as "dm.version.added"; "*" wildcards are allowed ("dm.*").
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9*][A-Za-z0-9._*-]*$`
	Event string `json:"event"`

	// Region is where APS stores the hook: US (the default), EMEA, AUS, CAN, DEU, IND, JPN or GBR.
	// Empty means US, or the account's region.
	// +optional
	Region AutodeskRegion `json:"region,omitempty"`

	// Scope says what the hook watches, for example {folder: "urn:adsk.wipprod:fs.folder:co.abc"}.
	// +kubebuilder:validation:MinProperties=1
	// +kubebuilder:validation:MaxProperties=8
	Scope map[string]string `json:"scope"`

	// HookAttribute is free JSON, at most 1 KiB, that APS sends back with every event.
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	// +optional
	HookAttribute *apiextensionsv1.JSON `json:"hookAttribute,omitempty"`

	// Filter is a JsonPath expression that events must match, such as "$[?(@.ext=='txt')]".
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Filter string `json:"filter,omitempty"`

	// HubID is the hub to associate the hook with (ACC and BIM 360).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	HubID string `json:"hubId,omitempty"`

	// ProjectID is the project to associate the hook with (ACC and BIM 360).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	ProjectID string `json:"projectId,omitempty"`

	// Tenant is the tenant the event belongs to, where the system needs one.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Tenant string `json:"tenant,omitempty"`

	// AutoReactivateHook lets APS re-activate the hook itself after it disabled it.
	// +optional
	AutoReactivateHook *bool `json:"autoReactivateHook,omitempty"`

	// HookExpiry is when APS should delete the hook by itself; unset means never.
	// +optional
	HookExpiry *metav1.Time `json:"hookExpiry,omitempty"`

	// CallbackWithEventPayloadOnly makes APS send only the event payload, without the hook's details.
	// +optional
	CallbackWithEventPayloadOnly *bool `json:"callbackWithEventPayloadOnly,omitempty"`

	// SecretRef points at the hook's token, which APS uses to sign each delivery (x-adsk-signature).
	// +optional
	SecretRef *SecretKeySelector `json:"secretRef,omitempty"`
}

// PageSeederSpec configures a PageSeeder client webhook. The signing secret belongs to the
// PageSeeder OAuth client, not to the webhook, so there is no secretRef here.
type PageSeederSpec struct {
	// ServerURL is the PageSeeder server, such as "https://ps.example.org". It must be https unless
	// the operator runs with --allow-insecure-endpoints.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",message="spec.pageSeeder.serverUrl must be an absolute http:// or https:// URL with a host"
	// +optional
	ServerURL string `json:"serverUrl,omitempty"`

	// ServicePath is the path of the service API on the server; empty means /ps/service, or the
	// account's.
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:Pattern=`^/[A-Za-z0-9._~/-]*$`
	// +optional
	ServicePath string `json:"servicePath,omitempty"`

	// Client is the internal numeric id of the PageSeeder OAuth client that owns the webhook (not
	// its string identifier).
	// +kubebuilder:validation:Minimum=1
	// +optional
	Client int64 `json:"client,omitempty"`

	// Name of the remote webhook. Defaults to "<namespace>/<name>" of this Webhook.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name string `json:"name,omitempty"`

	// Events to send, such as "comment.*" or "membership.created"; empty means all.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^[a-z]+\.([a-z]+|\*)$`
	// +kubebuilder:validation:items:MaxLength=64
	// +optional
	Events []string `json:"events,omitempty"`

	// Projects limits the events to these projects; empty means all.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^[A-Za-z0-9._-]+$`
	// +kubebuilder:validation:items:MaxLength=128
	// +optional
	Projects []string `json:"projects,omitempty"`

	// Groups limits the events to these groups; empty means all.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^[A-Za-z0-9._-]+$`
	// +kubebuilder:validation:items:MaxLength=128
	// +optional
	Groups []string `json:"groups,omitempty"`

	// Server says whether the webhook also receives server events (member and project creation).
	// +optional
	Server *bool `json:"server,omitempty"`

	// Format is the posting format: json (the default) or xml.
	// +kubebuilder:validation:Enum=json;xml
	// +kubebuilder:default=json
	// +optional
	Format string `json:"format,omitempty"`

	// Object is how much of each object is sent: minimal (the default, ids only) or basic.
	// +kubebuilder:validation:Enum=minimal;basic
	// +kubebuilder:default=minimal
	// +optional
	Object string `json:"object,omitempty"`

	// InsecureSSL makes PageSeeder skip the TLS checks of targetUrl. Avoid it outside tests.
	// +optional
	InsecureSSL *bool `json:"insecureSSL,omitempty"`

	// Ping asks PageSeeder to ping the webhook after a create or a targetUrl change, so that it
	// moves from pending to active. Defaults to true.
	// +kubebuilder:default=true
	// +optional
	Ping *bool `json:"ping,omitempty"`
}

// WebhookStatus is the observed state of the remote webhook.
type WebhookStatus struct {
	// ID is the remote webhook's id as the SaaS knows it (8x8: "<accountId>/<subAccountId>/<type>"):
	// at most 256 printable characters, none of them a space. The operator refuses a SaaS answer
	// whose id is anything else (control characters, bidi controls, zero-width characters, an
	// id too long for its SaaS) as malformed, and retries with backoff, rather than show it here.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	ID string `json:"id,omitempty"`

	// RemoteAccount is the SaaS account that ID lives on, in the operator's canonical spelling of
	// it: the server and the account on it (a PageSeeder site and OAuth client, an 8x8 account and
	// region, an APS region, the Webex API), never a credential. Remote ids are unique within an
	// account only, so the operator never uses ID on another account: when the Webhook's account
	// changes, the remote webhook on the previous one is left in place, with a RemoteLeftBehind
	// warning event, and the Webhook gets a remote webhook on its new account.
	// +optional
	RemoteAccount string `json:"remoteAccount,omitempty"`

	// State is the remote webhook's state as the SaaS reports it, such as active, inactive or
	// pending, as a short token: lower-case letters, digits, "-" and "_", at most 32 characters
	// (capitals are lowered). Whatever else the SaaS answers, such as text with terminal escapes
	// or of any length, shows as "unknown", so that kubectl get webhooks stays safe to read.
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^[a-z0-9_-]*$`
	// +optional
	State string `json:"state,omitempty"`

	// Created is when the remote webhook was created (8x8 reports none: then it is when the
	// operator created it).
	// +optional
	Created *metav1.Time `json:"created,omitempty"`

	// ObservedGeneration is the metadata.generation this status was computed from. It is -1
	// until the operator has reconciled the Webhook once: a Webhook just applied then differs
	// from its generation, so kstatus (kubectl wait, Flux, cli-utils) reports InProgress, never
	// Current, before the operator has seen it.
	// +kubebuilder:default=-1
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// AppliedSecretHash is an HMAC-SHA-256 ("hmac-sha256:" and hex) of the secrets last sent to
	// the SaaS, keyed with a key that only the operator holds (its --status-key-secret Secret), so
	// that no reader of the Webhook can test guesses of a secret against it. Some SaaS never
	// return secrets, so this is how a rotation is noticed. A "sha256:" value is an earlier
	// release's; the operator replaces it without sending the secrets again.
	// +optional
	AppliedSecretHash string `json:"appliedSecretHash,omitempty"`

	// Reactivations counts how often the operator re-activated the webhook after the SaaS disabled
	// it, since it last delivered; each repeat doubles the wait.
	// +optional
	Reactivations int32 `json:"reactivations,omitempty"`

	// Conditions are Ready, and the kstatus conditions Reconciling (True while the operator
	// still works toward the spec) and Stalled (True when nothing changes until a person acts).
	// All three share the Ready condition's reason and carry the observed generation.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// Webhook declares one webhook subscription on a SaaS API. The operator creates the remote
// webhook, keeps it matching the spec, re-activates it when the SaaS disables it and deletes it
// when the Webhook is deleted.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=hook,categories=hookkeeper
// +kubebuilder:selectablefield:JSONPath=`.status.id`
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.provider`
// +kubebuilder:printcolumn:name="ID",type=string,JSONPath=`.status.id`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Webhook struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired webhook.
	Spec WebhookSpec `json:"spec"`
	// Status is what the operator last observed. The API server defaults it to
	// {observedGeneration: -1} (see WebhookStatus.ObservedGeneration).
	// +kubebuilder:default={}
	// +optional
	Status WebhookStatus `json:"status,omitempty"`
}

// WebhookList is a list of Webhooks.
// +kubebuilder:object:root=true
type WebhookList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the Webhooks.
	Items []Webhook `json:"items"`
}
