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
	"io"
	"strings"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
)

func TestReadLimited(t *testing.T) {
	if body, err := ReadLimited(strings.NewReader(strings.Repeat("a", MaxBodyBytes))); err != nil || len(body) != MaxBodyBytes {
		t.Errorf("a body of exactly MaxBodyBytes: %d bytes, %v", len(body), err)
	}
	if _, err := ReadLimited(strings.NewReader(strings.Repeat("a", MaxBodyBytes+1))); err == nil {
		t.Error("a body larger than MaxBodyBytes was read")
	}
}

func TestUnavailableScrubsAndKeepsTheCause(t *testing.T) {
	e := Unavailable("p", "get", 0, io.ErrUnexpectedEOF, []string{"secret-1234"})
	if e.Kind != providers.KindUnavailable || e.Provider != "p" || e.Op != "get" || !errors.Is(e, io.ErrUnexpectedEOF) {
		t.Errorf("got %+v, want Unavailable p/get wrapping the cause", e)
	}

	cause := errors.New("proxy refused Bearer secret-1234")
	e = Unavailable("p", "get", 502, cause, []string{"secret-1234"})
	if strings.Contains(e.Error(), "secret-1234") || e.StatusCode != 502 {
		t.Errorf("got %q (status %d), want the secret redacted and status 502", e.Error(), e.StatusCode)
	}
	if errors.Is(e, cause) {
		t.Error("a cause that quotes a credential is still reachable through Unwrap")
	}
}
