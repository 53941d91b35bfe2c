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
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// TestDemoOnce runs the whole demo in this process, as `go run ./hack/demo --once` would: control
// plane, the four provider simulators, the operator built and run as a process of its own, the
// samples, and the table of Webhooks. It then checks every sample Webhook in that table (the
// accounts sample's: two namespaces Ready on the shared ClusterAccount, the third refused with
// AccountNotPermitted) and that no value of the samples' Secrets reached the output or the
// operator log.
func TestDemoOnce(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: run the tests with `make test`, which sets it")
	}
	assets, err := localenv.EnvtestAssets("demo")
	if err != nil {
		t.Fatal(err)
	}
	root, err := localenv.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	samples := readSamples(t, filepath.Join(root, "config", "samples"))
	// A directory of the test's own, so that a `make demo` running at the same time keeps its
	// kubeconfig, log and operator binary.
	state := t.TempDir()
	out := runDemoOnce(t, root, assets, state)
	if _, err := os.Stat(filepath.Join(state, "kubeconfig")); err != nil {
		t.Errorf("no kubeconfig written: %v", err)
	}

	rows := tableRows(t, out)
	if len(rows) != len(samples.webhooks) {
		t.Errorf("the table has %d Webhooks, the samples %d", len(rows), len(samples.webhooks))
	}
	for _, h := range samples.webhooks {
		row, ok := rows[h.key()]
		switch {
		case !ok:
			t.Errorf("the table has no Webhook %s", h.key())
		case h.accountKind != "":
			checkAccountRow(t, h, row, out)
		default:
			checkProviderRow(t, h, row, out)
		}
	}
	checkAccountsSample(t, samples, out)
	for _, d := range catalog.All() {
		if !samples.providers[string(d.Type)] {
			t.Errorf("config/samples holds no %s Webhook: the demo should show every provider", d.Type)
		}
	}
	checkNoSecretValues(t, samples, out, state)
}

// runDemoOnce runs the demo with --once, its files in state, fails the test if it fails, checks
// that the operator is gone afterwards, and returns what the demo printed.
func runDemoOnce(t *testing.T, root, assets, state string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if deadline, ok := t.Deadline(); ok {
		// Leave time for the cleanup to stop everything before `go test` gives up on us.
		var cancelEarly context.CancelFunc
		ctx, cancelEarly = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
		defer cancelEarly()
	}
	operatorPID := 0
	t.Cleanup(func() {
		// run stops the operator itself; this only guards against a bug in that.
		if operatorPID > 0 && syscall.Kill(operatorPID, 0) == nil {
			_ = syscall.Kill(-operatorPID, syscall.SIGKILL)
		}
	})

	var out bytes.Buffer
	start := time.Now()
	err := run(ctx, options{
		root:            root,
		assets:          assets,
		stateDir:        state,
		managerPath:     filepath.Join(state, "manager"),
		readyTimeout:    2 * time.Minute,
		once:            true,
		out:             &out,
		onOperatorStart: func(pid int) { operatorPID = pid },
	})
	t.Logf("demo output (%s):\n%s", time.Since(start).Round(time.Second), out.String())
	if err != nil {
		t.Fatalf("the demo failed (it would exit 1): %v", err)
	}
	if operatorPID == 0 {
		t.Fatal("the operator was never started")
	}
	if err := syscall.Kill(operatorPID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the operator (pid %d) is still running after the demo returned", operatorPID)
	}
	return out.String()
}

// checkProviderRow checks the table row of a sample Webhook with credentials of its own against
// the expectations of its provider.
func checkProviderRow(t *testing.T, h sampleWebhook, row []string, out string) {
	t.Helper()
	// NAMESPACE NAME PROVIDER ID STATE READY REASON
	if row[0] != demoNamespace || row[2] != h.provider || row[5] != "True" || row[6] != "Available" {
		t.Errorf("%s: want namespace %s, provider %s, READY True, REASON Available; got %q", h.name, demoNamespace, h.provider, row)
	}
	want, known := expectations[h.provider]
	if !known {
		// A provider without an entry: an id that status may show, and a state.
		if !providers.ValidID(row[3], providers.MaxID) || row[4] == "" || row[4] == "<none>" {
			t.Errorf("%s: id %q, state %q; want an id and a state", h.name, row[3], row[4])
		}
		return
	}
	if err := want.id(h, row[3]); err != nil {
		t.Errorf("%s: id %q: %v", h.name, row[3], err)
	}
	if row[4] != want.state {
		t.Errorf("%s: state %q, want %q", h.name, row[4], want.state)
	}
	if h.provider == "PageSeeder" && !strings.Contains(out, "webhook/"+h.name+": spec.pageSeeder.serverUrl ") {
		t.Errorf("%s: the demo did not say that it pointed spec.pageSeeder.serverUrl at the simulator", h.name)
	}
}

