# A sample connector written in Python (Debian's python3-grpcio): GetSecret over the Auth Service's Unix socket or
# TCP, as tests/interop/python/get_secret.py does it. Built from the repository root:
#   docker build --network host -f compose/connector.Dockerfile -t authservice-connector .  (scripts/docker-build --connector)
#   docker run --rm --group-add 10001 -v authservice-socket:/run/authservice authservice-connector \
#     unix:/run/authservice/auth.sock CONFIGURATION SECRET_ID [JSON_KEY]
# Stage 1: protoc compiles the API's descriptor set (with the well-known types it imports), which get_secret.py
# loads instead of generated code. The compiler and its headers stay in this stage.
FROM debian:bookworm-slim AS descriptors
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends protobuf-compiler libprotobuf-dev \
 && rm -rf /var/lib/apt/lists/*
COPY protos/ /src/protos/
RUN protoc --include_imports --descriptor_set_out=/src/api.pb -I /src/protos -I /usr/include authservice/v1/secrets.proto

# Stage 2: only the Python runtime, the descriptor set and the client.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-grpcio python3-protobuf \
 && rm -rf /var/lib/apt/lists/*
COPY --from=descriptors /src/api.pb /opt/connector/api.pb
COPY tests/interop/python/get_secret.py /opt/connector/get_secret.py
RUN printf '#!/bin/sh\n# get-secret TARGET CONFIGURATION SECRET_ID [JSON_KEY]\ntarget=$1; shift\nexec python3 /opt/connector/get_secret.py "$target" /opt/connector/api.pb "$@"\n' > /usr/local/bin/get-secret \
 && chmod 0755 /usr/local/bin/get-secret
LABEL org.opencontainers.image.title="AuthService sample connector" \
      org.opencontainers.image.description="Python grpcio GetSecret client for demos and tests"
# Any uid works; the socket needs group 10001 (--group-add 10001 / compose group_add).
USER 20002
ENTRYPOINT ["/usr/local/bin/get-secret"]
