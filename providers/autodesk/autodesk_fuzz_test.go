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

package autodesk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
)

// The fuzz targets below prove that nothing APS (or a man in the middle) answers can panic the
// provider, that every failure is a *providers.Error of a known kind, and that a credential the
// server echoes never reaches the error text. Plain `go test` runs their seeds.

const (
	fuzzClientID     = "client-fuzz-0a1b2c3d"
	fuzzClientSecret = "csecret-fuzz-9f8e7d6c5b"
	fuzzToken        = "tok-fuzz-1234abcd5678"
	fuzzSigning      = "signing-fuzz-55aa66bb"
	fuzzFolder       = "urn:adsk.wipprod:fs.folder:co.abc"
)

var fuzzSecrets = []string{fuzzClientID, fuzzClientSecret, fuzzToken, fuzzSigning}

func fuzzRequest(oauth bool) *providers.Request {
	req := &providers.Request{
		Owner: "team-a/aps-hooks",
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:  hooksv1alpha1.ProviderAutodesk,
			TargetURL: "https://hooks.example.com/aps",
			Autodesk: &hooksv1alpha1.AutodeskSpec{
				System:    "data",
				Event:     "dm.version.added",
				Scope:     map[string]string{"folder": fuzzFolder},
				SecretRef: &hooksv1alpha1.SecretKeySelector{Name: "aps-signing", Key: "token"},
			},
		},
		Credentials: map[string][]byte{CredentialToken: []byte(fuzzToken + "\n")},
		Secrets:     map[string]string{SecretRefPath: fuzzSigning},
	}
	if oauth {
		req.Credentials = map[string][]byte{
			CredentialClientID: []byte(fuzzClientID), CredentialClientSecret: []byte(fuzzClientSecret),
		}
	}
	return req
}

// fuzzRequestSecrets are the credentials and secrets the request holds: what must never leak.
func fuzzRequestSecrets(req *providers.Request) []string {
	var out []string
	for _, v := range req.Credentials {
		out = append(out, strings.TrimSpace(string(v)))
	}
	for _, v := range req.Secrets {
		out = append(out, v)
	}
	return out
}

// addResponseSeeds are realistic and hostile answers: status, body, Location, Retry-After,
// troubleshooting id, and whether the credential is a client id and secret (the token request
// then gets the fuzzed answer too).
func addResponseSeeds(f *testing.F) {
	const hook = `{"hookId":"0f60f6a0-996c-11e7-abf3-51d68cff984c","tenant":"` + fuzzFolder + `",` +
		`"callbackUrl":"https://hooks.example.com/aps","createdBy":"4SpxR","event":"dm.version.added",` +
		`"createdDate":"2017-09-14T06:57:50.597+0000","system":"data","creatorType":"Application",` +
		`"status":"active","autoReactivateHook":"true","scope":{"folder":"` + fuzzFolder + `"},` +
		`"hookAttribute":{"a":1},"__self__":"/systems/data/events/dm.version.added/hooks/0f60f6a0"}`
	seeds := []struct {
		status                 int
		body, loc, retry, trID string
		oauth                  bool
	}{
		{200, hook, "", "", "", false},
		{200, `{"links":{"next":"/systems/data/events/dm.version.added/hooks?pageState=AMM%2B%3D"},"data":[` + hook + `]}`, "", "", "", false},
		{200, `{"links":{"next":"pageStateOnly+/="},"data":[]}`, "", "", "", false},
		{200, `{"links":{"next":"https://other.example/hooks"},"data":[]}`, "", "", "", false},
		{200, `{"links":{"next":"/hooks?pageState=%zz"},"data":[]}`, "", "", "", false},
		{200, `{"links":null,"data":null}`, "", "", "", false},
		{200, `{"links":[],"data":[{"scope":{"a":{"b":1},"c":null},"autoReactivateHook":{},"__self__":"/systems//events//hooks/"}]}`, "", "", "", false},
		{200, `{"data":[{"createdDate":"2017-13-99T99:00:00.000+9999","hookExpiry":"x"}]}`, "", "", "", false},
		{200, `{"access_token":"at-123456","token_type":"Bearer","expires_in":3599}`, "", "", "", true},
		{200, `{"access_token":"","token_type":""}`, "", "", "", true},
		{200, `[`, "", "", "", false},
		{204, ``, "", "", "", false},
		{201, ``, "https://developer.api.autodesk.com/webhooks/v1/systems/data/events/e/hooks/abc", "", "", false},
		{201, ``, "%zz/\x00", "", "", false},
		{400, `{"error":"invalid_client","error_description":"client ` + fuzzClientID + ` secret ` + fuzzClientSecret + ` refused"}`, "", "", "", true},
		{401, `{"developerMessage":"The token ` + fuzzToken + ` is invalid","errorCode":"AUTH-001","more info":"x"}`, "", "", fuzzSigning, false},
		{403, `{"detail":["a","b"],"title":"Forbidden","code":"` + fuzzSigning + `"}`, "", "", "", false},
		{404, `{"id":"6ad3a6b0-...","message":"not found"}`, "", "", "ts-1", false},
		{409, `{"errorMessage":{"x":1},"message":7}`, "", "", "", false},
		{429, ``, "", "3", "", false},
		{429, `{"message":"slow"}`, "", "Mon, 02 Jan 2006 15:04:05 GMT", "", true},
		{500, `<html>oops</html>`, "", "-1", "", true},
		{503, `{"error":{"code":1}}`, "", "99999999999999999999", "", false},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body), s.loc, s.retry, s.trID, s.oauth)
	}
}

