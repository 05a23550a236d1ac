"""Generate the facts tables of the provider pages from the ``ProviderProfile`` presets.

The tables sit between ``<!-- provider-facts:begin -->`` and ``<!-- provider-facts:end -->``
markers (``provider-overview`` on ``docs/providers/index.md``), so the rest of each page stays
hand-written. ``test_provider_pages.py`` fails when a table is out of date; then run::

    .venv/bin/python -m tests.docs.provider_facts

which rewrites only the marked blocks. The ``thinking=`` rows are produced by calling the
package's own ``thinking_params``, so they show exactly what goes on the wire.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from langchain_compat_chat import ProviderProfile, get_provider, known_providers
from langchain_compat_chat._wire.request import thinking_params
from langchain_compat_chat.dialects import resolve_dialect
from tests.docs.dialect_table import _echo
from tests.docs.snippets import DOCS

PROVIDER_DOCS = DOCS / "providers"
INDEX = PROVIDER_DOCS / "index.md"


def _block(kind: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- {kind}:begin[^>]*-->\n)(?P<body>.*?)(<!-- {kind}:end -->)", re.DOTALL
    )


FACTS = _block("provider-facts")
OVERVIEW = _block("provider-overview")


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"`{text}`"


def _env(names: tuple[str, ...]) -> str:
    return ", then ".join(_code(n) for n in names) if names else "none"


def _thinking(value: bool | int, profile: ProviderProfile) -> str:
    endpoint = resolve_dialect(profile, "")  # what a model of no known family gets
    try:
        params = thinking_params(value, endpoint)
    except ValueError:
        if endpoint.thinking_style == "chat_template_kwargs":
            return "`chat_template_kwargs` with the model family's key (see the reasoning guide)"
        return "not supported (raises `ValueError`)"
    return _code(params) if params else "nothing sent"


def _switches(profile: ProviderProfile) -> list[tuple[str, str]]:
    """Rows for the message-level switches that differ from plain OpenAI behaviour."""
    rows = []
    if profile.rename_params:
        renamed = ", ".join(f"`{k}` as `{v}`" for k, v in sorted(profile.rename_params.items()))
        rows.append(("Request fields renamed", renamed))
    # The endpoint's own dialect (no model family): families can widen the turns, see the
    # dialect table of docs/guides/reasoning.md.
    endpoint = resolve_dialect(profile, "")
    echo = _echo(endpoint)
    rows.append(
        ("Earlier reasoning", "never sent back" if echo == "never" else f"sent back in {echo}")
    )
    if not profile.allow_message_name:
        rows.append(("`messages[].name`", "never sent (the server rejects it)"))
    if profile.system_role != "system":
        rows.append(("System messages", f"sent with role `{profile.system_role}`"))
    if profile.tool_content == "string":
        rows.append(("Tool results", "always flattened to a string"))
    if profile.tool_media == "inline":
        rows.append(("Images returned by tools", "left in the tool message"))
    if profile.tool_call_id_style == "mistral9":
        rows.append(("Tool-call ids", "rewritten to 9 alphanumerics, stably"))
    return rows


def _responses(profile: ProviderProfile) -> str:
    """What ``api="responses"`` does on this preset, from its resolved dialect."""
    dialect = resolve_dialect(profile, "")
    if not dialect.responses_api:
        return 'not documented: refused (`dialect={"responses_api": True}` allows it)'
    facts = [
        "stateful: `previous_response_id` allowed" if dialect.responses_chaining else "stateless"
    ]
    if dialect.responses_encrypted_reasoning:
        facts.append("encrypted reasoning included")
    if dialect.responses_params:
        facts.append("also takes " + ", ".join(_code(p) for p in sorted(dialect.responses_params)))
    if dialect.responses_format == "response_format":
        facts.append("structured output as `response_format`")
    return "served; " + "; ".join(facts)


def facts_table(profile: ProviderProfile) -> str:
    """The Markdown facts table of one preset."""
    any_choice = _code(json.dumps(profile.tool_choice_any))
    rows: list[tuple[str, str]] = [
        ("`provider=`", _code(json.dumps(profile.name))),
        ("Default base URL", _code(profile.base_url) if profile.base_url else "none: set one"),
        ("Base URL from env", _env(profile.base_url_env)),
        ("API key from env", _env(profile.api_key_env)),
        (
            "Key sent as",
            "`api-key: <key>` header"
            if profile.auth_header == "api-key"
            else "`Authorization: Bearer <key>`",
        ),
    ]
    if profile.default_query:
        rows.append(("Query on every request", _code(dict(profile.default_query))))
    if profile.default_headers:
        rows.append(("Headers on every request", _code(dict(profile.default_headers))))
    rows += [
        ("`max_tokens` sent as", _code(profile.max_tokens_param)),
        ("`thinking=True`", _thinking(True, profile)),
        ("`thinking=False`", _thinking(False, profile)),
        ("`thinking=4096`", _thinking(4096, profile)),
        (
            "Usage in streams",
            "requested with `stream_options.include_usage`"
            if profile.stream_usage
            else "not requested (the server rejects `stream_options`)",
        ),
        (
            '`tool_choice="required"` / `"any"`',
            f"sent as {_code(json.dumps(profile.tool_choice_any))}",
        ),
        (
            "Named `tool_choice`",
            'sent as `{"type": "function", ...}`'
            if profile.supports_tool_choice_object
            else f"sent as {any_choice} with only that tool bound",
        ),
        (
            "Request fields dropped",
            ", ".join(_code(p) for p in sorted(profile.drop_params))
            if profile.drop_params
            else "none",
        ),
        ("Video input", "accepted" if profile.supports_video else "rejected before sending"),
        (
            "`<think>` in content",
            "split into reasoning by default"
            if profile.think_tags
            else "left as is by default (`think_tags=True` splits it out)",
        ),
        ('Responses API (`api="responses"`)', _responses(profile)),
        *_switches(profile),
        ("LangSmith `ls_provider`", _code(json.dumps(profile.ls_provider))),
    ]
    # A Markdown table's first row is its header: a blank one renders as an empty bar.
    lines = ["| Setting | Value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    return "\n".join(lines) + "\n"


def overview_table() -> str:
    """The table of all presets on the providers index page."""
    lines = [
        "| preset | default base URL | key variable | `thinking=True` sends |",
        "|---|---|---|---|",
    ]
    for name in known_providers():
        profile = get_provider(name)
        url = _code(profile.base_url) if profile.base_url else "set `AZURE_OPENAI_ENDPOINT`"
        key = _code(profile.api_key_env[0]) if profile.api_key_env else "none"
        lines.append(f"| [`{name}`]({name}.md) | {url} | {key} | {_thinking(True, profile)} |")
    return "\n".join(lines) + "\n"


def page_of(name: str) -> Path:
    """Where a preset's page lives."""
    return PROVIDER_DOCS / f"{name}.md"


def expected_blocks() -> dict[Path, tuple[re.Pattern[str], str]]:
    """Every generated block: page -> (marker pattern, fresh body)."""
    out = {page_of(n): (FACTS, facts_table(get_provider(n))) for n in known_providers()}
    out[INDEX] = (OVERVIEW, overview_table())
    return out


def current_block(path: Path, pattern: re.Pattern[str]) -> str | None:
    """The body between a page's markers, or ``None`` when the markers are missing."""
    match = pattern.search(path.read_text(encoding="utf-8"))
    return match["body"] if match else None


def write_all() -> list[Path]:
    """Rewrite every out-of-date block; return the pages changed."""
    changed = []
    for path, (pattern, body) in expected_blocks().items():
        text = path.read_text(encoding="utf-8")
        new, count = pattern.subn(lambda m, b=body: m.group(1) + b + m.group(3), text)
        if count != 1:
            msg = f"{path}: expected one generated block, found {count}"
            raise SystemExit(msg)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


if __name__ == "__main__":
    for page in write_all():
        sys.stdout.write(f"updated {page}\n")
