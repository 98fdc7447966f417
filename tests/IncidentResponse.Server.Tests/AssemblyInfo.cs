// Hangfire keeps one static job storage per process: servers in one test process run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
