*** Settings ***
Documentation     One test of each outcome: pass, fail, skip, so the merged xUnit can be checked
...               against Robot Framework's statistics.

Resource          ../../../../resources/bench.resource

Suite Setup       Acquire Bench    demo-ecu
Suite Teardown    Release Bench


*** Test Cases ***
Passes
    [Documentation]    The ECU is in the default session.
    Session Should Be    default

Fails On Purpose
    [Documentation]    Expects a VIN the demo ECU does not have: this test must fail.
    DID Should Be    VIN    NOT-THE-DEMO-VIN1

Is Skipped
    [Documentation]    Skipped at run time: must appear as skipped in the xUnit.
    Skip    needs a hardware bench

Is Skipped When Simulated
    [Documentation]    Skipped by a condition: must appear as skipped in the xUnit.
    Skip If    '${BENCH}'.endswith('.yaml')    the bench is simulated
    Fail    not reached
