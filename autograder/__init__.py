"""cvgrade: releases, Gradescope autograders and isolated grading for COMS4732 homeworks."""

__version__ = "0.1.0"
