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

package controllers

import (
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	hooksv1alpha1 "github.com/hookkeeper/hookkeeper/api/v1alpha1"
	"github.com/hookkeeper/hookkeeper/internal/apiconsts"
)

// namespaceShards owns the namespaces it lists and reports share as its part of the space.
type namespaceShards struct {
	own   []string
	share float64
}

func (s namespaceShards) Enter(ns string) bool { return s.Owns(ns) }
func (namespaceShards) Leave(string)           {}
func (s namespaceShards) Owns(ns string) bool  { return slices.Contains(s.own, ns) }
func (s namespaceShards) Share() float64       { return s.share }

// gathered is what one replica's collector reports: hookkeeper_webhooks by "namespace/provider/
// reason", and hookkeeper_shard_share (-1 when absent).
type gathered struct {
	webhooks map[string]float64
	share    float64
}

func gatherCollector(t *testing.T, index *webhookIndex, gate Shards) gathered {
	t.Helper()
	c := &webhookCollector{}
	c.index.Store(index)
	c.names.Store(&map[hooksv1alpha1.ProviderType]string{hooksv1alpha1.ProviderType("p"): "p"})
	c.shards.Store(&shardsOf{gate: gate})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := gathered{webhooks: map[string]float64{}, share: -1}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			switch f.GetName() {
			case "hookkeeper_webhooks":
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				out.webhooks[labels["namespace"]+"/"+labels["provider"]+"/"+labels["reason"]] = m.GetGauge().GetValue()
			case "hookkeeper_shard_share":
				out.share = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

// TestWebhooksGaugeCountsOwnedNamespaces: hookkeeper_webhooks counts by namespace, provider and
// reason the Webhooks of the namespaces the replica owns, so that its sum over the replicas
// counts each Webhook once whether the operator runs alone, with leader election or sharded;
// hookkeeper_shard_share sums to 1 over them.
func TestWebhooksGaugeCountsOwnedNamespaces(t *testing.T) {
	index := newWebhookIndex(nil)
	n := 0
	add := func(ns, reason string, deleting bool) {
		n++
		wh := &hooksv1alpha1.Webhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "w" + strconv.Itoa(n), UID: types.UID(strconv.Itoa(n))},
			Spec: hooksv1alpha1.WebhookSpec{Provider: "p"}}
		if reason != "" {
			wh.Status.Conditions = []metav1.Condition{{Type: hooksv1alpha1.ConditionReady, Reason: reason}}
		}
		if deleting {
			wh.DeletionTimestamp = &metav1.Time{Time: time.Unix(1, 0)}
			wh.Finalizers = []string{hooksv1alpha1.Finalizer}
		}
		index.put(wh)
	}
	add("team-a", hooksv1alpha1.ReasonAvailable, false)
	add("team-a", hooksv1alpha1.ReasonAvailable, false)
	add("team-a", hooksv1alpha1.ReasonInvalidSpec, false)
	add("team-b", hooksv1alpha1.ReasonUnauthorized, false)
	add("team-b", "", false)
	add("team-c", hooksv1alpha1.ReasonAvailable, true)
	all := map[string]float64{
		"team-a/p/Available":    2,
		"team-a/p/InvalidSpec":  1,
		"team-b/p/Unauthorized": 1,
		"team-b/p/None":         1,
		"team-c/p/Deleting":     1,
	}
	sum := func(replicas ...gathered) gathered {
		out := gathered{webhooks: map[string]float64{}}
		for _, r := range replicas {
			for k, v := range r.webhooks {
				out.webhooks[k] += v
			}
			out.share += r.share
		}
		return out
	}
	for name, replicas := range map[string][]Shards{
		"one replica":     {nil},
		"leader election": {namespaceShards{own: []string{"team-a", "team-b", "team-c"}, share: 1}, namespaceShards{}},
		"sharding":        {namespaceShards{own: []string{"team-a"}, share: 0.25}, namespaceShards{own: []string{"team-b", "team-c"}, share: 0.75}},
	} {
		t.Run(name, func(t *testing.T) {
			var got []gathered
			for _, gate := range replicas {
				got = append(got, gatherCollector(t, index, gate))
			}
			total := sum(got...)
			if !maps.Equal(total.webhooks, all) {
				t.Errorf("hookkeeper_webhooks summed over the replicas: %v, want %v", total.webhooks, all)
			}
			if total.share != 1 {
				t.Errorf("hookkeeper_shard_share summed over the replicas: %v, want 1", total.share)
			}
		})
	}
	t.Run("standby reports nothing", func(t *testing.T) {
		got := gatherCollector(t, index, namespaceShards{})
		if len(got.webhooks) != 0 || got.share != 0 {
			t.Errorf("a replica that owns nothing reports %v and share %v", got.webhooks, got.share)
		}
	})
	t.Run("no gate, no share report", func(t *testing.T) {
		if got := gatherCollector(t, index, allShards{}); got.share != 0 || !maps.Equal(got.webhooks, all) {
			t.Errorf("a gate that cannot tell its share: %v, share %v; want every Webhook and share 0", got.webhooks, got.share)
		}
	})
}

// TestWebhooksHelpListsEveryReason: the help of hookkeeper_webhooks names every Ready reason
// constant of api/v1alpha1 (read from its source, so that a new reason fails here until the help
// lists it), and None; the help of hookkeeper_shard_share is there too.
func TestWebhooksHelpListsEveryReason(t *testing.T) {
	consts, err := apiconsts.Strings(filepath.Join("..", "api", "v1alpha1"), "Reason")
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, v := range consts {
		reasons = append(reasons, v)
	}
	if len(reasons) < 10 {
		t.Fatalf("found only %d Reason constants in api/v1alpha1: %v", len(reasons), reasons)
	}
	reasons = append(reasons, reasonNone)

	help := webhooksDesc.String()
	_, inParens, ok := strings.Cut(help, "reason (")
	if !ok {
		t.Fatalf("the help names no reason values: %s", help)
	}
	listed := map[string]bool{}
	for _, w := range regexp.MustCompile(`[A-Za-z]+`).FindAllString(inParens, -1) {
		listed[w] = true
	}
	for _, r := range reasons {
		if !listed[r] {
			t.Errorf("the help of hookkeeper_webhooks does not name reason %q: %s", r, help)
		}
	}
	if !strings.Contains(shareDesc.String(), "hookkeeper_shard_share") {
		t.Errorf("unexpected share descriptor: %s", shareDesc)
	}
}
