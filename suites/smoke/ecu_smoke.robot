*** Settings ***
Documentation     Smoke test of a diagnostic bench: the ECU answers, identifies itself, accepts
...               the extended session and security access, and carries no confirmed DTC.
...               Runs on any bench carrying the demo ECU: under pabot one reserved from the
...               value-set file, under robot the one in ${BENCH} (default: the simulated demo ECU).

Resource          ../../resources/bench.resource

Suite Setup       Acquire Bench    demo-ecu
Suite Teardown    Release Bench

Test Tags         smoke


*** Variables ***
${BENCH}    ${CURDIR}/../../resources/benches/sim-1.yaml


*** Test Cases ***
ECU Identifies Itself
    [Documentation]    Part number, serial number, software version and VIN are readable in the default session.
    ${ident} =    Read DID    sparePartNumber    ecuSerialNumber    systemSupplierEcuSoftwareVersion    VIN
    Should Not Be Empty    ${ident}[sparePartNumber]
    Length Should Be    ${ident}[VIN]    17
    Last Response Time Should Be Below    50 ms

Extended Session And Security Access
    [Documentation]    The ECU enters the extended session, announces its timing and unlocks level 01.
    Change Session    extended
    Session Should Be    extended
    Unlock Security Level    01
    Read DID    securedData
    [Teardown]    Change Session    default

No Confirmed DTCs After Clear
    [Documentation]    Clearing the DTC memory leaves no confirmed DTC.
    Clear DTCs
    No Confirmed DTCs

ECU Comes Back After A Hard Reset
    [Documentation]    The ECU answers again in the default session after a hard reset.
    Reset ECU    hard
    Session Should Be    default
    Log UDS Timing Statistics
