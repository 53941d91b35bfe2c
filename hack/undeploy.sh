#!/usr/bin/env bash
# Removes what `make deploy` installed, in an order that lets the operator delete the remote
# webhooks before it goes:
#
#   1. every Webhook, in every namespace, is deleted (the operator's finalizer on each deletes its
#      remote webhook, or leaves it as its deletionPolicy says);
#   2. the script waits up to UNDEPLOY_TIMEOUT for the last Webhook to disappear. If some remain, it
#      names them with their Ready reason and message and stops, with the operator, its RBAC and
#      the CRDs still installed, so that their finalizers can still run: fix what the message says
#      (credentials, network) or set `deletionPolicy: Orphan` on them, and run it again. With
#      FORCE=true it removes their finalizers instead and goes on: their remote webhooks stay on
#      the SaaS;
#   3. the CRDs are deleted (Accounts and ClusterAccounts have no finalizer and go with theirs;
#      a Webhook created meanwhile is still handled by the running operator);
#   4. the rest of `kustomize build config/default` is deleted: the Deployment, its RBAC, the
#      metrics Service and the namespace.
#
#   hack/undeploy.sh            (from make undeploy)
#
# Environment: KUBECTL and KUSTOMIZE (the tools), IGNORE_NOT_FOUND (true: objects already gone are
# no error, as make's ignore-not-found=true), UNDEPLOY_TIMEOUT (how long step 2 waits: 300, 90s,
# 5m or 1h; default 5m), FORCE (true: see step 2).
set -euo pipefail

kubectl=${KUBECTL:-kubectl}
kustomize=${KUSTOMIZE:-kustomize}
ignore_not_found=${IGNORE_NOT_FOUND:-false}
timeout=${UNDEPLOY_TIMEOUT:-5m}
force=${FORCE:-false}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

webhooks=webhooks.hooks.hookkeeper.dev

log() { echo "undeploy: $*" >&2; }

if [[ ! $timeout =~ ^[0-9]+[smh]?$ ]]; then
	log "UNDEPLOY_TIMEOUT=$timeout is not a duration (such as 300, 90s, 5m or 1h)"
	exit 2
fi
case $timeout in
*h) seconds=$((${timeout%h} * 3600)) ;;
*m) seconds=$((${timeout%m} * 60)) ;;
*s) seconds=${timeout%s} ;;
*) seconds=$timeout ;;
esac
case $force in
true | false) ;;
*)
	log "FORCE=$force: want true or false"
	exit 2
	;;
esac

manifests="$(mktemp)"
trap 'rm -f "$manifests"' EXIT
(cd "$root" && "$kustomize" build config/default) >"$manifests"

# remaining lists the Webhooks left, one per line: namespace/name, Ready reason and message.
remaining() {
	"$kubectl" get "$webhooks" --all-namespaces -o \
		jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Ready")].reason}{"\t"}{.status.conditions[?(@.type=="Ready")].message}{"\n"}{end}'
}

if "$kubectl" get customresourcedefinition "$webhooks" >/dev/null 2>&1; then
	log "deleting every Webhook; the operator deletes their remote webhooks (waiting up to $timeout)"
	"$kubectl" delete "$webhooks" --all --all-namespaces --wait=false
	deadline=$((SECONDS + seconds))
	left="$(remaining)"
	while [[ -n $left && $SECONDS -lt $deadline ]]; do
		sleep 2
		left="$(remaining)"
	done
	if [[ -n $left ]]; then
		log "$(wc -l <<<"$left") Webhook(s) still there after $timeout, each with its Ready reason and message:"
		while IFS=$'\t' read -r key reason message; do
			if [[ -z $reason ]]; then
				echo "  $key: no Ready condition (is the operator running?)" >&2
			else
				echo "  $key: $reason: $message" >&2
			fi
		done <<<"$left"
		if [[ $force != true ]]; then
			log "stopped: the operator, its RBAC and the CRDs are still installed, so that it can finish."
			log "Fix what the messages say (credentials, network), or set spec.deletionPolicy: Orphan on"
			log "these Webhooks, and run make undeploy again; or run it with FORCE=true, which removes"
			log "their finalizers and leaves their remote webhooks on the SaaS."
			exit 1
		fi
		log "WARNING: FORCE=true: removing the finalizers of these Webhooks; their remote webhooks are"
		log "WARNING: NOT deleted and stay on the SaaS (see each one's status.id to delete them by hand)"
		while IFS=$'\t' read -r key _; do
			"$kubectl" patch "$webhooks" --namespace "${key%%/*}" "${key#*/}" --type=merge \
				-p '{"metadata":{"finalizers":null}}' || true
		done <<<"$left"
	fi
else
	log "the Webhook CRD is not installed: no Webhook to delete"
fi

# The CRDs first, while the operator still runs, then everything else config/default installs.
log "deleting the CRDs, then the operator, its RBAC and namespace"
awk -v RS='(^|\n)---\n' -v ORS='\n---\n' '/(^|\n)kind: CustomResourceDefinition(\n|$)/' "$manifests" |
	"$kubectl" delete --ignore-not-found="$ignore_not_found" -f -
awk -v RS='(^|\n)---\n' -v ORS='\n---\n' '!/(^|\n)kind: CustomResourceDefinition(\n|$)/' "$manifests" |
	"$kubectl" delete --ignore-not-found="$ignore_not_found" -f -
log "done"
