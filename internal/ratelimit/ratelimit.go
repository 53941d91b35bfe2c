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

// Package ratelimit paces the requests to a SaaS on the client side, one token bucket per
// credential, so that many Webhooks sharing one credential do not run into the SaaS's own rate
// limit. The credential travels in the request's context as an opaque key (a hash, never the
// secret itself); a request that would have to wait too long fails at once with a
// providers.KindRateLimited error, whose RetryAfter lets the controller pause the Webhooks of
// that credential instead of blocking a worker. Processes that send requests with the same
// credentials (the replicas of a sharded operator) split the rate between them with a Share.
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/hookkeeper/hookkeeper/providers"
)

// DefaultMaxWait is how long a request may wait for its turn when Limit.MaxWait is 0.
const DefaultMaxWait = 2 * time.Second

// The Op of the errors of requests the transport does not send.
const (
	// OpThrottle: the request would have waited longer than MaxWait for its turn.
	OpThrottle = "throttle"
	// OpHold: the request's key is held (Limit.Gate), such as by the SaaS's Retry-After.
	OpHold = "hold"
)

const (
	// idleAfter is how long a bucket must go unused before it may be forgotten.
	idleAfter = 10 * time.Minute
	// sweepEvery is how many requests pass between two looks for idle buckets.
	sweepEvery = 256
	// minSweepSize is the number of buckets that, once reached, triggers a look for idle ones
	// whatever the request count; it doubles with the buckets that survive.
	minSweepSize = 64
)

type keyType struct{}

// WithKey returns a copy of ctx whose requests are limited under key: every request made with
// the same key shares one bucket. The key must not be a secret; a hash of the credential is.
func WithKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyType{}, key)
}

// KeyFrom returns the key that WithKey put into ctx, or "".
func KeyFrom(ctx context.Context) string {
	key, _ := ctx.Value(keyType{}).(string)
	return key
}

// Limit is one provider's client-side rate, per credential.
type Limit struct {
	// QPS is the sustained rate in requests per second per credential; 0 or less means no limit.
	QPS float64
	// Burst is how many requests may go at once after a quiet spell; below 1 means twice QPS
	// (and at least 1).
	Burst int
	// MaxWait is the longest a request waits for its turn; one that would wait longer fails at
	// once with a KindRateLimited error. 0 means DefaultMaxWait.
	MaxWait time.Duration
	// Share, when set, splits the limit among the processes that send requests with the same
	// credentials: this process gets its part of QPS and Burst (see Share).
	Share *Share
	// Gate, when set, holds requests back, such as while the SaaS's Retry-After holds their
	// credential back. It is asked before a request takes its turn and again once the turn has
	// come, right before the request is sent: a request that waited its turn while its key became
	// held is not sent either.
	Gate Gate
}

// Gate says how long no request of a key may be sent; 0 when it may.
type Gate interface {
	Wait(key string) time.Duration
}

// Share is how many processes split a Limit, such as the live replicas of a sharded operator,
// which may all send requests for one SaaS account: each of n gets QPS/n and Burst/n (rounded
// down, at least 1), so that together they stay within the Limit. A change of n applies to every
// bucket at its next request. The zero value is one process alone; a Share is safe for concurrent
// use.
type Share struct {
	n atomic.Int64
}

// Set makes n processes split the limit; below 1 counts as 1.
func (s *Share) Set(n int) {
	s.n.Store(int64(max(1, n)))
}

// N is how many processes split the limit: at least 1, and 1 for a nil Share.
func (s *Share) N() int {
	if s == nil {
		return 1
	}
	return int(max(1, s.n.Load()))
}

// part is the rate and burst of one of n processes.
func (l Limit) part(n int) (rate.Limit, int) {
	return rate.Limit(l.QPS / float64(n)), max(1, l.Burst/n)
}

