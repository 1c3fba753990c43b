"""Errors a user can cause: reported as one line and exit status 2, never a traceback."""


class UserError(Exception):
    """Bad input from the person running cvgrade (missing file, unknown HW, bad course.yaml)."""
