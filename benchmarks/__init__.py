"""Benchmarks for wsisanalysis: throughput, memory and report time (``python -m benchmarks``)."""
