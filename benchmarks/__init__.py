"""Benchmarks: how well and how fast the assistant works (see `make bench`)."""
