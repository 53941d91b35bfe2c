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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/accounts"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// refusal is why the command will not import from an account as asked: the account, its Secret
// or its rules. Like a usage error it ends the command with exit status 2 before any request to
// the SaaS; unlike one, the command line itself is not at fault.
type refusal struct{ msg string }

func (e *refusal) Error() string { return e.msg }

func refusef(format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...)}
}

// accountMode reports whether the command reads an account from the cluster.
func (o *options) accountMode() bool {
	return o.account != "" || o.clusterAccount != ""
}

// accountFlag is the account flag given, for messages.
func (o *options) accountFlag() string {
	if o.clusterAccount != "" {
		return "--cluster-account"
	}
	return "--account"
}

// notWithAccount says why a flag of the credentials path cannot go with an account flag.
var notWithAccount = map[string]string{
	"provider":           "the SaaS is the account's spec.provider",
	"credentials-file":   "the credentials come from the account's Secret",
	"credentials-secret": "the Webhooks name the account in spec.accountRef instead of a Secret",
}

// validateAccount checks the command line of --account and --cluster-account. The flags that
// depend on the account's provider are checked once the account is read (checkAccountScope).
func (o *options) validateAccount(set map[string]bool) error {
	if o.account != "" && o.clusterAccount != "" {
		return usagef("--account and --cluster-account are mutually exclusive: give one account")
	}
	flagName := o.accountFlag()
	for _, name := range []string{"provider", "credentials-file", "credentials-secret"} {
		if set[name] {
			return usagef("--%s cannot be used with %s: %s", name, flagName, notWithAccount[name])
		}
	}
	flags, _, _ := scopeFlags()
	for _, f := range flags {
		if f.Account && set[f.Name] {
			return usagef("--%s cannot be used with %s: it is an account-level field, which the Webhooks take from the account", f.Name, flagName)
		}
	}
	namespaceSet := set["namespace"] || set["n"]
	if o.account != "" {
		ns, name, ok := strings.Cut(o.account, "/")
		if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
			return usagef("--account %q is not NAMESPACE/NAME: the Account's namespace, a slash and its name", o.account)
		}
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return usagef("--account %q: %q is not a valid namespace: %s", o.account, ns, strings.Join(errs, "; "))
		}
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			return usagef("--account %q: %q is not a valid name: %s", o.account, name, strings.Join(errs, "; "))
		}
		if namespaceSet && o.namespace != ns {
			return usagef("--namespace %q differs from the namespace of --account %q: the Webhooks on an Account live in its namespace, leave --namespace out",
				o.namespace, o.account)
		}
		o.accountKey = types.NamespacedName{Namespace: ns, Name: name}
		o.namespace = ns
	} else {
		if errs := validation.IsDNS1123Subdomain(o.clusterAccount); len(errs) > 0 {
			return usagef("--cluster-account %q is not a valid name: %s", o.clusterAccount, strings.Join(errs, "; "))
		}
		if !namespaceSet {
			return usagef("--namespace is required with --cluster-account: the namespace of the Webhooks, which the ClusterAccount must permit")
		}
		o.accountKey = types.NamespacedName{Name: o.clusterAccount}
	}
	if err := o.validateOutput(); err != nil {
		return err
	}
	if err := o.validateNamespace(); err != nil {
		return err
	}
	if err := o.validateNamePrefix(); err != nil {
		return err
	}
	if err := o.validateEndpoints(); err != nil {
		return err
	}
	return o.validateTimeout()
}

// checkAccountScope checks the import flags given against the account's provider, and reads
// those that are not account-level (Webex's --owned-by) into the listing's spec.
func (o *options) checkAccountScope(set map[string]bool) error {
	_, takers, _ := scopeFlags()
	for _, name := range slices.Sorted(maps.Keys(takers)) {
		if set[name] && !slices.Contains(takers[name], o.typ) {
			return usagef("--%s does not apply to %s: its spec.provider is %s", name, o.view, o.typ)
		}
	}
	d, _ := catalog.ByType(o.typ)
	o.setScope = func(*hooksv1alpha1.WebhookSpec) {}
	listing := slices.ContainsFunc(d.ImportFlags, func(f providers.ImportFlag) bool { return !f.Account })
	if d.ImportScope == nil || !listing {
		return nil
	}
	values := map[string]string{}
	for _, f := range d.ImportFlags {
		if !f.Account {
			values[f.Name] = o.scope[f.Name]()
		}
	}
	setScope, err := d.ImportScope(values, o.allowInsecure)
	if err != nil {
		return usagef("%v", err)
	}
	o.setScope = setScope
	return nil
}

