"""Benchmarks at council and national scale: `make bench` (see bench/README.md)."""