// checkNoSecretValues checks that Secrets are redacted everywhere: neither what the demo printed,
// out, nor what the operator logged in stateDir may hold a value of any sample Secret.
func checkNoSecretValues(t *testing.T, s samples, out, stateDir string) {
	t.Helper()
	operatorLog, err := os.ReadFile(filepath.Join(stateDir, "operator.log"))
	if err != nil {
		t.Fatalf("reading the operator log: %v", err)
	}
	if len(s.secretValues) == 0 {
		t.Fatal("the samples hold no Secret values, so nothing was checked for leaks")
	}
	for _, v := range s.secretValues {
		if strings.Contains(out, v) {
			t.Errorf("the demo output holds the Secret value %q", v)
		}
		if bytes.Contains(operatorLog, []byte(v)) {
			t.Errorf("the operator log holds the Secret value %q", v)
		}
	}
}

// expectation is what a Ready Webhook of one provider looks like in the table.
type expectation struct {
	// id checks status.id against the sample.
	id func(h sampleWebhook, id string) error
	// state is the remote state the simulator reports for a delivering webhook.
	state string
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// expectations check the remote id and state of each provider the SaaS's own way; a provider
// without an entry gets the general check (an id providers.ValidID accepts, and a state). Every
// provider of the catalog must appear in the samples.
var expectations = map[string]expectation{
	"Webex": {state: "active", id: func(_ sampleWebhook, id string) error {
		if !isWebexID(id) {
			return errors.New("not a Webex id (base64 of a ciscospark:// URI)")
		}
		return nil
	}},
	"EightByEight": {state: "enabled", id: func(h sampleWebhook, id string) error {
		// 8x8 has no id of its own: the operator's is the webhook's key.
		want := h.field("eightByEight", "accountId") + "/" + h.field("eightByEight", "subAccountId") + "/" + h.field("eightByEight", "type")
		if id != want {
			return fmt.Errorf("want %q (<accountId>/<subAccountId>/<type>)", want)
		}
		return nil
	}},
	"Autodesk": {state: "active", id: func(_ sampleWebhook, id string) error {
		if !uuidPattern.MatchString(id) {
			return errors.New("not an APS hook id (a UUID)")
		}
		return nil
	}},
	"PageSeeder": {state: "active", id: func(_ sampleWebhook, id string) error {
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n < 1 {
			return errors.New("not a PageSeeder webhook id (a positive integer)")
		}
		return nil
	}},
}

// accountOutcomes is what config/samples/accounts must show, by namespace: team-a may use the
// shared ClusterAccount through a namespace label, team-b because the account names it, and
// team-c may not.
var accountOutcomes = map[string]string{
	"team-a": hooksv1alpha1.ReasonAvailable,
	"team-b": hooksv1alpha1.ReasonAvailable,
	"team-c": hooksv1alpha1.ReasonAccountNotPermitted,
}

// checkAccountRow checks the table row of a sample Webhook on an account against accountOutcomes.
func checkAccountRow(t *testing.T, h sampleWebhook, row []string, out string) {
	t.Helper()
	want, known := accountOutcomes[h.namespace]
	if !known {
		t.Errorf("%s: no outcome for namespace %s: add one to accountOutcomes", h.key(), h.namespace)
		return
	}
	// NAMESPACE NAME PROVIDER ID STATE READY REASON
	if want == hooksv1alpha1.ReasonAvailable {
		if row[2] != h.provider || row[5] != "True" || row[6] != want {
			t.Errorf("%s: want provider %s, READY True, REASON %s on %s %s; got %q", h.key(), h.provider, want, h.accountKind, h.accountName, row)
		}
		if e, ok := expectations[h.provider]; ok {
			if err := e.id(h, row[3]); err != nil {
				t.Errorf("%s: id %q: %v", h.key(), row[3], err)
			}
			if row[4] != e.state {
				t.Errorf("%s: state %q, want %q", h.key(), row[4], e.state)
			}
		}
		return
	}
	// Refused: no remote webhook, and the operator's message in the demo's list of refusals.
	if row[3] != "<none>" || row[4] != "<none>" || row[5] != "False" || row[6] != want {
		t.Errorf("%s: want no id, no state, READY False, REASON %s; got %q", h.key(), want, row)
	}
	prefix := fmt.Sprintf("  %s: %s: ", h.key(), want)
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			line = l
		}
	}
	switch {
	case line == "":
		t.Errorf("%s: the demo did not list it among the refused Webhooks (no line starting %q)", h.key(), prefix)
	case !strings.Contains(line, fmt.Sprintf("%s %q", h.accountKind, h.accountName)):
		t.Errorf("%s: the refusal does not name %s %q: %q", h.key(), h.accountKind, h.accountName, line)
	}
	// A message written for one namespace never names another.
	for ns := range accountOutcomes {
		if ns != h.namespace && strings.Contains(line, ns) {
			t.Errorf("%s: the refusal names namespace %s: %q", h.key(), ns, line)
		}
	}
}

