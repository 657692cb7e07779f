"""CAN bus, ISO-TP and wire-time plumbing shared by the keyword library and the simulated ECU."""

from UdsLibrary.transport.addressing import ecu_addresses, isotp_params, tester_addresses
from UdsLibrary.transport.wire import WireTimedBus, frame_bits

__all__ = ["WireTimedBus", "ecu_addresses", "frame_bits", "isotp_params", "tester_addresses"]
