"""`cvgrade check`: proof that a homework's tests are sound (contract, mutants, degenerate code)."""
