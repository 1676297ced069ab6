using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`train`: starts the tenant's training job, follows it, and prints the model against
/// the recency baseline and whether (and why) it became active.</summary>
internal sealed class TrainCommand : ICliCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public string Name => "train";

    public string Summary => "Train the tenant's churn model now, follow the job, and show the model against the recency baseline.";

    public string Usage => "train [options]";

    public IReadOnlyList<CliOption> Options { get; } =
    [
        Connection.Address,
        AdminClient.Key,
        new("no-wait", null, "Start the job and print its id without following it."),
        new("resume-auto-activation", null, "Lift the hold that 'activate' put on automatic activation: scheduled trainings activate a winning model again."),
    ];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        arguments.ExpectNoPositionals();
        using var client = AdminClient.From(arguments);
        var resume = arguments.Has("resume-auto-activation");
        var job = await client.Service.TrainModelAsync(new TrainModelRequest { ResumeAutoActivation = resume }, cancellationToken: cancellationToken);
        if (resume)
        {
            Console.WriteLine("Automatic activation resumed: scheduled trainings activate a winning model again.");
        }

        Console.WriteLine($"Training job {job.JobId} ({StatusName(job.Status)}).");
        if (arguments.Has("no-wait"))
        {
            return CliApp.Ok;
        }

        var lastPhase = string.Empty;
        while (job.Status is TrainingStatus.Queued or TrainingStatus.Running)
        {
            await Task.Delay(PollInterval, cancellationToken);
            job = await client.Service.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = job.JobId }, cancellationToken: cancellationToken);
            if (job.Phase != lastPhase)
            {
                lastPhase = job.Phase;
                Console.WriteLine($"  {CliFormat.Rate(job.Progress),6}  {job.Phase}");
            }
        }

        Console.WriteLine($"Job {job.JobId}: {StatusName(job.Status)}; read {CliFormat.Count(job.EventsRead)} events of {CliFormat.Count(job.UsersRead)} users, built {CliFormat.Count(job.Examples)} examples.");
        if (job.Status != TrainingStatus.Succeeded)
        {
            Console.Error.WriteLine(job.Error);
            return CliApp.Failed;
        }

        Console.WriteLine();
        var model = await client.Service.GetModelAsync(new GetModelRequest { Version = job.ModelVersion }, cancellationToken: cancellationToken);
        ModelPrinter.PrintDetail(model, Console.Out);
        Console.WriteLine();
        return PrintActivation(job, Console.Out, Console.Error);
    }

    /// <summary>What became of the stored model, and why; Failed when activating a winner failed.</summary>
    private static int PrintActivation(TrainingJob job, TextWriter output, TextWriter error)
    {
        var version = job.ModelVersion;
        var activation = job.Activation ?? new ActivationCheck();
        if (activation.Decision == ActivationDecision.ActivationFailed)
        {
            error.WriteLine($"Version {version} is stored, but activating it failed; 'productops activate {version}' activates it.");
            error.WriteLine($"  {activation.Reason}");
            return CliApp.Failed;
        }

        output.WriteLine(job.Activated
            ? $"Version {version} is now active."
            : $"Version {version} is stored but not active; 'productops activate {version}' activates it anyway.");
        output.WriteLine($"  {activation.Reason}");
        if (activation.AutoActivation is { Held: true } hold)
        {
            output.WriteLine($"Automatic activation is held since version {hold.HeldVersion} was activated by hand ({CliFormat.Time(hold.HeldSince)}): scheduled trainings do not activate their models; 'productops train --resume-auto-activation' lifts the hold.");
        }

        return CliApp.Ok;
    }

    private static string StatusName(TrainingStatus status) => status switch
    {
        TrainingStatus.Queued => "queued",
        TrainingStatus.Running => "running",
        TrainingStatus.Succeeded => "succeeded",
        TrainingStatus.Failed => "failed",
        TrainingStatus.NotEnoughData => "not enough data",
        _ => "unknown",
    };
}
