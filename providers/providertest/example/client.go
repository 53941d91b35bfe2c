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

package example

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/internal/httpx"
)

// do sends one request with the token of req and decodes a 2xx answer into out (when not nil).
// Every failure is a *providers.Error; no text of it carries the token.
func (p *Provider) do(ctx context.Context, req *providers.Request, op, method, path string, in, out any) error {
	token, err := httpx.Credential(req, Name, op, CredentialToken)
	if err != nil {
		return err
	}
	redact := req.SecretValues()
	hr, err := httpx.NewJSONRequest(ctx, method, p.base+path, token, in)
	if err != nil {
		return httpx.Unavailable(Name, op, 0, err, redact)
	}
	resp, err := httpx.Send(p.hc, hr, Name, op, redact)
	if err != nil {
		return err
	}
	if !resp.OK() {
		var body struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(resp.Body, &body) // another body still gives the status's error
		e := &providers.Error{Kind: providers.KindForStatus(resp.StatusCode), Provider: Name, Op: op,
			StatusCode: resp.StatusCode, Message: httpx.SafeText(strings.TrimSpace(body.Error), redact)}
		httpx.SetRetryAfter(e, resp.Header, providers.MaxRetryAfter/60)
		return e
	}
	if out == nil || len(resp.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return httpx.Unavailable(Name, op, resp.StatusCode, fmt.Errorf("decoding the answer: %w", err), redact)
	}
	return nil
}
