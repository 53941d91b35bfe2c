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
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

// The secure metrics endpoint (--metrics-secure, the default): HTTPS, and only for a bearer
// token that the API server authenticates (TokenReview) and authorizes to get /metrics
// (SubjectAccessReview). config/rbac/metrics/metrics_auth_role.yaml lets the operator ask;
// config/rbac/metrics/metrics_reader_role.yaml is what a scraper needs. The chart renders the same roles
// (templates/metrics-rbac.yaml).

// metricsRoleFiles are the ClusterRoles of the secure metrics endpoint in config/rbac, by the
// name the chart gives them (after the release name).
var metricsRoleFiles = map[string]string{
	"metrics-auth-role": "metrics/metrics_auth_role.yaml",
	"metrics-reader":    "metrics/metrics_reader_role.yaml",
}

// readClusterRole reads a ClusterRole of config/rbac.
func readClusterRole(t *testing.T, file string) rbacv1.ClusterRole {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "config", "rbac", filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	var cr rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict(data, &cr); err != nil {
		t.Fatalf("config/rbac/%s: %v", file, err)
	}
	if len(cr.Rules) == 0 {
		t.Fatalf("config/rbac/%s has no rules", file)
	}
	return cr
}

// bindsMetricsRoleOnly tells whether the ClusterRoleBinding o of a rendering binds one of the
// secure metrics endpoint's ClusterRoles, with the rules of config/rbac: they grant no object
// of any namespace, so that a namespace-scoped install may keep them.
func bindsMetricsRoleOnly(t *testing.T, objs []*unstructured.Unstructured, o *unstructured.Unstructured) bool {
	t.Helper()
	var crb rbacv1.ClusterRoleBinding
	convert(t, o, &crb)
	for suffix, file := range metricsRoleFiles {
		if crb.RoleRef.Kind != "ClusterRole" || crb.RoleRef.Name != releaseName+"-"+suffix {
			continue
		}
		for _, r := range find(objs, "ClusterRole") {
			if r.GetName() != crb.RoleRef.Name {
				continue
			}
			var got rbacv1.ClusterRole
			convert(t, r, &got)
			return equality.Semantic.DeepEqual(got.Rules, readClusterRole(t, file).Rules)
		}
	}
	return false
}

