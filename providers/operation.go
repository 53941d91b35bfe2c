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

package providers

import "context"

// OperationPing names the requests that ask a SaaS to verify a webhook's receiver, such as
// PageSeeder's ping after a create: a step the SaaS requires rather than a call of the operator.
const OperationPing = "ping"

type operationKey struct{}

// WithOperation names the operation that the requests made with ctx serve, for the operator's
// metrics (the operation label of hookkeeper_saas_requests_total). The operator names every call
// to a provider (create, list, ...); a provider names a request of its own within a call, such
// as PageSeeder's verification ping, so that it is not counted as the call's.
func WithOperation(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, operationKey{}, op)
}

// OperationOf returns the operation that ctx names, "" when none.
func OperationOf(ctx context.Context) string {
	op, _ := ctx.Value(operationKey{}).(string)
	return op
}
