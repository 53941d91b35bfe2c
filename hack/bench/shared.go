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

// With -shared-accounts the Webhooks are spread over -namespaces namespaces (tenants) that share
// one SaaS account per provider, as a platform team shares one Webex bot, one APS app, one 8x8
// account and one PageSeeder client with its teams:
//
//   - cluster: one ClusterAccount per provider, its credentials Secret in the operator's
//     --account-secret-namespaces, permitting the namespaces by a label; the Webhooks name it
//     in spec.accountRef and leave the account-level fields to it.
//   - namespace: every namespace holds a copy of each provider's credentials Secret, as before
//     ClusterAccounts; the Webhooks name it in spec.credentialsRef. This is the run the first is
//     compared with.
//
// The run of one kind looks for the newest JSON of the other kind at the same N and namespaces
// and prints the two side by side; the ClusterAccount run judges itself against it.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

const (
	// sharedCluster and sharedNamespace are the values of -shared-accounts (and ACCOUNTS=...).
	sharedCluster   = "cluster"
	sharedNamespace = "namespace"
	// defaultTenants is the default of -namespaces: the targets are stated for 100 namespaces.
	defaultTenants = 100
	// tenantPrefix names the namespaces of a shared layout: tenant-000, tenant-001, ...
	tenantPrefix = "tenant-"
	// tenantLabel marks those namespaces; the ClusterAccounts permit the namespaces it marks.
	tenantLabel      = "bench.hookkeeper.dev/tenant"
	tenantLabelValue = "shared"
	// accountSecretNamespace holds the ClusterAccounts' credentials Secrets; the operator gets it
	// as --account-secret-namespaces (outside a cluster it has no namespace of its own).
	accountSecretNamespace = "hookkeeper-system"
	// clusterAccountPrefix, with the provider in lower case, names a shared ClusterAccount and
	// its Secret.
	clusterAccountPrefix = "bench-"

	// sharedRatioTarget is the most time the ClusterAccount run may take to make every Webhook
	// Ready, as a multiple of the floor, at sharedTargetN Webhooks over defaultTenants namespaces;
	// sharedRSSTargetPercent is how far its peak RSS may be above the per-namespace run's.
	sharedRatioTarget      = 1.1
	sharedTargetN          = 10000
	sharedRSSTargetPercent = 10.0
)

// sharedDescription says in a few words how the namespaces of a shared layout reach the
// accounts, perProvider of each provider.
func sharedDescription(kind string, perProvider int) string {
	if kind == sharedCluster {
		if perProvider == 1 {
			return "one ClusterAccount per provider"
		}
		return fmt.Sprintf("%d ClusterAccounts per provider", perProvider)
	}
	if perProvider == 1 {
		return "a copy of the credentials in every namespace"
	}
	return fmt.Sprintf("a copy of %d credentials per provider in every namespace", perProvider)
}

// otherShared is the kind a run of kind is compared with.
func otherShared(kind string) string {
	if kind == sharedCluster {
		return sharedNamespace
	}
	return sharedCluster
}

// newSharedWorkload spreads n Webhooks over tenants namespaces, the providers taking turns as in
// every layout, and each namespace getting every provider's Webhooks in turn: Webhooks 0 to 3
// go to the first namespace, 4 to 7 to the second, and so on round the namespaces. It registers
// perProvider fresh accounts per provider, which every namespace shares; a provider's Webhooks
// take turns over them, as in the default layout.
func newSharedWorkload(sims *localenv.Simulators, n, tenants, perProvider int, kind string) *workload {
	w := newWorkload(sims, n, perProvider)
	w.shared = kind
	for k := range tenants {
		w.tenants = append(w.tenants, fmt.Sprintf("%s%03d", tenantPrefix, k))
	}
	return w
}

// tenantIndex is the namespace of Webhook i of a shared workload.
func (w *workload) tenantIndex(i int) int {
	return (i / len(w.providerOrder)) % len(w.tenants)
}

// clusterAccountName names the shared ClusterAccount of the account a, and its Secret: the name
// of a's credentials Secret in the other layouts, prefixed.
func clusterAccountName(a account) string {
	return clusterAccountPrefix + a.secret
}

// onClusterAccount makes spec name the ClusterAccount name instead of a credentials Secret, and
// leaves the account-level fields to the account, as a Webhook written for one would.
func onClusterAccount(spec *hooksv1alpha1.WebhookSpec, name string) {
	spec.CredentialsRef = nil
	spec.AccountRef = &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: name}
	if _, err := takeAccountFields(spec); err != nil {
		panic(err) // a WebhookSpec always converts to JSON and back
	}
}

