"""Ingest: which files, loading them in workers, chunking, the incremental run."""
