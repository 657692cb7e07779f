"""The simulated ECU: a UDS server (ISO 14229-1) over ISO-TP on any python-can bus.

`EcuSimulator.from_file(path, bus=...)` serves an ECU description or a vehicle file; each ECU is
an `EcuServer` whose `faults` can be changed at run time. See docs/simulator.md.
"""

from UdsLibrary.simulator.faults import Faults
from UdsLibrary.simulator.server import EcuServer
from UdsLibrary.simulator.simulator import EcuSimulator, SimulatorError
from UdsLibrary.transport.bus import open_bus

__all__ = ["EcuServer", "EcuSimulator", "Faults", "SimulatorError", "open_bus"]