// clusterScheme knows the kinds the command reads.
func clusterScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := corev1.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := hooksv1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// newClusterReader connects to the cluster of --kubeconfig (else $KUBECONFIG, else
// ~/.kube/config, else the pod's service account) and --context (else the current context), with
// the command's User-Agent and --http-timeout on every request.
func (o *options) newClusterReader() (client.Reader, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: o.kubeContext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the kubeconfig: %w", err)
	}
	cfg.UserAgent = o.userAgent
	if cfg.UserAgent == "" {
		cfg.UserAgent = providers.DefaultUserAgent
	}
	cfg.Timeout = o.httpTimeout
	s, err := clusterScheme()
	if err != nil {
		return nil, err
	}
	// The command does not log: without a logger of its own, controller-runtime would complain on
	// stderr of one never set when a list takes long.
	c, err := client.New(cfg, client.Options{Scheme: s, Log: logr.Discard()})
	if err != nil {
		return nil, fmt.Errorf("connecting to the cluster: %w", err)
	}
	return c, nil
}

// readAccount reads the account, checks that --namespace may use it and that it allows the
// external-id annotation, and reads its credentials. It sets o.view and o.typ and returns the
// request that lists the account: its spec is a Webhook on the account resolved against it.
func (o *options) readAccount(ctx context.Context, c client.Reader, set map[string]bool) (*providers.Request, error) {
	if err := o.getAccount(ctx, c); err != nil {
		return nil, err
	}
	o.typ = o.view.Settings.Provider
	if _, ok := catalog.ByType(o.typ); !ok {
		return nil, refusef("%s is a %q account, which this version of hookkeeper does not know", o.view, o.typ)
	}
	if err := o.checkAccountScope(set); err != nil {
		return nil, err
	}
	if err := o.checkNamespacePermits(ctx, c); err != nil {
		return nil, err
	}
	if !o.view.AdoptionAllowed() {
		return nil, refusef("%s does not allow adoption (spec.allowAdoption is not true), so the operator would refuse the %s annotation of every imported Webhook: ask its owner to set spec.allowAdoption: true",
			o.view, hooksv1alpha1.AnnotationExternalID)
	}
	credentials, err := o.readAccountCredentials(ctx, c)
	if err != nil {
		return nil, err
	}
	spec, err := o.resolveAccountSpec()
	if err != nil {
		return nil, err
	}
	return &providers.Request{Spec: spec, Credentials: credentials}, nil
}

// getAccount reads the ClusterAccount of --cluster-account, else the Account of --account, and
// sets o.view. An account that is not in the cluster is refused.
func (o *options) getAccount(ctx context.Context, c client.Reader) error {
	if o.clusterAccount != "" {
		var ca hooksv1alpha1.ClusterAccount
		if err := c.Get(ctx, o.accountKey, &ca); err != nil {
			if apierrors.IsNotFound(err) {
				return refusef("ClusterAccount %q was not found in the cluster (of --kubeconfig and --context, else of the current context)", o.clusterAccount)
			}
			return fmt.Errorf("reading ClusterAccount %q: %w", o.clusterAccount, err)
		}
		o.view = accounts.FromClusterAccount(&ca)
		return nil
	}
	var a hooksv1alpha1.Account
	if err := c.Get(ctx, o.accountKey, &a); err != nil {
		if apierrors.IsNotFound(err) {
			return refusef("Account %q was not found in namespace %q (of the cluster of --kubeconfig and --context, else of the current context)",
				o.accountKey.Name, o.accountKey.Namespace)
		}
		return fmt.Errorf("reading Account %s: %w", o.accountKey, err)
	}
	o.view = accounts.FromAccount(&a)
	return nil
}

