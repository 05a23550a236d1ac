"""Deterministic content for the reference server: text, tool arguments, JSON, logprobs.

The generator is deliberately dumb. Text is drawn from a fixed neutral vocabulary, tool
arguments and structured output are drawn from the JSON schema the client sent, and the
random stream is seeded by the request's ``seed`` (or a hash of the whole request). It
never reads names, numbers or keys out of the prompt, so a test that passes against this
server passes because the client handled the protocol, not because the server guessed.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

VOCABULARY: tuple[str, ...] = (
    "apple",
    "bright",
    "river",
    "stone",
    "quiet",
    "table",
    "window",
    "green",
    "light",
    "paper",
    "garden",
    "simple",
    "cloud",
    "water",
    "morning",
    "yellow",
    "little",
    "open",
    "bridge",
    "forest",
    "music",
    "number",
    "letter",
    "street",
    "warm",
    "summer",
    "silver",
    "round",
    "gentle",
    "field",
    "orange",
    "pencil",
    "harbor",
    "calm",
    "market",
    "basket",
    "candle",
    "meadow",
    "travel",
    "wooden",
    "blue",
    "soft",
    "early",
    "plain",
    "steady",
    "north",
    "south",
    "circle",
    "square",
    "signal",
    "record",
    "answer",
    "moment",
    "people",
    "follow",
    "carry",
    "build",
    "gather",
    "notice",
    "listen",
    "return",
    "measure",
    "shape",
    "color",
    "sound",
    "story",
    "corner",
    "island",
    "mountain",
    "valley",
    "village",
    "ticket",
    "button",
    "engine",
    "feather",
    "garden",
    "kettle",
    "ladder",
    "mirror",
    "needle",
    "ocean",
    "pillow",
    "rocket",
    "saddle",
    "tunnel",
    "velvet",
    "wagon",
    "amber",
    "cedar",
    "maple",
    "the",
    "a",
    "of",
    "and",
    "with",
    "near",
    "under",
    "over",
    "into",
    "from",
    "is",
    "was",
    "will",
    "can",
    "each",
    "every",
    "some",
    "many",
    "this",
    "that",
    "then",
    "still",
)
"""Neutral words the server "speaks". Unrelated to any prompt by construction."""

_TOKEN_RE = re.compile(r"\s*\w+|\s*[^\w\s]|\s+")


def split_tokens(text: str) -> list[str]:
    """Split text into pseudo-tokens whose concatenation is exactly ``text``.

    A token is a word or a single punctuation character together with the whitespace in
    front of it (like a BPE tokenizer's leading-space tokens); trailing whitespace forms
    its own token. Streams send one token per content delta.
    """
    return _TOKEN_RE.findall(text)


def count_tokens(text: str) -> int:
    """Count pseudo-tokens in ``text`` (see :func:`split_tokens`)."""
    return len(_TOKEN_RE.findall(text))


def request_rng(body: Mapping[str, Any], salt: str = "") -> random.Random:
    """Seeded RNG for one request.

    With an integer ``seed`` the stream depends on the seed (and ``salt``) only, so the
    same seed gives the same answer whatever the prompt, like a real sampler with a fixed
    seed and greedy decoding on a nonsense model. Without one, the seed is a hash of the
    whole request body, so an identical request gives an identical answer.
    """
    seed = body.get("seed", body.get("random_seed"))  # random_seed: Mistral's name
    if isinstance(seed, int) and not isinstance(seed, bool):
        material = f"seed:{seed}:{salt}"
    else:
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        material = f"body:{canonical}:{salt}"
    digest = hashlib.sha256(material.encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def generate_text(rng: random.Random, min_words: int = 8, max_words: int = 24) -> str:
    """Generate one or two short sentences of neutral words."""
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(min_words, max_words))]
    if len(words) > 10 and rng.random() < 0.5:
        cut = rng.randint(4, len(words) - 4)
        words[cut - 1] += "."
        words[cut] = words[cut].capitalize()
    elif len(words) > 6 and rng.random() < 0.5:
        words[rng.randint(2, len(words) - 3)] += ","
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def generate_reasoning(rng: random.Random) -> str:
    """Generate reasoning ("thinking") text; as meaningless as the answer."""
    return generate_text(rng, 10, 20)


def generate_id(rng: random.Random, prefix: str, length: int = 24) -> str:
    """Generate an alphanumeric id such as ``call_...`` from the request's RNG."""
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(rng.choice(alphabet) for _ in range(length))


# --------------------------------------------------------------------------------------
# JSON schema -> value
# --------------------------------------------------------------------------------------

_MAX_DEPTH = 6


class SchemaGenerator:
    """Generate a JSON value that satisfies a JSON schema, using a seeded RNG.

    Supports ``type`` (including lists), ``enum``, ``const``, ``properties``/``required``
    (optional properties are included at random), ``additionalProperties``, ``items`` /
    ``prefixItems`` with ``minItems``/``maxItems``/``uniqueItems``, numeric bounds
    (``minimum``, ``maximum``, exclusive bounds, ``multipleOf``), string ``minLength`` /
    ``maxLength`` / ``format``, ``anyOf``/``oneOf``/``allOf``, ``$ref`` to ``#/$defs`` or
    ``#/definitions``, and ``default`` as a fallback. ``pattern`` is not solved.
    """

    def __init__(self, root: Mapping[str, Any], rng: random.Random) -> None:
        self.root = root
        self.rng = rng

    def generate(self, schema: Any = None, depth: int = 0) -> Any:
        """Return a value for ``schema`` (the root schema when omitted)."""
        return self._value(self.root if schema is None else schema, depth)

    # -- dispatch ---------------------------------------------------------------------
    def _value(self, schema: Any, depth: int) -> Any:
        if schema is True or schema is None or not isinstance(schema, Mapping):
            return self._string({}, depth)
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self.rng.choice(schema["enum"])
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for sub in schema["allOf"]:
                sub = self._resolve(sub) if isinstance(sub, Mapping) else {}
                for key, val in sub.items():
                    if key == "properties":
                        merged.setdefault("properties", {}).update(val)
                    elif key == "required":
                        merged["required"] = [*merged.get("required", []), *val]
                    else:
                        merged.setdefault(key, val)
            return self._value(merged, depth)
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                non_null = [o for o in options if not _is_null_schema(o)]
                pool = non_null if non_null and depth < _MAX_DEPTH else options
                return self._value(self.rng.choice(pool), depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            choices = [k for k in kind if k != "null"] or kind
            kind = self.rng.choice(choices) if choices else None
        if kind is None:
            if "properties" in schema or "additionalProperties" in schema:
                kind = "object"
            elif "items" in schema or "prefixItems" in schema:
                kind = "array"
            elif "default" in schema:
                return schema["default"]
            else:
                kind = "string"
        handler = {
            "object": self._object,
            "array": self._array,
            "string": self._string,
            "integer": self._integer,
            "number": self._number,
            "boolean": self._boolean,
            "null": self._null,
        }.get(str(kind), self._string)
        return handler(schema, depth)

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        seen = 0
        while isinstance(schema.get("$ref"), str) and seen < 32:
            ref = schema["$ref"]
            target: Any = self.root
            if not ref.startswith("#"):
                return {}
            for part in ref.lstrip("#/").split("/"):
                if not part:
                    continue
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **extra} if isinstance(target, Mapping) else extra
            seen += 1
        return schema

    # -- types ------------------------------------------------------------------------
    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        props = schema.get("properties")
        props = props if isinstance(props, Mapping) else {}
        required = [r for r in schema.get("required", []) if isinstance(r, str)]
        out: dict[str, Any] = {}
        deep = depth >= _MAX_DEPTH
        for name, sub in props.items():
            if name in required or (not deep and self.rng.random() < 0.5):
                out[name] = self._value(sub, depth + 1)
        for name in required:
            if name not in out:
                out[name] = self._string({}, depth + 1)
        # Extra keys only where the schema asks for them: an explicit value schema for
        # additional properties, or a minimum count. ``{"type": "object"}`` and
        # ``"properties": {}`` (a tool without arguments) give ``{}``, as real models do.
        min_props = schema.get("minProperties")
        need = min_props - len(out) if isinstance(min_props, int) else 0
        addl = schema.get("additionalProperties")
        if addl is not False and (isinstance(addl, Mapping) or need > 0) and not deep:
            count = max(need, self.rng.randint(1, 3) if isinstance(addl, Mapping) else 0)
            sub_schema = addl if isinstance(addl, Mapping) else {"type": "string"}
            names = [n for n in dict.fromkeys(VOCABULARY[:90]) if n not in out]
            for name in self.rng.sample(names, min(count, len(names))):
                out[name] = self._value(sub_schema, depth + 1)
        return out

    def _array(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        lo = schema.get("minItems", 0)
        lo = lo if isinstance(lo, int) and lo >= 0 else 0
        hi = schema.get("maxItems")
        hi = hi if isinstance(hi, int) and hi >= lo else max(lo, 3)
        if depth >= _MAX_DEPTH:
            hi = lo
        count = self.rng.randint(max(lo, min(1, hi)), hi)
        prefix = schema.get("prefixItems")
        prefix = prefix if isinstance(prefix, list) else []
        items = schema.get("items", {})
        out: list[Any] = []
        unique = bool(schema.get("uniqueItems"))
        attempts = 0
        while len(out) < count and attempts < 50:
            attempts += 1
            idx = len(out)
            sub = prefix[idx] if idx < len(prefix) else items
            if sub is False:
                break
            val = self._value(sub, depth + 1)
            if unique and val in out:
                continue
            out.append(val)
        return out

    def _string(self, schema: Mapping[str, Any], depth: int) -> str:
        fmt = schema.get("format")
        rng = self.rng
        if fmt == "date-time":
            return (
                f"20{rng.randint(10, 30)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
            )
        if fmt == "date":
            return f"20{rng.randint(10, 30)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if fmt == "time":
            return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        if fmt == "email":
            return f"{rng.choice(VOCABULARY[:90])}@example.com"
        if fmt in ("uri", "url", "iri"):
            return f"https://example.com/{rng.choice(VOCABULARY[:90])}"
        if fmt == "hostname":
            return f"{rng.choice(VOCABULARY[:90])}.example.com"
        if fmt == "ipv4":
            return ".".join(str(rng.randint(1, 254)) for _ in range(4))
        if fmt == "ipv6":
            return ":".join(f"{rng.randint(0, 65535):x}" for _ in range(8))
        if fmt == "uuid":
            return "-".join(
                "".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)
            )
        if fmt == "duration":
            return f"PT{rng.randint(1, 59)}M"
        lo = schema.get("minLength", 0)
        lo = lo if isinstance(lo, int) and lo >= 0 else 0
        hi = schema.get("maxLength")
        hi = hi if isinstance(hi, int) and hi >= lo else None
        words = [rng.choice(VOCABULARY[:90]) for _ in range(rng.randint(1, 3))]
        text = " ".join(words)
        while len(text) < lo:
            text += " " + rng.choice(VOCABULARY[:90])
        if hi is not None and len(text) > hi:
            text = text[:hi].rstrip() if hi else ""
            while len(text) < lo:
                text += "a"
        return text

    def _integer(self, schema: Mapping[str, Any], depth: int) -> int:
        lo, hi = _bounds(schema, integer=True)
        mult = schema.get("multipleOf")
        if isinstance(mult, int) and not isinstance(mult, bool) and mult > 0:
            first = math.ceil(lo / mult)
            last = math.floor(hi / mult)
            if first <= last:
                return self.rng.randint(first, last) * mult
        return self.rng.randint(int(lo), int(hi))

    def _number(self, schema: Mapping[str, Any], depth: int) -> float | int:
        lo, hi = _bounds(schema, integer=False)
        mult = schema.get("multipleOf")
        if isinstance(mult, (int, float)) and not isinstance(mult, bool) and mult > 0:
            first = math.ceil(lo / mult)
            last = math.floor(hi / mult)
            if first <= last:
                value = self.rng.randint(first, last) * mult
                return round(value, 10)
        value = round(self.rng.uniform(lo, hi), 2)
        if value < lo or value > hi or _excluded(schema, value):
            value = (lo + hi) / 2
        return value

    def _boolean(self, schema: Mapping[str, Any], depth: int) -> bool:
        return self.rng.random() < 0.5

    def _null(self, schema: Mapping[str, Any], depth: int) -> None:
        return None


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null"


def _excluded(schema: Mapping[str, Any], value: float) -> bool:
    emin = schema.get("exclusiveMinimum")
    emax = schema.get("exclusiveMaximum")
    if isinstance(emin, (int, float)) and not isinstance(emin, bool) and value <= emin:
        return True
    return isinstance(emax, (int, float)) and not isinstance(emax, bool) and value >= emax


def _bounds(schema: Mapping[str, Any], *, integer: bool) -> tuple[float, float]:
    """Inclusive bounds from ``minimum``/``maximum`` and the exclusive variants."""
    step = 1 if integer else 0.01
    lo: float | None = None
    hi: float | None = None
    val = schema.get("minimum")
    if isinstance(val, (int, float)) and not isinstance(val, bool):
        lo = math.ceil(val) if integer else float(val)
    val = schema.get("exclusiveMinimum")
    if isinstance(val, (int, float)) and not isinstance(val, bool):
        cand = (math.floor(val) + 1) if integer else float(val) + step
        lo = cand if lo is None else max(lo, cand)
    val = schema.get("maximum")
    if isinstance(val, (int, float)) and not isinstance(val, bool):
        hi = math.floor(val) if integer else float(val)
    val = schema.get("exclusiveMaximum")
    if isinstance(val, (int, float)) and not isinstance(val, bool):
        cand = (math.ceil(val) - 1) if integer else float(val) - step
        hi = cand if hi is None else min(hi, cand)
    if lo is None and hi is None:
        lo, hi = 0, 100
    elif lo is None:
        assert hi is not None
        lo = hi - 100
    elif hi is None:
        hi = lo + 100
    if hi < lo:
        hi = lo
    return lo, hi


def generate_from_schema(schema: Mapping[str, Any], rng: random.Random) -> Any:
    """Generate one value satisfying ``schema`` (see :class:`SchemaGenerator`)."""
    return SchemaGenerator(schema, rng).generate()


def generate_json_object(rng: random.Random) -> dict[str, Any]:
    """Generate a free-form JSON object for ``response_format: json_object``.

    The keys come from the vocabulary, never from the prompt.
    """
    keys = rng.sample(VOCABULARY[:90], rng.randint(1, 3))
    out: dict[str, Any] = {}
    for key in keys:
        pick = rng.random()
        if pick < 0.5:
            out[key] = " ".join(rng.choice(VOCABULARY[:90]) for _ in range(rng.randint(1, 3)))
        elif pick < 0.75:
            out[key] = rng.randint(0, 100)
        else:
            out[key] = rng.random() < 0.5
    return out


def dumps_compact(value: Any) -> str:
    """Serialise generated JSON content compactly (non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------------------
# Logprobs
# --------------------------------------------------------------------------------------


def token_logprobs(tokens: Sequence[str], top_k: int, rng: random.Random) -> list[dict[str, Any]]:
    """Plausible ``logprobs.content`` entries for generated tokens.

    Each entry has ``token``, ``logprob`` (negative), ``bytes`` (UTF-8) and
    ``top_logprobs`` with ``top_k`` alternatives, the sampled token first and ranked best.
    """
    out: list[dict[str, Any]] = []
    for tok in tokens:
        lp = -round(rng.uniform(0.0, 2.5), 6)
        alts: list[dict[str, Any]] = []
        if top_k > 0:
            alts.append({"token": tok, "logprob": lp, "bytes": list(tok.encode())})
            used = {tok}
            last = lp
            while len(alts) < top_k:
                cand = " " + rng.choice(VOCABULARY)
                if cand in used:
                    continue
                used.add(cand)
                last = round(last - rng.uniform(0.1, 1.5), 6)
                alts.append({"token": cand, "logprob": last, "bytes": list(cand.encode())})
        out.append({"token": tok, "logprob": lp, "bytes": list(tok.encode()), "top_logprobs": alts})
    return out
