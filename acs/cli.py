"""The ``acs`` command: serve, worker, db upgrade, keys init, import, demo.

Every command reads the same settings (``--config`` / ``ACS_CONFIG``, ``ACS_DATABASE_URL``,
``ACS_KEYS_DIR``); a bad config stops with a message naming the key and exit status 2, and so
does each refusal of the start-up checklist (:mod:`acs.startup_checks`: in production, every
development shortcut), a port already served and a database that does not answer. Nothing is
written (keys, database, files) before all of these pass.

The long-running commands (``serve``, ``worker``, ``demo``) log from their first line
(``--log-format json|text``, or ``ACS_LOG_FORMAT``; text on a terminal, else JSON); the others
print their results.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
from collections.abc import Sequence

from acs.config import ConfigError, Settings, load_settings
from acs.crypto.keys import KeyFileError, init_keys
from acs.files import restrict_umask
from acs.logs import FORMATS, LogOptions, configure_logging, default_format, stop_logging
from acs.startup_checks import development_warning, startup_refusals

__all__ = ["main"]

log = logging.getLogger("acs.cli")
LONG_RUNNING = ("serve", "worker", "demo")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.logged = args.command in LONG_RUNNING
    log_format = args.log_format or os.environ.get("ACS_LOG_FORMAT") or default_format()
    if log_format not in FORMATS:
        print(f"acs: ACS_LOG_FORMAT: expected one of: {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    args.logs = LogOptions("INFO", log_format)
    if args.logged:
        configure_logging(args.logs)
    try:
        settings = load_settings(
            args.config, host=getattr(args, "host", None), port=getattr(args, "port", None)
        )
        args.logs = dataclasses.replace(args.logs, level=settings.log_level.upper())
        if args.logged:
            logging.getLogger("acs").setLevel(args.logs.level)
        return int(args.run(args, settings))
    except ConfigError as exc:
        return _fail(args, f"configuration error: {exc}")
    except KeyFileError as exc:
        return _fail(args, f"keys: {exc}")
    except KeyboardInterrupt:
        return 130
    finally:
        if args.logged:
            stop_logging()


def _fail(args: argparse.Namespace, line: str) -> int:
    """One line on stderr (through the log for the long-running commands); exit status 2."""
    if args.logged:
        log.error("%s", line)
    else:
        print(f"acs: {line}", file=sys.stderr)
    return 2


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("expected a number from 1")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="acs", description="Sécur'Pass 3-D Secure ACS")
    parser.add_argument("--config", help="TOML config file (default: $ACS_CONFIG)")
    parser.add_argument("--log-format", choices=FORMATS,
                        help="serve, worker, demo: json or text (default: $ACS_LOG_FORMAT, "
                        "else text on a terminal, json otherwise)")  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the ACS (migrates and creates dev keys)")
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default 8000)")
    serve.add_argument("--workers", type=_positive, default=1,
                       help="HTTP worker processes (default 1)")  # fmt: skip
    serve.add_argument("--no-worker", action="store_true",
                       help="start no results worker (run `acs worker` elsewhere)")  # fmt: skip
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker", help="the results worker alone: timeouts, RReq delivery and retries, purges"
    )
    worker.add_argument(
        "--metrics-port", type=int, help="serve this worker's /metrics on host:PORT (0: any)"
    )
    worker.set_defaults(run=_worker)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations up to head").set_defaults(
        run=_db_upgrade
    )

    keys = commands.add_parser("keys", help="key management")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    keys_commands.add_parser("init", help="create missing dev keys").set_defaults(run=_keys_init)

    imp = commands.add_parser("import", help="bulk-load customers or cards from CSV")
    imp.add_argument("kind", choices=("customers", "cards"))
    imp.add_argument("file", help="CSV file with a header row")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid lines only")
    imp.add_argument("--allow-out-of-range", action="store_true",
                     help="import cards outside every card range (a warning each)")  # fmt: skip
    imp.set_defaults(run=_import)

    demo = commands.add_parser("demo", help="the ACS with demo customers and cards loaded")
    demo.add_argument("--host", help="listen address (default 127.0.0.1)")
    demo.add_argument("--port", type=int, help="the ACS's port (default 8000)")
    simulators = (("shop", 8100), ("ds", 8101), ("threeds", 8102), ("phone", 8103), ("idp", 8104))
    for name, default in simulators:
        demo.add_argument(f"--{name}-port", type=int, default=default,
                          help=f"the {name} simulator's port (default {default})")  # fmt: skip
    demo.set_defaults(run=_demo)
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Checks, the sockets, keys and migrations, then the supervisor and its children."""
    from acs.web import serve

    if _refused(args, settings):
        return 2
    sites = serve.plan(settings)  # a listener's bad certificate stops here
    try:
        sockets = serve.bind(sites)  # a port already served stops here, before any write
    except serve.ListenError as exc:
        return _fail(args, str(exc))
    try:
        if not prepare(settings, report=lambda line: _fail(args, line)):
            return 2
        for line in serve.describe(sites, sockets):
            log.info("%s", line)
        return _supervise(args, settings, sockets)
    finally:
        for group in sockets:
            for sock in group:
                sock.close()


