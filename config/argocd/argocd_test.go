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

// Package argocd holds no code: only the Argo CD health check and resource action for Webhooks
// (Lua, in Argo CD's resource_customizations layout) and this test, which runs them the way Argo
// CD does, with gopher-lua and the same reduced set of libraries.
package argocd

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/apiconsts"
)

const (
	// customizationDir follows Argo CD's resource_customizations/<group>/<kind> layout.
	customizationDir = "hooks.hookkeeper.dev/Webhook"
	healthScript     = customizationDir + "/health.lua"
	healthTests      = customizationDir + "/health_test.yaml"
	actionsDir       = customizationDir + "/actions"
	discoveryScript  = actionsDir + "/discovery.lua"
	actionTests      = actionsDir + "/action_test.yaml"
	patchFile        = "argocd-cm-patch.yaml"

	// The argocd-cm keys: resource.customizations.<health|actions>.<group>_<kind>.
	healthKey  = "resource.customizations.health.hooks.hookkeeper.dev_Webhook"
	actionsKey = "resource.customizations.actions.hooks.hookkeeper.dev_Webhook"
)

var update = flag.Bool("update", false, "rewrite "+patchFile+" from the .lua files")

// The valid values of an Argo CD health status.
var argoHealthStatuses = map[string]bool{
	"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true,
}

// healthStatus is what health.lua returns, and what health_test.yaml expects.
type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

type healthTestFile struct {
	Tests []struct {
		HealthStatus healthStatus `json:"healthStatus"`
		InputPath    string       `json:"inputPath"`
	} `json:"tests"`
}

// discoveredAction is one entry of what discovery.lua returns, as Argo CD reads it.
type discoveredAction struct {
	Name     string `json:"name"`
	Disabled bool   `json:"disabled"`
}

type actionTestFile struct {
	DiscoveryTests []struct {
		InputPath string             `json:"inputPath"`
		Result    []discoveredAction `json:"result"`
	} `json:"discoveryTests"`
	ActionTests []struct {
		Action             string `json:"action"`
		InputPath          string `json:"inputPath"`
		ExpectedOutputPath string `json:"expectedOutputPath"`
	} `json:"actionTests"`
}

func TestHealth(t *testing.T) {
	script := readFile(t, healthScript)
	var file healthTestFile
	readYAML(t, healthTests, &file)
	if len(file.Tests) == 0 {
		t.Fatalf("%s has no tests", healthTests)
	}
	for _, tc := range file.Tests {
		t.Run(strings.TrimSuffix(filepath.Base(tc.InputPath), ".yaml"), func(t *testing.T) {
			var obj map[string]any
			readYAML(t, filepath.Join(customizationDir, tc.InputPath), &obj)
			got := runHealth(t, script, obj)
			if got != tc.HealthStatus {
				t.Errorf("health of %s\n got: %+v\nwant: %+v", tc.InputPath, got, tc.HealthStatus)
			}
		})
	}
}

