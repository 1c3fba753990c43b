"""Local regrading of many submissions: batch, reports, gradebook, similarity."""
