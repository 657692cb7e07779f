"""Security secrets and keys never reach Robot Framework's output files.

A real robot run (in-process, ``robot.run``) against the simulated ECU of bench sim-1 unlocks
security level 0x01 in every way the library offers: a ``Secret`` variable made from an environment
variable, ``secret_env=``, the ECU description's secret, `Request Seed` / `Compute Security Key` /
`Send Key` apart, and a wrong secret (failure message). The key algorithm is a ``module:function``
written into the temporary directory that computes the same XOR key as the simulator and records
every key it returns, so the test knows exactly which bytes must not appear.

Then output.xml, log.html, report.html and xunit.xml are searched for the secret and every key,
in any case and with or without separators (``A5A5A5A5``, ``a5 a5 a5 a5``, ``A5:A5:...``) and as a
Python bytes repr (``\\xa5\\xa5...``). The run uses ``--loglevel TRACE`` so that keyword arguments
and return values are in the output too. log.html and report.html keep their texts in
``window.output["strings"]``: entries starting with ``*`` are plain, the others are base64 of
zlib-compressed text; both the raw file and every decoded string are searched. The same search must
find what is meant to be visible (the ``27 01`` seed request and the masked ``27 02`` key request),
which shows that the search itself works.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zlib
from pathlib import Path

import pytest
import robot

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "resources" / "benches" / "sim-1.yaml"
SECRET = bytes.fromhex("A5A5A5A5")  # the demo ECU's secret (resources/ecus/demo_ecu.yaml)
WRONG_SECRET = bytes.fromhex("0BADC0DE")

RECORDER = '''
import os

def record(seed, level, secret):
    key = bytes(b ^ secret[i % len(secret)] for i, b in enumerate(seed))
    with open(os.environ["MASK_TEST_KEY_FILE"], "a") as file:
        file.write(key.hex() + "\\n")
    return key
'''

SUITE = '''*** Settings ***
Library             UdsLibrary
Suite Setup         Open UDS Connection    {bench}
Suite Teardown      Close All UDS Connections

*** Variables ***
${{SECRET: Secret}}         %{{MASK_TEST_SECRET}}
${{WRONG: Secret}}          %{{MASK_TEST_WRONG_SECRET}}
${{ALGORITHM}}              keyrecorder:record

*** Test Cases ***
Unlock With A Secret Variable
    Change Session    extended
    Unlock Security Level    01    algorithm=${{ALGORITHM}}    secret=${{SECRET}}

Unlock With Secret Env
    Change Session    extended
    Unlock Security Level    01    algorithm=${{ALGORITHM}}    secret_env=MASK_TEST_SECRET

Unlock With The Description Secret
    Change Session    extended
    Unlock Security Level    01    algorithm=${{ALGORITHM}}

Seed And Key Apart
    Change Session    extended
    ${{seed}} =    Request Seed
    ${{key}} =    Compute Security Key    ${{seed}}    algorithm=${{ALGORITHM}}    secret=${{SECRET}}
    Send Key    ${{key}}
    Log    ${{key}}

Wrong Secret
    Change Session    extended
    Run Keyword And Expect Error    *NRC 0x35 invalidKey*
    ...    Unlock Security Level    01    algorithm=${{ALGORITHM}}    secret=${{WRONG}}
'''


def _variants(data: bytes) -> list[re.Pattern[str]]:
    """Hex with any (or no) separator, any case; and the Python bytes repr."""
    separator = r"[\s:,\-_]*"
    hex_pattern = separator.join(f"{byte:02x}" for byte in data)
    repr_pattern = "".join(re.escape(f"\\x{byte:02x}") for byte in data)
    return [re.compile(hex_pattern, re.IGNORECASE), re.compile(repr_pattern, re.IGNORECASE)]


def _html_strings(text: str) -> list[str]:
    """The texts of a log.html/report.html: window.output["strings"], decompressed."""
    strings: list[str] = []
    for block in re.findall(r'window\.output\["strings"\] = window\.output\["strings"\]\.concat\((\[.*?\])\);',
                            text, flags=re.DOTALL):
        # Robot writes JavaScript string literals: JSON plus "\x3c" for "<" (see robot.htmldata.jsonwriter)
        block = re.sub(r"\\\\|\\x3c", lambda m: "\\u003c" if m.group() == "\\x3c" else m.group(), block)
        for item in json.loads(block):
            if item.startswith("*"):
                strings.append(item[1:])
            else:
                strings.append(zlib.decompress(base64.b64decode(item)).decode("utf-8"))
    return strings


@pytest.fixture(scope="module")
def run_output(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("masking")
    (tmp / "keyrecorder.py").write_text(RECORDER)
    suite = tmp / "masking.robot"
    suite.write_text(SUITE.format(bench=BENCH))
    key_file = tmp / "keys.txt"
    out = tmp / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MASK_TEST_SECRET", "a5 a5 a5 a5")
        patch.setenv("MASK_TEST_WRONG_SECRET", WRONG_SECRET.hex())
        patch.setenv("MASK_TEST_KEY_FILE", str(key_file))
        patch.delenv("UDS_SIM1_SECRET", raising=False)
        rc = robot.run(str(suite), outputdir=str(out), loglevel="TRACE", pythonpath=[str(tmp)],
                       xunit="xunit.xml", stdout=io.StringIO(), stderr=io.StringIO())
    keys = [bytes.fromhex(line) for line in key_file.read_text().split()]
    texts = {}
    for name in ("output.xml", "log.html", "report.html", "xunit.xml"):
        raw = (out / name).read_text(encoding="utf-8")
        texts[name] = [raw, *_html_strings(raw)] if name.endswith(".html") else [raw]
    return {"rc": rc, "keys": keys, "texts": texts}


def test_the_run_unlocked_in_every_way(run_output: dict) -> None:
    assert run_output["rc"] == 0
    # secret argument, secret_env, description secret, Compute Security Key, wrong secret
    assert len(run_output["keys"]) == 5


@pytest.mark.parametrize("name", ["output.xml", "log.html", "report.html", "xunit.xml"])
def test_no_secret_and_no_key_in_the_output(run_output: dict, name: str) -> None:
    forbidden = {"secret": SECRET, "wrong secret": WRONG_SECRET}
    forbidden.update({f"key {key.hex()}": key for key in run_output["keys"]})
    for text in run_output["texts"][name]:
        for what, data in forbidden.items():
            for pattern in _variants(data):
                match = pattern.search(text)
                assert match is None, f"{name} shows the {what}: ...{text[max(0, match.start() - 80):match.end() + 20]}"


def test_the_search_finds_what_is_meant_to_be_visible(run_output: dict) -> None:
    log = "\n".join(run_output["texts"]["log.html"])
    xml = run_output["texts"]["output.xml"][0]
    for text in (log, xml):
        assert re.search(r"<code>27 01</code>", html_unescape(text))
        assert re.search(r"<code>27 02</code>", html_unescape(text))
        assert "key: 4 bytes, hidden" in text
        assert "&lt;secret&gt;" in text or "<secret>" in text  # the Secret shown by `Log ${key}`


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)
