"""Errors a user can act on, shared by the library and the command line.

The library raises them; ``kg.cli`` prints each as one ``kg: error:`` line and
exits with status 2. Nothing here imports the rest of kg, so any module may
raise one without importing the command line.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix: printed as one line, exit status 2."""
