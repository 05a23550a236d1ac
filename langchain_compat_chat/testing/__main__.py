"""Command line: ``python -m langchain_compat_chat.testing --port N [--api-key K] ...``.

Serves the reference server until Ctrl-C, printing the base URL first so that scripts
(``make demo``, shell tests) can read it from the first line of output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from langchain_compat_chat.testing._config import Fault, parse_dialect


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for ``--help`` tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="python -m langchain_compat_chat.testing",
        description="Serve the OpenAI-compatible reference server on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = any free port)")
    parser.add_argument("--api-key", default=None, help="require this bearer key (else 401)")
    parser.add_argument(
        "--model",
        action="append",
        default=None,
        help="model id listed by /v1/models (repeatable)",
    )
    parser.add_argument(
        "--strict-models",
        action="store_true",
        help="answer 404 model_not_found for a model not given with --model",
    )
    parser.add_argument(
        "--strict-paths",
        action="store_true",
        help="answer 404 on API paths without /v1 (as OpenAI does)",
    )
    parser.add_argument(
        "--dialect",
        default=None,
        help="dialect preset or switches, e.g. 'groq' or 'reasoning_field=reasoning'",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before headers")
    parser.add_argument("--ttft-ms", type=float, default=0.0, help="delay before first token")
    parser.add_argument("--chunk-delay-ms", type=float, default=0.0, help="delay per SSE chunk")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server in the foreground until interrupted."""
    args = build_parser().parse_args(argv)
    from langchain_compat_chat.testing._server import DEFAULT_MODEL, serve

    fault = None
    if args.latency_ms or args.ttft_ms or args.chunk_delay_ms:
        fault = Fault(
            latency_s=args.latency_ms / 1000,
            ttft_s=args.ttft_ms / 1000,
            chunk_delay_s=args.chunk_delay_ms / 1000,
        )
    try:
        dialect = parse_dialect(args.dialect) if args.dialect else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        serve(
            port=args.port,
            api_key=args.api_key,
            models=tuple(args.model or (DEFAULT_MODEL,)),
            strict_models=args.strict_models,
            strict_paths=args.strict_paths,
            dialect=dialect,
            fault=fault,
        )
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
