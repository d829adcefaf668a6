"""asv benchmarks for fastdiv (run from benchmarks/, see benchmarks/README.md)."""
