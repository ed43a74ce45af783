"""The HTTP JSON API (CONTRACT §6, docs/contract.md) and the advisers' web page, on FastAPI.

>>> from toolpicker.server import create_app
>>> app = create_app()            # then: uvicorn.run(app, host="127.0.0.1", port=8000)

Every route is a thin layer over the library: ``POST /api/recommend`` returns
``toolpicker.recommend(...).model_dump(mode="json")``. Bad input (malformed
JSON, a body over the size limit, an invalid profile, a bad ``as_of`` or
``lang``) gets a JSON error in French (or ``?lang=en``) with the same
field-level messages as the CLI: 413 for a body too large, 422 otherwise.
Nothing ever answers with a traceback. The profile work runs in a thread pool
(``toolpicker.recommend`` is thread-safe).

Only ``toolpicker serve`` imports this module, so FastAPI is never loaded by
``import toolpicker`` or the other commands.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._errors import InputError, Problem, ToolpickerError
from .._i18n import DEFAULT_LANGUAGE, LANGUAGES, _catalog, language, t
from .._json import DuplicateKey, reject_constant, unique_keys
from .._version import __version__
from ..knowledge.base import KnowledgeBase, default_knowledge_base
from ..knowledge.profile import Profile, parse_profile, shorten, suggest
from ..knowledge.questions import error_object, profile_schema, profile_yaml, questions
from ..recommendation.result import Recommendation

MAX_BODY = 64 * 1024
API_DESCRIPTION = ("Explained digital-tool recommendations for French social-economy structures. Errors are "
                   "`{\"error\": {\"message\", \"problems\": [{field, value, message, suggestion}]}}`, "
                   "in French by default (`?lang=en` for English).")
ASSETS = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
          "dossiers.js": "text/javascript; charset=utf-8"}
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
REPORT_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                  "X-Content-Type-Options": "nosniff"}
REPORT_TYPES = {"markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
                "text": "text/plain; charset=utf-8", "json": "application/json",
                "fragment": "text/html; charset=utf-8"}
MAX_PROFILE_TEXT = 64 * 1024


class ProblemOut(BaseModel):
    field: str | None = None
    value: Any = None
    message: str
    suggestion: str | None = None
    code: str = "invalid"
    line: int | None = None


class ErrorBody(BaseModel):
    message: str
    problems: list[ProblemOut] = []


class ErrorOut(BaseModel):
    """Every error the API returns: ``{"error": {"message", "problems": [...]}}``."""

    error: ErrorBody


class _TooLarge(Exception):
    """The request body is over the limit."""


def _error(status: int, message: str, problems: list[dict[str, object]] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "problems": problems or []}}, status_code=status)


def _lang_of(request: Request) -> str:
    lang = request.query_params.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _check_lang(lang: str | None) -> str:
    if lang is None or lang == "":
        return DEFAULT_LANGUAGE
    if lang not in LANGUAGES:
        message = t("errors.bad_language", value=lang)
        raise InputError(message, [Problem(message=message, field="lang", value=lang, code="bad_language")])
    return lang


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _TooLarge
    return bytes(body)


def parse_json(raw: bytes) -> object:
    """The JSON document of a request body, or :class:`InputError` with a French message."""
    if not raw.strip():
        raise InputError(t("server.empty_body"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(t("errors.not_utf8", position=exc.start)) from None
    try:
        return json.loads(text, parse_constant=reject_constant, object_pairs_hook=unique_keys)
    except DuplicateKey as exc:
        raise InputError(t("server.duplicate_key", key=shorten(exc.key))) from None
    except json.JSONDecodeError as exc:
        raise InputError(t("server.bad_json", line=exc.lineno, column=exc.colno)) from None
    except (ValueError, RecursionError):
        raise InputError(t("server.bad_json_value")) from None


@cache
def _page_environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("toolpicker", "web"), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def web_messages(lang: str) -> dict[str, str]:
    """The ``web.*`` messages of a language (French for any key it lacks)."""
    merged = {**_catalog(DEFAULT_LANGUAGE), **_catalog(lang)}
    return {k.removeprefix("web."): v for k, v in merged.items() if k.startswith("web.")}


@cache
def _asset(name: str) -> bytes:
    return resources.files("toolpicker").joinpath("web", name).read_bytes()


def create_app(knowledge_base: KnowledgeBase | None = None, max_body: int = MAX_BODY,
               cors_origins: tuple[str, ...] = (), dossier_db: str | None = None, dossier_token: str | None = None,
               require_token: bool = False) -> FastAPI:
    """The FastAPI application: the JSON API of CONTRACT §6 and the web page at ``/``.

    Cross-origin requests are refused unless ``cors_origins`` lists the sites
    allowed to call the API from a browser (``serve --cors-origin``).
    ``/api/dossiers`` (CONTRACT §7, :mod:`toolpicker.interfaces.dossier_api`)
    keeps dossiers in ``dossier_db`` (default: ``TOOLPICKER_DB``, else the
    user's SQLite file); with ``require_token`` each of its requests must carry
    ``Authorization: Bearer <dossier_token>``.
    """
    kb = knowledge_base or default_knowledge_base()
    app = FastAPI(title="toolpicker", version=__version__, description=API_DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")  # /docs: see _api_page
    body_doc = {"requestBody": {"required": True, "content": {
        "application/json": {"schema": profile_schema(kb)}}}}
    errors: dict[int | str, dict[str, Any]] = {413: {"model": ErrorOut}, 422: {"model": ErrorOut}}
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"])

    async def run(request: Request, lang: str | None, work: Callable[[Profile, str], Any]) -> Any:
        """Read the body, validate the profile and do ``work`` in a worker thread, in the chosen language."""
        chosen = _check_lang(lang)
        raw = await _read_body(request, max_body)

        def job() -> Any:
            with language(chosen):
                return work(parse_profile(parse_json(raw)), chosen)

        return await run_in_threadpool(job)

    _guards(app, max_body)
    _recommendation_routes(app, kb, run, body_doc, errors)
    _reference_routes(app, kb)
    _api_page(app)

    from .dossier_api import mount_dossiers

    mount_dossiers(app, kb, dossier_db, dossier_token, require_token, max_body)

    _page_routes(app)
    return app


Runner = Callable[[Request, str | None, Callable[[Profile, str], Any]], Awaitable[Any]]


def _guards(app: FastAPI, max_body: int) -> None:
    """Unknown query parameters refused; every error a JSON object in the reader's language, never a traceback."""
    @app.middleware("http")
    async def known_parameters(request: Request, call_next: Callable[[Request], Any]) -> Any:
        """An unknown query parameter (``?asof=``) is a 422 naming it, never silently ignored."""
        allowed = _query_parameters(app).get((request.method, request.url.path))
        unknown = sorted(set(request.query_params) - allowed) if allowed is not None else []
        if not unknown:
            return await call_next(request)
        with language(_lang_of(request)):
            problems: list[dict[str, object]] = [
                {"field": shorten(name), "value": shorten(request.query_params[name]), "code": "unknown_parameter",
                 "suggestion": suggest(name, sorted(allowed or ())),
                 "message": t("server.unknown_parameter", field=shorten(name),
                              allowed=", ".join(sorted(allowed or ())) or "—")} for name in unknown]
            return _error(422, t("server.bad_request"), problems)

    @app.exception_handler(_TooLarge)
    async def too_large(request: Request, exc: _TooLarge) -> JSONResponse:
        return _error(413, t("server.too_large", lang=_lang_of(request), limit=max_body // 1024))

    @app.exception_handler(ToolpickerError)
    async def bad_input(request: Request, exc: ToolpickerError) -> JSONResponse:
        status = 422 if isinstance(exc, InputError) else 500
        payload = error_object(exc)
        return JSONResponse({"error": payload}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = _lang_of(request)
        problems: list[dict[str, object]] = []
        for err in exc.errors():
            name = str(err.get("loc", ["?"])[-1])
            problems.append({"field": name, "value": None, "suggestion": None, "code": str(err.get("type")),
                             "message": t("server.bad_parameter", lang=lang, field=name)})
        return _error(422, t("server.bad_request", lang=lang), problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = _lang_of(request)
        key = {404: "server.not_found", 405: "server.method_not_allowed"}.get(exc.status_code, "server.http_error")
        return _error(exc.status_code, t(key, lang=lang, status=exc.status_code))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, t("server.unexpected", lang=_lang_of(request)))


def _recommendation_routes(app: FastAPI, kb: KnowledgeBase, run: Runner, body_doc: dict[str, Any],
                           errors: dict[int | str, dict[str, Any]]) -> None:
    """The routes that read a profile: recommend, report, explain, near-misses, the profile as YAML or parsed."""
    from ..audit.explain import explain, near_misses
    from ..recommendation.recommend import recommend
    from .render import render

    @app.post("/api/recommend", openapi_extra=body_doc, responses={200: {"model": Recommendation}, **errors},
              summary="Recommend (CONTRACT §2)")
    async def api_recommend(request: Request, as_of: str | None = None, lang: str | None = None) -> JSONResponse:
        """The recommendation for the profile in the body: ``toolpicker.recommend(...).model_dump(mode="json")``."""
        data = await run(request, lang, lambda p, lg: recommend(p, as_of=as_of, knowledge_base=kb, lang=lg))
        return JSONResponse(data.model_dump(mode="json"))

    @app.post("/api/report", openapi_extra=body_doc, responses=errors, response_class=PlainTextResponse,
              summary="Printable report")
    async def api_report(request: Request, fmt: str = Query("markdown", alias="format"), as_of: str | None = None,
                         lang: str | None = None, detail: bool = False) -> Response:
        """The recommendation rendered as ``markdown`` (default), ``html``, ``text`` or ``json``.

        ``fragment`` is the HTML report's body alone (what the web page shows); ``detail=true`` keeps every
        reason, score, rule id and alternative.
        """
        if fmt not in REPORT_TYPES:
            message = t("server.bad_format", lang=_lang_of(request), value=fmt, allowed=", ".join(REPORT_TYPES))
            return _error(422, message, [{"field": "format", "value": fmt, "message": message,
                                          "suggestion": None, "code": "bad_format"}])
        text = await run(request, lang, lambda p, lg: render(
            recommend(p, as_of=as_of, knowledge_base=kb, lang=lg), fmt, kb, detail=detail))
        return Response(text, media_type=REPORT_TYPES[fmt],
                        headers=REPORT_HEADERS if fmt in ("html", "fragment") else None)

    @app.post("/api/explain", openapi_extra=body_doc, responses=errors, summary="Explain (why, why not)")
    async def api_explain(request: Request, item: str | None = None, as_of: str | None = None,
                          lang: str | None = None) -> JSONResponse:
        """Why each item (or only ``item``) was recommended or not, with what would tip it."""
        data = await run(request, lang, lambda p, lg: explain(p, item=item, as_of=as_of, knowledge_base=kb, lang=lg))
        return JSONResponse(data.model_dump(mode="json"))

    @app.post("/api/near-misses", openapi_extra=body_doc, responses=errors, summary="Items that almost qualified")
    async def api_near_misses(request: Request, as_of: str | None = None, lang: str | None = None) -> JSONResponse:
        """Items that almost qualified, each with the smallest change that would make it appear."""
        found = await run(request, lang, lambda p, lg: near_misses(p, as_of=as_of, knowledge_base=kb, lang=lg))
        return JSONResponse({"near_misses": [n.model_dump(mode="json") for n in found]})

    @app.post("/api/profile.yaml", openapi_extra=body_doc, responses=errors, response_class=PlainTextResponse,
              summary="The profile as YAML")
    async def api_profile_yaml(request: Request, lang: str | None = None) -> Response:
        """The validated profile as YAML, ready for ``toolpicker recommend``."""
        text = await run(request, lang, lambda p, lg: profile_yaml(p))
        return Response(text, media_type="application/yaml; charset=utf-8")

    @app.post("/api/profile/parse", responses=errors, summary="Read a saved profile (YAML or JSON)",
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/yaml": {"schema": {"type": "string"}},
                  "application/json": {"schema": {"type": "object"}},
                  "text/plain": {"schema": {"type": "string"}}}}})
    async def api_profile_parse(request: Request, lang: str | None = None) -> JSONResponse:
        """The validated profile of a YAML or JSON file, as JSON: what the web page loads into the questionnaire."""
        chosen = _check_lang(lang)
        raw = await _read_body(request, MAX_PROFILE_TEXT)

        def job() -> Any:
            from ..knowledge.profile import load_profile

            with language(chosen):
                return load_profile(raw, t("server.uploaded_file")).model_dump(mode="json", exclude_none=True)

        return JSONResponse({"profile": await run_in_threadpool(job)})


def _reference_routes(app: FastAPI, kb: KnowledgeBase) -> None:
    """What does not depend on a profile: liveness, the schema, the catalogue, the questionnaire."""
    @app.get("/healthz", summary="Liveness: version and knowledge base")
    def healthz() -> JSONResponse:
        """``{"status": "ok", "version", "knowledge_base": {"version", "rules", "solutions", "funding_routes"}}``."""
        return JSONResponse({"status": "ok", "version": __version__,
                             "knowledge_base": {"version": kb.version, "rules": len(kb.rules),
                                                "solutions": len(kb.solutions),
                                                "funding_routes": len(kb.funding_routes)}})

    @app.get("/api/schema", summary="The profile's JSON Schema")
    def api_schema(lang: str | None = None) -> JSONResponse:
        with language(_check_lang(lang)):
            return JSONResponse(profile_schema(kb))

    @app.get("/api/catalog", summary="Solutions and funding routes (catalog --format json)")
    def api_catalog(lang: str | None = None) -> JSONResponse:
        with language(_check_lang(lang)):
            return JSONResponse(kb.catalog_listing())

    @app.get("/api/questions", summary="The questionnaire: every field with its question, help and values")
    def api_questions(lang: str | None = None) -> JSONResponse:
        with language(_check_lang(lang)) as chosen:
            return JSONResponse({"language": chosen, "fields": questions(kb)})


def _page_routes(app: FastAPI) -> None:
    """The advisers' web page and its assets (served by the package: no CDN)."""
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(lang: str | None = None) -> HTMLResponse:
        chosen = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        messages = web_messages(chosen)
        html = _page_environment().get_template("index.html").render(
            lang=chosen, m=messages, messages=messages, version=__version__)
        return HTMLResponse(html, headers=PAGE_HEADERS)

    @app.get("/web/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in ASSETS:
            raise StarletteHTTPException(404)
        return Response(_asset(name), media_type=ASSETS[name], headers={"X-Content-Type-Options": "nosniff"})


def _api_page(app: FastAPI) -> None:
    """The interactive API page at ``/docs``, its scripts served from the package (no CDN)."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="toolpicker — API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css", swagger_favicon_url="data:,")


def _query_parameters(app: FastAPI) -> dict[tuple[str, str], set[str]]:
    """(method, path) → the query parameters its route declares."""
    cached: dict[tuple[str, str], set[str]] | None = getattr(app.state, "query_parameters", None)
    if cached is None:
        from fastapi.routing import APIRoute

        cached = {}
        for route in app.routes:
            if isinstance(route, APIRoute) and route.path.startswith("/api/") and "{" not in route.path:
                names = {p.alias for p in route.dependant.query_params}
                for method in route.methods or ():
                    cached[(method, route.path)] = names
        app.state.query_parameters = cached
    return cached


REQUEST_TIMEOUT = 10.0
"""Seconds a client has to send a whole request (headers and body) once it has connected or started one."""
MAX_CONNECTIONS = 200
"""Open connections and running requests beyond which uvicorn answers 503."""
LOG_BURST = 20
"""Log records per 10 s window beyond which uvicorn's messages are only counted."""


def guarded_protocol(timeout: float) -> type[Any]:
    """uvicorn's h11 protocol with a deadline on reading each request (uvicorn has none for headers).

    A client that connects and sends nothing, or sends headers or a body one
    byte at a time, is disconnected ``timeout`` seconds after it started: half-
    sent requests no longer pile up until the process runs out of file handles.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    reading = (h11.IDLE, h11.SEND_BODY)

    class Guarded(H11Protocol):
        _deadline: Any = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._watch()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._watch()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._cancel()  # between requests, uvicorn's keep-alive timeout applies

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel()
            super().connection_lost(exc)

        def _watch(self) -> None:
            if self.conn.their_state in reading and not self.transport.is_closing():
                if self._deadline is None:
                    self._deadline = self.loop.call_later(timeout, self._expired)
            else:
                self._cancel()

        def _cancel(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if self.conn.their_state in reading and not self.transport.is_closing():
                self.transport.close()

    return Guarded


class _RateLimit(logging.Filter):
    """At most :data:`LOG_BURST` records per 10 s window; the rest are counted, then reported in one line."""

    def __init__(self) -> None:
        super().__init__()
        self.window = 0.0
        self.count = 0
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self.window >= 10:
            if self.dropped:
                record.msg = f"{self.dropped} log message(s) suppressed in the last 10 s; then: {record.msg}"
            self.window, self.count, self.dropped = now, 0, 0
        self.count += 1
        if self.count > LOG_BURST:
            self.dropped += 1
            return False
        return True


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(knowledge_base: KnowledgeBase | None, host: str, port: int, request_timeout: float = REQUEST_TIMEOUT,
          max_connections: int = MAX_CONNECTIONS, access_log: bool = False,
          cors_origins: tuple[str, ...] = (), dossier_db: str | None = None,
          dossier_token: str | None = None) -> None:  # pragma: no cover - runs forever
    """Run the application with uvicorn until interrupted (bounded request time, connections and log volume).

    Beyond loopback, every dossier route requires ``dossier_token`` (none given: they all answer 401).
    """
    import uvicorn
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    app = create_app(knowledge_base, cors_origins=cors_origins, dossier_db=dossier_db, dossier_token=dossier_token,
                     require_token=host not in LOOPBACK)
    if host in ("127.0.0.1", "localhost"):  # a page on another site cannot reach us through DNS rebinding
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"])
    limit = _RateLimit()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).addFilter(limit)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False, access_log=access_log,
                http=guarded_protocol(request_timeout), limit_concurrency=max_connections, timeout_keep_alive=5,
                h11_max_incomplete_event_size=16 * 1024)