// accountSettings are the account-level fields of a simulator account, as an account holds them:
// those its Webhooks would otherwise each set.
func accountSettings(a account) hooksv1alpha1.AccountSettings {
	spec := hooksv1alpha1.WebhookSpec{Provider: a.provider}
	a.Spec(&spec, 0)
	fields, err := takeAccountFields(&spec)
	settings := map[string]any{"provider": string(a.provider)}
	if d, ok := catalog.ByType(a.provider); ok && len(fields) > 0 {
		settings[d.SpecField] = fields
	}
	var out hooksv1alpha1.AccountSettings
	if err == nil {
		err = runtime.DefaultUnstructuredConverter.FromUnstructured(settings, &out)
	}
	if err != nil {
		panic(err) // fields of the Webhook's block convert into the account's block of the same name
	}
	return out
}

// takeAccountFields removes the account-level fields from spec's provider block and returns
// them by their JSON names: the fields of the provider's block of the same name in an account's
// spec (AccountSettings), which a Webhook on an account leaves out.
func takeAccountFields(spec *hooksv1alpha1.WebhookSpec) (map[string]any, error) {
	d, ok := catalog.ByType(spec.Provider)
	if !ok {
		return nil, nil
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(spec)
	if err != nil {
		return nil, err
	}
	block, _ := obj[d.SpecField].(map[string]any)
	taken := map[string]any{}
	for _, name := range accountFieldNames(d.SpecField) {
		if v, ok := block[name]; ok {
			taken[name] = v
			delete(block, name)
		}
	}
	if len(taken) == 0 {
		return nil, nil
	}
	var out hooksv1alpha1.WebhookSpec
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &out); err != nil {
		return nil, err
	}
	*spec = out
	return taken, nil
}

// accountFieldNames are the JSON names of the fields of the block specField of an account's
// spec; none when accounts have no such block.
func accountFieldNames(specField string) []string {
	t := reflect.TypeFor[hooksv1alpha1.AccountSettings]()
	for i := range t.NumField() {
		if jsonName(t.Field(i)) != specField {
			continue
		}
		block := t.Field(i).Type
		if block.Kind() == reflect.Pointer {
			block = block.Elem()
		}
		var names []string
		for j := range block.NumField() {
			if name := jsonName(block.Field(j)); name != "" {
				names = append(names, name)
			}
		}
		return names
	}
	return nil
}

// jsonName is the JSON name of a struct field, "" when it has none of its own.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// clusterAccount returns the ClusterAccount name on the simulator account a, permitting the
// namespaces that conditions match, and its credentials Secret in accountSecretNamespace.
func clusterAccount(name string, a account, conditions []hooksv1alpha1.AccountCondition) (*hooksv1alpha1.ClusterAccount, *corev1.Secret) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: accountSecretNamespace, Name: name}, StringData: a.Credentials}
	ca := &hooksv1alpha1.ClusterAccount{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: hooksv1alpha1.ClusterAccountSpec{
			CredentialsRef:  hooksv1alpha1.SecretReference{Namespace: accountSecretNamespace, Name: name},
			Conditions:      conditions,
			AccountSettings: accountSettings(a),
		},
	}
	return ca, secret
}

// tenantConditions permit the namespaces of a shared layout, by their label.
func tenantConditions() []hooksv1alpha1.AccountCondition {
	return []hooksv1alpha1.AccountCondition{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{tenantLabel: tenantLabelValue}}}}
}

// createShared creates the namespaces of a shared workload, labelled, and what lets them reach
// the shared accounts: a copy of every provider's credentials Secret in each, or the
// ClusterAccounts and their Secrets.
func (w *workload) createShared(ctx context.Context, c client.Client, workers int) error {
	err := forEach(ctx, len(w.tenants), workers, func(ctx context.Context, k int) error {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: w.tenants[k], Labels: map[string]string{tenantLabel: tenantLabelValue}}}
		if err := createIfAbsent(ctx, c, ns); err != nil {
			return err
		}
		if w.shared != sharedNamespace {
			return nil
		}
		for _, p := range w.providerOrder {
			for _, a := range w.accounts[p] {
				s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: a.secret}, StringData: a.Credentials}
				if err := createIfAbsent(ctx, c, s); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil || w.shared != sharedCluster {
		return err
	}
	if err := localenv.EnsureNamespace(ctx, c, accountSecretNamespace); err != nil {
		return err
	}
	for _, p := range w.providerOrder {
		for _, a := range w.accounts[p] {
			ca, secret := clusterAccount(clusterAccountName(a), a, tenantConditions())
			if err := createIfAbsent(ctx, c, secret); err != nil {
				return err
			}
			if err := createIfAbsent(ctx, c, ca); err != nil {
				return err
			}
		}
	}
	return nil
}

