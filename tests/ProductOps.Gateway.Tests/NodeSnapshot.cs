using ProductOps.Contracts.V1;

namespace ProductOps.Gateway.Tests;

/// <summary>Everything the query API says about a set of users and features at one moment,
/// minus the readings of the clock and of the pipeline's lag, which differ between any two moments.</summary>
public sealed record NodeSnapshot(IReadOnlyList<UserView> Users, IReadOnlyList<FeatureView> Features, OverviewView Overview, ListFeaturesResponse FeatureList)
{
    public static async Task<NodeSnapshot> TakeAsync(QueryService.QueryServiceClient query, IEnumerable<string> users, IEnumerable<string> features)
    {
        ArgumentNullException.ThrowIfNull(query);
        var userViews = new List<UserView>();
        foreach (var user in users)
        {
            var view = await query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
            view.AsOf = null;
            userViews.Add(view);
        }

        var featureViews = new List<FeatureView>();
        foreach (var feature in features)
        {
            var view = await query.GetFeatureAsync(new GetFeatureRequest { Feature = feature }, DemoTenant.Read);
            view.AsOf = null;
            featureViews.Add(view);
        }

        var overview = await query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
        overview.AsOf = null;
        overview.Freshness = null;
        var list = await query.ListFeaturesAsync(new ListFeaturesRequest(), DemoTenant.Read);
        list.AsOf = null;
        return new NodeSnapshot(userViews, featureViews, overview, list);
    }
}
