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
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

// The fuzz targets below prove that nothing Webex (or a man in the middle) answers can panic the
// provider, that every failure is a *providers.Error of a known kind, and that a credential the
// server echoes never reaches the error text. Plain `go test` runs their seeds.

const (
	fuzzToken  = "tok-fuzz-4f1d2c9e8b7a"
	fuzzSecret = "sig-fuzz-93b1c0ffee"
)

func fuzzRequest() *providers.Request {
	return &providers.Request{
		Owner: "team-a/chat-alerts",
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:  hooksv1alpha1.ProviderWebex,
			TargetURL: "https://hooks.example.com/webex",
			Webex: &hooksv1alpha1.WebexSpec{
				Resource: "messages",
				Event:    "created",
				Filter:   "roomId=Y2lzY29zcGFyazovL3VzL1JPT00vYWJj",
				OwnedBy:  hooksv1alpha1.WebexOwnedByCreator,
			},
		},
		Credentials: map[string][]byte{CredentialToken: []byte(fuzzToken + "\n")},
		Secrets:     map[string]string{SecretRefPath: fuzzSecret},
	}
}

// addResponseSeeds are realistic and hostile answers: status, body, Link, Retry-After, trackingId.
func addResponseSeeds(f *testing.F) {
	const hook = `{"id":"Y2lz","name":"team-a/chat-alerts","targetUrl":"https://hooks.example.com/webex",` +
		`"resource":"messages","event":"created","filter":"roomId=Y2lzY29zcGFyazovL3VzL1JPT00vYWJj",` +
		`"status":"active","created":"2026-01-02T03:04:05.678Z"}`
	seeds := []struct {
		status                  int
		body, link, retry, trID string
	}{
		{200, hook, "", "", ""},
		{200, `{"items":[` + hook + `]}`, `<https://webexapis.com/v1/webhooks?max=100&cursor=abc>; rel="next"`, "", ""},
		{200, `{"items":[` + hook + `]}`, `</webhooks?cursor=a,b>; rel="first next", <x>; rel=prev`, "", ""},
		{200, `{"items":[]}`, `<http://evil.example/steal>; rel=next`, "", ""},
		{200, `{"items":[]}`, `<%zz>; rel=next`, "", ""},
		{200, `{"items":[]}`, `<<<>>>;;;rel=;rel="next`, "", ""},
		{200, `{"items":[{"created":"2026-13-45T99:99:99+0000","id":7}]}`, "", "", ""},
		{200, `{"items":null}`, "", "", ""},
		{200, `[`, "", "", ""},
		{200, "", "", "", ""},
		{204, "", "", "", ""},
		{400, `{"message":"bad token ` + fuzzToken + `","errors":[{"description":"x"}],"trackingId":"` + fuzzSecret + `"}`, "", "", ""},
		{401, `{"message":"","errors":[{"description":"  "},{"description":"tok\u002dfuzz\u002d4f1d2c9e8b7a"}]}`, "", "", fuzzToken},
		{404, `{"message":"The requested resource could not be found.","trackingId":"ROUTER_1234"}`, "", "", ""},
		{409, `not json`, "", "", "GW_" + fuzzSecret},
		{423, `{}`, "", "7", ""},
		{429, `{"message":"slow down"}`, "", "Mon, 02 Jan 2006 15:04:05 GMT", ""},
		{429, ``, "", "-1", ""},
		{429, ``, "", "99999999999999999999", ""},
		{503, `<html>Service Unavailable</html>`, "", "120", ""},
		{599, `{"message":{"nested":true},"errors":"x"}`, "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body), s.link, s.retry, s.trID)
	}
}

func fuzzHeader(link, retry, trID string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if link != "" {
		h.Set("Link", link)
	}
	if retry != "" {
		h.Set("Retry-After", retry)
	}
	if trID != "" {
		h.Set("trackingId", trID)
	}
	return h
}

// FuzzStatusError decodes an error answer directly: never a panic, always a known kind, never a
// credential in the text.
func FuzzStatusError(f *testing.F) {
	addResponseSeeds(f)
	c, err := NewClient("https://webexapis.com/v1", nil, fuzzToken, fuzzSecret)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, link, retry, trID string) {
		code := testutil.FuzzStatus(status)
		if code < 300 {
			code += 200
		}
		e := c.statusError("get", &httpx.Response{StatusCode: code, Header: fuzzHeader(link, retry, trID), Body: body})
		testutil.CheckFuzzErr(t, e, fuzzToken, fuzzSecret)
		if e.StatusCode != code || e.Message == "" {
			t.Fatalf("status error %+v for status %d", e, code)
		}
		if e.Kind == providers.KindRateLimited && e.RetryAfter < time.Second {
			t.Fatalf("rate limit with a wait of %v", e.RetryAfter)
		}
	})
}