// normalized returns l with the defaults filled in.
func (l Limit) normalized() Limit {
	if l.Burst < 1 {
		l.Burst = max(1, int(math.Min(2*l.QPS, math.MaxInt32)))
	}
	if l.MaxWait <= 0 {
		l.MaxWait = DefaultMaxWait
	}
	return l
}

// Transport returns an http.RoundTripper that holds each request back as long as its key's
// bucket asks (see WithKey; requests without a key share one bucket), then passes it to base
// (http.DefaultTransport when nil). A request that would wait longer than l.MaxWait is not sent:
// it fails with a *providers.Error of KindRateLimited, Op OpThrottle and the wait as RetryAfter.
// A request whose key l.Gate holds, before its turn or once it has come, is not sent either: it
// fails the same way with Op OpHold and the rest of the hold as RetryAfter. A request whose
// context ends while it waits fails with the context's error. With l.Share, each bucket holds
// this process's part of l (see Share). With l.QPS 0 or less there is no bucket: Transport
// returns base (http.DefaultTransport when nil) itself, or with a Gate only the Gate's check.
func Transport(base http.RoundTripper, provider string, l Limit) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if l.QPS <= 0 {
		if l.Gate == nil {
			return base
		}
		return &holdTransport{base: base, provider: provider, gate: l.Gate}
	}
	return &transport{base: base, provider: provider, limit: l.normalized(), now: time.Now}
}

// holdTransport passes to base the requests whose key is not held: the Transport of a Limit
// without a rate but with a Gate.
type holdTransport struct {
	base     http.RoundTripper
	provider string
	gate     Gate
}

func (t *holdTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := held(t.gate, t.provider, req); err != nil {
		return nil, err
	}
	return t.base.RoundTrip(req)
}

// held returns the error of a request whose key gate holds, its body closed; nil when it may go.
func held(gate Gate, provider string, req *http.Request) error {
	if gate == nil {
		return nil
	}
	wait := gate.Wait(KeyFrom(req.Context()))
	if wait <= 0 {
		return nil
	}
	closeBody(req)
	return &providers.Error{
		Kind:       providers.KindRateLimited,
		Provider:   provider,
		Op:         OpHold,
		RetryAfter: wait,
		Message:    fmt.Sprintf("requests with these credentials are held back for %s more (the SaaS's Retry-After)", wait.Round(time.Millisecond)),
	}
}

// transport limits the requests it passes to base.
type transport struct {
	base     http.RoundTripper
	provider string
	limit    Limit
	now      func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	calls     int
	sweepSize int
}

// bucket is the limiter of one key and when it last served a request; n is the Share it is cut
// for.
type bucket struct {
	lim      *rate.Limiter
	lastUsed time.Time
	n        int
}

// RoundTrip waits for the request's turn, or fails without sending it; see Transport.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := held(t.limit.Gate, t.provider, req); err != nil {
		return nil, err
	}
	now := t.now()
	r, n := t.reserve(KeyFrom(req.Context()), now)
	delay := r.DelayFrom(now)
	if !r.OK() || delay > t.limit.MaxWait {
		r.CancelAt(now)
		closeBody(req)
		if !r.OK() {
			delay = t.limit.MaxWait // unreachable with a burst of at least 1; be safe anyway
		}
		return nil, &providers.Error{
			Kind:       providers.KindRateLimited,
			Provider:   t.provider,
			Op:         OpThrottle,
			RetryAfter: delay,
			Message:    t.limitMessage(n),
		}
	}
	if delay > 0 {
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-req.Context().Done():
			timer.Stop()
			// Give the turn back to the requests queued behind this one.
			r.CancelAt(t.now())
			closeBody(req)
			return nil, req.Context().Err()
		}
		// The key may have become held while the request waited: a Retry-After that another
		// request brought back meanwhile holds this one too.
		if err := held(t.limit.Gate, t.provider, req); err != nil {
			return nil, err
		}
	}
	return t.base.RoundTrip(req)
}

