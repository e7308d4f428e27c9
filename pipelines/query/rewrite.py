"""The rewrite stage: the query in the knowledge base's other language, searched beside it.

The LLM's translation when `retrieval.rewrite` is on and the engine has a language model
(`pipelines.query.translate.Rewriter`), else the CC-CEDICT word-by-word gloss
(`pipelines.query.bridge`). Nothing when the query is not to be searched in translation
(`Query.language` is None). An LLM failure while translating is an `LLMError` (one line),
like a failure while answering: the engine that would answer is the one that failed.
"""

from __future__ import annotations

from pipelines.query.bridge import translation as bridge_translation
from pipelines.query.stages import Stage, State


class RewriteStage(Stage):
    name = "rewrite"

    def run(self, state: State) -> None:
        lang = state.query.language
        if lang is None:
            return
        translation = None
        rewriter = self.services.rewriter
        if rewriter is not None:
            translation, state.usage = rewriter.translate(state.query.text,
                                                          "en" if lang == "zh" else "zh")
        state.translation = translation or bridge_translation(state.query.text, lang)
