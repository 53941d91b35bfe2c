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
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestClusterAccountGauges: a ClusterAccount has one series per gauge, with its name as the only
// label; a deleted one leaves none behind.
func TestClusterAccountGauges(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	until := metav1.NewTime(now.Add(90 * time.Second))
	accountMetrics.set("corp-webex", true, 12, &until, now)
	accountMetrics.set("corp-aps", false, 3, nil, now)
	want := `
# HELP hookkeeper_cluster_account_rate_limited_seconds Seconds until the SaaS's Retry-After lets requests for the ClusterAccount through again (0: none).
# TYPE hookkeeper_cluster_account_rate_limited_seconds gauge
hookkeeper_cluster_account_rate_limited_seconds{cluster_account="corp-aps"} 0
hookkeeper_cluster_account_rate_limited_seconds{cluster_account="corp-webex"} 90
`
	if err := testutil.CollectAndCompare(accountMetrics.limited, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if v := testutil.ToFloat64(accountMetrics.ready.WithLabelValues("corp-aps")); v != 0 {
		t.Errorf("corp-aps ready %v, want 0", v)
	}
	if v := testutil.ToFloat64(accountMetrics.webhooks.WithLabelValues("corp-webex")); v != 12 {
		t.Errorf("corp-webex webhooks %v, want 12", v)
	}
	accountMetrics.remove("corp-webex")
	accountMetrics.remove("corp-aps")
	if n := testutil.CollectAndCount(accountMetrics.ready) + testutil.CollectAndCount(accountMetrics.webhooks) +
		testutil.CollectAndCount(accountMetrics.limited); n != 0 {
		t.Errorf("%d series left after the ClusterAccounts went", n)
	}
}
