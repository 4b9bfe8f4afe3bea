"""Errors shared by the input readers."""


class InputError(Exception):
    """A file no reader can use: empty, binary, or in an encoding that cannot be decoded."""
