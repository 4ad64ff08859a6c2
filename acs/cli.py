"""The ``acs`` command: serve, db upgrade, keys init, import, demo.

Every command reads the same settings (``--config`` / ``ACS_CONFIG``, ``ACS_DATABASE_URL``,
``ACS_KEYS_DIR``); a bad config stops with a message naming the key and exit status 2, and so
does each refusal of the start-up checklist (:mod:`acs.startup_checks`: in production, every
development shortcut).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
from collections.abc import Sequence

from acs.clock import SystemClock
from acs.config import ConfigError, Settings, load_settings
from acs.crypto.keys import KeyFileError, KeyRing, init_keys
from acs.files import restrict_umask
from acs.startup_checks import development_warning, startup_refusals

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(
            args.config, host=getattr(args, "host", None), port=getattr(args, "port", None)
        )
        return args.run(args, settings)
    except ConfigError as exc:
        print(f"acs: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyFileError as exc:
        print(f"acs: keys: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="acs", description="Sécur'Pass 3-D Secure ACS")
    parser.add_argument("--config", help="TOML config file (default: $ACS_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the ACS (migrates and creates dev keys)")
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.set_defaults(run=_serve)

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
    if _refused(settings):
        return 2
    from acs.web import serve

    serve.plan(settings)  # a listener's bad certificate stops here, before any worker starts
    _prepare(settings)
    if args.workers > 1:
        return _serve_workers(settings, args.workers)
    _run_worker(settings, reuse_port=False)
    return 0


def _refused(settings: Settings) -> bool:
    """Print each start-up refusal on stderr; True when there is any (nothing was started)."""
    refusals = startup_refusals(settings)
    for line in refusals:
        print(f"acs: {line}", file=sys.stderr)
    if refusals:
        print(f"acs: not started ({len(refusals)} problem(s) above)", file=sys.stderr)
    return bool(refusals)


def _prepare(settings: Settings) -> None:
    """Before serving: owner-only files, keys (generated in development only), migrations."""
    from acs.storage.engine import upgrade

    restrict_umask()  # docs/security.md, "Files"
    if not settings.production:  # production keys were checked by startup_refusals
        print(development_warning(settings), file=sys.stderr, flush=True)
        created = init_keys(settings.keys_dir, settings.card_ranges)
        if created:
            print(f"acs: created dev keys in {settings.keys_dir}: {', '.join(created)}")
    asyncio.run(upgrade(settings.database_url))


def _run_worker(settings: Settings, *, reuse_port: bool) -> None:
    from acs.logs import configure_logging
    from acs.web import create_app, serve

    configure_logging(settings.log_level)
    app = create_app(settings, keys=KeyRing.load(settings.keys_dir), clock=SystemClock())
    sites = serve.plan(settings)
    asyncio.run(serve.run(app, sites, reuse_port=reuse_port, echo=_echo))


def _echo(line: str) -> None:
    print(line, flush=True)


def _serve_workers(settings: Settings, workers: int) -> int:
    processes = [
        multiprocessing.Process(target=_run_worker, args=(settings,), kwargs={"reuse_port": True})
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:
        for process in processes:
            process.terminate()
    return 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from acs.storage.engine import safe_url, upgrade

    asyncio.run(upgrade(settings.database_url))
    print(f"acs: database at head ({safe_url(settings.database_url)})")
    return 0


def _keys_init(args: argparse.Namespace, settings: Settings) -> int:
    created = init_keys(settings.keys_dir, settings.card_ranges)
    what = ", ".join(created) if created else "nothing (all keys exist; none overwritten)"
    print(f"acs: keys in {settings.keys_dir}: created {what}")
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from acs.cli_import import run_import

    return asyncio.run(run_import(args.kind, args.file, settings, args.skip_invalid))


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from acs.demo import DemoPorts, run_demo

    if settings.production:
        print(
            'acs: profile: "production": acs demo is a development tool (dev SMS inbox, demo'
            " cards); use acs serve",
            file=sys.stderr,
        )
        return 2
    if _refused(settings):
        return 2
    ports = DemoPorts(
        args.shop_port, args.ds_port, args.threeds_port, args.phone_port, args.idp_port
    )
    return run_demo(settings, ports)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
