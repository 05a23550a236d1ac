"""Message content -> Chat Completions content parts (pure).

LangChain lets users write content in four dialects: plain strings, OpenAI parts
(``image_url``), LangChain standard blocks (``{"type": "image", "base64": ...}``) and
Anthropic-style blocks (``{"type": "image", "source": {...}}``), plus local files. Servers only
understand the OpenAI parts, so everything is normalised here, and anything we cannot express
raises before a request is made instead of coming back as a 400.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["content_to_wire", "file_block", "image_block", "text_of"]

# Blocks that describe model output or tool calls: they are carried elsewhere on the wire
# (``tool_calls``, ``reasoning_content``) or not at all, so content conversion skips them.
_SKIPPED = frozenset(
    {
        "reasoning",
        "thinking",
        "redacted_thinking",
        "tool_use",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "server_tool_call",
        "server_tool_result",
        "citation",
    }
)
# Part fields kept on the wire next to what ``_part`` builds. ``cache_control`` marks a prompt
# caching breakpoint (Anthropic's shape, ``{"type": "ephemeral"}`` with an optional ``ttl``),
# read on content parts by OpenRouter (Claude, Gemini and others:
# https://openrouter.ai/docs/features/prompt-caching), DashScope's explicit cache
# (https://www.alibabacloud.com/help/en/model-studio/context-cache) and Anthropic-compatible
# gateways; LangChain users write it on text blocks, or in a standard block's ``extras``
# (langchain-ai/langchain#33757, #35920). Servers without caching ignore the field.
_PART_EXTRAS = ("cache_control",)
_AUDIO_FORMATS = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/mpeg": "mp3", "audio/mp3": "mp3"}


def text_of(content: str | Sequence[Any]) -> str:
    """Concatenate the text parts of a content value, ignoring everything else."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, Mapping) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def _data_url(mime: str, data: str) -> str:
    return f"data:{mime};base64,{data}"


def _read_file(path: str | os.PathLike[str], mime: str | None = None) -> tuple[str, str]:
    p = Path(path).expanduser()
    if not p.is_file():
        msg = f"Content file not found: {p}"
        raise ValueError(msg)
    guessed = mime or mimetypes.guess_type(p.name)[0]
    if guessed is None:
        msg = f"Cannot tell the MIME type of {p.name}; pass mime_type explicitly."
        raise ValueError(msg)
    return guessed, base64.b64encode(p.read_bytes()).decode("ascii")


def image_block(
    source: str | os.PathLike[str] | bytes, *, mime_type: str | None = None
) -> dict[str, Any]:
    """Build an OpenAI ``image_url`` part from a URL, a local path or raw bytes.

    Args:
        source: ``http(s)://`` or ``data:`` URL, a file path, or the image bytes.
        mime_type: Needed for bytes; guessed from the file name for paths.

    """
    if isinstance(source, bytes):
        if not mime_type:
            msg = "mime_type is required when the image is given as bytes."
            raise ValueError(msg)
        url = _data_url(mime_type, base64.b64encode(source).decode("ascii"))
    elif isinstance(source, str) and source.startswith(("http://", "https://", "data:")):
        url = source
    else:
        url = _data_url(*_read_file(source, mime_type))
    return {"type": "image_url", "image_url": {"url": url}}


def file_block(
    source: str | os.PathLike[str] | bytes,
    *,
    mime_type: str | None = None,
    filename: str | None = None,
) -> dict[str, Any]:
    """Build an OpenAI ``file`` part (PDF and the like) from a path or bytes."""
    if isinstance(source, bytes):
        mime, data = mime_type or "application/pdf", base64.b64encode(source).decode("ascii")
    else:
        mime, data = _read_file(source, mime_type)
        filename = filename or Path(source).name
    return {
        "type": "file",
        "file": {"filename": filename or "document.pdf", "file_data": _data_url(mime, data)},
    }


def _source_url(block: Mapping[str, Any], kind: str) -> tuple[str | None, str | None, str | None]:
    """Return (url, mime, base64 data) of a standard, legacy or Anthropic-style data block."""
    mime = block.get("mime_type")
    if "url" in block:
        return str(block["url"]), mime, None
    if "base64" in block:
        return None, mime, str(block["base64"])
    source_type = block.get("source_type")
    if source_type == "url":
        return str(block["url"]), mime, None
    if source_type == "base64":
        return None, mime, str(block["data"])
    source = block.get("source")
    if isinstance(source, Mapping):  # Anthropic-style
        if source.get("type") == "base64":
            return None, source.get("media_type"), str(source["data"])
        if source.get("type") == "url":
            return str(source["url"]), source.get("media_type"), None
    if "path" in block:
        found_mime, data = _read_file(block["path"], mime)
        return None, found_mime, data
    if "file_id" in block or source_type == "id" or "id" in block:
        return None, mime, None
    msg = f"{kind} block has no url, base64 data, path or file id: {sorted(block)}"
    raise ValueError(msg)


