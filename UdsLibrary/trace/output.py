"""Writing decoded transactions: a table for people, JSON and CSV for tools - all streamed.

Every writer takes the transactions as they come from the decoder and writes each at once, so
a long trace never sits in memory. Security keys are already masked in the transactions
(`UdsLibrary.trace.secrets`); nothing here adds raw request bytes.

JSON (one document)::

    {"file": "...", "transactions": [{...}, ...], "findings": [{...}], "summary": {...}}

CSV: one row per transaction (columns `CSV_COLUMNS`); findings go to the error stream.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from UdsLibrary.trace.decode import Transaction
from UdsLibrary.trace.reader import Findings

OUTPUT_FORMATS = ("table", "json", "csv")

CSV_COLUMNS = ("index", "time", "ecu", "request_id", "response_id", "functional", "service", "request", "response",
               "result", "nrc", "nrc_name", "pending", "p2_ms", "p2_star_ms", "response_ms", "decoded", "dids", "dtcs")


def did_cell(dids: list[dict[str, Any]]) -> str:
    return "; ".join(f"{d['did']}{' ' + d['name'] if d['name'] else ''}={d['text']}" for d in dids)


def dtc_cell(dtcs: list[dict[str, Any]]) -> str:
    parts = []
    for dtc in dtcs:
        text = f"{dtc['code']} status {dtc['status']} [{', '.join(dtc['status_bits'])}]"
        if dtc["description"]:
            text += f" {dtc['description']}"
        parts.append(text)
    return "; ".join(parts)


class Summary:
    """Counts for the end of the output."""

    def __init__(self) -> None:
        self.transactions = 0
        self.results: Counter[str] = Counter()
        self.ecus: Counter[str] = Counter()

    def add(self, row: dict[str, Any]) -> None:
        self.transactions += 1
        self.results[row["result"]] += 1
        self.ecus[row["ecu"]] += 1

    def to_dict(self, frames: int, diagnostic_frames: int, findings: Findings) -> dict[str, Any]:
        return {"frames": frames, "diagnostic_frames": diagnostic_frames, "transactions": self.transactions,
                "results": dict(self.results), "ecus": dict(sorted(self.ecus.items())), "findings": len(findings)}


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def write_table(transactions: Iterable[Transaction], out: TextIO, base_time: Callable[[], float | None],
                summary: Summary) -> None:
    """Aligned columns; long hex is cut (the JSON and CSV outputs have it whole)."""
    header = f"{'#':>5}  {'time s':>10}  {'ECU':<8} {'request':<26} {'response':<26} {'result':<11} {'ms':>8}  meaning"
    out.write(header + "\n" + "-" * len(header) + "\n")
    for transaction in transactions:
        row = transaction.to_dict(base_time() or 0.0)
        summary.add(row)
        ms = row["response_ms"] if row["response_ms"] is not None else row["p2_ms"]
        result = row["result"] if row["result"] != "negative" else f"NRC {row['nrc']}"
        if row["pending"]:
            result += f" +{row['pending']}x78"
        ecu = row["ecu"] + ("*" if row["functional"] else "")
        out.write(f"{row['index']:>5}  {row['time']:>10.4f}  {_cut(ecu, 8):<8} {_cut(row['request'], 26):<26} "
                  f"{_cut(row['response'], 26):<26} {result:<11} {'' if ms is None else f'{ms:.1f}':>8}  "
                  f"{row['decoded']}\n")


def write_json(transactions: Iterable[Transaction], out: TextIO, base_time: Callable[[], float | None],
               summary: Summary, head: dict[str, Any]) -> None:
    """The opening of the document and each transaction; `close_json` writes the end."""
    out.write("{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in head.items()))
    out.write(', "transactions": [')
    first = True
    for transaction in transactions:
        row = transaction.to_dict(base_time() or 0.0)
        summary.add(row)
        out.write(("\n  " if first else ",\n  ") + json.dumps(row, ensure_ascii=False, default=str))
        first = False
    out.write("\n]")


def close_json(out: TextIO, findings: Findings, summary: dict[str, Any]) -> None:
    out.write(', "findings": [')
    out.write(",".join("\n  " + json.dumps(f.to_dict()) for f in findings))
    out.write(f'\n], "summary": {json.dumps(summary)}}}\n')


def write_csv(transactions: Iterable[Transaction], out: TextIO, base_time: Callable[[], float | None],
              summary: Summary) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for transaction in transactions:
        row = transaction.to_dict(base_time() or 0.0)
        summary.add(row)
        values = dict(row, dids=did_cell(row["dids"]), dtcs=dtc_cell(row["dtcs"]))
        writer.writerow(["" if values[c] is None else values[c] for c in CSV_COLUMNS])
