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

package install

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	apsfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	e8fake "github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	psfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// TestOperatorRunsAsInstalled installs the operator the way users do (kustomize, the chart, both
// in namespaced mode), for real, then runs the operator binary with the Deployment's own
// arguments and the installed ServiceAccount's identity (impersonated), never as admin. Every
// provider's lifecycle, leader election, events, the Secret watch, and Webhooks on an Account and
// on a ClusterAccount whose credentials are in the operator's namespace must work, and the log
// must hold no "forbidden": the shipped RBAC is what is tested.
func TestOperatorRunsAsInstalled(t *testing.T) {
	needAPIServer(t)
	c, err := client.New(apiServer.cfg, client.Options{Scheme: installedScheme()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, tenant string
		render       func(t *testing.T, tenant string) []*unstructured.Unstructured
	}{
		{name: "kustomize", tenant: "installed-kustomize", render: func(t *testing.T, _ string) []*unstructured.Unstructured {
			return kustomizeBuild(t, filepath.Join(root, "config", "default"))
		}},
		{name: "chart", tenant: "installed-chart", render: func(t *testing.T, _ string) []*unstructured.Unstructured {
			return mustHelmTemplate(t, "hk-chart", "--include-crds")
		}},
		{name: "chart with watchNamespaces", tenant: "installed-chart-ns", render: func(t *testing.T, tenant string) []*unstructured.Unstructured {
			return mustHelmTemplate(t, "hk-chart-ns", "--include-crds", "--set", "watchNamespaces={"+tenant+"}")
		}},
		// config/namespaced watches team-a and team-b, whose Roles need both namespaces.
		{name: "kustomize config/namespaced", tenant: watched[0], render: func(t *testing.T, _ string) []*unstructured.Unstructured {
			for _, w := range watched {
				createNamespace(t, c, w, nil)
			}
			return kustomizeBuild(t, filepath.Join(root, "config", "namespaced"))
		}},
		// config/default's RBAC suffices for --sharding too: its leader-election Role covers the
		// shard Leases. The identity is then the host name, as a pod's would be.
		{name: "kustomize with --sharding", tenant: "installed-kustomize-sharded", render: func(t *testing.T, _ string) []*unstructured.Unstructured {
			objs := kustomizeBuild(t, filepath.Join(root, "config", "default"))
			d := find(objs, "Deployment")[0]
			containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
			c := containers[0].(map[string]any)
			var args []any
			for _, a := range c["args"].([]any) {
				if a != "--leader-elect" {
					args = append(args, a)
				}
			}
			c["args"] = append(args, "--sharding")
			if err := unstructured.SetNestedSlice(d.Object, containers, "spec", "template", "spec", "containers"); err != nil {
				t.Fatal(err)
			}
			return objs
		}},
		// Three replicas shard: one of them runs here, with its shard Lease rather than the
		// leader's, and holds every namespace.
		{name: "chart with three replicas", tenant: "installed-chart-sharded", render: func(t *testing.T, _ string) []*unstructured.Unstructured {
			return mustHelmTemplate(t, "hk-chart-sharded", "--include-crds", "--set", "replicaCount=3")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := tc.tenant
			createNamespace(t, c, tenant, nil)
			objs := tc.render(t, tenant)
			// helm install creates the release namespace (--create-namespace); kustomize renders it.
			createNamespace(t, c, find(objs, "Deployment")[0].GetNamespace(), nil)
			installForReal(t, c, objs)
			dep := &appsv1.Deployment{}
			convert(t, find(objs, "Deployment")[0], dep)
			sims := startSimulators(t)
			op := runInstalled(t, dep, sims)
			checkLifecycle(t, c, tenant, sims)
			checkAccounts(t, c, tenant, dep.Namespace, sims)
			if !op.sharded {
				checkLeaderLease(t, c, dep.Namespace)
				op.stop(t)
				return
			}
			lease := checkShardLease(t, c, dep.Namespace, op.podName)
			op.stop(t)
			// Stopping, it deleted its Lease, so that the others take its namespaces at once.
			err := c.Get(context.Background(), client.ObjectKey{Namespace: dep.Namespace, Name: lease}, &coordinationv1.Lease{})
			if !apierrors.IsNotFound(err) {
				t.Errorf("the shard Lease after the operator stopped: got %v, want NotFound", err)
			}
		})
	}
}

// installForReal creates the namespaces and applies every object server-side, and deletes them
// again at the end of the test (except the CRD, which the other tests share, and namespaces).
func installForReal(t *testing.T, c client.Client, objs []*unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			createNamespace(t, c, o.GetName(), o.GetLabels())
		}
	}
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			continue
		}
		if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(o.DeepCopy()),
			client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
			if meta.IsNoMatchError(err) {
				continue // a ServiceMonitor where no Prometheus Operator is installed
			}
			t.Fatalf("applying %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
	}
	t.Cleanup(func() {
		for _, o := range objs {
			switch o.GetKind() {
			case "Namespace", "CustomResourceDefinition":
				continue
			}
			if err := c.Delete(ctx, o.DeepCopy()); err != nil && !apierrors.IsNotFound(err) && !meta.IsNoMatchError(err) {
				t.Errorf("deleting %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
			}
		}
	})
}

