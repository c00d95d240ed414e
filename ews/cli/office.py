"""`ews office timezone CODE [ZONE]`: the clock an office's interviews are dated by."""

from __future__ import annotations

import click

from .context import CLI_ACTOR, db_session, read_config


@click.group("office")
def office_group() -> None:
    """Manage offices."""


@office_group.command("timezone")
@click.argument("code")
@click.argument("zone", required=False)
def office_timezone(code: str, zone: str | None) -> None:
    """Show office CODE's time zone, or set it to ZONE (Asia/Jakarta = WIB,
    Asia/Pontianak = WIB, Asia/Makassar = WITA, Asia/Jayapura = WIT) and re-date its
    report facts."""
    from sqlalchemy import delete

    from ews import audit
    from ews.store import facts, zones
    from ews.store.guards import maintenance
    from ews.store.models import AssessmentFact, Office

    if zone is not None:
        try:
            zones.check(zone)
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="ZONE") from None
    with db_session(read_config()) as session:
        office = session.get(Office, code.strip().upper())
        if office is None:
            raise click.BadParameter(f"no office {code!r}", param_hint="CODE")
        if zone is None or zone == office.timezone:
            click.echo(f"{office.code}: {office.timezone} ({zones.ZONES[office.timezone][1]})")
            return
        before, office.timezone = office.timezone, zone
        # The facts carry local days and hours: those of this office are derived again, the
        # one deletion the append-only guards let through (audited below).
        with maintenance(session, "office.timezone_changed"):
            session.execute(delete(AssessmentFact)
                            .where(AssessmentFact.office_code == office.code))
        rebuilt = facts.backfill(session.connection())
        audit.record(session, "office.timezone_changed", actor=CLI_ACTOR,
                     office_code=office.code, data={"from": before, "to": zone})
        session.commit()
    click.echo(f"{office.code}: {zone} ({zones.ZONES[zone][1]}); {rebuilt} report facts "
               "derived")
