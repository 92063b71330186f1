"""Registers every command group of the CLI; each group lives in a module of its own."""

from __future__ import annotations

import importlib

from flask import Flask

#: Modules that define ``register(app)``; each owns one group of commands.
COMMAND_MODULES = (
    "assessor.cli.questionnaire_cmds",
    "assessor.cli.score_cmd",
    "assessor.cli.report_cmds",
    "assessor.cli.demo_cmds",
    "assessor.cli.session_cmds",
    "assessor.cli.logo_cmds",
    "assessor.cli.mail_cmds",
    "assessor.cli.user_cmds",
)


def register(app: Flask) -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app)