func TestHealthTestDataAllUsed(t *testing.T) {
	var file healthTestFile
	readYAML(t, healthTests, &file)
	used := map[string]bool{}
	for _, tc := range file.Tests {
		used[filepath.Clean(tc.InputPath)] = true
	}
	files, err := filepath.Glob(filepath.Join(customizationDir, "testdata", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(customizationDir, f)
		if !used[rel] {
			t.Errorf("%s is not referenced by %s", f, healthTests)
		}
	}
}

// readyClass says what each Ready reason of the API should look like in Argo CD, when the
// annotations do not decide it (not deleting, not paused) and the status is current.
// Degraded means a person has to act: retrying alone will not fix it.
var readyClass = map[string]string{
	hooksv1alpha1.ReasonAvailable:           "Healthy",
	hooksv1alpha1.ReasonDisabled:            "Healthy",
	hooksv1alpha1.ReasonCreating:            "Progressing",
	hooksv1alpha1.ReasonUpdating:            "Progressing",
	hooksv1alpha1.ReasonDeleting:            "Progressing",
	hooksv1alpha1.ReasonRemoteDisabled:      "Progressing",
	hooksv1alpha1.ReasonRateLimited:         "Progressing",
	hooksv1alpha1.ReasonProviderUnavailable: "Progressing",
	hooksv1alpha1.ReasonPaused:              "Progressing",
	hooksv1alpha1.ReasonInvalidSpec:         "Degraded",
	hooksv1alpha1.ReasonCredentialsNotFound: "Degraded",
	hooksv1alpha1.ReasonUnauthorized:        "Degraded",
	hooksv1alpha1.ReasonConflict:            "Degraded",
	hooksv1alpha1.ReasonAccountNotFound:     "Degraded",
	hooksv1alpha1.ReasonAccountNotPermitted: "Degraded",
	hooksv1alpha1.ReasonTargetNotPermitted:  "Degraded",
	hooksv1alpha1.ReasonAccountLimitReached: "Degraded",
}

// TestEveryReasonClassified fails when api/v1alpha1 gains a Reason constant that nobody has
// placed in readyClass (and, if it needs a human, in health.lua), and checks health.lua gives
// every reason the health readyClass names.
func TestEveryReasonClassified(t *testing.T) {
	reasons := reasonConstants(t)
	if len(reasons) < len(readyClass) {
		t.Fatalf("found only %d Reason constants in api/v1alpha1: %v", len(reasons), reasons)
	}
	for name, value := range reasons {
		if _, ok := readyClass[value]; !ok {
			t.Errorf("hooksv1alpha1.%s (%q) is not classified: add it to readyClass, and to health.lua's "+
				"needsHuman table if a person has to act on it", name, value)
		}
	}
	known := map[string]bool{}
	for _, value := range reasons {
		known[value] = true
	}
	for reason := range readyClass {
		if !known[reason] {
			t.Errorf("readyClass lists %q, which api/v1alpha1 no longer defines", reason)
		}
	}

	script := readFile(t, healthScript)
	for reason, want := range readyClass {
		t.Run(reason, func(t *testing.T) {
			if want == "Degraded" && !strings.Contains(script, reason) {
				t.Errorf("%s does not mention %s", healthScript, reason)
			}
			status := "False"
			if want == "Healthy" {
				status = "True"
			}
			obj := syntheticWebhook(status, reason, "a message for "+reason)
			got := runHealth(t, script, obj)
			if got.Status != want {
				t.Errorf("Ready=%s reason %s: got %s (%q), want %s", status, reason, got.Status, got.Message, want)
			}
			if !strings.Contains(got.Message, reason) || !strings.Contains(got.Message, "a message for "+reason) {
				t.Errorf("message %q should carry the reason and the condition's message", got.Message)
			}
		})
	}
}

// TestScriptsUseAPINames ties the literal strings in the Lua to the Go constants they copy.
func TestScriptsUseAPINames(t *testing.T) {
	health := readFile(t, healthScript)
	for _, s := range []string{hooksv1alpha1.AnnotationPaused, `"` + hooksv1alpha1.ConditionReady + `"`} {
		if !strings.Contains(health, s) {
			t.Errorf("%s does not mention %s", healthScript, s)
		}
	}
	action := readFile(t, filepath.Join(actionsDir, "reconcile", "action.lua"))
	if !strings.Contains(action, hooksv1alpha1.AnnotationReconcileRequestedAt) {
		t.Errorf("the reconcile action does not set %s", hooksv1alpha1.AnnotationReconcileRequestedAt)
	}
	if got := hooksv1alpha1.GroupVersion.Group + "/Webhook"; got != customizationDir {
		t.Errorf("customizations live in %s, but the API group/kind is %s", customizationDir, got)
	}
}

func TestActionDiscovery(t *testing.T) {
	script := readFile(t, discoveryScript)
	var file actionTestFile
	readYAML(t, actionTests, &file)
	if len(file.DiscoveryTests) == 0 {
		t.Fatalf("%s has no discoveryTests", actionTests)
	}
	for _, tc := range file.DiscoveryTests {
		t.Run(strings.TrimSuffix(filepath.Base(tc.InputPath), ".yaml"), func(t *testing.T) {
			var obj map[string]any
			readYAML(t, filepath.Join(actionsDir, tc.InputPath), &obj)
			ret := runScript(t, script, obj)
			got := discovered(t, ret)
			want := append([]discoveredAction(nil), tc.Result...)
			sort.Slice(want, func(i, j int) bool { return want[i].Name < want[j].Name })
			if !reflect.DeepEqual(got, want) {
				t.Errorf("discovery of %s\n got: %+v\nwant: %+v", tc.InputPath, got, want)
			}
			for _, a := range got {
				if _, err := os.Stat(filepath.Join(actionsDir, a.Name, "action.lua")); err != nil {
					t.Errorf("discovery offers %q, which has no action.lua: %v", a.Name, err)
				}
			}
		})
	}
}

// rfc3339UTC is what os.date("!%Y-%m-%dT%XZ") yields.
var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

func TestActions(t *testing.T) {
	var file actionTestFile
	readYAML(t, actionTests, &file)
	if len(file.ActionTests) == 0 {
		t.Fatalf("%s has no actionTests", actionTests)
	}
	key := hooksv1alpha1.AnnotationReconcileRequestedAt
	for _, tc := range file.ActionTests {
		t.Run(tc.Action+"/"+strings.TrimSuffix(filepath.Base(tc.InputPath), ".yaml"), func(t *testing.T) {
			script := readFile(t, filepath.Join(actionsDir, tc.Action, "action.lua"))
			var input, want map[string]any
			readYAML(t, filepath.Join(actionsDir, tc.InputPath), &input)
			readYAML(t, filepath.Join(actionsDir, tc.ExpectedOutputPath), &want)

			before := time.Now().UTC().Truncate(time.Second)
			ret := runScript(t, script, input)
			after := time.Now().UTC()
			tbl, ok := ret.(*lua.LTable)
			if !ok {
				t.Fatalf("the action returned a %s, want the object as a table", ret.Type())
			}
			converted, err := fromLua(tbl)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := restoreEmptyMaps(converted, input).(map[string]any)
			if !ok {
				t.Fatalf("the action returned %T, want an object", converted)
			}

			// The timestamp is now, so it cannot match the file: check its form and its value,
			// then blank it on both sides before comparing the rest.
			stamp := annotation(got, key)
			if !rfc3339UTC.MatchString(stamp) {
				t.Fatalf("%s = %q, want an RFC 3339 UTC time", key, stamp)
			}
			at, err := time.Parse(time.RFC3339, stamp)
			if err != nil {
				t.Fatalf("%s = %q: %v", key, stamp, err)
			}
			if at.Before(before) || at.After(after) {
				t.Errorf("%s = %s, want the time of the call (%s .. %s)", key, stamp, before.Format(time.RFC3339), after.Format(time.RFC3339))
			}
			if annotation(want, key) == "" {
				t.Fatalf("%s must set %s (any placeholder time)", tc.ExpectedOutputPath, key)
			}
			setAnnotation(got, key, "")
			setAnnotation(want, key, "")
			if !reflect.DeepEqual(got, want) {
				gotYAML, _ := yaml.Marshal(got)
				wantYAML, _ := yaml.Marshal(want)
				t.Errorf("output differs from %s (timestamp blanked)\n--- got\n%s--- want\n%s", tc.ExpectedOutputPath, gotYAML, wantYAML)
			}
		})
	}
}

// TestSandbox checks the test runs scripts with what Argo CD offers, no more: no string
// library, no global os, and require("os") with only date and time.
func TestSandbox(t *testing.T) {
	ret := runScript(t, `
		local os = require("os")
		local names = {}
		for name in pairs(os) do table.insert(names, name) end
		table.sort(names)
		return {
			stringLib = string == nil,
			globalOs = _G.os == nil,
			io = io == nil,
			osNames = table.concat(names, ","),
		}`, map[string]any{})
	got, err := fromLua(ret)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"stringLib": true, "globalOs": true, "io": true, "osNames": "date,time"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sandbox: got %v, want %v", got, want)
	}
}

