"""A rule-set text is parsed once per process: the same bytes give the same compiled rules."""

import pytest

from ews.engine import RuleSetError, parse_ruleset, ruleset_files
from tests.conftest import DEFAULT_RULES


def test_the_same_bytes_are_compiled_once_and_keep_the_callers_source():
    data, agencies = ruleset_files(DEFAULT_RULES)
    first = parse_ruleset(data, source="upload", agencies=agencies)
    again = parse_ruleset(data.decode(), source="ruleset abc", agencies=agencies)
    assert again.indicators is first.indicators and again.sha256 == first.sha256
    assert (first.source, again.source) == ("upload", "ruleset abc")
    other = parse_ruleset(data + b"\n# another text\n", agencies=agencies)
    assert other.sha256 != first.sha256 and other.indicators is not first.indicators


def test_a_text_that_failed_fails_again_naming_the_problem():
    bad = b"ruleset: {id: x, version: '1'}\nindicators: []\n"
    for _ in range(2):
        with pytest.raises(RuleSetError, match="at least one indicator"):
            parse_ruleset(bad, source="bad.yaml")