// checkNamespacePermits refuses a ClusterAccount whose conditions do not permit --namespace, read
// from the cluster for its labels. Only a ClusterAccount has conditions.
func (o *options) checkNamespacePermits(ctx context.Context, c client.Reader) error {
	if !o.view.IsCluster() {
		return nil
	}
	// A namespace that does not exist yet matches no selector, only a condition that names it,
	// as the operator sees it.
	var ns *corev1.Namespace
	var got corev1.Namespace
	switch err := c.Get(ctx, types.NamespacedName{Name: o.namespace}, &got); {
	case err == nil:
		ns = &got
	case !apierrors.IsNotFound(err):
		return fmt.Errorf("reading Namespace %q, whose labels say whether %s permits it: %w", o.namespace, o.view, err)
	}
	if !o.view.Permits(o.namespace, ns) {
		return refusef("%v", o.view.Permission(o.namespace, ns))
	}
	return nil
}

// readAccountCredentials reads the account's credentials Secret and checks that it holds the keys
// the provider needs. A Secret that is not there, or lacks a key, is refused.
func (o *options) readAccountCredentials(ctx context.Context, c client.Reader) (map[string][]byte, error) {
	var secret corev1.Secret
	key := types.NamespacedName{Namespace: o.view.SecretNamespace, Name: o.view.SecretName}
	if err := c.Get(ctx, key, &secret); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, refusef("the credentials Secret of %s (spec.credentialsRef) was not found", o.view)
		}
		return nil, fmt.Errorf("reading the credentials Secret of %s: %w", o.view, err)
	}
	if err := checkKeys(secret.Data, o.typ); err != nil {
		return nil, refusef("the credentials Secret of %s: %v", o.view, err)
	}
	return secret.Data, nil
}

// resolveAccountSpec returns the spec of a Webhook on the account, with the scope of the flags
// and an empty provider block, resolved against the account, and checks the endpoint the account
// names by the rules of the flag that names it without an account.
func (o *options) resolveAccountSpec() (*hooksv1alpha1.WebhookSpec, error) {
	spec := &hooksv1alpha1.WebhookSpec{Provider: o.typ, AccountRef: o.accountRef()}
	o.setScope(spec)
	d, _ := catalog.ByType(o.typ)
	// The provider block, which Resolve fills in with the account's fields.
	if err := editSpec(spec, func(m map[string]any) {
		if _, ok := m[d.SpecField]; !ok {
			m[d.SpecField] = map[string]any{}
		}
	}); err != nil {
		return nil, err
	}
	resolved, err := o.view.Resolve(spec)
	if err != nil {
		return nil, fmt.Errorf("resolving a Webhook on %s: %w", o.view, err)
	}
	// The account names the provider's endpoint (PageSeeder's server), as --server-url does
	// without an account: the same rules apply.
	if d.EndpointField != "" {
		m, err := specMap(resolved.Spec)
		if err != nil {
			return nil, err
		}
		if endpoint, _ := lookup(m, d.EndpointField).(string); endpoint != "" {
			if err := providers.CheckURLFlag(fmt.Sprintf("spec.%s of %s", d.EndpointField, o.view), endpoint, o.allowInsecure); err != nil {
				return nil, refusef("%v", err)
			}
		}
	}
	return resolved.Spec, nil
}

// accountRef is what the Webhooks name the account with.
func (o *options) accountRef() *hooksv1alpha1.AccountReference {
	return &hooksv1alpha1.AccountReference{Kind: o.view.Kind, Name: o.view.Name}
}

// specMap is spec as a generic object, numbers as written.
func specMap(spec *hooksv1alpha1.WebhookSpec) (map[string]any, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// editSpec changes spec through its generic object, so that the command names no provider's
// field: the descriptors and the account's type say which.
func editSpec(spec *hooksv1alpha1.WebhookSpec, edit func(map[string]any)) error {
	m, err := specMap(spec)
	if err != nil {
		return err
	}
	edit(m)
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var out hooksv1alpha1.WebhookSpec
	if err := json.Unmarshal(raw, &out); err != nil {
		return err
	}
	*spec = out
	return nil
}

// lookup returns the value at a dotted path of m, or nil.
func lookup(m map[string]any, path string) any {
	var v any = m
	for _, part := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[part]
	}
	return v
}

// remove deletes the value at a dotted path of m, and reports whether there was one.
func remove(m map[string]any, path string) bool {
	parent, last := m, path
	if i := strings.LastIndex(path, "."); i >= 0 {
		obj, ok := lookup(m, path[:i]).(map[string]any)
		if !ok {
			return false
		}
		parent, last = obj, path[i+1:]
	}
	if _, ok := parent[last]; !ok {
		return false
	}
	delete(parent, last)
	return true
}

