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

package sharding

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
	webexfake "github.com/hookkeeper/hookkeeper/providers/webex/fake"
)

// The tests of this file run 3 replicas with --sharding over one ClusterAccount (a Webex bot)
// that namespaces spread over every replica share: its Secret is in the operator's namespace,
// which one replica owns, and the Webhooks on it are everywhere.

const (
	accountName   = "corp-webex"
	accountSecret = "webex-bot"
	// accountToken is the bot's token: the simulator's key of every request for the account.
	accountToken = "token-corp-webex-bot"
	// accountLatency delays every answer of the Webex simulator, as a SaaS's round trip would, so
	// that requests are in flight when the 429 is answered.
	accountLatency = 50 * time.Millisecond
)

// saasRequest is one request the Webex simulator received.
type saasRequest struct {
	// at is when it arrived, done when it was answered.
	at, done        time.Time
	method, path    string
	token, replica  string
	status          int
	retryAfterValue string
}

func (r saasRequest) String() string {
	return fmt.Sprintf("%s %s %s by %s at %s (answered %d)", r.method, r.path, tokenName(r.token), r.replica,
		r.at.Format("15:04:05.000"), r.status)
}

func tokenName(token string) string {
	if token == accountToken {
		return "with the account's token"
	}
	return "with another token"
}

// requestLog records every request to the simulator it wraps: when it arrived and was answered,
// its credential, and the replica its User-Agent names.
type requestLog struct {
	mu   sync.Mutex
	reqs []saasRequest
}

func (l *requestLog) wrap(next http.Handler, latency time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := saasRequest{at: time.Now(), method: r.Method, path: r.URL.Path, token: simulator.BearerToken(r)}
		if m := identityIn.FindStringSubmatch(r.Header.Get("User-Agent")); m != nil {
			req.replica = m[1]
		}
		time.Sleep(latency)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		req.done, req.status, req.retryAfterValue = time.Now(), sw.status, sw.Header().Get("Retry-After")
		l.mu.Lock()
		l.reqs = append(l.reqs, req)
		l.mu.Unlock()
	})
}

func (l *requestLog) list() []saasRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.reqs)
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// accountRun is the control plane, the Webex simulator and the ClusterAccount of a test.
type accountRun struct {
	*fixture
	webex *webexfake.Server
	saas  *requestLog
	nss   []string
}

