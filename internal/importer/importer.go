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

// Package importer implements `hookkeeper import`: it lists the webhooks that already exist in
// one SaaS account and prints a Webhook resource for each, annotated with its remote id, so that
// the operator adopts them instead of creating duplicates once the YAML is applied. The account is
// given by a credentials file, or is an Account or ClusterAccount read from the cluster, which the
// Webhooks then name in spec.accountRef.
package importer

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/accounts"
	"github.com/hookkeeper/hookkeeper/internal/egress"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// Command is the name of the subcommand, as os.Args[1] carries it.
const Command = "import"

// Exit statuses of Run.
const (
	// ExitOK: the Webhooks were written (possibly none, when the account has no webhook).
	ExitOK = 0
	// ExitFailure: the cluster could not be read or the SaaS listed, or the output could not be
	// written.
	ExitFailure = 1
	// ExitUsage: the command line or the credentials file is wrong, or the account cannot be used
	// as asked (not found, its Secret lacking a key, its rules refusing the namespace); nothing
	// was sent to the SaaS.
	ExitUsage = 2
)

// maxNamePrefix leaves room, within the 253 characters of a name, for a readable rest.
const maxNamePrefix = 200

// providerNames maps every spelling --provider accepts, lower-cased, to the provider type.
var providerNames = func() map[string]hooksv1alpha1.ProviderType {
	names := map[string]hooksv1alpha1.ProviderType{}
	for _, d := range catalog.All() {
		names[d.Name] = d.Type
		names[strings.ToLower(string(d.Type))] = d.Type
	}
	return names
}()

// shortNames maps a provider type back to the lower-case name the flags and defaults use.
var shortNames = func() map[hooksv1alpha1.ProviderType]string {
	names := map[hooksv1alpha1.ProviderType]string{}
	for _, d := range catalog.All() {
		names[d.Type] = d.Name
	}
	return names
}()

// importable is what the command needs of a provider: providers.Implementation, the type of
// every descriptor's New, so a provider without it does not compile.
type importable = providers.Implementation

// options hold the command line.
type options struct {
	provider          string
	credentialsFile   string
	namespace         string
	credentialsSecret string
	namePrefix        string
	output            string

	// scope are the values of the providers' import flags (such as --account-id), by name, as
	// ImportScope gets them (see scopeValue); setScope is what the chosen provider's ImportScope
	// made of them.
	scope    map[string]scopeValue
	setScope func(*hooksv1alpha1.WebhookSpec)

	// apiURLs are the providers' --<name>-api-url values, by descriptor name.
	apiURLs       map[string]*string
	allowInsecure bool
	httpTimeout   time.Duration
	// userAgent is the User-Agent of every request to the SaaS (Run's argument).
	userAgent string

	// account (NAMESPACE/NAME) and clusterAccount name the account to read from the cluster of
	// kubeconfig and kubeContext, instead of --provider and --credentials-file.
	account, clusterAccount string
	kubeconfig, kubeContext string
	// accountKey is the account's key, once the flags are checked; view the account, once read.
	accountKey types.NamespacedName
	view       *accounts.View

	// typ is --provider resolved, or the account's provider.
	typ hooksv1alpha1.ProviderType
}

// Output formats of --output.
const (
	outputYAML = "yaml"
	outputJSON = "json"
)

var outputFormats = []string{outputYAML, outputJSON}

// scopeFlags are the providers' import flags, in the order of the catalog: which providers take
// each, and its help, each provider's part after its name ("eightbyeight: APAC (the default),
// ...; autodesk: US ...").
func scopeFlags() (flags []providers.ImportFlag, takers map[string][]hooksv1alpha1.ProviderType, usage map[string]string) {
	takers, usage = map[string][]hooksv1alpha1.ProviderType{}, map[string]string{}
	parts := map[string][]string{}
	for _, d := range catalog.All() {
		for _, f := range d.ImportFlags {
			if _, seen := takers[f.Name]; !seen {
				flags = append(flags, f)
			}
			takers[f.Name] = append(takers[f.Name], d.Type)
			parts[f.Name] = append(parts[f.Name], d.Name+": "+strings.TrimSuffix(f.Usage, "."))
		}
	}
	for name, p := range parts {
		usage[name] = strings.Join(p, "; ") + "."
	}
	return flags, takers, usage
}

// scopeValue is the value of one import flag, as ImportScope wants it.
type scopeValue func() string