// TestMetricsRBAC: the metrics roles grant exactly the reviews and the scrape; the chart's are
// config/rbac's, bound to the operator (the auth role) and to metrics.readerSubjects (the reader
// role); the chart renders none of it with metrics.secure=false, nor with the metrics off.
func TestMetricsRBAC(t *testing.T) {
	auth := readClusterRole(t, "metrics/metrics_auth_role.yaml")
	wantAuth := []rbacv1.PolicyRule{
		{APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"tokenreviews"}, Verbs: []string{"create"}},
		{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
	}
	if !equality.Semantic.DeepEqual(auth.Rules, wantAuth) {
		t.Errorf("config/rbac/metrics/metrics_auth_role.yaml grants %+v, want %+v", auth.Rules, wantAuth)
	}
	reader := readClusterRole(t, "metrics/metrics_reader_role.yaml")
	wantReader := []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}}
	if !equality.Semantic.DeepEqual(reader.Rules, wantReader) {
		t.Errorf("config/rbac/metrics/metrics_reader_role.yaml grants %+v, want %+v", reader.Rules, wantReader)
	}

	sa := rbacv1.Subject{Kind: "ServiceAccount", Name: releaseName + "-controller-manager", Namespace: kustomizeNamespace}
	prometheus := rbacv1.Subject{Kind: "ServiceAccount", Name: "prometheus", Namespace: "monitoring"}
	kustomized := kustomizeBuild(t, "config/default")
	charted := mustHelmTemplate(t, kustomizeNamespace, "--set", "metrics.readerSubjects[0].kind=ServiceAccount",
		"--set", "metrics.readerSubjects[0].name=prometheus", "--set", "metrics.readerSubjects[0].namespace=monitoring")
	for name, objs := range map[string][]*unstructured.Unstructured{"kustomize config/default": kustomized, "helm": charted} {
		t.Run(name, func(t *testing.T) {
			for suffix, file := range metricsRoleFiles {
				var got rbacv1.ClusterRole
				convert(t, findOne(t, objs, "ClusterRole", releaseName+"-"+suffix), &got)
				if want := readClusterRole(t, file); !equality.Semantic.DeepEqual(got.Rules, want.Rules) {
					t.Errorf("ClusterRole %s grants %+v, config/rbac/%s %+v", got.Name, got.Rules, file, want.Rules)
				}
			}
			var crb rbacv1.ClusterRoleBinding
			convert(t, findOne(t, objs, "ClusterRoleBinding", releaseName+"-metrics-auth-rolebinding"), &crb)
			if crb.RoleRef.Name != releaseName+"-metrics-auth-role" || len(crb.Subjects) != 1 || crb.Subjects[0] != sa {
				t.Errorf("ClusterRoleBinding %s binds %+v to %+v, want the operator's ServiceAccount", crb.Name, crb.RoleRef, crb.Subjects)
			}
			if got := deploymentArgs(t, objs)["metrics-secure"]; got != "" && got != "true" {
				t.Errorf("--metrics-secure=%s, want the secure default", got)
			}
		})
	}
	var rb rbacv1.ClusterRoleBinding
	convert(t, findOne(t, charted, "ClusterRoleBinding", releaseName+"-metrics-reader-rolebinding"), &rb)
	if rb.RoleRef.Name != releaseName+"-metrics-reader" || len(rb.Subjects) != 1 || rb.Subjects[0] != prometheus {
		t.Errorf("the metrics-reader ClusterRoleBinding binds %+v to %+v, want metrics.readerSubjects", rb.RoleRef, rb.Subjects)
	}
	if got := find(mustHelmTemplate(t, kustomizeNamespace), "ClusterRoleBinding"); slices.ContainsFunc(got, func(o *unstructured.Unstructured) bool {
		return o.GetName() == releaseName+"-metrics-reader-rolebinding"
	}) {
		t.Error("the metrics-reader ClusterRole is bound without metrics.readerSubjects")
	}

	for name, set := range map[string][]string{
		"metrics.secure=false": {"metrics.secure=false"},
		"metrics off":          {"operator.metricsBindAddress=0", "metrics.service.enabled=false"},
	} {
		t.Run(name, func(t *testing.T) {
			var args []string
			for _, s := range set {
				args = append(args, "--set", s)
			}
			objs := mustHelmTemplate(t, kustomizeNamespace, args...)
			for _, o := range objs {
				if strings.HasPrefix(o.GetName(), releaseName+"-metrics-") && strings.HasPrefix(o.GetKind(), "ClusterRole") {
					t.Errorf("%s %s is rendered", o.GetKind(), o.GetName())
				}
			}
			if name == "metrics.secure=false" {
				if got := deploymentArgs(t, objs)["metrics-secure"]; got != "false" {
					t.Errorf("--metrics-secure=%s, want false", got)
				}
			}
		})
	}
	if c := apiServerClient(); c != nil {
		createNamespace(t, c, kustomizeNamespace, nil)
		applyAll(t, c, charted)
	}
}

// apiServerClient is the envtest client, nil without one.
func apiServerClient() client.Client {
	return apiServer.client
}

