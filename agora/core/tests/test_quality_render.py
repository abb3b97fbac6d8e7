"""docs/quality.md from a figures file: measured rows worded from their counts, a failed check says
"failed", a check that did not run says "not run"; and the recorder behind the figures file."""

import json

import pytest

from agora.core.tests import quality_render
from agora.core.tests.quality import Recorder

ACCESS = "config/tests/test_access_matrix.py"


def document(*, matrix_outcome: str = "passed") -> dict:
    return {
        "finished": "2026-11-21T12:00:00+00:00",
        "exit_status": 1,
        "args": ["-q"],
        "tests": {
            f"{ACCESS}::test_every_route_is_classified": "passed",
            f"{ACCESS}::test_each_role_reaches_exactly_its_routes[visitor]": matrix_outcome,
            f"{ACCESS}::test_each_role_reaches_exactly_its_routes[admin]": "passed",
            "config/tests/test_production_settings.py::test_check_deploy_reports_nothing": "passed",
            "agora/ledger/tests/test_stateful.py::test_random_command_sequences_keep_every_invariant": "failed",
        },
        "figures": [
            {"name": "access_routes", "test": f"{ACCESS}::test_every_route_is_classified", "outcome": "passed",
             "numbers": {"routes": 150}},
            {"name": "access_matrix", "test": f"{ACCESS}::test_each_role_reaches_exactly_its_routes[visitor]",
             "outcome": matrix_outcome, "numbers": {"cells": 150, "leaks": 0, "errors": 0}},
            {"name": "access_matrix", "test": f"{ACCESS}::test_each_role_reaches_exactly_its_routes[admin]",
             "outcome": "passed", "numbers": {"cells": 150, "leaks": 0, "errors": 0}},
            {"name": "ledger_hypothesis",
             "test": "agora/ledger/tests/test_stateful.py::test_random_command_sequences_keep_every_invariant",
             "outcome": "failed", "numbers": {"examples": 3, "steps": 20, "checks": 23, "violations": 1}},
        ],
    }  # fmt: skip


def row(markdown: str, check: str) -> str:
    [line] = [line for line in markdown.splitlines() if line.startswith(f"| {check}")]
    return line


def test_a_measured_row_is_worded_from_the_summed_counts_of_its_passing_tests():
    markdown = quality_render.render(document())

    access = row(markdown, "Access matrix")
    assert "every route classified (150 routes" in access
    assert "2 roles × every route probed with GET (300 cells)" in access
    assert "0 leaks, 0 server errors (3 tests passed)" in access
    assert "0 issues (a test runs it) (1 test passed)" in row(markdown, "`check --deploy`")


def test_a_failed_check_says_failed_and_a_missing_one_says_not_run():
    markdown = quality_render.render(document(matrix_outcome="failed"))

    assert "**failed**" in row(markdown, "Access matrix")
    assert "test_each_role_reaches_exactly_its_routes[visitor]" in row(markdown, "Access matrix")
    assert "**failed**" in row(markdown, "Ledger Hypothesis")  # recorded numbers do not make it pass
    assert "not run" in row(markdown, "Ledger races")  # no figure, no test
    assert "not run" in row(markdown, "Password hashing")  # its test is not in the session
    assert "not run (no figure `trial_balance`)" in row(markdown, "Trial balance after the suite")
    for line in markdown.splitlines()[9:]:
        assert "not run" in line or "**failed**" in line or "passed)" in line, line


def test_every_row_of_an_empty_or_missing_figures_file_is_not_run(tmp_path):
    output = tmp_path / "quality.md"

    quality_render.main([str(tmp_path / "missing.json"), str(output)])

    rows = [line for line in output.read_text().splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == len(quality_render.ROWS)
    assert all("not run" in line for line in rows)


def test_the_renderer_reads_the_file_the_session_wrote(tmp_path):
    figures = tmp_path / "figures.json"
    figures.write_text(json.dumps(document()))
    output = tmp_path / "quality.md"

    quality_render.main([str(figures), str(output)])

    assert "(300 cells)" in output.read_text()


def test_the_recorder_adds_counts_and_keeps_the_worst_outcome_of_a_test():
    recorder = Recorder()
    recorder.record("t.py::a", "f", {"cases": 1, "errors": 0}).add(cases=1)
    recorder.record("t.py::a", "f", {"cases": 1})
    for when, outcome in (("setup", "passed"), ("call", "passed"), ("teardown", "failed")):
        recorder.outcome(pytest.TestReport("t.py::a", ("t.py", 1, "a"), {}, outcome, None, when))

    [figure] = recorder.document(0, [])["figures"]

    assert (figure["numbers"], figure["outcome"]) == ({"cases": 3, "errors": 0}, "failed")
    with pytest.raises(TypeError):
        recorder.record("t.py::a", "f", {"cases": True})
