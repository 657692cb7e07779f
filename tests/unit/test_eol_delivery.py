"""Reports reach the MES without ever being lost or seen half-written.

- atomic write: a reader sees no file or the whole file; an error or a process crash in the middle
  leaves no half-written report (a crash leaves a temporary file, removed later);
- spool and deliver: while the MES folder is unreachable reports wait in the spool; the next delivery
  moves every one of them, unchanged and in order, before the new report - also when the MES folder
  goes away again in the middle of that, or the process dies between copy and removal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from UdsLibrary.eol import delivery as delivery_module
from UdsLibrary.eol.delivery import DeliveryError, ReportDelivery, atomic_write, remove_stale_temporaries


def report_bytes(number: int) -> bytes:
    return (f'{{"report": {number}, "padding": "' + "x" * 50_000 + '"}\n').encode()


# ------------------------------------------------------------------ atomic write
def test_atomic_write_writes_the_whole_file_and_replaces_an_old_one(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    atomic_write(target, b"old")
    atomic_write(target, report_bytes(1))
    assert target.read_bytes() == report_bytes(1)
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_an_error_in_the_middle_leaves_no_file_and_no_temporary(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.json"

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(delivery_module.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, report_bytes(1))
    assert list(tmp_path.iterdir()) == []


def test_an_error_in_the_middle_keeps_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.json"
    atomic_write(target, report_bytes(1))
    monkeypatch.setattr(delivery_module.os, "replace", lambda *_: (_ for _ in ()).throw(OSError(5, "I/O error")))
    with pytest.raises(OSError):
        atomic_write(target, report_bytes(2))
    assert target.read_bytes() == report_bytes(1)
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


CRASH = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from UdsLibrary.eol import delivery

    real_write = os.write
    def crash_after_half(fd, data):  # the process dies with half the report on disk
        real_write(fd, bytes(data[: len(data) // 2]))
        os._exit(9)
    class HalfFile:
        def __init__(self, fd, mode): self.fd = fd
        def __enter__(self): return self
        def __exit__(self, *exc): return False
        def write(self, data): crash_after_half(self.fd, data)
        def flush(self): pass
        def fileno(self): return self.fd
    delivery.os.fdopen = HalfFile
    delivery.atomic_write(Path(sys.argv[1]), b"x" * 100000)
""")


def test_a_process_crash_in_the_middle_leaves_no_half_written_report(tmp_path: Path) -> None:
    target = tmp_path / "20250101T000000Z_EOL-1_SN1_PASS_00000000.json"
    result = subprocess.run([sys.executable, "-c", CRASH, str(target)], capture_output=True, text=True, check=False)
    assert result.returncode == 9, result.stderr
    assert not target.exists()
    leftovers = list(tmp_path.iterdir())
    assert len(leftovers) == 1 and leftovers[0].name.startswith(f".{target.name}.") and leftovers[0].suffix == ".tmp"
    assert 0 < leftovers[0].stat().st_size < 100000  # the half-written bytes are only in the temporary file
    assert remove_stale_temporaries(tmp_path, max_age=3600) == []  # a recent one may still be written
    assert remove_stale_temporaries(tmp_path, max_age=-1) == leftovers
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ spool and deliver
def delivery_for(tmp_path: Path) -> tuple[ReportDelivery, Path, Path]:
    mes, spool = tmp_path / "mes", tmp_path / "spool"
    return ReportDelivery(mes, spool, create_mes_folder=False), mes, spool


