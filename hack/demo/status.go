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

package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/accounts"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

const (
	pollInterval = 500 * time.Millisecond
	// heartbeat repeats an unchanged progress line this often, so a slow wait does not look stuck.
	heartbeat = 15 * time.Second
)

// waitReady polls until every Webhook on the server, and at least the expected ones, is Ready, or
// refused with the reason that its account's rules give it (the accounts sample's team-c). On
// failure it returns the last Webhooks it saw, for the report.
func waitReady(ctx context.Context, c client.Client, want []client.ObjectKey, timeout time.Duration, op *localenv.Operator, out io.Writer) ([]hooksv1alpha1.Webhook, error) {
	deadline := time.Now().Add(timeout)
	var hooks []hooksv1alpha1.Webhook
	lastLine, lastAt := "", time.Time{}
	for {
		var list hooksv1alpha1.WebhookList
		err := c.List(ctx, &list)
		if err == nil {
			hooks = sortedHooks(list.Items)
			line, done := progress(hooks, want, intendedRefusals(ctx, c, hooks))
			if line != lastLine || time.Since(lastAt) >= heartbeat {
				fmt.Fprintf(out, "  %s\n", line)
				lastLine, lastAt = line, time.Now()
			}
			if done {
				return hooks, nil
			}
		} else if ctx.Err() == nil {
			fmt.Fprintf(out, "  listing Webhooks: %v\n", err)
		}
		if op.Exited() {
			return hooks, fmt.Errorf("the operator exited before the Webhooks were Ready (%s)", op.ExitStatus())
		}
		if time.Now().After(deadline) {
			return hooks, fmt.Errorf("not every Webhook was Ready after %s", timeout)
		}
		select {
		case <-ctx.Done():
			return hooks, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// progress summarizes the Webhooks in one line and says whether all of them, including every
// expected one, are settled: Ready, or refused with the reason in refusals (by Webhook).
func progress(hooks []hooksv1alpha1.Webhook, want []client.ObjectKey, refusals map[client.ObjectKey]string) (string, bool) {
	seen := map[client.ObjectKey]bool{}
	ready, settled := 0, 0
	var parts []string
	for i := range hooks {
		h := &hooks[i]
		key := client.ObjectKeyFromObject(h)
		seen[key] = true
		status, reason := readyOf(h)
		switch {
		case status == string(metav1.ConditionTrue) && refusals[key] == "":
			ready++
			settled++
			parts = append(parts, label(h)+" Ready")
		case status == string(metav1.ConditionFalse) && reason == refusals[key]:
			settled++
			parts = append(parts, fmt.Sprintf("%s refused: %s", label(h), reason))
		case reason == "":
			parts = append(parts, label(h)+" waiting for the operator")
		default:
			parts = append(parts, fmt.Sprintf("%s %s", label(h), reason))
		}
	}
	missing := 0
	for _, k := range want {
		if !seen[k] {
			missing++
		}
	}
	total := len(hooks) + missing
	line := fmt.Sprintf("%d/%d Ready: %s", ready, total, strings.Join(parts, ", "))
	if refused := settled - ready; refused > 0 {
		line = fmt.Sprintf("%d/%d Ready, %d refused by its account: %s", ready, total, refused, strings.Join(parts, ", "))
	}
	return line, missing == 0 && settled == len(hooks)
}

// label names a Webhook in the progress line: by name in the demo's namespace, else
// namespace/name.
func label(h *hooksv1alpha1.Webhook) string {
	if h.Namespace == demoNamespace {
		return h.Name
	}
	return h.Namespace + "/" + h.Name
}

// intendedRefusals returns, for each Webhook on an account whose rules refuse it, the Ready reason
// the operator must give it: the demo waits for that reason instead of Ready. The rules are those
// the operator applies (internal/accounts), read from the account and the namespace as they are
// on the server now. A Webhook whose account cannot be read is left out: it must become Ready.
func intendedRefusals(ctx context.Context, c client.Client, hooks []hooksv1alpha1.Webhook) map[client.ObjectKey]string {
	refusals := map[client.ObjectKey]string{}
	for i := range hooks {
		h := &hooks[i]
		if h.Spec.AccountRef == nil {
			continue
		}
		v, err := accountOf(ctx, c, h)
		if err != nil {
			continue
		}
		var ns *corev1.Namespace
		if v.IsCluster() {
			ns = &corev1.Namespace{}
			if err := c.Get(ctx, client.ObjectKey{Name: h.Namespace}, ns); err != nil {
				ns = nil
			}
		}
		var siblings []*hooksv1alpha1.Webhook
		for j := range hooks {
			o := &hooks[j]
			if o.Namespace == h.Namespace && o.Spec.AccountRef != nil &&
				o.Spec.AccountRef.IsCluster() == h.Spec.AccountRef.IsCluster() && o.Spec.AccountRef.Name == h.Spec.AccountRef.Name {
				siblings = append(siblings, o)
			}
		}
		for _, err := range []error{
			v.Permission(h.Namespace, ns),
			v.TargetPermission(h.Spec.TargetURL),
			v.AdoptionPermission(h),
			v.LimitPermission(h, siblings),
		} {
			if r, ok := accounts.AsRefusal(err); ok {
				refusals[client.ObjectKeyFromObject(h)] = r.Reason
				break
			}
		}
	}
	return refusals
}

// accountOf reads the Account or ClusterAccount that a Webhook names.
func accountOf(ctx context.Context, c client.Client, h *hooksv1alpha1.Webhook) (*accounts.View, error) {
	if h.Spec.AccountRef.IsCluster() {
		ca := &hooksv1alpha1.ClusterAccount{}
		if err := c.Get(ctx, client.ObjectKey{Name: h.Spec.AccountRef.Name}, ca); err != nil {
			return nil, err
		}
		return accounts.FromClusterAccount(ca), nil
	}
	a := &hooksv1alpha1.Account{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: h.Namespace, Name: h.Spec.AccountRef.Name}, a); err != nil {
		return nil, err
	}
	return accounts.FromAccount(a), nil
}

// readyOf returns the status and reason of the Ready condition, "" when there is none yet.
func readyOf(h *hooksv1alpha1.Webhook) (status, reason string) {
	c := meta.FindStatusCondition(h.Status.Conditions, hooksv1alpha1.ConditionReady)
	if c == nil {
		return "", ""
	}
	return string(c.Status), c.Reason
}

func sortedHooks(hooks []hooksv1alpha1.Webhook) []hooksv1alpha1.Webhook {
	sort.Slice(hooks, func(i, j int) bool {
		if hooks[i].Namespace != hooks[j].Namespace {
			return hooks[i].Namespace < hooks[j].Namespace
		}
		return hooks[i].Name < hooks[j].Name
	})
	return hooks
}

// printTable prints the Webhooks like `kubectl get webhooks -A -o wide`. Ids are printed whole:
// Webex ids share a long prefix, so a shortened id would hide the part that tells them apart.
func printTable(out io.Writer, hooks []hooksv1alpha1.Webhook) {
	tw := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tNAME\tPROVIDER\tID\tSTATE\tREADY\tREASON")
	for i := range hooks {
		h := &hooks[i]
		status, reason := readyOf(h)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.Namespace, h.Name, h.Spec.Provider,
			orNone(h.Status.ID), orNone(h.Status.State), orNone(status), orNone(reason))
	}
	_ = tw.Flush()
}

// printRefused lists the Webhooks that their account refuses, with the operator's message: what a
// team sees in `kubectl describe webhook`.
func printRefused(out io.Writer, hooks []hooksv1alpha1.Webhook) {
	first := true
	for i := range hooks {
		h := &hooks[i]
		c := meta.FindStatusCondition(h.Status.Conditions, hooksv1alpha1.ConditionReady)
		if h.Spec.AccountRef == nil || c == nil || c.Status == metav1.ConditionTrue {
			continue
		}
		if first {
			fmt.Fprintln(out, "\nRefused by their account's rules, as the samples intend (no request went to the SaaS for them):")
			first = false
		}
		fmt.Fprintf(out, "  %s/%s: %s: %s\n", h.Namespace, h.Name, c.Reason, c.Message)
	}
}

// printAccounts says which namespaces use each account that the Webhooks name, and which it
// refuses.
func printAccounts(out io.Writer, hooks []hooksv1alpha1.Webhook) {
	type usage struct{ ready, refused []string }
	byAccount := map[string]*usage{}
	var names []string
	for i := range hooks {
		h := &hooks[i]
		ref := h.Spec.AccountRef
		if ref == nil {
			continue
		}
		kind := ref.Kind
		if kind == "" {
			kind = hooksv1alpha1.AccountKindAccount
		}
		name := fmt.Sprintf("%s %s", kind, ref.Name)
		if !ref.IsCluster() {
			name += " (namespace " + h.Namespace + ")"
		}
		u := byAccount[name]
		if u == nil {
			u = &usage{}
			byAccount[name] = u
			names = append(names, name)
		}
		status, reason := readyOf(h)
		if status == string(metav1.ConditionTrue) {
			u.ready = append(u.ready, h.Namespace)
		} else {
			u.refused = append(u.refused, h.Namespace+" ("+orNone(reason)+")")
		}
	}
	sort.Strings(names)
	for _, name := range names {
		u := byAccount[name]
		fmt.Fprintf(out, "%s: Ready in %s; refused in %s\n", name, joinOrNone(dedup(u.ready)), joinOrNone(dedup(u.refused)))
	}
}

func dedup(s []string) []string {
	sort.Strings(s)
	return slices.Compact(s)
}

func joinOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// printNotReady explains every Webhook that is not Ready.
func printNotReady(out io.Writer, hooks []hooksv1alpha1.Webhook) {
	for i := range hooks {
		h := &hooks[i]
		c := meta.FindStatusCondition(h.Status.Conditions, hooksv1alpha1.ConditionReady)
		switch {
		case c == nil:
			fmt.Fprintf(out, "Webhook %s/%s has no Ready condition yet: the operator has not reconciled it.\n", h.Namespace, h.Name)
		case c.Status != metav1.ConditionTrue:
			fmt.Fprintf(out, "Webhook %s/%s is not Ready: %s: %s\n", h.Namespace, h.Name, c.Reason, c.Message)
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// waitReady waits until every Webhook is Ready, or refused by its account where the samples mean
// it to be. When that fails it shows the Webhooks that are not, and the end of the operator log.
func (d *demoRun) waitReady(ctx context.Context, webhooks []client.ObjectKey) ([]hooksv1alpha1.Webhook, error) {
	d.say("\nWaiting up to %s for every Webhook to be Ready, or refused by its account where the samples mean it", d.o.readyTimeout)
	hooks, err := waitReady(ctx, d.c, webhooks, d.o.readyTimeout, d.op, d.o.out)
	if err == nil {
		return hooks, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if len(hooks) > 0 {
		d.say("")
		printNotReady(d.o.out, hooks)
	}
	d.say("\nLast lines of the operator log (%s):", d.logPath)
	d.say("%s", indent(localenv.TailFile(d.logPath, logTailLines), "  "))
	return nil, err
}
