"""The workbench's web application (FastAPI pages rendered on the server, a little plain JavaScript).

Pages: ``/`` set up and run, with the list of runs; ``/view?dir=`` one run, sweep, stress matrix or
optimisation directory; ``/compare?dir=&dir=`` two runs paired or several side by side. Everything it
serves comes from this package or from result directories: it works offline.
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from simulator.app.workbench import controls, explore, rundir
from simulator.app.workbench.jobs import RunStore

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
_FIGURE_LOCK = threading.Lock()  # matplotlib draws one figure at a time


def create_app(root: Path) -> FastAPI:
    """The workbench serving the runs kept under ``root``."""
    app = FastAPI(title="segsim workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Jinja2Templates(directory=HERE / "templates")
    store = RunStore(root)
    catalogue = controls.catalogue()
    helps = {kind: {name: controls.policy_help(kind, name) for name in names} for kind, names in catalogue.items()}
    cache = rundir.ResultsCache()
    app.state.store = store

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return pages.TemplateResponse(request, name, {"runs": store.list(), **context}, status_code=status)

    def setup(request: Request, form: dict[str, str], status: int = 200, error: str = "", field: str = "") -> Any:
        choice = {g: form.get(g) or default for g, default in
                  (("network", "default"), ("segments", "default"), ("scenario", "baseline"))}
        base = controls.compose(controls.base_overrides(choice))
        overrides = controls.form_overrides(form, base) if form else controls.base_overrides(choice)
        return page(request, "home.html", status, choice=choice, options={g: controls.group_options(g)
                                                                            for g in controls.GROUPS},
                    base=base, controls=controls.controls(base), catalogue=catalogue, helps=helps,
                    top=controls.TOP_FIELDS, form=form, error=error, error_field=field,
                    command=controls.command_line(overrides), overrides=overrides)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Any:
        return setup(request, dict(request.query_params))

    def _checked(form: dict[str, str]) -> tuple[controls.Check, str]:
        choice = {g: form.get(g) or "" for g in controls.GROUPS}
        base_check = controls.check(controls.base_overrides(choice))
        if base_check.config is None:
            return base_check, ""
        result = controls.check(controls.form_overrides(form, base_check.config))
        visible = [n for n in form if not n.startswith("param.") or
                   n.split(".")[3] == form.get(".".join(["policy", *n.split(".")[1:3]]))]
        return result, controls.field_for_error(result.error_key, visible, result.error) if result.error else ""

    @app.post("/api/check")
    async def api_check(request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        result, field = _checked(form)
        return JSONResponse({"overrides": result.overrides, "command": controls.command_line(result.overrides),
                             "error": result.error, "field": field})

    @app.post("/run")
    async def start_run(request: Request) -> Any:
        form = {k: str(v) for k, v in (await request.form()).items()}
        result, field = _checked(form)
        if result.error:
            return setup(request, form, 400, result.error, field)
        label = form.get("label", "").strip() or _label(result.overrides)
        run = store.start(result.overrides, label, result.simulations)
        return RedirectResponse(f"/view?dir={run.dir}", status_code=303)

    @app.get("/api/status")
    def status(dir: str) -> JSONResponse:
        run = store.by_dir(dir)
        if run is None:
            raise HTTPException(404, f"no workbench run in {dir}")
        return JSONResponse(run.as_dict())

    @app.get("/view", response_class=HTMLResponse)
    def view(request: Request, dir: str, job: str | None = None) -> Any:
        path = Path(dir).expanduser().resolve()
        run = store.by_dir(path)
        if run is not None and run.status != "ok":
            return page(request, "running.html", run=run)
        try:
            kind = rundir.kind_of(path)
        except FileNotFoundError as exc:
            return page(request, "message.html", 404, title="Nothing to show", message=str(exc))
        if kind == "run":
            return page(request, "run.html", **explore.run_context(path, run))
        return page(request, "explore.html", **explore.directory_context(path, kind, dict(request.query_params)))

    @app.get("/figure")
    def figure(dir: str, name: str) -> Response:
        path = Path(dir).expanduser().resolve()
        with _FIGURE_LOCK:
            try:
                fig = explore.run_figure(path, name, cache)
            except (FileNotFoundError, KeyError) as exc:
                raise HTTPException(404, str(exc)) from None
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=90)
        return Response(buf.getvalue(), media_type="image/png")

    @app.get("/compare", response_class=HTMLResponse)
    def compare(request: Request, dir: list[str] = Query(default=[])) -> Any:  # noqa: B008 (FastAPI idiom)
        paths = [Path(d).expanduser().resolve() for d in dir]
        order = {r.dir: i for i, r in enumerate(store.list())}  # workbench runs in the order they were made
        paths.sort(key=lambda p: order.get(str(p), len(order)))
        if len(paths) < 2:
            return page(request, "message.html", 400, title="Compare runs",
                        message="Tick two or more finished runs in the list to compare them.")
        return page(request, "compare.html", **explore.compare_context(paths, store))

    @app.get("/compare/figure")
    def compare_figure(dir: list[str] = Query(default=[])) -> Response:  # noqa: B008
        with _FIGURE_LOCK:
            fig = explore.compare_figure([Path(d).expanduser().resolve() for d in dir], store)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=90)
        return Response(buf.getvalue(), media_type="image/png")

    @app.get("/file")
    def file(dir: str, name: str) -> FileResponse:
        try:
            return FileResponse(rundir.safe_file(Path(dir).expanduser(), name))
        except FileNotFoundError:
            raise HTTPException(404, f"no file {name} in {dir}") from None

    @app.get("/download")
    def download(dir: str) -> StreamingResponse:
        path = Path(dir).expanduser().resolve()
        if not path.is_dir():
            raise HTTPException(404, f"no directory {dir}")
        return StreamingResponse(rundir.zip_directory(path), media_type="application/zip",
                                 headers={"Content-Disposition": f'attachment; filename="{path.name}.zip"'})

    return app


def _label(overrides: list[str]) -> str:
    """A short name for a run from what it changes (``tail production make_to_order``)."""
    parts = []
    for o in overrides:
        if o.startswith("~"):
            continue
        key, _, value = o.lstrip("+").partition("=")
        key = key.replace("segments.", "").replace("policies.", "").replace(".", " ")
        parts.append(f"{key} {value}")
    return ", ".join(parts) or "default company"
