"""Quality figures (QUALITY.md §5): tests record what they measured, the session writes it down.

A test asks for the `quality_figure` fixture and calls it with counts from its own loops and results:

    quality_figure("ledger_debits_transfer", rounds=len(rounds), oversells=oversold)

Calls with the same name in one test add up, and the returned figure's `add(**numbers)` does the
same, for counters kept while the test runs. At the end of the session every figure is written with
its test's outcome ("passed", "failed" or "skipped"), together with the outcome of every test that
ran, to the path in QUALITY_FIGURES (`make quality` sets it; without it nothing is written, so a run of a
few tests does not replace the whole suite's figures). `python -m agora.core.tests.quality_render`
turns that file into docs/quality.md.
"""

import datetime
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Figure:
    name: str
    test: str
    numbers: dict[str, int] = field(default_factory=dict)

    def add(self, **numbers: int) -> "Figure":
        for key, value in numbers.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"figure {self.name}: {key}={value!r} is not a count")
            self.numbers[key] = self.numbers.get(key, 0) + value
        return self


@dataclass
class Recorder:
    figures: dict[tuple[str, str], Figure] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    started: str = field(default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))

    def record(self, test: str, name: str, numbers: dict[str, int]) -> Figure:
        figure = self.figures.setdefault((test, name), Figure(name, test))
        return figure.add(**numbers)

    def outcome(self, report: pytest.TestReport) -> None:
        """A test failed if any phase failed; skipped if it was skipped before or during its call."""
        current = self.outcomes.get(report.nodeid)
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
        elif current == "failed":
            return
        elif report.skipped:
            self.outcomes[report.nodeid] = "skipped"
        elif report.when == "call":
            self.outcomes[report.nodeid] = "passed"

    def document(self, exit_status: int, args: list[str]) -> dict[str, Any]:
        return {
            "started": self.started,
            "finished": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "exit_status": exit_status,
            "args": args,
            "figures": [
                {
                    "name": figure.name,
                    "test": figure.test,
                    "outcome": self.outcomes.get(figure.test, "not run"),
                    "numbers": figure.numbers,
                }
                for figure in self.figures.values()
            ],
            "tests": dict(sorted(self.outcomes.items())),
        }


_recorder_key = pytest.StashKey[Recorder]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_recorder_key] = Recorder()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = os.environ.get("QUALITY_FIGURES", "")
    recorder = session.config.stash.get(_recorder_key, None)
    if not path or recorder is None or not recorder.outcomes:
        return
    if hasattr(session.config, "workerinput"):  # a pytest-xdist worker: the controller writes
        return
    target = Path(path)
    if not target.is_absolute():
        target = Path(session.config.rootpath) / target
    target.parent.mkdir(parents=True, exist_ok=True)
    document = recorder.document(int(exitstatus), list(session.config.invocation_params.args))
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=1) + "\n")
    temporary.replace(target)


class _OutcomeCollector:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.recorder.outcome(report)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.pluginmanager.register(_OutcomeCollector(session.config.stash[_recorder_key]), "quality-outcomes")


@pytest.fixture
def quality_figure(request: pytest.FixtureRequest) -> Callable[..., Figure]:
    """`quality_figure(name, **counts)`: record counts this test measured under `name`."""
    recorder = request.config.stash[_recorder_key]

    def record(name: str, **numbers: int) -> Figure:
        return recorder.record(request.node.nodeid, name, numbers)

    return record
