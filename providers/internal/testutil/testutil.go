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

// Package testutil holds the test helpers every provider's tests share. It is imported by _test
// files only.
package testutil

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
)

// ProviderError asserts that err is a *providers.Error and returns it.
func ProviderError(t testing.TB, err error) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *providers.Error", err, err)
	}
	return pe
}

// AssertNoSecrets checks every text an error offers: that of err and of each error it wraps
// must contain none of inText, and the Message and TrackingID of the *providers.Error inside it
// none of inFields. Empty values are skipped.
func AssertNoSecrets(t testing.TB, err error, inText, inFields []string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range inText {
			if s != "" && strings.Contains(e.Error(), s) {
				t.Errorf("error text %q contains %q", e.Error(), s)
			}
		}
	}
	var pe *providers.Error
	if errors.As(err, &pe) {
		for _, s := range inFields {
			if s != "" && (strings.Contains(pe.TrackingID, s) || strings.Contains(pe.Message, s)) {
				t.Errorf("error fields carry %q: %+v", s, pe)
			}
		}
	}
}

// LeakyTransport fails every request with an error that quotes the Authorization header, as a
// badly written proxy or middleware might.
type LeakyTransport struct{}

// RoundTrip fails with the request's Authorization header in the error text.
func (LeakyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, errors.New("proxy refused request with " + req.Header.Get("Authorization"))
}
