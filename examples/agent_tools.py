"""An agent with tools: ``langchain.agents.create_agent`` driving ``ChatCompatModel``.

Shows the full tool loop over real HTTP: the model asks for tool calls (arguments parsed
into dicts, whatever streaming dialect the server uses), the agent runs the Python tools
and sends their results back as ``ToolMessage``s, and the model answers in text. Every
message of the run is printed, so you can see each step.

Needs the ``langchain`` package (``pip install langchain``; it is in this project's
``test`` extra).

Run: ``python examples/agent_tools.py`` (offline), or with ``COMPAT_BASE_URL`` and
``COMPAT_MODEL`` set to use your own server (pick a model that supports tool calling).
"""

from __future__ import annotations

from _endpoint import endpoint
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"It is 21 degrees and sunny in {city}."


@tool
def convert_temperature(celsius: float) -> str:
    """Convert a temperature from Celsius to Fahrenheit."""
    return f"{celsius} C is {celsius * 9 / 5 + 32:.1f} F"


def main() -> None:
    """Run one agent conversation and print every message it produced."""
    with endpoint() as ep:
        agent = create_agent(
            ep.chat_model(temperature=0),
            tools=[get_weather, convert_temperature],
            system_prompt="Use the tools to answer. Be brief.",
        )
        result = agent.invoke(
            {"messages": [("user", "What's the weather in Porto, in Fahrenheit?")]}
        )
        for message in result["messages"]:
            if isinstance(message, AIMessage) and message.tool_calls:
                for call in message.tool_calls:
                    print(f"model -> tool call {call['name']}({call['args']})")
            elif isinstance(message, ToolMessage):
                print(f"tool {message.name} -> {message.content}")
            elif isinstance(message, AIMessage):
                print(f"model -> answer: {message.text}")
            else:
                print(f"{message.type}: {message.text}")
        tool_runs = sum(isinstance(m, ToolMessage) for m in result["messages"])
        print(f"{tool_runs} tool run(s), {len(result['messages'])} messages in total")


if __name__ == "__main__":
    main()
