*** Settings ***
Documentation    The keywords of the conformance suites against the simulated ECU SIM-1 (bench sim-1,
...              ``ci`` profile: P2 50 ms, P2* 1 s, erase 1.5 s): P2/P2* timing of a responsePending
...              chain, the ECU's application frames 123 (normal, 100 ms) and 510 (NM, 200 ms) around
...              CommunicationControl, and faults and DTC test results injected into the simulated ECU.
...              Every test gets a fresh connection, so a freshly booted ECU.

Library          UdsLibrary

Test Setup       Open UDS Connection    ${BENCH}
Test Teardown    Close All UDS Connections


*** Variables ***
${BENCH}         ${CURDIR}/../../resources/benches/sim-1.yaml
${VEHICLE}       ${CURDIR}/../../resources/benches/sim-vehicle.yaml
${ERASE}         31 01 FF 00 44 00 01 00 00 00 01 00 00
${CONFIRMED}     59 02 FF 01 23 45 09 C0 01 12 2F
${WITH_FAULT}    59 02 FF 01 23 45 09 C0 01 12 2F 9A 0B 13 2F


*** Test Cases ***
Response Pending Chain Within P2 And P2*
    [Documentation]    The erase answers 0x78 within P2, repeats it within P2* and ends with 71 01 FF 00 00.
    Change Session    extended
    Change Session    programming
    Unlock Security Level    11
    Send UDS Request    ${ERASE}    expected=71 01 FF 00 00
    ${timing} =    Responses Should Respect P2 And P2*    min_pending=1
    Should Be True    ${timing}[pending] >= 2
    Should Be True    ${timing}[first_ms] < 50
    Should Be True    ${timing}[max_gap_ms] <= 1000
    Run Keyword And Expect Error
    ...    Response 2 came * ms after the one before, later than P2*: 31 01 FF 00 * (P2 50 ms, P2* 200 ms as given)
    ...    Responses Should Respect P2 And P2*    p2_star=200 ms

Response Timing Checks The Shape Of The Answers
    [Documentation]    A direct answer has no 0x78; asking for one fails, and so does a check without a request.
    Run Keyword And Expect Error    No request has been sent on connection 'sim-1' yet
    ...    Responses Should Respect P2 And P2*
    Send UDS Request    3E 00    expected=7E 00
    ${timing} =    Responses Should Respect P2 And P2*    p2=50 ms    p2_star=1 s
    Should Be Equal As Integers    ${timing}[pending]    0
    Run Keyword And Expect Error    Expected at least 1 x 7F 3E 78 before the final response, got 0: 3E 00: *
    ...    Responses Should Respect P2 And P2*    min_pending=1
    Send UDS Request And Expect No Response    3E 80
    Run Keyword And Expect Error    The last request (3E 80) got no response, so its timing cannot be checked
    ...    Responses Should Respect P2 And P2*
    Run Keyword And Expect Error    p2 'soon' is not a time*    Responses Should Respect P2 And P2*    p2=soon

Application Frames Stop And Resume With Communication Control
    [Documentation]    28 03 01 stops 123 but not the NM frame 510; 28 00 01 makes 123 resume.
    ${after} =    Application Frames Should Be Sent
    Should Be True    ${after} <= 300
    Change Session    extended
    Send UDS Request    28 03 01    expected=68 03
    Application Frames Should Stop
    Application Frames Should Be Sent    nm
    Application Frames Should Stop    ids=123    window=250 ms
    Run Keyword And Expect Error    ECU 'sim-1' (7E0/7E8) sent no normal application frames (123) within 200 ms
    ...    Application Frames Should Be Sent    within=200 ms
    Send UDS Request    28 00 01    expected=68 00
    Application Frames Should Be Sent    normal    within=500 ms

Application Frames Check Fails When Frames Keep Coming
    [Documentation]    Without CommunicationControl the frames go on, so a check that they stopped fails.
    Run Keyword And Expect Error
    ...    ECU 'sim-1' (7E0/7E8) still sent application frames (123, 510): * frame(s) within 600 ms, the first 1*
    ...    Application Frames Should Stop    all    all_ecus=${True}
    Run Keyword And Expect Error    kind must be one of normal, nm, all, got 'periodic'
    ...    Application Frames Should Stop    periodic
    Run Keyword And Expect Error    ids entry 'XYZ' is not a hex number
    ...    Application Frames Should Be Sent    ids=XYZ

