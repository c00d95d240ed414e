"""The `ews` console command: one entry point for operators and scripts."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """EWS: early warning for TPPO and non-procedural migrant-work risk."""


def _register() -> None:
    from ews.demo.cli import demo_cmd
    from ews.engine.cli import rules
    from ews.intake_cli import intake_cmd
    from ews.learn_cli import COMMANDS as LEARNING
    from ews.lifecycle.cli import add_commands, backtest_cmd
    from ews.model_cli import model_group
    from ews.ops_cli import COMMANDS as OPS_COMMANDS
    from ews.outcomes_cli import outcomes_group
    from ews.reports.cli import report_cmd
    from ews.scoring.cli import score_cmd
    from ews.service_cli import COMMANDS

    add_commands(rules)
    main.add_command(rules)
    main.add_command(backtest_cmd)
    main.add_command(score_cmd)
    main.add_command(intake_cmd)
    main.add_command(demo_cmd)
    main.add_command(report_cmd)
    main.add_command(outcomes_group)
    for command in COMMANDS + OPS_COMMANDS + LEARNING + (model_group,):
        main.add_command(command)


_register()
if __name__ == "__main__":
    main()