// TestConversion checks the Go-to-Lua-to-Go round trip the tests rely on.
func TestConversion(t *testing.T) {
	in := map[string]any{
		"s": "x", "n": float64(3), "f": 1.5, "b": false, "null": nil,
		"list":  []any{"a", float64(2), map[string]any{"k": "v"}},
		"empty": map[string]any{},
	}
	L := newSandbox(t, in)
	ret, err := fromLua(L.GetGlobal("obj"))
	if err != nil {
		t.Fatal(err)
	}
	// A nil value is absent in Lua, and an empty table reads back as a list, as in Argo CD,
	// until restoreEmptyMaps puts the map back.
	want := map[string]any{
		"s": "x", "n": float64(3), "f": 1.5, "b": false,
		"list":  []any{"a", float64(2), map[string]any{"k": "v"}},
		"empty": []any{},
	}
	if !reflect.DeepEqual(ret, want) {
		t.Errorf("round trip: got %#v, want %#v", ret, want)
	}
	want["empty"] = map[string]any{}
	if got := restoreEmptyMaps(ret, in); !reflect.DeepEqual(got, want) {
		t.Errorf("restoreEmptyMaps: got %#v, want %#v", got, want)
	}
	r := runScript(t, `return obj.list[1] .. obj.list[2] .. tostring(#obj.list)`, in)
	if r.String() != "a23" {
		t.Errorf("lists are not 1-indexed tables: %q", r.String())
	}
}

