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

package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookkeeper/hookkeeper/providers"
)

// countingBase answers every request with an empty 200 and counts the requests per key.
type countingBase struct {
	mu    sync.Mutex
	byKey map[string]int
	total atomic.Int64
}

func (b *countingBase) RoundTrip(req *http.Request) (*http.Response, error) {
	b.total.Add(1)
	b.mu.Lock()
	if b.byKey == nil {
		b.byKey = map[string]int{}
	}
	b.byKey[KeyFrom(req.Context())]++
	b.mu.Unlock()
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Header: http.Header{}, Request: req}, nil
}

func (b *countingBase) sent(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byKey[key]
}

// send makes one GET under key through rt.
func send(ctx context.Context, rt http.RoundTripper, key string) error {
	req, err := http.NewRequestWithContext(WithKey(ctx, key), http.MethodGet, "http://saas.example/hooks", nil)
	if err != nil {
		return err
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// rateLimited asserts that err is the transport's own KindRateLimited error, and stores it in
// *out when out is not nil.
func rateLimited(t *testing.T, err error, out **providers.Error) {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *providers.Error", err, err)
	}
	if pe.Kind != providers.KindRateLimited || pe.Provider != "alpha" || pe.Op != "throttle" || pe.RetryAfter <= 0 {
		t.Fatalf("got %+v, want RateLimited alpha/throttle with a RetryAfter", pe)
	}
	if out != nil {
		*out = pe
	}
}

func TestKeyRoundTripsThroughTheContext(t *testing.T) {
	if got := KeyFrom(context.Background()); got != "" {
		t.Errorf("KeyFrom of a bare context = %q, want \"\"", got)
	}
	if got := KeyFrom(WithKey(context.Background(), "cred-1")); got != "cred-1" {
		t.Errorf("KeyFrom = %q, want cred-1", got)
	}
}

func TestKeysAreIsolated(t *testing.T) {
	base := &countingBase{}
	rt := Transport(base, "alpha", Limit{QPS: 0.001, Burst: 1, MaxWait: time.Millisecond})
	ctx := context.Background()
	if err := send(ctx, rt, "a"); err != nil {
		t.Fatalf("first request of a: %v", err)
	}
	rateLimited(t, send(ctx, rt, "a"), nil)
	start := time.Now()
	for _, key := range []string{"b", ""} {
		if err := send(ctx, rt, key); err != nil {
			t.Errorf("first request of %q after a ran dry: %v", key, err)
		}
	}
	if waited := time.Since(start); waited > 3*time.Second {
		t.Errorf("other keys waited %v behind a", waited)
	}
	if a, b, none := base.sent("a"), base.sent("b"), base.sent(""); a != 1 || b != 1 || none != 1 {
		t.Errorf("sent a=%d b=%d \"\"=%d, want 1 each", a, b, none)
	}
}

func TestShortWaitIsWaited(t *testing.T) {
	base := &countingBase{}
	// A turn every 100 ms; the default MaxWait of 2 s covers it.
	rt := Transport(base, "alpha", Limit{QPS: 10, Burst: 1})
	ctx := context.Background()
	start := time.Now()
	for i := range 3 {
		if err := send(ctx, rt, "a"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	// Two waits of about 100 ms each; allow for a coarse timer.
	if waited := time.Since(start); waited < 150*time.Millisecond {
		t.Errorf("three requests at 10 per second took %v, want about 200ms", waited)
	}
	if n := base.sent("a"); n != 3 {
		t.Errorf("%d requests reached base, want 3", n)
	}
}

func TestLongWaitFailsFast(t *testing.T) {
	base := &countingBase{}
	rt := Transport(base, "alpha", Limit{QPS: 0.001, Burst: 1})
	hc := &http.Client{Transport: rt}
	ctx := WithKey(context.Background(), "a")
	if err := send(ctx, rt, "a"); err != nil {
		t.Fatalf("first request: %v", err)
	}
	body := &closeRecorder{Reader: strings.NewReader("{}")}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://saas.example/hooks", body)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatal("second request went through")
	}
	var pe *providers.Error
	rateLimited(t, err, &pe) // through the *url.Error of http.Client
	if pe.RetryAfter < 100*time.Second {
		t.Errorf("RetryAfter = %v, want about 1000s at 0.001 per second", pe.RetryAfter)
	}
	if !strings.Contains(pe.Error(), "0.001 requests per second") {
		t.Errorf("error %q does not state the limit", pe.Error())
	}
	if waited := time.Since(start); waited > 3*time.Second {
		t.Errorf("the refused request waited %v instead of failing at once", waited)
	}
	if n := base.total.Load(); n != 1 {
		t.Errorf("%d requests reached base, want only the first", n)
	}
	if !body.closed.Load() {
		t.Error("the body of the refused request was not closed")
	}
}

// closeRecorder is a request body that remembers being closed.
type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeRecorder) Close() error {
	c.closed.Store(true)
	return nil
}

func TestRefusedRequestDoesNotUseATurn(t *testing.T) {
	base := &countingBase{}
	rt := Transport(base, "alpha", Limit{QPS: 1, Burst: 1, MaxWait: time.Millisecond}).(*transport)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rt.now = func() time.Time { return now }
	ctx := context.Background()
	if err := send(ctx, rt, "a"); err != nil {
		t.Fatalf("first request: %v", err)
	}
	for range 5 {
		rateLimited(t, send(ctx, rt, "a"), nil)
	}
	now = now.Add(time.Second)
	if err := send(ctx, rt, "a"); err != nil {
		t.Errorf("a second later, after five refusals: %v; the refusals used up turns", err)
	}
}

func TestCancelEndsTheWait(t *testing.T) {
	base := &countingBase{}
	// A turn every 4 s, well within a MaxWait of a minute: only the context can end the wait.
	rt := Transport(base, "alpha", Limit{QPS: 0.25, Burst: 1, MaxWait: time.Minute})
	if err := send(context.Background(), rt, "a"); err != nil {
		t.Fatalf("first request: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := send(ctx, rt, "a")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's deadline", err)
	}
	if waited := time.Since(start); waited > 3*time.Second {
		t.Errorf("the cancelled request waited %v for its turn", waited)
	}
	if n := base.total.Load(); n != 1 {
		t.Errorf("%d requests reached base, want only the first", n)
	}
}

func TestNoLimitReturnsBase(t *testing.T) {
	base := &countingBase{}
	for _, qps := range []float64{0, -1} {
		if rt := Transport(base, "alpha", Limit{QPS: qps, Burst: 5}); rt != http.RoundTripper(base) {
			t.Errorf("QPS %v: got %T, want base itself", qps, rt)
		}
	}
	if rt := Transport(nil, "alpha", Limit{}); rt != http.DefaultTransport {
		t.Errorf("nil base without a limit: got %T, want http.DefaultTransport", rt)
	}
	if rt, ok := Transport(nil, "alpha", Limit{QPS: 1}).(*transport); !ok || rt.base != http.DefaultTransport {
		t.Errorf("nil base with a limit: does not wrap http.DefaultTransport")
	}
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		in, want Limit
	}{
		{in: Limit{QPS: 10}, want: Limit{QPS: 10, Burst: 20, MaxWait: DefaultMaxWait}},
		{in: Limit{QPS: 0.1}, want: Limit{QPS: 0.1, Burst: 1, MaxWait: DefaultMaxWait}},
		{in: Limit{QPS: 2.5, Burst: -1, MaxWait: -time.Second}, want: Limit{QPS: 2.5, Burst: 5, MaxWait: DefaultMaxWait}},
		{in: Limit{QPS: 10, Burst: 3, MaxWait: time.Second}, want: Limit{QPS: 10, Burst: 3, MaxWait: time.Second}},
		{in: Limit{QPS: 1e300}, want: Limit{QPS: 1e300, Burst: 1<<31 - 1, MaxWait: DefaultMaxWait}},
	}
	for _, tt := range tests {
		if got := tt.in.normalized(); got != tt.want {
			t.Errorf("%+v normalized = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestIdleBucketsAreForgotten(t *testing.T) {
	base := &countingBase{}
	// Fast enough that no request of this test waits on the frozen clock.
	rt := Transport(base, "alpha", Limit{QPS: 1e6, Burst: 1000}).(*transport)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	rt.now = func() time.Time { return now }
	ctx := context.Background()
	buckets := func() int {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		return len(rt.buckets)
	}

	for i := range minSweepSize - 1 {
		if err := send(ctx, rt, fmt.Sprintf("idle-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	now = start.Add(9 * time.Minute)
	if err := send(ctx, rt, "busy"); err != nil {
		t.Fatal(err)
	}
	if n := buckets(); n != minSweepSize {
		t.Fatalf("%d buckets, want %d", n, minSweepSize)
	}

	// A full map is swept before the next new key joins it: the keys idle for 11 minutes go,
	// the one used 2 minutes ago stays.
	now = start.Add(11 * time.Minute)
	if err := send(ctx, rt, "late"); err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	_, busy := rt.buckets["busy"]
	_, late := rt.buckets["late"]
	n := len(rt.buckets)
	rt.mu.Unlock()
	if !busy || !late || n != 2 {
		t.Errorf("after the sweep: %d buckets, busy kept %v, late kept %v; want only busy and late", n, busy, late)
	}

	// Every sweepEvery-th request sweeps too, however small the map.
	now = start.Add(30 * time.Minute)
	for {
		rt.mu.Lock()
		calls := rt.calls
		rt.mu.Unlock()
		if calls%sweepEvery == sweepEvery-1 {
			break
		}
		if err := send(ctx, rt, "late"); err != nil {
			t.Fatal(err)
		}
	}
	if err := send(ctx, rt, "late"); err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	_, busy = rt.buckets["busy"]
	rt.mu.Unlock()
	if busy {
		t.Error("busy, idle for 21 minutes, survived the periodic sweep")
	}
}

func TestBucketStillRefillingIsKept(t *testing.T) {
	// At 0.001 per second a drained bucket takes over 16 minutes to refill: forgetting it after
	// 10 would hand its key a fresh burst early.
	rt := Transport(&countingBase{}, "alpha", Limit{QPS: 0.001, Burst: 1}).(*transport)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	rt.now = func() time.Time { return now }
	if err := send(context.Background(), rt, "slow"); err != nil {
		t.Fatal(err)
	}
	kept := func(at time.Duration) bool {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		rt.sweep(start.Add(at))
		_, ok := rt.buckets["slow"]
		return ok
	}
	if !kept(11 * time.Minute) {
		t.Error("a bucket still refilling was forgotten")
	}
	if kept(17 * time.Minute) {
		t.Error("a refilled bucket idle for 17 minutes was kept")
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]Limit
	}{
		{in: "", want: map[string]Limit{}},
		{in: "alpha=10", want: map[string]Limit{"alpha": {QPS: 10}}},
		{in: "alpha=10,beta=20,gamma=10:20,delta=5", want: map[string]Limit{
			"alpha": {QPS: 10}, "beta": {QPS: 20}, "gamma": {QPS: 10, Burst: 20}, "delta": {QPS: 5}}},
		{in: " alpha = 0.5 : 3 , gamma=0 ,", want: map[string]Limit{"alpha": {QPS: 0.5, Burst: 3}, "gamma": {}}},
		{in: "x=1e2", want: map[string]Limit{"x": {QPS: 100}}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{in: "alpha", want: `"alpha": want name=qps or name=qps:burst`},
		{in: "=5", want: `"=5": the provider name is missing`},
		{in: "alpha=x", want: `"alpha=x": the rate must be a number of requests per second, 0 for no limit`},
		{in: "alpha=", want: `"alpha=": the rate must be a number`},
		{in: "alpha=-1", want: `"alpha=-1": the rate must be`},
		{in: "alpha=NaN", want: `"alpha=NaN": the rate must be`},
		{in: "alpha=+Inf", want: `"alpha=+Inf": the rate must be`},
		{in: "alpha=10:0", want: `"alpha=10:0": the burst after ":" must be a whole number of requests, at least 1`},
		{in: "alpha=10:2.5", want: `"alpha=10:2.5": the burst`},
		{in: "alpha=10:", want: `"alpha=10:": the burst`},
		{in: "alpha=1,gamma=2,alpha=3", want: `"alpha=3": alpha is given more than once`},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.want)
		}
	}
}

// TestShareSplitsTheLimit runs three transports, as three replicas would, under one Limit of 10
// requests per second with a burst of 6, split three ways: each sends as fast as its part lets
// it, for 20 simulated seconds. Each gets a third of the rate and a burst of 2, and together
// they stay within the Limit: at most its burst plus 10 a second.
func TestShareSplitsTheLimit(t *testing.T) {
	share := &Share{}
	share.Set(3)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }
	l := Limit{QPS: 10, Burst: 6, MaxWait: time.Nanosecond, Share: share}
	base := &countingBase{}
	var replicas []*transport
	for range 3 {
		rt := Transport(base, "alpha", l).(*transport)
		rt.now = clock
		replicas = append(replicas, rt)
	}
	ctx := context.Background()
	sent := make([]int, len(replicas))
	// The burst first: two requests each, the third refused with a third of a second to wait.
	for i, rt := range replicas {
		for range 2 {
			if err := send(ctx, rt, "account"); err != nil {
				t.Fatalf("replica %d, within its burst of 2: %v", i, err)
			}
			sent[i]++
		}
		var pe *providers.Error
		rateLimited(t, send(ctx, rt, "account"), &pe)
		if want := 300 * time.Millisecond; pe.RetryAfter < want-time.Millisecond || pe.RetryAfter > want+time.Millisecond {
			t.Errorf("replica %d: RetryAfter %s past its burst, want %s (10 requests per second split three ways)", i, pe.RetryAfter, want)
		}
		if !strings.Contains(pe.Message, "among 3") {
			t.Errorf("replica %d: message %q does not say the limit is split", i, pe.Message)
		}
	}
	const seconds = 20
	for step := 0; step < seconds*1000; step++ {
		now = now.Add(time.Millisecond)
		for i, rt := range replicas {
			if send(ctx, rt, "account") == nil {
				sent[i]++
			}
		}
	}
	total := 0
	for i, n := range sent {
		total += n
		// A third of 10 a second for 20 s, after a burst of 2.
		if n < 2+66 || n > 2+67 {
			t.Errorf("replica %d sent %d requests in %d s, want 2 + 66 or 67", i, n, seconds)
		}
	}
	if limit := 6 + 10*seconds; total > limit {
		t.Errorf("the three replicas sent %d requests in %d s, above the Limit's %d", total, seconds, limit)
	}
	if total != base.sent("account") {
		t.Errorf("%d requests counted as sent, the base got %d", total, base.sent("account"))
	}
}

// TestShareChangeAppliesToEveryBucket: a bucket cut for one process takes its part at its next
// request when a second process joins, spending the tokens beyond its smaller burst, and the
// whole limit again when the other leaves.
func TestShareChangeAppliesToEveryBucket(t *testing.T) {
	share := &Share{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rt := Transport(&countingBase{}, "alpha", Limit{QPS: 4, Burst: 8, MaxWait: time.Nanosecond, Share: share}).(*transport)
	rt.now = func() time.Time { return now }
	ctx := context.Background()
	burst := func() int {
		n := 0
		for send(ctx, rt, "a") == nil {
			n++
		}
		return n
	}
	if share.N() != 1 || (*Share)(nil).N() != 1 {
		t.Fatalf("a new Share is %d processes, a nil one %d: want 1", share.N(), (*Share)(nil).N())
	}
	// Alone, a full bucket holds 8.
	if got := burst(); got != 8 {
		t.Fatalf("alone: a burst of %d, want 8", got)
	}
	// Refilled, then a second process joins: the bucket keeps a burst of 4, not 8.
	now = now.Add(10 * time.Second)
	share.Set(2)
	if got := burst(); got != 4 {
		t.Errorf("split between two: a burst of %d, want 4", got)
	}
	// Its rate is 2 a second: one more after half a second.
	now = now.Add(500 * time.Millisecond)
	if got := burst(); got != 1 {
		t.Errorf("split between two, half a second later: %d requests, want 1", got)
	}
	// Alone again: 4 a second, and the burst grows back to 8 as the bucket refills.
	share.Set(0)
	if share.N() != 1 {
		t.Fatalf("Set(0): %d processes, want 1", share.N())
	}
	if got := burst(); got != 0 {
		t.Errorf("alone again, at once: %d requests, want none (the bucket was empty)", got)
	}
	now = now.Add(250 * time.Millisecond)
	if got := burst(); got != 1 {
		t.Errorf("alone again, a quarter second later: %d requests, want 1", got)
	}
	now = now.Add(10 * time.Second)
	if got := burst(); got != 8 {
		t.Errorf("alone again, refilled: a burst of %d, want 8", got)
	}
}

// holds is a settable Gate: how long each key is held from now.
type holds struct {
	mu sync.Mutex
	m  map[string]time.Duration
}

func (h *holds) set(key string, d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]time.Duration{}
	}
	h.m[key] = d
}

func (h *holds) Wait(key string) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[key]
}

// heldError asserts that err is the transport's KindRateLimited error of a held key, with the rest of
// the hold as RetryAfter.
func heldError(t *testing.T, err error, want time.Duration) {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *providers.Error", err, err)
	}
	if pe.Kind != providers.KindRateLimited || pe.Provider != "alpha" || pe.Op != OpHold || pe.RetryAfter != want {
		t.Fatalf("got %+v, want RateLimited alpha/%s with RetryAfter %s", pe, OpHold, want)
	}
}

