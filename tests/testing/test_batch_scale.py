"""A 10,000-line batch with tools runs in bounded server memory.

The upload is spooled to disk, both passes read the file a line at a time and the output
goes to disk through a small window, so the peak of Python allocations (``tracemalloc``,
client and server together: they share this process) stays far below the input's size.
A server that kept the file, its parsed lines or the outputs in memory would exceed it.
"""

from __future__ import annotations

import json
import tempfile
import tracemalloc

import httpx
import pytest

from langchain_compat_chat.testing import BatchConfig, ReferenceServer
from tests.testing._batch_helpers import tool_line, wait

LINES = 10_000
PEAK_BOUND = 4_000_000


# tracemalloc makes the 10,000 completions about three times slower (10-30 s on two busy
# cores), hence the longer timeout.
@pytest.mark.timeout(300)
def test_ten_thousand_tool_lines_in_bounded_memory(compat_server: ReferenceServer) -> None:
    compat_server.set_batch_config(BatchConfig(fail_fraction=0.01))
    with tempfile.TemporaryFile() as source:
        for i in range(LINES):
            source.write(json.dumps(tool_line(i)).encode() + b"\n")
        size = source.tell()
        source.seek(0)
        with httpx.Client(base_url=compat_server.base_url, timeout=280) as client:
            tracemalloc.start()
            try:
                base = tracemalloc.get_traced_memory()[0]
                uploaded = client.post(
                    "/files", data={"purpose": "batch"}, files={"file": ("in.jsonl", source)}
                )
                assert uploaded.status_code == 200, uploaded.text
                created = client.post(
                    "/batches",
                    json={
                        "input_file_id": uploaded.json()["id"],
                        "endpoint": "/v1/chat/completions",
                        "completion_window": "24h",
                    },
                )
                done = wait(client, created.json()["id"], timeout=280)
                answered: set[str] = set()
                for file_id in (done["output_file_id"], done["error_file_id"]):
                    with client.stream("GET", f"/files/{file_id}/content") as resp:
                        for text in resp.iter_lines():
                            item = json.loads(text)
                            answered.add(item["custom_id"])
                            if item["response"]["status_code"] == 200:
                                message = item["response"]["body"]["choices"][0]["message"]
                                assert message["tool_calls"][0]["function"]["name"]
                peak = tracemalloc.get_traced_memory()[1] - base
            finally:
                tracemalloc.stop()
    assert size > PEAK_BOUND  # the bound is below what holding the file would cost
    counts = done["request_counts"]
    assert done["status"] == "completed"
    assert counts["total"] == LINES == counts["completed"] + counts["failed"]
    assert 30 < counts["failed"] < 200
    assert answered == {f"t{i}" for i in range(LINES)}
    assert peak < PEAK_BOUND, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB input"
