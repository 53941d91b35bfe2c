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
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/providers/catalog"
)

// maxCredentialsBytes bounds what is read of the credentials file: a few keys fit many times over.
const maxCredentialsBytes = 1 << 20

// credentialSets are the sets of keys that each provider accepts, the preferred one first.
var credentialSets = func() map[hooksv1alpha1.ProviderType][][]string {
	sets := map[hooksv1alpha1.ProviderType][][]string{}
	for _, d := range catalog.All() {
		sets[d.Type] = d.CredentialKeys
	}
	return sets
}()

// credentialKeys describes the keys a provider needs, for messages.
func credentialKeys(typ hooksv1alpha1.ProviderType) string {
	var alts []string
	for _, set := range credentialSets[typ] {
		alts = append(alts, `"`+strings.Join(set, `" and "`)+`"`)
	}
	return "the key(s) " + strings.Join(alts, ", or ")
}

// credentialKeysHelp lists every provider's key sets for the help, unquoted, with the providers
// that take the same sets together: "webex token; ...; autodesk and pageseeder clientId and
// clientSecret, or token".
func credentialKeysHelp() string {
	var groups []string
	byKeys := map[string]int{} // the key sets, spelled out, to their index in groups
	var names [][]string
	for _, d := range catalog.All() {
		var alts []string
		for _, set := range d.CredentialKeys {
			alts = append(alts, strings.Join(set, " and "))
		}
		keys := strings.Join(alts, ", or ")
		i, ok := byKeys[keys]
		if !ok {
			i = len(groups)
			byKeys[keys] = i
			groups, names = append(groups, keys), append(names, nil)
		}
		names[i] = append(names[i], d.Name)
	}
	for i := range groups {
		groups[i] = andList(names[i]) + " " + groups[i]
	}
	return strings.Join(groups, "; ")
}

// andList joins items as "a, b and c".
func andList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// readCredentials reads the credentials file and checks that it holds the keys of typ. Its
// errors name the flag, the line and the key, never a value: the file holds secrets.
func readCredentials(path string, typ hooksv1alpha1.ProviderType) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--credentials-file: %v", err)
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, maxCredentialsBytes+1))
	if err != nil {
		return nil, usagef("--credentials-file: reading %s: %v", path, err)
	}
	if len(data) > maxCredentialsBytes {
		return nil, usagef("--credentials-file %s is larger than %d bytes: it should hold a few KEY=VALUE lines", path, maxCredentialsBytes)
	}
	creds, err := parseEnv(data)
	if err != nil {
		return nil, usagef("--credentials-file %s: %v", path, err)
	}
	if err := checkKeys(creds, typ); err != nil {
		return nil, usagef("--credentials-file %s: %v", path, err)
	}
	return creds, nil
}

// parseEnv reads KEY=VALUE lines. Blank lines and lines starting with # are skipped, an "export "
// before the key is allowed, and a value in matching single or double quotes loses them (double
// quotes also read Go escapes such as \n). Everything after the first = is the value: a # there
// is part of it.
func parseEnv(data []byte) (map[string][]byte, error) {
	creds := map[string][]byte{}
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), maxCredentialsBytes)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "export "))
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t\"'") {
			// The line is not shown: it may be a secret pasted without its key.
			return nil, fmt.Errorf("line %d is not a KEY=VALUE line", n)
		}
		if first, dup := seen[key]; dup {
			return nil, fmt.Errorf("key %q is set twice, on lines %d and %d", key, first, n)
		}
		seen[key] = n
		v, err := unquote(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("line %d: the value of %q %w", n, key, err)
		}
		creds[key] = []byte(v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return creds, nil
}

// unquote removes one pair of matching quotes around v.
func unquote(v string) (string, error) {
	if len(v) < 2 {
		if v == `"` || v == `'` {
			return "", errors.New("has an unmatched quote")
		}
		return v, nil
	}
	first, last := v[0], v[len(v)-1]
	switch {
	case first == '\'' && last == '\'':
		return v[1 : len(v)-1], nil
	case first == '"' && last == '"':
		if s, err := strconv.Unquote(v); err == nil {
			return s, nil
		}
		return v[1 : len(v)-1], nil
	case first == '"' || first == '\'':
		return "", errors.New("has an unmatched quote")
	}
	return v, nil
}

// checkKeys reports the first missing or empty key of the provider's preferred set, or none
// when one complete set is present. A key present in another case is pointed out, since Secret
// keys are case-sensitive.
func checkKeys(creds map[string][]byte, typ hooksv1alpha1.ProviderType) error {
	sets := credentialSets[typ]
	for _, set := range sets {
		complete := true
		for _, k := range set {
			complete = complete && strings.TrimSpace(string(creds[k])) != ""
		}
		if complete {
			return nil
		}
	}
	// Report against the set the file started on, else the preferred one.
	set := sets[0]
	for _, s := range sets {
		for _, k := range s {
			if _, ok := creds[k]; ok {
				set = s
			}
		}
	}
	for _, k := range set {
		v, ok := creds[k]
		switch {
		case ok && strings.TrimSpace(string(v)) == "":
			return fmt.Errorf("key %q is empty (%s needs %s)", k, shortNames[typ], credentialKeys(typ))
		case !ok:
			msg := fmt.Sprintf("no key %q (%s needs %s)", k, shortNames[typ], credentialKeys(typ))
			for other := range creds {
				if strings.EqualFold(other, k) {
					msg += fmt.Sprintf("; keys are case-sensitive and the file has %q", other)
				}
			}
			return errors.New(msg)
		}
	}
	return nil
}
