# hookkeeper Makefile. `make` alone lists the targets; each target's `##` comment is its help line.

# The operator image: IMG_REPO tagged with VERSION. docker-build, docker-push, build-installer and
# deploy use IMG; make release always uses IMG_REPO:VERSION.
IMG_REPO ?= ghcr.io/hookkeeper/hookkeeper
IMG ?= $(IMG_REPO):$(VERSION)
# Container tool for docker-build and docker-push (docker or podman).
CONTAINER_TOOL ?= docker
KUBECTL ?= kubectl

# The version, git describe by default (vX.Y.Z on a release tag). One value goes everywhere: the
# binary's -ldflags (`hookkeeper version`, make build), the Dockerfile's VERSION build arg and the
# image tag (make docker-build), the chart's version and appVersion and the image of install.yaml
# (make release). Without git: dev and unknown.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS ?= -X main.version=$(VERSION) -X main.commit=$(COMMIT)

# Extra flags for `go test` in `make test` (e.g. TEST_ARGS='-run TestWebex -v').
TEST_ARGS ?=
# Packages that `make test` runs.
TEST_PKGS ?= ./...
# Flags for Ginkgo suites, passed after -args (e.g. GINKGO_ARGS='-ginkgo.v -ginkgo.focus=Webex').
# Every package in TEST_PKGS receives them, so narrow TEST_PKGS to the suites, e.g. ./controllers/...
GINKGO_ARGS ?=
# Flags for the operator in `make run` (e.g. ARGS='--allow-insecure-endpoints').
ARGS ?=
# Number of Webhooks that `make bench` applies (e.g. `make bench N=10000`).
N ?= 1000
# Further flags for `make bench` (e.g. BENCH_ARGS='-latency 50ms -resync 30s'); `go run ./hack/bench -h` lists them.
BENCH_ARGS ?=
# Layout of `make bench` on shared accounts (e.g. `make bench N=10000 ACCOUNTS=cluster`): the Webhooks spread over 100 namespaces
# that share one account per provider, through ClusterAccounts (cluster) or a copy of the credentials in each namespace (namespace).
ACCOUNTS ?=
# Operator processes of `make bench` (e.g. `make bench REPLICAS=3 N=10000`); above 1 they run with --sharding against an
# API server with the ShardedListAndWatch feature gate, and the Webhooks are spread over N/10 namespaces.
REPLICAS ?= 1

# Pinned tools, installed into bin/ by the rules at the end of this file. They are defined here,
# before any rule, because make expands prerequisites as it reads them.
LOCALBIN ?= $(shell pwd)/bin
CONTROLLER_TOOLS_VERSION ?= v0.23.0
KUSTOMIZE_VERSION ?= v5.8.1
GOLANGCI_LINT_VERSION ?= v2.15.0
# crd-ref-docs writes docs/api-reference.md from the Go types (make api-docs).
CRD_REF_DOCS_VERSION ?= v0.3.0
# Helm is built from source through the Go module proxy (no download from get.helm.sh).
HELM_VERSION ?= v3.22.0
# promtool, Prometheus' own rule checker and rule unit tester, for the chart's alerts
# (test/install): built from source through the Go module proxy, like helm. The module's v0.x
# tags are the Prometheus 3.x releases.
PROMTOOL_VERSION ?= v0.316.0

# The versioned file is the make target, so changing a pin installs that version; the unversioned
# name is a symlink to the current one, for use by hand.
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
KUSTOMIZE ?= $(LOCALBIN)/kustomize-$(KUSTOMIZE_VERSION)
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
HELM ?= $(LOCALBIN)/helm-$(HELM_VERSION)
PROMTOOL ?= $(LOCALBIN)/promtool-$(PROMTOOL_VERSION)
CRD_REF_DOCS ?= $(LOCALBIN)/crd-ref-docs-$(CRD_REF_DOCS_VERSION)

