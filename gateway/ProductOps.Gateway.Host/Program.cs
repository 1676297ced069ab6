using ProductOps.Gateway;
using ProductOps.Gateway.Host;
using ProductOps.Gateway.Hosting;
using ProductOps.Grains.Abstractions.Tenancy;

// The gateway as its own process: stateless, an Orleans client of the silo cluster.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.AddDemoTenantWhenLocal();
builder.AddProductOpsClusterClient();
builder.AddProductOpsMetrics();
builder.Services.AddProductOpsGateway();
builder.Services.AddTenantSettingsRefresher(); // admin changes reach this process as they reach silos

var app = builder.Build();
app.UseProductOpsMetrics();
app.MapProductOpsGateway();
var stopping = app.Lifetime.ApplicationStopping; // read now: RunAsync disposes the services it comes from
try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    // Stopped (SIGTERM, a scale-down) while still trying to reach the cluster: a clean stop.
}
