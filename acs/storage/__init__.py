"""The only home of SQLAlchemy: engine, models, migrations and small storage functions.

Storage functions take the session first and return a model or ``None``; they never commit
(the caller owns the unit of work: ``async with sessions.begin() as session``).

Errors, translated at this edge (``raise ... from``)::

    StorageError
    ├── NotFound        a row that must exist does not
    └── Conflict        a uniqueness rule refused the write (e.g. a forked audit chain)
"""
