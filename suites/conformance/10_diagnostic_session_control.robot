*** Settings ***
Documentation     DiagnosticSessionControl 0x10 (catalogue section 2): entering the sessions and the
...               timing they announce, the transitions the ECU refuses, the suppress bit, re-locking on
...               re-entry, the S3 fallback to the default session and what the default session resets.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x10
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x10    session    physical

Name              0x10 Diagnostic Session Control


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC1001 Default Session Announces P2 And P2*
    [Documentation]    10 01 is answered with the session and the ECU's P2 (1 ms) and P2* (10 ms units).
    [Tags]    positive
    P DEF    10 ${DEFAULT_SESSION}    50 ${DEFAULT_SESSION} ${DSC_TIMING}
TC1002 Extended Session Is Entered
    [Documentation]    10 03 is answered with the announced timing and the active session becomes extended.
    [Tags]    positive    requires:extended    requires:session-did
    P DEF    10 ${EXTENDED_SESSION}    50 ${EXTENDED_SESSION} ${DSC_TIMING}
    ...    22 ${SESSION_DID}    62 ${SESSION_DID} ${EXTENDED_SESSION}
TC1003 Programming Session Is Entered From Extended
    [Documentation]    10 02 from the extended session is answered and the active session becomes programming.
    [Tags]    positive    requires:programming    requires:session-did
    P EXT    10 ${PROGRAMMING_SESSION}    50 ${PROGRAMMING_SESSION} ${DSC_TIMING}
    ...    22 ${SESSION_DID}    62 ${SESSION_DID} ${PROGRAMMING_SESSION}
TC1004 Programming Session Is Refused From Default
    [Documentation]    A session that cannot be entered from the active one gets 0x7E.
    [Tags]    nrc    requires:programming-not-from-default
    P DEF    10 ${PROGRAMMING_SESSION}    7F 10 7E
TC1005 Unsupported Session Gets 0x12
    [Documentation]    A session the ECU does not have gets subFunctionNotSupported.
    [Tags]    nrc
    P DEF    10 ${UNSUPPORTED_SESSION}    7F 10 12
TC1006 Wrong Length Gets 0x13
    [Documentation]    10 03 with an extra byte gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length
    P DEF    10 ${EXTENDED_SESSION} 00    7F 10 13
TC1007 Suppressed Response Still Changes The Session
    [Documentation]    10 83 is not answered, but the extended session is entered.
    [Tags]    sprmib    requires:extended    requires:session-did
    P DEF    10 ${EXTENDED_SESSION_SPRMIB}    ${NO_RESPONSE}
    ...    22 ${SESSION_DID}    62 ${SESSION_DID} ${EXTENDED_SESSION}
TC1008 Re-entering The Same Session Locks Security Again
    [Documentation]    10 03 while unlocked in the extended session resets security access to locked.
    [Tags]    security    requires:security
    [Template]    NONE
    Establish Precondition    P EXT U
    Send UDS Request    10 ${EXTENDED_SESSION}    expected=50 ${EXTENDED_SESSION} ${DSC_TIMING}
    Security Level Should Be Locked
TC1009 S3 Timeout Returns To The Default Session
    [Documentation]    Without requests for longer than S3 the ECU falls back to the default session.
    [Tags]    timing    requires:extended    requires:session-did
    [Template]    NONE
    Establish Precondition    P EXT
    Let S3 Expire
    Active Session Should Be    ${DEFAULT_SESSION}
TC1010 Default Session Restores Communication And DTC Setting
    [Documentation]    10 01 ends CommunicationControl and ControlDTCSetting: frames resume, DTCs are recorded.
    [Tags]    positive    requires:communication-control    requires:application-frames    requires:dtc-setting
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request    28 ${COMMUNICATION_DISABLE} 01    expected=68 ${COMMUNICATION_DISABLE}
    Send UDS Request    85 02    expected=C5 02
    Application Frames Should Stop
    Send UDS Request    10 ${DEFAULT_SESSION}    expected=50 ${DEFAULT_SESSION} ${DSC_TIMING}
    Application Frames Should Be Sent
    IF    ${SIMULATED} and not $UNMET['fault-dtc']
        Let Fault X Occur
        DTC Report Should Be    19 02 08    59 02 ${SAM}    ${CONFIRMED_DTC_RECORDS_WITH_FAULT}
    END
