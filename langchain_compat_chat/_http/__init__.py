"""HTTP layer: clients and pools, retries, the call's deadline and limits, drivers, SSE.

It reads the wire layer's types only through the small protocols it declares and never
imports the model, so the arrows of ``docs/architecture.md`` run one way.
"""
