"""`mmrag serve`: named pipelines over HTTP (OpenAI-compatible API, native API, web page)."""
