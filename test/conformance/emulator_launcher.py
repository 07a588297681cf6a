"""Start a local warehouse emulator for the conformance tests.

Usage (from test/conformance/emulators.ts, never by hand in CI):

    python emulator_launcher.py check   {bigquery|snowflake|all}
    python emulator_launcher.py bigquery  [--host 127.0.0.1] [--project cdp-test]
    python emulator_launcher.py snowflake [--host 127.0.0.1]

A server binds a free port on the given host (port 0, so no race), then prints
exactly one JSON line on stdout, e.g. {"ready": true, "emulator": "bigquery",
"port": 41234, ...}, and serves until SIGTERM/SIGINT or until its stdin closes
(the parent test process died), so it can never outlive the test run.

Why a launcher instead of the packages' own CLIs:
  * bqemulator's engine runs `INSTALL spatial` at start and refuses to start when
    the DuckDB extension repository is unreachable (no network here, and there is
    no spatial build for DuckDB 2.0 on PyPI). CDP never uses GEOGRAPHY, so the
    launcher skips that step; ST_* functions then fail at query time.
  * bqemulator answers a failing jobs.query with HTTP 200 (errors inside the body),
    which the Node client silently ignores; `_JobsQueryErrorsAsHttp` restores the
    real service's 4xx error response. `_BigQuerySqlShims` rewrites
    `CREATE TABLE .. COPY ..`, which bqemulator cannot parse.
  * fakesnow's server answers queries in Arrow format only; the Node.js driver
    (snowflake-sdk) reads only JSON results. `_snowflake_app` converts, emulates
    `ALTER TABLE .. SWAP WITH ..` (fakesnow cannot parse it) and turns
    schema-qualified TEMPORARY tables (fakesnow cannot create them) into
    regular ones.
  * Both CLIs pick ports that we cannot learn reliably; here we report them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import threading
from typing import Any


def _emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def _structlog_to_stderr() -> None:
    """bqemulator logs through structlog, which prints to stdout by default and
    logs one debug line at import time; keep stdout for our JSON handshake."""
    try:
        import structlog
    except ImportError:
        return
    import logging

    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
    )


def _watch_stdin(on_eof: Any) -> None:
    """Call on_eof() once stdin reaches EOF (parent exited or closed the pipe)."""

    def run() -> None:
        try:
            while os.read(0, 4096):
                pass
        except Exception:  # noqa: BLE001
            pass
        on_eof()

    threading.Thread(target=run, name="stdin-watchdog", daemon=True).start()


def check(which: str) -> int:
    """Report whether the emulators are importable (not merely installed) and their versions."""
    import importlib
    from importlib.metadata import PackageNotFoundError, version

    wanted = {
        # module to import -> distribution whose version is reported
        "bigquery": [("numpy", "numpy"), ("bqemulator.server", "bqemulator")],
        "snowflake": [("uvicorn", "uvicorn"), ("fakesnow.server", "fakesnow")],
    }
    pairs = wanted["bigquery"] + wanted["snowflake"] if which == "all" else wanted[which]
    errors: dict[str, str] = {}
    versions: dict[str, str] = {}
    for module, dist in pairs:
        try:
            importlib.import_module(module)
            versions[dist] = version(dist)
        except (ImportError, PackageNotFoundError) as exc:
            errors[dist] = f"{type(exc).__name__}: {exc}"
    _emit({"ok": not errors, "errors": errors, "versions": versions, "python": sys.executable})
    return 0 if not errors else 3


_BQ_REASON_STATUS = {"notFound": (404, "NOT_FOUND"), "accessDenied": (403, "PERMISSION_DENIED"), "duplicate": (409, "ALREADY_EXISTS")}


class _JobsQueryErrorsAsHttp:
    """ASGI middleware: make a failed jobs.query answer like BigQuery does.

    BigQuery answers a jobs.query (POST .../queries) whose SQL fails with an HTTP
    4xx error body. bqemulator answers 200 with `errors` inside the queryResponse,
    which @google-cloud/bigquery's `bq.query()` ignores: the query then "succeeds"
    with zero rows. Rewrite such responses into the real service's error shape.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("method") != "POST" or not scope.get("path", "").endswith("/queries"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body, status = b"".join(chunks), int(start.get("status", 200))
            if status == 200:
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
                errors = payload.get("errors") if isinstance(payload, dict) else None
                if errors and payload.get("kind") == "bigquery#queryResponse" and not payload.get("rows"):
                    reason = str(errors[0].get("reason", "invalidQuery"))
                    status, status_text = _BQ_REASON_STATUS.get(reason, (400, "INVALID_ARGUMENT"))
                    message_text = str(errors[0].get("message", reason))
                    body = json.dumps(
                        {
                            "error": {
                                "code": status,
                                "message": message_text,
                                "errors": [{"domain": "global", **e} for e in errors],
                                "status": status_text,
                            }
                        }
                    ).encode()
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