// accountFields are the paths below spec of the account-level fields of the provider whose block
// is specField: the fields of the block of that name in an account's spec.
func accountFields(specField string) []string {
	t := reflect.TypeFor[hooksv1alpha1.AccountSettings]()
	for i := range t.NumField() {
		f := t.Field(i)
		if jsonName(f) != specField {
			continue
		}
		block := f.Type
		if block.Kind() == reflect.Pointer {
			block = block.Elem()
		}
		var paths []string
		for j := range block.NumField() {
			if name := jsonName(block.Field(j)); name != "" {
				paths = append(paths, specField+"."+name)
			}
		}
		return paths
	}
	return nil
}

// jsonName is the JSON name of a struct field, "" when it has none of its own.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// under reports whether a secret reference's path is at or below one of paths.
func under(path string, paths []string) bool {
	return slices.ContainsFunc(paths, func(p string) bool { return path == p || strings.HasPrefix(path, p+".") })
}

// existing are the Webhooks already in the cluster that matter to the import: which remote
// webhooks they manage, and which names are taken in the namespace.
type existing struct {
	hooks []hooksv1alpha1.Webhook
	// everywhere is false when only the namespace's Webhooks could be listed.
	everywhere bool
}

// listExisting lists the Webhooks of every namespace, or, when that is forbidden, of the
// namespace of the output.
func (o *options) listExisting(ctx context.Context, c client.Reader) (*existing, error) {
	var all hooksv1alpha1.WebhookList
	err := c.List(ctx, &all)
	if err == nil {
		return &existing{hooks: all.Items, everywhere: true}, nil
	}
	if !apierrors.IsForbidden(err) {
		return nil, fmt.Errorf("listing the Webhooks of the cluster: %w", err)
	}
	var mine hooksv1alpha1.WebhookList
	if err := c.List(ctx, &mine, client.InNamespace(o.namespace)); err != nil {
		return nil, fmt.Errorf("listing the Webhooks of namespace %q: %w", o.namespace, err)
	}
	return &existing{hooks: mine.Items}, nil
}

// namesAccount reports whether wh names the command's account.
func (o *options) namesAccount(wh *hooksv1alpha1.Webhook) bool {
	ref := wh.Spec.AccountRef
	if ref == nil || ref.Name != o.view.Name {
		return false
	}
	if o.view.IsCluster() {
		return ref.IsCluster()
	}
	return !ref.IsCluster() && wh.Namespace == o.view.Namespace
}

// accountOf is the SaaS account wh's spec names, as status.remoteAccount spells it; "" when it
// cannot be told without the cluster's other accounts.
func (o *options) accountOf(p importable, ident string, wh *hooksv1alpha1.Webhook) string {
	switch {
	case wh.Spec.Provider != o.typ:
		return ""
	case o.namesAccount(wh):
		return ident
	case wh.Spec.CredentialsRef != nil:
		return string(o.typ) + "|" + p.Account(&providers.Request{Spec: &wh.Spec})
	}
	return ""
}

// manager returns the Webhook that already manages remote, on the account the listing
// covers (ident): one whose status records it, or one whose external-id annotation names it.
func (o *options) manager(p importable, ident string, ex *existing, remote *providers.Remote) *hooksv1alpha1.Webhook {
	for i := range ex.hooks {
		wh := &ex.hooks[i]
		recorded := wh.Status.ID == remote.ID && (wh.Status.RemoteAccount == ident ||
			wh.Status.RemoteAccount == "" && o.accountOf(p, ident, wh) == ident)
		annotated := wh.Annotations[hooksv1alpha1.AnnotationExternalID] == remote.ID && o.accountOf(p, ident, wh) == ident
		if recorded || annotated {
			return wh
		}
	}
	return nil
}

// managedNote says which Webhook manages a remote webhook, naming it only in the namespace of the
// output.
func (o *options) managedNote(wh *hooksv1alpha1.Webhook) string {
	if wh.Namespace == o.namespace {
		return fmt.Sprintf("Webhook %s/%s already manages it", wh.Namespace, wh.Name)
	}
	return "a Webhook in another namespace already manages it"
}

