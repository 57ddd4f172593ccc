# The AuthService image: the service, SoftHSM2 and OpenSC from Debian, and the reference procedure's paths.
#   scripts/docker-build                       builds it here (base images made locally by scripts/docker-setup)
#   docker build --build-arg VERSION=1.2.3 .   anywhere the two base images can be pulled
# Written for the classic builder too (Debian's engine 20.10 has no BuildKit plugin): no RUN --mount, no heredocs.

ARG VERSION=0.0.0-dev
# Where the sources came from (scripts/docker-build passes the git remote and commit when there are any).
ARG SOURCE=unknown
ARG REVISION=unknown

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Optional extra CA certificates (docker/build-ca/*.crt, filled by scripts/docker-build from the machine's
# /usr/local/share/ca-certificates): NuGet behind a TLS-inspecting proxy fails with UntrustedRoot without them.
# This stage only; the runtime image never sees them.
COPY docker/build-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
ENV NUGET_CERT_REVOCATION_MODE=offline DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORKDIR /src
# Restore first, from the project files alone, so a source change reuses the restored packages layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY services/AuthService/AuthService.csproj services/AuthService/
COPY services/AuthService.Grpc/AuthService.Grpc.csproj services/AuthService.Grpc/
COPY services/AuthService.Aws/AuthService.Aws.csproj services/AuthService.Aws/
COPY services/AuthService.Pkcs11/AuthService.Pkcs11.csproj services/AuthService.Pkcs11/
RUN dotnet restore services/AuthService/AuthService.csproj -r linux-x64
COPY protos/ protos/
COPY services/ services/
# Declared here, not earlier: a build argument invalidates the cache of every RUN after its ARG line.
ARG VERSION
# Self-contained: the runtime image needs no .NET install. The version reaches `authservice --version`.
RUN dotnet publish services/AuthService/AuthService.csproj -c Release -r linux-x64 --self-contained --no-restore \
      -p:InformationalVersion="$VERSION" -p:DebugType=none -o /out \
 && rm -f /out/*.pdb

FROM debian:bookworm-slim AS runtime
# softhsm2 (libsofthsm2.so, softhsm2-util) and opensc (pkcs11-tool), as the reference procedure uses them.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends softhsm2 opensc ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/log/apt /var/log/dpkg.log
# A fixed uid/gid, so the host can own its bind mount for it: `install -d -o 10001 -g 10001 /etc/hydra/auth`.
# The token directory and the configurations live on the mount, so the image itself can be read-only.
RUN groupadd --system --gid 10001 authservice \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin authservice \
 && install -d -o 10001 -g 10001 -m 0750 /opt/alation/site/config/authserver \
 && install -d -o 10001 -g 10001 -m 0755 /run/authservice
# The token directory is on the persistent mount (survives upgrades), as the reference procedure creates it.
# Debian's own /etc/softhsm/softhsm2.conf (tokens in /var/lib/softhsm, a directory only group softhsm may read) is
# replaced by a link, so the library finds the mount's token directory with or without SOFTHSM2_CONF set.
COPY docker/softhsm2.conf /etc/softhsm2.conf
RUN ln -sf /etc/softhsm2.conf /etc/softhsm/softhsm2.conf && chmod 0755 /etc/softhsm
COPY --from=build /out/ /opt/authservice/
COPY docker/aws_signing_helper /usr/local/bin/aws_signing_helper
RUN chmod 0755 /usr/local/bin/aws_signing_helper \
 && ln -s /opt/authservice/authservice /usr/local/bin/authservice
# Last, so a new version or commit rebuilds only these metadata layers, not the apt layer above.
ARG VERSION
ARG SOURCE
ARG REVISION
LABEL org.opencontainers.image.title="AuthService" \
      org.opencontainers.image.description="gRPC service handing AWS Secrets Manager values to data connectors, through IAM Roles Anywhere with a PKCS#11 (SoftHSM2) key" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.licenses="NOASSERTION"
ENV AUTHSERVICE_Configuration__File=/opt/alation/site/config/authserver/configurations.json \
    AWS_SHARED_CREDENTIALS_FILE=/opt/alation/site/config/authserver/.aws/credentials \
    AWS_CONFIG_FILE=/opt/alation/site/config/authserver/.aws/config \
    AUTHSERVICE_Server__Tcp=0.0.0.0:50051 \
    AUTHSERVICE_Server__UnixSocket=/run/authservice/auth.sock \
    SOFTHSM2_CONF=/etc/softhsm2.conf \
    DOTNET_gcServer=0
# The socket directory is a volume: writable under --read-only even when no named volume is mounted there.
VOLUME /run/authservice
USER 10001:10001
WORKDIR /opt/alation/site/config/authserver
EXPOSE 50051
# Liveness of the gRPC server itself (grpc.health.v1, whole server): a wrong PIN makes the service not ready
# (authservice.v1.SecretsService NOT_SERVING) but must not mark the container unhealthy and get it replaced.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/opt/authservice/authservice", "health", "--address", "http://127.0.0.1:50051", "--timeout", "4"]
# SIGTERM starts a graceful drain: in-flight calls finish within the host's shutdown timeout (30 s, the .NET
# default); give `docker stop -t` / compose stop_grace_period at least that.
STOPSIGNAL SIGTERM
# No ENTRYPOINT: `docker run IMAGE bash` and `docker exec auth softhsm2-util ...` work as operators expect.
# umask 0007: the Unix socket (and files the service writes on the mount) get no permissions for "other": a
# connector reaches the socket by sharing its volume AND running with group 10001 (compose: group_add).
# `exec` leaves the service as PID 1, so SIGTERM reaches it directly.
CMD ["/bin/sh", "-c", "umask 0007 && exec /opt/authservice/authservice serve"]
