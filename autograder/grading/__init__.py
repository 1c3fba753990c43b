"""Grading one submission (and many): discovery, the pytest run, results, Gradescope's entry point."""