func fuzzHeader(loc, retry, trID string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if loc != "" {
		h.Set("Location", loc)
	}
	if retry != "" {
		h.Set("Retry-After", retry)
	}
	if trID != "" {
		h.Set("X-Ads-Troubleshooting-Id", trID)
	}
	return h
}

// FuzzStatusError decodes an error answer of the webhooks API and of the token endpoint directly:
// never a panic, always a known kind, never a credential in the text.
func FuzzStatusError(f *testing.F) {
	addResponseSeeds(f)
	c := &client{base: DefaultBaseURL, redact: fuzzSecrets}
	f.Fuzz(func(t *testing.T, status int, body []byte, loc, retry, trID string, _ bool) {
		code := testutil.FuzzStatus(status)
		if code < 300 {
			code += 200
		}
		e := c.statusError("get", code, fuzzHeader(loc, retry, trID), body)
		testutil.CheckFuzzErr(t, e, fuzzSecrets...)
		if e.StatusCode != code || e.Message == "" {
			t.Fatalf("status error %+v for status %d", e, code)
		}
		if e.Kind == providers.KindRateLimited && e.RetryAfter < time.Second {
			t.Fatalf("rate limit with a wait of %v", e.RetryAfter)
		}
		var raw struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &raw)
		re := &oauth2.RetrieveError{
			Response:         &http.Response{StatusCode: code, Header: fuzzHeader(loc, retry, trID)},
			Body:             body,
			ErrorCode:        raw.Error,
			ErrorDescription: raw.Description,
		}
		te := tokenError("get", re, fuzzSecrets)
		testutil.CheckFuzzErr(t, te, fuzzSecrets...)
		if te.Kind == providers.KindNotFound {
			t.Fatalf("token error %q is NotFound", te)
		}
	})
}

// FuzzListLinks reads links.next and the pageState in it, and the hook id of a Location.
func FuzzListLinks(f *testing.F) {
	for _, s := range []string{
		`{"next":"/systems/data/events/dm.version.added/hooks?pageState=AMM%2B%3D"}`, `{"next":"AMM+/="}`,
		`{"next":"/hooks?a=b&pageState=&pageState=x"}`, `{"next":"https://h/hooks"}`, `{"next":null}`, `null`, `{}`,
		`{"next":7}`, `[]`, `{"next":"?pageState=%"}`, `{"next":" /x?pageState=%zz "}`, `"`,
	} {
		f.Add([]byte(s), "https://developer.api.autodesk.com/webhooks/v1/systems/data/events/e/hooks/abc")
	}
	for _, s := range []string{"/hooks", "/hooks/", "abc", "", " ", "%zz", "http://[::1", "?x=/y", "/a/b/", "//"} {
		f.Add([]byte(`{}`), s)
	}
	f.Fuzz(func(t *testing.T, links []byte, location string) {
		next := nextLink(json.RawMessage(links))
		if next != strings.TrimSpace(next) {
			t.Fatalf("next link %q is not trimmed", next)
		}
		if next != "" {
			if state, err := pageState(next); err == nil && state == "" {
				t.Fatalf("pageState(%q) is empty without an error", next)
			}
		}
		if state, err := pageState(location); location != "" && err == nil && state == "" {
			t.Fatalf("pageState(%q) is empty without an error", location)
		}
		if id := hookIDFromLocation(location); strings.Contains(id, "/") || id == "hooks" {
			t.Fatalf("hookIDFromLocation(%q) = %q", location, id)
		}
	})
}