// sharedSetup describes what createShared made, for the progress line.
func (w *workload) sharedSetup() string {
	var names []string
	for _, p := range w.providerOrder {
		for _, a := range w.accounts[p] {
			names = append(names, clusterAccountName(a))
		}
	}
	if w.shared == sharedCluster {
		return fmt.Sprintf("labelled %s=%s; ClusterAccounts %s permit them by that label, their Secrets in namespace %s",
			tenantLabel, tenantLabelValue, strings.Join(names, ", "), accountSecretNamespace)
	}
	return fmt.Sprintf("each with a copy of the credentials Secret of each of the %d accounts (%d Secrets)",
		len(names), len(names)*len(w.tenants))
}

// createIfAbsent creates obj, retrying as create does; an object that is already there is fine.
func createIfAbsent(ctx context.Context, c client.Client, obj client.Object) error {
	return retry(ctx, func() error {
		err := c.Create(ctx, obj)
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	}, "creating %T %s", obj, client.ObjectKeyFromObject(obj))
}

// countAccounts spells a count of accounts.
func countAccounts(n int) string {
	if n == 1 {
		return "one account"
	}
	return fmt.Sprintf("%d accounts", n)
}

// sharedRun is the figures of a run of the other shared kind, read from its JSON, that a run is
// shown next to.
type sharedRun struct {
	// Source is the file and the date of the run.
	Source                             string  `json:"source"`
	SharedAccounts                     string  `json:"sharedAccounts"`
	TimeToReadySeconds                 float64 `json:"timeToReadySeconds"`
	FloorSeconds                       float64 `json:"floorSeconds"`
	Ratio                              float64 `json:"ratio"`
	SaaSRequestsPerWebhook             float64 `json:"saasRequestsPerWebhook"`
	SaaSRequestsPerWebhookWithPings    float64 `json:"saasRequestsPerWebhookWithPings"`
	APIWritesPerWebhook                float64 `json:"apiWritesPerWebhook"`
	SteadySaaSRequestsPer1000PerResync float64 `json:"steadySaasRequestsPer1000PerResync"`
	SteadyAPIWritesPer1000PerResync    float64 `json:"steadyApiWritesPer1000PerResync"`
	PeakRSSMiB                         float64 `json:"peakRssMiB"`
	PeakAnonRSSMiB                     float64 `json:"peakAnonRssMiB,omitempty"`
	HeapInuseMiB                       float64 `json:"heapInuseMiB,omitempty"`
}

// asSharedRun takes the figures a comparison shows from a run's results.
func asSharedRun(r results, source string) sharedRun {
	return sharedRun{Source: source, SharedAccounts: r.Parameters.SharedAccounts,
		TimeToReadySeconds: r.TimeToReadySeconds, FloorSeconds: r.FloorSeconds, Ratio: r.Ratio,
		SaaSRequestsPerWebhook: r.SaaSRequestsPerWebhook, SaaSRequestsPerWebhookWithPings: r.SaaSRequestsPerWebhookWithPings,
		APIWritesPerWebhook:                r.APIWritesPerWebhook,
		SteadySaaSRequestsPer1000PerResync: r.SteadySaaSRequestsPer1000PerResync, SteadyAPIWritesPer1000PerResync: r.SteadyAPIWritesPer1000PerResync,
		PeakRSSMiB: r.PeakRSSMiB, PeakAnonRSSMiB: r.PeakAnonRSSMiB, HeapInuseMiB: r.HeapInuseMiB}
}

// findSharedRun returns the newest run of the shared kind in dir with n Webhooks over tenants
// namespaces, perProvider accounts per provider and the same GOMEMLIMIT; ok is false when there
// is none.
func findSharedRun(dir string, n, tenants, perProvider int, kind, gomemlimit string) (sharedRun, bool) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var best *results
	var bestFile string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var r results
		if json.Unmarshal(data, &r) != nil {
			continue
		}
		p := r.Parameters
		if p.SharedAccounts != kind || p.N != n || p.Namespaces != tenants || p.Accounts != perProvider || p.Replicas > 1 ||
			p.GOMEMLIMIT != gomemlimit || !(r.PeakRSSMiB > 0) {
			continue
		}
		if best == nil || r.Date.After(best.Date) {
			best, bestFile = &r, f
		}
	}
	if best == nil {
		return sharedRun{}, false
	}
	return asSharedRun(*best, fmt.Sprintf("%s (%s)", bestFile, best.Date.Format(time.RFC3339))), true
}