def _supervise(args: argparse.Namespace, settings: Settings, sockets: list) -> int:
    from acs.web import metrics, processes
    from acs.web.supervisor import Supervisor

    with metrics.multiprocess_dir():  # /metrics of any worker adds every process's counters
        child = processes.Child(settings, args.logs, os.getpid())
        supervisor = Supervisor(grace=settings.shutdown_grace_seconds, on_exit=metrics.process_gone)
        for number in range(1, args.workers + 1):
            supervisor.add(f"http worker {number}", processes.http_worker, child, number, sockets)
        if not args.no_worker:
            supervisor.add("results worker", processes.results_worker, child)
        return supervisor.run()


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    """``acs worker``: the results worker in the foreground, until SIGTERM or SIGINT."""
    from acs.web import processes

    if _refused(args, settings):
        return 2
    if not prepare(settings, report=lambda line: _fail(args, line), migrate=False):
        return 2
    child = processes.Child(settings, args.logs, supervisor=None, metrics_port=args.metrics_port)
    processes.results_worker(child)
    return 0


def _refused(args: argparse.Namespace, settings: Settings) -> bool:
    """Log each start-up refusal; True when there is any (nothing was started)."""
    refusals = startup_refusals(settings)
    for line in refusals:
        _fail(args, line)
    if refusals:
        _fail(args, f"not started ({len(refusals)} problem(s) above)")
    return bool(refusals)


def prepare(settings: Settings, *, report, migrate: bool = True) -> bool:
    """Before serving: owner-only files, the database answers, keys (generated in development
    only), migrations. False (after one line to ``report``) when the database does not answer:
    nothing was written."""
    from acs.flows.health import DatabaseUnreachable, check_database
    from acs.storage.engine import upgrade

    restrict_umask()  # docs/security.md, "Files"
    try:
        timeout = settings.db_connect_timeout_seconds
        asyncio.run(check_database(settings.database_url, timeout=timeout))
    except DatabaseUnreachable as exc:
        report(f"{exc}; not started")
        return False
    if not settings.production:  # production keys were checked by startup_refusals
        log.warning("%s", development_warning(settings))
        created = init_keys(settings.keys_dir, settings.card_ranges)
        if created:  # a range's keys are named by its start, which looks like a PAN
            named = [n for n in created if not n.startswith("ranges.")]
            per_range = len(created) - len(named)
            ranges = f" and the keys of {per_range} range(s)" if per_range else ""
            what = ", ".join(named) + ranges
            log.info("created dev keys in %s: %s", settings.keys_dir, what)
    if migrate:
        asyncio.run(upgrade(settings.database_url))
    return True


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from acs.flows.health import DatabaseUnreachable, check_database
    from acs.storage.engine import safe_url, upgrade

    try:
        timeout = settings.db_connect_timeout_seconds
        asyncio.run(check_database(settings.database_url, timeout=timeout))
    except DatabaseUnreachable as exc:
        return _fail(args, str(exc))
    asyncio.run(upgrade(settings.database_url))
    print(f"acs: database at head ({safe_url(settings.database_url)})")
    return 0


def _keys_init(args: argparse.Namespace, settings: Settings) -> int:
    created = init_keys(settings.keys_dir, settings.card_ranges)
    what = ", ".join(created) if created else "nothing (all keys exist; none overwritten)"
    print(f"acs: keys in {settings.keys_dir}: created {what}")
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from acs.cli_import import ImportOptions, run_import

    options = ImportOptions(args.skip_invalid, args.allow_out_of_range)
    return asyncio.run(run_import(args.kind, args.file, settings, options))


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from acs.demo import DemoPorts, run_demo

    if settings.production:
        return _fail(
            args,
            'profile: "production": acs demo is a development tool (dev SMS inbox, demo'
            " cards); use acs serve",
        )
    if _refused(args, settings):
        return 2
    ports = DemoPorts(
        args.shop_port, args.ds_port, args.threeds_port, args.phone_port, args.idp_port
    )
    return run_demo(settings, ports, report=lambda line: _fail(args, line))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