// limitMessage is the message of a request the limit refuses, n processes sharing it.
func (t *transport) limitMessage(n int) string {
	if n <= 1 {
		return fmt.Sprintf("client-side limit of %g requests per second per credential reached", t.limit.QPS)
	}
	qps, _ := t.limit.part(n)
	return fmt.Sprintf("client-side limit of %g requests per second per credential reached (this process's share: %g, the limit split among %d)",
		t.limit.QPS, float64(qps), n)
}

// reserve takes a turn in key's bucket, creating the bucket on first use, and returns it with
// the number of processes the bucket is cut for.
func (t *transport) reserve(key string, now time.Time) (*rate.Reservation, int) {
	n := t.limit.Share.N()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls++
	if t.calls%sweepEvery == 0 || len(t.buckets) >= max(t.sweepSize, minSweepSize) {
		t.sweep(now)
	}
	b := t.buckets[key]
	qps, burst := t.limit.part(n)
	switch {
	case b == nil:
		if t.buckets == nil {
			t.buckets = map[string]*bucket{}
		}
		b = &bucket{lim: rate.NewLimiter(qps, burst), n: n}
		t.buckets[key] = b
	case b.n != n:
		// The processes sharing the limit changed: the bucket takes its new part at once. The
		// tokens beyond a smaller burst are spent, so that no burst of the old part follows.
		b.lim.SetLimitAt(now, qps)
		if extra := int(b.lim.TokensAt(now)) - burst; extra > 0 {
			b.lim.AllowN(now, extra)
		}
		b.lim.SetBurstAt(now, burst)
		b.n = n
	}
	b.lastUsed = now
	return b.lim.ReserveN(now, 1), n
}

// sweep forgets the buckets unused for idleAfter that have refilled: a new bucket starts full,
// so forgetting a full one changes nothing but the memory held. t.mu must be held.
func (t *transport) sweep(now time.Time) {
	for key, b := range t.buckets {
		if now.Sub(b.lastUsed) > idleAfter && b.lim.TokensAt(now) >= float64(b.lim.Burst()) {
			delete(t.buckets, key)
		}
	}
	t.sweepSize = 2 * len(t.buckets)
}

// closeBody closes the body of a request that will not be sent, as a RoundTripper must.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// Parse reads a comma-separated list of per-provider limits such as
// "webex=10,eightbyeight=20,autodesk=10:20": each item is name=qps or name=qps:burst, where qps is
// a number of requests per second (0 for no limit) and burst a whole number of at least 1 (twice
// qps when left out). Blank items are skipped. The names are returned as given: checking them is
// the caller's. MaxWait is left 0, its default.
func Parse(s string) (map[string]Limit, error) {
	limits := map[string]Limit{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, value, ok := strings.Cut(item, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok {
			return nil, fmt.Errorf("%q: want name=qps or name=qps:burst", item)
		}
		if name == "" {
			return nil, fmt.Errorf("%q: the provider name is missing before \"=\"", item)
		}
		if _, dup := limits[name]; dup {
			return nil, fmt.Errorf("%q: %s is given more than once", item, name)
		}
		qpsText, burstText, hasBurst := strings.Cut(value, ":")
		qps, err := strconv.ParseFloat(strings.TrimSpace(qpsText), 64)
		if err != nil || qps < 0 || math.IsNaN(qps) || math.IsInf(qps, 0) {
			return nil, fmt.Errorf("%q: the rate must be a number of requests per second, 0 for no limit", item)
		}
		l := Limit{QPS: qps}
		if hasBurst {
			burst, err := strconv.Atoi(strings.TrimSpace(burstText))
			if err != nil || burst < 1 {
				return nil, fmt.Errorf("%q: the burst after \":\" must be a whole number of requests, at least 1 (leave it out for twice the rate)", item)
			}
			l.Burst = burst
		}
		limits[name] = l
	}
	return limits, nil
}
