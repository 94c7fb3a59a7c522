# Build a static binary, then ship it alone in a minimal image as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/suivi ./cmd/suivi

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/suivi /usr/local/bin/suivi
USER nonroot:nonroot
ENV SUIVI_HTTP_ADDR=0.0.0.0:8080 SUIVI_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/suivi"]
CMD ["serve"]