// TestPatchMatchesScripts keeps argocd-cm-patch.yaml and the ConfigMap shown in README.md in
// step with the .lua files. `go test ./config/argocd -run TestPatchMatchesScripts -update`
// rewrites both.
func TestPatchMatchesScripts(t *testing.T) {
	health := readFile(t, healthScript)
	discovery := readFile(t, discoveryScript)
	reconcile := readFile(t, filepath.Join(actionsDir, "reconcile", "action.lua"))
	if *update {
		patch := patchHeader + renderConfigMap("", health, discovery, reconcile)
		if err := os.WriteFile(patchFile, []byte(patch), 0o644); err != nil {
			t.Fatal(err)
		}
		readme, err := replaceReadmeBlock(readFile(t, readmeFile), renderConfigMap("argocd", health, discovery, reconcile))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(readmeFile, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run(patchFile, func(t *testing.T) {
		checkConfigMap(t, []byte(readFile(t, patchFile)), "")
	})
	t.Run(readmeFile, func(t *testing.T) {
		block, err := readmeBlock(readFile(t, readmeFile))
		if err != nil {
			t.Fatal(err)
		}
		checkConfigMap(t, []byte(block), "argocd")
	})
}

// checkConfigMap fails unless doc is the argocd-cm ConfigMap carrying exactly the .lua files.
func checkConfigMap(t *testing.T, doc []byte, namespace string) {
	t.Helper()
	var cm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Data map[string]string `json:"data"`
	}
	if err := yaml.UnmarshalStrict(doc, &cm); err != nil {
		t.Fatal(err)
	}
	if cm.APIVersion != "v1" || cm.Kind != "ConfigMap" || cm.Metadata.Name != "argocd-cm" || cm.Metadata.Namespace != namespace {
		t.Errorf("got %s %s %s/%s, want the v1 ConfigMap %s/argocd-cm", cm.APIVersion, cm.Kind,
			cm.Metadata.Namespace, cm.Metadata.Name, namespace)
	}
	if len(cm.Data) != 2 {
		t.Errorf("data has keys %v, want only %s and %s", keys(cm.Data), healthKey, actionsKey)
	}
	if cm.Data[healthKey] != readFile(t, healthScript) {
		t.Errorf("%s differs from %s (run with -update)", healthKey, healthScript)
	}

	var actions struct {
		Discovery   string `json:"discovery.lua"`
		Definitions []struct {
			Name      string `json:"name"`
			ActionLua string `json:"action.lua"`
		} `json:"definitions"`
	}
	if err := yaml.UnmarshalStrict([]byte(cm.Data[actionsKey]), &actions); err != nil {
		t.Fatalf("%s is not in Argo CD's actions format: %v", actionsKey, err)
	}
	if actions.Discovery != readFile(t, discoveryScript) {
		t.Errorf("discovery.lua differs from %s (run with -update)", discoveryScript)
	}
	dirs, err := os.ReadDir(actionsDir)
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, defined []string
	for _, d := range dirs {
		if d.IsDir() && d.Name() != "testdata" {
			onDisk = append(onDisk, d.Name())
		}
	}
	for _, def := range actions.Definitions {
		defined = append(defined, def.Name)
		file := filepath.Join(actionsDir, def.Name, "action.lua")
		if _, err := os.Stat(file); err != nil {
			t.Errorf("action %s: %v", def.Name, err)
		} else if def.ActionLua != readFile(t, file) {
			t.Errorf("action %s differs from %s (run with -update)", def.Name, file)
		}
	}
	sort.Strings(defined)
	if !reflect.DeepEqual(onDisk, defined) {
		t.Errorf("defines actions %v, %s has %v", defined, actionsDir, onDisk)
	}

	// Run the embedded health check once, as Argo CD would run it.
	var obj map[string]any
	readYAML(t, filepath.Join(customizationDir, "testdata", "healthy.yaml"), &obj)
	if got := runHealth(t, cm.Data[healthKey], obj); got.Status != "Healthy" {
		t.Errorf("the embedded health check says %+v for a healthy Webhook", got)
	}
}

const readmeFile = "README.md"

// The README shows the complete ConfigMap between these two lines.
const (
	readmeBegin = "<!-- argocd-cm: begin (written by go test -update) -->\n```yaml\n"
	readmeEnd   = "```\n<!-- argocd-cm: end -->\n"
)

func readmeBlock(readme string) (string, error) {
	i := strings.Index(readme, readmeBegin)
	j := strings.Index(readme, readmeEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("%s lacks the ConfigMap between %q and %q", readmeFile, readmeBegin, readmeEnd)
	}
	return readme[i+len(readmeBegin) : j], nil
}

func replaceReadmeBlock(readme, block string) (string, error) {
	old, err := readmeBlock(readme)
	if err != nil {
		return "", err
	}
	return strings.Replace(readme, readmeBegin+old+readmeEnd, readmeBegin+block+readmeEnd, 1), nil
}

const patchHeader = `# Adds the hookkeeper health check and the "reconcile" action for Webhooks to Argo CD.
# A copy of hooks.hookkeeper.dev/Webhook/: argocd_test.go fails when they differ, and rewrites
# this file with: go test ./config/argocd -run TestPatchMatchesScripts -update
#
#   kubectl -n argocd patch configmap argocd-cm --type merge --patch-file config/argocd/argocd-cm-patch.yaml
#
# or list it under ` + "`patches:`" + ` of the kustomization that installs Argo CD, with
# target {kind: ConfigMap, name: argocd-cm} (see README.md). No namespace here, so it fits any.
`

// renderConfigMap writes the argocd-cm ConfigMap with the scripts as YAML block scalars.
func renderConfigMap(namespace, health, discovery, reconcile string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n")
	if namespace != "" {
		b.WriteString("  namespace: " + namespace + "\n")
	}
	b.WriteString("data:\n")
	b.WriteString("  " + healthKey + ": |\n")
	b.WriteString(indent(health, 4))
	b.WriteString("  " + actionsKey + ": |\n")
	b.WriteString("    discovery.lua: |\n")
	b.WriteString(indent(discovery, 6))
	b.WriteString("    definitions:\n")
	b.WriteString("    - name: reconcile\n")
	b.WriteString("      action.lua: |\n")
	b.WriteString(indent(reconcile, 8))
	return b.String()
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// indent prefixes every non-empty line, leaving blank lines empty.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// --- running Lua the way Argo CD does ---

// newSandbox makes a Lua state with what Argo CD gives resource customizations: the package,
// base and table libraries, an os module with only date and time that has to be required, a
// one-second deadline, and the object as the global obj.
func newSandbox(t *testing.T, obj map[string]any) *lua.LState {
	t.Helper()
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	t.Cleanup(L.Close)
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.OsLibName, lua.OpenOs},
	} {
		if err := L.CallByParam(lua.P{Fn: L.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			t.Fatalf("opening %s: %v", lib.name, err)
		}
	}
	// Keep os.date and os.time, drop the rest of os and make it reachable only via require.
	full := L.GetGlobal(lua.OsLibName).(*lua.LTable)
	date, clock := full.RawGetString("date"), full.RawGetString("time")
	L.SetGlobal(lua.OsLibName, lua.LNil)
	L.SetField(L.GetField(L.Get(lua.RegistryIndex), "_LOADED"), lua.OsLibName, lua.LNil)
	L.PreloadModule(lua.OsLibName, func(L *lua.LState) int {
		mod := L.NewTable()
		mod.RawSetString("date", date)
		mod.RawSetString("time", clock)
		L.Push(mod)
		return 1
	})

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	t.Cleanup(cancel)
	L.SetContext(ctx)
	L.SetGlobal("obj", toLua(L, obj))
	return L
}

// runScript runs a script against obj and returns what it left on top of the stack, which is
// where Argo CD reads the result.
func runScript(t *testing.T, script string, obj map[string]any) lua.LValue {
	t.Helper()
	L := newSandbox(t, obj)
	if err := L.DoString(script); err != nil {
		t.Fatalf("running the script: %v", err)
	}
	return L.Get(-1)
}

func runHealth(t *testing.T, script string, obj map[string]any) healthStatus {
	t.Helper()
	ret := runScript(t, script, obj)
	tbl, ok := ret.(*lua.LTable)
	if !ok {
		t.Fatalf("health.lua returned a %s, want a table", ret.Type())
	}
	v, err := fromLua(tbl)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("health.lua returned %v, want {status, message}", v)
	}
	var hs healthStatus
	for k, val := range m {
		s, ok := val.(string)
		switch {
		case !ok:
			t.Fatalf("health.lua returned %s = %v, want a string", k, val)
		case k == "status":
			hs.Status = s
		case k == "message":
			hs.Message = s
		default:
			t.Fatalf("health.lua returned an unexpected field %q", k)
		}
	}
	if !argoHealthStatuses[hs.Status] {
		t.Fatalf("health.lua returned status %q, which Argo CD does not know", hs.Status)
	}
	return hs
}

