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

package providers

import (
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// CanonicalURL writes an http(s) URL in one spelling, so that every spelling of the same server
// names the same account: scheme and host lower-cased, the host's trailing dot and the scheme's
// default port dropped, an IPv6 address in its short form, the path cleaned (no empty, "." or
// ".." segments, no trailing slash) and unescaped where escaping changes nothing. Query, fragment
// and user information are dropped: no provider keeps an account there. It reports false for
// anything that is not an absolute http(s) URL with a host.
func CanonicalURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "https" && scheme != "http") || u.Host == "" {
		return "", false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", false
	}
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	port := ""
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return "", false
		}
		if !(scheme == "https" && n == 443) && !(scheme == "http" && n == 80) {
			port = strconv.FormatUint(n, 10)
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	p := ""
	if u.Path != "" {
		p = path.Clean("/" + u.Path)
		if p == "/" {
			p = ""
		}
	}
	out := url.URL{Scheme: scheme, Host: host, Path: p}
	return out.String(), true
}

// CanonicalGUID writes a GUID as its 32 hexadecimal digits in lower case, without dashes, however
// it was spelled: with or without dashes (anywhere), in either case. It reports false for anything
// that is not 32 hexadecimal digits once the dashes are removed.
func CanonicalGUID(s string) (string, bool) {
	hex := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	if len(hex) != 32 {
		return "", false
	}
	for _, c := range hex {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", false
		}
	}
	return hex, true
}
