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

package pageseeder

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/test/testutil"
	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

// The fuzz targets below prove that nothing PageSeeder (or a man in the middle) answers can panic
// the provider, that every failure is a *providers.Error of a known kind, and that a credential
// the server echoes never reaches the error text. Plain `go test` runs their seeds.

const (
	fuzzClientID     = "CLIENTFUZZ0A1B2C3D"
	fuzzClientSecret = "csecret-fuzz-9f8e7d6c5b"
	fuzzToken        = "tok-fuzz-1234abcd5678"
	fuzzInternalID   = 42
)

var fuzzSecrets = []string{fuzzClientID, fuzzClientSecret, fuzzToken}

func fuzzRequest(serverURL string, oauth bool) *providers.Request {
	req := &providers.Request{
		Owner: "team-a/ps-hooks",
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:  hooksv1alpha1.ProviderPageSeeder,
			TargetURL: "https://hooks.example.com/ps",
			PageSeeder: &hooksv1alpha1.PageSeederSpec{
				ServerURL: serverURL,
				Client:    fuzzInternalID,
				Events:    []string{"comment.*", "membership.created"},
				Projects:  []string{"acme"},
				Format:    "json",
				Object:    "minimal",
			},
		},
		Credentials: map[string][]byte{CredentialToken: []byte(fuzzToken + "\n")},
	}
	if oauth {
		req.Credentials = map[string][]byte{
			CredentialClientID: []byte(fuzzClientID), CredentialClientSecret: []byte(fuzzClientSecret + "\n"),
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

// addResponseSeeds are realistic and hostile answers: status, body, Retry-After, and whether the
// credential is a client id and secret (the token request then gets the fuzzed answer too).
func addResponseSeeds(f *testing.F) {
	const hook = `{"id":123,"name":"team-a/ps-hooks","url":"https://hooks.example.com/ps","events":"comment.*,membership.created",` +
		`"projects":["acme"],"groups":"","server":"false","format":"json","object":"minimal","insecuressl":false,` +
		`"status":"pending","created":"2026-01-02T03:04:05+1000","modified":"x","client":{"id":"42"}}`
	seeds := []struct {
		status      int
		body, retry string
		oauth       bool
	}{
		{200, hook, "", false},
		{200, `{"webhook":` + hook + `}`, "", false},
		{200, `{"webhooks":[` + hook + `,{"id":"7","url":"u","events":[" a ",""],"client":null}]}`, "", false},
		{200, `[` + hook + `]`, "", false},
		{200, `{"webhook":{"id":0},"id":"9223372036854775808","url":"u"}`, "", false},
		{200, `{"id":"-5","url":"u","events":7}`, "", false},
		{200, `{"id":1e3}`, "", false},
		{200, `[{"id":null,"server":{}},null,1]`, "", false},
		{200, `{"access_token":"at-123456","token_type":"Bearer","expires_in":3599}`, "", true},
		{200, `{"error":"invalid_client","error_description":"` + fuzzClientSecret + `"}`, "", true},
		{200, ``, "", false},
		{204, ``, "", false},
		{400, `<error id="0x0201"><request>/ps/service</request><message>bad ` + fuzzToken + `</message></error>`, "", false},
		{400, `{"error":{"id":"170B","message":"The webhook did not echo X-PS-Secret"}}`, "", false},
		{400, `{"id":"` + fuzzToken + `","message":"x"}`, "", false},
		{400, `<error id="0x` + fuzzToken + `"><message>x</message></error>`, "", false},
		{401, `{"error":"invalid_token","error_description":"token ` + fuzzToken + ` expired"}`, "", true},
		{403, `{"id":12345,"request":"/x","description":"no access for ` + fuzzClientID + `"}`, "", false},
		{404, `<error><message>`, "", false},
		{404, `<errors id="1"/>`, "", false},
		{409, `{"error":["x"],"message":{"a":1}}`, "", false},
		{429, ``, "2", false},
		{429, `{"message":"slow"}`, "Mon, 02 Jan 2006 15:04:05 GMT", true},
		{500, `<html>oops</html>`, "-1", false},
		{503, "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><error id=\"&a;\"/>", "", true},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body), s.retry, s.oauth)
	}
}

func fuzzHeader(retry string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if retry != "" {
		h.Set("Retry-After", retry)
	}
	return h
}