// sharedTargets are the goals of a ClusterAccount run: every Webhook Ready within
// sharedRatioTarget of the floor at sharedTargetN over defaultTenants namespaces on one
// ClusterAccount per provider, and, next to the
// run with per-namespace credentials, no more steady-state SaaS requests and at most
// sharedRSSTargetPercent more peak RSS. The SaaS requests per created Webhook have their target in
// every run.
func sharedTargets(r results, o options) []target {
	if o.sharedAccounts != sharedCluster {
		return nil
	}
	at := fmt.Sprintf("%d namespaces, one ClusterAccount per provider", defaultTenants)
	t := []target{{Figure: "sharedAccounts.ratio", Target: fmt.Sprintf("<= %g", sharedRatioTarget), ForN: sharedTargetN, For: at,
		Value: r.Ratio, Met: r.FloorSeconds > 0 && r.Ratio <= sharedRatioTarget, NotReported: r.FloorSeconds == 0,
		Applies: o.n == sharedTargetN && o.tenants == defaultTenants && o.accounts == 1 && r.FloorSeconds > 0}}
	steady := target{Figure: "sharedAccounts.steadySaasRequestsPer1000PerResync", Target: "<= the per-namespace run's",
		Value: r.SteadySaaSRequestsPer1000PerResync, Applies: true}
	rss := target{Figure: "sharedAccounts.peakRssMiB", Target: fmt.Sprintf("<= +%g%% of the per-namespace run's", sharedRSSTargetPercent),
		Value: r.PeakRSSMiB, Applies: true}
	if c := r.Comparison; c != nil && c.SharedAccounts == sharedNamespace {
		steady.Target = fmt.Sprintf("<= %.1f (the per-namespace run's)", c.SteadySaaSRequestsPer1000PerResync)
		steady.Met = r.SteadySaaSRequestsPer1000PerResync <= c.SteadySaaSRequestsPer1000PerResync
		limit := c.PeakRSSMiB * (1 + sharedRSSTargetPercent/100)
		rss.Target = fmt.Sprintf("<= %.1f (+%g%% of the per-namespace run's %.1f)", limit, sharedRSSTargetPercent, c.PeakRSSMiB)
		rss.Met = r.PeakRSSMiB > 0 && r.PeakRSSMiB <= limit
	} else {
		steady.NotReported, rss.NotReported = true, true
	}
	return append(t, steady, rss)
}

