"""Video parts: a 400 as on api.openai.com unless the dialect takes them (DashScope, vLLM)."""

from __future__ import annotations

import httpx
import pytest
from langchain_core.messages import HumanMessage

from langchain_compat_chat import ChatCompatModel, InvalidRequestError
from langchain_compat_chat.testing import ReferenceServer

CLIP = {"type": "video_url", "video_url": {"url": "https://example.com/clip.mp4"}}
FRAMES = {"type": "video", "video": ["https://example.com/1.jpg", "https://example.com/2.jpg"]}


def _post(srv: ReferenceServer, part: object, dialect: str | None) -> httpx.Response:
    body = {"model": "m", "messages": [{"role": "user", "content": [part]}]}
    headers = {"x-compat-dialect": dialect} if dialect else {}
    return httpx.post(f"{srv.base_url}/chat/completions", json=body, headers=headers)


@pytest.mark.parametrize("part", [CLIP, FRAMES])
def test_openai_dialect_rejects_video(compat_server: ReferenceServer, part: object) -> None:
    reply = _post(compat_server, part, None)
    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "messages[0].content[0].type"


@pytest.mark.parametrize("dialect", ["dashscope", "vllm", "accept_video"])
@pytest.mark.parametrize("part", [CLIP, FRAMES])
def test_video_dialects_accept_both_forms(
    compat_server: ReferenceServer, part: object, dialect: str
) -> None:
    assert _post(compat_server, part, dialect).status_code == 200


@pytest.mark.parametrize(
    ("part", "param"),
    [
        ({"type": "video_url", "video_url": {}}, "messages[0].content[0].video_url.url"),
        ({"type": "video", "video": []}, "messages[0].content[0].video"),
        ({"type": "video", "video": [3]}, "messages[0].content[0].video"),
    ],
)
def test_malformed_video_parts(compat_server: ReferenceServer, part: object, param: str) -> None:
    reply = _post(compat_server, part, "dashscope")
    assert reply.status_code == 400 and reply.json()["error"]["param"] == param


def test_client_sends_video_that_the_dashscope_dialect_takes(
    compat_server: ReferenceServer,
) -> None:
    model = ChatCompatModel(
        model="qwen-vl-max",
        provider="dashscope",
        base_url=compat_server.base_url,
        api_key="sk-test",
        default_headers={"x-compat-dialect": "dashscope"},
    )
    message = HumanMessage(
        content=[
            {"type": "text", "text": "What happens?"},
            {"type": "video", "url": CLIP["video_url"]["url"]},
        ]  # type: ignore[index]
    )
    assert model.invoke([message]).text
    sent = compat_server.last_request
    assert sent is not None
    assert sent.json["messages"][0]["content"][1] == CLIP
    openai_like = model.model_copy(update={"default_headers": {"x-compat-dialect": "openai"}})
    with pytest.raises(InvalidRequestError, match="type"):
        openai_like.invoke([message])
