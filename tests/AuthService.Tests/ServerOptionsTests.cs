using System.Net;
using AuthService.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AuthService.Tests;

public class ServerOptionsTests
{
    [Fact]
    public void Validate_Defaults_NoErrors()
    {
        Assert.Empty(new ServerOptions().Validate());
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEachAtOnce()
    {
        var options = new ServerOptions
        {
            Tcp = "localhost",
            Tls = new TlsOptions { Endpoint = "0.0.0.0:50443", ClientCertificateMode = ClientCertificateMode.RequireCertificate },
        };

        var errors = options.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("Server:Tcp", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("CertificatePath and KeyPath", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ClientCaPath", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_TlsFilesMissing_NamesEachPath()
    {
        var options = new ServerOptions
        {
            Tls = new TlsOptions { Endpoint = "127.0.0.1:50443", CertificatePath = "/nonexistent/cert.pem", KeyPath = "/nonexistent/key.pem" },
        };

        var errors = options.Validate();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("'/nonexistent/cert.pem' does not exist", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'/nonexistent/key.pem' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NoEndpoint_SaysWhichToSet()
    {
        var errors = new ServerOptions { Tcp = "" }.Validate();

        Assert.Contains("Server:UnixSocket", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:50051", "127.0.0.1", 50051)]
    [InlineData("0.0.0.0:1", "0.0.0.0", 1)]
    [InlineData("[::1]:443", "::1", 443)]
    [InlineData("localhost:80", "127.0.0.1", 80)]
    [InlineData("*:9000", "0.0.0.0", 9000)]
    public void TryParse_ValidEndpoint_Parsed(string value, string address, int port)
    {
        Assert.True(EndpointParser.TryParse(value, out var endpoint));
        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("50051")]
    [InlineData("host:port")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("example.com:80")]
    public void TryParse_InvalidEndpoint_False(string value)
    {
        Assert.False(EndpointParser.TryParse(value, out _));
    }
}
