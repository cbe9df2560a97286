"""The README's "own company" commands (export, import, run) run as written, and the commands of
docs/own-company.md that build the Vela company from its script and workbook work (in this process,
through the commands' entry points)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands(path: Path, heading: str) -> list[list[str]]:
    section = path.read_text().split(heading, 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.strip()]


def test_readme_export_import_run(tmp_path: Path, run_command) -> None:
    export, import_, run = commands(ROOT / "README.md", "## Your own company from planning tables")
    assert export[:4] == ["python", "-m", "simulator.tables", "export"] and import_[3] == "import"
    made = [ROOT / "my_company.xlsx", ROOT / "conf/network/my_company.yaml", ROOT / "conf/segments/my_company.yaml"]
    assert not any(p.exists() for p in made), "leftovers of an earlier run of this test"
    try:
        for cmd in (export, import_):
            proc = run_command(cmd, cwd=ROOT)
            assert proc.returncode == 0, proc.stderr[-3000:]
        assert all(p.exists() for p in made)
        short = [a if not a.startswith("horizon_days=") else "horizon_days=5" for a in run]
        proc = run_command([*short, "quiet=true", f"hydra.run.dir={tmp_path}/run"], cwd=ROOT)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "fast" in proc.stdout and (tmp_path / "run" / "planning_parameters.csv").exists()
    finally:
        for p in made:
            p.unlink(missing_ok=True)


def test_docs_build_vela_from_its_script_and_workbook(tmp_path: Path) -> None:
    from simulator.app.tables.cli import main as tables_main
    from simulator.app.tables.example import main as example_main

    generate, import_, run = commands(ROOT / "docs" / "own-company.md", "## The second shipped company")
    assert generate[:3] == ["python", "-m", "simulator.app.tables.example"]
    assert import_[3:] == ["import", "data/vela_europe.xlsx", "--out", "conf/network/vela_europe.yaml"]
    assert run[3:5] == ["network=vela_europe", "segments=vela_europe"]
    example_main(["--out", str(tmp_path / "vela_europe.xlsx")])
    tables_main(["import", str(tmp_path / "vela_europe.xlsx"), "--out", str(tmp_path / "network" / "vela.yaml")])
    written = (tmp_path / "network" / "vela.yaml").read_text().split("\n", 2)[2]  # below the provenance note
    shipped = (ROOT / "conf" / "network" / "vela_europe.yaml").read_text().split("\n", 2)[2]
    assert written.replace(str(tmp_path / "vela_europe.xlsx"), "data/vela_europe.xlsx") == shipped
