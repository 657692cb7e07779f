"""Sessions, security access and Tester Present: the parts that need no bus."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from robot.api.types import Secret

from UdsLibrary.errors import UdsLibraryError
from UdsLibrary.keywords import security
from UdsLibrary.keywords import tester_present as tp
from UdsLibrary.keywords.security import KeySource, env_secret, given_secret, parse_level, secret_bytes
from UdsLibrary.keywords.session import (
    client_timeouts,
    parse_session,
    parse_session_timing,
    session_label,
)
from UdsLibrary.transport.connection import Exchange, Response

DESCRIPTION_SESSIONS = {0x01: "default", 0x02: "programming", 0x03: "extended", 0x40: "eolSession"}


# ---------------------------------------------------------------------------- sessions
@pytest.mark.parametrize("text, number", [
    ("extended", 0x03), ("EXTENDED", 0x03), ("extendedDiagnosticSession", 0x03), ("extended_session", 0x03),
    ("default", 0x01), ("defaultSession", 0x01), ("programming", 0x02), ("safetySystem", 0x04),
    ("3", 0x03), ("03", 0x03), ("0x03", 0x03), (" 0x03 ", 0x03), ("40", 0x40), ("eolsession", 0x40), (3, 0x03),
])
def test_parse_session(text, number):
    assert parse_session(text, DESCRIPTION_SESSIONS) == number


def test_parse_session_prefers_the_description_names():
    assert parse_session("extended", {0x43: "extended"}) == 0x43


def test_unknown_session_name_suggests_close_matches():
    with pytest.raises(UdsLibraryError, match=r"unknown session 'extendd' \(known: default, .*did you mean extended"):
        parse_session("extendd", DESCRIPTION_SESSIONS)


@pytest.mark.parametrize("value, message", [
    ("0x83", r"session 0x83 has bit 7 \(suppressPosRspMsgIndicationBit\) set: give session 0x03"),
    ("00", r"session 0x00 is out of range"),
    ("7F", r"session 0x7F is out of range"),
    ("", r"got an empty value"),
    (True, r"must be a name or a number"),
])
def test_bad_sessions(value, message):
    with pytest.raises(UdsLibraryError, match=message):
        parse_session(value, DESCRIPTION_SESSIONS)


def test_session_label():
    assert session_label(0x03, DESCRIPTION_SESSIONS) == "0x03 extended"
    assert session_label(0x03) == "0x03 extended"
    assert session_label(0x04) == "0x04 safetySystem"
    assert session_label(0x60) == "0x60"


def test_parse_session_timing():
    assert parse_session_timing(bytes.fromhex("50 03 00 32 01 F4")) == pytest.approx((0.050, 5.0))
    assert parse_session_timing(bytes.fromhex("50 03")) is None


@pytest.mark.parametrize("announced, expected", [
    ((0.050, 1.0), (0.150, 1.1)),  # the bench's floors win
    ((0.200, 3.0), (0.250, 3.3)),  # longer announcements lengthen the waits
    ((0.120, 0.5), (0.170, 1.1)),
])
def test_client_timeouts(announced, expected):
    assert client_timeouts(0.150, 1.1, *announced) == pytest.approx(expected)


def test_client_p2_star_is_never_below_p2():
    assert client_timeouts(0.150, 0.150, 0.500, 0.0) == pytest.approx((0.550, 0.550))


# ---------------------------------------------------------------------------- security
@pytest.mark.parametrize("value, number", [("01", 1), ("1", 1), ("0x11", 0x11), ("11", 0x11), (0x11, 0x11)])
def test_parse_level(value, number):
    assert parse_level(value) == number


@pytest.mark.parametrize("value, message", [
    ("02", r"level 0x02 is a sendKey sub-function: give the security level, the odd requestSeed value 0x01"),
    ("0", r"level 0x00 is not a security level"),
    ("7F", r"level 0x7F is not a security level"),
    ("80", r"out of range"),
    ("zz", r"not a hex number"),
])
def test_bad_levels(value, message):
    with pytest.raises(UdsLibraryError, match=message):
        parse_level(value)


@pytest.mark.parametrize("text", ["A5A5A5A5", "a5 a5 a5 a5", "0xA5A5A5A5", "A5:A5:A5:A5", "A5-A5-A5-A5"])
def test_secret_bytes(text):
    assert secret_bytes(text, "secret") == b"\xa5" * 4


@pytest.mark.parametrize("text", ["B5B5B5B", "G5B5B5B5", ""])
def test_bad_secret_text_is_not_quoted(text):
    with pytest.raises(UdsLibraryError) as error:
        secret_bytes(text, "secret")
    assert "the value is not shown" in str(error.value)
    if text:
        assert text not in str(error.value)


def test_given_secret():
    assert given_secret(None) is None
    assert given_secret(Secret("A5 A5 A5 A5")) == b"\xa5" * 4
    assert given_secret(b"\x01\x02") == b"\x01\x02"  # bytes from the Python API
    with pytest.raises(UdsLibraryError, match=r"secret must be a Robot Framework Secret, not plain text.*"
                                              r"\$\{name: Secret\}.*%\{ENV_VARIABLE\}.*secret_env=") as error:
        given_secret("A5A5A5A5")
    assert "A5A5A5A5" not in str(error.value)


def test_env_secret(monkeypatch):
    monkeypatch.setenv("UDS_UNIT_SECRET", "a5a5 a5a5")
    assert env_secret("UDS_UNIT_SECRET") == b"\xa5" * 4
    monkeypatch.setenv("UDS_UNIT_SECRET", "not hex")
    with pytest.raises(UdsLibraryError, match="UDS_UNIT_SECRET must hold the security secret as hex") as error:
        env_secret("UDS_UNIT_SECRET")
    assert "not hex" not in str(error.value)
    monkeypatch.delenv("UDS_UNIT_SECRET")
    with pytest.raises(UdsLibraryError, match=r"environment variable UDS_UNIT_SECRET \(secret_env\) is not set"):
        env_secret("UDS_UNIT_SECRET")


def test_key_source_hides_the_secret_and_reports_algorithm_errors():
    source = KeySource("xor", security.keyalgorithms.get_algorithm("xor"), b"\xa5" * 4, "ECU description")
    assert source.key(b"\x00\x01\x02\x03", 1) == bytes.fromhex("A5 A4 A7 A6")
    assert "a5" not in repr(source).lower() and "<hidden>" in repr(source)
    empty = KeySource("xor", security.keyalgorithms.get_algorithm("xor"), b"", "none")
    with pytest.raises(UdsLibraryError, match=r"key algorithm 'xor' failed for level 0x01: ValueError: .*non-empty"):
        empty.key(b"\x01", 1)
    wrong_type = KeySource("custom", lambda seed, level, secret: "1234", b"", "none")
    with pytest.raises(UdsLibraryError, match=r"key algorithm 'custom' returned str, expected bytes"):
        wrong_type.key(b"\x01", 1)


def test_frame_loggers_are_quiet_while_the_key_is_sent_and_restored_after():
    import logging

    isotp_logger = logging.getLogger("isotp")
    isotp_logger.setLevel(logging.DEBUG)
    try:
        with security.frames_unlogged():
            assert not isotp_logger.isEnabledFor(logging.DEBUG)
            assert not logging.getLogger("can.interfaces.socketcan").isEnabledFor(logging.DEBUG)
        assert isotp_logger.level == logging.DEBUG
    finally:
        isotp_logger.setLevel(logging.NOTSET)


# ---------------------------------------------------------------------------- tester present
class FakeConnection:
    """Records what the Tester Present thread sends; can be told to fail or to stay silent."""

    def __init__(self, fail_after: int | None = None, answer: bytes | None = b"\x7e\x00") -> None:
        self.sent: list[tuple[bytes, bool]] = []
        self.fail_after = fail_after
        self.answer = answer
        self.p2_timeout = 0.05
        self.p2_star_timeout = 0.1
        self.lock = threading.Lock()

    def _record(self, payload: bytes, functional: bool) -> None:
        with self.lock:
            if self.fail_after is not None and len(self.sent) >= self.fail_after:
                raise OSError("Cannot operate on a closed bus")
            self.sent.append((payload, functional))

    def send_only(self, payload: bytes, *, functional: bool = False) -> float:
        self._record(payload, functional)
        return time.perf_counter()

    def request(self, payload: bytes, *, functional: bool = False, **_: object) -> Exchange:
        self._record(payload, functional)
        exchange = Exchange(request=payload, functional=functional, sent_at=time.perf_counter())
        if self.answer is not None:
            exchange.responses.append(Response(self.answer, time.perf_counter(), 0x7E8))
        return exchange


def _wait_for(condition, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


def test_tester_present_sends_periodically_and_stops():
    connection = FakeConnection()
    keeper = tp.TesterPresent(connection, 0.01, functional=True)
    keeper.start()
    _wait_for(lambda: len(connection.sent) >= 4)
    keeper.stop()
    count = len(connection.sent)
    time.sleep(0.05)
    assert len(connection.sent) == count == keeper.sent
    assert set(connection.sent) == {(b"\x3e\x80", True)}
    assert not keeper.running and keeper.error is None


def test_tester_present_with_answers_counts_missing_and_negative_ones():
    connection = FakeConnection(answer=None)
    keeper = tp.TesterPresent(connection, 0.01, suppress_response=False)
    keeper.start()
    _wait_for(lambda: keeper.sent >= 2)
    connection.answer = b"\x7f\x3e\x13"
    _wait_for(lambda: len(keeper.negative) >= 1)
    keeper.stop()
    assert connection.sent[0] == (b"\x3e\x00", False)
    assert keeper.unanswered >= 2
    assert "negative answers (first 7F 3E 13)" in keeper.summary()


def test_tester_present_remembers_a_transport_error_and_stop_does_not_raise():
    keeper = tp.TesterPresent(FakeConnection(fail_after=3), 0.01)
    keeper.start()
    _wait_for(lambda: not keeper.running)
    keeper.stop()  # warns, never raises (the library calls it when closing)
    assert keeper.sent == 3
    assert isinstance(keeper.error, OSError)


def test_tester_present_fails_at_start_when_the_first_request_cannot_be_sent():
    keeper = tp.TesterPresent(FakeConnection(fail_after=0), 0.01)
    with pytest.raises(OSError):
        keeper.start()
    assert not keeper.running


def _keywords_with(target):
    library = SimpleNamespace(targets=[target], active_target=lambda: target, log_detail="info")
    return tp.TesterPresentKeywords(library)


def test_stop_tester_present_keyword_fails_with_the_remembered_error():
    connection = FakeConnection(fail_after=2)
    target = SimpleNamespace(name="fake", connection=connection, description=None, tester_present=None)
    keywords = _keywords_with(target)
    keeper = tp.TesterPresent(connection, 0.01)
    keeper.start()
    target.tester_present = keeper
    _wait_for(lambda: not keeper.running)
    with pytest.raises(tp.TesterPresentError, match=r"stopped on an error after 2 requests: Cannot operate"):
        keywords.stop_tester_present()
    assert target.tester_present is None
    keywords.stop_tester_present()  # not running any more: fine


def test_stop_tester_present_without_connection_is_fine():
    library = SimpleNamespace(targets=[], active_target=lambda: pytest.fail("no target expected"))
    tp.TesterPresentKeywords(library).stop_tester_present()


@pytest.mark.parametrize("value, seconds", [("2 s", 2.0), ("500 ms", 0.5), ("1.5", 1.5), (0.25, 0.25)])
def test_interval(value, seconds):
    assert tp._interval(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value, message", [("soon", "is not a time"), ("0 s", "longer than 0"), ("-1", "longer")])
def test_bad_interval(value, message):
    with pytest.raises(UdsLibraryError, match=message):
        tp._interval(value)
