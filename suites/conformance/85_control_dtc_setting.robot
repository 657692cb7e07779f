*** Settings ***
Documentation     ControlDTCSetting 0x85 (catalogue section 12): with the setting off a fault no longer
...               changes DTC statuses, with it on again it does; the suppress bit, an invalid setting
...               type, functional requests, the return to the default session and 0x19 while it is off.
...
...               "Inject fault X" makes the simulated ECU report a failed test for a DTC that is not
...               confirmed at power-on (``${FAULT_DTC}``); on a real ECU those steps are left out or the
...               case is skipped.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x85
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x85    requires:dtc-setting

Name              0x85 Control DTC Setting


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC8501 Faults Do Not Change DTCs While DTC Setting Is Off
    [Documentation]    After 85 02 a failed test result leaves the DTC statuses as they were.
    [Tags]    positive    fault    physical    requires:simulator    requires:fault-dtc
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request    85 02    expected=C5 02
    Let Fault X Occur
    DTC Report Should Be    19 02 08    59 02 ${SAM}    ${CONFIRMED_DTC_RECORDS}
TC8502 Faults Change DTCs Again When DTC Setting Is On
    [Documentation]    After 85 02 then 85 01 a failed test result confirms the DTC again.
    [Tags]    positive    fault    physical    requires:simulator    requires:fault-dtc
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request    85 02    expected=C5 02
    Send UDS Request    85 01    expected=C5 01
    Let Fault X Occur
    DTC Report Should Be    19 02 08    59 02 ${SAM}    ${CONFIRMED_DTC_RECORDS_WITH_FAULT}
TC8503 Suppressed Response Still Turns DTC Setting Off
    [Documentation]    85 82 is not answered, but DTC setting is off: a fault changes no status.
    [Tags]    sprmib    physical
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request And Expect No Response    85 82    window=${SILENCE_WINDOW}
    IF    ${SIMULATED} and not $UNMET['fault-dtc']
        Let Fault X Occur
        DTC Report Should Be    19 02 08    59 02 ${SAM}    ${CONFIRMED_DTC_RECORDS}
    END
TC8504 Invalid Setting Type Gets 0x12
    [Documentation]    DTCSettingType 00 is reserved and gets subFunctionNotSupported.
    [Tags]    nrc    physical
    P EXT    85 00    7F 85 12
TC8505 Default Session Turns DTC Setting On Again
    [Documentation]    After 85 02, returning to the default session turns DTC setting on: a fault is recorded.
    [Tags]    session    fault    physical    requires:simulator    requires:fault-dtc
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request    85 02    expected=C5 02
    Send UDS Request    10 ${DEFAULT_SESSION}    expected=50 ${DEFAULT_SESSION} ${DSC_TIMING}
    Let Fault X Occur
    DTC Report Should Be    19 02 08    59 02 ${SAM}    ${CONFIRMED_DTC_RECORDS_WITH_FAULT}
TC8506 Functional Suppressed DTC Setting Off Stays Silent
    [Documentation]    85 82 sent functionally is not answered, and DTC setting is off.
    [Tags]    sprmib    functional    requires:functional
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request And Expect No Response    85 82    functional=${True}    window=${SILENCE_WINDOW}
    IF    ${SIMULATED} and not $UNMET['fault-dtc']
        Let Fault X Occur
        DTC Report Should Be    19 02 08    59 02 ${SAM}    ${CONFIRMED_DTC_RECORDS}
    END
TC8507 DTCs Are Readable While DTC Setting Is Off
    [Documentation]    ReadDTCInformation still answers while DTC setting is off, with the frozen statuses.
    [Tags]    positive    physical    requires:dtcs
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request    85 02    expected=C5 02
    IF    ${SIMULATED} and not $UNMET['fault-dtc']    Let Fault X Occur
    DTC Report Should Be    19 02 FF    59 02 ${SAM}    ${ALL_DTC_RECORDS}
