*** Settings ***
Documentation    The end-of-line sequence of the demo ECU as a QA engineer would write it: every
...              line is one step of the test plan. Runs against the simulated ECU of bench sim-1.

Library          UdsLibrary

Test Tags        test-plan


*** Variables ***
${SIM_1}    ${CURDIR}/../../resources/benches/sim-1.yaml


*** Test Cases ***
End Of Line Sequence Of The Demo ECU
    [Documentation]    Open, extended session, unlock, check the VIN, code the variant, calibrate,
    ...    clear and check the DTCs, and reset: the ECU must come back within 5 s.
    Open UDS Connection    ${SIM_1}
    Change Session    extended
    Unlock Security Level    01
    DID Should Be    VIN    WVWZZZ1JZXW000001
    Write DID    variantCode    3
    Start Routine    eolCalibration
    Wait Until Keyword Succeeds    2 s    100 ms    Get Routine Results    eolCalibration    expected_status=00
    Clear DTCs
    No Confirmed DTCs
    Reset ECU
    [Teardown]    Close All UDS Connections
