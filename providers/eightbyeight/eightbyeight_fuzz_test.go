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

package eightbyeight

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

// The fuzz targets below prove that nothing 8x8 (or a man in the middle) answers can panic the
// provider, that every failure is a *providers.Error of a known kind, and that a credential the
// server echoes never reaches the error text. Plain `go test` runs their seeds.

const (
	fuzzAPIKey     = "key-fuzz-7d3e91b04c2a"
	fuzzAuth       = "Basic ZnV6ejpzZWNyZXQtNDI="
	fuzzAccount    = "6a1c3e5f-7b9d-4f1e-a2c4-e6f8a0b2c4d6"
	fuzzSubAccount = "Onion_Marketing"
)

func fuzzRequest() *providers.Request {
	return &providers.Request{
		Owner: "team-a/chat-alerts",
		Spec: &hooksv1alpha1.WebhookSpec{
			Provider:  hooksv1alpha1.ProviderEightByEight,
			TargetURL: "https://hooks.example.com/8x8",
			EightByEight: &hooksv1alpha1.EightByEightSpec{
				AccountID:              fuzzAccount,
				SubAccountID:           fuzzSubAccount,
				Type:                   TypeMSG,
				Region:                 RegionAPAC,
				AuthorizationSecretRef: &hooksv1alpha1.SecretKeySelector{Name: "delivery", Key: "authorization"},
			},
		},
		Credentials: map[string][]byte{CredentialAPIKey: []byte(fuzzAPIKey + "\n")},
		Secrets:     map[string]string{AuthorizationSecretPath: fuzzAuth},
	}
}

// addResponseSeeds are realistic and hostile answers: status, body, Retry-After.
func addResponseSeeds(f *testing.F) {
	const hook = `{"subAccountId":"Onion_Marketing","type":"MSG","url":"https://hooks.example.com/8x8",` +
		`"enabled":true,"httpAuthorization":"***"}`
	seeds := []struct {
		status      int
		body, retry string
	}{
		{200, `[` + hook + `]`, ""},
		{200, ` [` + hook + `,{"subAccountId":"*","type":"CADR","url":"x","enabled":false,"oauth":{}}] `, ""},
		{200, `[{"subAccountId":"Onion_Marketing","type":"MSG","oauth":null,"enabled":null}]`, ""},
		{200, `[{"subAccountId":"Onion_Marketing","type":"MSG","httpAuthorization":"` + fuzzAuth + `"}]`, ""},
		{200, `null`, ""},
		{200, ``, ""},
		{200, `{}`, ""},
		{200, `[1,"a",null,[]]`, ""},
		{200, `[{"subAccountId":12345678,"type":true}]`, ""},
		{200, `[`, ""},
		{204, ``, ""},
		{400, `{"code":1300,"message":"Not found","errorId":"a1b2","timestamp":"2026-01-02T03:04:05Z"}`, ""},
		{400, `{"code":-1,"message":"bad key ` + fuzzAPIKey + `","errorId":"` + fuzzAuth + `"}`, ""},
		{401, `{"code":1002,"message":"key\u002dfuzz\u002d7d3e91b04c2a is not valid"}`, ""},
		{404, `{"code":"x","message":["y"]}`, ""},
		{429, `{}`, "1"},
		{429, ``, "Mon, 02 Jan 2006 15:04:05 GMT"},
		{429, ``, "9223372036854775807"},
		{500, `<html>oops</html>`, "abc"},
		{503, `{"code":9223372036854775807,"message":"   "}`, "-5"},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body), s.retry)
	}
}

func fuzzHeader(retry string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if retry != "" {
		h.Set("Retry-After", retry)
	}
	return h
}

// FuzzStatusError decodes an error answer directly, for each operation: never a panic, always a
// known kind, never a credential in the text.
func FuzzStatusError(f *testing.F) {
	addResponseSeeds(f)
	c, err := NewClient("https://chatapps.8x8.com", nil, fuzzAPIKey, fuzzAuth)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, retry string) {
		code := testutil.FuzzStatus(status)
		if code < 300 {
			code += 200
		}
		for _, op := range []string{"list", "upsert", "delete"} {
			e := c.statusError(op, &httpx.Response{StatusCode: code, Header: fuzzHeader(retry), Body: body})
			testutil.CheckFuzzErr(t, e, fuzzAPIKey, fuzzAuth)
			if e.StatusCode != code || e.Message == "" {
				t.Fatalf("status error %+v for status %d", e, code)
			}
			if e.Kind == providers.KindRateLimited && e.RetryAfter < time.Second {
				t.Fatalf("rate limit with a wait of %v", e.RetryAfter)
			}
		}
	})
}

