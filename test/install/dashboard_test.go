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
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dashboardMetrics are the series the Grafana dashboard may query: hookkeeper's own (internal/
// metrics and controllers/metrics.go) and controller-runtime's. A histogram is queried through
// its _bucket series.
var dashboardMetrics = []string{
	"hookkeeper_saas_requests_total",
	"hookkeeper_saas_request_duration_seconds_bucket",
	"hookkeeper_webhooks",
	"hookkeeper_shard_share",
	"hookkeeper_reactivations_total",
	"hookkeeper_rate_limit_waits_total",
	"controller_runtime_reconcile_total",
	"controller_runtime_reconcile_errors_total",
	"controller_runtime_terminal_reconcile_errors_total",
	"controller_runtime_reconcile_time_seconds_bucket",
	"controller_runtime_active_workers",
	"controller_runtime_max_concurrent_reconciles",
	"workqueue_depth",
}

// requiredMetrics must each be charted by some panel.
var requiredMetrics = []string{
	"hookkeeper_saas_requests_total",
	"hookkeeper_saas_request_duration_seconds_bucket",
	"hookkeeper_webhooks",
	"hookkeeper_reactivations_total",
	"hookkeeper_rate_limit_waits_total",
	"controller_runtime_reconcile_total",
	"controller_runtime_reconcile_errors_total",
	"workqueue_depth",
}

type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int     `json:"id"`
	Type       string  `json:"type"`
	Title      string  `json:"title"`
	Datasource any     `json:"datasource"`
	Panels     []panel `json:"panels"` // the panels of a collapsed row
	Targets    []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// TestDashboard: dist/chart/dashboards/hookkeeper.json parses, every query names only metrics
// of the allow-list, and every required metric has a panel.
func TestDashboard(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(chartDir, "dashboards", "hookkeeper.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("hookkeeper.json: %v", err)
	}
	if d.UID == "" || d.Title == "" {
		t.Error("the dashboard has no uid or title")
	}

	used := map[string]bool{}
	ids := map[int]string{}
	var walk func([]panel)
	walk = func(panels []panel) {
		for _, p := range panels {
			if other, ok := ids[p.ID]; ok {
				t.Errorf("panels %q and %q share id %d", other, p.Title, p.ID)
			}
			ids[p.ID] = p.Title
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			if ds, _ := json.Marshal(p.Datasource); !strings.Contains(string(ds), "${datasource}") {
				t.Errorf("panel %q does not use the $datasource variable: %s", p.Title, ds)
			}
			for _, target := range p.Targets {
				names := metricNames(target.Expr)
				if len(names) == 0 {
					t.Errorf("panel %q: no metric in %q", p.Title, target.Expr)
				}
				for _, n := range names {
					used[n] = true
					if !slices.Contains(dashboardMetrics, n) {
						t.Errorf("panel %q queries %s, which is not a metric the operator exposes: %s", p.Title, n, target.Expr)
					}
				}
			}
		}
	}
	walk(d.Panels)

	// Template variables query label values of metrics too.
	labelValues := regexp.MustCompile(`label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)`)
	for _, v := range d.Templating.List {
		q, _ := json.Marshal(v.Query)
		for _, m := range labelValues.FindAllStringSubmatch(string(q), -1) {
			if !slices.Contains(dashboardMetrics, m[1]) {
				t.Errorf("variable %s queries %s, which is not a metric the operator exposes", v.Name, m[1])
			}
		}
	}

	for _, m := range requiredMetrics {
		if !used[m] {
			t.Errorf("no panel charts %s", m)
		}
	}
}