// simulators are the four SaaS fakes with one account each.
type simulators struct {
	wx                                   *webexfake.Server
	e8                                   *e8fake.Server
	aps                                  *apsfake.Server
	ps                                   *psfake.Server
	webexToken, e8Key, e8Account, apsApp string
	psClient                             int64
}

func startSimulators(t *testing.T) *simulators {
	s := &simulators{wx: webexfake.New(), e8: e8fake.New(), aps: apsfake.New(), ps: psfake.New(),
		webexToken: "installed-webex-token", e8Key: "installed-8x8-key", e8Account: "0123456789abcdef0123456789abcdef",
		apsApp: "installed-aps-app", psClient: 77}
	t.Cleanup(func() { s.wx.Close(); s.e8.Close(); s.aps.Close(); s.ps.Close() })
	s.wx.AddToken(s.webexToken)
	s.e8.AddKey(s.e8Key, s.e8Account)
	s.aps.AddClient(s.apsApp, "installed-aps-secret")
	s.ps.AddClient("installed-ps-client", "installed-ps-secret", s.psClient)
	s.ps.SetPingResult(func(string) error { return nil })
	return s
}

// installedOperator is the operator binary running as the installed ServiceAccount.
type installedOperator struct {
	*localenv.Operator
	log string
	// podName is the name of the pod it stands for; sharded, whether the Deployment shards.
	podName string
	sharded bool
}

// runInstalled starts the operator with the Deployment's arguments, expanded as the kubelet
// would for a pod of the Deployment ($(POD_NAME)). Only what a pod would have and a process here
// has not is added: the simulators' URLs, plain HTTP on loopback, free local ports instead of the
// pod's, and the namespace of the leader-election or shard Leases.
func runInstalled(t *testing.T, dep *appsv1.Deployment, sims *simulators) *installedOperator {
	t.Helper()
	container := dep.Spec.Template.Spec.Containers[0]
	podName := dep.Name + "-5d8f9-x7k2q"
	args := expandArgs(container, podName)
	given := argMap(args)
	sharded := given["sharding"] == "true"
	if given["leader-elect"] != "true" && !sharded {
		t.Fatalf("the Deployment's arguments %q neither elect a leader nor shard", container.Args)
	}
	if sharded && given["shard-identity"] == "" {
		// The operator's default: the host name, which in a pod is the pod's name.
		host, err := os.Hostname()
		if err != nil {
			t.Fatal(err)
		}
		podName = host
	}
	if sharded && given["shard-identity"] != "" {
		podName = given["shard-identity"]
	}
	args = append(args,
		// Port 0: the kernel picks a free port as the server binds. A port found free beforehand
		// may be taken by another process (an outgoing connection of a test running alongside)
		// before the operator binds it, and the operator then exits at once.
		"--metrics-bind-address=127.0.0.1:0", "--health-probe-bind-address=127.0.0.1:0",
		"--leader-election-namespace="+dep.Namespace,
		"--webex-api-url="+sims.wx.URL(), "--eightbyeight-api-url="+sims.e8.URL(), "--autodesk-api-url="+sims.aps.URL(),
		"--resync-period=30s")
	args = append(args, localenv.EndpointFlags()...)
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	writeImpersonatingKubeconfig(t, kubeconfig, dep.Namespace, dep.Spec.Template.Spec.ServiceAccountName)
	logPath := filepath.Join(dir, "operator.log")
	// Exact: StartOperator would add --metrics-secure=false, which the Deployment does not pass.
	op, err := localenv.StartOperatorExact(buildOperator(t), args, kubeconfig, logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = op.Stop(0)
		if t.Failed() {
			t.Logf("operator (%s) log:\n%s", op.ExitStatus(), localenv.TailFile(logPath, 60))
		}
	})
	return &installedOperator{Operator: op, log: logPath, podName: podName, sharded: sharded}
}

