"""A clock the test moves by hand, for an `EcuServer(clock=...)` whose timers must not run on their own."""

from __future__ import annotations


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
