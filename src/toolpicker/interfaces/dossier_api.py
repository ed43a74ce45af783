"""``/api/dossiers``: the dossier operations of CONTRACT §7 over HTTP, mounted by :func:`create_app`.

| route | does |
|---|---|
| ``GET /api/dossiers`` | the list (``dossier list --format json``) |
| ``POST /api/dossiers`` | body ``{"profile": {…}, "note": "…"}``: a new dossier with its first diagnosis |
| ``POST /api/dossiers/{id}/diagnoses`` | the same body: one more diagnosis in dossier ``id`` |
| ``GET /api/dossiers/{id}`` | the dossier and its diagnoses (``dossier show``) |
| ``GET /api/dossiers/{id}/diff?from=N&to=M`` | what changed (default: the last two) |
| ``GET /api/dossiers/{id}/rerun`` | the last profile under today's knowledge base vs then |
| ``GET /api/dossiers/{id}/report?format=html`` | the follow-up report (``html``, ``fragment``, ``markdown``, ``text``)|
| ``GET /api/dossiers/{id}/export``, ``GET /api/dossiers/export`` | the export document (one dossier, all) |
| ``POST /api/dossiers/import?replace=false`` | body: an export document; all or nothing |
| ``DELETE /api/dossiers/{id}`` | ``{"deleted": id}`` |

Notes travel in request bodies, never in URLs, so an access log cannot hold
them. When the server listens beyond loopback every route here needs
``Authorization: Bearer <token>``: without the right token the answer is 401
and says nothing about which dossiers exist (the check runs before any
lookup). Errors: 404 unknown dossier, 409 an import meeting existing
dossiers, 422 bad input, 503 the database cannot be used — the same French
messages as the CLI.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from .._errors import InputError, Problem
from .._i18n import language, t
from ..knowledge.base import KnowledgeBase
from ..knowledge.profile import shorten, suggest
from ..knowledge.questions import error_object
from .server import REPORT_HEADERS, REPORT_TYPES, ErrorOut, _check_lang, _read_body, parse_json

MAX_IMPORT = 256 * 1024 * 1024
"""Bytes an imported export may hold (about 10,000 diagnoses)."""
BODY_KEYS = ("profile", "note")
_STATUS = {"unknown": 404, "conflict": 409, "database": 503, "input": 422}


MIN_TOKEN = 16


def read_token(path: str) -> str:
    """The bearer token in ``path`` (its first line, at least :data:`MIN_TOKEN` characters), or an InputError."""
    from .._files import read_bounded

    raw = read_bounded(path, 4096)
    try:
        token = raw.decode("utf-8").strip().splitlines()[0].strip() if raw.strip() else ""
    except UnicodeDecodeError:
        token = ""
    if len(token) < MIN_TOKEN or not token.isprintable():
        raise InputError(t("dossier_api.bad_token", path=path, length=MIN_TOKEN))
    return token


class _Unauthorized(Exception):
    """No bearer token, or not the right one."""


def mount_dossiers(app: FastAPI, knowledge_base: KnowledgeBase, db: str | None = None, token: str | None = None,
                   require_token: bool = False, max_body: int = 64 * 1024) -> None:
    """Add the ``/api/dossiers`` routes to ``app``; the database (``db``, else ``TOOLPICKER_DB``, else the user's
    SQLite file) is opened at the first dossier request. With ``require_token``, each request must carry ``token``.
    """
    from ..dossiers import DossierError, DossierStore

    kb = knowledge_base
    opening = threading.Lock()
    opened: list[DossierStore] = []
    bearer = HTTPBearer(auto_error=False, description="The token of `toolpicker serve --token-file` (beyond "
                                                      "loopback only).")

    def guard(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:  # noqa: B008
        if not require_token:
            return
        given = credentials.credentials.encode() if credentials is not None else b""
        if token is None or not hmac.compare_digest(given, token.encode()):
            raise _Unauthorized

    def store() -> DossierStore:
        with opening:
            if not opened:
                opened.append(DossierStore(db))
            return opened[0]

    async def work(lang: str | None, job: Callable[[DossierStore], Any]) -> Any:
        chosen = _check_lang(lang)

        def run() -> Any:
            with language(chosen):
                return job(store())

        return await run_in_threadpool(run)

    async def diagnosis_body(request: Request) -> tuple[dict[str, Any], str | None]:
        data = parse_json(await _read_body(request, max_body))
        if not isinstance(data, dict) or not isinstance(data.get("profile"), dict):
            raise InputError(t("dossier_api.body"))
        for key in data:
            if key not in BODY_KEYS:
                message = t("dossier_api.unknown_key", key=shorten(key))
                raise InputError(message, [Problem(message=message, field=shorten(key),
                                                   suggestion=suggest(key, BODY_KEYS), code="unknown_key")])
        note = data.get("note")
        if note is not None and not isinstance(note, str):
            raise InputError(t("dossier_api.note"))
        return data["profile"], note

    @app.exception_handler(_Unauthorized)
    async def unauthorized(request: Request, exc: _Unauthorized) -> JSONResponse:
        return JSONResponse({"error": {"message": t("dossier_api.unauthorized"), "problems": []}}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(DossierError)
    async def dossier_error(request: Request, exc: DossierError) -> JSONResponse:
        return JSONResponse({"error": error_object(exc)}, status_code=_STATUS.get(exc.kind, 422))

    errors: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 404, 409, 422, 503)}
    body_doc = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["profile"], "additionalProperties": False,
        "properties": {"profile": {"type": "object", "description": "A profile (CONTRACT §1)"},
                       "note": {"type": ["string", "null"], "maxLength": 10_000}}}}}}}

    def route(method: str, path: str, **options: Any) -> Callable[[Any], Any]:
        # Routes of the app itself (not an included router): the app's check of unknown query parameters sees them.
        return app.api_route(f"/api/dossiers{path}", methods=[method], tags=["dossiers"],
                             dependencies=[Depends(guard)], responses=errors, **options)

    @route("GET", "", summary="List the dossiers (most recently updated first)")
    async def list_dossiers(lang: str | None = None) -> JSONResponse:
        found = await work(lang, lambda s: s.list())
        return JSONResponse([d.model_dump(mode="json") for d in found])

    @route("POST", "", status_code=201, openapi_extra=body_doc, summary="A new dossier with its first diagnosis")
    async def create(request: Request, as_of: str | None = None, lang: str | None = None) -> JSONResponse:
        profile, note = await diagnosis_body(request)
        added = await work(lang, lambda s: s.add(profile, note=note, as_of=as_of, knowledge_base=kb))
        return JSONResponse(added.model_dump(mode="json"), status_code=201)

    @route("GET", "/export", summary="Export every dossier (the document `dossier import` restores)")
    async def export_all(lang: str | None = None) -> JSONResponse:
        document = await work(lang, lambda s: s.export())
        return JSONResponse(document.model_dump(mode="json"))

    @route("POST", "/import", summary="Import an export: all or nothing",
                 openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"type": "object"}}}}})
    async def import_dossiers(request: Request, replace: bool = False, lang: str | None = None) -> JSONResponse:
        raw = await _read_body(request, MAX_IMPORT)
        ids = await work(lang, lambda s: s.import_document(raw, replace=replace))
        return JSONResponse({"imported": ids})

    @route("GET", "/{dossier_id}", summary="A dossier and its diagnoses")
    async def show(dossier_id: str, lang: str | None = None) -> JSONResponse:
        found = await work(lang, lambda s: s.get(dossier_id))
        return JSONResponse(found.model_dump(mode="json"))

    @route("POST", "/{dossier_id}/diagnoses", status_code=201, openapi_extra=body_doc,
                 summary="One more diagnosis in a dossier")
    async def add(dossier_id: str, request: Request, as_of: str | None = None,
                  lang: str | None = None) -> JSONResponse:
        profile, note = await diagnosis_body(request)
        added = await work(lang, lambda s: s.add(profile, to=dossier_id, note=note, as_of=as_of, knowledge_base=kb))
        return JSONResponse(added.model_dump(mode="json"), status_code=201)

    @route("GET", "/{dossier_id}/diff", summary="What changed between two diagnoses (default: the last two)")
    async def diff(dossier_id: str, from_n: int | None = Query(None, alias="from", ge=1),
                   to_n: int | None = Query(None, alias="to", ge=1), lang: str | None = None) -> JSONResponse:
        found = await work(lang, lambda s: s.diff(dossier_id, from_n, to_n))
        return JSONResponse(found.model_dump(mode="json"))

    @route("GET", "/{dossier_id}/rerun", summary="The last profile under today's knowledge base vs then")
    async def rerun(dossier_id: str, as_of: str | None = None, lang: str | None = None) -> JSONResponse:
        found = await work(lang, lambda s: s.rerun(dossier_id, as_of=as_of, knowledge_base=kb))
        return JSONResponse(found.model_dump(mode="json"))

    @route("GET", "/{dossier_id}/report", summary="The follow-up report: since the last diagnosis…")
    async def report(dossier_id: str, fmt: str = Query("html", alias="format"),
                     from_n: int | None = Query(None, alias="from", ge=1),
                     to_n: int | None = Query(None, alias="to", ge=1), lang: str | None = None) -> Response:
        """The follow-up report; ``from`` and ``to`` choose the two diagnoses compared (default: the last two)."""
        from ..dossiers._render import follow_up, follow_up_html, follow_up_text

        if fmt not in ("html", "fragment", "markdown", "text"):
            message = t("server.bad_format", value=shorten(fmt), allowed="html, fragment, markdown, text")
            raise InputError(message, [Problem(message=message, field="format", value=shorten(fmt),
                                               code="bad_format")])

        def job(s: DossierStore) -> str:
            found = s.get(dossier_id)
            compared = from_n is not None or to_n is not None or len(found.diagnoses) >= 2
            view = follow_up(kb, found, s.diff(dossier_id, from_n, to_n) if compared else None)
            if fmt in ("html", "fragment"):
                return follow_up_html(view, fragment=fmt == "fragment")
            return follow_up_text(view, markdown=fmt == "markdown")

        text = await work(lang, job)
        return Response(text, media_type=REPORT_TYPES[fmt],
                        headers=REPORT_HEADERS if fmt in ("html", "fragment") else None)

    @route("GET", "/{dossier_id}/export", summary="Export one dossier")
    async def export_one(dossier_id: str, lang: str | None = None) -> JSONResponse:
        document = await work(lang, lambda s: s.export([dossier_id]))
        return JSONResponse(document.model_dump(mode="json"))

    @route("DELETE", "/{dossier_id}", summary="Delete a dossier and its diagnoses")
    async def delete(dossier_id: str, lang: str | None = None) -> JSONResponse:
        await work(lang, lambda s: s.delete(dossier_id))
        return JSONResponse({"deleted": dossier_id})