Frames And Faults Of Every ECU Of A Simulated Vehicle
    [Documentation]    all_ecus=True watches the frames of ECM, TCM and BCM; ecu= picks the simulated ECU.
    [Setup]    Open UDS Connection    ${VEHICLE}
    Application Frames Should Be Sent    nm    all_ecus=${True}
    Run Keyword And Expect Error    *still sent application frames (123, 124, 3A0, 510, 511, 52E): *
    ...    Application Frames Should Stop    all    all_ecus=${True}    window=300 ms
    Inject Fault    vehicle_moving    ecu=TCM
    Reset ECU    soft
    Report DTC Test Result    B1A0B-13    ecu=BCM
    Report DTC Test Result    B1A0B-13
    Send UDS Request    19 02 08    expected=${WITH_FAULT}

Injected Faults Change The ECU's Answers
    [Documentation]    Faults by name, with values as text: on/off and routine ids.
    Inject Fault    vehicle_moving
    Send UDS Request    11 01    expected=7F 11 22
    Inject Fault    vehicle_moving    False
    Change Session    extended
    Inject Fault    routine_precondition_failed    0203
    Send UDS Request    31 01 02 03    expected=7F 31 22
    Inject Fault    routine_precondition_failed    ${EMPTY}
    Send UDS Request    31 01 02 03    expected=71 01 02 03 00

A Slow NvM Write Is Bridged With 0x78
    [Documentation]    A duration fault as a Robot time: the write answers 0x78 within P2, then 6E.
    Change Session    extended
    Unlock Security Level    01
    Inject Fault    slow_nvm    300 ms
    Send UDS Request    2E F1 01 02    expected=6E F1 01
    Responses Should Respect P2 And P2*    min_pending=1

Bad Fault Names And Values Are Refused
    [Documentation]    An unknown fault or a value of the wrong kind fails with the fault's name.
    Run Keyword And Expect Error    unknown fault 'vehicle_movin'; known faults: *
    ...    Inject Fault    vehicle_movin
    Run Keyword And Expect Error    fault low_voltage is on or off: give True or False, got 'maybe'
    ...    Inject Fault    low_voltage    maybe
    Run Keyword And Expect Error    fault slow_nvm 'long' is not a time*
    ...    Inject Fault    slow_nvm    long
    Run Keyword And Expect Error    no simulated ECU 'TCM' (available: SIM-1)
    ...    Inject Fault    low_voltage    ecu=TCM

DTC Test Results Are Recorded Unless DTC Setting Is Off
    [Documentation]    A failed result confirms 9A0B13; with ControlDTCSetting off it is ignored.
    Change Session    extended
    Send UDS Request    85 02    expected=C5 02
    Report DTC Test Result    9A 0B 13    failed
    Send UDS Request    19 02 08    expected=${CONFIRMED}
    Send UDS Request    85 01    expected=C5 01
    Report DTC Test Result    B1A0B-13
    Send UDS Request    19 02 08    expected=${WITH_FAULT}
    Report DTC Test Result    9A0B13    passed
    Send UDS Request    19 02 FF    expected=${CONFIRMED} 9A 0B 13 2E

Bad DTC Test Results Are Refused
    [Documentation]    A DTC missing from the description, a bad result or a real ECU fails with a clear message.
    Run Keyword And Expect Error    DTC 123456 is not in the description of simulated ECU 'SIM-1'
    ...    Report DTC Test Result    123456
    Run Keyword And Expect Error    result must be 'failed' or 'passed', got 'broken'
    ...    Report DTC Test Result    9A0B13    broken
    Open UDS Connection    interface=virtual    channel=conformance-keywords-no-simulator    alias=real
    Run Keyword And Expect Error    connection 'real' is not to a simulated ECU: *
    ...    Report DTC Test Result    9A0B13
    Run Keyword And Expect Error    connection 'real' is not to a simulated ECU: *
    ...    Inject Fault    low_voltage
