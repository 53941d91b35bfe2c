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

// Package flux holds no code, only a test of what a Flux Kustomization with `wait: true` does
// with Webhooks. It drives Flux's own apply-and-wait engine, github.com/fluxcd/pkg/ssa (the one
// kustomize-controller runs, with its kstatus poller), against the operator as a process of its
// own, a local control plane and the provider simulators (internal/test/localenv's, as `make demo`
// runs them): the samples become Current once the operator has made their remote webhooks, and a
// Webhook the operator refuses fails the wait within seconds instead of at its timeout.
//
// Under `make test` KUBEBUILDER_ASSETS is always set; a plain `go test` without it skips, saying why.
package flux

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"github.com/fluxcd/pkg/ssa"
	ssautils "github.com/fluxcd/pkg/ssa/utils"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

// waitOptions are kustomize-controller's health-check settings: its 5-second poll, a
// Kustomization timeout of two minutes, and fail-fast on the first Failed object.
var waitOptions = ssa.WaitOptions{Interval: 5 * time.Second, Timeout: 2 * time.Minute, FailFast: true}

// env is the running system: control plane, simulators, operator, and Flux's resource manager.
type env struct {
	c            client.Client
	rm           *ssa.ResourceManager
	root         string
	sims         *localenv.Simulators
	stopOperator func()
}

func TestFluxWaitsForWebhooks(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: run the tests with `make test`, which sets it")
	}
	e := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	t.Run("the samples become Current once their remote webhooks exist", func(t *testing.T) {
		e.samplesBecomeCurrent(ctx, t)
	})
	t.Run("a Webhook the operator refuses fails the wait within seconds, Stalled", func(t *testing.T) {
		e.refusedFailsFast(ctx, t)
	})
	// Last, since it stops the operator.
	t.Run("a Webhook the operator has not seen is never Current", func(t *testing.T) {
		e.unseenIsNotCurrent(ctx, t)
	})
}

// start runs the control plane, the simulators and the operator built from this tree, and Flux's
// resource manager with its kstatus poller, as kustomize-controller sets them up; t.Cleanup stops
// them in reverse.
func start(t *testing.T) *env {
	// The client's own log is not wanted; a failure prints the operator's.
	logf.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	root, err := localenv.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{root: root}
	state := t.TempDir()
	kubeconfig := filepath.Join(state, "kubeconfig")
	e.c = startControlPlane(t, e.root, kubeconfig)
	e.sims = simulators(t)
	e.stopOperator = startOperator(t, e.root, state, kubeconfig, e.sims.OperatorFlags())
	poller := polling.NewStatusPoller(e.c, e.c.RESTMapper(), polling.Options{})
	e.rm = ssa.NewResourceManager(e.c, poller, ssa.Owner{Field: "kustomize-controller", Group: "kustomize.toolkit.fluxcd.io"})
	return e
}

