"""Token usage and cost of one LLM answer."""

from __future__ import annotations

from typing import Any

# USD per million tokens (input, output), list prices of OpenAI's vision models (2026).
# Override with `llm.price_per_million: {input: ..., output: ...}` for any other model.
PRICES = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


def price(model: str | None, override: dict[str, float] | None) -> tuple[float, float] | None:
    """(input, output) USD per million tokens: the config's, else the table's, else None."""
    if override:
        return float(override.get("input", 0.0)), float(override.get("output", 0.0))
    name = (model or "").lower()
    # dated snapshots (gpt-4o-2024-08-06) cost what their family costs
    matches = [m for m in PRICES if name == m or name.startswith(m + "-20")]
    return PRICES[max(matches, key=len)] if matches else None


def usage(counts: dict[str, Any], model: str | None,
          override: dict[str, float] | None = None) -> dict[str, Any]:
    """Token counts as the API reported them, plus `cost_usd` when the price is known."""
    prompt = int(counts.get("prompt_tokens") or 0)
    completion = int(counts.get("completion_tokens") or 0)
    if not (prompt or completion):
        return {}
    out: dict[str, Any] = {"model": model, "prompt_tokens": prompt,
                           "completion_tokens": completion,
                           "total_tokens": int(counts.get("total_tokens") or prompt + completion)}
    rates = price(model, override)
    if rates:
        out["cost_usd"] = round((prompt * rates[0] + completion * rates[1]) / 1e6, 6)
    return out
