#!/usr/bin/env bash
# setup-envtest.sh prints the directory that holds kube-apiserver, etcd, kubectl and
# kube-controller-manager for envtest (the suite runs the real namespace controller).
#
# Order of preference:
#   1. $KUBEBUILDER_ASSETS, when it already holds the binaries;
#   2. the setup-envtest store (~/.local/share/kubebuilder-envtest/k8s/<ver>-linux-<arch>/);
#   3. setup-envtest itself (needs the internet);
#   4. a build from source through the Go module proxy, cached into that store.
#
# Progress goes to stderr; the only thing on stdout is the directory, so callers can write
#   export KUBEBUILDER_ASSETS="$(hack/setup-envtest.sh)"
# Two runs at once are safe: the build holds a lock and installs with an atomic rename.
set -euo pipefail

ENVTEST_K8S_VERSION="${ENVTEST_K8S_VERSION:-1.37.1}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
SETUP_ENVTEST_VERSION="${SETUP_ENVTEST_VERSION:-release-0.25}"
SETUP_ENVTEST_TIMEOUT="${SETUP_ENVTEST_TIMEOUT:-60}"

log() { printf 'setup-envtest: %s\n' "$*" >&2; }
die() { printf 'setup-envtest: error: %s\n' "$*" >&2; exit 1; }

has_bins() {
  local d="$1"
  [[ -n "$d" && -x "$d/kube-apiserver" && -x "$d/etcd" && -x "$d/kube-controller-manager" ]]
}

# has_server reports whether d holds the control plane without kube-controller-manager, as
# setup-envtest's downloads and the caches of earlier versions of this script do.
has_server() {
  local d="$1"
  [[ -n "$d" && -x "$d/kube-apiserver" && -x "$d/etcd" ]]
}

k8s_tag="v${ENVTEST_K8S_VERSION}"
staging_tag="v0.${ENVTEST_K8S_VERSION#*.}"

# k8s_module makes the current directory a module that builds k8s.io/kubernetes $k8s_tag: it
# points the staging modules, which k8s.io/kubernetes takes from ./staging, at their tags.
k8s_module() {
  go mod init envtest-k8s >/dev/null 2>&1
  local gomod
  gomod="$(go mod download -json "k8s.io/kubernetes@${k8s_tag}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "$gomod" ]] || { echo "cannot download k8s.io/kubernetes@${k8s_tag}" >&2; return 1; }
  sed -n 's/^[[:space:]]*\(k8s\.io\/[a-z0-9-]*\) => \.\/staging\/.*/\1/p' "$gomod" | sort -u > staging.txt
  [[ -s staging.txt ]] || { echo "found no staging modules in $gomod" >&2; return 1; }
  go mod edit -require "k8s.io/kubernetes@${k8s_tag}"
  while read -r m; do go mod edit -replace "$m=$m@$staging_tag"; done < staging.txt
}

# k8s_build builds each k8s.io/kubernetes/cmd/<name> into $out, reporting its real version.
k8s_build() {
  local out="$1"; shift
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${k8s_tag} -X k8s.io/component-base/version.gitMajor=1"
  local minor="${ENVTEST_K8S_VERSION#*.}"
  ldflags="$ldflags -X k8s.io/component-base/version.gitMinor=${minor%%.*} -X k8s.io/component-base/version.gitTreeState=clean"
  local name pkgs=()
  for name in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/${name}@${k8s_tag}"); done
  go get "${pkgs[@]}" >&2
  for name in "$@"; do
    go build -trimpath -ldflags "$ldflags" -o "$out/$name" "k8s.io/kubernetes/cmd/$name" >&2
  done
}

# add_controller_manager builds kube-controller-manager alone into dir, which holds the rest.
add_controller_manager() {
  local dir="$1" work
  log "building kube-controller-manager $k8s_tag from source into $dir (about 4 minutes)"
  work="$(mktemp -d "${TMPDIR:-/tmp}/hookkeeper-envtest-kcm.XXXXXX")"
  (
    cd "$work"
    export GOFLAGS=-mod=mod CGO_ENABLED=0
    k8s_module && k8s_build "$work" kube-controller-manager
  ) || { rm -rf "$work"; die "building kube-controller-manager $k8s_tag failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"; }
  "$work/kube-controller-manager" --version >&2 || { rm -rf "$work"; die "the kube-controller-manager that was built does not run"; }
  # Atomic within the directory: a reader sees no binary or a complete one.
  mv "$work/kube-controller-manager" "$dir/.kube-controller-manager.tmp.$$"
  mv "$dir/.kube-controller-manager.tmp.$$" "$dir/kube-controller-manager"
  rm -rf "$work"
}

