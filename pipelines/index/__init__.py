"""The index: store + catalog + lexical rows + embeddings, shared by ingest and query."""
