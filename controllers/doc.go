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

// Package controllers holds the operator's reconcilers: the Webhook controller, which makes each
// Webhook's remote webhook exist, match its spec and go away with it, and the status controllers
// of Accounts and ClusterAccounts (account_controller.go).
//
// A reconcile of a Webhook reads top to bottom: Reconcile (webhook_controller.go) takes the
// Webhook as tracked (tracked.go), then reconcileNormal (reconcile_normal.go) or reconcileDelete
// (reconcile_delete.go) builds the provider request (secrets.go, and accountref.go for a Webhook
// on an account), observes the remote webhook (observe.go), acts on it, and maps a failure to the
// Ready condition (status.go); the status is written once, at the end.
//
// The reconciler's parts, each with one job and tests of its own:
//
//   - accounts (account.go): the SaaS accounts met so far. An account object is one credential's
//     view of one list scope: its snapshot, its claims (claims.go), its create turns and its
//     worker share (shares.go).
//   - ownership (ownership.go): who owns a remote webhook: the claims of this process, the status
//     records of the index, and on a sharded replica the API server.
//   - webhookIndex (indexes.go): every Webhook of the cache, and who records which remote webhook.
//   - secretStore (secret_store.go): the data of the Secrets read, and of the deleted ones for a
//     while.
//   - Gates (gates.go): the Retry-After deadlines, per credential and account.
//   - syncRequests (sync_requests.go): the last reconcile-requested-at acted on, per Webhook.
//   - the wake channel (wake.go): a Webhook queued again from outside the work queue's events.
//   - the watches (watches.go): which Webhooks a change of a Secret, an account or a namespace
//     brings back.
//
// Words, one per idea: an account is a SaaS account, named by its ident
// ("<provider>|<Provider.Account>", what status.remoteAccount records); an account object is the
// reconciler's account type; Account and ClusterAccount are the Kubernetes kinds; a list scope is
// Provider.Scope, what one List covers; the Webhook is the Kubernetes object, the remote webhook
// the SaaS's.
package controllers