// discovered reads discovery.lua's result as Argo CD does: an empty table is an enabled action,
// otherwise "disabled" decides.
func discovered(t *testing.T, ret lua.LValue) []discoveredAction {
	t.Helper()
	if ret.Type() != lua.LTTable {
		t.Fatalf("discovery.lua returned a %s, want a table", ret.Type())
	}
	v, err := fromLua(ret)
	if err != nil {
		t.Fatal(err)
	}
	var out []discoveredAction
	switch m := v.(type) {
	case []any:
		if len(m) != 0 {
			t.Fatalf("discovery.lua returned a list, want a map of action names")
		}
	case map[string]any:
		for name, spec := range m {
			a := discoveredAction{Name: name}
			if fields, ok := spec.(map[string]any); ok {
				a.Disabled, _ = fields["disabled"].(bool)
			}
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// toLua converts decoded JSON or YAML into Lua values: maps become tables keyed by string,
// lists become tables indexed from 1, numbers become numbers, and nil stays nil.
func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case float64:
		return lua.LNumber(x)
	case int:
		return lua.LNumber(x)
	case int32:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case []any:
		tbl := L.CreateTable(len(x), 0)
		for _, item := range x {
			tbl.Append(toLua(L, item))
		}
		return tbl
	case map[string]any:
		tbl := L.CreateTable(0, len(x))
		for k, item := range x {
			tbl.RawSetString(k, toLua(L, item))
		}
		return tbl
	default:
		panic(fmt.Sprintf("toLua: unsupported %T", v))
	}
}

// fromLua converts a Lua value back as Argo CD's JSON encoding of it reads: a table whose keys
// are exactly 1..n is a list (an empty table too), one with only string keys an object.
func fromLua(v lua.LValue) (any, error) {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(x), nil
	case lua.LString:
		return string(x), nil
	case lua.LNumber:
		return float64(x), nil
	case *lua.LTable:
		var strKeys, numKeys int
		var err error
		x.ForEach(func(k, _ lua.LValue) {
			switch k.(type) {
			case lua.LString:
				strKeys++
			case lua.LNumber:
				numKeys++
			default:
				err = fmt.Errorf("a table key of type %s has no JSON form", k.Type())
			}
		})
		if err != nil {
			return nil, err
		}
		switch {
		case strKeys > 0 && numKeys > 0:
			return nil, fmt.Errorf("a table mixes list and object keys")
		case strKeys == 0:
			list := make([]any, 0, numKeys)
			for i := 1; i <= numKeys; i++ {
				item := x.RawGetInt(i)
				if item == lua.LNil {
					return nil, fmt.Errorf("a list table has a hole at %d", i)
				}
				c, err := fromLua(item)
				if err != nil {
					return nil, err
				}
				list = append(list, c)
			}
			return list, nil
		default:
			obj := make(map[string]any, strKeys)
			x.ForEach(func(k, item lua.LValue) {
				if err != nil {
					return
				}
				obj[string(k.(lua.LString))], err = fromLua(item)
			})
			return obj, err
		}
	default:
		return nil, fmt.Errorf("a Lua %s has no JSON form", v.Type())
	}
}

