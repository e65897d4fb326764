"""The engine: recipes and the table of methods, loading CLIP, prompts and zero-shot scoring, data, the text encoder, image features and evaluation, training, files and prompt files."""
