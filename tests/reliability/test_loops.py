"""Event loops closed by hand do not leak their client, connection or themselves (defect 3).

``asyncio.run`` shuts a loop's async generators down before closing it, which is when the
package closes that loop's pooled client. A loop made with ``new_event_loop()`` and closed
with ``close()`` alone skips that step: the client, its connection and the loop used to stay
alive for good (300 loops: +300 fds, +300 established connections, 300 loops never freed),
because a module-level registry held them. Run in a process of its own, so that its file
descriptor and socket counts are not disturbed by other tests.
"""

from __future__ import annotations

import asyncio
import gc
import os
import weakref

import pytest

from tests.reliability._support import client_sockets, run_json_process

LOOPS = 300


def _scenario() -> dict[str, int]:
    """Make and close LOOPS loops by hand, one call each; the growth it leaves behind."""
    from langchain_compat_chat import ChatCompatModel
    from tests.reliability._echo_server import echo_server

    with echo_server() as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        model = ChatCompatModel(model="echo", base_url=url, api_key="k", max_retries=0)
        asyncio.run(model.ainvoke("warm"))  # imports and the first client happen here
        gc.collect()
        fds_before = len(os.listdir("/proc/self/fd"))
        sockets_before = client_sockets(port)
        loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []
        for i in range(LOOPS):
            loop = asyncio.new_event_loop()
            answer = loop.run_until_complete(model.ainvoke(f"loop-{i}"))
            assert answer.content == f"loop-{i}"
            loop.close()  # no shutdown_asyncgens(): what hand-written loop code often does
            loops.append(weakref.ref(loop))
            del loop
        gc.collect()
        return {
            "fds": len(os.listdir("/proc/self/fd")) - fds_before,
            "connections": client_sockets(port) - sockets_before,
            "loops_alive": sum(ref() is not None for ref in loops),
        }


@pytest.mark.skipif(not os.path.exists("/proc/self/net/tcp"), reason="counts via Linux /proc")
@pytest.mark.timeout(120)
def test_loops_closed_without_shutdown_are_freed_with_their_clients() -> None:
    code = "import json, warnings; warnings.simplefilter('ignore', ResourceWarning); "
    code += "from tests.reliability.test_loops import _scenario; print(json.dumps(_scenario()))"
    growth = run_json_process("-c", code)
    print(f"\n{LOOPS} loops closed by hand: {growth}")  # the figure the issue asks for
    assert growth["loops_alive"] == 0
    assert growth["connections"] <= 0
    assert growth["fds"] <= 2  # an fd or two of the interpreter's own may come and go