// bindScope registers f with fs: a whole number (Int) as flag.Int64, in decimal for ImportScope,
// and "" when the flag is not given.
func bindScope(fs *flag.FlagSet, f providers.ImportFlag, usage string) scopeValue {
	if !f.Int {
		v := fs.String(f.Name, "", usage)
		return func() string { return *v }
	}
	v := fs.Int64(f.Name, 0, usage)
	return func() string {
		given := false
		fs.Visit(func(g *flag.Flag) { given = given || g.Name == f.Name })
		if !given {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
}

func (o *options) bind(fs *flag.FlagSet) {
	var names, types []string
	for _, d := range catalog.All() {
		names, types = append(names, d.Name), append(types, string(d.Type))
	}
	fs.StringVar(&o.provider, "provider", "", "The SaaS to list: "+orList(names)+" (or "+strings.Join(types, ", ")+"). Required, unless --account or --cluster-account is given.")
	fs.StringVar(&o.credentialsFile, "credentials-file", "", "File of KEY=VALUE lines with the keys of the provider's credentials Secret: "+
		credentialKeysHelp()+". Blank lines and # comments are ignored; values may be quoted. Required, unless --account or --cluster-account is given.")
	fs.StringVar(&o.account, "account", "", "NAMESPACE/NAME of an Account to list, read from the cluster with its credentials Secret, instead of --provider and --credentials-file: "+
		"the Webhooks name it in spec.accountRef, leave its account-level fields to it, and live in its namespace.")
	fs.StringVar(&o.clusterAccount, "cluster-account", "", "Name of a ClusterAccount to list, read from the cluster with its credentials Secret, instead of --provider and --credentials-file: "+
		"the Webhooks name it in spec.accountRef and leave its account-level fields to it. Needs --namespace, which the ClusterAccount's spec.conditions must permit, and its spec.allowAdoption: true.")
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "With --account or --cluster-account: the kubeconfig of the cluster; $KUBECONFIG, else ~/.kube/config, when empty.")
	fs.StringVar(&o.kubeContext, "context", "", "With --account or --cluster-account: the kubeconfig context; the current context when empty.")
	fs.StringVar(&o.namespace, "namespace", "default", "metadata.namespace of the Webhooks, and of the Secrets the notes ask for. Required with --cluster-account; the Account's namespace with --account.")
	fs.StringVar(&o.namespace, "n", "default", "Short for --namespace.")
	fs.StringVar(&o.output, "output", outputYAML, "Output format: yaml (a stream of Webhooks, each preceded by its notes as comments) or json (a v1 List of the Webhooks; the notes go to stderr only).")
	fs.StringVar(&o.output, "o", outputYAML, "Short for --output.")
	fs.StringVar(&o.credentialsSecret, "credentials-secret", "", "Name of the credentials Secret the Webhooks refer to (spec.credentialsRef.name); \"<provider>-credentials\" when empty.")
	fs.StringVar(&o.namePrefix, "name-prefix", "", "Prefix of every metadata.name, such as \"imported-\".")
	o.scope = map[string]scopeValue{}
	flags, _, usage := scopeFlags()
	for _, f := range flags {
		o.scope[f.Name] = bindScope(fs, f, usage[f.Name])
	}
	o.apiURLs = map[string]*string{}
	for _, d := range catalog.All() {
		if d.APIURL != nil {
			o.apiURLs[d.Name] = fs.String(d.FlagName(), d.APIURL.Default, d.APIURL.Usage)
		}
	}
	fs.BoolVar(&o.allowInsecure, "allow-insecure-endpoints", false, "Allow http:// provider URLs and --server-url (local sandboxes and tests only).")
	fs.DurationVar(&o.httpTimeout, "http-timeout", 30*time.Second, "Timeout of each request to the SaaS, and to the cluster with --account or --cluster-account.")
}

// orList joins items as "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// usageError is a mistake in the command line or the credentials file: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// validate checks the flags and resolves --provider. set holds the names of the flags given.
func (o *options) validate(set map[string]bool) error {
	if o.accountMode() {
		return o.validateAccount(set)
	}
	for _, name := range []string{"kubeconfig", "context"} {
		if set[name] {
			return usagef("--%s only applies with --account or --cluster-account, which read the account from the cluster", name)
		}
	}
	if o.provider == "" {
		return usagef("--provider is required: one of %s (or read an account from the cluster with --account or --cluster-account)",
			strings.Join(providerList(), ", "))
	}
	typ, ok := providerNames[strings.ToLower(o.provider)]
	if !ok {
		return usagef("--provider %q is not one of %s", o.provider, strings.Join(providerList(), ", "))
	}
	o.typ = typ
	_, takers, _ := scopeFlags()
	for _, name := range slices.Sorted(maps.Keys(takers)) {
		if set[name] && !slices.Contains(takers[name], typ) {
			return usagef("--%s does not apply to --provider %s", name, shortNames[typ])
		}
	}
	if err := o.validateOutput(); err != nil {
		return err
	}
	if o.credentialsFile == "" {
		return usagef("--credentials-file is required: a file of KEY=VALUE lines with %s", credentialKeys(typ))
	}
	if err := o.validateNamespace(); err != nil {
		return err
	}
	if o.credentialsSecret == "" {
		o.credentialsSecret = shortNames[typ] + "-credentials"
	}
	if errs := validation.IsDNS1123Subdomain(o.credentialsSecret); len(errs) > 0 {
		return usagef("--credentials-secret %q is not a valid Secret name: %s", o.credentialsSecret, strings.Join(errs, "; "))
	}
	if err := o.validateNamePrefix(); err != nil {
		return err
	}
	if err := o.validateEndpoints(); err != nil {
		return err
	}
	if err := o.validateTimeout(); err != nil {
		return err
	}
	return o.validateScope()
}

func (o *options) validateOutput() error {
	if !slices.Contains(outputFormats, o.output) {
		return usagef("--output %q is not one of %s", o.output, strings.Join(outputFormats, ", "))
	}
	return nil
}

func (o *options) validateNamespace() error {
	if errs := validation.IsDNS1123Label(o.namespace); len(errs) > 0 {
		return usagef("--namespace %q is not a valid namespace: %s", o.namespace, strings.Join(errs, "; "))
	}
	return nil
}

func (o *options) validateNamePrefix() error {
	if o.namePrefix != "" {
		// Any name made of the prefix and a lower-case alphanumeric rest must be valid.
		if errs := validation.IsDNS1123Subdomain(o.namePrefix + "x"); len(errs) > 0 || len(o.namePrefix) > maxNamePrefix {
			return usagef("--name-prefix %q must be lower-case letters, digits, '-' and '.', start with a letter or digit and have at most %d characters",
				o.namePrefix, maxNamePrefix)
		}
	}
	return nil
}

func (o *options) validateTimeout() error {
	if o.httpTimeout <= 0 {
		return usagef("--http-timeout must be positive")
	}
	return nil
}

// validateEndpoints checks the base URLs as the operator's own flags are checked.
func (o *options) validateEndpoints() error {
	for _, d := range catalog.All() {
		if d.APIURL == nil {
			continue
		}
		raw := *o.apiURLs[d.Name]
		if raw == "" && d.APIURL.Default == "" {
			continue // the provider picks its own host
		}
		if err := checkURL("--"+d.FlagName(), raw, o.allowInsecure); err != nil {
			return err
		}
	}
	return nil
}

func checkURL(name, raw string, allowInsecure bool) error {
	if err := providers.CheckURLFlag(name, raw, allowInsecure); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// validateScope checks the flags that say which part of the account to list, with the chosen
// provider's own rules.
func (o *options) validateScope() error {
	d, _ := catalog.ByType(o.typ)
	if d.ImportScope == nil {
		o.setScope = func(*hooksv1alpha1.WebhookSpec) {}
		return nil
	}
	values := map[string]string{}
	for _, f := range d.ImportFlags {
		values[f.Name] = o.scope[f.Name]()
	}
	set, err := d.ImportScope(values, o.allowInsecure)
	if err != nil {
		return usagef("%v", err)
	}
	o.setScope = set
	return nil
}

// scopeRequest is the request List needs: a spec holding only the scope, and the credentials.
func (o *options) scopeRequest(creds map[string][]byte) *providers.Request {
	spec := &hooksv1alpha1.WebhookSpec{
		Provider:       o.typ,
		CredentialsRef: &hooksv1alpha1.LocalObjectReference{Name: o.credentialsSecret},
	}
	o.setScope(spec)
	return &providers.Request{Spec: spec, Credentials: creds}
}

// anyEndpoint is the egress policy of the command: --server-url is given by whoever runs it, with
// the client's own credentials, not read from a tenant's spec, so a PageSeeder on a private
// network or on localhost is as good as any.
var anyEndpoint = func() *egress.Policy {
	p, err := egress.Parse("0.0.0.0/0,::/0")
	if err != nil {
		panic(err) // a constant that does not parse is a programming error
	}
	return p
}()

// newProvider builds the one provider the command talks to, through Descriptor.Build as the
// operator does (which gives its requests the User-Agent). The command's --server-url is given by
// whoever runs it, so a spec's endpoints may be anywhere (anyEndpoint).
func (o *options) newProvider() importable {
	d, _ := catalog.ByType(o.typ)
	settings := providers.Settings{HTTPClient: &http.Client{Timeout: o.httpTimeout}, UserAgent: o.userAgent,
		AllowInsecure: o.allowInsecure, Egress: anyEndpoint}
	if u := o.apiURLs[d.Name]; u != nil {
		settings.BaseURL = *u
	}
	return d.Build(settings)
}

// Run executes `hookkeeper import` with args, the arguments after the subcommand. It writes the
// Webhooks to stdout and everything else to stderr, and returns the exit status. Every request to
// the SaaS, token requests included, and to the cluster carries userAgent, such as
// providers.UserAgent(version, Command); empty means providers.DefaultUserAgent.
func Run(ctx context.Context, args []string, userAgent string, stdout, stderr io.Writer) int {
	return runWith(ctx, args, userAgent, stdout, stderr, nil)
}

// runWith is Run with the cluster that --account and --cluster-account read; nil connects to the
// one of the kubeconfig.
func runWith(ctx context.Context, args []string, userAgent string, stdout, stderr io.Writer, cluster client.Reader) int {
	o := options{userAgent: userAgent}
	fs := flag.NewFlagSet("hookkeeper "+Command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.bind(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs)
			return ExitOK
		}
		return fail(stderr, &usageError{msg: err.Error()})
	}
	if fs.NArg() > 0 {
		return fail(stderr, usagef("unexpected argument %q: every option is a flag", fs.Arg(0)))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if err := o.validate(set); err != nil {
		return fail(stderr, err)
	}
	if o.accountMode() {
		if err := runAccount(ctx, &o, set, cluster, stdout, stderr); err != nil {
			return fail(stderr, err)
		}
		return ExitOK
	}
	creds, err := readCredentials(o.credentialsFile, o.typ)
	if err != nil {
		return fail(stderr, err)
	}
	if err := run(ctx, &o, o.scopeRequest(creds), nil, stdout, stderr); err != nil {
		return fail(stderr, err)
	}
	return ExitOK
}

// runAccount reads the account from the cluster and lists it.
func runAccount(ctx context.Context, o *options, set map[string]bool, cluster client.Reader, stdout, stderr io.Writer) error {
	if cluster == nil {
		c, err := o.newClusterReader()
		if err != nil {
			return err
		}
		cluster = c
	}
	req, err := o.readAccount(ctx, cluster, set)
	if err != nil {
		return err
	}
	ex, err := o.listExisting(ctx, cluster)
	if err != nil {
		return err
	}
	if !ex.everywhere {
		fmt.Fprintf(stderr, "listing the Webhooks of every namespace is forbidden, so only the remote webhooks that Webhooks of namespace %q manage are left out: the operator refuses (Conflict) a Webhook printed here for one that another namespace's Webhook manages\n",
			o.namespace)
	}
	return run(ctx, o, req, ex, stdout, stderr)
}

// fail reports err and returns its exit status.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "hookkeeper %s: %v\n", Command, err)
	var usage *usageError
	if errors.As(err, &usage) {
		fmt.Fprintf(stderr, "Run 'hookkeeper %s --help' for usage.\n", Command)
		return ExitUsage
	}
	var refused *refusal
	if errors.As(err, &refused) {
		return ExitUsage
	}
	return ExitFailure
}

// run lists the account of req and writes one Webhook per remote webhook, ordered by id. With an
// account from the cluster, ex holds the Webhooks already there: a remote webhook that one of them
// manages is skipped, and their names in the namespace are not given again.
func run(ctx context.Context, o *options, req *providers.Request, ex *existing, stdout, stderr io.Writer) error {
	p := o.newProvider()
	scope := p.Scope(req)
	ident := string(o.typ) + "|" + p.Account(req)
	remotes, err := p.List(ctx, req)
	if err != nil {
		return fmt.Errorf("listing the webhooks of %s: %w", scope, err)
	}
	slices.SortFunc(remotes, func(a, b *providers.Remote) int { return compareIDs(a.ID, b.ID) })

	names := newNamer(o.namePrefix)
	if ex != nil {
		for _, wh := range ex.hooks {
			if wh.Namespace == o.namespace {
				names.used[wh.Name] = true
			}
		}
	}
	var docs []document
	managed := 0
	for _, remote := range remotes {
		if ex != nil {
			if wh := o.manager(p, ident, ex, remote); wh != nil {
				fmt.Fprintf(stderr, "skipped webhook %s: %s\n", remote.ID, o.managedNote(wh))
				managed++
				continue
			}
		}
		spec, secrets, ok := p.SpecOf(req, remote)
		if !ok {
			fmt.Fprintf(stderr, "skipped webhook %s: %s did not report it in a form this version can read\n", remote.ID, shortNames[o.typ])
			continue
		}
		if o.view != nil {
			name := names.next(nameHint(p, &spec))
			doc, why, ok := o.accountDocument(p, req, name, remote, spec, secrets)
			if !ok {
				delete(names.used, name)
				fmt.Fprintf(stderr, "skipped webhook %s: it does not fit %s: %s\n", remote.ID, o.view, why)
				continue
			}
			docs = append(docs, doc)
			continue
		}
		doc := newDocument(o, names.next(nameHint(p, &spec)), remote, spec, secrets)
		if err := p.Validate(&providers.Request{Owner: o.namespace + "/" + doc.hook.Name, Spec: &doc.hook.Spec}); err != nil {
			doc.warn("the spec does not pass the operator's validation, fix it before applying: %v", err)
		}
		docs = append(docs, doc)
	}
	write := writeDocuments
	if o.output == outputJSON {
		write = writeList
	}
	if err := write(stdout, docs); err != nil {
		return fmt.Errorf("writing the Webhooks: %w", err)
	}
	for _, d := range docs {
		for _, n := range d.notes {
			fmt.Fprintf(stderr, "%s/%s: %s\n", o.namespace, d.hook.Name, n)
		}
	}
	if o.view == nil {
		fmt.Fprintf(stderr, "%d %s webhook(s) found in %s\n", len(docs), shortNames[o.typ], scope)
		return nil
	}
	if note := o.limitNote(ex, len(docs)); note != "" {
		fmt.Fprintf(stderr, "%s: %s\n", o.namespace, note)
	}
	fmt.Fprintf(stderr, "%d %s webhook(s) found in %s of %s", len(docs), shortNames[o.typ], scope, o.view)
	if managed > 0 {
		fmt.Fprintf(stderr, ", and %d that Webhooks already manage", managed)
	}
	fmt.Fprintln(stderr)
	return nil
}

// compareIDs orders ids as numbers when both are (PageSeeder's), else as text.
func compareIDs(a, b string) int {
	x, errX := strconv.ParseUint(a, 10, 64)
	y, errY := strconv.ParseUint(b, 10, 64)
	if errX == nil && errY == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

func providerList() []string {
	return catalog.Names()
}

// printUsage writes the help of the subcommand.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, `Usage: hookkeeper %[1]s --provider NAME --credentials-file FILE [flags]
       hookkeeper %[1]s --account NAMESPACE/NAME [flags]
       hookkeeper %[1]s --cluster-account NAME --namespace NAMESPACE [flags]

Lists every webhook of one SaaS account and prints a Webhook resource for each, as a YAML
stream on stdout, ready to commit. Each carries the annotation
%[2]s with the remote id, so that the operator adopts the existing
webhook instead of creating another. Secrets cannot be read back: comments in the output, and
messages on stderr, say which Webhooks need a secret reference.

With --account or --cluster-account, the account and its credentials Secret are read from the
cluster of the kubeconfig (--kubeconfig, --context), and the Webhooks name the account in
spec.accountRef instead of credentialsRef, without the fields they take from it (8x8's accountId,
region and oauth, APS's region, PageSeeder's serverUrl, servicePath and client). A ClusterAccount
must permit --namespace (spec.conditions) and allow adoption (spec.allowAdoption: true). Remote
webhooks that a Webhook of the cluster already manages are skipped.

Examples:
  hookkeeper %[1]s --provider webex --credentials-file token.env > webhooks.yaml
  hookkeeper %[1]s --provider eightbyeight --credentials-file 8x8.env --account-id 6a1c3e5f-7b9d-4f1e-a2c4-e6f8a0b2c4d6 --region EU
  hookkeeper %[1]s --provider autodesk --credentials-file aps.env --region EMEA -n hooks --name-prefix aps-
  hookkeeper %[1]s --provider webex --credentials-file token.env -o json | jq '.items[].metadata.name'
  hookkeeper %[1]s --provider pageseeder --credentials-file ps.env --server-url https://ps.example.org --client 123
  hookkeeper %[1]s --account team-a/webex-bot > webhooks.yaml
  hookkeeper %[1]s --cluster-account corp-webex --namespace team-b --context prod

Exit status: 0 on success, 1 when the cluster or the SaaS could not be read or the output not
written, 2 on a usage error (flags, or a credentials file that cannot be read or lacks a key) or
an account that cannot be used as asked (not found, its Secret missing or lacking a key, the
namespace not permitted, adoption not allowed), before any request to the SaaS.

Flags:
`, Command, hooksv1alpha1.AnnotationExternalID)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
