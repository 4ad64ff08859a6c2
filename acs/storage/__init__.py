"""The only home of SQLAlchemy: engine, models, migrations and small storage functions.

Storage functions take the session first and return a model or ``None``; they never commit
(the caller owns the unit of work: ``async with sessions.begin() as session``).

Errors, translated at this edge (``raise ... from``)::

    StorageError
    └── Conflict        a uniqueness rule refused the write (e.g. a forked audit chain)

A missing row is ``None``, not an error: the caller knows what its absence means.
"""
