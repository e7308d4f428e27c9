"""Answer engines: the offline extractive answerer and LLM backends."""