// FuzzParseID reads ids: never a panic, and an id it accepts writes back in its one spelling (the
// account id as 32 lower-case hexadecimal digits), which it reads as the same reference.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		fuzzAccount + "/" + fuzzSubAccount + "/MSG", "00112233445566778899aabbccddeeff/*/CADR",
		fuzzAccount + "/*/CABM", fuzzAccount + "//MSG", fuzzAccount + "/a/b/MSG", "/", "", "//",
		fuzzAccount + "/" + strings.Repeat("s", 129) + "/MSG", fuzzAccount + "/a b/MSG", fuzzAccount + "/x/msg",
		"6a1c3e5f-7b9d-4f1e-a2c4-e6f8a0b2c4d6-/x/MSG", "6A1C3E5F7B9D4F1EA2C4E6F8A0B2C4D6/\xff/MSG",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		ref, ok := ParseID(id)
		if !ok {
			if ref != (Ref{}) {
				t.Fatalf("ParseID(%q) refused the id but returned %+v", id, ref)
			}
			return
		}
		account, rest, _ := strings.Cut(id, "/")
		if want := strings.ToLower(strings.ReplaceAll(account, "-", "")) + "/" + rest; ref.ID() != want {
			t.Fatalf("ParseID(%q) = %+v, which writes back as %q, want %q", id, ref, ref.ID(), want)
		}
		if again, ok := ParseID(ref.ID()); !ok || again != ref {
			t.Fatalf("ParseID(%q) = %+v, %v; want %+v", ref.ID(), again, ok, ref)
		}
	})
}

// FuzzProviderResponses drives Get and Find against a server that answers the fuzzed status,
// body and headers to every request: the end-to-end decoding path of the array list.
func FuzzProviderResponses(f *testing.F) {
	addResponseSeeds(f)
	srv := testutil.NewFuzzServer(f, `[]`)
	p := New(Options{BaseURL: srv.URL, HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	f.Fuzz(func(t *testing.T, status int, body []byte, retry string) {
		ctx := context.Background()
		req := fuzzRequest()
		srv.Set(testutil.FuzzStatus(status), fuzzHeader(retry), body)
		r, err := p.Get(ctx, req, fuzzAccount+"/"+fuzzSubAccount+"/MSG")
		testutil.CheckFuzzErr(t, err, fuzzAPIKey, fuzzAuth)
		if err == nil && r == nil {
			t.Fatal("Get returned neither a remote nor an error")
		}
		if err == nil {
			_ = p.Diff(req, r)
		}
		srv.Set(testutil.FuzzStatus(status), fuzzHeader(retry), body)
		found, err := testutil.Candidates(ctx, p, req)
		testutil.CheckFuzzErr(t, err, fuzzAPIKey, fuzzAuth)
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
	f.Add("https://hooks.example.com/8x8", fuzzAccount, fuzzSubAccount, "MSG", "APAC", false, "", "", "")
	f.Add("http://h/x", "00112233445566778899aabbccddeeff", "*", "CADR", "US", true,
		"https://auth.example.com/oauth/token", "client", "header")
	f.Add("https://h", fuzzAccount, "a", "CABM", "EU", true, "https://a/t", "  ", "body")
	f.Add("https://h", fuzzAccount, "a", "CABM", "ID", true, "ftp://a/t", "c", "query")
	f.Add("mailto:x@y", "not-a-guid", "a/b", "msg", "MARS", false, "", "", "")
	f.Add("https://[::1", fuzzAccount+"-", strings.Repeat("s", 129), "", "", true, "http://", "", "")
	f.Add("", "", "", "", "", false, "", "", "")
	f.Fuzz(func(t *testing.T, target, account, sub, typ, region string, oauth bool, tokenURL, clientID, location string) {
		req := fuzzRequest()
		req.Spec.TargetURL = target
		s := req.Spec.EightByEight
		s.AccountID, s.SubAccountID = account, sub
		s.Type, s.Region = hooksv1alpha1.EightByEightType(typ), hooksv1alpha1.EightByEightRegion(region)
		if oauth {
			s.OAuth = &hooksv1alpha1.EightByEightOAuth{TokenURL: tokenURL, ClientID: clientID, CredentialsLocation: location}
			if tokenURL == "" {
				s.AuthorizationSecretRef = nil
			}
		}
		err := New(Options{}).Validate(req)
		if err == nil {
			return
		}
		var pe *providers.Error
		if !errors.As(err, &pe) || (pe.Kind != providers.KindInvalid && pe.Kind != providers.KindMissingCredentials) {
			t.Fatalf("Validate returned %T %v, want a KindInvalid or KindMissingCredentials *providers.Error", err, err)
		}
		if pe.Kind == providers.KindInvalid && pe.Field != "targetUrl" && !strings.HasPrefix(pe.Field, "eightByEight") {
			t.Fatalf("Validate error %q names field %q", err, pe.Field)
		}
	})
}
