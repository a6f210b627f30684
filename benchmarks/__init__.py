"""Benchmarks, run by hand and never in CI: pages under load against a plain signed-in page
(`manage.py bench_pages`) and the matching solver against its bound and the greedy baseline
(`manage.py bench_matching`). Figures go to docs/PERFORMANCE.md."""