// maxLeftOut bounds how many of a Webhook's own fields the account may rule out, one Resolve each.
const maxLeftOut = 8

// accountDocument turns the spec SpecOf wrote for remote (listed with req) into a Webhook on the
// account: the account-level fields left out, spec.accountRef instead of credentialsRef, and
// notes for what applying it would change. ok is false, with the reason, when remote does not fit
// the account.
func (o *options) accountDocument(p importable, req *providers.Request, name string, remote *providers.Remote, spec hooksv1alpha1.WebhookSpec, secrets []string) (document, string, bool) {
	// The account-level fields SpecOf wrote say which SaaS account the webhook lives on.
	if here, there := p.Account(req), p.Account(&providers.Request{Spec: &spec}); here != there {
		return document{}, fmt.Sprintf("it lives on %s, not on the account's %s", there, here), false
	}
	spec.CredentialsRef = nil
	spec.AccountRef = o.accountRef()
	d, _ := catalog.ByType(o.typ)
	leftOut := accountFields(d.SpecField)
	if err := editSpec(&spec, func(m map[string]any) {
		for _, path := range leftOut {
			remove(m, path)
		}
	}); err != nil {
		return document{}, err.Error(), false
	}
	// The Webhook's own fields that the account rules out (8x8's authorizationSecretRef under an
	// account's oauth) are left out too, with a note; any other refusal skips the webhook.
	var notes []string
	resolved, err := o.view.Resolve(&spec)
	for i := 0; err != nil && i < maxLeftOut; i++ {
		var perr *providers.Error
		removed := false
		if errors.As(err, &perr) && perr.Field != "" && !slices.Contains(leftOut, perr.Field) {
			if editErr := editSpec(&spec, func(m map[string]any) { removed = remove(m, perr.Field) }); editErr != nil {
				return document{}, editErr.Error(), false
			}
		}
		if !removed {
			break
		}
		leftOut = append(leftOut, perr.Field)
		notes = append(notes, fmt.Sprintf("spec.%s is left out: %s", perr.Field, strings.TrimPrefix(perr.Message, "spec."+perr.Field+": ")))
		resolved, err = o.view.Resolve(&spec)
	}
	if err != nil {
		return document{}, err.Error(), false
	}
	secrets = slices.DeleteFunc(slices.Clone(secrets), func(path string) bool { return under(path, leftOut) })
	doc := newDocument(o, name, remote, spec, secrets)
	doc.notes = append(doc.notes, notes...)
	resolvedReq := &providers.Request{Owner: o.namespace + "/" + name, Spec: resolved.Spec}
	if err := p.Validate(resolvedReq); err != nil {
		doc.warn("the spec does not pass the operator's validation, fix it before applying: %v", err)
	}
	if err := o.view.TargetPermission(spec.TargetURL); err != nil {
		doc.warn("the operator refuses this Webhook (%s) until its account permits its target: %v", hooksv1alpha1.ReasonTargetNotPermitted, err)
	}
	if diff := p.Diff(resolvedReq, remote); diff.Action != providers.ActionNone && !remote.Pending {
		what := "updates"
		if diff.Action == providers.ActionReplace {
			what = "deletes and creates again"
		}
		doc.warn("with the settings of %s, applying this Webhook %s the remote webhook: %s.", o.view, what, strings.Join(diff.Fields, ", "))
	}
	return doc, "", true
}

// limitNote warns when the Webhooks printed take the namespace past the account's
// webhooksPerNamespace.
func (o *options) limitNote(ex *existing, printed int) string {
	l := o.view.Settings.Limits
	if l == nil || l.WebhooksPerNamespace == nil || printed == 0 {
		return ""
	}
	already := 0
	for i := range ex.hooks {
		wh := &ex.hooks[i]
		if wh.Namespace == o.namespace && wh.DeletionTimestamp.IsZero() && o.namesAccount(wh) {
			already++
		}
	}
	limit := int(*l.WebhooksPerNamespace)
	if already+printed <= limit {
		return ""
	}
	return fmt.Sprintf("%s allows %d Webhooks per namespace (spec.limits.webhooksPerNamespace); namespace %q has %d on it and %d are printed: the newest beyond the limit get no remote webhook (%s)",
		o.view, limit, o.namespace, already, printed, hooksv1alpha1.ReasonAccountLimitReached)
}
