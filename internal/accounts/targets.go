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

package accounts

import (
	"net"
	"net/url"
	"strings"
)

// target is a URL taken apart the way allowedTargets compares it.
type target struct {
	scheme, host, port, path string
}

// parseTarget reads an absolute http(s) URL: scheme and host lower-cased, the host's trailing dot
// dropped, the port made explicit, the path as written (escaped). It refuses user information,
// and reports whether the path holds a dot segment (with or without ";" parameters) or an escaped
// dot or slash, which a receiver may resolve to somewhere else than the text says.
func parseTarget(raw string, pattern bool) (t target, dotty, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Opaque != "" {
		return t, false, false
	}
	t.scheme = strings.ToLower(u.Scheme)
	if t.scheme != "https" && t.scheme != "http" {
		return t, false, false
	}
	t.host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if t.host == "" {
		return t, false, false
	}
	if ip := net.ParseIP(t.host); ip != nil {
		t.host = ip.String()
	} else if strings.Contains(t.host, "*") && (!pattern || !strings.HasPrefix(t.host, "*.") || strings.Count(t.host, "*") != 1) {
		return t, false, false
	}
	t.port = u.Port()
	if t.port == "" {
		t.port = map[string]string{"https": "443", "http": "80"}[t.scheme]
	}
	t.port = strings.TrimLeft(t.port, "0")
	t.path = u.EscapedPath()
	if t.path == "" {
		t.path = "/"
	}
	low := strings.ToLower(t.path)
	for _, seg := range strings.Split(low, "/") {
		// A segment's parameters do not make it another segment: servers such as Tomcat read
		// "..;x" as "..".
		if name, _, _ := strings.Cut(seg, ";"); name == "." || name == ".." {
			dotty = true
		}
	}
	dotty = dotty || strings.Contains(low, "%2e") || strings.Contains(low, "%2f") || strings.Contains(low, "%5c") ||
		strings.Contains(low, "\\")
	return t, dotty, true
}

// TargetAllowed reports whether targetUrl is under one of the allowed prefixes. Each prefix is an
// http(s) URL whose host may be "*.domain" (any host below domain, not domain itself): scheme, host
// and port must be the same (a missing port is the scheme's), and the target's path must start with
// the prefix's path at a "/" boundary ("/hooks" admits "/hooks" and "/hooks/x", not "/hooksx"). A
// target whose path holds dot segments (also with parameters, "..;x") or escaped dots, slashes or
// backslashes is admitted only by a prefix without a path, since a receiver may resolve it outside
// the prefix.
func TargetAllowed(allowed []string, targetURL string) bool {
	t, dotty, ok := parseTarget(targetURL, false)
	if !ok {
		return false
	}
	for _, a := range allowed {
		p, _, ok := parseTarget(a, true)
		if !ok || p.scheme != t.scheme || p.port != t.port || !hostMatches(p.host, t.host) {
			continue
		}
		if p.path == "/" {
			return true
		}
		if dotty {
			continue
		}
		prefix := p.path
		if strings.HasSuffix(prefix, "/") {
			if strings.HasPrefix(t.path, prefix) {
				return true
			}
			prefix = strings.TrimSuffix(prefix, "/")
		}
		if t.path == prefix || strings.HasPrefix(t.path, prefix+"/") {
			return true
		}
	}
	return false
}

// hostMatches compares a target host with an allowed host, which may be "*.domain".
func hostMatches(pattern, host string) bool {
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		return strings.HasSuffix(host, "."+rest) && len(host) > len(rest)+1 && net.ParseIP(host) == nil
	}
	return pattern == host
}