// FuzzNextLink parses Link headers: never a panic, and any target comes from the header itself.
func FuzzNextLink(f *testing.F) {
	for _, s := range []string{
		`<https://webexapis.com/v1/webhooks?cursor=abc>; rel="next"`,
		`<https://a/1>; rel="prev", <https://a/2>; rel="next"`,
		`<https://a/x,y>;rel=next`, `<a>; rel="first next"`, `<a>; REL = NEXT ,`, `<a>`, `<`, `>`, `<>; rel=next`,
		`; rel=next <a>`, `<a>; rel`, `<a>; =next; rel=`, "<\xff>; rel=next", `<a>;rel="next`,
	} {
		f.Add(s, "")
	}
	f.Add(`<https://a/1>; rel=first`, `<https://a/2>; rel=next`)
	f.Fuzz(func(t *testing.T, v1, v2 string) {
		h := http.Header{}
		h.Add("Link", v1)
		h.Add("Link", v2)
		got := nextLink(h)
		if got != "" && !strings.Contains(v1, got) && !strings.Contains(v2, got) {
			t.Fatalf("next link %q is in neither %q nor %q", got, v1, v2)
		}
		c, err := NewClient("https://webexapis.com/v1", nil, fuzzToken)
		if err != nil {
			t.Fatal(err)
		}
		next, err := c.nextPage("https://webexapis.com/v1/webhooks?max=100", h)
		testutil.CheckFuzzErr(t, err, fuzzToken)
		if next != "" && !strings.HasPrefix(next, "https://webexapis.com/") {
			t.Fatalf("next page %q leaves the API's origin", next)
		}
	})
}

// FuzzWebhookCreated parses the created field of a webhook.
func FuzzWebhookCreated(f *testing.F) {
	for _, s := range []string{"2026-01-02T03:04:05.678Z", "2026-01-02T03:04:05+0100", "2026-01-02T03:04:05",
		"2026-01-02T03:04:05.123456789-07:00", "", " ", "0000-00-00T00:00:00Z", "9999-12-31T23:59:59.999999999+9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w := &Webhook{Created: s}
		if _, ok := w.CreatedTime(); ok && strings.TrimSpace(s) == "" {
			t.Fatalf("empty created %q parsed", s)
		}
		r := toRemote(w)
		if (r.Created != nil) != func() bool { _, ok := w.CreatedTime(); return ok }() {
			t.Fatalf("remote created %v disagrees with CreatedTime for %q", r.Created, s)
		}
	})
}

// FuzzProviderResponses drives Get and Find against a server that answers the fuzzed status,
// body and headers to every request: the end-to-end decoding path.
func FuzzProviderResponses(f *testing.F) {
	addResponseSeeds(f)
	srv := testutil.NewFuzzServer(f, `{"items":[]}`)
	p := New(Options{BaseURL: srv.URL + "/v1", HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	f.Fuzz(func(t *testing.T, status int, body []byte, link, retry, trID string) {
		ctx := context.Background()
		req := fuzzRequest()
		srv.Set(testutil.FuzzStatus(status), fuzzHeader(link, retry, trID), body)
		r, err := p.Get(ctx, req, "Y2lz")
		testutil.CheckFuzzErr(t, err, fuzzToken, fuzzSecret)
		if err == nil && r == nil {
			t.Fatal("Get returned neither a remote nor an error")
		}
		if err == nil {
			_ = p.Diff(req, r)
		}
		srv.Set(testutil.FuzzStatus(status), fuzzHeader(link, retry, trID), body)
		found, err := testutil.Candidates(ctx, p, req)
		testutil.CheckFuzzErr(t, err, fuzzToken, fuzzSecret)
		for _, r := range found {
			if r == nil || r.Object == nil {
				t.Fatalf("Find returned an empty remote: %+v", found)
			}
		}
	})
}

// FuzzValidate builds the fuzzed fields into a valid request: Validate returns nil or a
// KindInvalid error naming a field.
func FuzzValidate(f *testing.F) {
	f.Add("team-a/chat-alerts", "", "messages", "created", "roomId=abc", "creator")
	f.Add("team-a/chat-alerts", "name", "all", "all", "hostEmail=a@b.c&x=1", "org")
	f.Add("team-a/chat-alerts", "", "messages", "created", " ownerId =x", "")
	f.Add(strings.Repeat("n", 300), "", "memberships", "deleted", "", "creator")
	f.Add("o", strings.Repeat("é", 257), "rooms", "updated", "&&==&", "nobody")
	f.Add("", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, owner, name, resource, event, filter, ownedBy string) {
		req := fuzzRequest()
		req.Owner = owner
		req.Spec.Webex.Name = name
		req.Spec.Webex.Resource = hooksv1alpha1.WebexResource(resource)
		req.Spec.Webex.Event = hooksv1alpha1.WebexEvent(event)
		req.Spec.Webex.Filter = filter
		req.Spec.Webex.OwnedBy = hooksv1alpha1.WebexOwnedBy(ownedBy)
		err := New(Options{}).Validate(req)
		if err == nil {
			return
		}
		var pe *providers.Error
		if !errors.As(err, &pe) || (pe.Kind != providers.KindInvalid && pe.Kind != providers.KindMissingCredentials) {
			t.Fatalf("Validate returned %T %v, want a KindInvalid or KindMissingCredentials *providers.Error", err, err)
		}
		if pe.Kind == providers.KindInvalid && !strings.HasPrefix(pe.Field, "webex") {
			t.Fatalf("Validate error %q names field %q", err, pe.Field)
		}
	})
}