// TestServiceMonitorScheme: the ServiceMonitors scrape over HTTPS with Prometheus's
// ServiceAccount token where the metrics are secure, over plain HTTP without a token where not.
func TestServiceMonitorScheme(t *testing.T) {
	type endpoint struct {
		Port            string         `json:"port"`
		Scheme          string         `json:"scheme"`
		BearerTokenFile string         `json:"bearerTokenFile"`
		TLSConfig       map[string]any `json:"tlsConfig"`
		HonorLabels     bool           `json:"honorLabels"`
	}
	endpoints := func(t *testing.T, o *unstructured.Unstructured) []endpoint {
		t.Helper()
		raw, _, _ := unstructured.NestedSlice(o.Object, "spec", "endpoints")
		data, err := json.Marshal(raw)
		if err != nil {
			t.Fatal(err)
		}
		var eps []endpoint
		if err := json.Unmarshal(data, &eps); err != nil {
			t.Fatal(err)
		}
		if len(eps) != 1 {
			t.Fatalf("ServiceMonitor %s has %d endpoints, want 1", o.GetName(), len(eps))
		}
		return eps
	}
	const token = "/var/run/secrets/kubernetes.io/serviceaccount/token"
	secure := map[string]*unstructured.Unstructured{
		"helm": findOne(t, mustHelmTemplate(t, kustomizeNamespace, "--set", "metrics.serviceMonitor.enabled=true"),
			"ServiceMonitor", releaseName+"-metrics"),
		"kustomize config/prometheus": findOne(t, kustomizeBuild(t, "config/prometheus"), "ServiceMonitor", "metrics"),
	}
	for name, sm := range secure {
		t.Run(name, func(t *testing.T) {
			ep := endpoints(t, sm)[0]
			if ep.Port != "metrics" || ep.Scheme != "https" || ep.BearerTokenFile != token || ep.TLSConfig["insecureSkipVerify"] != true {
				t.Errorf("ServiceMonitor endpoint %+v, want https on port metrics with the ServiceAccount token", ep)
			}
			if !ep.HonorLabels {
				t.Errorf("ServiceMonitor endpoint %+v without honorLabels: hookkeeper_webhooks's namespace label would become exported_namespace", ep)
			}
		})
	}
	fromSecret := findOne(t, mustHelmTemplate(t, kustomizeNamespace, "--set", "metrics.serviceMonitor.enabled=true",
		"--set", "metrics.serviceMonitor.authorization.type=Bearer", "--set", "metrics.serviceMonitor.authorization.credentials.name=scraper-token",
		"--set", "metrics.serviceMonitor.authorization.credentials.key=token"), "ServiceMonitor", releaseName+"-metrics")
	eps, _, _ := unstructured.NestedSlice(fromSecret.Object, "spec", "endpoints")
	if len(eps) != 1 {
		t.Fatalf("ServiceMonitor endpoints %v", eps)
	}
	ep, _ := eps[0].(map[string]any)
	if ep["scheme"] != "https" || ep["bearerTokenFile"] != nil ||
		!equality.Semantic.DeepEqual(ep["authorization"], map[string]any{"type": "Bearer", "credentials": map[string]any{"name": "scraper-token", "key": "token"}}) {
		t.Errorf("metrics.serviceMonitor.authorization: endpoint %v, want its authorization instead of bearerTokenFile", ep)
	}
	plain := findOne(t, mustHelmTemplate(t, kustomizeNamespace, "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.secure=false"),
		"ServiceMonitor", releaseName+"-metrics")
	if ep := endpoints(t, plain)[0]; ep.Scheme != "http" || ep.BearerTokenFile != "" || ep.TLSConfig != nil {
		t.Errorf("metrics.secure=false: ServiceMonitor endpoint %+v, want plain http", ep)
	}
	// The ServiceMonitor CRD of test/install/testdata takes these fields.
	if c := apiServerClient(); c != nil {
		createNamespace(t, c, kustomizeNamespace, nil)
		applyAll(t, c, []*unstructured.Unstructured{secure["helm"], plain, fromSecret})
	}
}

