"""``with_structured_output``: the bound model, the parser, and refusals raised as such.

Three methods (a forced tool call, ``response_format`` with a JSON schema, JSON mode) bind
different request fields but end the same way: the JSON is always parsed here, never
trusted to the server, so ``include_raw=True`` reports a server that ignored the request as
a ``parsing_error`` instead of raising.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Literal, cast

from langchain_core import exceptions as lc_exceptions
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel

__all__ = ["Method", "raise_refusal", "structured_output"]

Method = Literal["function_calling", "json_schema", "json_mode"]


def raise_refusal(message: BaseMessage) -> BaseMessage:
    """Raise langchain-core's ``ModelRefusalError`` for an answer the model refused.

    OpenAI-compatible servers send a refusal as ``message.refusal`` with no content
    (OpenAI Structured Outputs, https://platform.openai.com/docs/guides/structured-outputs
    #refusals); parsing that empty content failed with an ``OutputParserException`` that
    hid the reason. langchain-core 1.7.5 added the error type for it (its
    ``with_structured_output`` contract: raised, or ``parsing_error`` with
    ``include_raw=True``); on older cores the parser's own error stands.
    """
    refusal = message.additional_kwargs.get("refusal")
    error_type = getattr(lc_exceptions, "ModelRefusalError", None)
    if error_type is None or not (isinstance(refusal, str) and refusal):
        return message
    raise error_type(
        f"Model refused to produce the requested output: {refusal}", raw_message=message
    )


def _bound(
    model: BaseChatModel, schema: dict[str, Any] | type | None, method: Method, strict: bool | None
) -> tuple[Runnable[LanguageModelInput, Any], Runnable[Any, Any]]:
    """The model with the method's request fields bound, and the parser of its answer."""
    is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
    traced = {"kwargs": {"method": method}, "schema": schema}
    if method == "function_calling":
        if schema is None:
            msg = "schema is required for method='function_calling'."
            raise ValueError(msg)
        tool_name = convert_to_openai_tool(schema)["function"]["name"]
        llm = model.bind_tools(
            [schema], tool_choice=tool_name, strict=strict, ls_structured_output_format=traced
        )
        if is_pydantic:
            return llm, PydanticToolsParser(tools=[cast(type, schema)], first_tool_only=True)
        return llm, JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)
    if method not in ("json_schema", "json_mode"):
        msg = f"Unknown method {method!r}; use function_calling, json_schema or json_mode."
        raise ValueError(msg)
    response_format: dict[str, Any] = {"type": "json_object"}
    if method == "json_schema":
        if schema is None:
            msg = "schema is required for method='json_schema'."
            raise ValueError(msg)
        json_schema = convert_to_json_schema(schema)
        spec: dict[str, Any] = {"name": json_schema.get("title") or "output", "schema": json_schema}
        if strict is not None:
            spec["strict"] = strict
        response_format = {"type": "json_schema", "json_schema": spec}
    llm = model.bind(response_format=response_format, ls_structured_output_format=traced)
    if is_pydantic:
        return llm, PydanticOutputParser(pydantic_object=cast(type[BaseModel], schema))
    return llm, JsonOutputParser()


def structured_output(
    model: BaseChatModel,
    schema: dict[str, Any] | type | None,
    *,
    method: Method,
    include_raw: bool,
    strict: bool | None,
) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
    """The runnable ``model.with_structured_output`` returns (see its docstring).

    Raises:
        ValueError: No schema for a method that needs one, or an unknown method.

    """
    llm, parser = _bound(model, schema, method, strict)
    parser = RunnableLambda(raise_refusal) | parser
    if not include_raw:
        return llm | parser
    parsed = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    ).with_fallbacks(
        [RunnablePassthrough.assign(parsed=lambda _: None)],
        exception_key="parsing_error",
    )
    return RunnableMap(raw=llm) | parsed
