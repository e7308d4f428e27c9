"""A tiny randomly initialised CLIP saved with `save_pretrained` (tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path


def build_tiny_clip(folder: Path, seed: int = 0) -> Path:
    """A 2-layer CLIP with a byte-level tokenizer, saved with `save_pretrained`."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessorPil, CLIPModel, CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    chars = list(bytes_to_unicode().values())
    tokens = [*chars, *(c + "</w>" for c in chars), "<|startoftext|>", "<|endoftext|>"]
    vocab = {token: i for i, token in enumerate(tokens)}
    bos, eos = vocab["<|startoftext|>"], vocab["<|endoftext|>"]
    layers = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
              "num_attention_heads": 2}
    config = CLIPConfig(
        text_config={**layers, "vocab_size": len(vocab), "max_position_embeddings": 77,
                     "bos_token_id": bos, "eos_token_id": eos, "pad_token_id": eos},
        vision_config={**layers, "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )
    torch.manual_seed(seed)
    CLIPModel(config).save_pretrained(folder)
    CLIPTokenizer(vocab=vocab, merges=[]).save_pretrained(folder)
    CLIPImageProcessorPil(size={"shortest_edge": 32},
                          crop_size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder
