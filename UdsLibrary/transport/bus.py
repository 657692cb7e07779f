"""Opening a python-can bus with errors that say what to install or which channel is missing."""

from __future__ import annotations

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


class BusError(UdsLibraryError):
    """The CAN interface or channel could not be opened."""


def open_bus(interface: str | None, channel: str | int | None, **kwargs: Any) -> can.BusABC:
    """A python-can bus; `interface=None` lets python-can's configuration file decide."""
    shown = interface or "(from the python-can configuration)"
    try:
        return can.Bus(interface=interface, channel=channel, **kwargs)
    except (can.CanInterfaceNotImplementedError, ImportError) as error:
        hint = INSTALL_HINTS.get(str(interface), f"the driver for python-can interface '{interface}'")
        raise BusError(f"python-can interface {shown} is not available ({error}); install {hint}") from None
    except (can.CanError, OSError, ValueError, TypeError, KeyError) as error:
        raise BusError(f"cannot open CAN channel '{channel}' on python-can interface {shown}: {error}") from None
