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

package providers_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/providers"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, header string
		def, min     time.Duration
		want         time.Duration
	}{
		{"seconds", "7", 15 * time.Second, time.Second, 7 * time.Second},
		{"missing uses the default", "", 15 * time.Second, time.Second, 15 * time.Second},
		{"garbage uses the default", "soon", 15 * time.Second, time.Second, 15 * time.Second},
		{"partly numeric is garbage", "7s", 15 * time.Second, time.Second, 15 * time.Second},
		{"zero is raised to the minimum", "0", 15 * time.Second, time.Second, time.Second},
		{"negative is raised to the minimum", "-4", 15 * time.Second, time.Second, time.Second},
		{"HTTP date", now.Add(42 * time.Second).Format(time.RFC1123), 0, time.Second, 42 * time.Second},
		{"HTTP date in the past", now.Add(-time.Minute).Format(time.RFC1123), 0, 2 * time.Second, 2 * time.Second},
		{"spaces around", " 3 ", 0, time.Second, 3 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := providers.ParseRetryAfter(c.header, now, c.def, c.min); got != c.want {
				t.Fatalf("ParseRetryAfter(%q) = %s, want %s", c.header, got, c.want)
			}
		})
	}
}

func TestKindForStatus(t *testing.T) {
	cases := map[int]providers.Kind{
		400: providers.KindInvalid, 422: providers.KindInvalid, 401: providers.KindUnauthorized,
		403: providers.KindUnauthorized, 404: providers.KindNotFound, 410: providers.KindNotFound,
		409: providers.KindConflict, 429: providers.KindRateLimited, 408: providers.KindUnavailable,
		500: providers.KindUnavailable, 502: providers.KindUnavailable, 503: providers.KindUnavailable,
	}
	for code, want := range cases {
		if got := providers.KindForStatus(code); got != want {
			t.Errorf("KindForStatus(%d) = %v, want %v", code, got, want)
		}
	}
}

func TestErrorHelpers(t *testing.T) {
	base := &providers.Error{Kind: providers.KindRateLimited, Provider: "example", Op: "list", StatusCode: 429,
		Message: "slow down", TrackingID: "ROUTER_1", RetryAfter: 3 * time.Second}
	wrapped := fmt.Errorf("listing: %w", base)
	if providers.KindOf(wrapped) != providers.KindRateLimited {
		t.Fatalf("KindOf through a wrap = %v", providers.KindOf(wrapped))
	}
	if providers.RetryAfter(wrapped) != 3*time.Second {
		t.Fatalf("RetryAfter through a wrap = %s", providers.RetryAfter(wrapped))
	}
	if got := base.Error(); got != "example list: HTTP 429: slow down (trackingId ROUTER_1)" {
		t.Fatalf("Error() = %q", got)
	}
	if providers.KindOf(errors.New("plain")) != providers.KindUnavailable {
		t.Fatal("an unknown error must count as Unavailable, so that it is retried")
	}
	if providers.IsNotFound(base) || !providers.IsNotFound(&providers.Error{Kind: providers.KindNotFound}) {
		t.Fatal("IsNotFound is wrong")
	}
	inv := providers.Invalid("example", "example.filter", "needs %s", "ownedBy: org")
	if inv.Field != "example.filter" || !strings.Contains(inv.Error(), "spec.example.filter: needs ownedBy: org") {
		t.Fatalf("Invalid() = %+v / %q", inv, inv.Error())
	}
}

func TestScrub(t *testing.T) {
	got := providers.Scrub("token abcd1234 and secret s3cr3t-value and abc", "abcd1234", "s3cr3t-value", "abc", "")
	if strings.Contains(got, "abcd1234") || strings.Contains(got, "s3cr3t-value") {
		t.Fatalf("Scrub left a secret: %q", got)
	}
	if !strings.Contains(got, "and abc") {
		t.Fatalf("Scrub must leave values shorter than 4 characters alone (they match everywhere): %q", got)
	}
}

func TestParseRetryAfterIsCappedAtAnHour(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, header string
		def, min     time.Duration
		want         time.Duration
	}{
		{"999999999 seconds", "999999999", time.Second, time.Second, time.Hour},
		{"largest int64", "9223372036854775807", time.Second, time.Second, time.Hour},
		{"one second over", "3601", time.Second, time.Second, time.Hour},
		{"exactly an hour", "3600", time.Second, time.Second, time.Hour},
		{"just under an hour", "3599", time.Second, time.Second, 3599 * time.Second},
		{"a date a year out", now.AddDate(1, 0, 0).Format(time.RFC1123), 0, time.Second, time.Hour},
		{"the caller's default is not capped", "", 2 * time.Hour, time.Second, 2 * time.Hour},
		{"the caller's minimum wins over the cap", "999999999", 0, 3 * time.Hour, 3 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := providers.ParseRetryAfter(c.header, now, c.def, c.min); got != c.want {
				t.Fatalf("ParseRetryAfter(%q) = %s, want %s", c.header, got, c.want)
			}
		})
	}
}
