"""The `ews` command tree is a contract: names, options, defaults and help stay as stored.

`tests/data/cli_tree.json` records every command path with its parameters and the first line
of its help. A change to the command line is deliberate: regenerate the file with
`python -m tests.test_cli_tree --write` and review its diff like code. The command line is
also the top layer: nothing else in `ews/` imports it.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ews.cli import main

STORED = Path(__file__).parent / "data" / "cli_tree.json"
PLAIN = (str, int, float, bool, type(None))
UNSET = getattr(click.core, "UNSET", object())  # click >= 8.3: "no default given"


def _plain(value):
    """Return a default as JSON when it is a plain value, else a marker naming its type."""
    if value is UNSET:
        return "<unset>"
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, PLAIN) for v in value):
        return list(value)
    return f"<{type(value).__name__}>"


def _param(param: click.Parameter) -> dict:
    info = param.type.to_info_dict()
    info.pop("param_type", None)
    return {"name": param.name, "kind": param.param_type_name, "opts": list(param.opts),
            "secondary_opts": list(param.secondary_opts), "type": param.type.name,
            "type_info": info, "required": param.required, "multiple": param.multiple,
            "nargs": param.nargs, "is_flag": getattr(param, "is_flag", False),
            "default": _plain(param.default), "envvar": param.envvar,
            "hidden": getattr(param, "hidden", False), "help": getattr(param, "help", None)}


def tree(command: click.Command = main, path: tuple[str, ...] = ()) -> dict[str, dict]:
    """Return {"ews rules check": {...}, ...} for `command` and everything below it."""
    help_lines = (command.help or "").strip().splitlines()
    out = {" ".join(("ews", *path)): {
        "name": command.name, "group": isinstance(command, click.Group),
        "hidden": command.hidden, "help": help_lines[0] if help_lines else "",
        "params": [_param(p) for p in command.params]}}
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            out |= tree(command.commands[name], (*path, name))
    return out


def test_command_tree_is_unchanged():
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    now = json.loads(json.dumps(tree()))
    assert sorted(now) == sorted(stored), "commands added or removed"
    for path, entry in stored.items():
        assert now[path] == entry, f"`{path}` changed"


@pytest.mark.parametrize("path", [p for p, e in tree().items() if e["group"]])
def test_group_help_runs(path):
    args = path.split()[1:]
    done = CliRunner().invoke(main, [*args, "--help"], prog_name="ews")
    assert done.exit_code == 0, done.output
    assert f"Usage: {path} " in done.output
    children = [e["name"] for p, e in tree().items()
                if p.startswith(path + " ") and " " not in p[len(path) + 1:] and not e["hidden"]]
    assert children
    for name in children:
        assert f"\n  {name} " in done.output, f"{name} missing from `{path} --help`"

if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.test_cli_tree --write")
    STORED.write_text(json.dumps(tree(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {STORED}")


def _imports(path: Path, package: str):
    """Yield (module, names) of each import in `path`, relative imports resolved."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] \
                if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module, [alias.name for alias in node.names]


def test_the_command_line_is_the_top_layer():
    """Nothing else in ews/ imports ews.cli; a group module uses no other module's _names."""
    root = Path(__file__).resolve().parents[1] / "ews"
    below, private = [], []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        package = ".".join(parts if parts[-1] == "__init__" else parts[:-1])
        in_cli = parts[:2] == ("ews", "cli")
        for module, names in _imports(path, package.removesuffix(".__init__")):
            if not in_cli and (module == "ews.cli" or module.startswith("ews.cli.")
                               or (module == "ews" and "cli" in names)):
                below.append(f"{path.relative_to(root.parent)} imports {module}")
            if in_cli and module != "__future__":
                private += [f"{path.name}: {module}.{n}" for n in names if n.startswith("_")]
    assert not below, below
    assert not private, private