// stop ends the operator as Kubernetes would, and checks its log for any refusal by RBAC.
func (op *installedOperator) stop(t *testing.T) {
	t.Helper()
	_ = syscall.Kill(op.PID(), syscall.SIGTERM)
	select {
	case <-op.Done():
	case <-time.After(30 * time.Second):
		t.Errorf("the operator did not stop within 30 s of SIGTERM")
	}
	data, err := os.ReadFile(op.log)
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?i)[^\n]*forbidden[^\n]*`).Find(data); m != nil {
		t.Errorf("the operator was refused something by its own RBAC: %s", m)
	}
}

// writeImpersonatingKubeconfig writes a kubeconfig that reaches the test API server as the
// ServiceAccount: the admin credentials only carry the impersonation.
func writeImpersonatingKubeconfig(t *testing.T, path, namespace, serviceAccount string) {
	t.Helper()
	cfg := apiServer.cfg
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["sa"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken,
		Impersonate:       "system:serviceaccount:" + namespace + ":" + serviceAccount,
		ImpersonateGroups: []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"},
	}
	kc.Contexts["sa"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "sa"}
	kc.CurrentContext = "sa"
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
}

// checkLifecycle creates a Webhook of each provider in the tenant namespace, waits for each to
// be Ready with its remote webhook, checks the events, checks that a Secret created after its
// Webhook is seen at once (the Secret watch), and deletes the Webhooks with their remote webhooks.
func checkLifecycle(t *testing.T, c client.Client, ns string, sims *simulators) {
	t.Helper()
	ctx := context.Background()
	secrets := map[string]map[string]string{
		"webex": {"token": sims.webexToken}, "e8": {"apiKey": sims.e8Key},
		"aps": {"clientId": sims.apsApp, "clientSecret": "installed-aps-secret"},
	}
	for name, data := range secrets {
		createSecret(t, c, ns, name, data)
	}
	hooks := map[string]hooksv1alpha1.WebhookSpec{
		"webex": {Provider: hooksv1alpha1.ProviderWebex, CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "webex"},
			Webex: &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}},
		"e8": {Provider: hooksv1alpha1.ProviderEightByEight, CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "e8"},
			EightByEight: &hooksv1alpha1.EightByEightSpec{AccountID: sims.e8Account, SubAccountID: "Sales", Type: "MSG"}},
		"aps": {Provider: hooksv1alpha1.ProviderAutodesk, CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "aps"},
			Autodesk: &hooksv1alpha1.AutodeskSpec{System: "data", Event: "dm.version.added", Scope: map[string]string{"folder": "urn:adsk.wipprod:fs.folder:co.installed"}}},
		// Its Secret is created only after the Webhook: the Secret watch must bring it to Ready.
		"ps": {Provider: hooksv1alpha1.ProviderPageSeeder, CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "ps"},
			PageSeeder: &hooksv1alpha1.PageSeederSpec{ServerURL: sims.ps.URL(), Client: sims.psClient}},
	}
	for name, spec := range hooks {
		spec.TargetURL = "https://hooks.example.com/installed/" + name
		wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
		if err := c.Create(ctx, wh); err != nil {
			t.Fatalf("creating Webhook %s: %v", name, err)
		}
	}
	waitFor(t, time.Minute, "the PageSeeder Webhook reports its missing Secret", func() (bool, string) {
		return readyReason(c, ns, "ps") == hooksv1alpha1.ReasonCredentialsNotFound, readyReason(c, ns, "ps")
	})
	createSecret(t, c, ns, "ps", map[string]string{"clientId": "installed-ps-client", "clientSecret": "installed-ps-secret"})
	// Well below the 2-minute retry of a missing Secret: only the watch can be this quick.
	for name := range hooks {
		waitFor(t, 45*time.Second, "Webhook "+name+" Ready", func() (bool, string) {
			r := readyReason(c, ns, name)
			return r == hooksv1alpha1.ReasonAvailable, r
		})
	}
	if n := len(sims.wx.Hooks(sims.webexToken)) + len(sims.e8.Hooks(sims.e8Account)) + len(sims.aps.Hooks(sims.apsApp)) +
		len(sims.ps.Hooks(sims.psClient)); n != 4 {
		t.Errorf("the simulators hold %d remote webhooks, want 4", n)
	}
	var events eventsv1.EventList
	if err := c.List(ctx, &events, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, e := range events.Items {
		if e.Reason == "Created" {
			created++
		}
	}
	if created < 4 {
		t.Errorf("%d Created events in %s, want one per Webhook", created, ns)
	}
	for name := range hooks {
		if err := c.Delete(ctx, &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, time.Minute, "the Webhooks and their remote webhooks gone", func() (bool, string) {
		var list hooksv1alpha1.WebhookList
		if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return false, err.Error()
		}
		n := len(sims.wx.Hooks(sims.webexToken)) + len(sims.e8.Hooks(sims.e8Account)) + len(sims.aps.Hooks(sims.apsApp)) +
			len(sims.ps.Hooks(sims.psClient))
		return len(list.Items) == 0 && n == 0, fmt.Sprintf("%d Webhooks, %d remote webhooks", len(list.Items), n)
	})
}

// checkAccounts creates a Webex Webhook on an Account of the tenant namespace ns and one on a
// ClusterAccount whose Secret is in the operator's namespace (the default of
// --account-secret-namespaces), permitted for ns; both must be Ready with their remote webhooks,
// and so must both accounts' status; then everything is deleted again.
func checkAccounts(t *testing.T, c client.Client, ns, operatorNS string, sims *simulators) {
	t.Helper()
	ctx := context.Background()
	createSecret(t, c, ns, "account-webex", map[string]string{"token": sims.webexToken})
	createSecret(t, c, operatorNS, "shared-webex-"+ns, map[string]string{"token": sims.webexToken})
	webex := hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex}
	acct := &hooksv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "team"}, Spec: hooksv1alpha1.AccountSpec{
		AccountSettings: webex, CredentialsRef: hooksv1alpha1.LocalObjectReference{Name: "account-webex"}}}
	shared := &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: "installed-" + ns}, Spec: hooksv1alpha1.ClusterAccountSpec{
		AccountSettings: webex, CredentialsRef: hooksv1alpha1.SecretReference{Namespace: operatorNS, Name: "shared-webex-" + ns},
		Conditions: []hooksv1alpha1.AccountCondition{{Namespaces: []string{ns}}}}}
	refs := map[string]*hooksv1alpha1.AccountReference{
		"on-account":         {Kind: hooksv1alpha1.AccountKindAccount, Name: acct.Name},
		"on-cluster-account": {Kind: hooksv1alpha1.AccountKindClusterAccount, Name: shared.Name},
	}
	objs := []client.Object{acct, shared}
	for name, ref := range refs {
		objs = append(objs, &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: hooksv1alpha1.WebhookSpec{
			Provider: hooksv1alpha1.ProviderWebex, AccountRef: ref, TargetURL: "https://hooks.example.com/installed/" + name,
			Webex: &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}}})
	}
	for _, o := range objs {
		if err := c.Create(ctx, o); err != nil {
			t.Fatalf("creating %T %s: %v", o, o.GetName(), err)
		}
	}
	t.Cleanup(func() {
		for _, o := range []client.Object{acct, shared} {
			if err := c.Delete(context.Background(), o); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting %T %s: %v", o, o.GetName(), err)
			}
		}
	})
	for name := range refs {
		waitFor(t, 45*time.Second, "Webhook "+name+" Ready", func() (bool, string) {
			r := readyReason(c, ns, name)
			return r == hooksv1alpha1.ReasonAvailable, r
		})
	}
	if n := len(sims.wx.Hooks(sims.webexToken)); n != len(refs) {
		t.Errorf("the Webex simulator holds %d remote webhooks, want %d", n, len(refs))
	}
	// The operator writes both accounts' status.
	for _, o := range []client.Object{&hooksv1alpha1.Account{}, &hooksv1alpha1.ClusterAccount{}} {
		key := client.ObjectKeyFromObject(acct)
		if _, ok := o.(*hooksv1alpha1.ClusterAccount); ok {
			key = client.ObjectKeyFromObject(shared)
		}
		waitFor(t, 45*time.Second, fmt.Sprintf("%T %s Ready", o, key.Name), func() (bool, string) {
			if err := c.Get(ctx, key, o); err != nil {
				return false, err.Error()
			}
			var status hooksv1alpha1.AccountStatus
			switch a := o.(type) {
			case *hooksv1alpha1.Account:
				status = a.Status
			case *hooksv1alpha1.ClusterAccount:
				status = a.Status
			}
			cond := meta.FindStatusCondition(status.Conditions, hooksv1alpha1.ConditionReady)
			return cond != nil && cond.Status == metav1.ConditionTrue && status.Webhooks == 1, fmt.Sprintf("%+v, %d Webhooks", cond, status.Webhooks)
		})
	}
	for name := range refs {
		if err := c.Delete(ctx, &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, time.Minute, "the Webhooks on accounts and their remote webhooks gone", func() (bool, string) {
		var list hooksv1alpha1.WebhookList
		if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return false, err.Error()
		}
		n := len(sims.wx.Hooks(sims.webexToken))
		return len(list.Items) == 0 && n == 0, fmt.Sprintf("%d Webhooks, %d remote webhooks", len(list.Items), n)
	})
}

// checkLeaderLease checks that the operator took the leader-election Lease in its namespace.
func checkLeaderLease(t *testing.T, c client.Client, namespace string) {
	t.Helper()
	lease := &coordinationv1.Lease{}
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: "hookkeeper.hooks.hookkeeper.dev"}, lease); err != nil {
		t.Fatalf("the leader-election Lease: %v", err)
	}
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "" {
		t.Errorf("the leader-election Lease has no holder")
	}
}

// checkShardLease checks that the sharded operator holds one Lease in its namespace, named after
// its pod and its process (the pod's name and a suffix), and runs slots in it; it returns the
// Lease's name.
func checkShardLease(t *testing.T, c client.Client, namespace, podName string) string {
	t.Helper()
	var list coordinationv1.LeaseList
	if err := c.List(context.Background(), &list, client.InNamespace(namespace), client.HasLabels{sharding.MemberLabel}); err != nil {
		t.Fatalf("the shard Leases: %v", err)
	}
	var leases []coordinationv1.Lease
	for _, l := range list.Items {
		if l.Annotations[sharding.ReplicaAnnotation] == podName {
			leases = append(leases, l)
		}
	}
	if len(leases) != 1 {
		t.Fatalf("%d shard Leases name the replica %s, want 1", len(leases), podName)
	}
	lease := &leases[0]
	if h := lease.Spec.HolderIdentity; h == nil || !strings.HasPrefix(*h, podName+"-") || lease.Name != sharding.LeaseName(*h) {
		t.Errorf("the shard Lease %s's holder is %v, want the pod's name %s with a suffix for the process", lease.Name, h, podName)
	}
	if lease.Annotations[sharding.HeldAnnotation] == "" {
		t.Errorf("the shard Lease holds no slots: annotations %v", lease.Annotations)
	}
	return lease.Name
}

func createSecret(t *testing.T, c client.Client, ns, name string, data map[string]string) {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: data}
	if err := c.Create(context.Background(), s); err != nil {
		t.Fatalf("creating Secret %s/%s: %v", ns, name, err)
	}
}

// readyReason returns the Ready reason of a Webhook as the API server has it, or "".
func readyReason(c client.Client, ns, name string) string {
	wh := &hooksv1alpha1.Webhook{}
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, wh); err != nil {
		return ""
	}
	if cond := meta.FindStatusCondition(wh.Status.Conditions, hooksv1alpha1.ConditionReady); cond != nil {
		return cond.Reason
	}
	return ""
}

// waitFor polls cond until it holds or the timeout passes; the last detail explains a failure.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var detail string
	for time.Now().Before(deadline) {
		var ok bool
		if ok, detail = cond(); ok {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s (last: %s)", what, timeout, detail)
}

// installedScheme knows the built-in kinds and Webhooks.
func installedScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(hooksv1alpha1.AddToScheme(s))
	return s
}