// TestDashboardMetricsExist: hookkeeper's metrics in the allow-list are named in the operator's
// source, so that renaming a metric there fails here until the dashboard follows.
func TestDashboardMetricsExist(t *testing.T) {
	var source strings.Builder
	for _, dir := range []string{"internal", "controllers"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			data, err := os.ReadFile(path)
			source.Write(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range dashboardMetrics {
		if !strings.HasPrefix(m, "hookkeeper_") {
			continue
		}
		name := strings.TrimSuffix(m, "_bucket")
		if !strings.Contains(source.String(), `"`+name+`"`) {
			t.Errorf("the operator's source (internal/, controllers/) does not define the metric %s", name)
		}
	}
}

var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	promMatchers = regexp.MustCompile(`\{[^}]*\}`)
	promRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promVariable = regexp.MustCompile(`\$\{?[a-zA-Z0-9_]+\}?`)
	promName     = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promKeywords = []string{"and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on", "ignoring", "group_left", "group_right"}
)

// metricNames returns the metric names a PromQL expression selects: what remains once label
// matchers, ranges, groupings, variables and numbers are removed, apart from function names
// (followed by a parenthesis) and keywords.
func metricNames(expr string) []string {
	s := promString.ReplaceAllString(expr, `""`)
	s = promMatchers.ReplaceAllString(s, " ")
	s = promRange.ReplaceAllString(s, " ")
	s = promGrouping.ReplaceAllString(s, " ")
	s = promVariable.ReplaceAllString(s, " ")
	var names []string
	for _, loc := range promName.FindAllStringIndex(s, -1) {
		word := s[loc[0]:loc[1]]
		if loc[0] > 0 && (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9' || s[loc[0]-1] == '.') {
			continue // the exponent or unit of a number, such as 1e3
		}
		rest := strings.TrimLeft(s[loc[1]:], " \t\n")
		if strings.HasPrefix(rest, "(") || slices.Contains(promKeywords, strings.ToLower(word)) {
			continue
		}
		if !slices.Contains(names, word) {
			names = append(names, word)
		}
	}
	return names
}

// TestMetricNames checks the PromQL reading of the dashboard test on expressions of each shape.
func TestMetricNames(t *testing.T) {
	for expr, want := range map[string][]string{
		`sum by (provider, code) (rate(hookkeeper_saas_requests_total{namespace=~"$namespace"}[$__rate_interval]))`:                {"hookkeeper_saas_requests_total"},
		`histogram_quantile(0.95, sum by (le) (rate(controller_runtime_reconcile_time_seconds_bucket{controller="webhook"}[5m])))`: {"controller_runtime_reconcile_time_seconds_bucket"},
		`sum(a{x="b(c)"}) / on (job) group_left (pod) sum(b) or vector(0)`:                                                         {"a", "b"},
		`sum(up offset 1h) > bool 1e3`: {"up"},
	} {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %v, want %v", expr, got, want)
		}
	}
}

// TestDashboardWebhookNamespace: the dashboard selects the operator's series by its job (the
// $job variable), and has a variable of the Webhooks' namespaces (from hookkeeper_webhooks,
// several or all at once) that every query of hookkeeper_webhooks filters by. Each replica
// reports only its own namespaces, so every query of the gauge sums it, as the alerts do.
func TestDashboardWebhookNamespace(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(chartDir, "dashboards", "hookkeeper.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels     []panel `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Query      any    `json:"query"`
				Multi      bool   `json:"multi"`
				IncludeAll bool   `json:"includeAll"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		q, _ := json.Marshal(v.Query)
		vars[v.Name] = string(q)
		if v.Name == "namespace" && (!v.Multi || !v.IncludeAll) {
			t.Errorf("the namespace variable must allow several namespaces and all: multi %v, includeAll %v", v.Multi, v.IncludeAll)
		}
	}
	if !strings.Contains(vars["namespace"], "label_values(hookkeeper_webhooks") || !strings.Contains(vars["namespace"], ", namespace)") {
		t.Errorf("the namespace variable does not list the namespaces of hookkeeper_webhooks: %s", vars["namespace"])
	}
	if !strings.Contains(vars["job"], ", job)") {
		t.Errorf("no job variable that lists the operator's jobs: %q", vars["job"])
	}
	gauge := 0
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			walk(p.Panels)
			for _, target := range p.Targets {
				if !strings.Contains(target.Expr, `job=~"$job"`) {
					t.Errorf("panel %q does not select the operator's series by $job: %s", p.Title, target.Expr)
				}
				if !strings.Contains(target.Expr, "hookkeeper_webhooks") {
					continue
				}
				gauge++
				if !strings.Contains(target.Expr, `namespace=~"$namespace"`) {
					t.Errorf("panel %q does not filter hookkeeper_webhooks by $namespace: %s", p.Title, target.Expr)
				}
				if !strings.HasPrefix(target.Expr, "sum") || strings.Contains(target.Expr, "max(") || strings.Contains(target.Expr, "max by") {
					t.Errorf("panel %q does not sum hookkeeper_webhooks over the replicas: %s", p.Title, target.Expr)
				}
			}
		}
	}
	walk(d.Panels)
	if gauge == 0 {
		t.Error("no panel queries hookkeeper_webhooks")
	}
}
