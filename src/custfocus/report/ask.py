"""Questions asked on a terminal: the roles of a first import's unsure columns.

Only the CLI calls this, and only on a terminal (never under ``--quiet``, ``--json``,
``--yes`` or without a TTY): ``custfocus run`` and scripts never wait for an answer.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.prompt import Prompt

from custfocus.report.imports import reason_text

#: Confidence below which a first import asks about a column's role.
ASK_BELOW = 0.9
_SKIP = ("skip", "-", "omitir", "pular", "ignore")

TEXTS: dict[str, dict[str, str]] = {
    "intro": {
        "en": "{source}: {n} column(s) read with less than 90% confidence. Enter accepts the "
              "guess; a role sets it; 'skip' keeps the column raw; '?' lists the roles.",
        "es": "{source}: {n} columna(s) leídas con menos del 90 % de confianza. Intro acepta "
              "la suposición; un rol la cambia; 'omitir' la deja sin importar; '?' lista los "
              "roles.",
        "pt": "{source}: {n} coluna(s) lidas com menos de 90 % de confiança. Enter aceita a "
              "suposição; um papel a muda; 'pular' deixa a coluna sem importar; '?' lista os "
              "papéis.",
    },
    "question": {
        "en": "'{column}' ({guess}, {confidence}, {reason})",
        "es": "'{column}' ({guess}, {confidence}, {reason})",
        "pt": "'{column}' ({guess}, {confidence}, {reason})",
    },
    "kept_raw": {"en": "kept raw", "es": "sin importar", "pt": "sem importar"},
    "unknown_role": {
        "en": "unknown role '{answer}'; roles: {roles}",
        "es": "rol desconocido '{answer}'; roles: {roles}",
        "pt": "papel desconhecido '{answer}'; papéis: {roles}",
    },
    "roles": {"en": "roles: {roles}", "es": "roles: {roles}", "pt": "papéis: {roles}"},
}


def _say(key: str, lang: str, **values: Any) -> str:
    texts = TEXTS[key]
    return texts.get(lang, texts["en"]).format(**values)


def unsure_columns(mapping: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The columns of an import's mapping worth asking about: a guessed role below
    :data:`ASK_BELOW`, or a header nothing was recognised in; not those set by the user
    nor those kept raw for a stated reason (an identifier, a label, a due date)."""
    return [c for c in mapping if c.get("reason") != "set by user" and (
        (c.get("role") and float(c.get("confidence") or 0) < ASK_BELOW)
        or str(c.get("reason", "")).startswith("header not recognised"))]


def ask_roles(console: Console, source: str, columns: list[dict[str, Any]],
              roles: list[str], lang: str = "en") -> dict[str, str]:
    """Ask about each column; returns the changes (header -> role, or "ignore")."""
    console.print(_say("intro", lang, source=escape(source), n=len(columns)))
    changes: dict[str, str] = {}
    for col in columns:
        guess = col.get("role") or "ignore"
        question = _say("question", lang, column=escape(str(col["column"])),
                        guess=col.get("role") or _say("kept_raw", lang),
                        confidence=f"{float(col.get('confidence') or 0):.0%}",
                        reason=escape(reason_text(str(col.get("reason", "")), lang)))
        while True:
            answer = Prompt.ask(question, console=console, default="",
                                show_default=False).strip().lower().replace("-", "_")
            if answer in ("", "y", "yes", "s", "si", "sí", "sim"):
                break
            if answer in _SKIP or answer == "_":
                if guess != "ignore":
                    changes[str(col["column"])] = "ignore"
                break
            if answer in roles:
                if answer != guess:
                    changes[str(col["column"])] = answer
                break
            if answer == "?":
                console.print(_say("roles", lang, roles=", ".join(roles)))
            else:
                console.print(_say("unknown_role", lang, answer=escape(answer),
                                   roles=", ".join(roles)))
    return changes
