"""``stream_turn`` closes the HTTP response however the turn ends."""

from __future__ import annotations

import httpx
import pytest
from langchain_core.messages import HumanMessage

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._cli.turn import stream_turn
from langchain_compat_chat.testing import Fault, ReferenceServer


class Sink:
    def __init__(self, stop_after: int | None = None) -> None:
        self.pieces: list[str] = []
        self.firsts = 0
        self.stop_after = stop_after

    def first_token(self) -> None:
        self.firsts += 1

    def reasoning(self, text: str) -> None:
        self.pieces.append("R:" + text)

    def content(self, text: str) -> None:
        self.pieces.append(text)
        if self.stop_after is not None and len(self.pieces) >= self.stop_after:
            raise KeyboardInterrupt


def _model(server: ReferenceServer, responses: list[httpx.Response]) -> ChatCompatModel:
    client = httpx.Client(event_hooks={"response": [responses.append]})
    return ChatCompatModel(base_url=server.base_url, model="m", http_client=client)


def test_interrupted_turn_closes_the_connection(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(chunk_delay_s=0.05))
    responses: list[httpx.Response] = []
    model = _model(compat_server, responses)
    try:
        stream_turn(model, [HumanMessage("hi")], Sink(stop_after=2))
    except KeyboardInterrupt:
        # Checked while the traceback still holds stream_turn's frame (and so the stream),
        # which is exactly when garbage collection cannot have closed it instead.
        (response,) = responses
        assert response.is_closed
    else:
        pytest.fail("the sink's KeyboardInterrupt did not propagate")


def test_finished_turn_merges_and_times(compat_server: ReferenceServer) -> None:
    responses: list[httpx.Response] = []
    model = _model(compat_server, responses).bind(reasoning_effort="low")
    ticks = iter([10.0, 10.25, 11.0])
    sink = Sink()
    turn = stream_turn(model, [HumanMessage("hi")], sink, clock=lambda: next(ticks))
    assert responses[0].is_closed
    assert sink.firsts == 1
    assert turn.ttft_s == 0.25 and turn.total_s == 1.0
    assert "".join(p[2:] for p in sink.pieces if p.startswith("R:")) == turn.reasoning
    assert "".join(p for p in sink.pieces if not p.startswith("R:")) == turn.message.text
    assert turn.message.usage_metadata and turn.message.usage_metadata["total_tokens"] > 0
    assert turn.as_json()["latency"] == {"ttft_ms": 250.0, "total_ms": 1000.0}
