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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AccountSettings are what an Account and a ClusterAccount share: the SaaS, the account-level
// fields that every Webhook on the account uses, and the platform team's rules for it.
// +kubebuilder:validation:XValidation:rule="self.provider != 'EightByEight' || has(self.eightByEight)",message="eightByEight (accountId) is required when provider is EightByEight"
// +kubebuilder:validation:XValidation:rule="self.provider != 'PageSeeder' || has(self.pageSeeder)",message="pageSeeder (serverUrl and client) is required when provider is PageSeeder"
// +kubebuilder:validation:XValidation:rule="!has(self.eightByEight) || self.provider == 'EightByEight'",message="eightByEight is only allowed when provider is EightByEight"
// +kubebuilder:validation:XValidation:rule="!has(self.autodesk) || self.provider == 'Autodesk'",message="autodesk is only allowed when provider is Autodesk"
// +kubebuilder:validation:XValidation:rule="!has(self.pageSeeder) || self.provider == 'PageSeeder'",message="pageSeeder is only allowed when provider is PageSeeder"
type AccountSettings struct {
	// Provider is the SaaS: Webex, EightByEight, Autodesk or PageSeeder. It cannot be changed.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="provider is immutable: create another account for another provider"
	Provider ProviderType `json:"provider"`

	// EightByEight holds the 8x8 account-level fields: accountId, region and oauth. Webhooks on the
	// account leave them out or set the same values.
	// +optional
	EightByEight *EightByEightAccount `json:"eightByEight,omitempty"`

	// Autodesk holds the APS account-level field: region. Webhooks on the account leave it out or
	// set the same value.
	// +optional
	Autodesk *AutodeskAccount `json:"autodesk,omitempty"`

	// PageSeeder holds the PageSeeder account-level fields: serverUrl, servicePath and client.
	// Webhooks on the account leave them out or set the same values.
	// +optional
	PageSeeder *PageSeederAccount `json:"pageSeeder,omitempty"`

	// AllowedTargets, when set, are the only places deliveries may go: a Webhook's targetUrl must
	// start with one of them, compared as URLs (scheme, host and port exactly, then the path at a
	// "/" boundary). A host may be "*.domain", which matches every host below domain (not domain
	// itself). Example: "https://*.corp.example/". Empty: any target the operator accepts.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=2048
	// +kubebuilder:validation:items:Pattern=`^https?://(\*\.)?[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[^?#\s]*)?$`
	// +listType=atomic
	// +optional
	AllowedTargets []string `json:"allowedTargets,omitempty"`

	// Limits bound what each namespace may register on the account.
	// +optional
	Limits *AccountLimits `json:"limits,omitempty"`

	// AllowAdoption permits the hooks.hookkeeper.dev/external-id annotation on the account's
	// Webhooks (adopting a remote webhook that someone made by hand). Default: true on an Account,
	// false on a ClusterAccount, where a tenant could otherwise take over a webhook that nobody in
	// its namespace made.
	// +optional
	AllowAdoption *bool `json:"allowAdoption,omitempty"`
}

// EightByEightAccount is an 8x8 account shared by Webhooks.
type EightByEightAccount struct {
	// AccountID is the 8x8 account, a GUID with or without dashes (32 to 36 characters).
	// +kubebuilder:validation:MinLength=32
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:Pattern=`^[0-9A-Fa-f]{8}[-]?(?:[0-9A-Fa-f]{4}[-]?){3}[0-9A-Fa-f]{12}$`
	AccountID string `json:"accountId"`

	// Region is the 8x8 data centre: APAC (the default), US, EU or ID.
	// +optional
	Region EightByEightRegion `json:"region,omitempty"`

	// OAuth makes 8x8 fetch a token with the OAuth client-credentials flow and send it with each
	// delivery, for every Webhook on the account. Its clientSecretRef is read from the account's
	// credentials namespace.
	// +optional
	OAuth *EightByEightOAuth `json:"oauth,omitempty"`
}

// AutodeskAccount is an APS app shared by Webhooks.
type AutodeskAccount struct {
	// Region is where APS stores the hooks: US (the default), EMEA, AUS, CAN, DEU, IND, JPN or GBR.
	// +optional
	Region AutodeskRegion `json:"region,omitempty"`
}

