"""``toolpicker dossier …``: follow each structure from diagnosis to follow-up (CONTRACT §7).

A thin layer over :mod:`toolpicker.dossiers`: each command opens the store,
calls one method and renders the result (French text, or with ``--format
json`` exactly one JSON value). Errors are one message and exit 2. SQLAlchemy
is imported only when a dossier command runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .._errors import InputError
from .._i18n import t
from .cli import _kb, as_of_option, check_output, force_option, friendly, kb_options, read_input, write_output

if TYPE_CHECKING:
    from ..dossiers import DossierStore

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    return click.option("--db", "db", metavar="URL", envvar=None,
                        help="Base des dossiers (URL SQLAlchemy : sqlite:///chemin ou postgresql+psycopg://…) ; "
                             "défaut : TOOLPICKER_DB, sinon un fichier SQLite dans le dossier de données de "
                             "l'utilisateur.")(func)


def format_option(*choices: str) -> Callable[[F], F]:
    def wrap(func: F) -> F:
        return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True,
                            help="Format de sortie (json : une seule valeur JSON, pour les programmes).")(func)
    return wrap


def at_terminal() -> bool:
    """True when a person can answer a question (standard input is a terminal)."""
    return sys.stdin.isatty()


@contextmanager
def opened(db: str | None) -> Iterator[DossierStore]:
    from ..dossiers import open_dossiers

    store = open_dossiers(db)
    try:
        yield store
    finally:
        store.close()


def _json(data: Any) -> None:
    from .render import to_json

    click.echo(to_json(data), nl=False)


@click.group(name="dossier")
def dossier() -> None:
    """Dossiers des structures suivies : chaque diagnostic (profil, date, note, recommandation) gardé dans une base,
    pour comparer d'un rendez-vous à l'autre.

    \b
    Exemples :
      toolpicker dossier add examples/petite-association-culturelle.yaml --note "premier rendez-vous"
      toolpicker dossier list
      toolpicker dossier diff k7m2q9xa
    """


@dossier.command("add")
@click.argument("profile", metavar="PROFILE")
@click.option("--to", "to", metavar="ID", help="Ajouter au dossier ID (sinon : un nouveau dossier).")
@click.option("--note", metavar="TEXT", help="Note du rendez-vous (gardée avec le diagnostic, jamais journalisée).")
@as_of_option
@db_option
@format_option("text", "json")
@kb_options
@friendly
def add(profile: str, to: str | None, note: str | None, as_of: str | None, db: str | None, fmt: str,
        rules: str | None, catalog: str | None) -> None:
    """Enregistre un diagnostic : le PROFILE validé, la date, la note, la version de la base de connaissances et la
    recommandation calculée, dans un nouveau dossier ou dans le dossier --to ID.

    \b
    Exemples :
      toolpicker dossier add examples/petite-association-culturelle.yaml --note "premier rendez-vous"
      toolpicker dossier add profil-mars.yaml --to k7m2q9xa --as-of 2026-03-12
    """
    from ..dossiers._render import name_of
    from ..dossiers._store import check_id, check_note
    from ..knowledge.profile import load_profile
    from ..recommendation.recommend import parse_date

    day = parse_date(as_of)
    check_note(note)
    if to is not None:
        check_id(to)
    parsed = load_profile(*read_input(profile))
    kb = _kb(rules, catalog)
    with opened(db) as store:
        added = store.add(parsed, to=to, note=note, as_of=day, knowledge_base=kb)
    if fmt == "json":
        _json(added.model_dump(mode="json"))
    elif added.diagnosis == 1 and to is None:
        click.echo(t("dossier.added_new", id=added.dossier, name=name_of(parsed.name or "")))
    else:
        click.echo(t("dossier.added", n=added.diagnosis, id=added.dossier, name=name_of(parsed.name or "")))


@dossier.command("list")
@db_option
@format_option("text", "json")
@friendly
def list_cmd(db: str | None, fmt: str) -> None:
    """Liste les dossiers, le plus récemment mis à jour d'abord.

    \b
    Exemples :
      toolpicker dossier list
      toolpicker dossier list --db postgresql+psycopg://dla@serveur/dossiers --format json
    """
    from ..dossiers._render import list_text

    with opened(db) as store:
        found = store.list()
        url = store.url
    if fmt == "json":
        _json([s.model_dump(mode="json") for s in found])
    else:
        click.echo(list_text(found, url), nl=False)


@dossier.command("show")
@click.argument("dossier_id", metavar="ID")
@db_option
@format_option("text", "json")
@friendly
def show(dossier_id: str, db: str | None, fmt: str) -> None:
    """Montre un dossier : chaque diagnostic avec sa date, sa note et les priorités d'alors.

    \b
    Exemple :
      toolpicker dossier show k7m2q9xa
    """
    from ..dossiers._render import show_text

    with opened(db) as store:
        found = store.get(dossier_id)
    if fmt == "json":
        _json(found.model_dump(mode="json"))
    else:
        click.echo(show_text(found), nl=False)


@dossier.command("diff")
@click.argument("dossier_id", metavar="ID")
@click.option("--from", "from_n", type=click.IntRange(1), metavar="N",
              help="Diagnostic de départ (défaut : l'avant-dernier).")
@click.option("--to", "to_n", type=click.IntRange(1), metavar="M", help="Diagnostic d'arrivée (défaut : le dernier).")
@db_option
@format_option("text", "json")
@kb_options
@friendly
def diff(dossier_id: str, from_n: int | None, to_n: int | None, db: str | None, fmt: str, rules: str | None,
         catalog: str | None) -> None:
    """Ce qui a changé entre deux diagnostics : réponses modifiées, éléments ajoutés, retirés ou déplacés (rangs
    avant et après) et les règles dont le déclenchement a changé.

    \b
    Exemples :
      toolpicker dossier diff k7m2q9xa
      toolpicker dossier diff k7m2q9xa --from 1 --to 3 --format json
    """
    from ..dossiers._render import diff_text

    with opened(db) as store:
        found = store.diff(dossier_id, from_n, to_n)
    if fmt == "json":
        _json(found.model_dump(mode="json"))
    else:
        click.echo(diff_text(_kb(rules, catalog), found), nl=False)


@dossier.command("rerun")
@click.argument("dossier_id", metavar="ID")
@as_of_option
@db_option
@format_option("text", "json")
@kb_options
@friendly
def rerun(dossier_id: str, as_of: str | None, db: str | None, fmt: str, rules: str | None,
          catalog: str | None) -> None:
    """Recalcule le dernier diagnostic avec la base de connaissances d'aujourd'hui et le compare à ce qui avait été
    recommandé alors (rien n'est enregistré ; « dossier add --to ID » pour garder le nouveau diagnostic).

    \b
    Exemple :
      toolpicker dossier rerun k7m2q9xa
    """
    from ..dossiers._render import diff_text
    from ..recommendation.recommend import parse_date

    day = parse_date(as_of)
    kb = _kb(rules, catalog)
    with opened(db) as store:
        found = store.rerun(dossier_id, as_of=day, knowledge_base=kb)
    if fmt == "json":
        _json(found.model_dump(mode="json"))
    else:
        click.echo(diff_text(kb, found, rerun=True), nl=False)


@dossier.command("report")
@click.argument("dossier_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html"]), default="text", show_default=True,
              help="Format du rapport (html : page imprimable autonome).")
@click.option("--from", "from_n", type=click.IntRange(1), metavar="N",
              help="Diagnostic de départ de la comparaison (défaut : l'avant-dernier).")
@click.option("--to", "to_n", type=click.IntRange(1), metavar="M", help="Diagnostic d'arrivée (défaut : le dernier).")
@click.option("-o", "--output", metavar="FILE", help="Écrire dans FILE au lieu de l'écran.")
@force_option
@db_option
@kb_options
@friendly
def report(dossier_id: str, fmt: str, from_n: int | None, to_n: int | None, output: str | None, force: bool,
           db: str | None, rules: str | None, catalog: str | None) -> None:
    """Rapport de suivi à remettre : « depuis le dernier diagnostic… », les priorités d'aujourd'hui, l'historique.

    \b
    Exemple :
      toolpicker dossier report k7m2q9xa --format html -o suivi.html
    """
    from ..dossiers._render import follow_up, follow_up_html, follow_up_text

    check_output(output, force)
    with opened(db) as store:
        found = store.get(dossier_id)
        compared = from_n is not None or to_n is not None or len(found.diagnoses) >= 2
        changes = store.diff(dossier_id, from_n, to_n) if compared else None
    view = follow_up(_kb(rules, catalog), found, changes)
    text = follow_up_html(view) if fmt == "html" else follow_up_text(view, markdown=fmt == "markdown")
    write_output(text, output, force)


@dossier.command("export")
@click.argument("dossier_id", metavar="ID", required=False)
@click.option("--all", "everything", is_flag=True, help="Exporter tous les dossiers.")
@click.option("-o", "--output", metavar="FILE", help="Fichier JSON à écrire (défaut : l'écran).")
@force_option
@db_option
@friendly
def export(dossier_id: str | None, everything: bool, output: str | None, force: bool, db: str | None) -> None:
    """Exporte un dossier (ou --all) en un document JSON que « dossier import » restaure exactement.

    \b
    Exemples :
      toolpicker dossier export k7m2q9xa -o lanterne.json
      toolpicker dossier export --all -o sauvegarde.json
    """
    from ..dossiers import dumps

    if (dossier_id is None) == (not everything):
        raise InputError(t("dossier.export_what"))
    check_output(output, force)
    with opened(db) as store:
        document = store.export(None if everything else [dossier_id or ""])
    write_output(dumps(document.model_dump(mode="json")) + "\n", output, force)
    if output not in (None, "-"):
        click.echo(t("dossier.exported", count=len(document.dossiers), path=output), err=True)


@dossier.command("import")
@click.argument("path", metavar="FILE")
@click.option("--replace", is_flag=True, help="Remplacer les dossiers de même identifiant déjà présents.")
@db_option
@format_option("text", "json")
@friendly
def import_cmd(path: str, replace: bool, db: str | None, fmt: str) -> None:
    """Importe un export (« dossier export ») : tout ou rien ; un dossier déjà présent est refusé sans --replace.

    \b
    Exemple :
      toolpicker dossier import sauvegarde.json --db sqlite:///autre.sqlite3
    """
    from .._files import read_bounded
    from ..dossiers import parse_export

    document = parse_export(read_bounded(path, 1 << 30) if path != "-" else sys.stdin.buffer.read(1 << 30))
    with opened(db) as store:
        ids = store.import_document(document, replace=replace)
        url = store.url
    if fmt == "json":
        _json({"imported": ids})
    else:
        click.echo(t("dossier.imported", count=len(ids), url=url,
                     diagnoses=sum(len(d.diagnoses) for d in document.dossiers)))


@dossier.command("delete")
@click.argument("dossier_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Supprimer sans demander confirmation.")
@db_option
@format_option("text", "json")
@friendly
def delete(dossier_id: str, yes: bool, db: str | None, fmt: str) -> None:
    """Supprime un dossier et tous ses diagnostics (demande confirmation dans un terminal, sinon --yes).

    \b
    Exemple :
      toolpicker dossier delete k7m2q9xa --yes
    """
    from ..dossiers._render import name_of

    with opened(db) as store:
        if not yes:
            found = store.get(dossier_id)
            question = t("dossier.delete_confirm", id=found.id, name=name_of(found.name),
                         count=len(found.diagnoses))
            try:
                confirmed = at_terminal() and click.confirm(question, default=False, err=True)
            except click.Abort:  # Ctrl-C or Ctrl-D at the question: nothing is deleted
                confirmed = False
            if not confirmed:
                raise InputError(t("dossier.delete_needs_yes", id=dossier_id))
        store.delete(dossier_id)
    if fmt == "json":
        _json({"deleted": dossier_id})
    else:
        click.echo(t("dossier.deleted", id=dossier_id))
