"""Faults a test can inject into a simulated ECU at run time (or from the description's `faults:`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Faults:
    """Switches that make the simulated ECU misbehave the way real ECUs on a line do.

    See docs/simulator.md for what each one does on the wire.
    """

    low_voltage: bool = False
    vehicle_moving: bool = False
    engine_running: bool = False
    nvm_write_error: bool = False
    slow_nvm: float = 0.0
    variant_range: tuple[int, int] | None = None
    routine_failure: dict[int, bytes] = field(default_factory=dict)
    routine_precondition_failed: set[int] = field(default_factory=set)
    not_responding: bool = False
    key_algorithm_version: int | None = None
    crc_mismatch: bool = False
    slow_verification: float = 0.0
    failing_dtcs: set[int] = field(default_factory=set)  # DTCs whose monitor fails again right after a clear
    transfer_fail_once: int | None = None  # TransferData counter answered 0x72 once (then the fault clears)
    corrupt_block: int | None = None  # TransferData counter whose block is written with its first byte inverted

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def apply(self, values: dict[str, Any]) -> None:
        """Set several faults at once; unknown names are an error, never ignored."""
        known = set(self.names())
        for name, value in values.items():
            if name not in known:
                raise ValueError(f"unknown fault '{name}'; known faults: {', '.join(sorted(known))}")
            if name == "variant_range" and value is not None:
                value = (int(value[0]), int(value[1]))
            elif name == "routine_failure":
                value = {int(k): bytes(v) if not isinstance(v, str) else bytes.fromhex(v) for k, v in value.items()}
            elif name in ("failing_dtcs", "routine_precondition_failed"):
                value = {int(v) for v in value}
            setattr(self, name, value)

    def clear(self) -> None:
        for f in fields(self):
            setattr(self, f.name, type(self)().__getattribute__(f.name))

    def preconditions_hold(self, names: tuple[str, ...]) -> bool:
        """Routine preconditions by name: engine_off, vehicle_stopped, voltage_ok."""
        checks = {
            "engine_off": not self.engine_running,
            "vehicle_stopped": not self.vehicle_moving,
            "voltage_ok": not self.low_voltage,
        }
        return all(checks.get(name, True) for name in names)