// TestHoldStopsRequestsBeforeAndAfterTheirTurn: a request of a held key is not sent and takes no
// turn; one of another key is; and one that waits its turn while its key becomes held (a 429 that
// another request brought back meanwhile) is not sent when its turn comes.
func TestHoldStopsRequestsBeforeAndAfterTheirTurn(t *testing.T) {
	base := &countingBase{}
	h := &holds{}
	rt := Transport(base, "alpha", Limit{QPS: 5, Burst: 1, MaxWait: time.Second, Gate: h})
	ctx := context.Background()
	h.set("a", 8*time.Second)
	heldError(t, send(ctx, rt, "a"), 8*time.Second)
	if base.sent("a") != 0 {
		t.Fatalf("a held request was sent")
	}
	if err := send(ctx, rt, "b"); err != nil {
		t.Fatalf("a request of a key that is not held: %v", err)
	}
	// b's next request waits 200 ms for its turn; b becomes held meanwhile.
	done := make(chan error, 1)
	go func() { done <- send(ctx, rt, "b") }()
	time.Sleep(50 * time.Millisecond)
	h.set("b", 5*time.Second)
	heldError(t, <-done, 5*time.Second)
	if got := base.sent("b"); got != 1 {
		t.Errorf("b: %d requests sent, want only the one before the hold", got)
	}
	// The hold over, a's first request goes at once: the held ones took no turn.
	h.set("a", 0)
	if err := send(ctx, rt, "a"); err != nil {
		t.Errorf("a, no longer held: %v", err)
	}
}

// TestHoldWithoutRate: a Limit without a rate but with a Gate still holds requests back.
func TestHoldWithoutRate(t *testing.T) {
	base := &countingBase{}
	h := &holds{}
	rt := Transport(base, "alpha", Limit{Gate: h})
	if rt == http.RoundTripper(base) {
		t.Fatal("Transport returned base itself: the Gate would never be asked")
	}
	ctx := context.Background()
	h.set("a", time.Second)
	heldError(t, send(ctx, rt, "a"), time.Second)
	for range 10 {
		if err := send(ctx, rt, "b"); err != nil {
			t.Fatalf("no rate, not held: %v", err)
		}
	}
	if base.sent("a") != 0 || base.sent("b") != 10 {
		t.Errorf("sent a=%d b=%d, want 0 and 10", base.sent("a"), base.sent("b"))
	}
}
