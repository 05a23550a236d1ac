"""Structured extraction: text in, validated pydantic objects out.

Shows ``with_structured_output`` with a pydantic schema, run over several texts with
``batch``; the two methods (``function_calling``, which works on nearly every server, and
``json_schema``, for servers that support ``response_format``); and ``include_raw=True``,
which returns a parsing error instead of raising when a server ignores the schema.

Run: ``python examples/structured_extraction.py`` (offline), or with ``COMPAT_BASE_URL``
and ``COMPAT_MODEL`` set to use your own server.
"""

from __future__ import annotations

from _endpoint import endpoint
from pydantic import BaseModel, Field

TEXTS = [
    "Hi, I'm Ana Souza, product lead at Lumen Labs. Reach me at ana@lumen.example.",
    "Call Ravi Patel (Brightside Analytics, CTO) on +44 20 7946 0000.",
]


class Contact(BaseModel):
    """A person mentioned in a message."""

    name: str = Field(description="Full name")
    company: str | None = Field(default=None, description="Employer, if stated")
    role: str | None = Field(default=None, description="Job title, if stated")
    email: str | None = Field(default=None, description="Email address, if stated")


def main() -> None:
    """Extract contacts with each structured-output method."""
    with endpoint() as ep:
        model = ep.chat_model(temperature=0)

        extractor = model.with_structured_output(Contact)  # function calling
        for text, contact in zip(TEXTS, extractor.batch(TEXTS), strict=True):
            assert isinstance(contact, Contact)
            print(f"{text[:40]!r}... -> {contact!r}")

        via_schema = model.with_structured_output(Contact, method="json_schema")
        print("json_schema ->", repr(via_schema.invoke(TEXTS[0])))

        checked = model.with_structured_output(Contact, include_raw=True)
        outcome = checked.invoke(TEXTS[1])
        assert isinstance(outcome, dict)
        if outcome["parsing_error"] is None:
            print("include_raw -> parsed:", repr(outcome["parsed"]))
        else:
            print("include_raw -> the server ignored the schema:", outcome["parsing_error"])
        print("include_raw -> raw tool calls:", outcome["raw"].tool_calls)


if __name__ == "__main__":
    main()