goos="$(go env GOOS)"
goarch="$(go env GOARCH)"
store_root="${ENVTEST_STORE:-${XDG_DATA_HOME:-$HOME/.local/share}/kubebuilder-envtest}"
store="$store_root/k8s/${ENVTEST_K8S_VERSION}-${goos}-${goarch}"

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if has_bins "$KUBEBUILDER_ASSETS"; then
    log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
    echo "$KUBEBUILDER_ASSETS"
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver, etcd or kube-controller-manager; looking elsewhere"
fi

if has_bins "$store"; then
  log "using cached binaries in $store"
  echo "$store"
  exit 0
fi

mkdir -p "$store_root/k8s"
lock="$store_root/k8s/.hookkeeper-${ENVTEST_K8S_VERSION}.lock"
exec 9>"$lock"
if ! flock -n 9; then
  log "another run is preparing the envtest binaries; waiting for it (lock $lock)"
  flock 9
fi
# The other run may have finished while we waited.
if has_bins "$store"; then
  log "using cached binaries in $store"
  echo "$store"
  exit 0
fi
# A store from before kube-controller-manager was needed: build that one alone.
if has_server "$store"; then
  add_controller_manager "$store"
  echo "$store"
  exit 0
fi

# setup-envtest downloads release archives from the internet; on a machine that only reaches a Go
# module proxy it fails quickly, and we fall through to building from source.
if [[ "${ENVTEST_SKIP_DOWNLOAD:-}" != "true" ]]; then
  log "trying setup-envtest (downloads from the internet, ${SETUP_ENVTEST_TIMEOUT}s at most)"
  if out="$(timeout "$SETUP_ENVTEST_TIMEOUT" go run "sigs.k8s.io/controller-runtime/tools/setup-envtest@${SETUP_ENVTEST_VERSION}" \
      use "$ENVTEST_K8S_VERSION" --bin-dir "$store_root" -p path 2>/dev/null)" && has_server "$out"; then
    log "setup-envtest installed $out"
    # Its archives carry no kube-controller-manager.
    has_bins "$out" || add_controller_manager "$out"
    echo "$out"
    exit 0
  fi
  log "setup-envtest could not download the binaries; building them from source instead"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/hookkeeper-envtest.XXXXXX")"
trap 'rm -rf "$work"' EXIT
staging="$work/bin"
mkdir -p "$staging"
export GOFLAGS=-mod=mod
export CGO_ENABLED=0

log "building etcd $ETCD_VERSION from source (about 3 minutes)"
mkdir -p "$work/etcd"
(
  cd "$work/etcd"
  go mod init envtest-etcd >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2
  go build -trimpath -o "$staging/etcd" go.etcd.io/etcd/server/v3 >&2
) || die "building etcd failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"

log "building kube-apiserver, kube-controller-manager and kubectl $k8s_tag from source (about 20 minutes on 2 cores)"
mkdir -p "$work/k8s"
(
  cd "$work/k8s"
  k8s_module && k8s_build "$staging" kube-apiserver kube-controller-manager kubectl
) || die "building kube-apiserver, kube-controller-manager and kubectl $k8s_tag failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"

has_bins "$staging" || die "the build produced no binaries in $staging"
"$staging/kube-apiserver" --version >&2 || die "the kube-apiserver that was built does not run"

# Install atomically: a reader sees either no directory or a complete one.
mkdir -p "$(dirname "$store")"
tmpdest="$store.tmp.$$"
rm -rf "$tmpdest"
mv "$staging" "$tmpdest"
rm -rf "$store"
mv "$tmpdest" "$store"
log "installed envtest binaries into $store"
echo "$store"
