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

package operator

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/hookkeeper/hookkeeper/providers"
)

// TestUserAgent: the requests to the SaaS carry the version, and with --sharding the replica's
// name (--shard-identity, else the host name), so that the SaaS's logs tell the replicas apart.
func TestUserAgent(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{name: "one active replica", args: []string{"--shard-identity=replica-a"}, want: providers.UserAgent("v1.2.3", "")},
		{name: "sharding with an identity", args: []string{"--sharding", "--shard-identity=replica-a"}, want: providers.UserAgent("v1.2.3", "replica-a")},
		{name: "sharding without an identity", args: []string{"--sharding"}, want: providers.UserAgent("v1.2.3", host)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newOperator(t, tt.args...)
			o.build = Build{Version: "v1.2.3"}
			if got := o.userAgent(); got != tt.want {
				t.Errorf("User-Agent %q, want %q", got, tt.want)
			}
			if !strings.Contains(o.userAgent(), "v1.2.3") {
				t.Errorf("User-Agent %q does not carry the version", o.userAgent())
			}
		})
	}
}

// TestReplicaName: the shard Lease names the replica by --shard-identity, else by the host name.
func TestReplicaName(t *testing.T) {
	if got, err := newOperator(t, "--shard-identity=replica-a").replicaName(); err != nil || got != "replica-a" {
		t.Errorf("with --shard-identity: %q, %v; want replica-a", got, err)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}
	if got, err := newOperator(t).replicaName(); err != nil || got != host {
		t.Errorf("without --shard-identity: %q, %v; want the host name %q", got, err, host)
	}
}

// TestNamespaceNames: the shard runner cuts its slots over the namespaces of --watch-namespaces,
// else over every namespace the cache holds.
func TestNamespaceNames(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	cached := fake.NewClientBuilder().WithScheme(scheme).WithObjects(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-b"}}).Build()
	ctx := context.Background()

	all := newOperator(t)
	if err := all.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	got, err := all.namespaceNames(cached)(ctx)
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"team-a", "team-b"}) {
		t.Errorf("every namespace: %q, %v; want those of the cache", got, err)
	}

	watched := newOperator(t, "--watch-namespaces=team-c,team-a")
	if err := watched.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	got, err = watched.namespaceNames(cached)(ctx)
	if err != nil || !slices.Equal(got, []string{"team-c", "team-a"}) {
		t.Errorf("--watch-namespaces: %q, %v; want those of the flag", got, err)
	}
}
