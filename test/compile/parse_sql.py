"""Parses SQL files with sqlglot in one dialect; prints one JSON object per file on stdout.

Usage: python parse_sql.py <dialect> <file.sql>...
Each object: {"file", "statements": number parsed, "error": message or null}. A statement sqlglot
only keeps as an opaque Command (syntax it does not understand) counts as an error.
"""
import json
import sys

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

dialect = sys.argv[1]
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    error = None
    count = 0
    try:
        for tree in sqlglot.parse(text, read=dialect, error_level=sqlglot.ErrorLevel.RAISE):
            if tree is None:
                continue
            count += 1
            if isinstance(tree, exp.Command):
                error = f"not parsed, kept as an opaque command: {tree.sql(dialect=dialect)[:200]}"
    except (ParseError, TokenError) as e:
        error = str(e)
    print(json.dumps({"file": path, "statements": count, "error": error}))
