# SPDX-License-Identifier: GPL-2.0-or-later
"""Exceptions carrying the library's own message (qplug_error_last)."""


class Error(Exception):
    """Base class of every qplug error. `code` is the C ABI code, `offset` the byte offset of
    the problem in the offending input."""

    code = -1

    def __init__(self, message, offset=0):
        super().__init__(message)
        self.message = message
        self.offset = offset


class ParseError(Error, ValueError):
    """The input does not follow its grammar (QPLUG_EPARSE)."""
    code = -3


class InvalidError(Error, ValueError):
    """A bad argument or a request that cannot be answered (QPLUG_EINVALID)."""
    code = -4


class NotFoundError(Error, LookupError):
    """A named thing does not exist (QPLUG_ENOTFOUND)."""
    code = -2


class UnsatisfiableError(Error):
    """No solution exists (QPLUG_EUNSAT)."""
    code = -5


class IOError_(Error, OSError):
    """Reading, writing or the network failed (QPLUG_EIO)."""
    code = -6


class CancelledError(Error):
    """A progress callback asked to stop (QPLUG_ECANCELED): what was being changed is as it
    was."""
    code = -7


_BY_CODE = {cls.code: cls for cls in (ParseError, InvalidError, NotFoundError, UnsatisfiableError,
                                      IOError_, CancelledError)}


def from_code(code, message, offset=0):
    return _BY_CODE.get(code, Error)(message, offset)