// printShared prints a shared run next to the run of the other kind it found, ClusterAccounts in
// the first column, with the targets of the ClusterAccount run.
func printShared(out io.Writer, r results, o options) {
	this := asSharedRun(r, "this run")
	c := r.Comparison
	fmt.Fprintln(out)
	if c == nil {
		printNoSharedRun(out, r, o)
		return
	}
	cluster, perNS := this, *c
	if o.sharedAccounts == sharedNamespace {
		cluster, perNS = *c, this
	}
	fmt.Fprintf(out, "%d namespaces on %s per provider: ClusterAccounts (%s) next to per-namespace credentials (%s)\n",
		r.Parameters.Namespaces, countAccounts(o.accounts), cluster.Source, perNS.Source)
	byFigure := map[string]target{}
	for _, t := range r.Targets {
		byFigure[t.Figure] = t
	}
	var table strings.Builder
	table.WriteString("FIGURE\tCLUSTERACCOUNTS\tPER-NAMESPACE CREDENTIALS\tTARGET\t\n")
	row := func(figure, a, b, jsonName string) {
		tt, s := sharedStatus(byFigure, jsonName, o)
		fmt.Fprintf(&table, "%s\t%s\t%s\t%s\t%s\n", figure, a, b, tt, s)
	}
	row("time until all Ready / floor", floorRatio(cluster), floorRatio(perNS), "sharedAccounts.ratio")
	row("SaaS requests per created Webhook (no pings)", fmt.Sprintf("%.2f", cluster.SaaSRequestsPerWebhook),
		fmt.Sprintf("%.2f", perNS.SaaSRequestsPerWebhook), "saasRequestsPerWebhook")
	row("  with verification pings", fmt.Sprintf("%.2f", cluster.SaaSRequestsPerWebhookWithPings),
		fmt.Sprintf("%.2f", perNS.SaaSRequestsPerWebhookWithPings), "")
	row("API writes per created Webhook", fmt.Sprintf("%.2f", cluster.APIWritesPerWebhook), fmt.Sprintf("%.2f", perNS.APIWritesPerWebhook), "")
	row("steady: SaaS requests /1000 Webhooks /resync", fmt.Sprintf("%.1f", cluster.SteadySaaSRequestsPer1000PerResync),
		fmt.Sprintf("%.1f", perNS.SteadySaaSRequestsPer1000PerResync), "sharedAccounts.steadySaasRequestsPer1000PerResync")
	row("steady: API writes /1000 Webhooks /resync", fmt.Sprintf("%.1f", cluster.SteadyAPIWritesPer1000PerResync),
		fmt.Sprintf("%.1f", perNS.SteadyAPIWritesPer1000PerResync), "")
	row("peak RSS", fmt.Sprintf("%.1f MiB", cluster.PeakRSSMiB), fmt.Sprintf("%.1f MiB", perNS.PeakRSSMiB), "sharedAccounts.peakRssMiB")
	if cluster.PeakAnonRSSMiB > 0 && perNS.PeakAnonRSSMiB > 0 {
		row("  peak anonymous RSS", fmt.Sprintf("%.1f MiB", cluster.PeakAnonRSSMiB), fmt.Sprintf("%.1f MiB", perNS.PeakAnonRSSMiB), "")
	}
	if cluster.HeapInuseMiB > 0 && perNS.HeapInuseMiB > 0 {
		row("live heap at all Ready", fmt.Sprintf("%.1f MiB", cluster.HeapInuseMiB), fmt.Sprintf("%.1f MiB", perNS.HeapInuseMiB), "")
	}
	writeTable(out, table.String())
	if strings.Contains(table.String(), "\t(") {
		fmt.Fprintln(out, "A status in parentheses compares with a target stated for other settings: for information only.")
	}
	if o.sharedAccounts == sharedNamespace {
		fmt.Fprintln(out, "The targets are the ClusterAccount run's: its own table judges it against this run.")
	}
}

// printNoSharedRun says that no run of the other kind was found to compare a shared run with,
// and which command makes one.
func printNoSharedRun(out io.Writer, r results, o options) {
	command := fmt.Sprintf("make bench N=%d ACCOUNTS=%s", o.n, otherShared(o.sharedAccounts))
	var args []string
	if o.accounts != 1 {
		args = append(args, fmt.Sprintf("-accounts %d", o.accounts))
	}
	if r.Parameters.Namespaces != defaultTenants {
		args = append(args, fmt.Sprintf("-namespaces %d", r.Parameters.Namespaces))
	}
	if o.gomemlimit != "" {
		args = append(args, "-gomemlimit "+o.gomemlimit)
	}
	if len(args) > 0 {
		command += " BENCH_ARGS='" + strings.Join(args, " ") + "'"
	}
	fmt.Fprintf(out, "No run with %s at N=%d over %d namespaces (and the same GOMEMLIMIT) to compare with: `%s` makes one.\n",
		sharedDescription(otherShared(o.sharedAccounts), o.accounts), o.n, r.Parameters.Namespaces, command)
}

// sharedStatus is the target of figure in the comparison of shared runs, and whether the run met
// it; both are empty for a figure without a target, and in a run that is not a ClusterAccount
// run, whose targets the comparison does not show.
func sharedStatus(byFigure map[string]target, figure string, o options) (string, string) {
	t, ok := byFigure[figure]
	switch {
	case !ok || o.sharedAccounts != sharedCluster:
		return "", ""
	case t.NotReported:
		return t.Target, "n/a"
	}
	s := "missed"
	if t.Met {
		s = "met"
	}
	text := t.Target
	if t.ForN != 0 {
		text += fmt.Sprintf(" at N=%d", t.ForN)
	}
	if t.For != "" {
		text += ", " + t.For
	}
	if !t.Applies {
		s = "(" + s + ")"
	}
	return text, s
}

// floorRatio is a shared run's time until all Ready next to its floor.
func floorRatio(s sharedRun) string {
	if s.FloorSeconds == 0 {
		return seconds(s.TimeToReadySeconds) + " (no floor)"
	}
	return fmt.Sprintf("%s / %s = %.2f", seconds(s.TimeToReadySeconds), seconds(s.FloorSeconds), s.Ratio)
}