// checkAccountsSample checks that the accounts sample is what the demo promises: one
// ClusterAccount, which one namespace may use only through its labels and another only by name,
// and the demo's line per account.
func checkAccountsSample(t *testing.T, s samples, out string) {
	t.Helper()
	var shared []sampleWebhook
	for _, h := range s.webhooks {
		if h.accountKind == string(hooksv1alpha1.AccountKindClusterAccount) {
			shared = append(shared, h)
		}
	}
	if len(shared) == 0 {
		t.Fatal("config/samples holds no Webhook on a ClusterAccount: the demo should show a shared account")
	}
	name := shared[0].accountName
	ca, ok := s.clusterAccounts[name]
	if !ok {
		t.Fatalf("config/samples names ClusterAccount %s but holds none", name)
	}
	byLabel, byName := false, false
	for ns, want := range accountOutcomes {
		if want != hooksv1alpha1.ReasonAvailable {
			continue
		}
		named, selected := false, false
		for _, c := range ca.Spec.Conditions {
			named = named || slices.Contains(c.Namespaces, ns)
			if c.NamespaceSelector != nil {
				sel, err := metav1.LabelSelectorAsSelector(c.NamespaceSelector)
				selected = selected || (err == nil && sel.Matches(labels.Set(s.namespaceLabels[ns])))
			}
		}
		byLabel = byLabel || (selected && !named)
		byName = byName || (named && !selected)
	}
	if !byLabel || !byName {
		t.Errorf("ClusterAccount %s: want one Ready namespace permitted by its labels alone (%v) and one by name alone (%v)", name, byLabel, byName)
	}
	var ready, refused []string
	for _, h := range shared {
		if accountOutcomes[h.namespace] == hooksv1alpha1.ReasonAvailable {
			ready = append(ready, h.namespace)
		} else {
			refused = append(refused, h.namespace+" ("+accountOutcomes[h.namespace]+")")
		}
	}
	slices.Sort(ready)
	slices.Sort(refused)
	want := fmt.Sprintf("ClusterAccount %s: Ready in %s; refused in %s", name, strings.Join(ready, ", "), strings.Join(refused, ", "))
	if !strings.Contains(out, want+"\n") {
		t.Errorf("the demo output lacks the line %q", want)
	}
}

// samples is what the test needs to know of config/samples/.
type samples struct {
	webhooks        []sampleWebhook
	providers       map[string]bool
	secretValues    []string
	clusterAccounts map[string]*hooksv1alpha1.ClusterAccount
	namespaceLabels map[string]map[string]string
}

type sampleWebhook struct {
	namespace, name, provider string
	// accountKind and accountName are the spec.accountRef, "" for a Webhook on credentialsRef.
	accountKind, accountName string
	spec                     map[string]any
}

// key is how the table and the messages name the Webhook: namespace/name.
func (h sampleWebhook) key() string { return h.namespace + "/" + h.name }

// field returns the string at spec.<path>, or "".
func (h sampleWebhook) field(path ...string) string {
	v, _, _ := unstructured.NestedString(h.spec, path...)
	return v
}

