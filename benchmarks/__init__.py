"""Benchmarks: `python -m benchmarks.<name>`; results in benchmarks/results/."""
