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
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestHelpListsLabelValues: every label value the operator's source passes as a literal to one of
// these metrics (metrics.<Var>.WithLabelValues(..., "value", ...) in controllers/ and internal/)
// is named in that metric's help, in the parenthesis after the label's name; so are the values
// that no literal shows (the rate-limit sources come from a function, the code from the answer).
func TestHelpListsLabelValues(t *testing.T) {
	vecs := map[string]struct {
		help   string
		labels []string
	}{}
	for name, c := range map[string]prometheus.Collector{
		"SaaSRequests": SaaSRequests, "SaaSLatency": SaaSLatency, "Reactivations": Reactivations,
		"RateLimitWaits": RateLimitWaits, "EventsDropped": EventsDropped,
	} {
		ch := make(chan *prometheus.Desc, 1)
		c.Describe(ch)
		desc := (<-ch).String()
		help := regexp.MustCompile(`help: "((?:[^"\\]|\\.)*)"`).FindStringSubmatch(desc)
		labels := regexp.MustCompile(`variableLabels: \{([^}]*)\}`).FindStringSubmatch(desc)
		if help == nil || labels == nil {
			t.Fatalf("cannot read the descriptor of %s: %s", name, desc)
		}
		h, err := strconv.Unquote(`"` + help[1] + `"`)
		if err != nil {
			t.Fatal(err)
		}
		vecs[name] = struct {
			help   string
			labels []string
		}{h, strings.Split(labels[1], ",")}
	}
	check := func(where, metric, label, value string) {
		t.Helper()
		v := vecs[metric]
		listed, ok := labelValuesIn(v.help, label)
		if !ok {
			t.Errorf("%s: the help of %s lists no values of %s: %q", where, metric, label, v.help)
			return
		}
		if !listed[value] {
			t.Errorf("%s: the help of %s does not name %s %q: %q", where, metric, label, value, v.help)
		}
	}

	call := regexp.MustCompile(`metrics\.(\w+)\.WithLabelValues\(([^()]*(?:\([^()]*\)[^()]*)*)\)`)
	literal := regexp.MustCompile(`^"([^"]*)"$`)
	found := 0
	for _, dir := range []string{"../../controllers", "../../internal"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range call.FindAllStringSubmatch(string(src), -1) {
				v, ok := vecs[m[1]]
				if !ok {
					continue
				}
				for i, arg := range strings.Split(m[2], ",") {
					lit := literal.FindStringSubmatch(strings.TrimSpace(arg))
					if lit == nil || i >= len(v.labels) {
						continue
					}
					found++
					check(path, m[1], v.labels[i], lit[1])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if found < 5 {
		t.Fatalf("found only %d literal label values in the source: the pattern no longer matches the calls", found)
	}
	for _, s := range []string{"saas", "client", "gate"} {
		check("rateLimitSource", "RateLimitWaits", "source", s)
	}
	check("Transport", "SaaSRequests", "code", "error")
}