// FuzzStatusError decodes an error answer of the service and of the token endpoint directly
// (JSON flat or wrapped, OAuth, XML): never a panic, always a known kind, never a credential in
// the text.
func FuzzStatusError(f *testing.F) {
	addResponseSeeds(f)
	c := &client{redact: fuzzSecrets}
	f.Fuzz(func(t *testing.T, status int, body []byte, retry string, _ bool) {
		code := testutil.FuzzStatus(status)
		if code < 300 {
			code += 200
		}
		e := c.statusError("get", &httpx.Response{StatusCode: code, Header: fuzzHeader(retry), Body: body})
		testutil.CheckFuzzErr(t, e, fuzzSecrets...)
		if e.StatusCode != code || e.Message == "" {
			t.Fatalf("status error %+v for status %d", e, code)
		}
		if e.Kind == providers.KindRateLimited && e.RetryAfter < time.Second {
			t.Fatalf("rate limit with a wait of %v", e.RetryAfter)
		}
		_ = isPingFailure(e)
		var raw struct {
			Error       any    `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &raw)
		re := &oauth2.RetrieveError{
			Response:         &http.Response{StatusCode: testutil.FuzzStatus(status), Header: fuzzHeader(retry)},
			Body:             body,
			ErrorDescription: raw.Description,
		}
		re.ErrorCode, _ = raw.Error.(string)
		te := tokenError(re, fuzzSecrets)
		testutil.CheckFuzzErr(t, te, fuzzSecrets...)
		if te.Kind == providers.KindNotFound {
			t.Fatalf("token error %q is NotFound", te)
		}
	})
}

// FuzzWebhookDecode reads a webhook in every form PageSeeder writes, and the ids of the API.
func FuzzWebhookDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"12","url":"u","events":"a, b,,c","projects":[],"server":"TRUE","insecuressl":"yes","created":"2026-01-02T03:04:05"}`,
		`{"webhook":{"id":3,"url":"u","client":{"id":""}}}`, `{"id":"0x1f"}`, `{"id":" 7 "}`, `{"id":"\"\""}`,
		`{"events":["a",1]}`, `{"events":"\ud800"}`, `{"created":"2026-01-02T03:04:05.999+0100"}`, `null`, `{"webhook":null}`,
	} {
		f.Add([]byte(s), "123")
	}
	for _, s := range []string{"0", "-1", "+5", "9223372036854775807", "9223372036854775808", " 1", "1e3", "0x10", "", "0001"} {
		f.Add([]byte(`{}`), s)
	}
	f.Fuzz(func(t *testing.T, body []byte, id string) {
		if w := decodeWebhook(body); w != nil {
			if w.ID <= 0 {
				t.Fatalf("decodeWebhook(%q) returned id %d", body, w.ID)
			}
			_, _ = w.CreatedTime()
			r := toRemote(w)
			if r.ID != strconv.FormatInt(w.ID, 10) {
				t.Fatalf("remote id %q for webhook id %d", r.ID, w.ID)
			}
			if !providers.ValidID(r.ID, providers.MaxID) || providers.State(r.State) != r.State {
				t.Fatalf("remote id %q or state %q would not be safe in status", r.ID, r.State)
			}
			_ = New(Options{}).Diff(fuzzRequest("https://ps.example.org", false), r)
		}
		var list []Webhook
		_ = json.Unmarshal(body, &list)
		if n, ok := parseID(id); ok {
			if back, ok := parseID(strconv.FormatInt(n, 10)); n <= 0 || !ok || back != n {
				t.Fatalf("parseID(%q) = %d, which does not read back", id, n)
			}
		}
		_ = normalizeID(id)
	})
}

// FuzzProviderResponses drives Get and Find against a server that answers the fuzzed status,
// body and headers to every request, the token request included: the end-to-end decoding path.
func FuzzProviderResponses(f *testing.F) {
	addResponseSeeds(f)
	srv := testutil.NewFuzzServer(f, `{"webhooks":[]}`)
	hc := &http.Client{Timeout: 2 * time.Second}
	f.Fuzz(func(t *testing.T, status int, body []byte, retry string, oauth bool) {
		ctx := context.Background()
		req := fuzzRequest(srv.URL, oauth)
		p := New(Options{HTTPClient: hc, AllowInsecure: true})
		srv.Set(testutil.FuzzStatus(status), fuzzHeader(retry), body)
		r, err := p.Get(ctx, req, "123")
		secrets := fuzzRequestSecrets(req)
		testutil.CheckFuzzErr(t, err, secrets...)
		if err == nil && r == nil {
			t.Fatal("Get returned neither a remote nor an error")
		}
		if err == nil {
			_ = p.Diff(req, r)
		}
		p = New(Options{HTTPClient: hc, AllowInsecure: true})
		srv.Set(testutil.FuzzStatus(status), fuzzHeader(retry), body)
		found, err := testutil.Candidates(ctx, p, req)
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
	f.Add("https://ps.example.org", "", int64(42), "team-a/ps-hooks", "", "json", "minimal", "comment.*", "https://h/x", false)
	f.Add("http://ps.example.org:8080/base/", "/ps/service/", int64(1), "o", "name", "xml", "basic", "a", "x", true)
	f.Add("http://ps.example.org", "ps/..", int64(0), "o", "", "", "", "", "", false)
	f.Add("https://u:p@ps.example.org?q#f", "/../x", int64(-1), strings.Repeat("n", 300), "", "XML", "full", "a,b", "u", false)
	f.Add(" https://ps.example.org ", "/a/../b", int64(7), "o", strings.Repeat("é", 300), "json", "minimal", " ", "u", true)
	f.Add("%zz", "", int64(9), "", "", "", "", "", "", true)
	f.Add("https://[::1]:namedport", "", int64(9), "", "", "", "", "", "", false)
	f.Fuzz(func(t *testing.T, server, servicePath string, clientID int64, owner, name, format, object, event, target string, insecure bool) {
		req := fuzzRequest(server, false)
		req.Owner, req.Spec.TargetURL = owner, target
		s := req.Spec.PageSeeder
		s.ServicePath, s.Client, s.Name, s.Format, s.Object = servicePath, clientID, name, format, object
		s.Events = []string{event}
		p := New(Options{AllowInsecure: insecure})
		err := p.Validate(req)
		if err == nil {
			_ = params(req)
			return
		}
		var pe *providers.Error
		if !errors.As(err, &pe) || (pe.Kind != providers.KindInvalid && pe.Kind != providers.KindMissingCredentials) {
			t.Fatalf("Validate returned %T %v, want a KindInvalid or KindMissingCredentials *providers.Error", err, err)
		}
		if pe.Kind == providers.KindInvalid && pe.Field != "targetUrl" && !strings.HasPrefix(pe.Field, "pageSeeder") {
			t.Fatalf("Validate error %q names field %q", err, pe.Field)
		}
	})
}