# Recipes run in bash, stop at the first failing command and fail a pipeline when any part fails.
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show this list of targets.
	@awk 'BEGIN { FS = ":.*##"; print "Usage: make <target> [VAR=value ...]" } \
		/^##@/ { printf "\n%s\n", substr($$0, 5) } \
		/^[a-zA-Z0-9_-]+:.*##/ { printf "  %-18s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate the CRD (config/crd/bases) and the manager ClusterRole (config/rbac/role.yaml).
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd webhook paths="./..." output:crd:artifacts:config=config/crd/bases

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate the DeepCopy methods (api/*/zz_generated.deepcopy.go).
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./..."

.PHONY: api-docs
api-docs: $(CRD_REF_DOCS) ## Generate the API reference (docs/api-reference.md) from the Go types and their markers.
	@hack/gen-api-reference.sh "$(CRD_REF_DOCS)"

.PHONY: verify-generated
verify-generated: $(CONTROLLER_GEN) $(CRD_REF_DOCS) ## Fail if the committed generated files (CRD, RBAC, deepcopy, API reference) differ from what the markers produce.
	@CONTROLLER_GEN="$(CONTROLLER_GEN)" CRD_REF_DOCS="$(CRD_REF_DOCS)" LOCALBIN="$(LOCALBIN)" hack/verify-generated.sh

.PHONY: verify-modules
verify-modules: ## Fail if go.mod or go.sum is not tidy, or if the operator's build compiles a test-only dependency (BuildKit, Prometheus).
	@go mod tidy -diff >/dev/null || { echo "error: go.mod or go.sum is not tidy; go mod tidy -diff shows what go mod tidy would change:" >&2; go mod tidy -diff >&2; exit 1; }
	@heavy="$$(go list -deps ./... | grep -E '^github.com/(moby/buildkit|prometheus/prometheus)/' || true)"; \
		if [ -n "$$heavy" ]; then echo "error: a non-test package imports a test-only dependency:" >&2; echo "$$heavy" | head -n 5 >&2; exit 1; fi

.PHONY: fmt
fmt: ## Run go fmt on the code.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet on the code.
	go vet ./...

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint (configuration in .golangci.yml).
	$(GOLANGCI_LINT) run $(LINT_ARGS)

.PHONY: lint-fix
lint-fix: $(GOLANGCI_LINT) ## Run golangci-lint and apply the fixes it can make.
	$(GOLANGCI_LINT) run --fix $(LINT_ARGS)

# WITH_ENVTEST points KUBEBUILDER_ASSETS at kube-apiserver, etcd and kube-controller-manager, building them from source through
# the Go module proxy the first time (about 25 minutes on 2 cores; cached afterwards). Progress goes to stderr.
WITH_ENVTEST = assets="$$(hack/setup-envtest.sh)" && [[ -n "$$assets" ]] || { \
		echo "error: hack/setup-envtest.sh found or built no envtest binaries (kube-apiserver, etcd, kube-controller-manager); see its messages above" >&2; \
		exit 1; }; \
	export KUBEBUILDER_ASSETS="$$assets"

.PHONY: envtest
envtest: ## Find or build the envtest binaries (kube-apiserver, etcd, kubectl, kube-controller-manager) and print their directory.
	@hack/setup-envtest.sh

# The operator binary that the tests which run the operator as a process use: built once, as the
# image builds it, before any test starts, so that no test's deadline includes a compile.
TEST_OPERATOR ?= $(LOCALBIN)/hookkeeper-test

.PHONY: test
test: verify-generated verify-modules vet chart-test $(KUSTOMIZE) $(PROMTOOL) ## Run every test (unit, provider and envtest suites) with coverage into cover.out.
	@$(WITH_ENVTEST); \
	echo "building the operator for the tests into $(TEST_OPERATOR)"; \
	go run ./hack/build-operator -o "$(TEST_OPERATOR)"; \
	export HOOKKEEPER_OPERATOR_BINARY="$(TEST_OPERATOR)" PROMTOOL="$(PROMTOOL)"; \
	echo "go test $(TEST_PKGS) (KUBEBUILDER_ASSETS=$$KUBEBUILDER_ASSETS)"; \
	go test $(TEST_PKGS) -count=1 -timeout 40m -coverprofile cover.out $(TEST_ARGS) $(if $(strip $(GINKGO_ARGS)),-args $(GINKGO_ARGS))
	@go tool cover -func=cover.out | tail -n 1 | awk '{ print "coverage (all packages): " $$NF }'

# The Helm chart: dist/chart. CHART_TEST_VALUES turns on everything the chart can render.
CHART ?= dist/chart
CHART_TEST_VALUES ?= $(CHART)/ci/everything-values.yaml

.PHONY: chart-crds
chart-crds: ## Write the generated CRDs (config/crd/bases) into the Helm chart as templates (dist/chart/templates/crds).
	@rm -rf $(CHART)/templates/crds && mkdir -p $(CHART)/templates/crds
	@for f in config/crd/bases/*.yaml; do \
		if grep -q '{{' "$$f"; then echo "error: $$f holds {{, which Helm would read as a template" >&2; exit 1; fi; \
		out="$(CHART)/templates/crds/$$(basename "$$f")"; \
		awk -v src="$$f" ' \
			BEGIN { print "{{- /* Generated by make chart-crds from " src ": do not edit. */}}"; \
				print "{{- if .Values.crds.enabled }}" } \
			/^metadata:$$/ && !meta { print; \
				print "  labels:"; \
				print "    {{- include \"hookkeeper.labels\" . | nindent 4 }}"; \
				print "    app.kubernetes.io/component: crd"; meta = 1; next } \
			/^  annotations:$$/ && meta && !ann { print; \
				print "    {{- if .Values.crds.keep }}"; \
				print "    helm.sh/resource-policy: keep"; \
				print "    {{- end }}"; ann = 1; next } \
			{ print } \
			END { print "{{- end }}"; \
				if (!meta || !ann) { print "error: " src ": no metadata.annotations to extend" > "/dev/stderr"; exit 1 } } \
		' "$$f" > "$$out"; \
		echo "$$f -> $$out"; \
	done

.PHONY: chart-test
chart-test: $(HELM) ## Lint the Helm chart and render it with the default and the everything-on values.
	$(HELM) lint --strict $(CHART)
	$(HELM) lint --strict $(CHART) -f $(CHART_TEST_VALUES)
	@for values in "" "$(CHART_TEST_VALUES)"; do \
		out="$$($(HELM) template hookkeeper $(CHART) -n hookkeeper-system $${values:+-f "$$values"})"; \
		echo "helm template $(CHART) ($${values:-default values}): $$(grep -c '^kind:' <<<"$$out") objects"; \
	done

.PHONY: demo
demo: ## Run the whole system locally: control plane, provider simulators and operator (no cluster, no SaaS).
	@$(WITH_ENVTEST); go run ./hack/demo $(DEMO_ARGS)

.PHONY: bench
bench: ## Measure the operator under load: N Webhooks (default 1000) on the simulators, REPLICAS processes (default 1), ACCOUNTS=cluster or namespace for 100 namespaces on shared accounts; JSON in bin/bench/.
	@$(WITH_ENVTEST); go run ./hack/bench -n $(N) -replicas $(REPLICAS) $(if $(ACCOUNTS),-shared-accounts $(ACCOUNTS)) $(BENCH_ARGS)

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the operator binary into bin/manager.
	go build -ldflags "$(LDFLAGS)" -o bin/manager main.go

.PHONY: run
run: manifests generate fmt vet ## Run the operator against the current kubeconfig (flags in ARGS).
	go run ./main.go $(ARGS)

.PHONY: docker-build
docker-build: ## Build the container image IMG.
	$(CONTAINER_TOOL) build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the container image IMG.
	$(CONTAINER_TOOL) push $(IMG)

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests $(KUSTOMIZE) ## Install the CRD into the cluster of the current kubeconfig.
	$(KUSTOMIZE) build config/crd | $(KUBECTL) apply -f -

.PHONY: uninstall
uninstall: manifests $(KUSTOMIZE) ## Remove the CRDs, and with them every Webhook and account: a running operator deletes the remote webhooks first (kubectl waits for it); with none running, the deletion waits on the Webhooks' finalizers (use make undeploy for an installed operator). ignore-not-found=true to ignore missing objects.
	$(KUSTOMIZE) build config/crd | $(KUBECTL) delete --ignore-not-found=$(ignore-not-found) -f -

.PHONY: build-installer
build-installer: manifests $(KUSTOMIZE) ## Write dist/install.yaml: the CRD, RBAC, metrics Service and Deployment (image IMG) in one file.
	@hack/build-installer.sh "$(KUSTOMIZE)" "$(IMG)" dist/install.yaml

.PHONY: deploy
deploy: build-installer ## Deploy the operator with image IMG into the cluster of the current kubeconfig.
	$(KUBECTL) apply -f dist/install.yaml

# How long make undeploy waits for the operator to delete the remote webhooks of every Webhook.
UNDEPLOY_TIMEOUT ?= 5m

.PHONY: undeploy
undeploy: $(KUSTOMIZE) ## Delete every Webhook and wait (UNDEPLOY_TIMEOUT) for the operator to delete their remote webhooks, then remove the CRDs and the operator; stops if a Webhook remains (FORCE=true removes its finalizer, leaving its remote webhook). ignore-not-found=true to ignore missing objects.
	@KUBECTL="$(KUBECTL)" KUSTOMIZE="$(KUSTOMIZE)" IGNORE_NOT_FOUND="$(ignore-not-found)" \
		UNDEPLOY_TIMEOUT="$(UNDEPLOY_TIMEOUT)" FORCE="$(FORCE)" hack/undeploy.sh

##@ Release

# Where make release writes, and the platforms it builds the binary for.
RELEASE_DIR ?= dist/release
RELEASE_PLATFORMS ?= linux/amd64 linux/arm64

.PHONY: release
release: $(KUSTOMIZE) $(HELM) ## Build release VERSION=vX.Y.Z into dist/release: chart, install.yaml, CRDs, binaries, changelog, checksums (and the image if a container engine runs).
	@VERSION="$(VERSION)" COMMIT="$(COMMIT)" IMG_REPO="$(IMG_REPO)" KUSTOMIZE="$(KUSTOMIZE)" HELM="$(HELM)" \
		CONTAINER_TOOL="$(CONTAINER_TOOL)" RELEASE_DIR="$(RELEASE_DIR)" RELEASE_PLATFORMS="$(RELEASE_PLATFORMS)" \
		CHART="$(CHART)" hack/release.sh

##@ Tools

$(LOCALBIN):
	mkdir -p $(LOCALBIN)

.PHONY: controller-gen kustomize golangci-lint helm promtool crd-ref-docs tools
tools: controller-gen kustomize golangci-lint helm promtool crd-ref-docs ## Install every pinned tool into bin/.
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen into bin/.
crd-ref-docs: $(CRD_REF_DOCS) ## Install crd-ref-docs into bin/.
kustomize: $(KUSTOMIZE) ## Install kustomize into bin/.
golangci-lint: $(GOLANGCI_LINT) ## Install golangci-lint into bin/.
helm: $(HELM) ## Install helm into bin/ (built from source, once: about 3 to 10 minutes, depending on the machine).
promtool: $(PROMTOOL) ## Install promtool into bin/ (built from source: a large build, 5 to 30 minutes the first time).

$(CONTROLLER_GEN): | $(LOCALBIN)
	$(call go-install-tool,controller-gen,sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

$(KUSTOMIZE): | $(LOCALBIN)
	$(call go-install-tool,kustomize,sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

$(GOLANGCI_LINT): | $(LOCALBIN)
	$(call go-install-tool,golangci-lint,github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

$(CRD_REF_DOCS): | $(LOCALBIN)
	$(call go-install-tool,crd-ref-docs,github.com/elastic/crd-ref-docs,$(CRD_REF_DOCS_VERSION))

$(HELM): | $(LOCALBIN)
	$(call go-install-tool,helm,helm.sh/helm/v3/cmd/helm,$(HELM_VERSION))

$(PROMTOOL): | $(LOCALBIN)
	$(call go-install-tool,promtool,github.com/prometheus/prometheus/cmd/promtool,$(PROMTOOL_VERSION))

# TOOLS_STORE keeps the tools built here once per machine, by name and version, as the
# setup-envtest store keeps kube-apiserver and etcd: a fresh clone (CI's included) copies them from
# there instead of building them again (promtool alone downloads about 1.8 GB of modules). A tool
# missing from the store is built from source, so the store only saves time; empty it, or set
# TOOLS_STORE= to build every tool.
TOOLS_STORE ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/hookkeeper/tools/$(shell go env GOOS)-$(shell go env GOARCH)

# go-install-tool installs $(2)@$(3) into $(LOCALBIN) as $(1)-$(3), with the symlink $(1) pointing at
# it: copied from $(TOOLS_STORE) when it holds that version, else built by `go install` through the
# Go module proxy and then stored there.
define go-install-tool
@set -e; \
rm -f "$(LOCALBIN)/$(1)"; \
stored="$(TOOLS_STORE)/$(1)-$(3)"; \
if [ -n "$(TOOLS_STORE)" ] && [ -x "$$stored" ] && [ -s "$$stored" ]; then \
	echo "installing $(1) $(3) into $(LOCALBIN) from $(TOOLS_STORE)"; \
	cp -f "$$stored" "$(LOCALBIN)/$(1)-$(3)"; \
else \
	echo "installing $(2)@$(3) into $(LOCALBIN)"; \
	GOBIN="$(LOCALBIN)" go install "$(2)@$(3)"; \
	mv -f "$(LOCALBIN)/$(1)" "$(LOCALBIN)/$(1)-$(3)"; \
	if [ -n "$(TOOLS_STORE)" ] && mkdir -p "$(TOOLS_STORE)" 2>/dev/null; then \
		cp -f "$(LOCALBIN)/$(1)-$(3)" "$$stored.tmp.$$$$" && mv -f "$$stored.tmp.$$$$" "$$stored" || rm -f "$$stored.tmp.$$$$"; \
	fi; \
fi; \
ln -sf "$(1)-$(3)" "$(LOCALBIN)/$(1)"
endef
