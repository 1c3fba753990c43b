"""What leaves the repository: the Gradescope autograder and student release bundles, notebooks."""