// TestSecureMetricsEndpoint runs the operator, built from main.go, against the envtest API
// server as a ServiceAccount holding config/rbac's manager role and the metrics-auth role only,
// and scrapes its metrics: without a token (401), with a token the API server does not know
// (refused), with the token of a ServiceAccount that is not bound to metrics-reader (403), with
// one that is (200), and over plain HTTP (refused). --pprof-bind-address serves net/http/pprof
// meanwhile. The tokens are real ServiceAccount tokens from the TokenRequest API: envtest starts
// its API server with --service-account-issuer, --service-account-key-file and
// --service-account-signing-key-file, so it issues and reviews them like a cluster's.
func TestSecureMetricsEndpoint(t *testing.T) {
	c := needAPIServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r := &metricsRig{c: c, ctx: ctx, ns: "metrics-test"}
	createNamespace(t, c, r.ns, nil)
	for _, name := range []string{"operator", "scraper", "stranger"} {
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: r.ns}}
		if err := c.Create(ctx, sa); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	// The roles of config/rbac, under names of this test's own, really created.
	r.grant(t, "role.yaml", "manager-role", "operator")
	r.grant(t, "metrics/metrics_auth_role.yaml", "metrics-auth-role", "operator")
	r.grant(t, "metrics/metrics_reader_role.yaml", "metrics-reader", "scraper")

	addr, pprofAddr, exited := startMetricsOperator(t, r.operatorKubeconfig(t))
	r.scrapeURL = "https://" + addr + "/metrics"
	r.hc = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		// The operator's certificate is self-signed: what is checked is the client's token.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // a test of a self-signed endpoint
	}}

	scraperToken := r.token(t, "scraper")
	r.waitForScrape(t, scraperToken, exited)
	r.checkScrapes(t, scraperToken)
	t.Run("pprof", func(t *testing.T) {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + pprofAddr + "/debug/pprof/cmdline")
		if err != nil {
			t.Fatalf("--pprof-bind-address=%s: %v", pprofAddr, err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "--pprof-bind-address") {
			t.Errorf("/debug/pprof/cmdline: status %d: %.200s", resp.StatusCode, body)
		}
	})
	t.Run("plain HTTP", func(t *testing.T) {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + addr + "/metrics")
		if err != nil {
			return // refused outright: fine
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusOK || strings.Contains(string(body), "controller_runtime_") {
			t.Errorf("plain HTTP got status %d and the metrics", resp.StatusCode)
		}
	})
}

// metricsRig is the state of TestSecureMetricsEndpoint: the namespace of its ServiceAccounts,
// and the operator's metrics endpoint with a client for it.
type metricsRig struct {
	c         client.Client
	ctx       context.Context
	ns        string
	scrapeURL string
	hc        *http.Client
}

// grant creates the ClusterRole of config/rbac's file under the name metrics-test-<role>, bound
// to the ServiceAccount sa (removed at the end).
func (r *metricsRig) grant(t *testing.T, file, role, sa string) {
	t.Helper()
	cr := readClusterRole(t, file)
	cr.ObjectMeta = metav1.ObjectMeta{Name: "metrics-test-" + role}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "metrics-test-" + role + "-" + sa},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: cr.Name},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: r.ns}},
	}
	for _, o := range []client.Object{&cr, crb} {
		if err := r.c.Create(r.ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("creating %s: %v", o.GetName(), err)
		}
		t.Cleanup(func() { _ = r.c.Delete(context.Background(), o) })
	}
}

// token returns a token of the ServiceAccount sa, from the TokenRequest API.
func (r *metricsRig) token(t *testing.T, sa string) string {
	t.Helper()
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: new(int64(3600))}}
	if err := r.c.SubResource("token").Create(r.ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa, Namespace: r.ns}}, tr); err != nil {
		t.Fatalf("TokenRequest for %s/%s: %v", r.ns, sa, err)
	}
	if tr.Status.Token == "" {
		t.Fatalf("TokenRequest for %s/%s: no token", r.ns, sa)
	}
	return tr.Status.Token
}

// operatorKubeconfig writes a kubeconfig with the operator ServiceAccount's token and returns
// its path.
func (r *metricsRig) operatorKubeconfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: apiServer.cfg.Host, CertificateAuthorityData: apiServer.cfg.CAData}
	kc.AuthInfos["operator"] = &clientcmdapi.AuthInfo{Token: r.token(t, "operator")}
	kc.Contexts["operator"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "operator"}
	kc.CurrentContext = "operator"
	if err := clientcmd.WriteToFile(*kc, kubeconfig); err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// scrape gets the metrics with bearer as the token ("": none).
