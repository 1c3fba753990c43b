"""Running student code apart: the grader's client, the worker and its zygote, their runtime and wire format."""
