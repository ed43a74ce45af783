"""The ``toolpicker`` command: a thin layer over the library.

Exit codes: 0 success, 1 a check or a scenario failed, 2 bad input or usage.
Errors are one clear message (French by default), never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .._errors import InputError, ToolpickerError
from .._i18n import LANGUAGES, language, t

F = TypeVar("F", bound=Callable[..., Any])


class UsageError(click.UsageError):
    exit_code = 2


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"{t('cli.error_prefix')} {message}", err=True)
    sys.exit(code)


def friendly(func: F) -> F:
    """Turn library errors into one message and an exit code; never show a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ToolpickerError as exc:
            _fail(str(exc), 2)
        except KeyboardInterrupt:
            click.echo(t("cli.interrupted"), err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last barrier before an adviser's screen
            _fail(t("errors.unexpected", detail=f"{type(exc).__name__}: {exc}"), 2)
        return None

    return wrapper  # type: ignore[return-value]


def write_output(text: str, output: str | None, force: bool = False, inputs: tuple[str, ...] = ()) -> None:
    """Print, or write ``output`` safely (:mod:`toolpicker._files`: nothing toolpicker did not write is replaced)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from .._files import write_atomically

    write_atomically(output, [text], force=force, inputs=inputs)
    click.echo(t("cli.written", path=output), err=True)


def check_output(output: str | None, force: bool = False, inputs: tuple[str, ...] = ()) -> None:
    """Refuse a bad ``-o`` before any work is done (a batch of 10,000 rows must not fail at its end)."""
    if output is not None and output != "-":
        from .._files import prepare_output

        prepare_output(output, force=force, inputs=inputs)


def force_option(func: F) -> F:
    return click.option("--force", is_flag=True,
                        help="Remplacer le fichier de sortie même s'il n'a pas été écrit par toolpicker.")(func)


def read_input(path: str) -> tuple[bytes, str]:
    """Bytes of a profile file, or of standard input for ``-``."""
    from ..knowledge.safe_yaml import read_input as read

    return read(path)


def _kb(rules: str | None, catalog: str | None) -> Any:
    from ..knowledge.base import default_knowledge_base, load_knowledge_base

    if rules is None and catalog is None:
        return default_knowledge_base()
    from ..knowledge.base import shipped_dir

    return load_knowledge_base(rules or shipped_dir("rules"), catalog or shipped_dir("catalog"))


def kb_options(func: F) -> F:
    func = click.option("--catalog", "catalog", metavar="DIR", help="Autre dossier de catalogue / another catalogue.")(
        func)
    func = click.option("--rules", "rules", metavar="DIR", help="Autre dossier de règles / another rules folder.")(func)
    return func


def as_of_option(func: F) -> F:
    return click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                        help="Date d'évaluation (défaut : aujourd'hui) / evaluation date.")(func)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends the command like Ctrl-C: ``finally`` blocks run, temporary files are removed."""
    raise SystemExit(128 + signum)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _terminated)
        lang = ctx.params.get("lang") or os.environ.get("TOOLPICKER_LANG") or "fr"
        with language(lang):
            return super().invoke(ctx)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Langue des messages (fr, en).")
@click.version_option(package_name="toolpicker")
def main(lang: str | None) -> None:
    """toolpicker : recommandations numériques expliquées pour les structures de l'ESS.

    \b
    Exemples :
      toolpicker recommend examples/petite-association-culturelle.yaml
      toolpicker check
      toolpicker catalog --category crm
    """


@main.command()
@click.argument("profile", metavar="PROFILE")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json"]), default="text",
              show_default=True, help="Format de sortie (html : rapport imprimable).")
@click.option("--detail", is_flag=True,
              help="Rapport complet : toutes les raisons, scores, règles, sources et alternatives.")
@click.option("-o", "--output", metavar="FILE", help="Écrire dans FILE au lieu de l'écran.")
@force_option
@as_of_option
@kb_options
@friendly
def recommend(profile: str, fmt: str, detail: bool, output: str | None, force: bool, as_of: str | None,
              rules: str | None, catalog: str | None) -> None:
    """Recommande outils, licences, accompagnements, financements et solutions pour un PROFILE (YAML/JSON, - pour
    l'entrée standard).

    \b
    Exemple :
      toolpicker recommend examples/petite-association-culturelle.yaml --format markdown -o rapport.md
    """
    from ..knowledge.profile import load_profile
    from ..recommendation.recommend import parse_date
    from ..recommendation.recommend import recommend as run
    from .render import render

    day = parse_date(as_of)
    check_output(output, force, (profile,))
    data, shown = read_input(profile)
    parsed = load_profile(data, shown)
    kb = _kb(rules, catalog)
    rec = run(parsed, as_of=day, knowledge_base=kb)
    write_output(render(rec, fmt, kb, detail=detail), output, force, (profile,))


