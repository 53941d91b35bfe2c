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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// alertGroups are the alerts the PrometheusRule must hold, each once, by group: the operator's
// faults (severity warning by default) and the Webhooks their owners must fix (severity info by
// default, by namespace).
var alertGroups = map[string][]string{
	"hookkeeper-operator": {"HookkeeperReconcileErrors", "HookkeeperProviderUnavailable", "HookkeeperQueueBacklog",
		"HookkeeperNoShardOwner", "HookkeeperSaaSServerErrors", "HookkeeperSaaSRateLimited"},
	"hookkeeper-tenants": {"HookkeeperTenantWebhooksFailing"},
}

// defaultSeverity is each group's severity with the default values.
var defaultSeverity = map[string]string{"hookkeeper-operator": "warning", "hookkeeper-tenants": "info"}

// alerts are every alert of alertGroups.
var alerts = slices.Concat(alertGroups["hookkeeper-operator"], alertGroups["hookkeeper-tenants"])

// TestChartPrometheusRule: prometheusRule.enabled renders a PrometheusRule whose groups
// Prometheus' own rule parser (rulefmt, as promtool check rules) accepts, with the alerts of
// alertGroups in their groups (the tenants' grouped by namespace, so that they can be routed by
// it); every expression selects only metrics the operator exposes (dashboardMetrics, which
// TestDashboardMetricsExist ties to the operator's source) through prometheusRule.selector.
// TestPromtoolRules runs the alerts on series.
// TestChartApplies applies it (dry-run) with ci/everything-values.yaml.
func TestChartPrometheusRule(t *testing.T) {
	if got := find(mustHelmTemplate(t, kustomizeNamespace), "PrometheusRule"); len(got) != 0 {
		t.Error("the default values render a PrometheusRule: it must stay off, clusters without prometheus-operator lack its CRD")
	}
	for name, c := range prometheusRuleRenderings {
		t.Run(name, func(t *testing.T) {
			checkPrometheusRule(t, name, c.args, c.selector)
		})
	}
	t.Run("the monitors keep the Webhooks' namespace label", func(t *testing.T) {
		// hookkeeper_webhooks's namespace label is the Webhooks' namespace, which the tenant
		// alerts are routed by; without honorLabels Prometheus renames it exported_namespace.
		for kind, c := range monitorEndpoints {
			objs := mustHelmTemplate(t, kustomizeNamespace, "--set", c.enable, "--set", "metrics.secure=false")
			m := findOne(t, objs, kind, releaseName+"-metrics")
			endpoints, _, _ := unstructured.NestedSlice(m.Object, "spec", c.endpoints)
			if len(endpoints) == 0 {
				t.Fatalf("the %s has no endpoint", kind)
			}
			for _, e := range endpoints {
				if honor, _ := e.(map[string]any)["honorLabels"].(bool); !honor {
					t.Errorf("%s endpoint without honorLabels: %v", kind, e)
				}
			}
		}
	})
	t.Run("alerts off one by one", func(t *testing.T) {
		objs := mustHelmTemplate(t, kustomizeNamespace, "--set", "prometheusRule.enabled=true", "--set", "prometheusRule.alerts.reconcileErrors.enabled=false")
		spec, _ := yaml.Marshal(findOne(t, objs, "PrometheusRule", releaseName).Object["spec"])
		if strings.Contains(string(spec), "HookkeeperReconcileErrors") {
			t.Error("prometheusRule.alerts.reconcileErrors.enabled=false still renders HookkeeperReconcileErrors")
		}
	})
	// The parser is Prometheus' and refuses what Prometheus would.
	if _, errs := rulefmt.Parse([]byte("groups:\n- name: x\n  rules:\n  - alert: X\n    expr: sum(rate(x[5m])\n"), false, model.UTF8Validation, parser.NewParser(parser.Options{})); len(errs) == 0 {
		t.Error("rulefmt accepted an expression with an unbalanced parenthesis")
	}
}

// prometheusRuleRenderings are the values, by name, that render the PrometheusRule, and the
// label matcher by which its alerts must select the operator's series.
var prometheusRuleRenderings = map[string]struct {
	args     []string
	selector string
}{
	"enabled":           {[]string{"--set", "prometheusRule.enabled=true"}, `job="hookkeeper-metrics"`},
	"everything values": {[]string{"-f", everythingValues}, `service="hookkeeper-metrics"`},
	// prometheus-operator names a PodMonitor's job "<namespace>/<name>".
	"pod monitor": {[]string{"--set", "prometheusRule.enabled=true", "--set", "metrics.podMonitor.enabled=true",
		"--set", "metrics.podMonitor.authorization.type=Bearer", "--set", "metrics.podMonitor.authorization.credentials.name=scraper",
		"--set", "metrics.podMonitor.authorization.credentials.key=token"}, `job="` + kustomizeNamespace + `/hookkeeper-metrics"`},
}

