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

package pageseeder_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder"
	"github.com/hookkeeper/hookkeeper/providers/pageseeder/fake"
)

const (
	clientID     = "4739db31320c67c5"
	clientSecret = "cs-9f8e7d6c5b4a39281706"
	internalID   = int64(123)
	owner        = "team-a/doc-events"
)

// env is a fake PageSeeder with a provider pointed at it, a record of what was sent, and a
// receiver for pings.
type env struct {
	t    *testing.T
	srv  *fake.Server
	prov *pageseeder.Provider
	rec  *testutil.Recorder
	recv *receiver
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := fake.New()
	t.Cleanup(srv.Close)
	srv.AddClient(clientID, clientSecret, internalID)
	rec := &testutil.Recorder{}
	prov := pageseeder.New(pageseeder.Options{HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}, AllowInsecure: true, Egress: loopback})
	return &env{t: t, srv: srv, prov: prov, rec: rec, recv: newReceiver(t)}
}

// newRequest is a valid request whose targetUrl is the env's receiver; mutate adjusts it.
func (e *env) newRequest(mutate ...func(*providers.Request)) *providers.Request {
	return newRequest(e.srv.URL(), e.recv.url("/hook"), mutate...)
}

func newRequest(serverURL, target string, mutate ...func(*providers.Request)) *providers.Request {
	req := &providers.Request{
		Owner: owner,
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:       hooksv1alpha1.ProviderPageSeeder,
			TargetURL:      target,
			CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: "ps-creds"},
			PageSeeder: &hooksv1alpha1.PageSeederSpec{
				ServerURL: serverURL,
				Client:    internalID,
				Events:    []string{"comment.*", "membership.created"},
				Projects:  []string{"acme"},
				Format:    "json",
				Object:    "minimal",
			},
		},
		Credentials: map[string][]byte{
			pageseeder.CredentialClientID:     []byte(clientID),
			pageseeder.CredentialClientSecret: []byte(clientSecret + "\n"),
		},
	}
	for _, m := range mutate {
		m(req)
	}
	return req
}

func boolPtr(b bool) *bool { return &b }

// loopback is the egress policy of the tests whose fake listens on 127.0.0.1, as the operator's
// --endpoint-allowlist=127.0.0.1/32 of a local run.
var loopback = mustPolicy("127.0.0.1/32")

func mustPolicy(s string) *egress.Policy {
	p, err := egress.Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// receiver is a webhook endpoint for pings. It echoes X-PS-Secret unless told otherwise.
type receiver struct {
	ts     *httptest.Server
	mode   atomic.Value // "echo", "silent" (2xx without the header) or "fail" (500)
	pings  atomic.Int32
	mu     sync.Mutex
	bodies []string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.mode.Store("echo")
	r.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		data, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(data))
		r.mu.Unlock()
		r.pings.Add(1)
		switch r.mode.Load() {
		case "echo":
			w.Header().Set(fake.SecretHeader, req.Header.Get(fake.SecretHeader))
			w.WriteHeader(http.StatusNoContent)
		case "silent":
			w.WriteHeader(http.StatusOK)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(r.ts.Close)
	return r
}

func (r *receiver) url(path string) string { return r.ts.URL + path }

func (r *receiver) lastBody() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		return ""
	}
	return r.bodies[len(r.bodies)-1]
}

// assertNoSecrets checks every text an error offers for the credentials of these tests and for more.
func assertNoSecrets(t *testing.T, err error, more ...string) {
	t.Helper()
	testutil.AssertNoSecrets(t, err, append([]string{clientID, clientSecret}, more...), append([]string{clientID, clientSecret}, more...))
}
