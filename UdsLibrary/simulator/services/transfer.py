"""0x34 RequestDownload, 0x36 TransferData, 0x37 RequestTransferExit (catalogue orders 14.7-14.9).

Downloaded bytes land in `EcuServer.memory` (one bytearray per memory area, 0x00 at power-on, 0xFF
where erased), so a check routine or a test can verify what was written. The block sequence
counter starts at 01 and wraps FF -> 00; repeating the last counter is a retry and is acknowledged
without writing again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from UdsLibrary.simulator import replies as nrc
from UdsLibrary.simulator.replies import Negative, Pending, Positive, Reply
from UdsLibrary.simulator.services import ServiceSpec
from UdsLibrary.simulator.services.routine import area_containing

if TYPE_CHECKING:
    from UdsLibrary.simulator.server import EcuServer

MAX_BLOCK_LENGTH_FORMAT = 0x20  # lengthFormatIdentifier: maxNumberOfBlockLength on 2 bytes


def request_download(server: EcuServer, request: bytes) -> Reply:
    from UdsLibrary.simulator.server import DownloadState

    if len(request) < 3:
        return Negative(nrc.INCORRECT_LENGTH)
    data_format, alfid = request[1], request[2]
    size_len, addr_len = alfid >> 4, alfid & 0x0F
    if not (1 <= addr_len <= 4 and 1 <= size_len <= 4):
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    if len(request) != 3 + addr_len + size_len:
        return Negative(nrc.INCORRECT_LENGTH)
    config = server.description.download
    if data_format not in config.data_format_identifiers or alfid not in config.address_and_length_formats:
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    address = int.from_bytes(request[3:3 + addr_len], "big")
    size = int.from_bytes(request[3 + addr_len:], "big")
    area = area_containing(server, address, size)
    if area is None:
        return Negative(nrc.REQUEST_OUT_OF_RANGE)
    if server.unlocked_level is None:
        return Negative(nrc.SECURITY_ACCESS_DENIED)
    if server.download is not None:
        return Negative(nrc.CONDITIONS_NOT_CORRECT)
    offset = address - area
    if config.require_erase and server.memory[area][offset:offset + size].count(0xFF) != size:
        return Negative(nrc.UPLOAD_DOWNLOAD_NOT_ACCEPTED)
    server.download = DownloadState(address=address, size=size)
    return Positive(bytes((MAX_BLOCK_LENGTH_FORMAT,)) + config.max_block_length.to_bytes(2, "big"))


def transfer_data(server: EcuServer, request: bytes) -> Reply:
    if len(request) < 2:
        return Negative(nrc.INCORRECT_LENGTH)
    download = server.download
    counter = request[1]
    is_repeat = download is not None and counter == download.last_counter
    if download is None or (download.complete and not is_repeat):
        return Negative(nrc.REQUEST_SEQUENCE_ERROR)
    if not is_repeat and counter != download.next_counter:
        return Negative(nrc.WRONG_BLOCK_SEQUENCE_COUNTER)
    if len(request) > server.description.download.max_block_length:
        return Negative(nrc.INCORRECT_LENGTH)
    if is_repeat:
        return Positive(bytes((counter,)))
    data = bytes(request[2:])
    if download.received + len(data) > download.size:
        return Negative(nrc.TRANSFER_DATA_SUSPENDED)
    if server.faults.low_voltage:
        return Negative(nrc.VOLTAGE_TOO_LOW)
    if server.faults.nvm_write_error:
        return Negative(nrc.GENERAL_PROGRAMMING_FAILURE)
    if server.faults.transfer_fail_once == counter:
        server.faults.transfer_fail_once = None
        return Negative(nrc.GENERAL_PROGRAMMING_FAILURE)
    if server.faults.corrupt_block == counter and data:  # a flash write error only a check routine notices
        data = bytes((data[0] ^ 0xFF,)) + data[1:]
    area = area_containing(server, download.address, download.size)
    assert area is not None
    offset = download.address - area + download.received
    server.memory[area][offset:offset + len(data)] = data
    download.received += len(data)
    download.last_counter = counter
    download.next_counter = (counter + 1) & 0xFF
    if download.next_counter == 0 and server.deviates("block_counter_wraps_to_01"):
        download.next_counter = 1
    return Positive(bytes((counter,)))


def request_transfer_exit(server: EcuServer, request: bytes) -> Reply:
    download = server.download
    if (download is None or not download.complete) and not server.deviates("transfer_exit_without_data"):
        return Negative(nrc.REQUEST_SEQUENCE_ERROR)
    if len(request) != 1:  # no transferRequestParameterRecord supported
        return Negative(nrc.REQUEST_OUT_OF_RANGE)

    def finish() -> Positive | Negative:
        server.download = None
        if server.faults.crc_mismatch:
            return Negative(nrc.GENERAL_PROGRAMMING_FAILURE)
        return Positive()

    verify = max(server.faults.slow_verification, server.description.download.verify_time)
    if verify > 0:
        return Pending(verify, finish)
    return finish()


SPECS = (
    ServiceSpec(0x34, "RequestDownload", request_download),
    ServiceSpec(0x36, "TransferData", transfer_data),
    ServiceSpec(0x37, "RequestTransferExit", request_transfer_exit),
)
