"""UdsLibrary: UDS (ISO 14229-1) diagnostics over CAN for Robot Framework, with a simulated ECU.

`Library    UdsLibrary` in a suite; `from UdsLibrary import UdsLibrary` for the Python API.
"""

__version__ = "0.1.0"

from UdsLibrary.library import UdsLibrary

__all__ = ["UdsLibrary", "__version__"]