_BQ_NAME = r"(?:`[^`]+`|[A-Za-z_][\w-]*)(?:\s*\.\s*(?:`[^`]+`|[A-Za-z_][\w-]*)){0,2}"
_BQ_COPY = re.compile(
    rf"\bcreate(\s+or\s+replace)?\s+table(\s+if\s+not\s+exists)?\s+({_BQ_NAME})\s+copy\s+({_BQ_NAME})",
    re.I,
)


def _bq_rewrite_sql(sql: str) -> str:
    """GoogleSQL the emulator cannot run, rewritten to an equivalent it can.

    `CREATE [OR REPLACE] TABLE t COPY s` (bqemulator: 'syntax error at or near "COPY"')
    -> `CREATE [OR REPLACE] TABLE t AS SELECT * FROM s`: same rows and columns
    (the real COPY also keeps partitioning/clustering/options and costs nothing).
    """
    return _BQ_COPY.sub(lambda m: f"create{m.group(1) or ''} table{m.group(2) or ''} {m.group(3)} as select * from {m.group(4)}", sql)


class _BigQuerySqlShims:
    """ASGI middleware: apply _bq_rewrite_sql to the SQL of jobs.query / jobs.insert requests."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope.get("type") != "http" or scope.get("method") != "POST" or not (path.endswith("/queries") or path.endswith("/jobs")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        if headers.get(b"content-encoding"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        try:
            payload = json.loads(body)
            holder = payload if path.endswith("/queries") else payload.get("configuration", {}).get("query", {})
            if isinstance(holder.get("query"), str):
                rewritten = _bq_rewrite_sql(holder["query"])
                if rewritten != holder["query"]:
                    holder["query"] = rewritten
                    body = json.dumps(payload).encode()
        except (ValueError, AttributeError):
            pass
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        new_headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
        new_headers.append((b"content-length", str(len(body)).encode()))
        await self.app({**scope, "headers": new_headers}, replay, send)


_BQ_ONE_TABLE = re.compile(r"\btable_name\s*=\s*'([A-Za-z0-9_\-]+)'", re.I)


def _narrow_information_schema() -> None:
    """Speed only: bqemulator answers `dataset.INFORMATION_SCHEMA.TABLES/COLUMNS` by writing every
    table of the dataset (every column, for COLUMNS) into the query as an inline VALUES list, which
    it then parses: ~0.5 s per metadata query once a dataset holds ~30 tables (cdp's identity
    stage makes that many), so most of a build's time went there. A query that filters on one
    `table_name = '<name>'` (all of cdp's metadata queries) gets only that table materialised.
    The rows returned are the same, since the query keeps its own WHERE."""
    import bqemulator.sql.inner_query as inner_query

    original = inner_query.expand_information_schema

    def expand(bq_sql: str, project_id: str, catalog: Any) -> str:
        names = _BQ_ONE_TABLE.findall(bq_sql) if "INFORMATION_SCHEMA" in bq_sql.upper() else []
        if len(set(names)) != 1:
            return original(bq_sql, project_id, catalog)
        wanted = names[0]

        class _OneTable:
            def __getattr__(self, name: str) -> Any:
                return getattr(catalog, name)

            def list_tables(self, *args: Any, **kwargs: Any) -> Any:
                return tuple(t for t in catalog.list_tables(*args, **kwargs) if t.table_id == wanted)

        return original(bq_sql, project_id, _OneTable())

    inner_query.expand_information_schema = expand  # type: ignore[assignment]


def run_bigquery(host: str, project: str) -> int:
    from bqemulator.config import LogFormat, LogLevel, Settings
    from bqemulator.server import EmulatorServer
    from bqemulator.storage import engine as bq_engine

    def _skip_spatial(self: Any) -> None:  # see module docstring
        return None

    bq_engine.DuckDBEngine._load_spatial = _skip_spatial  # type: ignore[method-assign]
    _narrow_information_schema()

    import bqemulator.server as bq_server

    _create_app = bq_server.create_app
    bq_server.create_app = lambda ctx: _BigQuerySqlShims(_JobsQueryErrorsAsHttp(_create_app(ctx)))  # type: ignore[assignment]

    settings = Settings(
        rest_host=host,
        rest_port=0,
        grpc_host=host,
        grpc_port=0,
        default_project_id=project,
        enable_format_extensions=False,  # avro: would try to download too
        log_level=LogLevel(os.environ.get("CDP_EMULATOR_LOG_LEVEL", "warning")),
        log_format=LogFormat.CONSOLE,
        metrics_enabled=False,
        query_cache_ttl_seconds=0,  # tests re-run identical SQL after writes
    )

    async def main() -> None:
        server = EmulatorServer(settings)
        await server.start()
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        _watch_stdin(lambda: loop.call_soon_threadsafe(stop.set))
        import bqemulator

        _emit(
            {
                "ready": True,
                "emulator": "bigquery",
                "version": bqemulator.__version__,
                "host": host,
                "port": server.rest_port,
                "grpcPort": server.grpc_port,
                "projectId": project,
                "pid": os.getpid(),
            }
        )
        try:
            await stop.wait()
        finally:
            await server.stop()

    asyncio.run(main())
    return 0


# Session parameters a real Snowflake account sends to drivers; the Node driver
# reads the *_OUTPUT_FORMAT ones when converting values (BINARY crashes without one).
_SF_DEFAULT_PARAMETERS: dict[str, Any] = {
    "TIMEZONE": "Etc/UTC",
    "BINARY_OUTPUT_FORMAT": "HEX",
    "DATE_OUTPUT_FORMAT": "YYYY-MM-DD",
    "TIME_OUTPUT_FORMAT": "HH24:MI:SS",
    "TIMESTAMP_OUTPUT_FORMAT": "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM",
    "TIMESTAMP_NTZ_OUTPUT_FORMAT": "YYYY-MM-DD HH24:MI:SS.FF3",
    "TIMESTAMP_LTZ_OUTPUT_FORMAT": "",
    "TIMESTAMP_TZ_OUTPUT_FORMAT": "",
    "CLIENT_RESULT_CHUNK_SIZE": 160,
}


def _sf_decimal_seconds(total_nanos: int) -> str:
    sign = "-" if total_nanos < 0 else ""
    whole, frac = divmod(abs(total_nanos), 1_000_000_000)
    return f"{sign}{whole}.{frac:09d}"


def _sf_json_value(value: Any, sf_type: str) -> str | None:
    """One value of fakesnow's Snowflake-layout Arrow batch -> Snowflake JSON result string."""
    import decimal
    import math

    if value is None:
        return None
    if isinstance(value, dict) and value.get("epoch") is None and sf_type.startswith("timestamp"):
        return None  # NULL timestamps arrive as a struct of NULL children
    if sf_type == "boolean":
        return "1" if value else "0"
    if sf_type == "fixed":
        if isinstance(value, decimal.Decimal):
            return format(value, "f")
        return str(int(value))
    if sf_type == "real":
        f = float(value)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return repr(f)
    if sf_type == "date":
        import datetime as dt

        return str((value - dt.date(1970, 1, 1)).days)
    if sf_type == "time":  # int64 nanoseconds since midnight
        return _sf_decimal_seconds(int(value))
    if sf_type in ("timestamp_ntz", "timestamp_ltz"):  # struct {epoch, fraction}
        return _sf_decimal_seconds(value["epoch"] * 1_000_000_000 + value["fraction"])
    if sf_type == "timestamp_tz":  # struct {epoch, fraction, timezone}; result version 1 layout
        return f"{_sf_decimal_seconds(value['epoch'] * 1_000_000_000 + value['fraction'])} {value['timezone']}"
    if sf_type == "binary":
        return bytes(value).hex().upper()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _arrow_b64_to_json_rowset(b64: str, rowtype: list[dict[str, Any]]) -> list[list[str | None]]:
    import base64

    import pyarrow as pa

    if not b64:
        return []
    table = pa.ipc.open_stream(base64.b64decode(b64)).read_all()
    types = [str(c.get("type", "text")).lower() for c in rowtype]
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [[_sf_json_value(v, types[i]) for i, v in enumerate(row)] for row in zip(*columns)]


_SF_IDENT = r'(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)'
_SF_NAME = rf"{_SF_IDENT}(?:\s*\.\s*{_SF_IDENT}){{0,2}}"
_SF_SWAP = re.compile(rf"^\s*alter\s+table\s+(?:if\s+exists\s+)?({_SF_NAME})\s+swap\s+with\s+({_SF_NAME})\s*;?\s*$", re.I | re.S)


def _sf_parts(name: str) -> list[str]:
    return [p.strip() for p in re.findall(_SF_IDENT, name)]


_SF_QUALIFIED_TEMP = re.compile(
    rf"^(\s*create\s+(?:or\s+replace\s+)?)(?:local\s+|global\s+)?(?:temporary|temp)\s+(table\s+(?:if\s+not\s+exists\s+)?{_SF_IDENT}\s*\.)",
    re.I,
)


async def _sf_sql_text(request: Any) -> str | None:
    """The sqlText of a query request (Starlette caches the body, so fakesnow can read it again)."""
    import gzip

    raw = await request.body()
    if request.headers.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    try:
        text = json.loads(raw).get("sqlText")
    except (ValueError, AttributeError):
        return None
    return text if isinstance(text, str) else None


async def _sf_rewrite_sql(request: Any) -> None:
    """Rewrite Snowflake SQL that fakesnow cannot run into an equivalent it can.

    `CREATE [OR REPLACE] TEMPORARY TABLE schema.name ...`: fakesnow puts temporary
    tables in DuckDB's temp catalog, so a schema-qualified one fails with
    'Catalog Error: Schema with name X does not exist!'. In the emulator such a
    table is created as a regular table instead (drop it when done, as cdp does).
    """
    import gzip

    text = await _sf_sql_text(request)
    if text is None:
        return
    rewritten = _SF_QUALIFIED_TEMP.sub(r"\1\2", text, count=1)
    if rewritten == text:
        return
    raw = await request.body()
    gz = request.headers.get("Content-Encoding") == "gzip"
    payload = json.loads(gzip.decompress(raw) if gz else raw)
    payload["sqlText"] = rewritten
    body = json.dumps(payload).encode()
    request._body = gzip.compress(body) if gz else body  # noqa: SLF001 - Starlette's body cache


async def _maybe_swap(request: Any, fs_server: Any, with_params: Any) -> Any:
    """Emulate `ALTER TABLE a SWAP WITH b` (fakesnow 0.12 cannot parse it) as three renames.

    Returns a response if the statement was a swap, else None (the request body is
    cached by Starlette, so fakesnow can still read it afterwards).
    """
    import secrets

    import snowflake.connector.errors
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    sql_text = await _sf_sql_text(request)
    match = _SF_SWAP.match(sql_text or "")
    if not match:
        return None
    try:
        conn = fs_server.to_conn(fs_server.to_token(request))
    except fs_server.ServerError:
        return None  # let fakesnow produce its own auth error
    a, b = _sf_parts(match.group(1)), _sf_parts(match.group(2))
    tmp = [*a[:-1], '"CDP_FS_SWAP_' + secrets.token_hex(6).upper() + '"']
    steps = [(a, tmp), (b, a), (tmp, b)]
    cur = conn.cursor()
    done: list[tuple[list[str], list[str]]] = []
    try:
        for src, dst in steps:
            await run_in_threadpool(cur.execute, f"ALTER TABLE {'.'.join(src)} RENAME TO {'.'.join(dst)}")
            done.append((src, dst))
    except (snowflake.connector.errors.ProgrammingError, snowflake.connector.errors.OperationalError) as e:
        for src, dst in reversed(done):  # best effort: undo the renames that happened
            try:
                await run_in_threadpool(cur.execute, f"ALTER TABLE {'.'.join(dst)} RENAME TO {'.'.join(src)}")
            except Exception:  # noqa: BLE001
                pass
        code = f"{e.errno:06d}"
        return JSONResponse({"data": {"errorCode": code, "sqlState": e.sqlstate}, "code": code, "message": e.msg, "success": False})
    return JSONResponse(
        {
            "data": {
                "rowtype": [
                    {"name": "status", "database": "", "schema": "", "table": "", "nullable": True, "type": "text",
                     "byteLength": 16777216, "length": 16777216, "scale": None, "precision": None, "collation": None}
                ],
                "rowset": [["Statement executed successfully."]],
                "total": 1,
                "returned": 1,
                "queryId": cur.sfqid or secrets.token_hex(16),
                "statementTypeId": 0x6000,  # DDL
                "finalDatabaseName": conn.database,
                "finalSchemaName": conn.schema,
                "queryResultFormat": "json",
                "version": 1,
                "parameters": with_params(None),
            },
            "success": True,
        }
    )


def _patch_fakesnow() -> None:
    """Make fakesnow answer two things cdp relies on the way Snowflake does.

    * `ALTER SESSION SET TIMEZONE = 'UTC'` (cdp's SnowflakeWarehouse runs every session in UTC):
      fakesnow raises `ALTER SESSION SET TIMEZONE = 'UTC' not implemented`. Its DuckDB already
      works in UTC (and the launcher reports TIMEZONE=Etc/UTC), so UTC is accepted as a no-op;
      any other zone still fails, since the emulator could not honour it.
    * `INFORMATION_SCHEMA.TABLES` lists no views in fakesnow; Snowflake lists them with
      TABLE_TYPE 'VIEW'. The per-database view is redefined to add them.
    """
    import fakesnow.info_schema as info_schema
    import fakesnow.transforms as transforms
    from sqlglot import exp

    original = transforms.alter_session

    def alter_session(expression: Any) -> Any:
        if isinstance(expression, exp.Alter) and expression.kind == "SESSION":
            text = expression.sql(dialect="snowflake").upper().replace(" ", "")
            if re.fullmatch(r"ALTERSESSIONSETTIMEZONE='(UTC|ETC/UTC)'", text):
                return transforms.SUCCESS_NOP
        return original(expression)

    transforms.alter_session = alter_session

    template = info_schema.SQL_CREATE_INFORMATION_SCHEMA_TABLES_VIEW.template
    if "duckdb_views" not in template:
        views = """
union all
select
    database_name, schema_name, view_name, 'SYSADMIN', 'VIEW', 'NO', NULL::VARCHAR, NULL, 0, 1,
    NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, 'NO', 'YES', NULL::VARCHAR,
    to_timestamp(0)::timestamptz, to_timestamp(0)::timestamptz, to_timestamp(0)::timestamptz, 'SYSADMIN',
    'NO', comment, 'NO', 'NO', 'NO', 'NO', 'NO'
from duckdb_views
where database_name = '${catalog}'
  and schema_name != '_fs_information_schema'
  and not internal
"""
        info_schema.SQL_CREATE_INFORMATION_SCHEMA_TABLES_VIEW = type(info_schema.SQL_CREATE_INFORMATION_SCHEMA_TABLES_VIEW)(
            template.rstrip() + "\n" + views
        )


def _snowflake_app() -> Any:
    """fakesnow's Starlette app, adapted for drivers that only read JSON results.

    fakesnow (built for the Python/JDBC/Go drivers) answers every SELECT with an
    Arrow rowset (queryResultFormat=arrow, rowsetBase64). The Node.js driver
    (snowflake-sdk) only understands Snowflake's JSON result format, and needs
    `returned`, `version` and the *_OUTPUT_FORMAT parameters, so the query
    endpoint's response is rewritten here into what Snowflake sends a Node
    client. Everything else is fakesnow as-is.
    """
    import logging

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    import fakesnow.server as fs_server

    _patch_fakesnow()

    # Session parameters each session asked for at login (SESSION_PARAMETERS), by token.
    # Snowflake echoes them in every query response, and the Node driver reads some of them
    # from there only (JS_TREAT_INTEGER_AS_BIGINT: integers as BigInt); fakesnow ignores them.
    session_params: dict[str, dict[str, Any]] = {}

    def with_params(existing: list[dict[str, Any]] | None, session: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        merged = dict(_SF_DEFAULT_PARAMETERS)
        for p in existing or []:
            merged[p["name"]] = p["value"]
        merged.update(session or {})
        # fakesnow sends 0 so the Python driver never stages binds; the Node driver reads
        # it as "stage every array bind" (PUT to @SYSTEM$BIND, unsupported). Use Snowflake's.
        merged["CLIENT_STAGE_ARRAY_BINDING_THRESHOLD"] = 65280
        return [{"name": k, "value": v} for k, v in merged.items()]

    # fakesnow logs the traceback of an unsupported statement, then answers HTTP 500,
    # which drivers retry for minutes. Keep the last error so it can be answered as a
    # failed statement instead (fails fast, with the reason in the message).
    last_error: dict[str, str] = {}

    class _Remember(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                last_error["text"] = f"{type(exc).__name__}: {exc}"

    # on the parent logger: fakesnow.server shares its handler list with uvicorn's,
    # which uvicorn replaces when it configures logging
    logging.getLogger("fakesnow").addHandler(_Remember(level=logging.ERROR))

    def unsupported(detail: str) -> JSONResponse:
        return JSONResponse(
            {
                "data": {"errorCode": "000002", "sqlState": "0A000"},
                "code": "000002",
                "message": f"fakesnow emulator could not run this statement (unsupported): {detail}",
                "success": False,
            }
        )

    async def query_request(request: Request) -> Any:
        last_error.clear()
        swapped = await _maybe_swap(request, fs_server, with_params)
        if swapped is not None:
            return swapped
        await _sf_rewrite_sql(request)
        try:
            resp = await fs_server.query_request(request)
        except Exception as exc:  # noqa: BLE001 - e.g. a result type fakesnow cannot serialise
            return unsupported(f"{type(exc).__name__}: {exc}")
        body = json.loads(resp.body)
        if resp.status_code >= 500:
            return unsupported(last_error.get("text", body.get("message", "unknown error")))
        data = body.get("data")
        if body.get("success") and isinstance(data, dict) and "rowtype" in data:
            try:
                if data.get("queryResultFormat") == "arrow":
                    data["rowset"] = _arrow_b64_to_json_rowset(data.pop("rowsetBase64", ""), data["rowtype"])
                    data["queryResultFormat"] = "json"
            except Exception as exc:  # noqa: BLE001
                return unsupported(f"cannot convert result to JSON: {type(exc).__name__}: {exc}")
            data.setdefault("rowset", [])
            data["returned"] = len(data["rowset"])
            data.setdefault("total", data["returned"])
            data["version"] = 1
            token = re.search(r'Token="([^"]*)"', request.headers.get("Authorization", ""))
            data["parameters"] = with_params(data.get("parameters"), session_params.get(token.group(1)) if token else None)
        return JSONResponse(body, status_code=resp.status_code)

    async def login_request(request: Request) -> Any:
        import gzip

        raw = await request.body()
        try:
            sent = json.loads(gzip.decompress(raw) if request.headers.get("Content-Encoding") == "gzip" else raw)
            asked = sent.get("data", {}).get("SESSION_PARAMETERS") or {}
        except (ValueError, AttributeError, OSError):
            asked = {}
        resp = await fs_server.login_request(request)
        body = json.loads(resp.body)
        data = body.get("data")
        if isinstance(data, dict):
            if isinstance(data.get("token"), str) and isinstance(asked, dict):
                session_params[data["token"]] = asked
            data["parameters"] = with_params(data.get("parameters"), asked if isinstance(asked, dict) else None)
        return JSONResponse(body, status_code=resp.status_code)

    overrides = {"/queries/v1/query-request": query_request, "/session/v1/login-request": login_request}
    routes = [
        Route(r.path, overrides[r.path], methods=list(r.methods or [])) if r.path in overrides else r
        for r in fs_server.routes
    ]
    return Starlette(debug=False, routes=routes)


def run_snowflake(host: str) -> int:
    import logging
    import warnings

    warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")

    import uvicorn

    level = os.environ.get("CDP_EMULATOR_LOG_LEVEL", "warning")
    app = _snowflake_app()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=0, log_level=level))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    logging.getLogger("fakesnow.server").setLevel(level.upper())
    thread = threading.Thread(target=server.run, name="fakesnow", daemon=True)
    thread.start()
    while thread.is_alive() and not server.started:
        thread.join(0.05)
    if not server.started:
        _emit({"ready": False, "emulator": "snowflake", "error": "uvicorn did not start"})
        return 1
    port = server.servers[0].sockets[0].getsockname()[1]

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    _watch_stdin(stop.set)
    _emit(
        {
            "ready": True,
            "emulator": "snowflake",
            "version": _dist_version("fakesnow"),
            "host": host,
            "port": port,
            "pid": os.getpid(),
        }
    )
    while not stop.wait(0.5):
        if not thread.is_alive():
            return 1
    server.should_exit = True
    thread.join(5)
    return 0


def _dist_version(name: str) -> str | None:
    from importlib.metadata import version

    try:
        return version(name)
    except Exception:  # noqa: BLE001
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("which", choices=["bigquery", "snowflake", "all"], default="all", nargs="?")
    b = sub.add_parser("bigquery")
    b.add_argument("--host", default="127.0.0.1")
    b.add_argument("--project", default="cdp-test")
    s = sub.add_parser("snowflake")
    s.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    _structlog_to_stderr()
    if args.cmd == "check":
        return check(args.which)
    if args.cmd == "bigquery":
        return run_bigquery(args.host, args.project)
    return run_snowflake(args.host)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
