using System.Security.Cryptography;
using AuthService.Grpc;
using Microsoft.AspNetCore.Connections.Features;

namespace AuthService.Access;

/// <summary>Works out who is calling from what the connection and the request prove (see <see cref="CallerIdentity"/>).</summary>
public sealed class CallerResolver(AccessTokens tokens)
{
    private const string BearerPrefix = "Bearer ";

    // SO_PEERCRED is fixed when the peer connects, so it is asked once per connection, not per call.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Net.Sockets.Socket, string[]> _peers = [];

    /// <summary>
    /// The caller's identities. A request that presents a bearer token the service does not know is refused
    /// (UNAUTHENTICATED) rather than served as anonymous: a typo in a token must not fall back to weaker rules.
    /// </summary>
    public CallerIdentity Resolve(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var identities = new List<string>(4);
        if (http.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket
            && _peers.GetValue(socket, s => PeerCredentials.Of(s) is { } peer ? [$"uid:{peer.Uid}", $"gid:{peer.Gid}"] : []) is { Length: > 0 } peerIdentities)
        {
            identities.AddRange(peerIdentities);
        }
        else if (http.Connection.RemoteIpAddress is { } address)
        {
            identities.Add($"tcp:{(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)}");
        }

        if (http.Connection.ClientCertificate is { } certificate)
        {
            identities.Add($"cert:{certificate.Subject}");
            identities.Add($"cert-sha256:{Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256))}");
        }

        if (http.Request.Headers.Authorization is { Count: > 0 } authorization)
        {
            var value = authorization.ToString();
            if (!value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            {
                throw new GrpcException(StatusCode.Unauthenticated, "The authorization header must be \"Bearer <token>\" with a token from access.tokens.");
            }

            var name = tokens.Find(value.AsSpan(BearerPrefix.Length).Trim());
            if (name is null)
            {
                // Never echo the presented token.
                throw new GrpcException(StatusCode.Unauthenticated, "The bearer token is not one of access.tokens (or its file could not be read); check the token the client sends.");
            }

            identities.Add($"token:{name}");
        }

        return new CallerIdentity(identities);
    }
}
