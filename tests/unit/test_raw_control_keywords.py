"""Raw requests, ECU control, response times and the bus errors: the parts that need no bus.

The keywords run against a stand-in connection that replays prepared exchanges, so the implicit
assertions, patterns, masking and timing messages are checked without the simulator.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import can
import pytest

from UdsLibrary.description.model import Addressing
from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords import raw
from UdsLibrary.keywords.base import Target, to_seconds
from UdsLibrary.keywords.control import (
    CommunicationType,
    ControlKeywords,
    ControlType,
    DTCSetting,
    ResetType,
    _back_to_default,
    parse_choice,
)
from UdsLibrary.keywords.raw import RawKeywords
from UdsLibrary.transport import bus
from UdsLibrary.transport.connection import Exchange, Response


# ---------------------------------------------------------------------------- a stand-in link
@dataclass
class ReplayConnection:
    """Answers each request with the next prepared list of (delay in s, response hex)."""

    answers: list[list[tuple[float, str]]]
    addressing: Addressing = field(default_factory=Addressing)
    p2_timeout: float = 0.15
    p2_star_timeout: float = 1.1
    sent: list[tuple[bytes, bool]] = field(default_factory=list)

    def request(self, payload: bytes, *, functional: bool = False, expect_response: bool = True,
                timeout: float | None = None, collect_all: bool = False) -> Exchange:
        self.sent.append((payload, functional))
        start = time.perf_counter()
        exchange = Exchange(payload, functional, start, timeout_used=self.p2_timeout if timeout is None else timeout)
        for delay, data in self.answers.pop(0) if self.answers else []:
            source = self.addressing.response_id
            if ":" in data:
                source_text, data = data.split(":")
                source = int(source_text, 16)
            exchange.responses.append(Response(bytes.fromhex(data), start + delay, source))
        exchange.timed_out = expect_response and exchange.final is None
        return exchange


def make_library(*answers: list[tuple[float, str]]) -> SimpleNamespace:
    connection = ReplayConnection(list(answers))
    bench = SimpleNamespace(p2_timeout=0.15, p2_star_timeout=1.1)
    target = Target(name="bench", bench=bench, connection=connection, description=None)  # type: ignore[arg-type]
    library = SimpleNamespace(log_detail="info", active_target=lambda: target, target=target, connection=connection)
    library.raw = RawKeywords(library)  # type: ignore[arg-type]
    library.control = ControlKeywords(library)  # type: ignore[arg-type]
    return library


# ---------------------------------------------------------------------------- Send UDS Request
def test_send_uds_request_returns_the_final_response_as_hex() -> None:
    lib = make_library([(0.002, "7F 22 78"), (0.010, "62 F1 90 41 42")])
    assert lib.raw.send_uds_request("22F190", expected="62 F1 90 ?? *") == "62 F1 90 41 42"
    assert lib.connection.sent == [(b"\x22\xf1\x90", False)]


def test_send_uds_request_pattern_mismatch_names_request_and_response() -> None:
    lib = make_library([(0.001, "62 F1 90 41 42")])
    with pytest.raises(UdsLibraryError, match=r"^ECU 'bench' \(7E0/7E8\) answered 22 F1 90 with 62 F1 90 41 42, "
                                              r"expected 62 F1 90 58 \*$"):
        lib.raw.send_uds_request("22 F1 90", expected="62 F1 90 58 *")


def test_negative_response_fails_unless_expected() -> None:
    lib = make_library([(0.001, "7F 10 22")], [(0.001, "7F 10 22")], [(0.001, "7F 10 22")], [(0.001, "7F 10 22")])
    with pytest.raises(UdsLibraryError, match=r"NRC 0x22 conditionsNotCorrect.*supply voltage"):
        lib.raw.send_uds_request("10 03")
    assert lib.raw.send_uds_request("10 03", expected_nrc="conditionsNotCorrect") == "7F 10 22"
    assert lib.raw.send_uds_request("10 03", expected="7F 10 ??") == "7F 10 22"
    with pytest.raises(UdsLibraryError, match=r"NRC 0x22 conditionsNotCorrect"):
        lib.raw.send_uds_request("10 03", expected="50 03 *")  # a positive pattern does not accept an NRC


@pytest.mark.parametrize("request_hex, message", [
    ("22 F1 9G", r"request '22 F1 9G' is not hex"),
    ("22 F1 9", r"odd number of hex digits"),
    ("", r"request is empty"),
])
def test_bad_request_is_rejected_before_sending(request_hex: str, message: str) -> None:
    lib = make_library()
    with pytest.raises(UdsLibraryError, match=message):
        lib.raw.send_uds_request(request_hex)
    assert lib.connection.sent == []


def test_bad_pattern_nrc_and_timeout_are_rejected_before_sending() -> None:
    lib = make_library()
    with pytest.raises(UdsLibraryError, match=r"expected pattern '62 ZZ' is not hex"):
        lib.raw.send_uds_request("22 F1 90", expected="62 ZZ")
    with pytest.raises(UdsLibraryError, match=r"is not an NRC number or name"):
        lib.raw.send_uds_request("22 F1 90", expected_nrc="nope")
    with pytest.raises(UdsLibraryError, match=r"timeout 'soon' is not a time"):
        lib.raw.send_uds_request("22 F1 90", timeout="soon")
    assert lib.connection.sent == []


def test_security_key_is_hidden_in_messages() -> None:
    lib = make_library([(0.001, "7F 27 35")])
    with pytest.raises(UdsLibraryError) as failure:
        lib.raw.send_uds_request("27 02 11 22 33 44")
    assert "11 22 33 44" not in str(failure.value)
    assert lib.target.last_shown == b"\x27\x02"
    with pytest.raises(UdsLibraryError) as failure:
        lib.raw.last_response_should_be("67 02")
    assert str(failure.value) == "The last response to 27 02 ** was 7F 27 35, expected 67 02"


# ---------------------------------------------------------------------------- last response
def test_response_should_be_negative() -> None:
    lib = make_library([(0.001, "7F 31 31")], [(0.001, "7E 00")], [])
    with pytest.raises(UdsLibraryError, match="No request has been sent on connection 'bench' yet"):
        lib.raw.response_should_be_negative()
    lib.raw.send_uds_request("31 01 12 34", expected_nrc="31")
    assert lib.raw.response_should_be_negative() == 0x31
    assert lib.raw.response_should_be_negative("requestOutOfRange") == 0x31
    with pytest.raises(UdsLibraryError, match=r"was NRC 0x31 requestOutOfRange, but NRC 0x22 conditionsNotCorrect"):
        lib.raw.response_should_be_negative("22")
    lib.raw.send_uds_request("3E 00")
    with pytest.raises(UdsLibraryError, match=r"The last response to 3E 00 was positive \(7E 00\)"):
        lib.raw.response_should_be_negative()


def test_long_responses_are_abbreviated_in_messages() -> None:
    lib = make_library([(0.001, "62 D1 00 " + "AA " * 100)])
    lib.raw.send_uds_request("22 D1 00")
    with pytest.raises(UdsLibraryError, match=r"was 62 D1 00 AA .* \.\.\. \(103 bytes\), expected 62 D1 01 \*"):
        lib.raw.last_response_should_be("62 D1 01 *")


# ---------------------------------------------------------------------------- silence and functional
def test_expect_no_response() -> None:
    lib = make_library([], [(0.003, "7F 10 12")])
    lib.raw.send_uds_request_and_expect_no_response("3E 80", window="20 ms")
    with pytest.raises(UdsLibraryError, match=r"^ECU 'bench' \(7E0/7E8\) answered 10 85 with 7F 10 12 \(NRC 0x12 "
                                              r"subFunctionNotSupported\) within 150 ms, but silence was expected$"):
        lib.raw.send_uds_request_and_expect_no_response("10 85")


def test_functional_request_collects_answers_by_response_id() -> None:
    lib = make_library([(0.001, "7E8:7E 00"), (0.002, "7E9:7F 3E 78"), (0.003, "7E9:7E 00")])
    assert lib.raw.send_functional_uds_request("3E 00") == {"7E8": "7E 00", "7E9": "7E 00"}
    assert lib.connection.sent == [(b"\x3e\x00", True)]


def test_functional_request_fails_on_unexpected_nrc_or_silence() -> None:
    lib = make_library([(0.001, "7E8:50 03"), (0.002, "7E9:7F 10 22")], [(0.001, "7E9:7F 10 22")], [])
    with pytest.raises(UdsLibraryError, match=r"^ECU 7E9 rejected 10 03 .*functional\) with NRC 0x22"):
        lib.raw.send_functional_uds_request("10 03")
    assert lib.raw.send_functional_uds_request("10 03", expected_nrc="22") == {"7E9": "7F 10 22"}
    with pytest.raises(UdsLibraryError, match=r"^No ECU answered 3E 00 \(0x3E TesterPresent, functional id 7DF\)"):
        lib.raw.send_functional_uds_request("3E 00", window="10 ms")


@pytest.mark.parametrize("value, pairs", [
    ("7E9", [(0x7E1, 0x7E9)]),
    ("7E9, 7EA", [(0x7E1, 0x7E9), (0x7E2, 0x7EA)]),
    ("726/72E 0x7E9", [(0x726, 0x72E), (0x7E1, 0x7E9)]),
    (["18DAF110/18DA10F1", 0x7E9], [(0x18DAF110, 0x18DA10F1), (0x7E1, 0x7E9)]),
])
def test_response_id_pairs(value: str | list, pairs: list[tuple[int, int]]) -> None:
    assert raw._response_id_pairs(value) == pairs


@pytest.mark.parametrize("value, message", [
    ("xyz", r"response_ids entry 'xyz' is not a hex number"),
    ("5", r"has no request id 8 below it"),
    ("", r"response_ids is empty"),
])
def test_bad_response_ids(value: str, message: str) -> None:
    with pytest.raises(UdsLibraryError, match=message):
        raw._response_id_pairs(value)


# ---------------------------------------------------------------------------- timing
def test_last_response_time() -> None:
    lib = make_library([(0.001, "7F 14 78"), (0.0632, "54")], [])
    lib.raw.send_uds_request("14 FF FF FF")
    assert lib.raw.last_response_time_should_be_below("100 ms") == pytest.approx(63.2, abs=0.01)
    assert lib.raw.last_response_time_should_be_below(0.005, which="first") == pytest.approx(1.0, abs=0.01)
    with pytest.raises(UdsLibraryError, match=r"^The last response \(14 FF FF FF\) took 63.2 ms, limit 50 ms "
                                              r"\(first response after 1.0 ms, 1 x 0x78\)$"):
        lib.raw.last_response_time_should_be_below("50 ms")
    with pytest.raises(UdsLibraryError, match=r"^The first response to the last request \(14 FF FF FF\) took 1.0 ms"):
        lib.raw.last_response_time_should_be_below(timedelta(microseconds=500), which="first")
    lib.raw.send_uds_request_and_expect_no_response("3E 80", window="1 ms")
    with pytest.raises(UdsLibraryError, match=r"The last request \(3E 80\) got no response"):
        lib.raw.last_response_time_should_be_below("50 ms")


def test_response_times_over_the_connection() -> None:
    lib = make_library([(0.010, "62 F1 90 41")], [(0.030, "7E 00")])
    with pytest.raises(UdsLibraryError, match="has no answered requests"):
        lib.raw.response_times_should_be_below("50 ms")
    lib.raw.send_uds_request("22 F1 90")
    lib.raw.send_uds_request("3E 00")
    assert lib.raw.response_times_should_be_below("50 ms") == pytest.approx(30.0, abs=0.01)
    assert lib.raw.response_times_should_be_below("20 ms", service="22") == pytest.approx(10.0, abs=0.01)
    with pytest.raises(UdsLibraryError, match=r"^1 of 2 final responses on connection 'bench' took longer than 20 ms; "
                                              r"slowest: 0x3E TesterPresent after 30.0 ms$"):
        lib.raw.response_times_should_be_below("20 ms")
    with pytest.raises(UdsLibraryError, match="which must be 'final' or 'first'"):
        lib.raw.response_times_should_be_below("20 ms", which="median")


@pytest.mark.parametrize("value, seconds", [
    ("150 ms", 0.15), ("1.5 s", 1.5), ("0.2", 0.2), (0.05, 0.05), (2, 2.0), (timedelta(milliseconds=20), 0.02),
])
def test_to_seconds(value: str | float | timedelta, seconds: float) -> None:
    assert to_seconds(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["soon", "-1 s", True])
def test_to_seconds_rejects(value: object) -> None:
    with pytest.raises(UdsLibraryError, match="limit"):
        to_seconds(value, "limit")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- control
@pytest.mark.parametrize("value, names, number", [
    ("hard", ResetType, 0x01), ("hardReset", ResetType, 0x01), ("HARD", ResetType, 0x01), ("keyOffOn", ResetType, 2),
    ("soft", ResetType, 0x03), ("enableRapidPowerShutDown", ResetType, 4), ("0x05", ResetType, 5),
    ("01", ResetType, 1), (3, ResetType, 3), (ResetType.softReset, ResetType, 3), ("60", ResetType, 0x60),
    ("disableRxAndTx", ControlType, 3), ("enable_rx_and_tx", ControlType, 0), ("1", ControlType, 1),
    ("normal", CommunicationType, 1), ("nm", CommunicationType, 2), ("both", CommunicationType, 3),
    ("normalAndNm", CommunicationType, 3), ("0x13", CommunicationType, 0x13),
    ("on", DTCSetting, 1), ("OFF", DTCSetting, 2), ("02", DTCSetting, 2),
])
def test_parse_choice(value: str | int, names: type, number: int) -> None:
    aliases = {"hard": 1, "keyoffon": 2, "soft": 3, "normalandnm": 3}
    assert parse_choice(value, names, "x", aliases=aliases, maximum=0xFF) == number


@pytest.mark.parametrize("value, message", [
    ("hrad", r"reset_type 'hrad' is not a name or hex number; did you mean hard\? names: hardReset, keyOffOnReset"),
    ("0x80", r"reset_type 0x80 is out of range \(0x00-0x7F\)"),
    (True, r"reset_type must be a name or a number"),
    ("", r"reset_type '' is not a name or hex number"),
])
def test_parse_choice_rejects(value: object, message: str) -> None:
    with pytest.raises(UdsLibraryError, match=message):
        parse_choice(value, ResetType, "reset_type", aliases={"hard": 1})  # type: ignore[arg-type]


def test_control_requests_on_the_wire() -> None:
    lib = make_library([(0.001, "68 03")], [], [(0.001, "C5 02")], [(0.001, "7F 28 7F")])
    lib.control.control_communication("disableRxAndTx", "both")
    lib.control.control_communication("enableRxAndTx", "nm", suppress_response=True)
    lib.control.control_dtc_setting("off", group="FFFFFF")
    lib.control.control_communication("enableRxAndTxWithEnhancedAddressInformation", node_id="0A0B",
                                      expected_nrc="serviceNotSupportedInActiveSession")
    assert [payload.hex(" ").upper() for payload, _ in lib.connection.sent] == [
        "28 03 03", "28 80 02", "85 02 FF FF FF", "28 05 01 0A 0B"]


def test_control_input_errors() -> None:
    lib = make_library()
    with pytest.raises(UdsLibraryError, match=r"needs node_id"):
        lib.control.control_communication("enableRxAndDisableTxWithEnhancedAddressInformation")
    with pytest.raises(UdsLibraryError, match=r"node_id is only used with"):
        lib.control.control_communication("disableRxAndTx", node_id="01")
    with pytest.raises(UdsLibraryError, match=r"group 0x1000000 is out of range"):
        lib.control.control_dtc_setting("off", group="1000000")
    assert lib.connection.sent == []


def test_suppressed_control_request_fails_on_any_answer() -> None:
    lib = make_library([(0.001, "C5 01")], [(0.001, "7F 85 22")])
    with pytest.raises(UdsLibraryError, match=r"answered 85 81 .* with C5 01 although the suppressPosRspMsg"):
        lib.control.control_dtc_setting("on", suppress_response=True)
    with pytest.raises(UdsLibraryError, match=r"rejected 85 81 .* with NRC 0x22 conditionsNotCorrect"):
        lib.control.control_dtc_setting("on", suppress_response=True)


def test_reset_waits_and_restores_the_default_session() -> None:
    # reset answer; first poll unanswered; second poll answered
    lib = make_library([(0.001, "51 01")], [], [(0.002, "7E 00")])
    target = lib.target
    target.session, target.p2_server, target.p2_star_server = 0x03, 0.05, 5.0
    lib.connection.p2_timeout, lib.connection.p2_star_timeout = 0.3, 5.5
    silent = lib.control.reset_ecu("hard", limit="1 s")
    assert silent is not None and silent >= 0
    assert [payload for payload, _ in lib.connection.sent] == [b"\x11\x01", b"\x3e\x00", b"\x3e\x00"]
    assert (target.session, target.p2_server, target.p2_star_server) == (0x01, None, None)
    assert (lib.connection.p2_timeout, lib.connection.p2_star_timeout) == (0.15, 1.1)
    assert len(target.timings) == 1  # the polls are not response time records


def test_reset_gives_up_after_the_limit() -> None:
    lib = make_library([(0.001, "51 01")])
    lib.connection.p2_timeout = 0.01
    with pytest.raises(UdsLibraryError, match=r"did not come back within 50 ms after reset \(\d+ Tester Present"):
        lib.control.reset_ecu(limit="50 ms")


def test_reset_without_wait_and_rapid_power_shutdown_do_not_poll() -> None:
    lib = make_library([(0.001, "51 03")], [(0.001, "51 04 0A")], [(0.001, "7F 11 22")])
    assert lib.control.reset_ecu("soft", wait=False) is None
    assert lib.control.reset_ecu("enableRapidPowerShutDown") is None
    assert lib.control.reset_ecu(expected_nrc="conditionsNotCorrect") is None
    assert [payload for payload, _ in lib.connection.sent] == [b"\x11\x03", b"\x11\x04", b"\x11\x01"]


def test_back_to_default() -> None:
    connection = SimpleNamespace(p2_timeout=1.0, p2_star_timeout=9.0)
    target = SimpleNamespace(session=3, p2_server=0.1, p2_star_server=5.0, connection=connection,
                             bench=SimpleNamespace(p2_timeout=0.15, p2_star_timeout=1.1))
    _back_to_default(target)  # type: ignore[arg-type]
    assert (target.session, connection.p2_timeout, connection.p2_star_timeout) == (1, 0.15, 1.1)


# ---------------------------------------------------------------------------- bus errors
@pytest.mark.parametrize("error, interface, channel, message", [
    (OSError("pcanbasic library not found."), "pcan", "PCAN_USBBUS1",
     "python-can interface 'pcan' is not available on this machine (pcanbasic library not found): install the PEAK "
     "PCAN-Basic driver (PCANBasic library) from PEAK-System"),
    (can.CanInterfaceNotImplementedError('The Vector interface is only supported on Windows, but you are running '
                                         '"posix"'), "vector", "0",
     "python-can interface 'vector' is not available on this machine (The Vector interface is only supported on "
     "Windows, but you are running \"posix\"): install the Vector XL Driver Library (vxlapi) and a Vector "
     "application configuration"),
    (NameError("name 'canGetNumberOfChannels' is not defined"), "kvaser", "0",
     "python-can interface 'kvaser' is not available on this machine (its driver library could not be loaded): "
     "install the Kvaser CANlib SDK/driver"),
    (can.CanInterfaceNotImplementedError("Cannot import module can.interfaces.ixxat for CAN interface 'ixxat': "
                                         "no HRESULT"), "ixxat", "0",
     "python-can interface 'ixxat' is not available on this machine (no HRESULT; python-can supports it on Windows "
     "only): install the IXXAT VCI driver"),
    (TypeError("__init__() missing 1 required positional argument: 'channel'"), "kvaser", None,
     "python-can interface 'kvaser' needs a channel (for example channel=0 or channel=PCAN_USBBUS1)"),
    (OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol"), "socketcan", "vcan9",
     "cannot open CAN channel 'vcan9' on python-can interface 'socketcan': this kernel has no SocketCAN (address "
     "family not supported); it needs a Linux kernel with SocketCAN (modprobe can_raw vcan; ip link add dev vcan9 "
     "type vcan)"),
    (OSError(errno.ENODEV, "No such device"), "socketcan", "can3",
     "cannot open CAN channel 'can3' on python-can interface 'socketcan': there is no network interface 'can3'; "
     "create it (sudo ip link add dev can3 type vcan; sudo ip link set up can3) or use the name `ip link` shows for "
     "your adapter"),
    (can.CanInitializationError("adapter not connected"), "pcan", "PCAN_USBBUS2",
     "cannot open CAN channel 'PCAN_USBBUS2' on python-can interface 'pcan': adapter not connected"),
])
def test_bus_errors_read_as_one_sentence(monkeypatch: pytest.MonkeyPatch, error: Exception, interface: str,
                                         channel: str | None, message: str) -> None:
    def fail(**kwargs: object) -> None:
        raise error

    monkeypatch.setattr(bus.can, "Bus", fail)
    with pytest.raises(bus.BusError) as failure:
        bus.open_bus(interface, channel)
    assert str(failure.value) == message


def test_driver_warnings_are_held_back_only_when_opening_fails(monkeypatch: pytest.MonkeyPatch,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    import logging

    def noisy(**kwargs: object) -> object:
        logging.getLogger("can.pcan").warning("uptime library not available")
        if kwargs.get("channel") == "bad":
            raise OSError("pcanbasic library not found.")
        return "bus"

    monkeypatch.setattr(bus.can, "Bus", noisy)
    with caplog.at_level(logging.WARNING), pytest.raises(bus.BusError):
        bus.open_bus("pcan", "bad")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    with caplog.at_level(logging.WARNING):
        assert bus.open_bus("pcan", "good") == "bus"
    assert [r.getMessage() for r in caplog.records] == ["uptime library not available"]
    assert logging.getLogger("can").propagate