// readSamples reads the Webhooks, the ClusterAccounts, the Namespaces' labels and every Secret
// value (stringData, and data decoded) of the samples, with the demo's own reader, from the same
// files the demo applies.
func readSamples(t *testing.T, dir string) samples {
	t.Helper()
	files, err := sampleFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	res := samples{providers: map[string]bool{}, clusterAccounts: map[string]*hooksv1alpha1.ClusterAccount{}, namespaceLabels: map[string]map[string]string{}}
	for _, file := range files {
		objs, err := readObjects(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range objs {
			switch {
			case isWebhook(obj):
				spec, _, _ := unstructured.NestedMap(obj.Object, "spec")
				provider, _, _ := unstructured.NestedString(spec, "provider")
				h := sampleWebhook{namespace: obj.GetNamespace(), name: obj.GetName(), provider: provider, spec: spec}
				if h.namespace == "" {
					h.namespace = demoNamespace
				}
				if ref, ok, _ := unstructured.NestedMap(spec, "accountRef"); ok {
					h.accountKind, _, _ = unstructured.NestedString(ref, "kind")
					h.accountName, _, _ = unstructured.NestedString(ref, "name")
					if h.accountKind == "" {
						h.accountKind = string(hooksv1alpha1.AccountKindAccount)
					}
				}
				res.webhooks = append(res.webhooks, h)
				res.providers[provider] = true
			case obj.GetKind() == "ClusterAccount":
				ca := &hooksv1alpha1.ClusterAccount{}
				if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, ca); err != nil {
					t.Fatalf("%s: ClusterAccount %s: %v", file, obj.GetName(), err)
				}
				res.clusterAccounts[ca.Name] = ca
			case obj.GetKind() == "Namespace":
				res.namespaceLabels[obj.GetName()] = obj.GetLabels()
			case obj.GetKind() == "Secret":
				stringData, _, _ := unstructured.NestedStringMap(obj.Object, "stringData")
				for _, v := range stringData {
					res.secretValues = append(res.secretValues, v)
				}
				data, _, _ := unstructured.NestedStringMap(obj.Object, "data")
				for k, v := range data {
					raw, err := base64.StdEncoding.DecodeString(v)
					if err != nil {
						t.Fatalf("%s: Secret %s: data.%s is not base64: %v", file, obj.GetName(), k, err)
					}
					res.secretValues = append(res.secretValues, string(raw))
				}
			}
		}
	}
	// An empty value would be found everywhere; it is no secret anyway.
	res.secretValues = slices.DeleteFunc(res.secretValues, func(v string) bool { return strings.TrimSpace(v) == "" })
	return res
}

// tableRows parses the Webhooks table of the demo's output, by namespace/name.
func tableRows(t *testing.T, out string) map[string][]string {
	t.Helper()
	rows := map[string][]string{}
	inTable := false
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) > 0 && fields[0] == "NAMESPACE":
			inTable = true
		case !inTable:
		case len(fields) == 0:
			inTable = false
		case len(fields) != 7:
			t.Errorf("table row with %d columns instead of 7: %q", len(fields), line)
		default:
			rows[fields[0]+"/"+fields[1]] = fields
		}
	}
	if len(rows) == 0 {
		t.Errorf("no Webhooks table in the output")
	}
	return rows
}

// isWebexID reports whether id looks like a Webex id: base64 of a "ciscospark://" URI.
func isWebexID(id string) bool {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil {
		raw, err = base64.RawURLEncoding.DecodeString(id)
	}
	return err == nil && strings.HasPrefix(string(raw), "ciscospark://")
}

func TestReadObjectsMultiDocument(t *testing.T) {
	file := filepath.Join(t.TempDir(), "objs.yaml")
	data := "# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\nstringData:\n  k: v\n"
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	objs, err := readObjects(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0].GetKind() != "ConfigMap" || objs[1].GetName() != "b" {
		t.Fatalf("got %d objects: %v", len(objs), objs)
	}
}

