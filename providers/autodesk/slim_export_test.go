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

// WholeList lists as List did before it kept slim hooks: each Remote holds the whole decoded
// wire object. It serves the measurement of what slimming saves.
func WholeList(ctx context.Context, p *Provider, req *providers.Request) ([]*providers.Remote, error) {
	spec, err := autodeskSpec(req)
	if err != nil {
		return nil, err
	}
	c, err := p.client(req, "list")
	if err != nil {
		return nil, err
	}
	region := specLocation(spec).Region
	hooks, err := c.list(ctx, "list", region, webhooksPath+"/hooks", nil)
	if err != nil {
		return nil, err
	}
	remotes := make([]*providers.Remote, 0, len(hooks))
	for i := range hooks {
		h := hooks[i]
		own := locationOf(&h, location{Region: region})
		h.Region, h.System, h.Event = own.Region, own.System, own.Event
		r := toRemote(&h)
		r.Object = &h
		remotes = append(remotes, r)
	}
	return remotes, nil
}
