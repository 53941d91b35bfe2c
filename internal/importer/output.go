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

package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// commentWidth is where the notes above a Webhook wrap.
const commentWidth = 100

// fallbackName is the name of a Webhook whose remote webhook offers nothing to name it after.
const fallbackName = "webhook"

// document is one Webhook of the output and the notes that go with it, as YAML comments above
// it and as messages on stderr.
type document struct {
	hook  hooksv1alpha1.Webhook
	notes []string
}

func (d *document) warn(format string, args ...any) {
	d.notes = append(d.notes, fmt.Sprintf(format, args...))
}

// newDocument builds the Webhook that adopts remote. Secret references that SpecOf could place
// but not name are named after the Webhook, and every secret that was not copied gets a note.
func newDocument(o *options, name string, remote *providers.Remote, spec hooksv1alpha1.WebhookSpec, secrets []string) document {
	d := document{hook: hooksv1alpha1.Webhook{
		TypeMeta: metav1.TypeMeta{APIVersion: hooksv1alpha1.GroupVersion.String(), Kind: "Webhook"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   o.namespace,
			Annotations: map[string]string{hooksv1alpha1.AnnotationExternalID: remote.ID},
		},
		Spec: spec,
	}}
	desc, _ := catalog.ByType(o.typ)
	saas := desc.ShortName
	refs := unnamedRefs(&d.hook.Spec)
	for _, path := range secrets {
		if ref, ok := refs[path]; ok {
			ref.Name = name
			d.warn("spec.%s: %s shows this secret only masked, so its value was not imported. Create Secret %s/%s with the key %q holding it before applying; until then the Webhook is not Ready.",
				path, saas, o.namespace, name, ref.Key)
			continue
		}
		why := "the webhook has a secret that " + saas + " does not show"
		if desc.HiddenSecretNote != "" {
			why = desc.HiddenSecretNote
		}
		d.warn("spec.%s is left out: %s. Without it the operator leaves the remote secret as it is; add it to manage the secret from a Secret.",
			path, why)
	}
	// A reference that SpecOf placed without listing it still needs a name to be valid.
	for _, path := range slices.Sorted(maps.Keys(refs)) {
		if ref := refs[path]; ref.Name == "" {
			ref.Name = name
			d.warn("spec.%s: create Secret %s/%s with the key %q before applying.", path, o.namespace, name, ref.Key)
		}
	}
	switch {
	case remote.Pending:
		d.warn("%s reports the webhook pending: it delivers nothing until it is verified, which the operator asks for once this Webhook is applied.", saas)
	case !remote.Active && spec.IsEnabled():
		d.warn("%s reports the webhook %s: the operator re-activates it once this Webhook is applied.", saas, stateOf(remote))
	case !remote.Active:
		d.warn("%s reports the webhook %s, hence enabled: false; set it to true to have the operator re-activate it.", saas, stateOf(remote))
	}
	return d
}

func stateOf(r *providers.Remote) string {
	if r.State == "" {
		return "inactive"
	}
	return strconv.Quote(r.State)
}

// unnamedRefs returns the secret references of spec that have no Secret name yet, by path.
func unnamedRefs(spec *hooksv1alpha1.WebhookSpec) map[string]*hooksv1alpha1.SecretKeySelector {
	refs := map[string]*hooksv1alpha1.SecretKeySelector{}
	for path, ref := range spec.SecretRefFields() {
		if ref != nil && ref.Name == "" {
			refs[path] = ref
		}
	}
	return refs
}

// nameHint is what a Webhook is named after: what the provider offers (the remote name where the
// SaaS has one, else what the webhook listens to), else its target.
func nameHint(p importable, spec *hooksv1alpha1.WebhookSpec) string {
	if hint := p.NameHint(spec); hint != "" {
		return hint
	}
	if u, err := url.Parse(spec.TargetURL); err == nil && u.Host != "" {
		return u.Hostname() + u.Path
	}
	return ""
}

// namer hands out unique metadata.names.
type namer struct {
	prefix string
	used   map[string]bool
}

func newNamer(prefix string) *namer {
	return &namer{prefix: prefix, used: map[string]bool{}}
}

// next turns hint into a DNS-1123 subdomain, at most 253 characters with the prefix, and adds
// -2, -3... to a name already given.
func (n *namer) next(hint string) string {
	base := sanitize(hint)
	if base == "" {
		base = fallbackName
	}
	for i := 1; ; i++ {
		suffix := ""
		if i > 1 {
			suffix = "-" + strconv.Itoa(i)
		}
		room := validation.DNS1123SubdomainMaxLength - len(n.prefix) - len(suffix)
		b := base
		if len(b) > room {
			b = strings.TrimRight(b[:room], "-")
		}
		name := n.prefix + b + suffix
		if !n.used[name] {
			n.used[name] = true
			return name
		}
	}
}

// sanitize lower-cases s and turns every run of other characters than letters and digits into
// one '-', without one at either end.
func sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// writeDocuments writes the Webhooks as a YAML stream, each preceded by "---" and its notes as
// comments.
func writeDocuments(w io.Writer, docs []document) error {
	for _, d := range docs {
		data, err := cleanYAML(&d.hook)
		if err != nil {
			return fmt.Errorf("%s: %w", d.hook.Name, err)
		}
		var b strings.Builder
		b.WriteString("---\n")
		for _, n := range d.notes {
			writeComment(&b, "NOTE: "+n)
		}
		b.Write(data)
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// writeComment writes text as YAML comment lines of at most commentWidth characters, where the
// words allow it.
func writeComment(b *strings.Builder, text string) {
	line := "#"
	for _, word := range strings.Fields(text) {
		if len(line) > 1 && len(line)+1+len(word) > commentWidth {
			b.WriteString(line + "\n")
			line = "#  "
		}
		line += " " + word
	}
	b.WriteString(line + "\n")
}

// writeList writes the Webhooks as one JSON v1 List, as kubectl get -o json prints several
// objects (kubectl apply -f takes it too); an empty List when there are none. JSON has no
// comments: the notes are on stderr only.
func writeList(w io.Writer, docs []document) error {
	items := make([]any, 0, len(docs))
	for _, d := range docs {
		obj, err := cleanObject(&d.hook)
		if err != nil {
			return fmt.Errorf("%s: %w", d.hook.Name, err)
		}
		items = append(items, obj)
	}
	data, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// cleanYAML renders a Webhook without what only the API server fills in: an empty status and
// metadata.creationTimestamp.
func cleanYAML(hook *hooksv1alpha1.Webhook) ([]byte, error) {
	obj, err := cleanObject(hook)
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(obj)
}

// cleanObject is a Webhook as a generic object, without an empty status and
// metadata.creationTimestamp.
func cleanObject(hook *hooksv1alpha1.Webhook) (map[string]any, error) {
	raw, err := json.Marshal(hook)
	if err != nil {
		return nil, err
	}
	// Numbers stay as written: an int64 must not go through a float64.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	delete(obj, "status")
	if meta, ok := obj["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	return obj, nil
}
