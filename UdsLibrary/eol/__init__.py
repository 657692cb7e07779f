"""The production line's end of line (EOL): barcodes, the station configuration, the JSON report for the
MES (versioned schema, atomic writes, spooling), the quality database and the station loop.

- `barcode`: a scanned barcode split into part number, serial and VIN by the station's pattern.
- `config`: the station configuration file (`resources/stations/*.yaml`).
- `report`: the EOL report (schema ``schemas/eol-report-1.json``) and its validation.
- `delivery`: atomic writes into the MES folder, and the local spool when that folder is unreachable.
- `database`: the quality database (SQLite): one row per ECU tested, yield, first-pass yield, cycle time.
- `station`: `uds station`, the loop that reads barcodes and runs the EOL suite per ECU.

The Robot Framework keywords are in `UdsLibrary.keywords.eol`; the sequence itself is tabular, in
`resources/eol.resource` and `suites/eol/`. See docs/eol.md.
"""
