#!/usr/bin/env bash
# verify-generated.sh fails when the generated files in the working tree are not what controller-gen
# and crd-ref-docs make from the current markers: the CRDs, the manager ClusterRole, the DeepCopy
# methods and the API reference (docs/api-reference.md).
#
# It regenerates them in a scratch copy of the source tree with the Makefile's own `manifests`,
# `generate` and `api-docs` targets, so the command lines cannot drift apart, and compares; each
# stale file is named with the target that rewrites it. The working tree is only read. A generated file that neither tree has (role.yaml before any +kubebuilder:rbac marker exists)
# is not an error; one that only one side has is.
#
# Environment: CONTROLLER_GEN and CRD_REF_DOCS (the binaries; the Makefile passes its pinned ones),
# LOCALBIN (where the pinned tools live; default <repo>/bin).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Paths, relative to the repository root, that `make manifests generate` writes.
generated=(config/crd/bases config/rbac/role.yaml docs/api-reference.md)
while IFS= read -r f; do generated+=("${f#./}"); done < <(find ./api -name 'zz_generated.*.go' 2>/dev/null | sort)
# The API packages may have lost a deepcopy file, in which case the copy will create it: list it too.
while IFS= read -r d; do
  f="${d#./}/zz_generated.deepcopy.go"
  [[ " ${generated[*]} " == *" $f "* ]] || generated+=("$f")
done < <(grep -rl --include='*.go' '+kubebuilder:object:generate=true' ./api 2>/dev/null | xargs -r -n1 dirname | sort -u)

scratch="$(mktemp -d "${TMPDIR:-/tmp}/hookkeeper-verify.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

# Copy the source tree without tools, VCS data and local output.
tar -C "$root" \
  --exclude=./.git --exclude=./bin --exclude=./.demo --exclude=./cover.out --exclude='*.test' \
  -cf - . | tar -C "$scratch" -xf -

# Start from nothing, so a file that the markers no longer produce shows up as a difference.
for p in "${generated[@]}"; do rm -rf "${scratch:?}/$p"; done

localbin="${LOCALBIN:-$root/bin}"
make_args=(-C "$scratch" --no-print-directory LOCALBIN="$localbin")
[[ -n "${CONTROLLER_GEN:-}" ]] && make_args+=(CONTROLLER_GEN="$CONTROLLER_GEN")
[[ -n "${CRD_REF_DOCS:-}" ]] && make_args+=(CRD_REF_DOCS="$CRD_REF_DOCS")
if ! make "${make_args[@]}" manifests generate api-docs >"$scratch/.generate.log" 2>&1; then
  cat "$scratch/.generate.log" >&2
  echo "verify-generated: controller-gen or crd-ref-docs failed on the current source (output above)" >&2
  exit 1
fi

# Expand directories into the union of the files that either tree holds under them.
files=()
for p in "${generated[@]}"; do
  if [[ -d "$root/$p" || -d "$scratch/$p" ]]; then
    while IFS= read -r f; do files+=("$f"); done < <(
      { [[ -d "$root/$p" ]] && (cd "$root" && find "$p" -type f)
        [[ -d "$scratch/$p" ]] && (cd "$scratch" && find "$p" -type f); } | sort -u)
  else
    files+=("$p")
  fi
done

# The make target that writes a generated file, for the messages.
target_for() {
  case "$1" in
    docs/api-reference.md) echo "make api-docs" ;;
    */zz_generated.*.go) echo "make generate" ;;
    *) echo "make manifests" ;;
  esac
}

status=0
stale=()
for f in "${files[@]}"; do
  if [[ ! -e "$root/$f" && ! -e "$scratch/$f" ]]; then
    continue
  elif [[ ! -e "$root/$f" ]]; then
    echo "verify-generated: $f is missing; $(target_for "$f") generates it" >&2
    stale+=("$f ($(target_for "$f"))")
    status=1
  elif [[ ! -e "$scratch/$f" ]]; then
    echo "verify-generated: $f exists but the markers no longer generate it" >&2
    stale+=("$f (delete it)")
    status=1
  elif ! diff -u --label "committed/$f" --label "generated/$f" "$root/$f" "$scratch/$f" >&2; then
    stale+=("$f ($(target_for "$f"))")
    status=1
  fi
done

if [[ $status -ne 0 ]]; then
  echo >&2
  for f in "${stale[@]}"; do
    echo "verify-generated: out of date: $f" >&2
  done
  if [[ " ${stale[*]} " == *" docs/api-reference.md "* ]]; then
    echo "verify-generated: the API reference docs/api-reference.md is stale: run make api-docs and commit it" >&2
  fi
  echo "verify-generated: the generated files are out of date: run make manifests generate api-docs and commit the result" >&2
  exit 1
fi
echo "verify-generated: generated files are up to date"