def test_reports_wait_in_the_spool_while_the_mes_folder_is_unreachable_and_none_is_lost(tmp_path: Path) -> None:
    delivery, mes, spool = delivery_for(tmp_path)
    names = [f"2025010{i}T000000Z_EOL-1_SN{i}_PASS_0000000{i}.json" for i in range(1, 5)]
    for number, name in enumerate(names[:3], 1):
        delivered = delivery.deliver(name, report_bytes(number))
        assert delivered.spooled and delivered.path == spool / name
        assert "does not exist (not mounted?)" in (delivered.reason or "")
    assert not mes.exists()  # an unmounted share is not replaced by a local folder
    assert [p.name for p in delivery.spooled()] == names[:3]

    mes.mkdir()  # the share is back
    delivered = delivery.deliver(names[3], report_bytes(4))
    assert not delivered.spooled and delivered.path == mes / names[3]
    assert sorted(p.name for p in mes.iterdir()) == names
    for number, name in enumerate(names, 1):
        assert (mes / name).read_bytes() == report_bytes(number)
    assert delivery.spooled() == [] and list(spool.iterdir()) == []


def test_flush_returns_the_moves_oldest_first(tmp_path: Path) -> None:
    delivery, mes, spool = delivery_for(tmp_path)
    delivery.deliver("2_b.json", b"2")
    delivery.deliver("1_a.json", b"1")
    mes.mkdir()
    assert delivery.flush_spool() == [(spool / "1_a.json", mes / "1_a.json"), (spool / "2_b.json", mes / "2_b.json")]
    assert delivery.flush_spool() == []


def test_the_mes_folder_going_away_during_delivery_keeps_the_rest_in_the_spool(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    delivery, mes, spool = delivery_for(tmp_path)
    for number in range(1, 4):
        delivery.deliver(f"{number}.json", report_bytes(number))
    mes.mkdir()
    real_write = delivery_module.atomic_write
    calls = []

    def flaky(target: Path, data: bytes) -> Path:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(112, "Host is down", str(target))
        return real_write(target, data)

    monkeypatch.setattr(delivery_module, "atomic_write", flaky)
    moved = delivery.flush_spool()
    assert moved == [(spool / "1.json", mes / "1.json")]
    assert [p.name for p in delivery.spooled()] == ["2.json", "3.json"]
    monkeypatch.setattr(delivery_module, "atomic_write", real_write)
    assert len(delivery.flush_spool()) == 2
    assert sorted(p.name for p in mes.iterdir()) == ["1.json", "2.json", "3.json"]
    assert all((mes / f"{n}.json").read_bytes() == report_bytes(n) for n in range(1, 4))


def test_a_crash_between_copy_and_removal_leaves_a_duplicate_never_a_gap(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    delivery, mes, spool = delivery_for(tmp_path)
    delivery.deliver("1.json", report_bytes(1))
    mes.mkdir()

    def crash(self: Path, *args: object) -> None:
        raise KeyboardInterrupt  # the process is stopped right after the copy

    monkeypatch.setattr(Path, "unlink", crash)
    with pytest.raises(KeyboardInterrupt):
        delivery.flush_spool()
    monkeypatch.undo()
    assert (mes / "1.json").read_bytes() == report_bytes(1) == (spool / "1.json").read_bytes()
    delivery.flush_spool()  # the next run delivers it again under the same name: still one report
    assert [p.name for p in mes.iterdir()] == ["1.json"] and delivery.spooled() == []


def test_create_folder_makes_the_mes_folder(tmp_path: Path) -> None:
    delivery = ReportDelivery(tmp_path / "a" / "mes", tmp_path / "spool", create_mes_folder=True)
    assert delivery.deliver("1.json", b"1").path == tmp_path / "a" / "mes" / "1.json"


def test_when_neither_folder_can_be_written_the_error_names_both(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    delivery = ReportDelivery(blocker / "mes", blocker / "spool", create_mes_folder=True)
    with pytest.raises(DeliveryError) as error:
        delivery.deliver("1.json", b"1")
    assert f"neither to the MES folder {blocker / 'mes'}" in str(error.value)
    assert f"nor to the spool folder {blocker / 'spool'}" in str(error.value)


def test_stale_temporaries_in_the_spool_are_removed_on_flush(tmp_path: Path) -> None:
    delivery, _, spool = delivery_for(tmp_path)
    spool.mkdir()
    stale = spool / ".1.json.abc.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    assert delivery.spooled() == []  # never delivered as a report
    delivery.flush_spool()
    assert not stale.exists()
