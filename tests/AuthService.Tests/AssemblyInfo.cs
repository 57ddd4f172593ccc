// The service runs on Linux (Unix sockets, SO_PEERCRED, SoftHSM, file modes), and so do its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
