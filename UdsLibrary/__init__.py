"""UdsLibrary: UDS (ISO 14229-1) diagnostics over CAN for Robot Framework, with a simulated ECU."""

__version__ = "0.1.0"
