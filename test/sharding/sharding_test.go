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

// Package sharding runs two operator processes with --sharding against one API server and one
// Webex simulator, and checks that they share the namespaces: every Webhook Ready, the Webhooks of
// each namespace created by one replica only, and both replicas at work.
package sharding

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/localenv"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
)

const (
	namespaces   = 12
	perNamespace = 2
)

func TestTwoReplicasShareTheNamespaces(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is unset: no control plane (make test sets it)")
	}
	root, err := localenv.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	kubeconfig := filepath.Join(state, "kubeconfig")
	cp, err := localenv.StartControlPlane(localenv.ControlPlaneOptions{
		Root: root, Assets: os.Getenv("KUBEBUILDER_ASSETS"), KubeconfigPath: kubeconfig, User: "sharding",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	c, err := cp.Client(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	sims, err := localenv.StartSimulators(localenv.SimulatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sims.Stop)
	webex := sims.Get(hooksv1alpha1.ProviderWebex)

	bin := filepath.Join(state, "manager")
	if err := localenv.BuildOperator(t.Context(), root, bin); err != nil {
		t.Fatal(err)
	}
	logs := map[string]string{}
	for _, id := range []string{"replica-a", "replica-b"} {
		logs[id] = filepath.Join(state, id+".log")
		args := append(localenv.EndpointFlags(), "--metrics-bind-address=0", "--health-probe-bind-address=0",
			"--sharding", "--shard-identity="+id, "--leader-election-namespace=default")
		op, err := localenv.StartOperator(bin, append(args, sims.OperatorFlags()...), kubeconfig, logs[id])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = op.Stop(10 * time.Second)
			if t.Failed() {
				t.Logf("%s log:\n%s", id, localenv.TailFile(logs[id], 40))
			}
		})
	}

	ctx := t.Context()
	// A join takes three rounds of the Leases (a third of 15 s each): wait until both replicas
	// run slots, so that the Webhooks below are shared from the start.
	waitShared(ctx, t, c, 2, time.Minute)
	var keys []client.ObjectKey
	for i := range namespaces {
		// Names that differ only in their last characters share the top bits of their FNV-1a hash,
		// and so a slot (tenant-00 to tenant-11 all fall in slot 41): the number goes in the middle.
		ns := fmt.Sprintf("tenant-%02d-apps", i)
		if err := localenv.EnsureNamespace(ctx, c, ns); err != nil {
			t.Fatal(err)
		}
		acct := webex.NewAccount(fmt.Sprintf("sharding-%02d", i))
		if err := c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"}, StringData: acct.Credentials}); err != nil {
			t.Fatal(err)
		}
		for j := range perNamespace {
			wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("hook-%d", j)},
				Spec: hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, TargetURL: fmt.Sprintf("https://hooks.example.com/%s/%d", ns, j),
					CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "creds"}}}
			acct.Spec(&wh.Spec, j)
			if err := c.Create(ctx, wh); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, client.ObjectKeyFromObject(wh))
		}
	}
	waitReady(ctx, t, c, keys, 2*time.Minute)

	// Each namespace's Webhooks were created by one replica, and both replicas took part.
	created := regexp.MustCompile(`"msg":"Created remote webhook".*?"namespace":"(tenant-\d+-apps)"|Created remote webhook.*?"namespace": "(tenant-\d+-apps)"`)
	byNamespace := map[string]map[string]bool{}
	perReplica := map[string]int{}
	for id, path := range logs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range created.FindAllStringSubmatch(string(data), -1) {
			ns := m[1] + m[2]
			if byNamespace[ns] == nil {
				byNamespace[ns] = map[string]bool{}
			}
			byNamespace[ns][id] = true
			perReplica[id]++
		}
	}
	for ns, replicas := range byNamespace {
		if len(replicas) != 1 {
			t.Errorf("the Webhooks of %s were created by %v", ns, replicas)
		}
	}
	if len(byNamespace) != namespaces || perReplica["replica-a"] == 0 || perReplica["replica-b"] == 0 {
		t.Errorf("creates per replica %v over %d namespaces: want both replicas at work on all %d", perReplica, len(byNamespace), namespaces)
	}
}

// waitShared waits until n replicas' shard Leases each list slots they run, and together all.
func waitShared(ctx context.Context, t *testing.T, c client.Client, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var leases coordinationv1.LeaseList
		if err := c.List(ctx, &leases, client.InNamespace("default"), client.HasLabels{sharding.MemberLabel}); err != nil {
			t.Fatal(err)
		}
		running, total := 0, 0.0
		for _, l := range leases.Items {
			slots, err := sharding.Parse(l.Annotations[sharding.HeldAnnotation])
			if err != nil {
				t.Fatal(err)
			}
			if len(slots) > 0 {
				running++
			}
			total += sharding.Share(slots)
		}
		if running == n && total == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, %d replicas run slots (%v of the hash space in all), want %d running all of it", timeout, running, total, n)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// waitReady waits until every Webhook is Ready.
func waitReady(ctx context.Context, t *testing.T, c client.Client, keys []client.ObjectKey, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		notReady := 0
		for _, k := range keys {
			var wh hooksv1alpha1.Webhook
			if err := c.Get(ctx, k, &wh); err != nil {
				t.Fatal(err)
			}
			ready := false
			for _, cond := range wh.Status.Conditions {
				if cond.Type == hooksv1alpha1.ConditionReady && cond.Status == metav1.ConditionTrue {
					ready = true
				}
			}
			if !ready {
				notReady++
			}
		}
		if notReady == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d Webhooks not Ready after %s", notReady, len(keys), timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
