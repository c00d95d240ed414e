"""What a test can add to a Flask app, so a shared app a test changed is not handed on.

`tests/conftest.py` builds one app per module on the default configuration; a test that
registers a route or blueprint, adds a hook or an error handler, or sets a config key leaves
that app different from the one the next test expects, and `shape` sees it.
"""

from __future__ import annotations

HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
         "teardown_appcontext_funcs", "error_handler_spec", "url_value_preprocessors",
         "url_default_functions", "template_context_processors")


def _filled(table):
    """Return a hook table without the empty entries that mere lookups add to defaultdicts."""
    if isinstance(table, dict):
        kept = {key: _filled(value) for key, value in table.items()}
        return {key: value for key, value in kept.items() if value}
    return table


def shape(app) -> tuple:
    """Return an app's routes, blueprints, configuration, hooks and handlers, comparable."""
    return (tuple(app.view_functions), tuple(app.blueprints), dict(app.config),
            tuple(_filled(getattr(app, name)) for name in HOOKS))
