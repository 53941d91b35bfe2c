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

package webex

import (
	"net/http"
	"strings"
)

// nextLink returns the target of the RFC 8288 link whose relation is "next", or "". Webex may
// also send first and prev links, in one header or several.
func nextLink(h http.Header) string {
	for _, value := range h.Values("Link") {
		if target := findRel(value, "next"); target != "" {
			return target
		}
	}
	return ""
}

// findRel scans "<url>; rel=...,<url>; rel=..." by the angle brackets rather than by commas,
// because a URL may itself contain a comma.
func findRel(value, rel string) string {
	for {
		start := strings.IndexByte(value, '<')
		if start < 0 {
			return ""
		}
		end := strings.IndexByte(value[start:], '>')
		if end < 0 {
			return ""
		}
		target := value[start+1 : start+end]
		value = value[start+end+1:]
		params := value
		if next := strings.IndexByte(value, '<'); next >= 0 {
			params = value[:next]
		}
		if hasRel(params, rel) {
			return strings.TrimSpace(target)
		}
	}
}

func hasRel(params, rel string) bool {
	for _, p := range strings.Split(params, ";") {
		key, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "rel") {
			continue
		}
		val = strings.Trim(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(val), ",")), `"`)
		for _, r := range strings.Fields(val) {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
	}
	return false
}