@main.command()
@click.argument("profile", metavar="PROFILE")
@click.option("--item", metavar="ID", help="L'élément à expliquer (sinon : tous les éléments recommandés ou écartés).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Écrire dans FILE au lieu de l'écran.")
@force_option
@as_of_option
@kb_options
@friendly
def explain(profile: str, item: str | None, fmt: str, output: str | None, force: bool, as_of: str | None,
            rules: str | None, catalog: str | None) -> None:
    """Explique pourquoi un élément est recommandé (règles, conditions, valeurs) ou pourquoi il ne l'est pas
    (conditions en échec et plus petit changement du profil qui le ferait apparaître).

    \b
    Exemples :
      toolpicker explain examples/siae-chantier-insertion.yaml --item erp
      toolpicker explain examples/petite-association-culturelle.yaml --format json
    """
    from ..audit.explain import explain as run
    from ..knowledge.profile import load_profile
    from ..recommendation.recommend import parse_date
    from .render import render_explanation

    day = parse_date(as_of)
    check_output(output, force, (profile,))
    data, shown = read_input(profile)
    parsed = load_profile(data, shown)
    result = run(parsed, item=item, as_of=day, knowledge_base=_kb(rules, catalog))
    write_output(render_explanation(result, fmt), output, force, (profile,))


