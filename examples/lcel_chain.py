"""An LCEL chain: prompt template | ChatCompatModel | output parser.

Shows that ``ChatCompatModel`` is an ordinary LangChain runnable: the same chain is
invoked, streamed token by token, batched, and composed in parallel with
``RunnableParallel``, with no code specific to the server behind it.

Run: ``python examples/lcel_chain.py`` (offline), or with ``COMPAT_BASE_URL`` and
``COMPAT_MODEL`` set to use your own server.
"""

from __future__ import annotations

from _endpoint import endpoint
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableParallel


def main() -> None:
    """Build one chain and use it every way a runnable can be used."""
    with endpoint() as ep:
        model = ep.chat_model(temperature=0.2, max_tokens=120)
        prompt = ChatPromptTemplate.from_messages(
            [("system", "Answer in one sentence."), ("user", "What is {topic}?")]
        )
        chain = prompt | model | StrOutputParser()

        print("invoke:", chain.invoke({"topic": "a hash map"}))

        print("stream: ", end="")
        for token in chain.stream({"topic": "a B-tree"}):
            print(token, end="", flush=True)
        print()

        answers = chain.batch([{"topic": "TCP"}, {"topic": "UDP"}])
        for topic, answer in zip(["TCP", "UDP"], answers, strict=True):
            print(f"batch[{topic}]:", answer)

        both = RunnableParallel(
            short=chain,
            title=ChatPromptTemplate.from_template("A title for an essay on {topic}.")
            | model
            | StrOutputParser(),
        )
        result = both.invoke({"topic": "caching"})
        print("parallel short:", result["short"])
        print("parallel title:", result["title"])


if __name__ == "__main__":
    main()
