using ProductOps.Contracts.V1;
using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions.Training;
using ContractActivationCheck = ProductOps.Contracts.V1.ActivationCheck;
using ContractActivationDecision = ProductOps.Contracts.V1.ActivationDecision;
using ContractCalibrationBin = ProductOps.Contracts.V1.CalibrationRow;
using ContractModelMetrics = ProductOps.Contracts.V1.ModelMetrics;
using ContractTenantClock = ProductOps.Contracts.V1.TenantClockKind;
using ContractTenantSettings = ProductOps.Contracts.V1.TenantSettings;
using ContractTrainingJob = ProductOps.Contracts.V1.TrainingJob;
using ContractTrainingStatus = ProductOps.Contracts.V1.TrainingStatus;
using DomainTenantClock = ProductOps.Domain.TenantClock;
using GrainActivationCheck = ProductOps.Grains.Abstractions.Training.ActivationCheck;
using GrainActivationDecision = ProductOps.Grains.Abstractions.Training.ActivationDecision;
using GrainModelMetrics = ProductOps.Grains.Abstractions.Training.ModelMetrics;
using GrainTenantSettings = ProductOps.Grains.Abstractions.Tenancy.TenantSettings;
using GrainTrainingJob = ProductOps.Grains.Abstractions.Training.TrainingJob;
using GrainTrainingStatus = ProductOps.Grains.Abstractions.Training.TrainingStatus;

namespace ProductOps.Gateway.Admin;

/// <summary>Maps settings, training jobs and models to the public contract.</summary>
public static class AdminContractMapper
{
    public static ContractTenantSettings ToContract(string tenant, GrainTenantSettings settings)
    {
        var contract = new ContractTenantSettings
        {
            Tenant = tenant,
            Clock = ToContract(settings.Clock),
            ChurnHorizonDays = settings.ChurnHorizonDays,
            ChurnEvents = new ChurnEventNames(),
            TrainingIntervalHours = settings.TrainingIntervalHours,
            AlertThreshold = settings.AlertThreshold,
            MinChurned = settings.MinChurned,
            MinRetained = settings.MinRetained,
        };
        contract.ChurnEvents.Names.AddRange(settings.ChurnEvents);
        return contract;
    }

    public static ContractTenantClock ToContract(DomainTenantClock clock) =>
        clock == DomainTenantClock.Event ? ContractTenantClock.Event : ContractTenantClock.Wall;

    public static ContractTrainingJob ToContract(GrainTrainingJob job)
    {
        var contract = new ContractTrainingJob
        {
            JobId = job.JobId,
            Status = ToContract(job.Status),
            Phase = job.Phase,
            Progress = job.Progress,
            UsersRead = job.UsersRead,
            EventsRead = job.EventsRead,
            Examples = job.Examples,
            StartedAt = ContractMapper.Time(job.StartedAtMs),
            Error = job.Error,
            ModelVersion = job.ModelVersion ?? 0,
            Activated = job.Activated,
            Scheduled = job.Scheduled,
        };
        if (job.FinishedAtMs is { } finished)
        {
            contract.FinishedAt = ContractMapper.Time(finished);
        }

        if (job.Activation is { } activation)
        {
            contract.Activation = ToContract(activation);
        }

        return contract;
    }

    /// <summary>The hold on automatic activation (null: not held).</summary>
    public static AutoActivation ToContract(AutoActivationHold? hold) => hold is null
        ? new AutoActivation { Held = false }
        : new AutoActivation { Held = true, HeldVersion = hold.Version, HeldSince = ContractMapper.Time(hold.SinceMs) };

    private static ContractActivationCheck ToContract(GrainActivationCheck check)
    {
        var contract = new ContractActivationCheck
        {
            Decision = ToContract(check.Decision),
            Reason = check.Reason,
            ModelAuc = check.ModelAuc,
            BaselineAuc = check.BaselineAuc,
            ActiveVersion = check.ActiveVersion ?? 0,
            ActiveNotEvaluated = check.ActiveNotEvaluated,
            AutoActivation = ToContract(check.Hold),
        };
        if (check.ActiveAuc is { } activeAuc)
        {
            contract.ActiveAuc = activeAuc;
        }

        return contract;
    }

    private static ContractActivationDecision ToContract(GrainActivationDecision decision) => decision switch
    {
        GrainActivationDecision.Activated => ContractActivationDecision.Activated,
        GrainActivationDecision.NotBetterThanBaseline => ContractActivationDecision.NotBetterThanBaseline,
        GrainActivationDecision.NotBetterThanActive => ContractActivationDecision.NotBetterThanActive,
        GrainActivationDecision.Held => ContractActivationDecision.Held,
        GrainActivationDecision.ActivationFailed => ContractActivationDecision.ActivationFailed,
        GrainActivationDecision.ActiveChanged => ContractActivationDecision.ActiveChanged,
        _ => ContractActivationDecision.Unspecified,
    };

    public static ModelInfo ToContract(ModelSummary model)
    {
        var contract = new ModelInfo
        {
            Version = model.Version,
            CreatedAt = ContractMapper.Time(model.CreatedAtMs),
            Trainer = model.Trainer,
            DataFrom = ContractMapper.Time(model.DataFromMs),
            DataTo = ContractMapper.Time(model.DataToMs),
            HorizonDays = model.HorizonDays,
            TrainExamples = model.TrainExamples,
            ValidationExamples = model.ValidationExamples,
            Metrics = ToContract(model.Model),
            BaselineMetrics = ToContract(model.Baseline),
            Active = model.IsActive,
            BeatsBaseline = model.BeatsBaseline,
        };
        foreach (var (name, value) in model.Parameters)
        {
            contract.Parameters[name] = value;
        }

        return contract;
    }

    private static ContractTrainingStatus ToContract(GrainTrainingStatus status) => status switch
    {
        GrainTrainingStatus.Queued => ContractTrainingStatus.Queued,
        GrainTrainingStatus.Running => ContractTrainingStatus.Running,
        GrainTrainingStatus.Succeeded => ContractTrainingStatus.Succeeded,
        GrainTrainingStatus.Failed => ContractTrainingStatus.Failed,
        GrainTrainingStatus.NotEnoughData => ContractTrainingStatus.NotEnoughData,
        _ => ContractTrainingStatus.Unspecified,
    };

    private static ContractModelMetrics ToContract(GrainModelMetrics metrics)
    {
        var contract = new ContractModelMetrics
        {
            Auc = metrics.Auc,
            PrAuc = metrics.PrAuc,
            LogLoss = metrics.LogLoss,
            Brier = metrics.Brier,
            TopDecileLift = metrics.TopDecileLift,
            Examples = metrics.Examples,
            Positives = metrics.Positives,
        };
        contract.Calibration.AddRange(metrics.Calibration.Select(b => new ContractCalibrationBin
        {
            Low = b.Low,
            High = b.High,
            Count = b.Count,
            MeanPredicted = b.MeanPredicted,
            ObservedRate = b.ObservedRate,
        }));
        return contract;
    }
}
