"""`make bench`: every ``benchmarks/bench_*.py`` module's ``main()`` prints its figures."""