// FuzzHookDecode reads one hook as APS writes it, then its dates and location.
func FuzzHookDecode(f *testing.F) {
	for _, s := range []string{
		`{"hookId":"a","createdDate":"2017-09-14T06:57:50.597+0000","hookExpiry":"2030-01-01T00:00:00.000Z",` +
			`"scope":{"folder":"urn:x","n":1,"o":{"p":[1]}},"autoReactivateHook":"TRUE","callbackWithEventPayloadOnly":1,` +
			`"__self__":"/systems/data/events/dm.version.added/hooks/a"}`,
		`{"scope":null,"autoReactivateHook":null,"hookAttribute":null}`, `{"scope":[],"__self__":"systems/a/events/b/hooks/c/"}`,
		`{"createdDate":"2017-09-14T06:57:50"}`, `{"createdDate":" "}`, `{"system":"s"}`, `null`, `[]`, `{"scope":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var h Hook
		if json.Unmarshal(body, &h) != nil {
			return
		}
		_, _ = h.CreatedTime()
		loc := locationOf(&h, location{Region: DefaultRegion, System: "data", Event: "dm.version.added"})
		if loc.Region == "" || loc.System == "" || loc.Event == "" {
			t.Fatalf("locationOf(%+v) = %+v has an empty part", h, loc)
		}
		_ = hookPath(loc, h.HookID)
		r := toRemote(&h)
		_ = New(Options{}).Diff(fuzzRequest(false), r)
	})
}

// FuzzProviderResponses drives Get and Find against a server that answers the fuzzed status,
// body and headers to every request, the token request included: the end-to-end decoding path.
func FuzzProviderResponses(f *testing.F) {
	addResponseSeeds(f)
	srv := testutil.NewFuzzServer(f, `{"data":[]}`)
	hc := &http.Client{Timeout: 2 * time.Second}
	f.Fuzz(func(t *testing.T, status int, body []byte, loc, retry, trID string, oauth bool) {
		ctx := context.Background()
		req := fuzzRequest(oauth)
		p := New(Options{BaseURL: srv.URL, HTTPClient: hc})
		srv.Set(testutil.FuzzStatus(status), fuzzHeader(loc, retry, trID), body)
		r, err := p.Get(ctx, req, "0f60f6a0-996c-11e7-abf3-51d68cff984c")
		secrets := fuzzRequestSecrets(req)
		testutil.CheckFuzzErr(t, err, secrets...)
		if err == nil && r == nil {
			t.Fatal("Get returned neither a remote nor an error")
		}
		if err == nil {
			_ = p.Diff(req, r)
		}
		p = New(Options{BaseURL: srv.URL, HTTPClient: hc})
		srv.Set(testutil.FuzzStatus(status), fuzzHeader(loc, retry, trID), body)
		found, err := FindHooks(ctx, p, req)
		testutil.CheckFuzzErr(t, err, secrets...)
		for _, r := range found {
			if r == nil || r.Object == nil {
				t.Fatalf("Find returned an empty remote: %+v", found)
			}
			_ = p.Diff(req, r)
		}
	})
}

// FuzzValidate builds the fuzzed fields into a valid request: Validate returns nil or a
// KindInvalid error naming a field.
func FuzzValidate(f *testing.F) {
	f.Add("data", "dm.version.added", "", "folder", fuzzFolder, []byte(`{"projectId":"a"}`))
	f.Add("data", "dm.*", "EMEA", "folder", fuzzFolder, []byte(``))
	f.Add(" ", "e", "US", "k", "v", []byte(`null`))
	f.Add("s", " ", "MARS", "", "", []byte(`[1]`))
	f.Add("s", "e", "us", " ", "v", []byte(`{"a":`))
	f.Add("s", "e", "JPN", "k", " ", []byte(`  {"a":"`+strings.Repeat("x", 2000)+`"}  `))
	f.Add("s", "e", "", "k", "v", []byte("{\"a\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, system, event, region, scopeKey, scopeValue string, attribute []byte) {
		req := fuzzRequest(false)
		s := req.Spec.Autodesk
		s.System, s.Event, s.Region = system, event, hooksv1alpha1.AutodeskRegion(region)
		s.Scope = map[string]string{scopeKey: scopeValue}
		if len(attribute) > 0 {
			s.HookAttribute = &apiextensionsv1.JSON{Raw: attribute}
		}
		p := New(Options{})
		err := p.Validate(req)
		if err == nil {
			_ = newCreatePayload(req, s)
			_ = newPatchBody(req, s)
			return
		}
		var pe *providers.Error
		if !errors.As(err, &pe) || (pe.Kind != providers.KindInvalid && pe.Kind != providers.KindMissingCredentials) {
			t.Fatalf("Validate returned %T %v, want a KindInvalid or KindMissingCredentials *providers.Error", err, err)
		}
		if pe.Kind == providers.KindInvalid && !strings.HasPrefix(pe.Field, "autodesk") {
			t.Fatalf("Validate error %q names field %q", err, pe.Field)
		}
	})
}
