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
	"math"
	"os"
	"os/exec"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// managerContainer renders the chart with args and returns the operator's container and pod.
func managerContainer(t *testing.T, args ...string) (corev1.Container, corev1.PodTemplateSpec) {
	t.Helper()
	var d appsv1.Deployment
	convert(t, findOne(t, mustHelmTemplate(t, kustomizeNamespace, args...), "Deployment", deploymentName), &d)
	return d.Spec.Template.Spec.Containers[0], d.Spec.Template
}

// envNamed returns the container's variables called name.
func envNamed(c corev1.Container, name string) []corev1.EnvVar {
	var out []corev1.EnvVar
	for _, e := range c.Env {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// goRuntimeAccepts runs the operator with GOMEMLIMIT=value and -h: the Go runtime reads
// GOMEMLIMIT before main and throws on a value it cannot parse.
func goRuntimeAccepts(t *testing.T, value string) (bool, string) {
	t.Helper()
	cmd := exec.Command(buildOperator(t), "-h")
	cmd.Env = append(os.Environ(), "GOMEMLIMIT="+value)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return err == nil && !bytes.Contains(out.Bytes(), []byte("GOMEMLIMIT")), out.String()
}

// TestChartGoMemLimit: by default the container's GOMEMLIMIT is its memory limit in bytes,
// through the downward API, a value the Go runtime accepts; goMemLimit.value fixes it, an
// extraEnv GOMEMLIMIT replaces it, goMemLimit.enabled=false drops it.
func TestChartGoMemLimit(t *testing.T) {
	c, _ := managerContainer(t)
	env := envNamed(c, "GOMEMLIMIT")
	if len(env) != 1 || env[0].ValueFrom == nil || env[0].ValueFrom.ResourceFieldRef == nil {
		t.Fatalf("GOMEMLIMIT is %+v, want one variable from a resourceFieldRef", env)
	}
	ref := env[0].ValueFrom.ResourceFieldRef
	if ref.Resource != "limits.memory" || ref.ContainerName != c.Name {
		t.Errorf("GOMEMLIMIT comes from %s of container %q, want limits.memory of %q", ref.Resource, ref.ContainerName, c.Name)
	}
	limit, ok := c.Resources.Limits[corev1.ResourceMemory]
	if !ok {
		t.Fatal("the container has no memory limit for GOMEMLIMIT to follow")
	}
	// What the kubelet puts into the variable: the limit divided by the divisor, rounded up.
	divisor := ref.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	value := resource.NewQuantity(int64(math.Ceil(float64(limit.Value())/float64(divisor.Value()))), resource.DecimalSI).String()
	if value != "268435456" {
		t.Errorf("with the default limit %s, GOMEMLIMIT would be %s, want 268435456 (bytes)", limit.String(), value)
	}
	if ok, out := goRuntimeAccepts(t, value); !ok {
		t.Errorf("the Go runtime refuses GOMEMLIMIT=%s:\n%s", value, out)
	}
	// The check can fail: a Kubernetes quantity is not a GOMEMLIMIT.
	if ok, _ := goRuntimeAccepts(t, "256Mi"); ok {
		t.Error("the Go runtime accepted GOMEMLIMIT=256Mi: the check above proves nothing")
	}

	t.Run("fixed value", func(t *testing.T) {
		c, _ := managerContainer(t, "-f", everythingValues)
		env := envNamed(c, "GOMEMLIMIT")
		if len(env) != 1 || env[0].Value != "460MiB" || env[0].ValueFrom != nil {
			t.Fatalf("GOMEMLIMIT is %+v, want 460MiB (ci/everything-values.yaml)", env)
		}
		if ok, out := goRuntimeAccepts(t, env[0].Value); !ok {
			t.Errorf("the Go runtime refuses GOMEMLIMIT=%s:\n%s", env[0].Value, out)
		}
	})
	t.Run("extraEnv wins", func(t *testing.T) {
		c, _ := managerContainer(t, "--set", "extraEnv[0].name=GOMEMLIMIT", "--set", "extraEnv[0].value=100MiB")
		if env := envNamed(c, "GOMEMLIMIT"); len(env) != 1 || env[0].Value != "100MiB" {
			t.Fatalf("GOMEMLIMIT is %+v, want extraEnv's 100MiB alone", env)
		}
	})
	t.Run("off", func(t *testing.T) {
		c, _ := managerContainer(t, "--set", "goMemLimit.enabled=false")
		if env := envNamed(c, "GOMEMLIMIT"); len(env) != 0 {
			t.Fatalf("GOMEMLIMIT is %+v with goMemLimit.enabled=false", env)
		}
		if len(c.Env) != 0 {
			t.Errorf("env is %+v, want none", c.Env)
		}
	})
	t.Run("refused value", func(t *testing.T) {
		_, err := helmTemplate(t, kustomizeNamespace, "--set", "goMemLimit.value=256Mi")
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte("at '/goMemLimit/value': '256Mi' does not match pattern")) {
			t.Fatalf("goMemLimit.value=256Mi: %v", err)
		}
	})
}

// TestChartPodExtras: podAnnotations, podLabels, extraEnv, extraVolumes and extraVolumeMounts
// of ci/everything-values.yaml reach the pod, without displacing the chart's own labels.
func TestChartPodExtras(t *testing.T) {
	data, err := os.ReadFile(everythingValues)
	if err != nil {
		t.Fatal(err)
	}
	var values struct {
		PodAnnotations    map[string]string    `json:"podAnnotations"`
		PodLabels         map[string]string    `json:"podLabels"`
		ExtraEnv          []corev1.EnvVar      `json:"extraEnv"`
		ExtraVolumes      []corev1.Volume      `json:"extraVolumes"`
		ExtraVolumeMounts []corev1.VolumeMount `json:"extraVolumeMounts"`
	}
	if err := yaml.Unmarshal(data, &values); err != nil {
		t.Fatal(err)
	}
	if len(values.PodAnnotations) == 0 || len(values.PodLabels) == 0 || len(values.ExtraEnv) == 0 || len(values.ExtraVolumes) == 0 || len(values.ExtraVolumeMounts) == 0 {
		t.Fatal("ci/everything-values.yaml should set podAnnotations, podLabels, extraEnv, extraVolumes and extraVolumeMounts")
	}
	c, pod := managerContainer(t, "-f", everythingValues)
	for k, v := range values.PodAnnotations {
		if pod.Annotations[k] != v {
			t.Errorf("pod annotation %s=%q, want %q", k, pod.Annotations[k], v)
		}
	}
	for k, v := range values.PodLabels {
		if pod.Labels[k] != v {
			t.Errorf("pod label %s=%q, want %q", k, pod.Labels[k], v)
		}
	}
	for _, k := range []string{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component"} {
		if pod.Labels[k] == "" {
			t.Errorf("the pod lost the chart's label %s", k)
		}
	}
	for _, want := range values.ExtraEnv {
		if got := envNamed(c, want.Name); len(got) != 1 || !equality.Semantic.DeepEqual(got[0], want) {
			t.Errorf("env %s is %+v, want %+v", want.Name, got, want)
		}
	}
	if !equality.Semantic.DeepEqual(pod.Spec.Volumes, values.ExtraVolumes) {
		t.Errorf("volumes %+v, want %+v", pod.Spec.Volumes, values.ExtraVolumes)
	}
	if !equality.Semantic.DeepEqual(c.VolumeMounts, values.ExtraVolumeMounts) {
		t.Errorf("volume mounts %+v, want %+v", c.VolumeMounts, values.ExtraVolumeMounts)
	}
	// The default values add neither volumes nor mounts.
	c, pod = managerContainer(t)
	if len(pod.Spec.Volumes) != 0 || len(c.VolumeMounts) != 0 {
		t.Errorf("the default values render volumes %+v and mounts %+v", pod.Spec.Volumes, c.VolumeMounts)
	}
}
