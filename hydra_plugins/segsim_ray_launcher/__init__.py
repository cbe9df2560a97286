"""segsim's Hydra launcher for Ray (``hydra/launcher=ray_local`` or ``ray_cluster``): see launcher.py."""
