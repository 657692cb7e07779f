"""ISO-TP addresses and parameters for both ends of a diagnostic link, from one `Addressing`.

The tester sends on `request_id` (physical) or `functional_id` (functional) and listens on
`response_id`; the ECU is the mirror image. Normal fixed 29-bit addressing (0x18DA/0x18DB) is
expressed as plain 29-bit ids so both ends agree without can-isotp's address arithmetic.
"""

from __future__ import annotations

from typing import Any

import isotp

from UdsLibrary.description.model import Addressing

_MODES = {
    "normal_11bits": isotp.AddressingMode.Normal_11bits,
    "normal_29bits": isotp.AddressingMode.Normal_29bits,
    "normal_fixed_29bits": isotp.AddressingMode.Normal_29bits,
    "extended_11bits": isotp.AddressingMode.Extended_11bits,
    "extended_29bits": isotp.AddressingMode.Extended_29bits,
    "mixed_11bits": isotp.AddressingMode.Mixed_11bits,
    "mixed_29bits": isotp.AddressingMode.Mixed_29bits,
}
# An id nobody transmits on: a send-only functional address still needs an rx id.
UNUSED_RX_ID_11 = 0x7FF
UNUSED_RX_ID_29 = 0x1FFFFFFF


def _address(addressing: Addressing, txid: int, rxid: int, *, ecu_side: bool) -> isotp.Address:
    mode = _MODES[addressing.mode]
    kwargs: dict[str, Any] = {"txid": txid, "rxid": rxid}
    if addressing.mode.startswith("extended"):
        ecu, tester = addressing.target_address, addressing.source_address
        kwargs["target_address"] = tester if ecu_side else ecu
        kwargs["source_address"] = ecu if ecu_side else tester
    elif addressing.mode.startswith("mixed"):
        kwargs["address_extension"] = addressing.address_extension
    return isotp.Address(mode, **kwargs)


def tester_addresses(addressing: Addressing) -> tuple[isotp.Address, isotp.Address | None]:
    """(physical, functional) addresses for the tester; functional is send-only."""
    physical = _address(addressing, addressing.request_id, addressing.response_id, ecu_side=False)
    functional = None
    if addressing.functional_id is not None:
        unused = UNUSED_RX_ID_29 if addressing.mode.endswith("29bits") else UNUSED_RX_ID_11
        functional = _address(addressing, addressing.functional_id, unused, ecu_side=False)
    return physical, functional


def ecu_addresses(addressing: Addressing) -> tuple[isotp.Address, isotp.Address | None]:
    """(physical, functional) addresses for the ECU; both answer on the physical response id."""
    physical = _address(addressing, addressing.response_id, addressing.request_id, ecu_side=True)
    functional = None
    if addressing.functional_id is not None:
        functional = _address(addressing, addressing.response_id, addressing.functional_id, ecu_side=True)
    return physical, functional


def isotp_params(addressing: Addressing, **overrides: Any) -> dict[str, Any]:
    """can-isotp 2.x parameters (names as in 2.x: `override_receiver_stmin`, not `squash_stmin_requirement`)."""
    params: dict[str, Any] = {
        "stmin": addressing.stmin,
        "blocksize": addressing.blocksize,
        "tx_padding": addressing.padding,
        "tx_data_length": addressing.tx_data_length,
        "max_frame_size": addressing.max_frame_size,
        "can_fd": addressing.can_fd,
        "bitrate_switch": addressing.can_fd,
        "rx_flowcontrol_timeout": 1000,
        "rx_consecutive_frame_timeout": 1000,
        "wftmax": 0,
    }
    params.update(overrides)
    return params
