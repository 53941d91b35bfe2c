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

package testutil

import "runtime"

// RetainedBytes reports the live heap that build's result keeps once the garbage collector has
// run, divided by n: with build returning n Remotes, what each costs in a snapshot that keeps
// them, transient garbage (response bodies, decoded pages, pooled buffers) excluded. It is a figure for the test
// log, never for an assertion: other goroutines of the test binary move it by a few bytes.
func RetainedBytes(n int, build func() any) float64 {
	var before, after runtime.MemStats
	settle()
	runtime.ReadMemStats(&before)
	kept := build()
	settle()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// settle collects twice: what sync.Pools held at the first collection is freed by the second.
func settle() {
	runtime.GC()
	runtime.GC()
}
