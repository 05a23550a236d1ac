"""Your server when the environment names one, else a bundled :class:`ReferenceServer`.

Demos, examples and an app's smoke tests want to run offline by default and against a real
server when one is configured, without each of them repeating the rule. The rule lives here,
with the variables the rest of the package reads: ``COMPAT_BASE_URL`` and ``COMPAT_MODEL``
(``COMPAT_API_KEY`` is read by the model itself).

The reference server is imported only when it is started, so that this module stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_compat_chat.chat_models import ChatCompatModel
    from langchain_compat_chat.testing._server import ReferenceServer

BASE_URL_ENV = "COMPAT_BASE_URL"
MODEL_ENV = "COMPAT_MODEL"
_PLACEHOLDER_KEY = "sk-reference"


@dataclass(frozen=True)
class Endpoint:
    """A server to send chat requests to, and the model to ask for.

    Attributes:
        base_url: The endpoint root, e.g. ``http://127.0.0.1:PORT/v1``.
        model: The model name to request: ``COMPAT_MODEL``, or the first model the
            reference server lists (``DEFAULT_MODEL`` unless ``models=`` was given).
        server: The reference server started for this endpoint; ``None`` when the
            environment named the server.

    """

    base_url: str
    model: str
    server: ReferenceServer | None = None

    @property
    def bundled(self) -> bool:
        """Whether this is the bundled reference server (answers are filler, not meaning)."""
        return self.server is not None

    @property
    def label(self) -> str:
        """A line to show the user which server is used, with URL credentials masked."""
        from langchain_compat_chat._secrets import redact_url

        if self.bundled:
            return f"the bundled reference server at {self.base_url}"
        return redact_url(self.base_url)

    def model_kwargs(self) -> dict[str, Any]:
        """``model``, ``base_url`` and, for the bundled server, the ``api_key`` it accepts.

        The names are the ones ``ChatCompatModel`` and ``ChatOpenAI`` share, so either can be
        built from them. For your own server no key is included: ``ChatCompatModel`` reads
        ``COMPAT_API_KEY`` (or its preset's variable) itself. For the bundled server the key
        is a placeholder (or the server's ``api_key``), so a key exported for a real server
        is never sent to the local one.
        """
        from pydantic import SecretStr

        kwargs: dict[str, Any] = {"model": self.model, "base_url": self.base_url}
        if self.server is not None:
            kwargs["api_key"] = SecretStr(self.server.api_key or _PLACEHOLDER_KEY)
        return kwargs

    def chat_model(self, **kwargs: Any) -> ChatCompatModel:
        """A ``ChatCompatModel`` for this endpoint; ``kwargs`` add to or override its settings."""
        from langchain_compat_chat.chat_models import ChatCompatModel

        return ChatCompatModel(**{**self.model_kwargs(), **kwargs})


@contextmanager
def env_or_reference_endpoint(**server_kwargs: Any) -> Iterator[Endpoint]:
    """The server in ``COMPAT_BASE_URL``, else a reference server running for the block.

    Examples:
        >>> from langchain_compat_chat.testing import env_or_reference_endpoint
        >>> with env_or_reference_endpoint() as endpoint:  # doctest: +SKIP
        ...     print(f"using {endpoint.label}")
        ...     llm = endpoint.chat_model(temperature=0)
        ...     llm.invoke("hi")

    Args:
        **server_kwargs: Passed to :class:`ReferenceServer` (e.g. ``dialect=``, ``api_key=``)
            when it is started; ignored when the environment names a server.

    Yields:
        The endpoint; a started reference server is stopped when the block ends.

    Raises:
        ValueError: ``COMPAT_BASE_URL`` is set but ``COMPAT_MODEL`` is not: guessing a model
            name would only fail later, with a less helpful error from the server.

    """
    base_url = os.environ.get(BASE_URL_ENV)
    if base_url:
        model = os.environ.get(MODEL_ENV)
        if not model:
            msg = f"{BASE_URL_ENV} is set: set {MODEL_ENV} to the model to use as well."
            raise ValueError(msg)
        yield Endpoint(base_url, model)
        return
    from langchain_compat_chat.testing._server import ReferenceServer

    with ReferenceServer(**server_kwargs) as server:
        yield Endpoint(server.base_url, server.models[0], server)
