"""``python -m simulator.app``: start the workbench (a local web page) on http://127.0.0.1:8050."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulator.app", description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    ap.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    ap.add_argument("--runs", default="outputs/workbench",
                    help="directory that keeps the workbench's runs (default outputs/workbench)")
    args = ap.parse_args(argv)
    try:
        import uvicorn

        from simulator.app.workbench.server import create_app
    except ImportError as exc:
        print(f"segsim: the workbench needs its web packages: pip install -e '.[app]' ({exc})", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    app = create_app(Path(args.runs))
    print(f"segsim workbench: http://{args.host}:{args.port}  (runs kept in {Path(args.runs).resolve()}; "
          "Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
