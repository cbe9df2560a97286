"""Time from ``python -m simulator.app`` to the first result on the default company (prints seconds).

Starts the workbench on a free port, waits for its page, presses Run with the default set-up
(the default company, 365 days) through the same form post the browser makes, and waits for the
run page with its KPI table. Usage: python bench/workbench_first_result.py [--horizon DAYS]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--horizon", default="365")
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as runs:
        t0 = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "simulator.app", "--port", str(port), "--runs", runs],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    urllib.request.urlopen(url + "/").read()
                    break
                except OSError:
                    time.sleep(0.1)
            t_page = time.perf_counter() - t0
            data = urllib.parse.urlencode({"horizon_days": args.horizon}).encode()
            reply = urllib.request.urlopen(urllib.request.Request(url + "/run", data=data))
            view = reply.geturl()
            run_dir = urllib.parse.parse_qs(urllib.parse.urlparse(view).query)["dir"][0]
            while b'"status":"running"' in urllib.request.urlopen(
                    url + "/api/status?dir=" + urllib.parse.quote(run_dir)).read():
                time.sleep(0.2)
            page = urllib.request.urlopen(view).read()
            assert b'id="kpi-table"' in page, "no KPI table on the run page"
            t_result = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait()
    print(f"workbench page up after {t_page:.1f} s; first result ({args.horizon} days, default company) "
          f"after {t_result:.1f} s")


if __name__ == "__main__":
    main()
