# The AwsEmulator (local Roles Anywhere, STS and Secrets Manager that verify every signature) as a container, for
# compose/demo.yml and the container tests. Not for production: it is a test peer. Built from the repository root:
#   docker build --network host -f compose/emulator.Dockerfile -t authservice-emulator .   (scripts/docker-build --emulator)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
COPY docker/build-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
ENV NUGET_CERT_REVOCATION_MODE=offline DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY services/AwsEmulator/AwsEmulator.csproj services/AwsEmulator/
RUN dotnet restore services/AwsEmulator/AwsEmulator.csproj -r linux-x64
COPY services/AwsEmulator/ services/AwsEmulator/
RUN dotnet publish services/AwsEmulator/AwsEmulator.csproj -c Release -r linux-x64 --self-contained --no-restore \
      -p:DebugType=none -o /out

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /opt/aws-emulator/
LABEL org.opencontainers.image.title="AwsEmulator" \
      org.opencontainers.image.description="Local AWS endpoints for AuthService demos and tests (not for production)"
# The demo seed (CA, client certificate and key, ARNs, secrets) is written to /demo on first start; mount it to
# hand the client key and certificate to the operator procedure.
VOLUME /demo
EXPOSE 4599
HEALTHCHECK --interval=2s --timeout=2s --retries=15 CMD ["curl", "-fs", "http://127.0.0.1:4599/healthz"]
CMD ["/opt/aws-emulator/AwsEmulator", "--demo-dir", "/demo", "--bind", "0.0.0.0", "--port", "4599"]
