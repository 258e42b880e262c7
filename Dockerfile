# mentorbot: a static binary on a minimal base, run as a non-root user.
# Build:  docker build -t mentorbot --build-arg VERSION=$(git describe --always) .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The same flags as CI's "static build" step, so what CI checks is what ships.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/mentorbot ./cmd/mentorbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mentorbot /mentorbot
USER nonroot:nonroot
EXPOSE 8080
ENV MENTORBOT_HTTP_ADDR=:8080
HEALTHCHECK NONE
ENTRYPOINT ["/mentorbot"]
CMD ["serve"]
