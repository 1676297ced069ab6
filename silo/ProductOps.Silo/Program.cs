using ProductOps.Gateway;
using ProductOps.Gateway.Hosting;
using ProductOps.Silo;

// The all-in-one node: one silo over the embedded store, with the gRPC gateway in-process.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json wherever `dotnet run` is started
});

builder.AddDemoTenantWhenLocal();
builder.AddProductOpsSilo();
builder.AddProductOpsMetrics();
if (builder.Configuration.GetValue(SiloHostOptions.Section + ":Gateway", true))
{
    builder.Services.AddProductOpsGateway();
}
else
{
    builder.Services.AddHealthChecks();
}

var app = builder.Build();
app.UseProductOpsMetrics();
if (app.Services.GetService<ProductOps.Gateway.Ingest.BatchIngestor>() is not null)
{
    app.MapProductOpsGateway();
}
else
{
    app.MapHealthChecks("/healthz");
}

await app.RunAsync();