// monitorEndpoints are, by kind, the value that renders each monitor and the field of its
// endpoints.
var monitorEndpoints = map[string]struct{ enable, endpoints string }{
	"ServiceMonitor": {"metrics.serviceMonitor.enabled=true", "endpoints"},
	"PodMonitor":     {"metrics.podMonitor.enabled=true", "podMetricsEndpoints"},
}

// checkPrometheusRule renders the chart with args (the rendering called name) and checks its
// PrometheusRule: Prometheus accepts it, it holds alertGroups, and each alert is sound and
// selects the operator's series by selector.
func checkPrometheusRule(t *testing.T, name string, args []string, selector string) {
	t.Helper()
	objs := mustHelmTemplate(t, kustomizeNamespace, args...)
	rule := findOne(t, objs, "PrometheusRule", releaseName)
	spec, err := yaml.Marshal(rule.Object["spec"])
	if err != nil {
		t.Fatal(err)
	}
	promql := parser.NewParser(parser.Options{})
	groups, errs := rulefmt.Parse(spec, false, model.UTF8Validation, promql)
	for _, err := range errs {
		t.Errorf("Prometheus refuses the rules: %v", err)
	}
	if groups == nil {
		t.Fatalf("no rule groups in:\n%s", spec)
	}
	var names []string
	for _, g := range groups.Groups {
		var inGroup []string
		for _, r := range g.Rules {
			inGroup = append(inGroup, r.Alert)
		}
		if !slices.Equal(inGroup, alertGroups[g.Name]) {
			t.Errorf("group %s holds %v, want %v", g.Name, inGroup, alertGroups[g.Name])
		}
		for _, r := range g.Rules {
			names = append(names, r.Alert)
			if name == "enabled" && r.Labels["severity"] != defaultSeverity[g.Name] {
				t.Errorf("alert %s of group %s has severity %q by default, want %q", r.Alert, g.Name, r.Labels["severity"], defaultSeverity[g.Name])
			}
			checkAlert(t, promql, g.Name, r, selector)
		}
	}
	slices.Sort(names)
	want := slices.Clone(alerts)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("alerts %v, want %v", names, want)
	}
}

// checkAlert checks the alert r of the group called group: grouped and summed as it must be,
// with a for, a severity, summary and description, and selecting metrics the operator exposes by
// selector.
func checkAlert(t *testing.T, promql parser.Parser, group string, r rulefmt.Rule, selector string) {
	t.Helper()
	if group == "hookkeeper-tenants" && !strings.Contains(r.Expr, "by (namespace,") {
		t.Errorf("tenant alert %s is not grouped by namespace: %s", r.Alert, r.Expr)
	}
	if strings.Contains(r.Expr, "hookkeeper_webhooks") && !strings.Contains(r.Expr, "sum by") {
		t.Errorf("alert %s does not sum hookkeeper_webhooks over the replicas: %s", r.Alert, r.Expr)
	}
	if r.For == 0 {
		t.Errorf("alert %s fires at once: no for", r.Alert)
	}
	if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
		t.Errorf("alert %s lacks a severity, summary or description: %v %v", r.Alert, r.Labels, r.Annotations)
	}
	expr, err := promql.ParseExpr(r.Expr)
	if err != nil {
		t.Errorf("alert %s: %v", r.Alert, err)
		return
	}
	selectors := 0
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		selectors++
		if !slices.Contains(dashboardMetrics, vs.Name) {
			t.Errorf("alert %s selects %s, which is not a metric the operator exposes (dashboardMetrics)", r.Alert, vs.Name)
		}
		if !strings.Contains(vs.String(), selector) {
			t.Errorf("alert %s: %s does not select the operator's series by %s", r.Alert, vs, selector)
		}
		return nil
	})
	if selectors == 0 {
		t.Errorf("alert %s selects no metric: %s", r.Alert, r.Expr)
	}
}

// TestAlertedWebhookReasons: the Ready reasons the not-Ready alert leaves out (fine: Available;
// chosen: Disabled, Paused) are reasons the API defines, so that renaming one fails here.
func TestAlertedWebhookReasons(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "api", "v1alpha1", "webhook_constants.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, reason := range []string{"Available", "Disabled", "Paused"} {
		if !strings.Contains(string(data), `= "`+reason+`"`) {
			t.Errorf("the not-Ready alert (templates/prometheusrule.yaml) leaves out the Ready reason %s, which api/v1alpha1 does not define", reason)
		}
	}
}
