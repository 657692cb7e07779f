"""Test images and memory checks for flash.robot: images with gaps written with bincopy, the simulated
ECU's memory compared with an image, and an ECU reset in the middle of a download."""

from __future__ import annotations

import random
from pathlib import Path

import bincopy
from robot.api.deco import keyword, library
from robot.libraries.BuiltIn import BuiltIn

from UdsLibrary.simulator.server import EcuServer


@library(scope="SUITE")
class flash_images:  # the class Robot takes from flash_images.py: it has the module's name
    @keyword
    def write_test_image(self, path: str, ranges: str, seed: int = 1) -> str:
        """Writes an image of random bytes at ``ranges`` (``0x10000:5000 0x13000:1500``: address and
        size per range) as Intel HEX (``.hex``), S-record (``.s19``/``.s28``/``.s37``/``.srec``) or raw
        binary (``.bin``: one range, written from its first byte); returns the path."""
        rng = random.Random(seed)
        image = bincopy.BinFile()
        for item in ranges.split():
            address, size = item.split(":")
            image.add_binary(rng.randbytes(int(size, 0)), address=int(address, 0))
        file = Path(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        if file.suffix == ".hex":
            file.write_text(image.as_ihex(), encoding="ascii")
        elif file.suffix == ".bin":
            file.write_bytes(image.as_binary())
        else:
            file.write_text(image.as_srec(), encoding="ascii")
        return str(file)

    @keyword
    def simulated_memory_should_hold_image(self, ecu: EcuServer, path: str, base_address: str | None = None) -> None:
        """Fails unless the simulated ECU's memory holds every byte of the image at its address."""
        image = bincopy.BinFile()
        if base_address is None:
            image.add_file(path)
        else:
            image.add_binary_file(path, address=int(base_address, 16))
        for segment in image.segments:
            for offset, value in enumerate(bytes(segment.data)):
                address = segment.minimum_address + offset
                area = next((start for start, data in ecu.memory.items() if start <= address < start + len(data)),
                            None)
                if area is None or ecu.memory[area][address - area] != value:
                    found = "outside the memory" if area is None else f"{ecu.memory[area][address - area]:02X}"
                    raise AssertionError(f"memory at 0x{address:08X} is {found}, the image has {value:02X}")

    @keyword
    def reset_simulated_ecu_at_block(self, counter: int) -> None:
        """The simulated ECU of the active connection resets (as a watchdog would) when the tester starts
        sending the TransferData block with ``counter``, once."""
        lib = BuiltIn().get_library_instance("UdsLibrary")
        target = lib.active_target()
        server: EcuServer = target.simulator.ecu
        request_id = target.connection.addressing.request_id
        fired: list[bool] = []

        def listener(msg) -> None:
            data = bytes(msg.data)
            if (not fired and not msg.is_rx and msg.arbitration_id == request_id and data[0] >> 4 == 1
                    and data[2:4] == bytes((0x36, counter))):
                fired.append(True)
                server.reset(server.clock())

        target.connection.listeners.append(listener)
