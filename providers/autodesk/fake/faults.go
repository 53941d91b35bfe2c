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

package fake

import "github.com/hookkeeper/hookkeeper/internal/test/simulator"

// Fault makes matching requests fail. Its Key is the client id: for the token endpoint the Basic
// user (or form client_id), for the API the client the bearer token was issued to, or the token
// itself for one added with AddToken. Path "/authentication/" limits a fault to token requests,
// "/webhooks/" to API requests. See simulator.Fault.
type Fault = simulator.Fault

// ResetCounts sets the request counters, TokenRequests included, back to zero.
func (s *Server) ResetCounts() {
	s.base.ResetCounts()
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokenRequests)
}
