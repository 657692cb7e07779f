"""What a service handler decides: a positive answer, a negative one, or "pending, answer later".

Handlers only decide; whether anything goes on the wire (SPRMIB, functional addressing, 0x78
pacing) is decided in one place, `EcuServer._respond`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Negative response codes used by the simulator (ISO 14229-1 Annex A.1).
GENERAL_REJECT = 0x10
SERVICE_NOT_SUPPORTED = 0x11
SUBFUNCTION_NOT_SUPPORTED = 0x12
INCORRECT_LENGTH = 0x13
RESPONSE_TOO_LONG = 0x14
BUSY_REPEAT_REQUEST = 0x21
CONDITIONS_NOT_CORRECT = 0x22
REQUEST_SEQUENCE_ERROR = 0x24
REQUEST_OUT_OF_RANGE = 0x31
SECURITY_ACCESS_DENIED = 0x33
INVALID_KEY = 0x35
EXCEEDED_NUMBER_OF_ATTEMPTS = 0x36
REQUIRED_TIME_DELAY_NOT_EXPIRED = 0x37
UPLOAD_DOWNLOAD_NOT_ACCEPTED = 0x70
TRANSFER_DATA_SUSPENDED = 0x71
GENERAL_PROGRAMMING_FAILURE = 0x72
WRONG_BLOCK_SEQUENCE_COUNTER = 0x73
RESPONSE_PENDING = 0x78
SUBFUNCTION_NOT_SUPPORTED_IN_ACTIVE_SESSION = 0x7E
SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION = 0x7F
VOLTAGE_TOO_LOW = 0x93

# NRCs a server never sends to a functionally addressed request (ISO 14229-1 7.5, catalogue 14.10).
SUPPRESSED_ON_FUNCTIONAL = frozenset({
    SERVICE_NOT_SUPPORTED,
    SUBFUNCTION_NOT_SUPPORTED,
    REQUEST_OUT_OF_RANGE,
    SUBFUNCTION_NOT_SUPPORTED_IN_ACTIVE_SESSION,
    SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION,
})


@dataclass
class Positive:
    """Positive response: `data` follows the response SID. `after` runs once the answer is out."""

    data: bytes = b""
    after: Callable[[], None] | None = None


@dataclass
class Negative:
    nrc: int


@dataclass
class Pending:
    """The request needs `duration` seconds: answer 0x78 now and again within P2*, then `then()`."""

    duration: float
    then: Callable[[], Positive | Negative]
    extra: dict[str, object] = field(default_factory=dict)


Reply = Positive | Negative | Pending
