"""One model instance under concurrent use: no errors, and every answer reaches its own caller.

Answers are told apart by what the server may legitimately see, never by the prompt: each call
asks for its own model name (echoed in ``response_metadata["model_name"]``) and one of a few
seeds (the reference server's text depends on the seed only). A crossed answer shows up as a
wrong model name, or as a text that differs from the other answers with the same seed. No
retries are allowed, so an error cannot hide behind a second attempt.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from langchain_core.messages import BaseMessage

from langchain_compat_chat.testing import Fault, ReferenceServer
from tests.reliability._support import KEEPALIVE_POOL, client_sockets, make_model, wait_until

SEEDS = 25


def _check(results: list[tuple[int, str, BaseMessage]], seeds: int = SEEDS) -> dict[int, str]:
    """Assert each answer is its caller's; return the one text of each seed."""
    texts: dict[int, set[str]] = defaultdict(set)
    for i, name, message in results:
        assert message.response_metadata["model_name"] == name, (i, name)
        assert message.text
        texts[i % seeds].add(message.text)
    assert all(len(t) == 1 for t in texts.values()), "one seed, different texts: crossed answers"
    by_seed = {seed: next(iter(t)) for seed, t in texts.items()}
    assert len(set(by_seed.values())) == len(by_seed), "different seeds, same text"
    return by_seed


async def test_thousand_concurrent_ainvoke_and_two_hundred_astreams(
    server: ReferenceServer,
) -> None:
    model = make_model(server, max_retries=0)

    async def invoke(i: int) -> tuple[int, str, BaseMessage]:
        name = f"inv-{i}"
        return i, name, await model.ainvoke("hi", model=name, seed=i % SEEDS)

    invoked = await asyncio.gather(*(invoke(i) for i in range(1000)))
    expected = _check(list(invoked))

    # Streams interleave for real: every chunk comes 5 ms after the previous one.
    server.set_fault(Fault(chunk_delay_s=0.005))

    async def stream(i: int) -> tuple[int, str, BaseMessage]:
        name = f"str-{i}"
        chunks = [c async for c in model.astream("hi", model=name, seed=i % SEEDS)]
        total = chunks[0]
        for chunk in chunks[1:]:
            total = total + chunk
        return i, name, total

    streamed = await asyncio.gather(*(stream(i) for i in range(200)))
    assert _check(list(streamed)) == expected  # a stream says what the same call's JSON says
    assert len(server.chat_requests) == 1200
    assert wait_until(lambda: client_sockets(server.port) <= KEEPALIVE_POOL)


def test_thread_pool_shares_one_model(server: ReferenceServer) -> None:
    model = make_model(server, max_retries=0)
    server.set_fault(Fault(chunk_delay_s=0.002))

    def call(i: int) -> tuple[int, str, BaseMessage]:
        name = f"thr-{i}"
        if i % 3:
            return i, name, model.invoke("hi", model=name, seed=i % SEEDS)
        chunks = list(model.stream("hi", model=name, seed=i % SEEDS))
        total = chunks[0]
        for chunk in chunks[1:]:
            total = total + chunk
        return i, name, total

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(call, range(300)))
    _check(results)
    assert len(server.chat_requests) == 300
    assert wait_until(lambda: client_sockets(server.port) <= KEEPALIVE_POOL)
