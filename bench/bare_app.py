"""The baselines of bench/load.py: a bare Flask app, served by the same gunicorn set-up.

``GET /`` answers "ok"; ``POST /insert`` stores one row of its JSON body in the database
named by ``BENCH_DATABASE_URL``, with the settings the service uses (SQLite: the same
pragmas and BEGIN IMMEDIATE from :mod:`assessor.database`; PostgreSQL: the same pool).
"""

from __future__ import annotations

import json
import os

from flask import Flask, jsonify, request
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, create_engine, func

from assessor.config import DEFAULTS
from assessor.database import _sqlite_pragmas

metadata = MetaData()
rows = Table(
    "bench_row",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("who", String(100)),
    Column("payload", JSON),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)


def make_engine(url: str):  # type: ignore[no-untyped-def]
    """An engine with the service's options and, on SQLite, its pragmas."""
    engine = create_engine(url, **DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"])
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine, int(DEFAULTS["SQLITE_BUSY_TIMEOUT_MS"]))
    return engine


app = Flask(__name__)
engine = make_engine(os.environ.get("BENCH_DATABASE_URL", "sqlite://"))


@app.get("/")
def ok() -> str:
    return "ok"


@app.post("/insert")
def insert_row():  # type: ignore[no-untyped-def]
    payload = request.get_json(silent=True) or {}
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        result = conn.execute(
            rows.insert().values(who=str(payload.get("who", ""))[:100], payload=payload)
        )
        new_id = result.inserted_primary_key[0]
    return jsonify(id=new_id, size=len(json.dumps(payload)))
