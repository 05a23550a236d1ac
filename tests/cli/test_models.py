"""``compat-chat models`` in-process."""

from __future__ import annotations

import json
from typing import Any

from langchain_compat_chat.testing import ReferenceServer
from tests.cli.conftest import CliRunner


def test_lists_ids_and_owners(cli: CliRunner, compat_server_factory: Any) -> None:
    server: ReferenceServer = compat_server_factory(models=("small", "a-much-longer-model"))
    result = cli("models", "--base-url", server.base_url)
    assert result.code == 0 and result.err == ""
    assert result.out.splitlines() == [
        "small                compat",
        "a-much-longer-model  compat",
    ]
    assert server.requests[-1].path == "/v1/models"


def test_json_lists_every_field(cli: CliRunner, compat_server: ReferenceServer) -> None:
    result = cli("models", "--base-url", compat_server.base_url, "--json")
    assert result.code == 0
    (info,) = json.loads(result.out)
    assert info["id"] == "compat-reference" and info["owned_by"] == "compat"
    assert isinstance(info["created"], int)
    assert info["metadata"] == {"object": "model", "max_model_len": 128_000}


def test_model_flag_is_optional_and_env_is_read(
    cli: CliRunner, compat_server_factory: Any, monkeypatch: Any
) -> None:
    server: ReferenceServer = compat_server_factory(api_key="k-models")
    monkeypatch.setenv("COMPAT_BASE_URL", server.base_url)
    monkeypatch.setenv("COMPAT_API_KEY", "k-models")
    result = cli("models")
    assert result.code == 0 and result.out == "compat-reference  compat\n"
    assert server.requests[-1].headers["authorization"] == "Bearer k-models"
