using AuthService.Cli;

return await AuthServiceCli.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
