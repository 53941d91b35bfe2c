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

package operator

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	promtestutil "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hookkeeper/hookkeeper/internal/config"
	"github.com/hookkeeper/hookkeeper/internal/metrics"
	"github.com/hookkeeper/hookkeeper/internal/ratelimit"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// newOperator returns the operator of a fresh config bound to a flag set and parsed from args.
func newOperator(t *testing.T, args ...string) *operator {
	t.Helper()
	var c config.Config
	fs := flag.NewFlagSet("hookkeeper", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Bind(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return &operator{cfg: &c}
}

func TestRegistryHasEveryProvider(t *testing.T) {
	reg := newOperator(t).registry()
	for _, d := range catalog.All() {
		if reg[d.Type] == nil {
			t.Errorf("the registry has no %s", d.Type)
		}
	}
	if len(reg) != len(catalog.All()) {
		t.Errorf("the registry has %d providers, the catalog %d", len(reg), len(catalog.All()))
	}
}

func TestHTTPClientIsRateLimited(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	o := newOperator(t, "--http-timeout=7s", "--provider-qps=webex=0.001:1,autodesk=0")
	get := func(hc *http.Client) error {
		req, err := http.NewRequestWithContext(ratelimit.WithKey(context.Background(), "credential-hash"), http.MethodGet, srv.URL, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}

	webexClient := o.httpClient("webex")
	if webexClient.Timeout != 7*time.Second {
		t.Errorf("Timeout = %v, want --http-timeout", webexClient.Timeout)
	}
	if err := get(webexClient); err != nil {
		t.Fatalf("first webex request: %v", err)
	}
	err := get(webexClient)
	if providers.KindOf(err) != providers.KindRateLimited || providers.RetryAfter(err) <= 0 {
		t.Errorf("second webex request: %v, want RateLimited with a RetryAfter", err)
	}

	autodeskClient := o.httpClient("autodesk")
	if autodeskClient.Transport == http.DefaultTransport || autodeskClient.Transport == nil {
		t.Errorf("unlimited provider's transport is %T, want its own, counted for the metrics", autodeskClient.Transport)
	}
	counted := promtestutil.ToFloat64(metrics.SaaSRequests.WithLabelValues("autodesk", "other", "204"))
	for i := range 3 {
		if err := get(autodeskClient); err != nil {
			t.Errorf("autodesk request %d without a limit: %v", i, err)
		}
	}
	if got := promtestutil.ToFloat64(metrics.SaaSRequests.WithLabelValues("autodesk", "other", "204")) - counted; got != 3 {
		t.Errorf("hookkeeper_saas_requests_total grew by %v for 3 requests", got)
	}
}
