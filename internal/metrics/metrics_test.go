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

package metrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/hookkeeper/hookkeeper/providers"
)

// fakeProvider sends one request for each call, with the call's context, through client.
type fakeProvider struct {
	providers.Provider
	t      *testing.T
	client *http.Client
	url    string
}

func (f fakeProvider) send(ctx context.Context, path string) {
	f.t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	_ = resp.Body.Close()
}

func (f fakeProvider) Get(ctx context.Context, _ *providers.Request, _ string) (*providers.Remote, error) {
	f.send(ctx, "/hooks/1")
	return nil, nil
}

func (f fakeProvider) List(ctx context.Context, _ *providers.Request) ([]*providers.Remote, error) {
	f.send(ctx, "/hooks")
	return nil, nil
}

func (f fakeProvider) Create(ctx context.Context, _ *providers.Request) (*providers.Remote, error) {
	f.send(ctx, "/hooks")
	// A SaaS that verifies the receiver after a create (PageSeeder) names that request itself.
	f.send(providers.WithOperation(ctx, providers.OperationPing), "/hooks/1/ping")
	return nil, nil
}

func (f fakeProvider) Update(ctx context.Context, _ *providers.Request, _ *providers.Remote) (*providers.Remote, error) {
	f.send(ctx, "/hooks/1")
	return nil, nil
}

func (f fakeProvider) Delete(ctx context.Context, _ *providers.Request, _ string) error {
	f.send(ctx, "/hooks/1")
	return nil
}

// TestOperationHelpNamesEveryOperation drives every call of an instrumented provider, a
// verification ping, an OAuth token request and a request nothing names through Transport, and
// checks that the help of hookkeeper_saas_requests_total and of
// hookkeeper_saas_request_duration_seconds lists every operation label value they produced.
func TestOperationHelpNamesEveryOperation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	const provider = "helptest"
	fake := fakeProvider{t: t, client: &http.Client{Transport: Transport(srv.Client().Transport, provider)}, url: srv.URL}
	p := Provider(fake)
	ctx := context.Background()
	_, _ = p.Get(ctx, nil, "1")
	_, _ = p.List(ctx, nil)
	_, _ = p.Create(ctx, nil)
	_, _ = p.Update(ctx, nil, nil)
	_ = p.Delete(ctx, nil, "1")
	fake.send(ctx, "/oauth2/v1/token")
	fake.send(ctx, "/somewhere")

	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"list": true, "get": true, "create": true, "update": true, "delete": true,
		"token": true, providers.OperationPing: true, "other": true}
	checked := 0
	for _, f := range families {
		if f.GetName() != "hookkeeper_saas_requests_total" && f.GetName() != "hookkeeper_saas_request_duration_seconds" {
			continue
		}
		checked++
		listed, ok := labelValuesIn(f.GetHelp(), "operation")
		if !ok {
			t.Errorf("%s: the help names no values for operation: %q", f.GetName(), f.GetHelp())
			continue
		}
		produced := map[string]bool{}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["provider"] == provider {
				produced[labels["operation"]] = true
			}
		}
		for op := range want {
			if !produced[op] {
				t.Errorf("%s: the test sent no request counted as operation %q", f.GetName(), op)
			}
		}
		var ops []string
		for op := range produced {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			if !listed[op] {
				t.Errorf("%s: the help does not name operation %q: %q", f.GetName(), op, f.GetHelp())
			}
		}
	}
	if checked != 2 {
		t.Fatalf("found %d of the 2 SaaS request metrics in the registry", checked)
	}
}

var word = regexp.MustCompile(`[a-z_]+`)

// labelValuesIn returns the words of the parenthesis that follows label in help.
func labelValuesIn(help, label string) (map[string]bool, bool) {
	_, rest, ok := strings.Cut(help, label+" (")
	if !ok {
		return nil, false
	}
	depth := 1
	for i, c := range rest {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 {
			rest = rest[:i]
			break
		}
	}
	values := map[string]bool{}
	for _, w := range word.FindAllString(rest, -1) {
		values[w] = true
	}
	return values, true
}
