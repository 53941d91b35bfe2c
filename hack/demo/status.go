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
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/localenv"
)

const (
	pollInterval = 500 * time.Millisecond
	// heartbeat repeats an unchanged progress line this often, so a slow wait does not look stuck.
	heartbeat = 15 * time.Second
)

// waitReady polls until every Webhook on the server, and at least the expected ones, is Ready.
// On failure it returns the last Webhooks it saw, for the report.
func waitReady(ctx context.Context, c client.Client, want []client.ObjectKey, timeout time.Duration, op *localenv.Operator, out io.Writer) ([]hooksv1alpha1.Webhook, error) {
	deadline := time.Now().Add(timeout)
	var hooks []hooksv1alpha1.Webhook
	lastLine, lastAt := "", time.Time{}
	for {
		var list hooksv1alpha1.WebhookList
		err := c.List(ctx, &list)
		if err == nil {
			hooks = sortedHooks(list.Items)
			line, done := progress(hooks, want)
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
// expected one, are Ready.
func progress(hooks []hooksv1alpha1.Webhook, want []client.ObjectKey) (string, bool) {
	seen := map[client.ObjectKey]bool{}
	ready := 0
	var parts []string
	for i := range hooks {
		h := &hooks[i]
		seen[client.ObjectKeyFromObject(h)] = true
		status, reason := readyOf(h)
		if status == string(metav1.ConditionTrue) {
			ready++
			parts = append(parts, h.Name+" Ready")
			continue
		}
		if reason == "" {
			reason = "waiting for the operator"
		}
		parts = append(parts, fmt.Sprintf("%s %s", h.Name, reason))
	}
	missing := 0
	for _, k := range want {
		if !seen[k] {
			missing++
		}
	}
	total := len(hooks) + missing
	line := fmt.Sprintf("%d/%d Ready: %s", ready, total, strings.Join(parts, ", "))
	return line, missing == 0 && ready == len(hooks)
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
