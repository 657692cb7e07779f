"""What every keyword component shares: the active target and the one request path.

`LibraryComponent.request` sends a UDS request on the active connection and applies the
library's implicit assertion - a negative response fails the keyword unless `expected_nrc` says
otherwise - with failure messages a line engineer can act on, timing records and the HTML log.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from robot.utils import timestr_to_secs

from UdsLibrary import nrc as nrcs
from UdsLibrary.converters import SERVICE_NAMES, format_hex
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.log import enabled as log_enabled
from UdsLibrary.log import logger

if TYPE_CHECKING:
    from UdsLibrary.bench import Bench
    from UdsLibrary.description.model import EcuDescription
    from UdsLibrary.library import UdsLibrary
    from UdsLibrary.simulator import EcuSimulator
    from UdsLibrary.transport.connection import Exchange, UdsConnection


class NegativeResponseError(UdsLibraryError):
    """The ECU answered with a negative response the test did not expect."""


class NoResponseError(UdsLibraryError):
    """The ECU did not answer in time."""


class UnexpectedResponseError(UdsLibraryError):
    """The ECU answered, but not what the test expected."""


@dataclass
class TimingRecord:
    service: int
    first: float | None
    final: float | None
    pending: int


@dataclass
class Target:
    """One open diagnostic connection: the bench, its link, and what the ECU announced."""

    name: str
    bench: Bench
    connection: UdsConnection
    description: EcuDescription | None
    simulator: EcuSimulator | None = None
    last: Exchange | None = None
    last_shown: bytes | None = None  # the last request as the log shows it (security keys hidden)
    session: int | None = None
    p2_server: float | None = None
    p2_star_server: float | None = None
    timings: list[TimingRecord] = field(default_factory=list)
    tester_present: Any = None

    def record(self, exchange: Exchange) -> None:
        self.last = exchange
        self.timings.append(TimingRecord(exchange.request[0], exchange.first_response_time,
                                         exchange.final_response_time, exchange.pending_count))

    def timing_summary(self) -> dict[str, float | int]:
        finals = [t.final for t in self.timings if t.final is not None]
        firsts = [t.first for t in self.timings if t.first is not None]
        if not finals:
            return {"requests": len(self.timings)}
        ordered = sorted(finals)
        return {
            "requests": len(self.timings),
            "answered": len(finals),
            "median_ms": statistics.median(finals) * 1000,
            "p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000,
            "max_ms": ordered[-1] * 1000,
            "max_first_ms": max(firsts) * 1000 if firsts else 0.0,
            "pending": sum(t.pending for t in self.timings),
        }


def service_label(sid: int) -> str:
    name = SERVICE_NAMES.get(sid)
    return f"0x{sid:02X} {name}" if name else f"0x{sid:02X}"


def to_seconds(value: str | float | timedelta, what: str = "time") -> float:
    """A Robot Framework time (`150 ms`, `1.5 s`, `0.15`) or a number of seconds, checked at the edge."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, bool):
        raise UdsLibraryError(f"{what} must be a time like 150 ms, got {value!r}")
    else:
        try:
            seconds = float(timestr_to_secs(value))
        except (ValueError, TypeError):
            raise UdsLibraryError(f"{what} '{value}' is not a time (examples: 150 ms, 1.5 s, 0.15)") from None
    if seconds < 0:
        raise UdsLibraryError(f"{what} '{value}' is negative")
    return seconds


