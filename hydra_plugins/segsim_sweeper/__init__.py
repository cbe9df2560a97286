"""segsim's sweeper, where Hydra looks for plugins (``hydra_plugins``); the code is in
``simulator.app.sweeper``."""
