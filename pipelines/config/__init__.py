"""The pipeline config: schema, loading (`--set`, `${ENV}`), component params, prompts,
`mmrag validate`."""
