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
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// heapEntry is one function's share of the operator's live heap, its own allocations only.
type heapEntry struct {
	Function string  `json:"function"`
	MiB      float64 `json:"mib"`
}

// heapTop is how many functions the report lists.
const heapTop = 10

// heapProfile takes a heap profile from the operator's pprof endpoint after a garbage
// collection, writes it next to the JSON results as name (for go tool pprof), and returns the live heap
// in all and the functions that hold most of it.
func heapProfile(ctx context.Context, pprofAddr, dir, name string) (total float64, top []heapEntry, file string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+pprofAddr+"/debug/pprof/heap?gc=1", nil)
	if err != nil {
		return 0, nil, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, "", fmt.Errorf("heap profile: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, "", fmt.Errorf("heap profile: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, nil, "", fmt.Errorf("heap profile: status %d", resp.StatusCode)
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err == nil {
			file = filepath.Join(dir, name)
			if err := os.WriteFile(file, data, 0o644); err != nil {
				file = ""
			}
		}
	}
	p, err := profile.ParseData(data)
	if err != nil {
		return 0, nil, file, fmt.Errorf("heap profile: %w", err)
	}
	total, top = inuseByFunction(p)
	return total, top, file, nil
}

// inuseByFunction sums the in-use bytes of p by the function that allocated them (the leaf of
// each sample's stack) and returns the total and the largest heapTop, in MiB.
func inuseByFunction(p *profile.Profile) (float64, []heapEntry) {
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "inuse_space" {
			idx = i
		}
	}
	if idx < 0 {
		return 0, nil
	}
	byFunc := map[string]int64{}
	var total int64
	for _, s := range p.Sample {
		v := s.Value[idx]
		total += v
		name := "unknown"
		if len(s.Location) > 0 && len(s.Location[0].Line) > 0 && s.Location[0].Line[0].Function != nil {
			name = s.Location[0].Line[0].Function.Name
		}
		byFunc[name] += v
	}
	var entries []heapEntry
	for f, v := range byFunc {
		entries = append(entries, heapEntry{Function: f, MiB: float64(v) / (1 << 20)})
	}
	slices.SortFunc(entries, func(a, b heapEntry) int {
		if a.MiB != b.MiB {
			if a.MiB > b.MiB {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Function, b.Function)
	})
	if len(entries) > heapTop {
		entries = entries[:heapTop]
	}
	return float64(total) / (1 << 20), entries
}

// heapProfiles shows where the memory goes with every Webhook in the caches: each replica's
// live heap by allocating function, saved next to the JSON when there is one.
func (b *benchRun) heapProfiles(ctx context.Context) {
	o, res := b.o, &b.res
	profileDir := ""
	if o.jsonPath != "" {
		profileDir = filepath.Dir(o.jsonPath)
	}
	for i, r := range b.reps {
		name := "heap.pprof"
		if o.sharded() {
			name = "heap-" + r.id + ".pprof"
		}
		total, top, file, err := heapProfile(ctx, r.pprofAddr, profileDir, name)
		switch {
		case err != nil:
			b.say("      heap profile of %s: %v", r.name(), err)
		case o.sharded():
			res.Replicas[i].HeapInuseMiB = total
			b.say("      %s: live heap %.1f MiB after a GC%s", r.id, total, inFile(file))
		default:
			res.HeapInuseMiB, res.HeapTop = total, top
			b.say("      live heap %.1f MiB after a GC%s; the functions that allocated most of it:", total, inFile(file))
			for _, e := range top {
				b.say("        %6.1f MiB  %s", e.MiB, e.Function)
			}
		}
	}
}

// inFile names the file a heap profile was saved to, for the line that shows the profile.
func inFile(file string) string {
	if file == "" {
		return ""
	}
	return " (profile: " + file + ", for go tool pprof)"
}
