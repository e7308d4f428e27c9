"""Adapters that let other frameworks use an mmrag pipeline (LlamaIndex, LangChain)."""
