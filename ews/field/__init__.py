"""The Jemput Bola field kit: EWS on a laptop in a village hall, merged back into the office.

`pack` (office) -> `crypto.lock_kit` -> `instance.open_kit` (laptop) -> `ews serve` there ->
`instance.close` (bundle) -> `imports.import_bundle` (office). Pure functions over a session
and the values they are given (`now`, keys, paths); the CLI (`ews.cli.field`) is a thin
layer over them. docs/operations.md, "Field services", is the procedure.
"""

from .crypto import FieldError

__all__ = ["FieldError"]
