"""One-off: bring the second verification pass (review/catalog-facts-r2-solutions.yaml) into catalog/solutions.

Applies, per solution: the headcount range an adviser would propose it in (``size_fit``), the legal forms
it serves (``eligible``), whether its hosted offer comes with a GDPR art. 28 processing agreement
(``processor_contract``), how it is paid (``pricing``) and HDS certification. Idempotent; kept for the record.
"""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FACTS = yaml.safe_load((ROOT / "review/catalog-facts-r2-solutions.yaml").read_text())["solutions"]
BY_ID = {f["id"]: f for f in FACTS}
# Legal-form restrictions: only where the fact-check found one (a tool anyone may use stays open).
FORMS = {fid: f["legal_forms"] for fid, f in BY_ID.items() if f["legal_forms"] != ["any"]}
HDS = {"microsoft-365", "microsoft-teams", "google-workspace"}


def set_key(block: str, key: str, value: str | None) -> str:
    """Replace ``  key: …`` in a solution block, or insert it before ``  source:``; ``None`` removes it."""
    line = re.compile(rf"^  {key}:.*\n", re.M)
    if value is None:
        return line.sub("", block)
    new = f"  {key}: {value}\n"
    if line.search(block):
        return line.sub(new, block, count=1)
    anchor = re.search(r"^  source:", block, re.M)
    assert anchor, block[:60]
    return block[:anchor.start()] + new + block[anchor.start():]


def update(block: str, fid: str) -> str:
    fact = BY_ID.get(fid)
    if fact is None:
        return block
    lo, hi = fact.get("min_users"), fact.get("max_users")
    size = ", ".join(f"{k}: {v}" for k, v in (("min_employees", lo), ("max_employees", hi)) if v is not None)
    if size:
        block = set_key(block, "size_fit", "{" + size + "}")
    if fid in FORMS:
        block = set_key(block, "eligible", "{legal_forms: [" + ", ".join(FORMS[fid]) + "]}")
    contract = {"yes": "included", "paid_plans_only": "paid_plans_only", "no": "none"}.get(
        str(fact.get("processor_contract")).lower() if not isinstance(fact.get("processor_contract"), bool)
        else ("yes" if fact["processor_contract"] else "no"))
    block = set_key(block, "processor_contract", contract)
    pricing = fact.get("pricing_model")
    block = set_key(block, "pricing", pricing if pricing in ("subscription", "commission", "tips", "free", "quote")
                    else None)
    if fid in HDS:
        current = re.search(r"^  certifications: \[(.*)\]\n", block, re.M)
        values = {v.strip() for v in current.group(1).split(",") if v.strip()} if current else set()
        block = set_key(block, "certifications", "[" + ", ".join(sorted(values | {"hds"})) + "]")
    return block


def main() -> None:
    for path in sorted((ROOT / "catalog/solutions").glob("*.yaml")):
        text = path.read_text()
        starts = [m.start() for m in re.finditer(r"^- id: ", text, re.M)]
        pieces = [text[:starts[0]]] if starts else [text]
        for i, start in enumerate(starts):
            block = text[start:starts[i + 1] if i + 1 < len(starts) else len(text)]
            fid = block.split("\n", 1)[0][len("- id: "):].strip()
            pieces.append(update(block, fid))
        path.write_text("".join(pieces))


if __name__ == "__main__":
    main()
