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
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// alertsTests is the promtool rule unit test file: input series and the alerts expected from them.
var alertsTests = filepath.Join("testdata", "alerts", "alerts_test.yaml")

// TestPromtoolRules runs Prometheus' own rule engine over the chart's alerts: the PrometheusRule
// that prometheusRule.enabled renders with otherwise default values, written as a rule file, must
// pass promtool check rules, and promtool test rules with testdata/alerts/alerts_test.yaml, where
// every alert fires in one case and stays silent in another, with one replica, with leader
// election and with sharding. promtool is built by make promtool (make test builds it).
func TestPromtoolRules(t *testing.T) {
	promtool := tool(t, "promtool", "PROMTOOL")
	objs := mustHelmTemplate(t, kustomizeNamespace, "--set", "prometheusRule.enabled=true")
	spec, err := yaml.Marshal(findOne(t, objs, "PrometheusRule", releaseName).Object["spec"])
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yaml"), spec, 0o600); err != nil {
		t.Fatal(err)
	}
	tests, err := os.ReadFile(alertsTests)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alerts_test.yaml"), tests, 0o600); err != nil {
		t.Fatal(err)
	}

	// Every alert of the rules is tested, and fires in some case and not in another.
	firing := map[string]bool{}
	silent := map[string]bool{}
	var file struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `json:"alertname"`
				ExpAlerts []any  `json:"exp_alerts"`
			} `json:"alert_rule_test"`
		} `json:"tests"`
	}
	if err := yaml.Unmarshal(tests, &file); err != nil {
		t.Fatal(err)
	}
	for _, c := range file.Tests {
		for _, a := range c.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				firing[a.Alertname] = true
			} else {
				silent[a.Alertname] = true
			}
		}
	}
	var rendered []string
	for _, m := range regexp.MustCompile(`(?m)^\s*(?:- )?alert: (\S+)$`).FindAllStringSubmatch(string(spec), -1) {
		rendered = append(rendered, m[1])
	}
	slices.Sort(rendered)
	want := slices.Clone(alerts)
	slices.Sort(want)
	if !slices.Equal(rendered, want) {
		t.Errorf("the rendered rules hold the alerts %v, want %v", rendered, want)
	}
	for _, a := range rendered {
		if !firing[a] {
			t.Errorf("%s: no case of %s where it fires", alertsTests, a)
		}
		if !silent[a] {
			t.Errorf("%s: no case of %s where it stays silent", alertsTests, a)
		}
	}

	run := func(args ...string) string {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("promtool %s: %v\n%s\nrules.yaml:\n%s", strings.Join(args, " "), err, out, spec)
		}
		return string(out)
	}
	run("check", "rules", "rules.yaml")
	t.Logf("promtool test rules:\n%s", run("test", "rules", "alerts_test.yaml"))
}
