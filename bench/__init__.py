"""National-scale synthetic data for benchmarks (see bench/README.md)."""
