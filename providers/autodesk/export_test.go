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

	"github.com/hookkeeper/hookkeeper/providers"
)

// FindHooks runs, for the tests, the narrowed search that a create whose 201 named no id uses to
// recover it: the spec's event, filtered by its first scope entry, every page, kept by Matches.
func FindHooks(ctx context.Context, p *Provider, req *providers.Request) ([]*providers.Remote, error) {
	spec, err := autodeskSpec(req)
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "list")
	if err != nil {
		return nil, err
	}
	hooks, err := c.findHooks(ctx, "list", req, spec)
	if err != nil {
		return nil, err
	}
	found := make([]*providers.Remote, 0, len(hooks))
	for i := range hooks {
		found = append(found, toRemote(&hooks[i]))
	}
	return found, nil
}