def _image(block: Mapping[str, Any]) -> dict[str, Any]:
    url, mime, data = _source_url(block, "image")
    if url is None:
        if data is None:
            msg = "Image file ids are not part of the Chat Completions API; send a URL or data."
            raise ValueError(msg)
        if not mime:
            msg = "An image given as base64 needs a mime_type."
            raise ValueError(msg)
        url = _data_url(mime, data)
    part: dict[str, Any] = {"url": url}
    detail = block.get("detail") or (block.get("extras") or {}).get("detail")
    if detail:
        part["detail"] = detail
    return {"type": "image_url", "image_url": part}


def _audio(block: Mapping[str, Any]) -> dict[str, Any]:
    _, mime, data = _source_url(block, "audio")
    if data is None:
        msg = "Audio input must be base64 data (input_audio); URLs and ids are not accepted."
        raise ValueError(msg)
    fmt = _AUDIO_FORMATS.get(str(mime)) or (str(mime).split("/")[-1] if mime else None)
    if not fmt:
        msg = "An audio block needs a mime_type such as audio/wav."
        raise ValueError(msg)
    return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}


def _file(block: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(block.get("file"), Mapping):  # already OpenAI form
        return {"type": "file", "file": dict(block["file"])}
    file_id = block.get("file_id") or (
        block.get("id") if block.get("source_type") == "id" else None
    )
    if file_id:
        return {"type": "file", "file": {"file_id": file_id}}
    _, mime, data = _source_url(block, "file")
    if data is None:
        msg = "File URLs are not part of the Chat Completions API; send base64 data or a path."
        raise ValueError(msg)
    extras = block.get("extras") or {}
    metadata = block.get("metadata") or {}
    filename = block.get("filename") or extras.get("filename") or metadata.get("filename")
    return {
        "type": "file",
        "file": {
            "filename": filename or "document.pdf",
            "file_data": _data_url(mime or "application/pdf", data),
        },
    }


def _video(block: Mapping[str, Any], supports_video: bool) -> dict[str, Any]:
    if not supports_video:
        msg = (
            "Video input is not supported by this provider preset; use a provider that "
            "accepts video (e.g. provider='dashscope' or 'vllm')."
        )
        raise ValueError(msg)
    if block.get("type") == "video_url":
        return dict(block)
    if isinstance(block.get("video"), list):  # Qwen-VL frame list
        return dict(block)
    url, mime, data = _source_url(block, "video")
    if url is None:
        if data is None:
            msg = "A video block needs a URL, base64 data or a path."
            raise ValueError(msg)
        url = _data_url(mime or "video/mp4", data)
    return {"type": "video_url", "video_url": {"url": url}}


def _part(block: Any, supports_video: bool) -> dict[str, Any] | None:
    part = _bare_part(block, supports_video)
    if part is None or not isinstance(block, Mapping):
        return part
    extras = block.get("extras")
    for name in _PART_EXTRAS:
        value = block.get(name)
        if value is None and isinstance(extras, Mapping):
            value = extras.get(name)
        if value is not None:
            part[name] = value
    return part


def _bare_part(block: Any, supports_video: bool) -> dict[str, Any] | None:
    if isinstance(block, str):
        return {"type": "text", "text": block}
    if isinstance(block, os.PathLike):
        mime = mimetypes.guess_type(os.fspath(block))[0] or ""
        if mime.startswith("image/"):
            return image_block(block)
        if mime.startswith("video/"):
            return _video({"type": "video", "path": block}, supports_video)
        if mime.startswith("audio/"):
            return _audio({"type": "audio", "path": block})
        return file_block(block)
    if not isinstance(block, Mapping):
        msg = f"Unsupported content part of type {type(block).__name__}: {block!r:.80}"
        raise ValueError(msg)
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": str(block.get("text", ""))}
    if kind in _SKIPPED:
        return None
    if kind == "image_url":
        image_url = block.get("image_url")
        part = {"url": image_url} if isinstance(image_url, str) else dict(image_url or {})
        if "url" not in part:
            msg = "image_url part without a url."
            raise ValueError(msg)
        return {"type": "image_url", "image_url": part}
    if kind == "image":
        return _image(block)
    if kind in ("input_audio",):
        return dict(block)
    if kind == "audio":
        return _audio(block)
    if kind == "file":
        return _file(block)
    if kind in ("video", "video_url"):
        return _video(block, supports_video)
    if kind == "non_standard" and isinstance(block.get("value"), Mapping):
        return dict(block["value"])
    msg = (
        f"Unsupported content block type {kind!r}. Supported: text, image/image_url, "
        "audio/input_audio, file, video/video_url (where the provider takes video)."
    )
    raise ValueError(msg)


def content_to_wire(
    content: str | Sequence[Any], *, supports_video: bool, flatten: bool
) -> str | list[dict[str, Any]]:
    """Convert message content to what goes into ``messages[].content``.

    Args:
        content: The LangChain message content.
        supports_video: Whether the provider accepts video parts.
        flatten: Return a plain string when only text remains (system, assistant and tool
            messages on many servers reject lists). Parts that carry more than their text
            (a ``cache_control`` breakpoint) are never flattened: the string would lose it.

    """
    if isinstance(content, str):
        return content
    parts = [p for p in (_part(b, supports_video) for b in content) if p is not None]
    if all(p.keys() <= {"type", "text"} and p.get("type") == "text" for p in parts) and (
        flatten or len(parts) <= 1
    ):
        return "".join(p["text"] for p in parts)
    return parts
