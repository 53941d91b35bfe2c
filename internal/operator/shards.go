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
	"errors"
	"fmt"
	"os"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/hookkeeper/hookkeeper/controllers"
	"github.com/hookkeeper/hookkeeper/internal/sharding"
)

// statusKey returns the key of status.appliedSecretHash: that of the --status-key-secret Secret,
// read straight from the API server, since a cached read would cache every Secret of the
// namespace. Outside a cluster, without a namespace, the key is this process's own.
func (o *operator) statusKey(ctx context.Context, mgr ctrl.Manager) ([]byte, error) {
	ns := o.cfg.OwnNamespace()
	if ns == "" {
		ctrl.Log.WithName("setup").Info("No namespace for --status-key-secret outside a cluster: status.appliedSecretHash is keyed for this process only, " +
			"so the next start sends every Webhook's secrets again once; set --leader-election-namespace to keep the key")
		return controllers.NewStatusKey()
	}
	return controllers.LoadStatusKey(ctx, mgr.GetAPIReader(), mgr.GetClient(), client.ObjectKey{Namespace: ns, Name: o.cfg.StatusKeySecret})
}

// shardRunner sets up --sharding: the gate the reconciler asks before each reconcile, and the
// runner that keeps this replica's Lease and opens the gate on the slots it gets.
//
// The slots are cut where the namespaces crowd, so every replica reads the namespace names:
// those of --watch-namespaces, or every namespace's metadata through the manager's cache.
//
// With --leader-elect and without --sharding, the elected leader runs the same handover for the
// whole space (Membership.Whole): it starts once no sharded replica holds anything, and none
// starts while it holds the space, so a rolling update between the two modes never gives a
// namespace two owners.
//
// The Lease identity is the replica's name (--shard-identity, else the host name) with a random
// suffix for this process, while the User-Agent keeps the name alone. A replica that loses its
// Lease (not renewed within the renew deadline) stops reconciling at once, and its Runner ends
// with an error once the API server answers again: that stops the manager and the process, and
// the Deployment starts a new one, with fresh caches, under a new Lease.
func (o *operator) shardRunner(ctx context.Context, r *controllers.WebhookReconciler, cached client.Reader) (*sharding.Runner, error) {
	c := o.cfg
	whole := !c.Sharding
	ns := c.OwnNamespace()
	if ns == "" {
		return nil, errors.New("--sharding or --leader-elect outside a cluster needs --leader-election-namespace: the namespace of the shard Leases")
	}
	name, err := o.replicaName()
	if err != nil {
		return nil, err
	}
	id := sharding.ProcessIdentity(name)
	// The Leases are read and written straight through the API server: a replica must see the
	// others' claims as they are, not as a cache had them.
	direct, err := client.New(o.rest, client.Options{Scheme: o.scheme})
	if err != nil {
		return nil, err
	}
	gate := sharding.NewGate()
	r.Options.Shards = gate
	r.Options.Sharded = !whole
	log := ctrl.Log.WithName("sharding")
	if whole {
		log.Info("Leader: claiming the whole namespace space in a shard Lease before reconciling", "identity", id, "leaseNamespace", ns)
	} else {
		log.Info("Sharding on", "identity", id, "lease", sharding.LeaseName(id), "leaseNamespace", ns,
			"renewDeadline", sharding.RenewDeadline(c.ShardLeaseDuration).String())
	}
	return &sharding.Runner{
		Membership: &sharding.Membership{Client: direct, Namespace: ns, Identity: id, Name: name, Duration: c.ShardLeaseDuration, Whole: whole,
			Namespaces: o.namespaceNames(cached)},
		Gate:   gate,
		Scope:  o.scope,
		Period: c.ShardLeaseDuration / 3,
		Started: func([]sharding.Slot) {
			if err := r.RequeueOwned(ctx); err != nil && ctx.Err() == nil {
				log.Error(err, "Queueing the Webhooks of the slots that started")
			}
		},
		Log:    log,
		Leader: whole,
		// The live replicas split --provider-qps between them (o.rateShare).
		Members: func(n int) {
			if !whole && o.rateShare != nil {
				o.rateShare.Set(n)
			}
		},
	}, nil
}

// replicaName is the replica's name in its shard Lease: --shard-identity, else the host name.
func (o *operator) replicaName() (string, error) {
	if o.cfg.ShardIdentity != "" {
		return o.cfg.ShardIdentity, nil
	}
	host, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("--shard-identity is empty and the host name is unknown: %w", err)
	}
	return host, nil
}

// namespaceNames returns how the shard runner lists the namespace names: those of
// --watch-namespaces, else every namespace's metadata through cached, the manager's cache.
func (o *operator) namespaceNames(cached client.Reader) func(context.Context) ([]string, error) {
	return func(ctx context.Context) ([]string, error) {
		if len(o.cfg.Namespaces) > 0 {
			return o.cfg.Namespaces, nil
		}
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("NamespaceList"))
		if err := cached.List(ctx, list); err != nil {
			return nil, err
		}
		names := make([]string, 0, len(list.Items))
		for _, item := range list.Items {
			names = append(names, item.Name)
		}
		return names, nil
	}
}
