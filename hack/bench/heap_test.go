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

package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// TestInuseByFunction: the live heap is summed by the allocating function, largest first.
func TestInuseByFunction(t *testing.T) {
	fn := func(name string) *profile.Location {
		return &profile.Location{Line: []profile.Line{{Function: &profile.Function{Name: name}}}}
	}
	informer, decode := fn("k8s.io/client-go/tools/cache.(*threadSafeMap).Add"), fn("encoding/json.Unmarshal")
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "alloc_space"}, {Type: "inuse_space"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{informer}, Value: []int64{9 << 20, 3 << 20}},
			{Location: []*profile.Location{decode}, Value: []int64{1 << 20, 1 << 20}},
			{Location: []*profile.Location{informer}, Value: []int64{0, 1 << 20}},
		},
	}
	total, top := inuseByFunction(p)
	if total != 5 || len(top) != 2 || top[0].Function != informer.Line[0].Function.Name || top[0].MiB != 4 || top[1].MiB != 1 {
		t.Errorf("total %v, top %+v; want 5 MiB, the informer's 4 MiB first", total, top)
	}
}

// The tracker reads this very process: a peak, the figure at its first sample, and a polled
// anonymous peak no larger than the whole.
func TestRSSTracker(t *testing.T) {
	tr := &rssTracker{pid: os.Getpid()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); tr.poll(ctx, 10*time.Millisecond) }()
	tr.sample()
	time.Sleep(50 * time.Millisecond)
	tr.sample()
	cancel()
	<-done
	peak, start, anon := tr.figures()
	if tr.err != nil || peak <= 0 || start <= 0 || start > peak || anon <= 0 || anon > peak {
		t.Fatalf("peak %.1f, start %.1f, anon %.1f MiB, err %v", peak, start, anon, tr.err)
	}
}