@main.command()
@kb_options
@click.option("--strict", is_flag=True, help="Les avertissements comptent comme des erreurs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@friendly
def check(rules: str | None, catalog: str | None, strict: bool, fmt: str) -> None:
    """Valide la base de connaissances (règles et catalogue) ; code 1 au moindre problème.

    \b
    Exemples :
      toolpicker check
      toolpicker check --rules mes-regles/ --strict
    """
    from ..audit.check import check_knowledge_base
    from .render import to_json

    report = check_knowledge_base(rules, catalog)
    failing = [p for p in report.problems if p.severity == "error" or strict]
    if fmt == "json":
        click.echo(to_json({"ok": not failing, "summary": report.summary,
                            "problems": [p.to_dict() for p in report.problems]}), nl=False)
    else:
        for problem in report.problems:
            prefix = "" if problem.severity == "error" else "(avertissement) "
            click.echo(f"{prefix}{problem}", err=problem.severity == "error")
        if not failing and report.summary:
            click.echo(report.summary)
        else:
            click.echo(t("cli.check_failed", count=len(failing)), err=True)
    sys.exit(1 if failing else 0)


@main.command()
@click.option("-o", "--output", metavar="DIR", required=True, help="Dossier où écrire le site HTML.")
@click.option("--scenarios", "scenario_paths", metavar="PATH", multiple=True,
              help="Scénarios servant à la couverture (défaut : tests/scenarios s'il existe).")
@kb_options
@friendly
def docs(output: str, scenario_paths: tuple[str, ...], rules: str | None, catalog: str | None) -> None:
    """Écrit la documentation HTML statique de la base : une page par règle, par élément et par solution.

    \b
    Exemple :
      toolpicker docs -o site/ && xdg-open site/index.html
    """

    from ..audit.docs import build_docs
    from ..audit.scenarios import load_scenarios, run_scenario

    kb = _kb(rules, catalog)
    paths = list(scenario_paths) or (["tests/scenarios"] if Path("tests/scenarios").is_dir() else [])
    outcomes = [run_scenario(kb, s) for s in load_scenarios(paths)] if paths else []
    with click.progressbar(length=1 + len(kb.rules) + len(kb.taxonomy) + len(kb.funding_routes) + len(kb.solutions),
                           label="docs", file=sys.stderr) as bar:
        pages = build_docs(kb, Path(output), outcomes, progress=lambda _page: bar.update(1))
    click.echo(t("docs.written", pages=pages, path=output))


@main.command(name="catalog")
@click.option("--category", metavar="ID", help="Seulement les solutions de cette catégorie.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@kb_options
@friendly
def catalog_cmd(category: str | None, fmt: str, rules: str | None, catalog: str | None) -> None:
    """Liste les solutions et les pistes de financement avec leurs métadonnées.

    \b
    Exemples :
      toolpicker catalog --category crm
      toolpicker catalog --format json
    """
    from ..knowledge.profile import suggest
    from .render import render_catalog

    kb = _kb(rules, catalog)
    categories = sorted(k for k, e in kb.taxonomy.items() if e.family == "tool_categories")
    if category is not None and category not in categories:
        raise InputError(t("kb.unknown_category", value=category) + " " + (suggest(category, categories) or ""))
    write_output(render_catalog(kb.catalog_listing(category), fmt), None)


@main.command(name="test")
@click.argument("paths", nargs=-1, metavar="[SCENARIOS]...")
@click.option("-k", "pattern", metavar="PATTERN",
              help="Seulement les scénarios dont le nom ou un tag contient PATTERN.")
@click.option("--coverage", "show_coverage", is_flag=True, help="Affiche la couverture des règles.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
              help="Échoue si la couverture des règles est inférieure à PERCENT.")
@as_of_option
@kb_options
@friendly
def test_cmd(paths: tuple[str, ...], pattern: str | None, show_coverage: bool, fail_under: float | None,
             as_of: str | None, rules: str | None, catalog: str | None) -> None:
    """Exécute des scénarios d'audit (YAML) ; code 1 au moindre échec.

    \b
    Exemples :
      toolpicker test tests/scenarios
      toolpicker test tests/scenarios -k siae --coverage
    """
    from ..audit.scenarios import Coverage, coverage, load_scenarios, run_scenario, select
    from ..recommendation.recommend import parse_date

    day = parse_date(as_of) if as_of else None
    kb = _kb(rules, catalog)
    chosen = list(paths) or ["tests/scenarios"]
    scenarios = select(load_scenarios(chosen), pattern)
    if not scenarios:
        raise InputError(t("scenario.none_found", paths=", ".join(chosen)))
    outcomes = []
    failed = 0
    for scenario in scenarios:
        outcome = run_scenario(kb, scenario, day)
        outcomes.append(outcome)
        status = t("scenario.passed") if not outcome.failures else t("scenario.failed")
        click.echo(f"{status:>5}  {scenario.name}  ({scenario.path}:{scenario.line})")
        for failure in outcome.failures:
            click.echo(f"       {failure}")
        failed += bool(outcome.failures)
    cover = Coverage(coverage(kb, outcomes))
    if show_coverage:
        click.echo("")
        click.echo(t("scenario.coverage_title", covered=cover.covered, total=len(cover.counts), percent=cover.percent))
        for rule_id, count in sorted(cover.counts.items()):
            click.echo(f"  {count:>4}  {rule_id}")
        if cover.never:
            click.echo(t("scenario.never_fired"))
            for rule_id in cover.never:
                rule = kb.rule_index[rule_id]
                click.echo(f"  {rule.path}:{rule.line}  {rule_id}")
    click.echo(t("scenario.summary", passed=len(outcomes) - failed, failed=failed, total=len(outcomes)))
    if fail_under is not None and cover.percent < fail_under:
        click.echo(t("scenario.under", percent=cover.percent, threshold=fail_under), err=True)
        sys.exit(1)
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute (locale par défaut).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port d'écoute.")
@click.option("--request-timeout", type=click.FloatRange(0.1, 600), default=10.0, show_default=True, metavar="S",
              help="Secondes laissées à un client pour envoyer une requête entière.")
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Connexions simultanées au-delà desquelles le serveur répond 503.")
@click.option("--access-log", is_flag=True, help="Journaliser chaque requête (désactivé par défaut).")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="URL",
              help="Site autorisé à appeler l'API depuis un navigateur (répétable ; aucun par défaut).")
@click.option("--db", "db", metavar="URL", help="Base des dossiers (URL SQLAlchemy ; défaut : TOOLPICKER_DB, sinon "
                                                "le fichier SQLite de l'utilisateur).")
@click.option("--token-file", metavar="FILE", help="Fichier du jeton exigé (Authorization: Bearer) par les routes "
                                                   "/api/dossiers quand le serveur écoute au-delà de la boucle locale.")
@kb_options
@friendly
def serve(host: str, port: int, request_timeout: float, max_connections: int, access_log: bool,
          cors_origins: tuple[str, ...], db: str | None, token_file: str | None, rules: str | None,
          catalog: str | None) -> None:
    """Sert l'API HTTP JSON et la page web des conseiller·es (questionnaire adaptatif, rapport imprimable).

    \b
    Exemples :
      toolpicker serve                      # puis ouvrir http://127.0.0.1:8000/
      toolpicker serve --port 8080 --rules mes-regles/
      toolpicker serve --host 0.0.0.0 --db postgresql+psycopg://dla@serveur/dossiers --token-file jeton.txt
    """
    from .dossier_api import read_token
    from .server import serve as run

    token = read_token(token_file) if token_file else None
    kb = _kb(rules, catalog)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(t("server.not_loopback", host=host), err=True)
        click.echo(t("dossier_api.token_required" if token else "dossier_api.no_token"), err=True)
    click.echo(t("server.listening", url=f"http://{host}:{port}/"), err=True)
    run(kb, host, port, request_timeout=request_timeout, max_connections=max_connections, access_log=access_log,
        cors_origins=cors_origins, dossier_db=db, dossier_token=token)


@main.command()
@kb_options
@friendly
def schema(rules: str | None, catalog: str | None) -> None:
    """Affiche le schéma JSON du profil, avec les libellés et questions du questionnaire.

    \b
    Exemples :
      toolpicker schema > profil.schema.json
      toolpicker --lang en schema
    """
    from ..knowledge.questions import profile_schema
    from .render import to_json

    write_output(to_json(profile_schema(_kb(rules, catalog))), None)


@main.command()
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Où enregistrer le profil (YAML ; défaut : le fichier de --profile, sinon profil.yaml).")
@click.option("--profile", "start", metavar="PROFILE",
              help="Reprendre un profil existant (YAML/JSON) et l'y enregistrer.")
@click.option("--force", is_flag=True, help="Remplacer FILE s'il existe déjà, sans demander.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="Format de la recommandation affichée à la fin.")
@as_of_option
@kb_options
@friendly
def interview(output: str | None, start: str | None, force: bool, fmt: str, as_of: str | None, rules: str | None,
              catalog: str | None) -> None:
    """Questionnaire adaptatif dans le terminal : la question la plus décisive d'abord, Entrée pour passer.

    Un fichier existant n'est jamais remplacé sans accord : le questionnaire demande (dans un terminal) ou
    refuse sans --force. Avec --profile X et sans -o, le profil est enregistré dans X.

    \b
    Exemples :
      toolpicker interview -o compagnie.yaml
      toolpicker interview --profile compagnie.yaml
    """
    from .._files import OutputExists, write_atomically
    from ..knowledge.profile import load_profile
    from ..knowledge.questions import profile_yaml
    from ..recommendation.recommend import parse_date
    from .interview import interview as run
    from .render import render

    day = parse_date(as_of)
    kb = _kb(rules, catalog)
    begin = load_profile(*read_input(start)) if start else None
    target = output or (start if start not in (None, "-") else "profil.yaml")
    saving_back = output is None and target == start
    if not (force or saving_back):
        try:
            check_output(target, force=False, inputs=(start or "",))
            exists = Path(target).is_file() and Path(target).stat().st_size > 0
        except OutputExists:
            exists = True
        if exists:
            if not sys.stdin.isatty():
                raise InputError(t("interview.exists", path=target))
            click.confirm(t("interview.replace", path=target), default=False, abort=True, err=True)
    else:
        check_output(target, force=True, inputs=() if saving_back else (start or "",))
    profile, rec, _ = run(kb, day, begin)
    write_atomically(target, [profile_yaml(profile)], force=True)
    click.echo(t("interview.saved", path=target), err=True)
    click.echo(render(rec, fmt, kb), nl=False)


@main.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", metavar="FILE", help="Fichier JSONL de sortie (défaut : l'écran).")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Processus de calcul.")
@click.option("--summary-html", metavar="FILE", help="Synthèse en page HTML (graphique en barres).")
@click.option("--compact", is_flag=True,
              help="Sortie courte : identifiants, libellés, scores et première raison de chaque élément.")
@force_option
@as_of_option
@kb_options
@friendly
def batch(input_path: str, output: str | None, jobs: int, summary_html: str | None, compact: bool, force: bool,
          as_of: str | None, rules: str | None, catalog: str | None) -> None:
    """Recommande pour chaque profil d'un fichier CSV ou JSONL ; une ligne JSON par profil, erreurs comprises.

    \b
    Exemples :
      toolpicker batch structures.csv -o recommandations.jsonl --summary-html synthese.html
      toolpicker batch profils.jsonl -o sortie.jsonl --jobs 2 --as-of 2026-11-28
    """
    from .._i18n import current_language
    from ..recommendation.recommend import parse_date
    from . import batch as b

    day = parse_date(as_of)
    check_output(output, force, (input_path,))
    check_output(summary_html, force, (input_path,))
    kb = _kb(rules, catalog)
    tasks = b.read_tasks(*b.read_file(input_path), kb=kb)
    summary = b.Summary()
    outcomes = b.run_batch(tasks, day, current_language(), jobs, rules, catalog, kb, compact=compact)
    with click.progressbar(length=len(tasks), label=t("batch.progress"), file=sys.stderr) as bar:
        b.write_lines(b.tally(outcomes, summary, bar.update), output, force, (input_path,))
    click.echo(b.summary_table(summary, kb), nl=False, err=output in (None, "-"))
    if summary_html:
        write_output(b.summary_html(summary, kb, input_path, day), summary_html, force, (input_path,))
    if summary.total and not summary.ok:
        raise InputError(t("batch.all_failed", total=summary.total))


from .dossier_cli import dossier as _dossier  # noqa: E402 - the group uses this module's helpers

main.add_command(_dossier)