// samplesBecomeCurrent applies config/samples as a Kustomization with targetNamespace would,
// and waits for them as `wait: true` does. The wait must not succeed before every Webhook is
// Ready for its generation: a Webhook the operator has not seen yet is InProgress.
func (e *env) samplesBecomeCurrent(ctx context.Context, t *testing.T) {
	ns := e.namespace(ctx, t)
	objects := e.build(t, filepath.Join(e.root, "config", "samples"), ns)
	cs, err := e.rm.ApplyAllStaged(ctx, objects, ssa.DefaultApplyOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.rm.WaitForSetWithContext(ctx, cs.ToObjMetadataSet(), waitOptions); err != nil {
		t.Fatalf("waiting for the samples: %v", err)
	}
	var hooks hooksv1alpha1.WebhookList
	if err := e.c.List(ctx, &hooks, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if len(hooks.Items) < 4 {
		t.Fatalf("%d Webhooks applied, want every sample's", len(hooks.Items))
	}
	for _, h := range hooks.Items {
		ready := meta.FindStatusCondition(h.Status.Conditions, hooksv1alpha1.ConditionReady)
		if ready == nil || ready.Status != metav1.ConditionTrue || h.Status.ObservedGeneration != h.Generation || h.Status.ID == "" {
			t.Errorf("the wait succeeded, but Webhook %s is not Ready for generation %d with a remote id: %+v", h.Name, h.Generation, h.Status)
		}
	}
}

// refusedFailsFast applies one Webhook whose PageSeeder server is outside the operator's
// --endpoint-allowlist: the CRD schema accepts it, the operator refuses it (InvalidSpec, so
// Stalled), and the wait fails at once with the Webhook named, long before its timeout.
func (e *env) refusedFailsFast(ctx context.Context, t *testing.T) {
	ns := e.namespace(ctx, t)
	objects := readYAML(t, `
apiVersion: v1
kind: Secret
metadata: {name: ps-client}
stringData: {clientId: placeholder, clientSecret: placeholder}
---
apiVersion: hooks.hookkeeper.dev/v1alpha1
kind: Webhook
metadata: {name: internal-server}
spec:
  provider: PageSeeder
  targetUrl: https://hooks.example.com/ps
  credentialsRef: {name: ps-client}
  pageSeeder: {serverUrl: "http://127.0.0.2:9", client: 1}
`, ns)
	cs, err := e.rm.ApplyAllStaged(ctx, objects, ssa.DefaultApplyOptions())
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	err = e.rm.WaitForSetWithContext(ctx, cs.ToObjMetadataSet(), waitOptions)
	took := time.Since(began)
	if err == nil {
		t.Fatal("the wait succeeded for a Webhook the operator refuses")
	}
	t.Logf("the wait failed after %s: %v", took.Round(time.Millisecond), err)
	if took > 30*time.Second {
		t.Errorf("the wait failed after %s, want well under its %s timeout", took, waitOptions.Timeout)
	}
	for _, want := range []string{"failed early due to stalled resources", "Webhook/" + ns + "/internal-server", "'Failed'"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the wait's error %q does not contain %q", err, want)
		}
	}
	// ssa names the object and its status only; the reason is the Stalled message, which the
	// same kstatus computation reads (and `flux events`/`kubectl describe` show).
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(hooksv1alpha1.GroupVersion.WithKind("Webhook"))
	if err := e.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "internal-server"}, u); err != nil {
		t.Fatal(err)
	}
	res, err := status.Compute(u)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != status.FailedStatus || !strings.Contains(res.Message, "--endpoint-allowlist") {
		t.Errorf("kstatus of the refused Webhook: %s %q, want Failed with the operator's InvalidSpec message", res.Status, res.Message)
	}
}

// unseenIsNotCurrent applies a valid Webhook with the operator stopped: the wait must run into
// its timeout with the Webhook InProgress, never succeed on a Webhook nobody has reconciled
// (status.observedGeneration is -1 until the operator writes it).
func (e *env) unseenIsNotCurrent(ctx context.Context, t *testing.T) {
	e.stopOperator()
	ns := e.namespace(ctx, t)
	objects := readYAML(t, `
apiVersion: v1
kind: Secret
metadata: {name: webex-bot}
stringData: {token: placeholder}
---
apiVersion: hooks.hookkeeper.dev/v1alpha1
kind: Webhook
metadata: {name: unseen}
spec:
  provider: Webex
  targetUrl: https://hooks.example.com/unseen
  credentialsRef: {name: webex-bot}
  webex: {resource: messages, event: created}
`, ns)
	cs, err := e.rm.ApplyAllStaged(ctx, objects, ssa.DefaultApplyOptions())
	if err != nil {
		t.Fatal(err)
	}
	short := waitOptions
	short.Timeout = 12 * time.Second
	err = e.rm.WaitForSetWithContext(ctx, cs.ToObjMetadataSet(), short)
	if err == nil {
		t.Fatal("the wait succeeded for a Webhook that no operator has reconciled")
	}
	for _, want := range []string{"timeout waiting for", "Webhook/" + ns + "/unseen status: 'InProgress'"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the wait's error %q does not contain %q", err, want)
		}
	}
}

// build runs kustomize on dir, as kustomize-controller does, puts every object into ns (its
// targetNamespace) and points the Webhooks that name their server (each descriptor's
// EndpointField) at its simulator, as `make demo` does: the samples name a server that cannot be
// reached from here.
func (e *env) build(t *testing.T, dir, ns string) []*unstructured.Unstructured {
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	data, err := resources.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	objects := readYAML(t, string(data), ns)
	urls := e.sims.EndpointURLs()
	for _, obj := range objects {
		if _, err := localenv.PointAtSimulators(obj, urls); err != nil {
			t.Fatal(err)
		}
	}
	return objects
}

func (e *env) namespace(ctx context.Context, t *testing.T) string {
	ns := "flux-" + rand.String(6)
	if err := e.c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	return ns
}

// readYAML decodes a multi-document YAML into objects in namespace ns.
func readYAML(t *testing.T, doc, ns string) []*unstructured.Unstructured {
	objects, err := ssautils.ReadObjects(bytes.NewReader([]byte(doc)))
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range objects {
		obj.SetNamespace(ns)
	}
	return objects
}
