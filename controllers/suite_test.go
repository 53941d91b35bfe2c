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

package controllers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/controllers"
	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/metrics"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/internal/recorder"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/autodesk"
	apsfake "github.com/hookkeeper/hookkeeper/providers/autodesk/fake"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
	e8fake "github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
	psfake "github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
	"github.com/hookkeeper/hookkeeper/providers/providertest/example"
	examplefake "github.com/hookkeeper/hookkeeper/providers/providertest/example/fake"
	"github.com/hookkeeper/hookkeeper/providers/webex"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// Timings of the suite's operator. The resync is long enough that a spec can tell a watch-driven
// reconcile from a resync, and short enough that drift repair is seen within a minute.
const (
	resyncPeriod      = 15 * time.Second
	reactivationDelay = 2 * time.Second
	deletionTimeout   = 4 * time.Second
	httpTimeout       = 2 * time.Second
	workers           = 4
)

var (
	testEnv   *envtest.Environment
	cfg       *rest.Config
	k8sClient client.Client // reads straight from the API server, never from the operator's cache
	scheme    = runtime.NewScheme()
	wx        *webexfake.Server
	e8        *e8fake.Server
	aps       *apsfake.Server
	ps        *psfake.Server
	ex        *examplefake.Server
	// operatorLog keeps everything the operator logged, to search it for secrets.
	operatorLog = &syncBuffer{}
	// pingsFixed makes the broken PageSeeder receiver answer its pings.
	pingsFixed atomic.Bool
	// operatorNamespaces, when set, limits the operator started next to those namespaces, as
	// --watch-namespaces does.
	operatorNamespaces []string
	// secretRequests records every request about Secrets that the operator sends to the API server.
	secretRequests = &requestLog{}
)

// The operator's own namespace, and its status key Secret there, as main finds them in a pod.
const (
	operatorNamespace = "hookkeeper-system"
	statusKeySecret   = "hookkeeper-status-key"
)

// suiteEgress is the operator's --endpoint-allowlist in the suite: the simulators listen on
// 127.0.0.1, and nothing else on the loopback network is allowed.
const suiteEgress = "127.0.0.1/32"

// requestLog keeps the method, URL and Accept header of requests.
type requestLog struct {
	mu   sync.Mutex
	reqs []loggedRequest
}

type loggedRequest struct {
	method, url, accept string
}

func (l *requestLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, loggedRequest{method: r.Method, url: r.URL.String(), accept: r.Header.Get("Accept")})
}

func (l *requestLog) all() []loggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]loggedRequest(nil), l.reqs...)
}

// recordSecrets logs the requests about Secrets before sending them.
type recordSecrets struct{ next http.RoundTripper }

func (t recordSecrets) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, "/secrets") {
		secretRequests.add(r)
	}
	return t.next.RoundTrip(r)
}

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controller Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(io.MultiWriter(GinkgoWriter, operatorLog)), zap.UseDevMode(true)))
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)

	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(hooksv1alpha1.AddToScheme(scheme))

	testEnv = &envtest.Environment{CRDs: suiteCRDs()}
	var err error
	cfg, err = testEnv.Start()
	DeferCleanup(stopSuite)
	Expect(err).NotTo(HaveOccurred(), "start envtest: is KUBEBUILDER_ASSETS set? run the tests with make test")

	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	wx = webexfake.New()
	e8 = e8fake.New()
	aps = apsfake.New()
	ps = psfake.New()
	ex = examplefake.New()
	// No receiver listens at the Webhooks' target URLs: PageSeeder's pings succeed, except to a
	// receiver that the pending spec breaks on purpose.
	ps.SetPingResult(func(url string) error {
		if strings.Contains(url, "/unverified") && !pingsFixed.Load() {
			return psfake.ErrPingSecret
		}
		return nil
	})

	Expect(k8sClient.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNamespace}})).To(Succeed())

	startOperator()
})

// operator is the running manager of the suite: specs may stop and start it, as a crash and a
// restart of the operator's pod would.
var operator struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// statusPatchFault, when set, is asked before each status write of the operator: a non-nil error
// fails the write, as an API server conflict or a crash right before it would.
var statusPatchFault atomic.Pointer[func(obj client.Object) error]

// faultyClient is the manager's client, with status writes that statusPatchFault can fail, and
// every write the operator makes counted per object in apiWrites.
type faultyClient struct{ client.Client }

// apiWrites counts the operator's writes per Webhook: client.ObjectKey to *atomic.Int32.
var apiWrites sync.Map

func countWrite(obj client.Object) {
	n, _ := apiWrites.LoadOrStore(client.ObjectKeyFromObject(obj), &atomic.Int32{})
	n.(*atomic.Int32).Add(1)
}

