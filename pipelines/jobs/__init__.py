"""Jobs over many questions: batch, eval (and its report), index stats, JSONL input."""
