*** Settings ***
Documentation     ECUReset 0x11 (catalogue section 3): the positive response comes before the reset,
...               the ECU is silent while it resets and comes back in the default session, locked; the
...               suppress bit, unsupported reset types, wrong lengths and refused conditions.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x11
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x11

Name              0x11 ECU Reset


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC1101 Hard Reset Is Answered Before The ECU Resets
    [Documentation]    51 01 comes first, the ECU is silent while resetting, then answers in the default session.
    [Tags]    positive    physical    requires:hard-reset    requires:session-did
    [Template]    NONE
    Send UDS Request    11 ${HARD_RESET}    expected=51 ${HARD_RESET}
    Send UDS Request And Expect No Response    3E 00    window=${SILENCE_WINDOW}
    Wait Until ECU Has Reset
    Active Session Should Be    ${DEFAULT_SESSION}
TC1102 Reset Returns To Default Session And Locks Security
    [Documentation]    After a reset from the extended session, unlocked, the ECU is in default and locked.
    [Tags]    session    security    physical    requires:hard-reset    requires:security
    [Template]    NONE
    Establish Precondition    P EXT U
    Send UDS Request    11 ${HARD_RESET}    expected=51 ${HARD_RESET}
    Wait Until ECU Has Reset
    Send UDS Request    10 ${EXTENDED_SESSION}    expected=50 ${EXTENDED_SESSION} ${DSC_TIMING}
    Security Level Should Be Locked
TC1103 Unsupported Reset Type Gets 0x12
    [Documentation]    A reset type the ECU does not support gets subFunctionNotSupported.
    [Tags]    nrc    physical
    P DEF    11 ${UNSUPPORTED_RESET}    7F 11 12
TC1104 Missing Reset Type Gets 0x13
    [Documentation]    The service id alone gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    physical
    P DEF    11    7F 11 13
TC1105 Extra Byte Gets 0x13
    [Documentation]    11 01 with an extra byte gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    physical    requires:hard-reset
    P DEF    11 ${HARD_RESET} 00    7F 11 13
TC1106 Suppressed Response Still Resets
    [Documentation]    11 81 from the extended session is not answered, and the ECU comes back in default.
    [Tags]    sprmib    physical    requires:hard-reset    requires:extended    requires:session-did
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request And Expect No Response    11 ${HARD_RESET_SPRMIB}    window=${SILENCE_WINDOW}
    Wait Until ECU Has Reset
    Active Session Should Be    ${DEFAULT_SESSION}
TC1107 Functional Unsupported Reset Type Stays Silent
    [Documentation]    NRC 0x12 to a functional reset request is suppressed.
    [Tags]    nrc    functional
    F DEF    11 ${UNSUPPORTED_RESET}    ${NO_RESPONSE}
TC1108 Reset Refused While The Vehicle Moves
    [Documentation]    With the (simulated) vehicle moving the ECU refuses the reset with conditionsNotCorrect.
    [Tags]    nrc    fault    physical    requires:hard-reset    requires:simulator
    [Template]    NONE
    Inject Fault    vehicle_moving    True
    Send UDS Request    11 ${HARD_RESET}    expected=7F 11 22
