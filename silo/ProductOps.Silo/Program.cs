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
builder.AddInProcessGatewayOrHealthCheck();

var app = builder.Build();
app.UseProductOpsMetrics();
app.MapInProcessGatewayOrHealthCheck();

await app.RunAsync();