// restoreEmptyMaps undoes the one loss of the conversion, as Argo CD does for action results:
// an empty table comes back as a list, so where the original held an object it is an object.
func restoreEmptyMaps(out, orig any) any {
	switch o := orig.(type) {
	case map[string]any:
		switch n := out.(type) {
		case []any:
			if len(n) == 0 {
				return map[string]any{}
			}
		case map[string]any:
			for k, v := range n {
				if ov, ok := o[k]; ok {
					n[k] = restoreEmptyMaps(v, ov)
				}
			}
		}
	case []any:
		if n, ok := out.([]any); ok {
			for i := range n {
				if i < len(o) {
					n[i] = restoreEmptyMaps(n[i], o[i])
				}
			}
		}
	}
	return out
}

// --- helpers ---

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	if err := yaml.UnmarshalStrict([]byte(readFile(t, path)), into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func annotation(obj map[string]any, key string) string {
	meta, _ := obj["metadata"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	s, _ := annotations[key].(string)
	return s
}

func setAnnotation(obj map[string]any, key, value string) {
	meta, _ := obj["metadata"].(map[string]any)
	if annotations, ok := meta["annotations"].(map[string]any); ok {
		annotations[key] = value
	}
}

// syntheticWebhook is a current Webhook whose Ready condition has the given status and reason.
func syntheticWebhook(status, reason, message string) map[string]any {
	return map[string]any{
		"apiVersion": hooksv1alpha1.GroupVersion.String(),
		"kind":       "Webhook",
		"metadata":   map[string]any{"name": "w", "namespace": "ns", "generation": float64(4)},
		"spec":       map[string]any{"provider": "Webex"},
		"status": map[string]any{
			"observedGeneration": float64(4),
			"conditions": []any{map[string]any{
				"type": hooksv1alpha1.ConditionReady, "status": status, "reason": reason, "message": message,
				"observedGeneration": float64(4),
			}},
		},
	}
}

// reasonConstants parses api/v1alpha1 for the constants named Reason*, by name and value.
func reasonConstants(t *testing.T) map[string]string {
	t.Helper()
	out, err := apiconsts.Strings(filepath.Join("..", "..", "api", "v1alpha1"), "Reason")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
