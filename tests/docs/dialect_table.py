"""Generate the dialect table of ``docs/guides/reasoning.md`` from the dialect rules.

The table sits between ``<!-- dialect-table:begin -->`` and ``<!-- dialect-table:end -->``.
Each row is one (preset, model) pair resolved with the package's own ``resolve_dialect``, and
the ``thinking=`` cells come from ``thinking_params``, so the table shows exactly what goes on
the wire. ``test_dialect_table.py`` fails when it is out of date; then run::

    .venv/bin/python -m tests.docs.dialect_table

Only the choice of rows is written here; every cell is computed.
"""

from __future__ import annotations

import json
import sys

from langchain_compat_chat._wire.request import thinking_params
from langchain_compat_chat.dialects import Dialect, resolve_dialect
from langchain_compat_chat.providers import get_provider
from tests.docs.guide_block import GuideBlock, markdown_table
from tests.docs.snippets import DOCS

GUIDE = DOCS / "guides" / "reasoning.md"
BLOCK = GuideBlock(GUIDE, "dialect-table")
HEADER = (
    "`provider=` / model",
    "`model.dialect.name`",
    "reasoning out",
    "echoed back in",
    "thinks by default",
    "`thinking=True`",
    "`thinking=False`",
    "forced `tool_choice` while thinking",
)

# (provider=, model): a representative model per preset, then families behind a generic URL.
ROWS: tuple[tuple[str, str], ...] = (
    ("deepseek", "deepseek-v4-flash"),
    ("deepseek", "deepseek-reasoner"),
    ("moonshot", "kimi-k2.5"),
    ("moonshot", "kimi-k2-thinking"),
    ("moonshot", "kimi-k3"),
    ("zhipu", "glm-4.7"),
    ("dashscope", "qwen3-max"),
    ("dashscope", "qwen3.6-plus"),
    ("dashscope", "qwq-plus"),
    ("vllm", "Qwen/Qwen3-8B"),
    ("vllm", "deepseek-ai/DeepSeek-V3.1"),
    ("vllm", "openai/gpt-oss-120b"),
    ("vllm", "meta-llama/Llama-3.3-70B-Instruct"),
    ("sglang", "Qwen/Qwen3-8B"),
    ("llamacpp", "Qwen3-8B-GGUF"),
    ("ollama", "qwen3:8b"),
    ("lmstudio", "qwen/qwen3-8b"),
    ("openrouter", "anthropic/claude-sonnet-4.5"),
    ("openrouter", "anthropic/claude-opus-5.5"),
    ("openrouter", "deepseek/deepseek-v3.2"),
    ("groq", "qwen/qwen3-32b"),
    ("groq", "openai/gpt-oss-120b"),
    ("groq", "moonshotai/kimi-k2-instruct-0905"),
    ("together", "deepseek-ai/DeepSeek-V3.1"),
    ("fireworks", "accounts/fireworks/models/kimi-k2-thinking"),
    ("mistral", "magistral-medium-latest"),
    ("gemini", "gemini-3-pro-preview"),
    ("xai", "grok-4"),
    ("xai", "grok-3-mini"),
    ("openai", "gpt-5"),
    ("azure", "gpt-5"),
    ("perplexity", "sonar-reasoning-pro"),
    ("anthropic", "claude-sonnet-4-5"),
    ("anthropic", "claude-opus-4-7"),
    ("anthropic", "claude-opus-5"),
    ("anthropic", "claude-haiku-5-5"),
    ("anthropic", "claude-sonnet-5-5"),
    ("anthropic", "claude-opus-5-5"),
    ("anthropic", "claude-fable-5-1"),
    ("minimax", "MiniMax-M2.5"),
    ("cerebras", "gpt-oss-120b"),
    ("cerebras", "zai-glm-4.7"),
    ("sambanova", "DeepSeek-R1-0528"),
    ("deepinfra", "deepseek-ai/DeepSeek-V3.1"),
    ("nebius", "Qwen/Qwen3-235B-A22B-Thinking-2507"),
    ("nvidia", "deepseek-ai/deepseek-r1"),
    ("siliconflow", "Qwen/Qwen3-8B"),
    ("volcengine", "doubao-seed-1-6-250615"),
    ("huggingface", "moonshotai/Kimi-K2-Thinking"),
    ("huggingface", "openai/gpt-oss-120b:cerebras"),
    ("generic", "deepseek-v4-flash"),
    ("generic", "kimi-k2.5"),
    ("generic", "Qwen3-32B"),
    ("generic", "GLM-4.6"),
    ("generic", "MiniMax-M2.5"),
    ("generic", "gpt-oss-120b"),
    ("generic", "claude-sonnet-4-5"),
    ("generic", "some-model"),
)

_FORCED = {
    "allowed": "sent as asked",
    "disable_thinking": "thinking switched off for that call",
    "auto_and_check": '`"auto"`, answer checked',
    "never": '`"auto"` always, answer checked',
}


def _code(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"`{text}`"


def _echo(d: Dialect) -> str:
    parts = []
    if d.echo_reasoning != "off" and d.echo_turns != "none":
        where = "the field it came in" if d.echo_reasoning == "as_received" else d.echo_reasoning
        turns = "every turn" if d.echo_turns == "all" else "tool-call turns"
        parts.append(f"{_code(where) if where != 'the field it came in' else where}, {turns}")
    if d.echo_reasoning_details:
        parts.append("`reasoning_details`, every turn")
    if d.preserve_thinking:
        parts.append("+ `preserve_thinking: true`")
    return "; ".join(parts) or "never"


def _switch(d: Dialect, value: bool) -> str:
    try:
        params = thinking_params(value, d)
    except ValueError:
        return "raises"
    return _code(params) if params else "nothing"


def _forced(d: Dialect) -> str:
    if d.forced_tool == "disable_thinking" and _switch(d, False) in ("raises", "nothing"):
        return '`"auto"`, answer checked (no off switch)'
    return _FORCED[d.forced_tool]


def _default(d: Dialect) -> str:
    return {True: "yes", False: "no", None: "unknown"}[d.thinking_default]


def dialect_table() -> str:
    """The Markdown table: one row per (preset, model)."""
    rows = []
    for provider, model in ROWS:
        d = resolve_dialect(get_provider(provider), model)
        rows.append(
            (
                f"`{provider}` / `{model}`",
                f"`{d.name}`",
                d.reasoning_out,
                _echo(d),
                _default(d),
                _switch(d, True),
                _switch(d, False),
                _forced(d),
            )
        )
    return markdown_table(HEADER, rows)


def current() -> str | None:
    """The table now in the guide, or ``None`` without markers."""
    return BLOCK.current()


def write() -> bool:
    """Rewrite the block when out of date; return whether it changed."""
    return BLOCK.write(dialect_table())


if __name__ == "__main__":
    if write():
        sys.stdout.write(f"updated {GUIDE}\n")
