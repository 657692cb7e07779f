"""Connections: open from a bench file or explicit arguments, switch between ECUs, close."""

from __future__ import annotations

import can
from robot.api.deco import keyword

from UdsLibrary.bench import Bench, bench_from_arguments, load_bench
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords.base import LibraryComponent, Target
from UdsLibrary.log import logger
from UdsLibrary.simulator import EcuSimulator
from UdsLibrary.transport.bus import open_bus
from UdsLibrary.transport.connection import UdsConnection
from UdsLibrary.transport.wire import WireTimedBus


class ConnectionKeywords(LibraryComponent):
    @keyword("Open UDS Connection", tags=["connection"])
    def open_uds_connection(
        self,
        bench: str | None = None,
        alias: str | None = None,
        *,
        interface: str | None = None,
        channel: str | None = None,
        bitrate: int | None = None,
        fd: bool = False,
        data_bitrate: int | None = None,
        request_id: str | int | None = None,
        response_id: str | int | None = None,
        functional_id: str | int | None = None,
        addressing_mode: str | None = None,
        padding: str | int | None = None,
        blocksize: int | None = None,
        stmin: int | None = None,
        p2_timeout: float | None = None,
        p2_star_timeout: float | None = None,
        ecu_description: str | None = None,
    ) -> str:
        """Opens a diagnostic connection and makes it the active one; returns its name.

        Give either a bench file (``bench=``, or the library's ``bench`` import argument) or the
        bus and ids as arguments. A bench with ``simulator:`` starts its simulated ECU(s) in this
        process first. ``alias`` names the connection for `Switch UDS Connection` (default: the
        bench name). Channels are strings (``vcan0``, ``PCAN_USBBUS1``, ``0``); ids are hex.
        Timeouts are in seconds; ``p2_timeout`` is how long to wait for a first answer and
        ``p2_star_timeout`` how long after each 0x78 responsePending.

        Examples:
        | Open UDS Connection | ${CURDIR}/benches/sim-1.yaml |
        | Open UDS Connection | interface=pcan | channel=PCAN_USBBUS1 | bitrate=500000 |
        | ... | request_id=7E0 | response_id=7E8 |
        | Open UDS Connection | bench=benches/vehicle.yaml | alias=ECM |
        """
        arguments = {
            "interface": interface, "channel": channel, "bitrate": bitrate, "fd": fd or None,
            "data_bitrate": data_bitrate, "request_id": request_id, "response_id": response_id,
            "functional_id": functional_id, "addressing_mode": addressing_mode, "padding": padding,
            "blocksize": blocksize, "stmin": stmin, "p2_timeout": p2_timeout, "p2_star_timeout": p2_star_timeout,
            "ecu_description": ecu_description,
        }
        given = {key: value for key, value in arguments.items() if value is not None}
        path = bench or (self.lib.default_bench if not given else None)
        if path is not None and given:
            raise UdsLibraryError(
                f"give either a bench file or connection arguments, not both (got bench '{path}' and "
                f"{', '.join(sorted(given))})")
        config = load_bench(path) if path is not None else bench_from_arguments(**given)
        if self.lib.p2_timeout is not None and "p2_timeout" not in given:
            config = _with_p2(config, self.lib.p2_timeout)
        name = alias or config.name
        target = self._open(config, name)
        self.lib.targets.register(target, alias=name)
        addressing = target.connection.addressing
        functional = f", functional {addressing.functional_id:X}" if addressing.functional_id is not None else ""
        simulated = f"; simulated ECU(s): {', '.join(target.simulator.ecus)}" if target.simulator else ""
        logger.info(f"Opened UDS connection '{name}' on {config.interface or 'configured interface'} "
                    f"{config.channel} (request {addressing.request_id:X}, response {addressing.response_id:X}"
                    f"{functional}; P2 {config.p2_timeout * 1000:.0f} ms, P2* {config.p2_star_timeout * 1000:.0f} ms)"
                    f"{simulated}")
        return name

    def _open(self, config: Bench, name: str) -> Target:
        simulator = None
        if config.simulator is not None:
            sim_bus = _open_bench_bus(config)
            simulator = EcuSimulator.from_file(
                config.simulator.file, bus=sim_bus, profile=config.simulator.profile,
                wire_bitrate=config.simulator.wire_bitrate, wire_data_bitrate=config.simulator.wire_data_bitrate,
                deviations=config.simulator.deviations)
            for ecu in simulator.ecus.values():
                ecu.faults.apply(config.simulator.faults)
            simulator._owns_bus = True
            simulator.start()
        try:
            bus = _open_bench_bus(config)
            if config.simulator is not None and config.simulator.wire_bitrate:
                bus = WireTimedBus(bus, config.simulator.wire_bitrate, config.simulator.wire_data_bitrate)
            extra = {}
            if simulator is not None:
                for ecu in simulator.ecus.values():
                    extra[ecu.description.addressing.response_id] = ecu.description.addressing
            connection = UdsConnection(bus, config.addressing, p2_timeout=config.p2_timeout,
                                       p2_star_timeout=config.p2_star_timeout, extra_response_ids=extra)
        except BaseException:
            if simulator is not None:
                simulator.stop()
            raise
        return Target(name=name, bench=config, connection=connection, description=config.ecu, simulator=simulator)

    @keyword("Switch UDS Connection", tags=["connection"])
    def switch_uds_connection(self, alias: str) -> str:
        """Makes the connection named ``alias`` (or its 1-based index) the active one; returns the
        name of the previously active connection, so a test can switch back.

        Example:
        | ${previous} = | Switch UDS Connection | TCM |
        | Read DID | F187 |
        | Switch UDS Connection | ${previous} |
        """
        previous = self.target.name if self.lib.targets else ""
        try:
            self.lib.targets.switch(alias)
        except (RuntimeError, ValueError, KeyError):
            open_names = ", ".join(t.name for t in self.lib.targets) or "none"
            raise UdsLibraryError(f"no UDS connection named '{alias}' (open: {open_names})") from None
        return previous

    @keyword("Close UDS Connection", tags=["connection"])
    def close_uds_connection(self, alias: str | None = None) -> None:
        """Closes the active connection (or the one named ``alias``), stopping its Tester Present
        and its simulated ECU, and logs its response time statistics. Safe to call when nothing
        is open.

        Examples:
        | Close UDS Connection |
        | Close UDS Connection | TCM |
        """
        if not self.lib.targets:
            return
        if alias is not None:
            self.switch_uds_connection(alias)
        self.lib.close_target(self.target)

    @keyword("Close All UDS Connections", tags=["connection"])
    def close_all_uds_connections(self) -> None:
        """Closes every connection; meant for suite or test teardown and safe when none is open.

        Example:
        | Suite Teardown | Close All UDS Connections |
        """
        self.lib.close_all_targets()

    @keyword("Get UDS Simulator", tags=["connection", "simulator"])
    def get_uds_simulator(self, ecu: str | None = None):
        """Returns the simulated ECU of the active connection (its ``faults`` can be changed in a
        test, e.g. with ``Evaluate``), or fails when the connection is to a real ECU.

        Example:
        | ${ecu} = | Get UDS Simulator |
        | Evaluate | setattr($ecu.faults, 'low_voltage', True) |
        """
        simulator = self.target.simulator
        if simulator is None:
            raise UdsLibraryError(f"connection '{self.target.name}' is not to a simulated ECU")
        if ecu is None:
            return simulator.ecu
        if ecu not in simulator.ecus:
            raise UdsLibraryError(f"no simulated ECU '{ecu}' (available: {', '.join(simulator.ecus)})")
        return simulator.ecus[ecu]


def _open_bench_bus(config: Bench) -> can.BusABC:
    kwargs = config.bus_kwargs()
    return open_bus(kwargs.pop("interface", None), kwargs.pop("channel", None), **kwargs)


def _with_p2(config: Bench, p2: float) -> Bench:
    from dataclasses import replace

    return replace(config, p2_timeout=p2)

