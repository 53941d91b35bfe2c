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
	"fmt"
	"io"
	"strings"
)

// tenancyTargets compares the figures of the tenancy phases with the project's goals. They hold
// at the operator's default workers (and --http-timeout, which the bench leaves alone) and for
// the default sizes of the phases.
func tenancyTargets(r results, o options) []target {
	var t []target
	for _, h := range r.HungAccounts {
		t = append(t, target{Figure: hungFigure(h.Credentials), Target: fmt.Sprintf("<= %g", hungTargetSeconds), Value: h.ReadySeconds,
			Met:     !h.TimedOut && h.ReadySeconds <= hungTargetSeconds,
			For:     fmt.Sprintf("%d workers, %d hung Webhooks", targetWorkers, defaultHungWebhooks),
			Applies: o.workers == targetWorkers && o.hungWebhooks == defaultHungWebhooks})
	}
	if v := r.UnrelatedSecretsRSSMiB; v != nil {
		t = append(t, target{Figure: "unrelatedSecretsRssMiB", Target: fmt.Sprintf("< %g", unrelatedTargetMiB), Value: *v,
			Met:     *v < unrelatedTargetMiB,
			For:     fmt.Sprintf("%d Secrets", defaultUnrelatedSecrets),
			Applies: o.unrelatedSecrets == defaultUnrelatedSecrets})
	}
	if f := r.Fair; f != nil {
		t = append(t, target{Figure: fairFigure, Target: fmt.Sprintf("<= %g", fairTargetSeconds), Value: f.ReadySeconds,
			Met:     !f.TimedOut && f.ReadySeconds <= fairTargetSeconds,
			For:     fmt.Sprintf("%d workers, %d Webhooks of the other namespace", targetWorkers, defaultFairWebhooks),
			Applies: o.workers == targetWorkers && o.fairWebhooks == defaultFairWebhooks})
	}
	if v := r.ChurnRSSChangePercent; v != nil {
		t = append(t, target{Figure: "churnRssChangePercent", Target: fmt.Sprintf("<= +%g%%", churnTargetPercent), Value: *v,
			Met:     *v <= churnTargetPercent,
			For:     fmt.Sprintf("%d accounts", defaultChurnAccounts),
			Applies: o.churnAccounts == defaultChurnAccounts})
	}
	return t
}

// tableRow is one line of the table: the figure, its value, the JSON name its target goes by
// ("" for none) and the target as the table states it.
type tableRow struct{ figure, value, jsonName, target string }

// tenancyRows are the table's lines of the tenancy phases; a skipped phase says so.
func tenancyRows(r results, o options) []tableRow {
	var rows []tableRow
	if len(r.HungAccounts) == 0 {
		rows = append(rows, tableRow{"Ready behind hung credentials of another namespace", "skipped", "", ""})
	}
	for _, h := range r.HungAccounts {
		value := seconds(h.ReadySeconds)
		if h.TimedOut {
			value = "> " + value
		}
		rows = append(rows, tableRow{fmt.Sprintf("Ready behind %s of one namespace (%d Webhooks)", credentials(h.Credentials), o.hungWebhooks),
			value, hungFigure(h.Credentials), fmt.Sprintf("<= %g s", hungTargetSeconds)})
	}
	secrets := tableRow{"RSS added by unrelated Secrets", "skipped", "unrelatedSecretsRssMiB", fmt.Sprintf("< %g MiB", unrelatedTargetMiB)}
	if v := r.UnrelatedSecretsRSSMiB; v != nil {
		secrets.figure += fmt.Sprintf(" (%d of %d KiB)", o.unrelatedSecrets, unrelatedSecretBytes>>10)
		secrets.value = fmt.Sprintf("%+.1f MiB", *v)
	}
	churn := tableRow{"RSS after accounts came and went", "skipped", "churnRssChangePercent", fmt.Sprintf("<= +%g%% of the RSS before", churnTargetPercent)}
	if v := r.ChurnRSSChangePercent; v != nil {
		churn.figure = fmt.Sprintf("RSS after %d accounts came and went", o.churnAccounts)
		churn.value = fmt.Sprintf("%+.1f%% (%.1f -> %.1f MiB)", *v, r.ChurnRSSBaselineMiB, r.ChurnRSSAfterMiB)
	}
	fair := tableRow{"Ready on a ClusterAccount while another namespace creates on it", "skipped", fairFigure, fmt.Sprintf("<= %g s", fairTargetSeconds)}
	if f := r.Fair; f != nil {
		fair.figure = fmt.Sprintf("first Webhook Ready on a ClusterAccount while another namespace creates %d on it", f.Webhooks)
		fair.value = seconds(f.ReadySeconds)
		if f.TimedOut {
			fair.value = "> " + fair.value
		}
	}
	return append(rows, secrets, churn, fair)
}

// credentials spells a count of hung credentials.
func credentials(n int) string {
	if n == 1 {
		return "1 hung credential"
	}
	return fmt.Sprintf("%d hung credentials", n)
}

// printTenancyNotes prints what the tenancy phases measured beside their figures.
func printTenancyNotes(out io.Writer, r results) {
	if r.UnrelatedSecretsRSSMiB != nil {
		fmt.Fprintf(out, "Operator VmRSS %.1f MiB before the unrelated Secrets, %.1f MiB after.\n",
			r.UnrelatedSecretsRSSBeforeMiB, r.UnrelatedSecretsRSSAfterMiB)
	}
	if r.ChurnRSSChangePercent != nil {
		fmt.Fprintf(out, "Accounts that came and went: VmRSS %.1f MiB before, %.1f MiB with their Webhooks Ready, %.1f MiB %s after they went; "+
			"live heap %.1f, %.1f and %.1f MiB.\n", r.ChurnRSSBaselineMiB, r.ChurnRSSLoadedMiB, r.ChurnRSSAfterMiB, seconds(r.ChurnWaitSeconds),
			r.ChurnHeapBaselineMiB, r.ChurnHeapLoadedMiB, r.ChurnHeapAfterMiB)
	}
	if f := r.Fair; f != nil {
		fmt.Fprintf(out, "Fairness: namespace %s created its %d Webhooks in %s; %d were Ready when the other namespace's first was created, "+
			"%d once it was Ready, all %d after %s.\n", fairBusyNamespace, f.Webhooks, seconds(f.CreateSeconds), f.BusyReadyAtStart,
			f.BusyReadyAtFirst, f.Webhooks, seconds(f.BusyAllReadySeconds))
	}
	if len(r.HungAccounts) > 0 {
		parts := make([]string, len(r.HungAccounts))
		for i, h := range r.HungAccounts {
			parts[i] = fmt.Sprintf("%d with %s", h.Connections, credentials(h.Credentials))
		}
		fmt.Fprintf(out, "Connections the operator opened to the hung server: %s.\n", strings.Join(parts, ", "))
	}
}
