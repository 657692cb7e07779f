"""`EcuSimulator`: one ECU description or a whole vehicle, served on a python-can bus."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import can

from UdsLibrary.description.loader import load_any
from UdsLibrary.description.model import EcuDescription, Vehicle
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.simulator.deviations import check_deviations
from UdsLibrary.simulator.runtime import SimulatorRuntime
from UdsLibrary.simulator.server import EcuServer
from UdsLibrary.transport.bus import open_bus
from UdsLibrary.transport.wire import WireTimedBus


class SimulatorError(UdsLibraryError):
    """The simulator could not start or stopped unexpectedly."""


class EcuSimulator:
    """Simulated ECUs on one bus. Use `from_file`, then `start()`/`stop()` or a `with` block."""

    def __init__(self, descriptions: list[EcuDescription], bus: can.BusABC, *, owns_bus: bool = False,
                 name: str = "", deviations: Iterable[str] = ()) -> None:
        if not descriptions:
            raise SimulatorError("a simulator needs at least one ECU description")
        self.name = name or descriptions[0].name
        self.bus = bus
        self._owns_bus = owns_bus
        self.ecus: dict[str, EcuServer] = {d.name: EcuServer(d, deviations=deviations) for d in descriptions}
        self._runtime = SimulatorRuntime(bus, list(self.ecus.values()), name=f"uds-sim {self.name}")
        self._started = False

    @classmethod
    def from_file(cls, path: str | Path, bus: can.BusABC | None = None, *, interface: str | None = None,
                  channel: str | int | None = None, profile: str | None = None,
                  wire_bitrate: int | None = None, wire_data_bitrate: int | None = None,
                  deviations: Iterable[str] = (), **bus_kwargs: Any) -> EcuSimulator:
        """Load an ECU description or a vehicle file and put its ECUs on `bus`.

        Without `bus`, a python-can bus is opened from `interface`, `channel` and `bus_kwargs` (and
        python-can's configuration file) and closed again by `stop()`. With `wire_bitrate`, frames
        the simulator sends take as long as on a real wire of that bitrate. `deviations` (names from
        `UdsLibrary.simulator.deviations`) make every ECU non-conforming on purpose.
        """
        deviations = check_deviations(deviations)  # before a bus is opened
        loaded = load_any(path, profile=profile)
        descriptions = list(loaded.ecus) if isinstance(loaded, Vehicle) else [loaded]
        owns_bus = bus is None
        if bus is None:
            bus = open_bus(interface, channel, **bus_kwargs)
        if wire_bitrate:
            bus = WireTimedBus(bus, wire_bitrate, wire_data_bitrate)
        return cls(descriptions, bus, owns_bus=owns_bus, name=loaded.name, deviations=deviations)

    @property
    def ecu(self) -> EcuServer:
        """The first (or only) simulated ECU."""
        return next(iter(self.ecus.values()))

    def start(self) -> EcuSimulator:
        if not self._started:
            self._runtime.start()
            self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._runtime.stop()
            self._started = False
        if self._owns_bus:
            self.bus.shutdown()
            self._owns_bus = False

    @property
    def running(self) -> bool:
        return self._runtime.running

    def __enter__(self) -> EcuSimulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
