"""The HTTP JSON API (CONTRACT §6) and the advisers' web page, on FastAPI.

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
from collections.abc import Callable
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

from ._errors import InputError, Problem, ToolpickerError
from ._i18n import DEFAULT_LANGUAGE, LANGUAGES, _catalog, language, t
from ._version import __version__
from .kb import KnowledgeBase, default_knowledge_base
from .profile import Profile, parse_profile
from .questionnaire import error_object, profile_schema, profile_yaml, questions
from .result import Recommendation

MAX_BODY = 64 * 1024
API_DESCRIPTION = ("Explained digital-tool recommendations for French social-economy structures. Errors are "
                   "`{\"error\": {\"message\", \"problems\": [{field, value, message, suggestion}]}}`, "
                   "in French by default (`?lang=en` for English).")
ASSETS = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
REPORT_TYPES = {"markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
                "text": "text/plain; charset=utf-8", "json": "application/json"}


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


def _reject_constant(name: str) -> object:
    raise ValueError(name)


def parse_json(raw: bytes) -> object:
    """The JSON document of a request body, or :class:`InputError` with a French message."""
    if not raw.strip():
        raise InputError(t("server.empty_body"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(t("errors.not_utf8", position=exc.start)) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
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


def create_app(knowledge_base: KnowledgeBase | None = None, max_body: int = MAX_BODY) -> FastAPI:
    """The FastAPI application: the JSON API of CONTRACT §6 and the web page at ``/``."""
    from .explain import explain, near_misses
    from .recommend import recommend
    from .render import render

    kb = knowledge_base or default_knowledge_base()
    app = FastAPI(title="toolpicker", version=__version__, description=API_DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    body_doc = {"requestBody": {"required": True, "content": {
        "application/json": {"schema": profile_schema(kb)}}}}
    errors: dict[int | str, dict[str, Any]] = {413: {"model": ErrorOut}, 422: {"model": ErrorOut}}

    async def run(request: Request, lang: str | None, work: Callable[[Profile, str], Any]) -> Any:
        """Read the body, validate the profile and do ``work`` in a worker thread, in the chosen language."""
        chosen = _check_lang(lang)
        raw = await _read_body(request, max_body)

        def job() -> Any:
            with language(chosen):
                return work(parse_profile(parse_json(raw)), chosen)

        return await run_in_threadpool(job)

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

    @app.post("/api/recommend", openapi_extra=body_doc, responses={200: {"model": Recommendation}, **errors},
              summary="Recommend (CONTRACT §2)")
    async def api_recommend(request: Request, as_of: str | None = None, lang: str | None = None) -> JSONResponse:
        """The recommendation for the profile in the body: ``toolpicker.recommend(...).model_dump(mode="json")``."""
        data = await run(request, lang, lambda p, lg: recommend(p, as_of=as_of, knowledge_base=kb, lang=lg))
        return JSONResponse(data.model_dump(mode="json"))

    @app.post("/api/report", openapi_extra=body_doc, responses=errors, response_class=PlainTextResponse,
              summary="Printable report")
    async def api_report(request: Request, fmt: str = Query("markdown", alias="format"), as_of: str | None = None,
                         lang: str | None = None) -> Response:
        """The recommendation rendered as ``markdown`` (default), ``html``, ``text`` or ``json``."""
        if fmt not in REPORT_TYPES:
            message = t("server.bad_format", lang=_lang_of(request), value=fmt, allowed=", ".join(REPORT_TYPES))
            return _error(422, message, [{"field": "format", "value": fmt, "message": message,
                                          "suggestion": None, "code": "bad_format"}])
        text = await run(request, lang, lambda p, lg: render(
            recommend(p, as_of=as_of, knowledge_base=kb, lang=lg), fmt))
        return Response(text, media_type=REPORT_TYPES[fmt])

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

    return app


def serve(knowledge_base: KnowledgeBase | None, host: str, port: int) -> None:  # pragma: no cover - runs forever
    """Run the application with uvicorn until interrupted."""
    import uvicorn
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    app = create_app(knowledge_base)
    if host in ("127.0.0.1", "localhost"):  # a page on another site cannot reach us through DNS rebinding
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"])
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