func TestSampleRewrites(t *testing.T) {
	const simURL = "http://127.0.0.1:4242"
	webhook := func(provider string, block map[string]any) *unstructured.Unstructured {
		spec := map[string]any{"provider": provider, "targetUrl": "https://hooks.example.com/x"}
		for k, v := range block {
			spec[k] = v
		}
		obj := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
		obj.SetAPIVersion("hooks.hookkeeper.dev/v1alpha1")
		obj.SetKind("Webhook")
		obj.SetName("w")
		return obj
	}
	pageSeeder := func() *unstructured.Unstructured {
		return webhook("PageSeeder", map[string]any{"pageSeeder": map[string]any{"serverUrl": "https://ps.example.org", "client": int64(42)}})
	}
	rw := sampleRewrites{endpoints: map[hooksv1alpha1.ProviderType]string{hooksv1alpha1.ProviderPageSeeder: simURL}}

	obj := pageSeeder()
	before := obj.DeepCopy()
	changes, err := rw.rewrite(obj)
	if err != nil || len(changes) != 1 || !strings.Contains(changes[0], "https://ps.example.org -> "+simURL) {
		t.Errorf("PageSeeder Webhook: changes %q, err %v", changes, err)
	}
	if got, _, _ := unstructured.NestedString(obj.Object, "spec", "pageSeeder", "serverUrl"); got != simURL {
		t.Errorf("serverUrl = %q, want %q", got, simURL)
	}
	// Nothing but serverUrl changed.
	_ = unstructured.SetNestedField(before.Object, simURL, "spec", "pageSeeder", "serverUrl")
	if !reflect.DeepEqual(before.Object, obj.Object) {
		t.Errorf("the rewrite changed more than serverUrl:\n got %v\nwant %v", obj.Object, before.Object)
	}

	untouched := map[string]*unstructured.Unstructured{
		"a Webex Webhook":                    webhook("Webex", map[string]any{"webex": map[string]any{"resource": "messages", "event": "created"}}),
		"a PageSeeder Webhook without a URL": webhook("PageSeeder", map[string]any{"pageSeeder": map[string]any{"client": int64(42)}}),
		"a Secret": {Object: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "s"},
			"spec": map[string]any{"provider": "PageSeeder", "pageSeeder": map[string]any{"serverUrl": "https://ps.example.org"}}}},
	}
	for what, obj := range untouched {
		before := obj.DeepCopy()
		if changes, err := rw.rewrite(obj); err != nil || len(changes) > 0 || !reflect.DeepEqual(before.Object, obj.Object) {
			t.Errorf("%s: changes %q, err %v; want it untouched", what, changes, err)
		}
	}
	obj = pageSeeder()
	if changes, err := (sampleRewrites{}).rewrite(obj); err != nil || len(changes) > 0 {
		t.Errorf("no rewrites configured: changes %q, err %v", changes, err)
	}
}

// TestProgressWaitsForTheIntendedRefusal: a Webhook that its account refuses is settled only with
// the reason the account's rules give it, and one that they permit only when Ready.
func TestProgressWaitsForTheIntendedRefusal(t *testing.T) {
	hook := func(ns, status, reason string) hooksv1alpha1.Webhook {
		h := hooksv1alpha1.Webhook{}
		h.Namespace, h.Name = ns, "messages"
		if status != "" {
			h.Status.Conditions = []metav1.Condition{{Type: hooksv1alpha1.ConditionReady, Status: metav1.ConditionStatus(status), Reason: reason}}
		}
		return h
	}
	refused := client.ObjectKey{Namespace: "team-c", Name: "messages"}
	refusals := map[client.ObjectKey]string{refused: hooksv1alpha1.ReasonAccountNotPermitted}
	for _, tc := range []struct {
		name  string
		hooks []hooksv1alpha1.Webhook
		done  bool
	}{
		{"both settled", []hooksv1alpha1.Webhook{hook("team-a", "True", "Available"), hook("team-c", "False", hooksv1alpha1.ReasonAccountNotPermitted)}, true},
		{"the refused one not reconciled yet", []hooksv1alpha1.Webhook{hook("team-a", "True", "Available"), hook("team-c", "", "")}, false},
		{"the refused one for another reason", []hooksv1alpha1.Webhook{hook("team-a", "True", "Available"), hook("team-c", "False", hooksv1alpha1.ReasonAccountNotFound)}, false},
		{"the refused one Ready", []hooksv1alpha1.Webhook{hook("team-a", "True", "Available"), hook("team-c", "True", "Available")}, false},
		{"a permitted one refused", []hooksv1alpha1.Webhook{hook("team-a", "False", hooksv1alpha1.ReasonAccountNotPermitted), hook("team-c", "False", hooksv1alpha1.ReasonAccountNotPermitted)}, false},
	} {
		line, done := progress(tc.hooks, nil, refusals)
		if done != tc.done {
			t.Errorf("%s: done = %v, want %v (%s)", tc.name, done, tc.done, line)
		}
	}
}
