"""Core statements run straight on the DB-API cursor: the submission's hot path.

Executing a Core statement costs ~30-40 us of Python per call (execution context, parameter
processing, result wrapping) on top of the database's own work; a submission runs seven,
four of them inside the write lock. A `Direct` statement is compiled once per dialect by
SQLAlchemy itself, and its parameters and results go through the dialect's own bind and
result processors, so what is stored and read back is exactly what Core would store and
read. Errors are re-raised as SQLAlchemy's exceptions (IntegrityError, OperationalError...),
so callers and the error handlers (503 for a locked database) see what they would see with
Core. The statement runs in the Connection's transaction, on its DB-API connection.

`together` sends the statements run inside it in one round trip where the driver can
(psycopg's pipeline mode): a statement whose rows are read waits for the ones before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable, Insert


@dataclass(frozen=True)
class _Plan:
    sql: str
    order: Callable[[dict], tuple] | None  # the positional parameters; None: by name
    defaults: dict[str, Any]  # constants bound by the statement itself
    binds: tuple[tuple[str, Callable], ...]  # name -> bind processor, where there is one
    results: tuple[Callable | None, ...] | None  # result processor per column; None: none


class Direct:
    """A Core statement compiled once per dialect and run on the DB-API cursor."""

    def __init__(self, statement: Executable) -> None:
        """An INSERT of a table sets the columns named by the keys of its parameters."""
        self.statement = statement
        self.inserts = isinstance(statement, Insert)
        self._plans: dict[tuple, _Plan] = {}

    def _plan(self, dialect: Dialect, params: Mapping[str, Any] | None = None) -> _Plan:
        keys = tuple(params or ()) if self.inserts else None
        plan = self._plans.get((dialect.name, keys))
        if plan is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=keys)
            if "POSTCOMPILE" in str(compiled):
                raise ValueError("expanding IN parameters are not supported: use or_()")
            binds = tuple((name, proc) for name, bind in compiled.binds.items()
                          if (proc := bind.type.dialect_impl(dialect).bind_processor(dialect)))
            results = tuple(col[-1].dialect_impl(dialect).result_processor(dialect, None)
                            for col in compiled._result_columns)  # noqa: SLF001 - (.., type)
            defaults = {name: bind.effective_value for name, bind in compiled.binds.items()
                        if not bind.required and bind.effective_value is not None
                        and not name.startswith("%(")}
            if self.inserts:  # columns with a default that the parameters do not set
                defaults |= _insert_defaults(self.statement.table, set(compiled.binds) - set(keys))
            order = _positional(compiled.positiontup) if compiled.positional else None
            plan = self._plans[dialect.name, keys] = _Plan(str(compiled), order, defaults, binds,
                                                     results if any(results) else None)
        return plan

    def execute(self, conn: Connection, params: Mapping[str, Any] | None = None):
        """Run with `params`; return the DB-API cursor (for rows, `one`)."""
        plan = self._plan(conn.dialect, params)
        values = plan.defaults | dict(params or {}) if plan.defaults else dict(params or {})
        for name, proc in plan.binds:
            if name in values:
                values[name] = proc(values[name])
        args = values if plan.order is None else plan.order(values)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute(plan.sql, args)
        except conn.dialect.loaded_dbapi.Error as err:
            cursor.close()
            raise _error(conn, err, plan.sql, args) from err
        return cursor

    def one(self, conn: Connection, params: Mapping[str, Any] | None = None) -> tuple | None:
        """Run and return the first row (processed), or None."""
        cursor = self.execute(conn, params)
        try:
            row = cursor.fetchone()  # in `together`: an error of a statement before it
        except conn.dialect.loaded_dbapi.Error as err:
            raise _error(conn, err, self._plan(conn.dialect, params).sql, params) from err
        finally:
            cursor.close()
        return None if row is None else _processed(row, self._plan(conn.dialect, params))

    def run(self, conn: Connection, params: Mapping[str, Any] | None = None) -> None:
        """Run a statement that returns no rows."""
        self.execute(conn, params).close()

    def keys(self) -> list[str]:
        """Return the names of the columns a SELECT or RETURNING gives."""
        return list(self.statement.selected_columns.keys())


@contextmanager
def together(conn: Connection, send_together: bool = True,
             commit: bool = False) -> Iterator[None]:
    """Send the `Direct` statements run inside in one round trip on PostgreSQL.

    They run in order in the transaction; reading a statement's rows (`one`) waits for it
    and the ones before, and raises the first error among them (as SQLAlchemy's), or else
    leaving does. With `commit`, a COMMIT goes with them: the caller's commit afterwards
    finds nothing left to do. Only `Direct` statements inside: another would read its
    result before it came. Elsewhere, or with `send_together` False, each statement is its
    own round trip, as outside, and nothing is committed here.
    """
    if not send_together or conn.dialect.name != "postgresql":
        yield
        return
    driver, failed = conn.connection.driver_connection, None
    try:
        with driver.pipeline() as pipeline:
            try:
                yield
                if commit:  # sent with the Sync that leaving the pipeline sends anyway
                    driver.execute("COMMIT")
            except BaseException as err:  # noqa: BLE001 - raised below, once out of the pipeline
                failed = err
                if isinstance(err, conn.dialect.loaded_dbapi.Error):  # the COMMIT's own: a
                    failed = _error(conn, err, "COMMIT", None)  # twin's unique key, as
                    failed.__cause__ = err  # SQLAlchemy raises it (IntegrityError)
                with suppress(conn.dialect.loaded_dbapi.Error):  # the skipped statements
                    pipeline.sync()
    except conn.dialect.loaded_dbapi.Error as err:  # raised when leaving: nothing read it
        failed = _error(conn, err, None, None)
        failed.__cause__ = err
    if failed is not None:
        # A failed statement made the server skip the rest, the COMMIT too: end the
        # transaction as a failed COMMIT outside a pipeline would have.
        if driver.info.transaction_status == _FAILED:
            driver.rollback()
        raise failed


_FAILED = 3  # libpq's PQTRANS_INERROR: in a failed transaction block


def _error(conn: Connection, err: Exception, sql: str | None, args: Any) -> DBAPIError:
    return DBAPIError.instance(sql, args, err, conn.dialect.loaded_dbapi.Error)


def _positional(names: Sequence[str]) -> Callable[[dict], tuple]:
    """Return a function giving the values of `names`, in that order, as a tuple."""
    if not names:  # a statement without parameters (itemgetter() takes at least one name)
        return lambda values: ()
    if len(names) == 1:
        name = names[0]
        return lambda values: (values[name],)
    return itemgetter(*names)


def _insert_defaults(table, names: set[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        default = table.c[name].default
        if default is None or not default.is_scalar:
            raise ValueError(f"{table.name}.{name}: pass a value (its default is not a constant)")
        out[name] = default.arg
    return out


def _processed(row: Sequence, plan: _Plan) -> tuple:
    if plan.results is None:
        return tuple(row)
    return tuple(v if p is None else p(v) for v, p in zip(row, plan.results, strict=True))