// startAccountRun starts the control plane and the Webex simulator, makes n namespaces that the
// ClusterAccount permits and the account with its Secret in the lease namespace (the operator's
// own, where --account-secret-namespaces points by default). Replicas are started by the test.
func startAccountRun(t *testing.T, n int) *accountRun {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is unset: no control plane (make test sets it)")
	}
	root, err := localenv.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	f := &fixture{t: t, ctx: t.Context(), state: state, kubeconfig: filepath.Join(state, "kubeconfig"),
		bin: filepath.Join(state, "manager"), replicas: map[string]*replica{}, kubeconfigs: map[string]string{}}
	cp, err := localenv.StartControlPlane(localenv.ControlPlaneOptions{
		Root: root, Assets: os.Getenv("KUBEBUILDER_ASSETS"), KubeconfigPath: f.kubeconfig, User: "sharding",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	if f.c, err = cp.Client(-1, 0); err != nil {
		t.Fatal(err)
	}
	run := &accountRun{fixture: f, webex: webexfake.NewUnstarted(), saas: &requestLog{}}
	run.webex.AddToken(accountToken)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: run.saas.wrap(run.webex.Handler(), accountLatency), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	f.simFlags = []string{"--webex-api-url=http://" + ln.Addr().String() + "/v1"}
	if err := localenv.BuildOperator(f.ctx, root, f.bin); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, id := range f.order {
			r := f.replicas[id]
			_ = r.op.Stop(10 * time.Second)
			if t.Failed() {
				t.Logf("%s log (%s):\n%s", id, r.end, localenv.TailFile(r.log, 40))
			}
		}
	})

	// The number goes first: names that differ only in their last characters hash close
	// together, and would share an owner.
	for i := range n {
		ns := fmt.Sprintf("a%02d-team", i)
		if err := localenv.EnsureNamespace(f.ctx, f.c, ns); err != nil {
			t.Fatal(err)
		}
		run.nss = append(run.nss, ns)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: leaseNamespace, Name: accountSecret},
		StringData: map[string]string{"token": accountToken}}
	ca := &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: accountName}, Spec: hooksv1alpha1.ClusterAccountSpec{
		CredentialsRef:  hooksv1alpha1.SecretReference{Namespace: leaseNamespace, Name: accountSecret},
		Conditions:      []hooksv1alpha1.AccountCondition{{Namespaces: run.nss}},
		AccountSettings: hooksv1alpha1.AccountSettings{Provider: hooksv1alpha1.ProviderWebex},
	}}
	for _, obj := range []client.Object{secret, ca} {
		if err := f.c.Create(f.ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	return run
}

// startReplicas starts replica-1 to replica-3, waits until they share the namespaces, and checks
// that each owns some of the account's namespaces: the account is used from every replica.
func (run *accountRun) startReplicas() []string {
	t := run.t
	t.Helper()
	ids := []string{"replica-1", "replica-2", "replica-3"}
	for _, id := range ids {
		run.start(id)
	}
	run.waitSettled(run.nss, time.Minute)
	for _, id := range ids {
		owned := namespacesOf(t, run.fixture, id, run.nss)
		if len(owned) == 0 {
			// The slots follow the replicas' Lease identities, which are new in every run: a
			// replica may own none of the few namespaces. Give it one of its own.
			owned = []string{run.addNamespaceOf(id)}
		}
		t.Logf("%s owns %v", id, owned)
	}
	return ids
}

// addNamespaceOf creates a namespace that replica owns, adds it to the account's namespaces and
// to the ClusterAccount's conditions, and returns it. Fewer than 256 namespaces never move the
// cut of the hash space (internal/sharding), so the namespace stays the replica's.
func (run *accountRun) addNamespaceOf(replica string) string {
	t := run.t
	t.Helper()
	for i := len(run.nss); i < len(run.nss)+500; i++ {
		ns := fmt.Sprintf("a%02d-team", i)
		if slices.Contains(run.nss, ns) || len(namespacesOf(t, run.fixture, replica, []string{ns})) == 0 {
			continue
		}
		if err := localenv.EnsureNamespace(run.ctx, run.c, ns); err != nil {
			t.Fatal(err)
		}
		run.nss = append(run.nss, ns)
		// A merge patch of the conditions alone: the account's status may change meanwhile.
		ca := &hooksv1alpha1.ClusterAccount{ObjectMeta: metav1.ObjectMeta{Name: accountName}}
		conditions, err := json.Marshal(map[string]any{"spec": map[string]any{
			"conditions": []hooksv1alpha1.AccountCondition{{Namespaces: run.nss}}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := run.c.Patch(run.ctx, ca, client.RawPatch(types.MergePatchType, conditions)); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s owned none of the account's namespaces: added %s, which it owns", replica, ns)
		return ns
	}
	t.Fatalf("%s owns no namespace named a<NN>-team up to 500 more: the run would not share the account between every replica", replica)
	return ""
}

// createWebhooks creates per Webhooks on the account in every namespace, in turns over the
// namespaces, and returns their keys.
func (run *accountRun) createWebhooks(per int) []client.ObjectKey {
	t := run.t
	t.Helper()
	var keys []client.ObjectKey
	for i := range per {
		for _, ns := range run.nss {
			name := fmt.Sprintf("hook-%02d", i)
			wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
				Spec: hooksv1alpha1.WebhookSpec{Provider: hooksv1alpha1.ProviderWebex, TargetURL: targetURL(ns, name),
					AccountRef: &hooksv1alpha1.AccountReference{Kind: hooksv1alpha1.AccountKindClusterAccount, Name: accountName},
					Webex:      &hooksv1alpha1.WebexSpec{Resource: "messages", Event: "created"}}}
			if err := run.c.Create(run.ctx, wh); err != nil {
				t.Fatalf("creating %s/%s: %v", ns, name, err)
			}
			keys = append(keys, client.ObjectKeyFromObject(wh))
		}
	}
	return keys
}

// checkOneRemoteEach: the account holds exactly one remote webhook per Webhook, at its target
// URL, whose id is the Webhook's status.id, and nothing else.
func (run *accountRun) checkOneRemoteEach(keys []client.ObjectKey) {
	t := run.t
	t.Helper()
	byTarget := map[string][]string{}
	hooks := run.webex.Hooks(accountToken)
	for _, h := range hooks {
		byTarget[h.TargetURL] = append(byTarget[h.TargetURL], h.ID)
	}
	for _, k := range keys {
		var wh hooksv1alpha1.Webhook
		if err := run.c.Get(run.ctx, k, &wh); err != nil {
			t.Fatal(err)
		}
		ids := byTarget[wh.Spec.TargetURL]
		if len(ids) != 1 || ids[0] != wh.Status.ID {
			t.Errorf("Webhook %s: remote webhooks %v at its target URL, want exactly its status.id %q", k, ids, wh.Status.ID)
		}
	}
	if len(hooks) != len(keys) {
		t.Errorf("the account holds %d remote webhooks for %d Webhooks", len(hooks), len(keys))
	}
	t.Logf("remote webhooks: %d on the account for %d Webhooks", len(hooks), len(keys))
}

// inFlight is how long after the 429 was answered a request may still arrive from a replica
// that had not yet heard of it: the replica that got the 429 closes its gate at once, and writes
// the account's status.rateLimitedUntil; the others close theirs when their watch of the
// ClusterAccount brings the status, a few milliseconds later on an idle machine. A request that
// was already past its gate by then (its reconcile's list or create on the wire, or about to be)
// arrives within this time; any later one broke the Retry-After.
const inFlight = 300 * time.Millisecond

// TestAccountRetryAfterHoldsOnEveryReplica runs 3 replicas with --sharding over 144 Webhooks on
// one ClusterAccount in 12 namespaces spread over the replicas. While the replicas create the
// remote webhooks (at the account's --provider-qps, split among them), the Webex simulator
// answers one request for the account's token with 429 and Retry-After: 8. From the simulator's
// record of every request (its time, its token and the replica its User-Agent names): no replica
// sends a request for the account from inFlight after the 429 was answered until the 8 s have
// passed (the requests that arrive within inFlight are those in flight when it was answered, and
// are allowed), and every replica that still had Webhooks to create when the 429 came sends
// requests again afterwards: it was held back, not idle. In the end every Webhook is Ready with
// exactly one remote webhook.
func TestAccountRetryAfterHoldsOnEveryReplica(t *testing.T) {
	const (
		perNamespace = 12
		retryAfter   = 8 * time.Second
	)
	run := startAccountRun(t, 12)
	ids := run.startReplicas()
	keys := run.createWebhooks(perNamespace)

	// The 429 goes once every replica is busy with the account.
	run.waitAllBusy(ids)
	limited := run.injectRetryAfter(retryAfter)
	answered := limited.done
	until := answered.Add(retryAfter)
	t.Logf("the 429 (Retry-After: %s) answered %s at %s: no request for the account before %s",
		limited.retryAfterValue, limited, answered.Format("15:04:05.000"), until.Format("15:04:05.000"))
	pending := run.pendingWebhooks(ids)
	t.Logf("Webhooks without a remote webhook yet, by the replica that owns them: %v", pending)
	if len(pending) < 2 {
		t.Fatalf("only %v still had Webhooks to create when the 429 came: the run does not hold more than one replica back", pending)
	}
	run.waitRateLimitedUntil(until)

	waitReady(run.ctx, t, run.c, keys, 3*time.Minute)

	run.checkHeldBack(answered, until, pending)
	run.checkOneRemoteEach(keys)
}

// waitAllBusy waits until every replica of ids has sent requests for the account.
func (run *accountRun) waitAllBusy(ids []string) {
	t := run.t
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		sent := map[string]int{}
		for _, r := range run.saas.list() {
			if r.token == accountToken {
				sent[r.replica]++
			}
		}
		busy := true
		for _, id := range ids {
			if sent[id] < 2 {
				busy = false
			}
		}
		if busy {
			t.Logf("%s requests for the account so far, by replica: %v", time.Now().Format("15:04:05.000"), sent)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replicas did not all send requests for the account within a minute: %v", sent)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// injectRetryAfter answers one request for the account with 429 and Retry-After: retryAfter, and
// returns that request once answered.
func (run *accountRun) injectRetryAfter(retryAfter time.Duration) saasRequest {
	t := run.t
	t.Helper()
	run.webex.InjectFault(simulator.Fault{Key: accountToken, Status: http.StatusTooManyRequests,
		RetryAfter: fmt.Sprint(int(retryAfter / time.Second)), Times: 1})
	var limited saasRequest
	for deadline := time.Now().Add(30 * time.Second); limited.status == 0; {
		for _, r := range run.saas.list() {
			if r.status == http.StatusTooManyRequests {
				limited = r
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no request for the account got the 429 within 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return limited
}

// pendingWebhooks returns, by the replica of ids that owns them, how many Webhooks have no remote
// webhook yet: which replicas still have Webhooks to create.
func (run *accountRun) pendingWebhooks(ids []string) map[string]int {
	t := run.t
	t.Helper()
	pending := map[string]int{}
	for _, id := range ids {
		for _, ns := range namespacesOf(t, run.fixture, id, run.nss) {
			var list hooksv1alpha1.WebhookList
			if err := run.c.List(run.ctx, &list, client.InNamespace(ns)); err != nil {
				t.Fatal(err)
			}
			for _, wh := range list.Items {
				if wh.Status.ID == "" {
					pending[id]++
				}
			}
		}
	}
	return pending
}

// waitRateLimitedUntil waits for the account's status.rateLimitedUntil, which the replica that
// got the 429 writes and the replicas follow, to reach until.
func (run *accountRun) waitRateLimitedUntil(until time.Time) {
	t := run.t
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var ca hooksv1alpha1.ClusterAccount
		if err := run.c.Get(run.ctx, client.ObjectKey{Name: accountName}, &ca); err != nil {
			t.Fatal(err)
		}
		rl := ca.Status.RateLimitedUntil
		if rl != nil && !rl.Before(&metav1.Time{Time: until.Truncate(time.Second)}) {
			t.Logf("the ClusterAccount's status.rateLimitedUntil: %s", rl.UTC().Format(time.RFC3339))
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the ClusterAccount's status.rateLimitedUntil is %v 5 s after the 429, want at least %s", rl, until.UTC().Format(time.RFC3339))
			break
		}
	}
}

// checkHeldBack checks the requests for the account after the 429 was answered: none from
// inFlight after it until the Retry-After ran out, and afterwards some from every replica that
// had Webhooks pending.
func (run *accountRun) checkHeldBack(answered, until time.Time, pending map[string]int) {
	t := run.t
	t.Helper()
	var early, held []saasRequest
	after := map[string]int{}
	for _, r := range run.saas.list() {
		if r.token != accountToken || !r.at.After(answered) {
			continue
		}
		switch {
		case r.at.Before(answered.Add(inFlight)):
			early = append(early, r)
		case r.at.Before(until):
			held = append(held, r)
		default:
			after[r.replica]++
		}
	}
	for _, r := range early {
		t.Logf("in flight when the 429 was answered: %s, %s after it", r, r.at.Sub(answered).Round(time.Millisecond))
	}
	for _, r := range held {
		t.Errorf("request for the account before its Retry-After ran out: %s, %s after the 429 (%s before the end)",
			r, r.at.Sub(answered).Round(time.Millisecond), until.Sub(r.at).Round(time.Millisecond))
	}
	t.Logf("after the Retry-After, requests for the account by replica: %v", after)
	for id, n := range pending {
		if after[id] == 0 {
			t.Errorf("%s had %d Webhooks to create when the 429 came, and sent no request for the account after the Retry-After", id, n)
		}
	}
}

// apiCall is one request of a replica to the API server.
type apiCall struct {
	at           time.Time
	method, path string
	watch        bool
}

// apiLog records the requests of each replica to the API server, which it reaches through a
// reverse proxy of its own that authenticates as the test's user.
type apiLog struct {
	mu    sync.Mutex
	calls map[string][]apiCall
}

// proxy serves replica's kubeconfig: an HTTP reverse proxy to the API server of cfg.
func (l *apiLog) proxy(t *testing.T, f *fixture, cfg *rest.Config, replica string) {
	t.Helper()
	target, err := url.Parse(cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	transport, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
		},
		Transport: transport,
		// Watches stream.
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if !errors.Is(err, http.ErrAbortHandler) {
				w.WriteHeader(http.StatusBadGateway)
			}
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.calls[replica] = append(l.calls[replica], apiCall{at: time.Now(), method: r.Method, path: r.URL.Path, watch: r.URL.Query().Get("watch") == "true"})
		l.mu.Unlock()
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	kubeconfig := filepath.Join(f.state, replica+".kubeconfig")
	content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: proxy
  cluster: {server: "http://%s"}
users:
- name: proxied
  user: {}
contexts:
- name: proxy
  context: {cluster: proxy, user: proxied}
current-context: proxy
`, ln.Addr())
	if err := os.WriteFile(kubeconfig, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	f.kubeconfigs[replica] = kubeconfig
}

// secretWatches returns the paths of replica's watches of Secrets.
func (l *apiLog) secretWatches(replica string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, c := range l.calls[replica] {
		if c.watch && strings.HasSuffix(c.path, "/secrets") && !slices.Contains(out, c.path) {
			out = append(out, c.path)
		}
	}
	return out
}

// count returns how many requests of replica since from match.
func (l *apiLog) count(replica string, from time.Time, match func(apiCall) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.calls[replica] {
		if !c.at.Before(from) && match(c) {
			n++
		}
	}
	return n
}

// TestAccountSecretCachedOnEveryReplica runs 3 replicas with --sharding over 27 Webhooks on one
// ClusterAccount in 9 namespaces spread over the replicas, each replica reaching the API server
// through a proxy that records its requests, with a resync of 20 s. The account's Secret is in
// the operator's namespace, which only one replica's slice holds; yet every replica watches the
// Secrets of that namespace, reads the account's Secret from the API server no more than once per
// version (none over two resyncs of every Webhook once all are Ready), and reads it again within
// seconds of a change (its watch saw it).
func TestAccountSecretCachedOnEveryReplica(t *testing.T) {
	const resync = 20 * time.Second
	run := startAccountRun(t, 9)
	cfg, err := clientcmd.BuildConfigFromFlags("", run.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	api := &apiLog{calls: map[string][]apiCall{}}
	for _, id := range []string{"replica-1", "replica-2", "replica-3"} {
		api.proxy(t, run.fixture, cfg, id)
	}
	run.flags = []string{"--resync-period=" + resync.String()}
	ids := run.startReplicas()
	for _, id := range ids {
		if owned := namespacesOf(t, run.fixture, id, []string{leaseNamespace}); len(owned) > 0 {
			t.Logf("%s owns the account's Secret's namespace %s", id, leaseNamespace)
		}
	}
	keys := run.createWebhooks(3)
	waitReady(run.ctx, t, run.c, keys, 2*time.Minute)

	secretPath := "/api/v1/namespaces/" + leaseNamespace + "/secrets/" + accountSecret
	readsSecret := func(c apiCall) bool { return c.method == http.MethodGet && c.path == secretPath }
	watchesNamespace := func(c apiCall) bool {
		return c.method == http.MethodGet && c.watch && c.path == "/api/v1/namespaces/"+leaseNamespace+"/secrets"
	}
	for _, id := range ids {
		t.Logf("%s: %d requests to the API server so far, %d reads of the account's Secret; watches of Secrets: %v",
			id, api.count(id, time.Time{}, func(apiCall) bool { return true }), api.count(id, time.Time{}, readsSecret), api.secretWatches(id))
		if api.count(id, time.Time{}, watchesNamespace) == 0 {
			t.Errorf("%s never watched the Secrets of %s, where the account's Secret is", id, leaseNamespace)
		}
	}

	// Steady state: two resyncs of every Webhook (and of the account), and no read of the Secret.
	steady := time.Now()
	time.Sleep(2*resync + resync/5)
	for _, id := range ids {
		if n := api.count(id, steady, readsSecret); n > 0 {
			t.Errorf("%s read the account's Secret from the API server %d times over two resyncs of an unchanged Secret", id, n)
		}
	}
	requests := map[string]int{}
	for _, r := range run.saas.list() {
		if r.token == accountToken && !r.at.Before(steady) {
			requests[r.replica]++
		}
	}
	t.Logf("over the two resyncs, requests for the account by replica (each replica reconciled its Webhooks): %v", requests)
	for _, id := range ids {
		if requests[id] == 0 {
			t.Errorf("%s sent no request for the account over two resyncs: it did not reconcile, and the check above shows nothing", id)
		}
	}

	// A change of the Secret: every replica reads it again at once.
	var secret corev1.Secret
	if err := run.c.Get(run.ctx, client.ObjectKey{Namespace: leaseNamespace, Name: accountSecret}, &secret); err != nil {
		t.Fatal(err)
	}
	secret.StringData = map[string]string{"rotated": time.Now().Format(time.RFC3339Nano)}
	changed := time.Now()
	if err := run.c.Update(run.ctx, &secret); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		deadline := changed.Add(5 * time.Second)
		for api.count(id, changed, readsSecret) == 0 {
			if time.Now().After(deadline) {
				t.Errorf("%s did not read the account's changed Secret within 5 s (resync %s): it does not watch it", id, resync)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitReady(run.ctx, t, run.c, keys, time.Minute)
	run.checkOneRemoteEach(keys)
}