// writesTo returns how many writes the operator made to the object so far.
func writesTo(key client.ObjectKey) int32 {
	if n, ok := apiWrites.Load(key); ok {
		return n.(*atomic.Int32).Load()
	}
	return 0
}

func (c faultyClient) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	countWrite(obj)
	return c.Client.Create(ctx, obj, opts...)
}

func (c faultyClient) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	countWrite(obj)
	return c.Client.Update(ctx, obj, opts...)
}

func (c faultyClient) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	countWrite(obj)
	return c.Client.Patch(ctx, obj, patch, opts...)
}

func (c faultyClient) Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error {
	countWrite(obj)
	return c.Client.Delete(ctx, obj, opts...)
}

func (c faultyClient) Status() client.SubResourceWriter { return faultyStatus{c.Client.Status()} }

type faultyStatus struct{ client.SubResourceWriter }

func (s faultyStatus) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	countWrite(obj)
	return s.SubResourceWriter.Update(ctx, obj, opts...)
}

func (s faultyStatus) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	countWrite(obj)
	if f := statusPatchFault.Load(); f != nil {
		if err := (*f)(obj); err != nil {
			return err
		}
	}
	return s.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

// startOperator builds a fresh manager and reconciler, as a restarted pod would, and starts it.
func startOperator() {
	operator.mu.Lock()
	defer operator.mu.Unlock()
	Expect(operator.done).To(BeNil(), "the operator is already running")
	opCfg := rest.CopyConfig(cfg)
	opCfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return recordSecrets{next: rt} })
	mgr, err := ctrl.NewManager(opCfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controllers.CacheOptions(operatorNamespaces),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Each restart registers the controller again, under the same name.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	Expect(err).NotTo(HaveOccurred())
	// The client-side rate per credential is far above what the specs need; it is there so that
	// every request goes through the same transport as in production.
	// Each provider has the transports of production: the client-side rate per credential (far
	// above what the specs need) and the request metrics.
	// PageSeeder's endpoints come from the spec: its connections pass the egress policy.
	policy, err := egress.Parse(suiteEgress)
	Expect(err).NotTo(HaveOccurred())
	httpClient := func(d providers.Descriptor) *http.Client {
		var base http.RoundTripper
		if d.TenantEndpoints {
			base = policy.Transport()
		}
		return &http.Client{Timeout: httpTimeout,
			Transport: ratelimit.Transport(metrics.Transport(base, d.Name), d.Name, ratelimit.Limit{QPS: 200, Burst: 400})}
	}
	// The suite's registry is built from its list of descriptors, as main builds the operator's.
	urls := map[string]string{webex.ProviderName: wx.URL(), eightbyeight.ProviderName: e8.URL(), autodesk.ProviderName: aps.URL(),
		example.Name: ex.URL()}
	registry, names := providers.Registry{}, map[hooksv1alpha1.ProviderType]string{}
	for _, d := range suiteProviders() {
		p := d.New(providers.Settings{BaseURL: urls[d.Name], HTTPClient: httpClient(d), AllowInsecure: true, Egress: policy})
		registry[d.Type], names[d.Type] = metrics.Provider(p), d.Name
	}
	events := recorder.New(mgr.GetClient(), mgr.GetScheme(), "hookkeeper")
	r := &controllers.WebhookReconciler{
		Client:    faultyClient{mgr.GetClient()},
		Scheme:    mgr.GetScheme(),
		Recorder:  events,
		Providers: registry,
		Options: controllers.Options{
			ResyncPeriod:            resyncPeriod,
			ReactivationDelay:       reactivationDelay,
			DeletionTimeout:         deletionTimeout,
			MaxConcurrentReconciles: workers,
			ProviderNames:           names,
			AccountSecretNamespaces: []string{operatorNamespace},
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.StatusKey, err = controllers.LoadStatusKey(ctx, mgr.GetAPIReader(), mgr.GetClient(),
		client.ObjectKey{Namespace: operatorNamespace, Name: statusKeySecret})
	Expect(err).NotTo(HaveOccurred())
	Expect(r.SetupWithManager(ctx, mgr)).To(Succeed())
	done := make(chan struct{})
	stopEvents := events.Run()
	go func() {
		defer GinkgoRecover()
		defer close(done)
		defer stopEvents() // once the manager has stopped, as main does
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	operator.cancel, operator.done = cancel, done
}

// stopOperator stops the manager and waits until every worker has returned. In-flight requests to
// the SaaS are cancelled, so some may have been applied without their answer being seen.
func stopOperator() {
	operator.mu.Lock()
	defer operator.mu.Unlock()
	if operator.done == nil {
		return
	}
	operator.cancel()
	<-operator.done
	operator.cancel, operator.done = nil, nil
}

// restartOperator is a crash and restart of the operator: nothing survives in memory.
func restartOperator() {
	stopOperator()
	startOperator()
}

// AfterSuite only checks; the cleanup registered in BeforeSuite runs after it even when a check
// fails, so that no kube-apiserver or etcd outlives the suite.
var _ = AfterSuite(func() {
	if cfg != nil {
		expectNoSecretLeaked()
	}
})

func stopSuite() {
	stopOperator()
	if wx != nil {
		wx.Close()
		e8.Close()
		aps.Close()
		ps.Close()
		ex.Close()
	}
	Expect(testEnv.Stop()).To(Succeed())
}

// newNamespace creates a fresh namespace for one spec (envtest never deletes namespaces, so
// specs never share one).
func newNamespace(ctx context.Context) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "hk-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// syncBuffer is a bytes.Buffer safe for the operator's concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// expectNoSecretLeaked searches the operator's whole log, every event and every Webhook's status
// for the value of every Secret the specs created: none may appear anywhere.
func expectNoSecretLeaked() {
	ctx := context.Background()
	var secrets corev1.SecretList
	Expect(k8sClient.List(ctx, &secrets)).To(Succeed())
	var values []string
	for _, s := range secrets.Items {
		// The specs' namespaces, and the operator's, where ClusterAccounts keep their credentials.
		if !strings.HasPrefix(s.Namespace, "hk-") && s.Namespace != operatorNamespace {
			continue
		}
		for _, v := range s.Data {
			if len(v) >= 6 {
				values = append(values, string(v))
			}
		}
	}
	if len(values) == 0 {
		return // a focused run whose specs made no Secret: nothing to search for
	}

	var events corev1.EventList
	Expect(k8sClient.List(ctx, &events)).To(Succeed())
	var webhooks hooksv1alpha1.WebhookList
	Expect(k8sClient.List(ctx, &webhooks)).To(Succeed())
	statuses, err := json.Marshal(webhooks.Items)
	Expect(err).NotTo(HaveOccurred())
	var notes strings.Builder
	for _, ev := range events.Items {
		notes.WriteString(ev.Message + "\n")
	}
	var accts hooksv1alpha1.AccountList
	Expect(k8sClient.List(ctx, &accts)).To(Succeed())
	var clusterAccts hooksv1alpha1.ClusterAccountList
	Expect(k8sClient.List(ctx, &clusterAccts)).To(Succeed())
	accounts, err := json.Marshal([]any{accts.Items, clusterAccts.Items})
	Expect(err).NotTo(HaveOccurred())
	haystacks := map[string]string{"operator log": operatorLog.String(), "events": notes.String(), "Webhooks": string(statuses),
		"accounts": string(accounts)}
	Expect(haystacks["operator log"]).To(ContainSubstring("Created remote webhook"), "the log was captured")
	for where, text := range haystacks {
		for _, v := range values {
			Expect(strings.Contains(text, v)).To(BeFalse(), "a secret value appears in the %s", where)
		}
	}
}

// suiteProviders is the suite's list of descriptors: the operator's, and the test-only fifth
// provider, added as any provider is, with one line.
func suiteProviders() []providers.Descriptor {
	return append(catalog.All(), example.Descriptor)
}

// suiteCRDs are the generated CRDs with every provider of suiteProviders in the spec.provider
// enum. A real provider gets there through the enum marker in api/v1alpha1; the fifth provider
// exists for the tests only, so its value is added to this copy alone.
func suiteCRDs() []*apiextensionsv1.CustomResourceDefinition {
	files, err := filepath.Glob(filepath.Join("..", "config", "crd", "bases", "*.yaml"))
	Expect(err).NotTo(HaveOccurred())
	Expect(files).NotTo(BeEmpty(), "no CRD in config/crd/bases")
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, f := range files {
		data, err := os.ReadFile(f)
		Expect(err).NotTo(HaveOccurred())
		crd := &apiextensionsv1.CustomResourceDefinition{}
		Expect(yaml.Unmarshal(data, crd)).To(Succeed())
		for i := range crd.Spec.Versions {
			schema := crd.Spec.Versions[i].Schema.OpenAPIV3Schema
			provider := schema.Properties["spec"].Properties["provider"]
			for _, d := range suiteProviders() {
				value := apiextensionsv1.JSON{Raw: []byte(strconv.Quote(string(d.Type)))}
				if !slices.ContainsFunc(provider.Enum, func(e apiextensionsv1.JSON) bool { return string(e.Raw) == string(value.Raw) }) {
					provider.Enum = append(provider.Enum, value)
				}
			}
			schema.Properties["spec"].Properties["provider"] = provider
		}
		crds = append(crds, crd)
	}
	return crds
}
