*** Settings ***
Documentation     ClearDiagnosticInformation 0x14 (catalogue section 10): clearing every DTC, the status
...               bits and snapshots a clear leaves, length and group checks, refused conditions,
...               functional clearing and clearing while DTC setting is off.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x14
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x14

Name              0x14 Clear Diagnostic Information


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC1401 Clear All DTCs
    [Documentation]    Clearing all groups is answered with 54 and no DTC is confirmed afterwards.
    [Tags]    positive    physical    requires:dtcs
    P DEF    14 ${ALL_DTC_GROUPS}    54    19 01 08    59 01 ${SAM} ${DTC_FORMAT} 00 00
TC1402 Only The Not-completed Bits Remain After A Clear
    [Documentation]    After a clear every DTC has status 0x50 (testNotCompleted... bits only).
    [Tags]    positive    physical    requires:dtcs
    [Template]    NONE
    Send UDS Request    14 ${ALL_DTC_GROUPS}    expected=54
    DTC Report Should Be    19 02 FF    59 02 ${SAM}    ${ALL_DTC_RECORDS_AFTER_CLEAR}
TC1403 Snapshots Are Erased By A Clear
    [Documentation]    After a clear a DTC that had a snapshot reports none.
    [Tags]    positive    physical    requires:snapshot-dtc
    P DEF    14 ${ALL_DTC_GROUPS}    54    19 04 ${SNAPSHOT_DTC} FF    59 04 ${SNAPSHOT_DTC} ${STATUS_AFTER_CLEAR}
TC1404 Short Group Gets 0x13
    [Documentation]    A groupOfDTC of two bytes gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    physical
    P DEF    14 FF FF    7F 14 13
TC1405 Unsupported Group Gets 0x31
    [Documentation]    A group or DTC the ECU does not support gets requestOutOfRange.
    [Tags]    nrc    physical
    P DEF    14 ${UNSUPPORTED_DTC_GROUP}    7F 14 31
TC1406 Clear Refused Under Wrong Conditions
    [Documentation]    With the (simulated) engine running the ECU refuses the clear with conditionsNotCorrect.
    [Tags]    nrc    fault    physical    requires:simulator
    [Template]    NONE
    Inject Fault    engine_running    True
    Send UDS Request    14 ${ALL_DTC_GROUPS}    expected=7F 14 22
TC1407 Functional Clear Is Answered
    [Documentation]    Clearing all DTCs functionally is answered with 54.
    [Tags]    positive    functional
    F DEF    14 ${ALL_DTC_GROUPS}    54
TC1408 Clear Works While DTC Setting Is Off
    [Documentation]    With ControlDTCSetting off, a clear still clears: no DTC is confirmed afterwards.
    [Tags]    positive    physical    requires:dtcs    requires:dtc-setting
    P EXT    85 02    C5 02    14 ${ALL_DTC_GROUPS}    54    19 01 08    59 01 ${SAM} ${DTC_FORMAT} 00 00
