"""The application layer: what a planner runs (the command line, replications, sweeps, the stress
matrix) and the ``Results`` facade over a run's tables. It uses the engine and the analysis layer;
neither of them imports anything from here."""