class LibraryComponent:
    """Base of the keyword components; reaches the library's state through `self.lib`."""

    def __init__(self, library: UdsLibrary) -> None:
        self.lib = library

    @property
    def target(self) -> Target:
        return self.lib.active_target()

    @property
    def description(self) -> EcuDescription:
        description = self.target.description
        if description is None:
            raise UdsLibraryError(
                f"connection '{self.target.name}' has no ECU description: give the bench an `ecu.description` "
                "or `Open UDS Connection` an `ecu_description=` to use DID, routine and DTC names")
        return description

    # ------------------------------------------------------------------ the request path
    def request(self, payload: bytes, *, expected_nrc: int | None = None, functional: bool = False,
                expect_response: bool = True, timeout: float | None = None, masked: bytes | None = None,
                decoded: str | Callable[[Exchange], str | None] | None = None,
                collect_all: bool = False) -> Exchange:
        """Send `payload` and apply the implicit assertion; returns the exchange.

        `masked` is what the log shows instead of the request (security keys); `decoded` is a
        human reading of the answer for the log, or a function that makes it from the exchange
        (called only for a positive final response, so it can decode the response data).
        """
        target = self.target
        suppress = expect_response is False
        exchange = target.connection.request(payload, functional=functional, expect_response=not suppress,
                                             timeout=timeout, collect_all=collect_all)
        target.record(exchange)
        shown = masked if masked is not None else payload
        target.last_shown = shown
        self.log_exchange(exchange, shown, decoded)
        if suppress or collect_all:
            return exchange
        final = exchange.final
        label = f"{format_hex(shown)} ({service_label(payload[0])})"
        ecu = self._ecu_label(target)
        if final is None:
            raise NoResponseError(self._no_response_message(exchange, label, ecu))
        if final.is_negative:
            if final.payload[1] != payload[0] and len(final.payload) >= 2:
                raise UnexpectedResponseError(
                    f"{ecu} answered {label} with a negative response for another service: "
                    f"{format_hex(final.payload)}")
            if expected_nrc is None:
                raise NegativeResponseError(
                    f"{ecu} rejected {label} with {nrcs.describe(final.nrc or 0, payload[0])}")
            if final.nrc != expected_nrc:
                raise UnexpectedResponseError(
                    f"{ecu} rejected {label} with NRC 0x{final.nrc:02X} {nrcs.nrc_name(final.nrc or 0)}, "
                    f"but NRC 0x{expected_nrc:02X} {nrcs.nrc_name(expected_nrc)} was expected")
            return exchange
        if expected_nrc is not None:
            raise UnexpectedResponseError(
                f"{ecu} accepted {label} with {format_hex(final.payload)}, but NRC 0x{expected_nrc:02X} "
                f"{nrcs.nrc_name(expected_nrc)} was expected")
        if final.payload[0] != (payload[0] + 0x40) & 0xFF:
            raise UnexpectedResponseError(
                f"{ecu} answered {label} with {format_hex(final.payload)}, which is not a response to that "
                f"service (expected SID 0x{(payload[0] + 0x40) & 0xFF:02X})")
        return exchange

    @staticmethod
    def _ecu_label(target: Target) -> str:
        addressing = target.connection.addressing
        return f"ECU '{target.name}' ({addressing.request_id:X}/{addressing.response_id:X})"

    @staticmethod
    def _no_response_message(exchange: Exchange, label: str, ecu: str) -> str:
        if exchange.pending_count:
            return (f"{ecu} sent {exchange.pending_count} x 0x78 responsePending to {label} but no final response "
                    f"within P2* {exchange.timeout_used * 1000:.0f} ms of the last one; hint: the operation "
                    f"(routine, slow NvM write) takes longer than the ECU announced - extend the timeout")
        errors = exchange.isotp_errors
        detail = f" (ISO-TP: {'; '.join(errors)})" if errors else ""
        return (f"{ecu} did not answer {label} within P2 {exchange.timeout_used * 1000:.0f} ms{detail}; check "
                f"that the ECU is powered and connected and that the request/response ids are right")

    # ------------------------------------------------------------------ logging
    def log_exchange(self, exchange: Exchange, shown: bytes,
                     decoded: str | Callable[[Exchange], str | None] | None = None) -> None:
        """Request/response hex, decoded values and timing as a compact HTML table at INFO."""
        if self.lib.log_detail == "none":
            return
        def table() -> str:
            text = decoded
            if callable(text):
                final = exchange.final
                try:
                    text = text(exchange) if final is not None and not final.is_negative else None
                except Exception as error:  # the keyword reports the error itself; the log must not hide it
                    text = f"not decodable: {error}"
            rows = [("Request", _abbreviated(shown) + (" (functional)" if exchange.functional else ""))]
            for response in exchange.responses:
                at = (response.time - exchange.sent_at) * 1000
                rows.append((f"Response +{at:.1f} ms", _abbreviated(response.payload)))
            if not exchange.responses:
                rows.append(("Response", f"none within {exchange.timeout_used * 1000:.0f} ms"))
            if text:
                rows.append(("Decoded", text))
            return _html_table(rows, "uds")

        logger.info(table, html=True)
        if exchange.frames and log_enabled("DEBUG"):
            hide_tx = shown != exchange.request  # the request carries a security key: its frames stay hidden
            rows = [
                (f"{(t - exchange.sent_at) * 1000:+.2f} ms {direction} {can_id:X}",
                 "(hidden: carries the security key)" if hide_tx and direction == "Tx" else format_hex(data))
                for t, direction, can_id, data in exchange.frames
            ]
            logger.debug(_html_table(rows, "uds-frames"), html=True)


LOGGED_BYTES = 64  # longer payloads are shown abbreviated in the INFO table (the DEBUG frames have them all)


def _abbreviated(data: bytes) -> str:
    if len(data) <= LOGGED_BYTES:
        return format_hex(data)
    return f"{format_hex(data[:LOGGED_BYTES // 2])} ... {format_hex(data[-4:])} ({len(data)} bytes)"


def _html_table(rows: list[tuple[str, str]], css_class: str) -> str:
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
        f"<td><code>{html.escape(v)}</code></td></tr>" for k, v in rows)
    return f"<table class='{css_class}'>{cells}</table>"
