# Builds the hookkeeper operator image: `make docker-build IMG=...`.
# The only network access is `go mod download`; the build itself runs with the module proxy off.
# test/image replays the builder stage offline (context, COPY lines, build command) in `make test`;
# keep the FROM golang: line on the Go version of go.mod.

FROM golang:1.26 AS builder
ARG TARGETOS
ARG TARGETARCH
# What `hookkeeper version` prints; make docker-build passes git's.
ARG VERSION=dev
ARG COMMIT=unknown

WORKDIR /workspace

# Dependencies first, in their own layer, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download

# The whole module, minus what .dockerignore drops (tests, docs, manifests, local files): a new
# package needs no change here.
COPY . .

# GOPROXY=off and -mod=readonly: everything must already be in the module cache from the step above.
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} GOPROXY=off GOFLAGS=-mod=readonly \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o manager main.go

# distroless/static: no shell, no package manager; the nonroot variant runs as 65532.
FROM gcr.io/distroless/static:nonroot
WORKDIR /
COPY --from=builder /workspace/manager /manager
USER 65532:65532
ENTRYPOINT ["/manager"]
