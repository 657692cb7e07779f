"""Opening a python-can bus with errors that say what to install or which channel is missing.

python-can reports a missing vendor driver in many ways (`CanInterfaceNotImplementedError`,
`ImportError`, a bare `OSError` such as PCAN's "pcanbasic library not found.", even a `NameError`
from the Kvaser wrapper when canlib did not load), and a missing SocketCAN channel as an `OSError`
with an errno. `open_bus` turns each into one sentence naming the interface, the channel and what
to do, and keeps python-can's import-time warnings ("Kvaser canlib is unavailable.") out of the
test log when opening fails anyway.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

import can

from UdsLibrary.errors import UdsLibraryError

# What to install for the interfaces python-can needs a vendor driver or an extra for.
INSTALL_HINTS = {
    "pcan": "the PEAK PCAN-Basic driver (PCANBasic library) from PEAK-System",
    "vector": "the Vector XL Driver Library (vxlapi) and a Vector application configuration",
    "kvaser": "the Kvaser CANlib SDK/driver",
    "ixxat": "the IXXAT VCI driver",
    "neovi": "python-can[neovi] (python-ics) and the Intrepid driver",
    "udp_multicast": "python-can[udp_multicast] (msgpack)",
    "socketcan": "a Linux kernel with SocketCAN (modprobe can_raw vcan; ip link add dev vcan0 type vcan)",
    "serial": "python-can[serial] (pyserial)",
    "gs_usb": "python-can[gs_usb] (pyusb) and libusb",
    "remote": "python-can-remote (pip install python-can-remote)",
}
# Interfaces whose python-can wrapper only works on one operating system.
_PLATFORM = {"vector": "Windows", "ixxat": "Windows", "systec": "Windows", "nican": "Windows", "socketcan": "Linux"}


_log = logging.getLogger(__name__)


class BusError(UdsLibraryError):
    """The CAN interface or channel could not be opened."""


def open_bus(interface: str | None, channel: str | int | None, **kwargs: Any) -> can.BusABC:
    """A python-can bus; `interface=None` lets python-can's configuration file decide."""
    name = f"'{interface}'" if interface else "(from the python-can configuration)"
    held = _HeldRecords()
    message = None
    try:
        return can.Bus(interface=interface, channel=channel, **kwargs)
    except Exception as error:  # python-can's drivers raise all kinds; each becomes one sentence
        message = _explain(error, interface, name, channel)
    finally:
        held.finish(keep=message is None)
    raise BusError(message) from None


def _explain(error: Exception, interface: str | None, name: str, channel: str | int | None) -> str:
    hint = INSTALL_HINTS.get(str(interface), f"the driver for python-can interface {name}")
    if interface == "socketcan" and channel is not None:
        hint = hint.replace("vcan0", str(channel))
    reason = str(error).strip().rstrip(".") or type(error).__name__
    if isinstance(error, TypeError) and channel is None and "channel" in str(error):
        return f"python-can interface {name} needs a channel (for example channel=0 or channel=PCAN_USBBUS1)"
    if isinstance(error, OSError) and error.errno == errno.EAFNOSUPPORT:
        return (f"cannot open CAN channel '{channel}' on python-can interface {name}: this kernel has no SocketCAN "
                f"(address family not supported); it needs {hint}")
    if isinstance(error, OSError) and error.errno == errno.ENODEV:
        return (f"cannot open CAN channel '{channel}' on python-can interface {name}: there is no network interface "
                f"'{channel}'; create it (sudo ip link add dev {channel} type vcan; sudo ip link set up {channel}) "
                "or use the name `ip link` shows for your adapter")
    if isinstance(error, OSError) and error.errno == errno.ENETDOWN:
        return (f"cannot open CAN channel '{channel}' on python-can interface {name}: the network interface is down; "
                f"bring it up (sudo ip link set up {channel})")
    # A missing vendor library: python-can says so with CanInterfaceNotImplementedError or ImportError, the
    # PCAN wrapper with a bare OSError ("pcanbasic library not found."), the Kvaser one with a NameError.
    if isinstance(error, NameError):
        reason = "its driver library could not be loaded"
    if isinstance(error, (can.CanInterfaceNotImplementedError, ImportError, NameError)) or (
            isinstance(error, OSError) and error.errno is None):
        reason = reason.split("': ", 1)[1] if reason.startswith("Cannot import module") else reason
        platform = _PLATFORM.get(str(interface))
        where = f"; python-can supports it on {platform} only" if platform and platform not in reason else ""
        return f"python-can interface {name} is not available on this machine ({reason}{where}): install {hint}"
    if isinstance(error, (can.CanError, OSError, ValueError)):
        return f"cannot open CAN channel '{channel}' on python-can interface {name}: {reason}"
    return f"cannot open CAN channel '{channel}' on python-can interface {name}: {type(error).__name__}: {reason}"


class _HeldRecords(logging.Handler):
    """Holds back what python-can logs while it loads a driver ("Kvaser canlib is unavailable.").

    If the bus opens, the records are passed on as usual; if it does not, the failure message says
    what matters and the records go to DEBUG only, so the test log shows one sentence, not a
    warning per missing library.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.logger = logging.getLogger("can")
        self.saved_propagate = self.logger.propagate
        self.logger.addHandler(self)
        self.logger.propagate = False

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def finish(self, keep: bool) -> None:
        self.logger.removeHandler(self)
        self.logger.propagate = self.saved_propagate
        for record in self.records:
            if keep:
                logging.getLogger(record.name).handle(record)
            else:
                _log.debug("python-can while opening the bus: %s", record.getMessage())
