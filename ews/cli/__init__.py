"""The `ews` console command: one entry point for operators and scripts.

One module per command group; each is a thin click layer over the package that does the work
and shares configuration, session and error handling through `ews.cli.context`.
"""

from __future__ import annotations

import click

from .demo import demo_cmd
from .export import export_group
from .field import field_group
from .intake import intake_cmd
from .learn import learn_group
from .model import model_group
from .office import office_group
from .ops import (
    audit_group,
    backup_cmd,
    init_cmd,
    restore_cmd,
    retention_group,
    serve_cmd,
)
from .outcomes import outcomes_group
from .report import report_cmd
from .rules import backtest_cmd, rules
from .score import score_cmd
from .token import token_group
from .user import user_group

COMMANDS = (init_cmd, serve_cmd, user_group, token_group, audit_group, retention_group,
            backup_cmd, restore_cmd, intake_cmd, score_cmd, rules, backtest_cmd, report_cmd,
            learn_group, model_group, demo_cmd, outcomes_group, office_group,
            field_group, export_group)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """EWS: early warning for TPPO and non-procedural migrant-work risk."""


for _command in COMMANDS:
    main.add_command(_command)
