"""Traces: recording a test's CAN frames (`capture`, `policy`), decoding recorded traces into UDS
transactions (`decode`), and finding the ECUs of a vehicle (`discovery`)."""
