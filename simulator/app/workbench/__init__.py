"""The workbench: a local web application to set up, run and compare simulations (``python -m simulator.app``).

Built on FastAPI with pages rendered on the server (Jinja2) and a little plain JavaScript; every asset
is served from this package, so it works offline. See docs/workbench.md.
"""
