"""The keyword components besides connections, in the order libdoc lists them."""

from __future__ import annotations

from UdsLibrary.keywords.conformance import ConformanceKeywords
from UdsLibrary.keywords.control import ControlKeywords
from UdsLibrary.keywords.data import DataKeywords
from UdsLibrary.keywords.dtc import DtcKeywords
from UdsLibrary.keywords.eol import EolKeywords
from UdsLibrary.keywords.raw import RawKeywords
from UdsLibrary.keywords.routine import RoutineKeywords
from UdsLibrary.keywords.security import SecurityKeywords
from UdsLibrary.keywords.session import SessionKeywords
from UdsLibrary.keywords.tester_present import TesterPresentKeywords
from UdsLibrary.keywords.trace import TraceKeywords
from UdsLibrary.keywords.transfer import TransferKeywords

COMPONENTS: list = [
    SessionKeywords, SecurityKeywords, TesterPresentKeywords, DataKeywords, RoutineKeywords, DtcKeywords,
    ControlKeywords, RawKeywords, TraceKeywords, ConformanceKeywords, EolKeywords, TransferKeywords,
]
