using System.CommandLine;
using System.Text;
using AuthService.Aws.Profiles;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Operator;

/// <summary>
/// `authservice credentials write`: the single-line Roles Anywhere profile of the reference procedure, written for
/// the operator (no hand-editing with vi): ARNs validated, other profiles kept, mode 0640, atomic replace.
/// </summary>
internal static class CredentialsCommands
{
    /// <summary>The signing helper path inside the container, as the reference profile names it.</summary>
    public const string SigningHelper = "/usr/local/bin/aws_signing_helper";

    public static Command Build()
    {
        var command = new Command("credentials", "Write the AWS credentials profile that uses the token (Roles Anywhere).");
        command.Subcommands.Add(Write());
        return command;
    }

    private static Command Write()
    {
        var profile = new Option<string?>("--profile") { Description = "the profile name, as the Alation authentication profile names it" };
        var trustAnchor = new Option<string?>("--trust-anchor-arn") { Description = "arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/UUID" };
        var profileArn = new Option<string?>("--profile-arn") { Description = "arn:aws:rolesanywhere:REGION:ACCOUNT:profile/UUID" };
        var roleArn = new Option<string?>("--role-arn") { Description = "arn:aws:iam::ACCOUNT:role/NAME" };
        var region = new Option<string?>("--region") { Description = "checked against the ARNs' region" };
        var token = new Option<string>("--token") { Description = "token label (default roles-anywhere)", DefaultValueFactory = _ => "roles-anywhere" };
        var certLabel = new Option<string>("--cert-label") { Description = "certificate label (default ra-cert)", DefaultValueFactory = _ => "ra-cert" };
        var keyLabel = new Option<string>("--key-label") { Description = "key label (default ra-key)", DefaultValueFactory = _ => "ra-key" };
        var id = new Option<string>("--id") { Description = "object id in hex (default 01)", DefaultValueFactory = _ => "01" };
        var pinSource = new Option<string?>("--pin-source") { Description = "write pin-source=file:/path (the PIN stays in that file) instead of pin-value" };
        var pinFile = new Option<string?>("--pin-file") { Description = "read the User PIN to write as pin-value from this file" };
        var pinStdin = new Option<bool>("--pin-stdin") { Description = "read the User PIN to write as pin-value from stdin" };
        var module = new Option<string>("--module") { Description = $"the --pkcs11-lib of the profile (default {TokenAccess.DefaultModule})", DefaultValueFactory = _ => TokenAccess.DefaultModule };
        var awsDir = new Option<string>("--aws-dir") { Description = $"directory of the credentials file (default {AwsProfilePaths.DefaultDirectory})", DefaultValueFactory = _ => AwsProfilePaths.DefaultDirectory };
        var command = new Command("write", "Write (or replace) one profile in <aws-dir>/credentials in the reference format, keeping the other profiles.")
        {
            profile, trustAnchor, profileArn, roleArn, region, token, certLabel, keyLabel, id, pinSource, pinFile, pinStdin, module, awsDir,
        };
        OperatorAction.Attach(command, parse =>
        {
            string name = parse.GetValue(profile) is { Length: > 0 } p && !p.Contains(']', StringComparison.Ordinal) && p.Trim() == p
                ? p
                : throw OperatorException.Usage("--profile NAME is required (no spaces around it, no ']').");
            IReadOnlyList<string> problems = ArnRules.Problems(parse.GetValue(trustAnchor), parse.GetValue(profileArn), parse.GetValue(roleArn), parse.GetValue(region));
            if (problems.Count > 0)
            {
                throw OperatorException.Usage("the profile was not written:\n  - " + string.Join("\n  - ", problems));
            }

            byte[] objectId = HexId.Parse(parse.GetValue(id));
            string? source = parse.GetValue(pinSource);
            string? pin = null;
            if (source is null)
            {
                pin = parse.GetValue(pinFile) is { } f ? SecretInput.FromFile(f, "User PIN")
                    : parse.GetValue(pinStdin) ? SecretInput.FromStdin(new OperatorInput(), "User PIN")
                    : SecretInput.Prompt("User PIN to write into the profile: ")
                    ?? throw OperatorException.Usage("no User PIN: use --pin-source file:/path (recommended), --pin-file FILE or --pin-stdin, or run with a terminal to be prompted.");
            }

            var certificate = new Pkcs11Uri { Token = parse.GetValue(token), ObjectLabel = parse.GetValue(certLabel), Id = objectId, PinSource = source, PinValue = pin };
            var key = new Pkcs11Uri { Token = parse.GetValue(token), ObjectLabel = parse.GetValue(keyLabel), Id = objectId, PinSource = source, PinValue = pin };
            // Parse what will be written, so a pin-source the service cannot read is refused now, not at the first request.
            _ = Pkcs11Uri.Parse(key.Format(includePinValue: true));
            string line = Line(parse.GetValue(module)!, certificate, key, parse.GetValue(trustAnchor)!, parse.GetValue(profileArn)!, parse.GetValue(roleArn)!);
            string path = Path.Combine(parse.GetValue(awsDir)!, "credentials");
            string existing = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
            bool replaced = existing.Split('\n').Any(l => l.Trim() == $"[{name}]");
            WriteAtomically(path, Upsert(existing, name, line));
            Console.WriteLine($"{(replaced ? "Replaced" : "Added")} profile [{name}] in {path} (mode 0640).");
            Console.WriteLine($"Check it with: authservice doctor --aws-dir {parse.GetValue(awsDir)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The credential_process line exactly as the reference procedure writes it.</summary>
    public static string Line(string module, Pkcs11Uri certificate, Pkcs11Uri key, string trustAnchorArn, string profileArn, string roleArn) =>
        $"credential_process = {SigningHelper} credential-process --certificate \"{certificate.Format(includePinValue: true)}\" --private-key \"{key.Format(includePinValue: true)}\" --pkcs11-lib {module} --trust-anchor-arn {trustAnchorArn} --profile-arn {profileArn} --role-arn {roleArn}";

    /// <summary>Replaces the section [name] (header to the next header) or appends it; every other byte is kept.</summary>
    public static string Upsert(string existing, string name, string line)
    {
        var lines = existing.Length == 0 ? [] : existing.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        int start = lines.FindIndex(l => l.Trim() == $"[{name}]");
        if (start < 0)
        {
            var sb = new StringBuilder();
            foreach (string l in lines)
            {
                sb.Append(l).Append('\n');
            }

            if (lines.Count > 0 && lines[^1].Trim().Length > 0)
            {
                sb.Append('\n');
            }

            return sb.Append('[').Append(name).Append("]\n").Append(line).Append('\n').ToString();
        }

        int end = lines.FindIndex(start + 1, l => l.TrimStart().StartsWith('['));
        end = end < 0 ? lines.Count : end;
        // Keep the blank line(s) that separated the section from the next one.
        int body = end;
        while (body > start + 1 && lines[body - 1].Trim().Length == 0)
        {
            body--;
        }

        lines.RemoveRange(start + 1, body - start - 1);
        lines.Insert(start + 1, line);
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Temp file in the same directory, mode 0640 from creation (never briefly world-readable), then rename.</summary>
    public static void WriteAtomically(string path, string content)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("file modes need a Unix file system");
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.tmp-{Environment.ProcessId}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
        };
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                byte[] bytes = Encoding.UTF8.GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
                Array.Clear(bytes);
            }

            // The umask may have removed group read; the reference procedure asks for exactly 0640.
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>For doctor: the object class a URI's certificate side selects.</summary>
    public static Pkcs11Uri CertificateSelector(Pkcs11Uri uri) => new() { ObjectLabel = uri.ObjectLabel, Id = uri.Id, Type = Pkcs11ObjectClass.Certificate };
}
