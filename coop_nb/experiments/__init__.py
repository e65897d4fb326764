"""Experiments: runs and records, tables, the toy benchmark, the commands and the explorers."""
