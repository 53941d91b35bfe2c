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

package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hookkeeper/hookkeeper/providers"
)

// ErrRedirect is the cause of every error that a redirect raises, for errors.Is.
var ErrRedirect = errors.New("redirect not followed")

// NoRedirects returns a shallow copy of hc (a new client when hc is nil) that follows no
// redirect. None of the SaaS APIs documents one, and following one would send the request again,
// with its Authorization header or its client credentials and its body, wherever the server
// points: to another host, port or scheme of its choosing. Refusing every redirect is the one
// policy that makes that impossible without reasoning about which targets are safe.
//
// The redirect request is never sent. The caller gets the *providers.Error that Redirected
// builds, which Send and Carried (and so the token requests made with oauth2) pass on as it is.
func NoRedirects(hc *http.Client) *http.Client {
	out := &http.Client{}
	if hc != nil {
		*out = *hc
	}
	out.CheckRedirect = func(next *http.Request, _ []*http.Request) error {
		status := 0
		if next.Response != nil {
			status = next.Response.StatusCode
		}
		return Redirected(status, next.URL)
	}
	return out
}

// Redirected is the error of a redirect that was not followed. It is of KindUnavailable rather
// than KindInvalid: the API roots of Webex, 8x8 and APS come from the operator's flags, not from
// a spec, and a redirect there is most often a gateway in maintenance sending clients to a
// status page, which passes; the controller retries with backoff, and the status names the
// target so that a wrong URL (a PageSeeder serverUrl that moved, http instead of https) is
// plain to see. The message names the target's host and port only: its path and query may carry
// anything, and the answer's body is not read.
func Redirected(status int, target *url.URL) *providers.Error {
	where := "elsewhere"
	if target != nil && target.Host != "" {
		where = "to " + providers.Excerpt(target.Host)
	}
	return &providers.Error{
		Kind:       providers.KindUnavailable,
		StatusCode: status,
		Message:    fmt.Sprintf("the server redirected %s, and redirects are not followed: check the URL", where),
		Err:        ErrRedirect,
	}
}

// redirectStatus reports a 3xx answer, which a client made by NoRedirects never returns as an
// answer when it has a Location, but may without one, and any other client may too.
func redirectStatus(resp *http.Response) bool {
	return resp.StatusCode >= 300 && resp.StatusCode <= 399
}

// redirectTarget is where a 3xx answer points, resolved against the request, or nil.
func redirectTarget(resp *http.Response) *url.URL {
	loc := strings.TrimSpace(resp.Header.Get("Location"))
	if loc == "" || resp.Request == nil || resp.Request.URL == nil {
		return nil
	}
	u, err := resp.Request.URL.Parse(loc)
	if err != nil {
		return nil
	}
	return u
}
