"""docs/tutorial.md runs as written: every `python` command and the notebook code (in this process,
through the command's entry point: the same code path without a fresh interpreter per step).

A step that needs a feature not yet on main (a policy or scenario named in its command) is skipped
with the reason; it runs as soon as that policy is registered or the scenario file exists.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from policies import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"```(bash|python)\n(.*?)```", re.S)


def _steps() -> list[tuple[str, str]]:
    steps = []
    for lang, body in BLOCK.findall(TUTORIAL.read_text()):
        if lang == "python":
            steps.append(("python", body))
        else:
            steps += [("bash", line.strip()) for line in body.splitlines() if line.strip().startswith("python ")]
    return steps


STEPS = _steps()


def missing_feature(command: str) -> str | None:
    """Why a command cannot run on this checkout yet (a policy or scenario it names does not exist)."""
    for kind, name in re.findall(r"segments\.\w+\.policies\.(\w+)=(\w+)", command):
        if name not in REGISTRY.get(kind, {}):
            return f"the {kind} policy '{name}' is not registered yet (make-to-order arrives with issue 3)"
    for name in re.findall(r"(?:^|\s)scenario=(\w+)", command):
        if not (ROOT / "conf" / "scenario" / f"{name}.yaml").exists():
            return f"conf/scenario/{name}.yaml does not exist yet (supplier-failure scenarios arrive with issue 4)"
    return None


def test_tutorial_has_the_three_steps_and_the_notebook() -> None:
    commands = [c for lang, c in STEPS if lang == "bash"]
    assert len(commands) == 4 and len([1 for lang, _ in STEPS if lang == "python"]) == 1
    assert "make_to_order" in commands[2] and "scenario=supplier_failure" in commands[3]


@pytest.mark.parametrize("lang, code", STEPS, ids=[f"{i}-{lang}" for i, (lang, _) in enumerate(STEPS)])
def test_tutorial_step_runs(lang: str, code: str, tmp_path: Path, run_command, monkeypatch, capsys) -> None:
    if lang == "python":
        monkeypatch.chdir(tmp_path)
        exec(compile(code, "tutorial.md", "exec"), {"__name__": "__main__"})  # noqa: S102 - the page's own code
        assert (tmp_path / "cln01_dc_north.png").stat().st_size > 10_000
        assert "fill_rate" in capsys.readouterr().out
        return
    reason = missing_feature(code)
    if reason:
        pytest.skip(reason)
    args = shlex.split(code)
    assert args[:3] == ["python", "-m", "simulator"]
    proc = run_command(args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_dir = tmp_path / next(a.split("=", 1)[1] for a in args if a.startswith("hydra.run.dir="))
    assert f"report: {run_dir / 'report.html'}" in proc.stdout
    page = (run_dir / "report.html").read_text()
    # the figure each step asks the class to read is in the report
    for title in ("Service per segment", "Production by segment", "Stock and backlog over time per segment"):
        assert f'<img alt="{title}"' in page
    if "trace=" in code:
        trace = (run_dir / "trace.txt").read_text()
        assert "CLN-01" in trace and "order line" in trace and "picked from stock" in trace
    if "scenario=supplier_failure" in code:
        assert "Disruptions in this run" in page and "<td>supplier_failure</td>" in page
        assert "tts_days" in proc.stdout and "ttr_days" in proc.stdout  # the tutorial says the terminal shows them
