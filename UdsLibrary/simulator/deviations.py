"""Deviations: named switches that make the simulated ECU non-conforming in one specific way.

A faithful simulator proves that a conformance suite passes against a conforming ECU; a deviation
proves that the suite fails against a broken one (mutation testing: a deviation is "killed" when
at least one conformance test fails). Each deviation is a realistic ECU software defect and names
the catalogue cases (docs/conformance-catalogue.md) expected to catch it.

Switch them on with ``deviations: [...]`` in an ECU description or in a bench's ``simulator:``
section, ``EcuSimulator.from_file(..., deviations=[...])``, ``uds sim --deviation NAME`` or
``EcuServer.deviations``. See docs/simulator.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from UdsLibrary.errors import UdsLibraryError


@dataclass(frozen=True)
class Deviation:
    name: str
    description: str
    caught_by: tuple[str, ...]  # catalogue case ids expected to fail against it


_REGISTRY = (
    # cross-service rules: NRC order, addressing, SPRMIB, P2/P2*/S3 -----------------------------
    Deviation("nrc13_before_7f", "the minimum length is checked before the session support: a too short request "
              "for a service not allowed in the active session answers 0x13 instead of 0x7F", ("GEN02",)),
    Deviation("length_before_subfunction", "the exact length of 0x10/0x11/0x3E is checked before the sub-function: "
              "an unknown sub-function with a wrong length answers 0x13 instead of 0x12", ("GEN04",)),
    Deviation("sprmib_ignored", "a positive response is sent although the request set "
              "suppressPosRspMsgIndicationBit",
              ("TC3E02", "TC3E04", "TC1007", "TC1106", "TC2803", "TC8503", "TC3111")),
    Deviation("sprmib_suppresses_nrc", "suppressPosRspMsgIndicationBit also suppresses negative responses",
              ("GEN10", "TC3E06")),
    Deviation("nrc_on_functional", "0x11, 0x12, 0x31, 0x7E and 0x7F are sent to functionally addressed requests",
              ("GEN05", "GEN06", "GEN07", "GEN08", "TC1107", "TC1915", "TC3E12")),
    Deviation("functional_ignored", "functionally addressed requests are never served (the ECU listens to its "
              "physical request id only)", ("TC3E11", "TC3E12", "TC1407", "TC2808")),
    Deviation("pending_not_repeated", "responsePending (0x78) is sent once and not repeated within P2*, so a long "
              "request stays silent for longer than P2*", ("GEN11",)),
    Deviation("final_suppressed_after_pending", "with SPRMIB, the final positive response after a 0x78 is "
              "suppressed", ("GEN12",)),
    Deviation("p2_exceeded", "every first response comes after twice the announced P2 (still within the "
              "tester's timeout)", ("GEN11",)),
    Deviation("s3_never_expires", "the S3 timer never returns a non-default session to the default session",
              ("TC1009", "TC3E10", "TC2714", "TC2809")),
    Deviation("s3_not_restarted_by_tester_present", "TesterPresent does not restart the S3 timer (only other "
              "requests do)", ("TC3E09", "TC3E11")),
    # 0x10 / 0x11 ------------------------------------------------------------------------------
    Deviation("same_session_keeps_unlock", "re-entering the active non-default session keeps security access "
              "unlocked", ("TC1008",)),
    Deviation("programming_from_default", "the programming session is entered from the default session too",
              ("TC1004",)),
    Deviation("p2_star_wrong_resolution", "DiagnosticSessionControl announces P2*server_max in 1 ms units "
              "instead of 10 ms units", ("TC1001", "TC1002", "TC1003")),
    Deviation("dtc_setting_kept_in_default", "returning to the default session does not switch DTC setting "
              "back on", ("TC8505", "TC1010")),
    Deviation("reset_keeps_session", "after an ECU reset the ECU comes back in the session (and security state) "
              "it had before", ("TC1106",)),
    Deviation("reset_without_response", "ECUReset resets at once: the positive response is never sent",
              ("TC1101", "TC1102", "TC2709")),
    # 0x27 ----------------------------------------------------------------------------------------
    Deviation("zero_seed_while_locked", "requestSeed answers an all-zero seed while the level is locked "
              "(uninitialised seed generator)", ("TC2702", "TC1008", "TC1102", "TC2714")),
    Deviation("no_zero_seed_when_unlocked", "requestSeed on an already unlocked level answers a new seed instead "
              "of the all-zero seed", ("TC2703",)),
    Deviation("seed_not_consumed_by_wrong_key", "a wrong key does not use up the seed: the right key for the "
              "same seed is still accepted", ("TC2705",)),
    Deviation("max_attempts_off_by_one", "0x36 comes one failed key late (after max_attempts + 1 wrong keys)",
              ("TC2706",)),
    Deviation("attempt_counter_reset_on_reset", "the failed-attempt counter and the delay timer are lost over an "
              "ECU reset", ("TC2709",)),
    Deviation("delay_not_on_boot", "the security delay timer is lost over an ECU reset and not restarted at "
              "power-on although the last attempt failed (the counter is kept)", ("TC2709",)),
    # 0x22 / 0x2E ---------------------------------------------------------------------------------
    Deviation("unsupported_did_fails_whole_read", "ReadDataByIdentifier with one unsupported DID among supported "
              "ones answers 0x31 instead of leaving that DID out", ("TC2203",)),
    Deviation("did_security_before_support", "WriteDataByIdentifier checks security (0x33) before the DID "
              "support (0x31)", ("TC2E07",)),
    # 0x31 ----------------------------------------------------------------------------------------
    Deviation("routine_sf_before_rid", "RoutineControl checks the sub-function (0x12) before the routine id "
              "(0x31)", ("TC3107",)),
    Deviation("routine_sequence_not_checked", "stopRoutine and requestRoutineResults are answered for a routine "
              "that was never started", ("TC3103", "TC3104")),
    # 0x19 / 0x14 / 0x85 --------------------------------------------------------------------------
    Deviation("wrong_dtc_format_identifier", "reportNumberOfDTCByStatusMask answers DTCFormatIdentifier 0x00 "
              "(ISO 15031-6) instead of the description's (0x01 when that is 0x00)", ("TC1901", "TC1401")),
    Deviation("clear_keeps_status_bits", "ClearDiagnosticInformation resets testFailed and confirmedDTC only: "
              "the other status bits stay set", ("TC1402",)),
    Deviation("snapshots_survive_clear", "ClearDiagnosticInformation leaves the snapshot records stored",
              ("TC1403",)),
    Deviation("dtc_setting_off_ignored", "ControlDTCSetting off is acknowledged but DTC statuses keep updating",
              ("TC8501",)),
    # 0x28 ----------------------------------------------------------------------------------------
    Deviation("comm_control_ignored", "CommunicationControl is acknowledged but application frames do not stop",
              ("TC2801", "TC2803", "TC2808")),
    # 0x34 / 0x36 / 0x37 --------------------------------------------------------------------------
    Deviation("block_counter_wraps_to_01", "the TransferData block sequence counter wraps from FF to 01 instead "
              "of 00", ("TC3607",)),
    Deviation("transfer_exit_without_data", "RequestTransferExit is accepted with no download active or before "
              "all data is transferred", ("TC3702", "TC3703")),
)

#: name -> one-line description of every deviation.
DEVIATIONS: dict[str, str] = {deviation.name: deviation.description for deviation in _REGISTRY}
#: name -> the catalogue case ids expected to catch it.
CAUGHT_BY: dict[str, tuple[str, ...]] = {deviation.name: deviation.caught_by for deviation in _REGISTRY}

#: Minimum request length (SID included) per service, for `nrc13_before_7f`.
MIN_REQUEST_LENGTH = {0x10: 2, 0x11: 2, 0x14: 4, 0x19: 2, 0x22: 3, 0x27: 2, 0x28: 2, 0x2E: 4, 0x31: 4, 0x34: 3,
                      0x36: 2, 0x3E: 2, 0x85: 2}
#: Exact request length of the fixed-length services with a sub-function, for `length_before_subfunction`.
EXACT_REQUEST_LENGTH = {0x10: 2, 0x11: 2, 0x3E: 2}


class UnknownDeviationError(UdsLibraryError, ValueError):
    """A deviation name that the simulator does not know."""


def check_deviations(names: Iterable[str]) -> frozenset[str]:
    """The names as a frozenset; an unknown name raises `UnknownDeviationError` listing the known ones."""
    if isinstance(names, str):
        names = (names,)
    result = frozenset(names)
    for name in sorted(result, key=str):
        if name not in DEVIATIONS:
            close = difflib.get_close_matches(str(name), list(DEVIATIONS), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UnknownDeviationError(
                f"unknown deviation '{name}'; {hint}known deviations: {', '.join(sorted(DEVIATIONS))}")
    return result
