using ProductOps.Gateway;
using ProductOps.Gateway.Host;

// The gateway as its own process: stateless, an Orleans client of the silo cluster.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.AddProductOpsClusterClient();
builder.Services.AddProductOpsGateway();

var app = builder.Build();
app.MapProductOpsGateway();
await app.RunAsync();
