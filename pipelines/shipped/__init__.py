"""Package data: the shipped pipeline configs and prompt templates.

`configs/` and `prompts/` here link to the checkout's top-level folders, so a checkout and an
installed wheel find them at the same place (`pipelines.config.settings.configs_dir`).
"""
