using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Auth;
using ProductOps.Gateway.Errors;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Grains.Abstractions.Training;
using ContractTenantSettings = ProductOps.Contracts.V1.TenantSettings;
using ContractTrainingJob = ProductOps.Contracts.V1.TrainingJob;

namespace ProductOps.Gateway.Admin;

/// <summary>The AdminService: settings, training and the model registry of the caller's tenant
/// (the interceptor lets only keys with the admin scope in).</summary>
[BindServiceMethod(typeof(AdminServiceBinding), nameof(AdminServiceBinding.Bind))]
public sealed class AdminGrpcService(IGrainFactory grains) : AdminService.AdminServiceBase
{
    // TrainModel's job ids are "<tenant>-<jobs started>": at most 64 + 1 + 10 characters. A longer
    // one, or one with control characters, is no job's, and is refused rather than echoed back.
    private static readonly IngestLimits JobIdLimits = new() { MaxIdLength = 75 };

    public override async Task<ContractTenantSettings> GetTenantSettings(GetTenantSettingsRequest request, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        var settings = await grains.GetGrain<ITenantSettingsGrain>(tenant).Get();
        return AdminContractMapper.ToContract(tenant, settings);
    }

    public override async Task<ContractTenantSettings> UpdateTenantSettings(UpdateTenantSettingsRequest request, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        var update = SettingsUpdateReader.Read(request);
        var settings = await grains.GetGrain<ITenantSettingsGrain>(tenant).Update(update);
        return AdminContractMapper.ToContract(tenant, settings);
    }

    public override async Task<ContractTrainingJob> TrainModel(TrainModelRequest request, ServerCallContext context)
    {
        var jobs = grains.GetGrain<ITrainingJobGrain>(CallerContext.TenantOf(context));
        if (request.ResumeAutoActivation)
        {
            await jobs.ResumeAutoActivation(); // at once, whether or not a job is already running
        }

        return AdminContractMapper.ToContract(await jobs.Start());
    }

    public override async Task<ContractTrainingJob> GetTrainingJob(GetTrainingJobRequest request, ServerCallContext context)
    {
        if (EventValidator.Id("job_id", request.JobId, JobIdLimits, required: false) is { } invalid)
        {
            throw new RequestValidationException(invalid);
        }

        var jobs = grains.GetGrain<ITrainingJobGrain>(CallerContext.TenantOf(context));
        var job = string.IsNullOrEmpty(request.JobId) ? await jobs.GetLatest() : await jobs.Get(request.JobId);
        return job is null
            ? throw new NotFoundException("job_id", string.IsNullOrEmpty(request.JobId) ? "the tenant has no training job yet" : $"no job '{request.JobId}' (only the running or last job is kept)")
            : AdminContractMapper.ToContract(job);
    }

    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        var models = grains.GetGrain<IModelRegistryGrain>(tenant).List();
        var hold = grains.GetGrain<ITrainingJobGrain>(tenant).GetAutoActivationHold();
        await Task.WhenAll(models, hold); // asked at once
        var response = new ListModelsResponse { AutoActivation = AdminContractMapper.ToContract(await hold) };
        response.Models.AddRange((await models).Select(AdminContractMapper.ToContract));
        return response;
    }

    public override async Task<ModelInfo> GetModel(GetModelRequest request, ServerCallContext context)
    {
        var model = await grains.GetGrain<IModelRegistryGrain>(CallerContext.TenantOf(context)).Get(request.Version);
        return AdminContractMapper.ToContract(model ?? throw UnknownVersion(request.Version));
    }

    public override async Task<ModelInfo> ActivateModel(ActivateModelRequest request, ServerCallContext context)
    {
        var registry = grains.GetGrain<IModelRegistryGrain>(CallerContext.TenantOf(context));
        if (!await registry.Activate(request.Version))
        {
            throw UnknownVersion(request.Version);
        }

        return AdminContractMapper.ToContract(await registry.Get(request.Version) ?? throw UnknownVersion(request.Version));
    }

    private static NotFoundException UnknownVersion(int version) => new("version", $"the tenant has no model version {version}");
}