func (r *metricsRig) scrape(bearer string) (int, string, error) {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, r.scrapeURL, nil)
	if err != nil {
		return 0, "", err
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// waitForScrape waits for a successful scrape with scraperToken, failing t if the operator
// exits first.
func (r *metricsRig) waitForScrape(t *testing.T, scraperToken string, exited chan error) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var lastErr error
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the operator exited: %v", err)
		default:
		}
		code, body, err := r.scrape(scraperToken)
		if err == nil && code == http.StatusOK {
			if !strings.Contains(body, "# TYPE controller_runtime_") {
				t.Errorf("the scrape answered 200 without controller-runtime's metrics:\n%.500s", body)
			}
			break
		}
		lastErr = err
		if err == nil {
			lastErr = fmt.Errorf("status %d: %.200s", code, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no successful scrape of %s with the metrics-reader token within 90 s: %v", r.scrapeURL, lastErr)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// checkScrapes scrapes with each kind of token, scraperToken the metrics-reader's.
func (r *metricsRig) checkScrapes(t *testing.T, scraperToken string) {
	t.Helper()
	for _, tc := range []struct {
		name  string
		token string
		want  int
	}{
		{"no token", "", http.StatusUnauthorized},
		// controller-runtime's filter answers 500 "Authentication failed" when the TokenReview
		// itself reports an error, as it does for a string that is no token at all: refused
		// either way.
		{"a token the API server did not issue", "not-a-token", 0},
		{"a ServiceAccount not bound to metrics-reader", r.token(t, "stranger"), http.StatusForbidden},
		{"a ServiceAccount bound to metrics-reader", scraperToken, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, err := r.scrape(tc.token)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == 0 && code >= 400 {
				return
			}
			if code != tc.want {
				t.Errorf("status %d, want %d: %.200s", code, tc.want, body)
			}
			if code != http.StatusOK && strings.Contains(body, "controller_runtime_") {
				t.Errorf("a refused scrape returned metrics")
			}
		})
	}
}

// startMetricsOperator runs the operator with its defaults but the addresses (--metrics-secure
// is not passed), on loopback ports that were free a moment before (localenv.LoopbackAddrs). Should
// another process take one before the operator binds it, the operator exits at once with "address
// already in use", and is started again on other ports, at most three times. It returns the metrics and pprof addresses and a channel that receives the
// process's exit.
func startMetricsOperator(t *testing.T, kubeconfig string) (addr, pprofAddr string, exited chan error) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		addrs, err := localenv.LoopbackAddrs(2)
		if err != nil {
			t.Fatal(err)
		}
		addr, pprofAddr = addrs[0], addrs[1]
		out := &bytes.Buffer{}
		cmd := exec.Command(buildOperator(t), "--kubeconfig="+kubeconfig, "--metrics-bind-address="+addr,
			"--health-probe-bind-address=0", "--leader-elect=false", "--pprof-bind-address="+pprofAddr)
		cmd.Env = append(os.Environ(), "KUBECONFIG=", "KUBERNETES_SERVICE_HOST=")
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited = make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// Both servers answer once bound; a bind that failed ends the process.
		bound, again := false, false
		for deadline := time.Now().Add(60 * time.Second); !bound && !again && time.Now().Before(deadline); {
			select {
			case err := <-exited:
				if attempt >= 3 || !strings.Contains(out.String(), "address already in use") {
					t.Fatalf("the operator exited: %v\n%s", err, out.String())
				}
				t.Logf("the operator could not bind a port found free a moment before, starting it again: %v", err)
				again = true
			case <-time.After(100 * time.Millisecond):
				bound = listening(addr) && listening(pprofAddr)
			}
		}
		if again {
			continue
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			waitErr := <-exited
			if t.Failed() {
				t.Logf("operator (%v) output:\n%s", waitErr, out.String())
			}
		})
		if !bound {
			t.Fatalf("the operator listens on %s and %s not within 60 s", addr, pprofAddr)
		}
		return addr, pprofAddr, exited
	}
}

// listening reports whether something accepts connections at addr.
func listening(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}
