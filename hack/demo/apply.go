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

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/localenv"
)

// appliedSamples is what applySamples put on the server.
type appliedSamples struct {
	// webhooks are the keys of the Webhooks among them.
	webhooks []client.ObjectKey
}

// sampleRewrites are the only changes the demo makes to the samples before applying them: what
// it takes to point them at the simulators when no operator flag can. Everything else is applied
// as the files say.
type sampleRewrites struct {
	// endpoints maps a provider whose Webhooks name its server (its descriptor's EndpointField,
	// such as spec.pageSeeder.serverUrl) to its simulator's URL. Such a provider has no operator
	// flag for its URL, and the samples name a real-looking server that the demo cannot reach.
	endpoints map[hooksv1alpha1.ProviderType]string
}

// newSampleRewrites points the endpoint field of every provider that has one at its simulator.
func newSampleRewrites(sims *localenv.Simulators) sampleRewrites {
	return sampleRewrites{endpoints: sims.EndpointURLs()}
}

// rewrite applies the rewrites to obj in place and returns one line per change, for the user.
// It touches the endpoint field of Webhooks that set it, and nothing else.
func (rw sampleRewrites) rewrite(obj *unstructured.Unstructured) ([]string, error) {
	return localenv.PointAtSimulators(obj, rw.endpoints)
}

func isWebhook(obj *unstructured.Unstructured) bool {
	gvk := obj.GroupVersionKind()
	return gvk.Group == hooksv1alpha1.GroupVersion.Group && gvk.Kind == "Webhook"
}

// applySamples server-side applies every object of every YAML file in dir and in its
// subdirectories (multi-document files included, kustomization.yaml skipped), after the rewrites
// (each printed). A namespaced object that names no namespace goes into namespace; one that names
// its own (config/samples/accounts) keeps it. The top directory's files come first, then each
// subdirectory's, each in name order. It needs no kubectl.
func applySamples(ctx context.Context, c client.Client, dir, namespace string, rw sampleRewrites, out io.Writer) (appliedSamples, error) {
	var res appliedSamples
	files, err := sampleFiles(dir)
	if err != nil {
		return res, err
	}
	if len(files) == 0 {
		return res, fmt.Errorf("%s holds no YAML file", dir)
	}
	for _, file := range files {
		objs, err := readObjects(file)
		if err != nil {
			return res, err
		}
		for _, obj := range objs {
			namespaced, err := c.IsObjectNamespaced(obj)
			if err != nil {
				return res, fmt.Errorf("%s: %s %s: %w", filepath.Base(file), obj.GetKind(), obj.GetName(), err)
			}
			if namespaced && obj.GetNamespace() == "" {
				obj.SetNamespace(namespace)
			}
			changes, err := rw.rewrite(obj)
			if err != nil {
				return res, fmt.Errorf("%s: rewriting %s %s: %w", filepath.Base(file), obj.GetKind(), obj.GetName(), err)
			}
			for _, change := range changes {
				fmt.Fprintf(out, "      %s: %s\n", describeObject(obj), change)
			}
			if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
				return res, fmt.Errorf("%s: applying %s %s: %w", filepath.Base(file), obj.GetKind(), obj.GetName(), err)
			}
			fmt.Fprintf(out, "      %s applied (%s)\n", describeObject(obj), relTo(dir, file))
			if isWebhook(obj) {
				res.webhooks = append(res.webhooks, client.ObjectKeyFromObject(obj))
			}
		}
	}
	return res, nil
}

// sampleFiles lists the YAML files of dir, then those of each of its subdirectories (one level),
// kustomization files left out.
func sampleFiles(dir string) ([]string, error) {
	files, subdirs, err := yamlFiles(dir)
	if err != nil {
		return nil, err
	}
	for _, sub := range subdirs {
		own, _, err := yamlFiles(sub)
		if err != nil {
			return nil, err
		}
		files = append(files, own...)
	}
	return files, nil
}

// yamlFiles lists the YAML files of dir but its kustomization, and its subdirectories, each sorted.
func yamlFiles(dir string) (files, subdirs []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the samples: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
			subdirs = append(subdirs, filepath.Join(dir, name))
		case name == "kustomization.yaml" || name == "kustomization.yml":
		case strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml"):
			files = append(files, filepath.Join(dir, name))
		}
	}
	sort.Strings(files)
	sort.Strings(subdirs)
	return files, subdirs, nil
}

// describeObject names an object for the user: kind/name, after its namespace when it is not the
// demo's (the accounts sample spreads over several namespaces).
func describeObject(obj *unstructured.Unstructured) string {
	what := strings.ToLower(obj.GetKind()) + "/" + obj.GetName()
	if ns := obj.GetNamespace(); ns != "" && ns != demoNamespace {
		what += " -n " + ns
	}
	return what
}

// readObjects decodes every non-empty document of a YAML file.
func readObjects(file string) ([]*unstructured.Unstructured, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var objs []*unstructured.Unstructured
	for i := 1; ; i++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i, err)
		}
		data, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i, err)
		}
		if s := strings.TrimSpace(string(data)); s == "null" || s == "" || s == "{}" {
			continue // only comments, or empty
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(data); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i, err)
		}
		if obj.GetName() == "" {
			return nil, fmt.Errorf("%s: document %d: %s has no metadata.name", file, i, obj.GetKind())
		}
		objs = append(objs, obj)
	}
}

// applySamples applies config/samples/ into the demo's namespace, after the rewrites that point
// them at the simulators, and returns the keys of the Webhooks among them.
func (d *demoRun) applySamples(ctx context.Context) ([]client.ObjectKey, error) {
	samplesDir := filepath.Join(d.o.root, "config", "samples")
	d.say("[5/5] Applying %s (into namespace %s where an object names none)", relTo(d.o.root, samplesDir)+string(filepath.Separator), demoNamespace)
	for _, ns := range []string{demoNamespace, accountSecretNamespace} {
		if err := localenv.EnsureNamespace(ctx, d.c, ns); err != nil {
			return nil, err
		}
	}
	rewrites := newSampleRewrites(d.sims)
	applied, err := applySamples(ctx, d.c, samplesDir, demoNamespace, rewrites, d.o.out)
	if err != nil {
		return nil, err
	}
	if len(applied.webhooks) == 0 {
		return nil, fmt.Errorf("%s holds no Webhook", samplesDir)
	}
	return applied.webhooks, nil
}
