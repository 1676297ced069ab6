using ProductOps.Cli;

// productops: one class per command; CliApp parses, dispatches and reports errors.
ICliCommand[] commands =
[
    new SimulateCommand(),
    new OverviewCommand(),
    new FeaturesCommand(),
    new FeatureCommand(),
    new UserCommand(),
    new RiskCommand(),
    new AtRiskCommand(),
    new ExportCommand(),
    new WatchCommand(),
    new SettingsCommand(),
    new TrainCommand(),
    new ModelsCommand(),
    new ActivateCommand(),
    new MigrateCommand(),
];

return await new CliApp(commands).RunAsync(args);