// PageSeederAccount is a PageSeeder OAuth client on one server, shared by Webhooks.
type PageSeederAccount struct {
	// ServerURL is the PageSeeder server, such as "https://ps.example.org".
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",message="pageSeeder.serverUrl must be an absolute http:// or https:// URL with a host"
	ServerURL string `json:"serverUrl"`

	// ServicePath is the path of the service API on the server; empty means /ps/service.
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:Pattern=`^/[A-Za-z0-9._~/-]*$`
	// +optional
	ServicePath string `json:"servicePath,omitempty"`

	// Client is the internal numeric id of the PageSeeder OAuth client.
	// +kubebuilder:validation:Minimum=1
	Client int64 `json:"client"`
}

// AccountLimits bound what one namespace may register on an account.
type AccountLimits struct {
	// WebhooksPerNamespace is how many Webhooks one namespace may have on the account. A Webhook
	// beyond it (the newest first) is Ready=False AccountLimitReached and gets no remote webhook.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100000
	// +optional
	WebhooksPerNamespace *int32 `json:"webhooksPerNamespace,omitempty"`
}

// AccountCondition says which namespaces may use a ClusterAccount: one that the selector matches,
// or one that the list names.
// +kubebuilder:validation:XValidation:rule="has(self.namespaceSelector) || (has(self.namespaces) && size(self.namespaces) > 0)",message="each entry of spec.conditions needs namespaceSelector or namespaces"
type AccountCondition struct {
	// NamespaceSelector matches namespaces by their labels.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`

	// Namespaces names namespaces.
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:MaxLength=63
	// +listType=set
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`
}

// SecretReference names a Secret in a given namespace.
type SecretReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Namespace of the Secret: one of the operator's --account-secret-namespaces (by default its
	// own namespace).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace"`
}

// AccountSpec is a SaaS account that the Webhooks of its own namespace use.
type AccountSpec struct {
	// CredentialsRef names the Secret, in the Account's namespace, that holds the API credentials
	// (the same keys as a Webhook's credentialsRef).
	CredentialsRef LocalObjectReference `json:"credentialsRef"`

	AccountSettings `json:",inline"`
}

// ClusterAccountSpec is a SaaS account that Webhooks of the namespaces its conditions permit use.
type ClusterAccountSpec struct {
	// CredentialsRef names the Secret that holds the API credentials, in one of the namespaces the
	// operator's --account-secret-namespaces allows.
	CredentialsRef SecretReference `json:"credentialsRef"`

	// Conditions say which namespaces may use the account: a namespace that matches any entry may;
	// with no entry, none may.
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	Conditions []AccountCondition `json:"conditions,omitempty"`

	AccountSettings `json:",inline"`
}

// AccountStatus is what the operator last observed of an account.
type AccountStatus struct {
	// ObservedGeneration is the metadata.generation the status was computed from.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready (True when one authenticated call with the credentials succeeded at the
	// last check), Reconciling and Stalled, as on a Webhook.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Webhooks is how many Webhooks name the account.
	// +optional
	Webhooks int32 `json:"webhooks"`

	// Namespaces is how many namespaces those Webhooks are in.
	// +optional
	Namespaces int32 `json:"namespaces"`

	// RateLimitedUntil is set while the SaaS's Retry-After holds the account back: no replica
	// sends a request for the account before it.
	// +optional
	RateLimitedUntil *metav1.Time `json:"rateLimitedUntil,omitempty"`
}

// Account is a SaaS account (credentials and account-level settings) that the Webhooks of its
// namespace name with spec.accountRef, instead of each holding the credentials.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=acct,categories=hookkeeper
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.provider`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Webhooks",type=integer,JSONPath=`.status.webhooks`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Account struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the account.
	Spec AccountSpec `json:"spec"`
	// Status is what the operator last observed.
	// +optional
	Status AccountStatus `json:"status,omitempty"`
}

// AccountList is a list of Accounts.
// +kubebuilder:object:root=true
type AccountList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the Accounts.
	Items []Account `json:"items"`
}

// ClusterAccount is a SaaS account that a platform team shares with the namespaces its conditions
// permit, under its rules (allowed targets, limits, adoption).
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=cacct,categories=hookkeeper
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.provider`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Webhooks",type=integer,JSONPath=`.status.webhooks`
// +kubebuilder:printcolumn:name="Namespaces",type=integer,JSONPath=`.status.namespaces`,priority=1
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ClusterAccount struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the account and its rules.
	Spec ClusterAccountSpec `json:"spec"`
	// Status is what the operator last observed.
	// +optional
	Status AccountStatus `json:"status,omitempty"`
}

// ClusterAccountList is a list of ClusterAccounts.
// +kubebuilder:object:root=true
type ClusterAccountList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the ClusterAccounts.
	Items []ClusterAccount `json:"items"`
}
