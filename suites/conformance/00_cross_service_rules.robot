*** Settings ***
Documentation     Cross-service rules (catalogue section 1): the NRC check order every service shares,
...               functional addressing (no 0x11, 0x12, 0x31, 0x7E or 0x7F to a functional request),
...               the suppressPosRspMsgIndicationBit (SPRMIB), and P2/P2* with responsePending (0x78).

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Name              Cross-Service Rules


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
GEN01 Unsupported Service Gets 0x11
    [Documentation]    A service the ECU supports in no session is answered serviceNotSupported (0x11).
    [Tags]    nrc    physical    sid:0x${UNSUPPORTED_SID}
    P DEF    ${UNSUPPORTED_SID} 01    7F ${UNSUPPORTED_SID} 11
GEN02 Service Not In Session Gets 0x7F Before 0x13
    [Documentation]    A too short request for a service not allowed in the session gets 0x7F, not 0x13.
    [Tags]    nrc    physical    sid:0x${NOT_IN_DEFAULT_SID}    requires:service-not-in-default
    P DEF    ${NOT_IN_DEFAULT_SHORT_REQUEST}    7F ${NOT_IN_DEFAULT_SID} 7F
GEN03 Missing Sub-function Gets 0x13
    [Documentation]    The minimum length (SID and sub-function) is the first check of the sub-function branch.
    [Tags]    nrc    length    physical    sid:0x10
    P EXT    10    7F 10 13
GEN04 Unsupported Sub-function Gets 0x12 Before The Length Check
    [Documentation]    An unsupported sub-function with a wrong total length gets 0x12, not 0x13.
    [Tags]    nrc    physical    sid:0x10
    P EXT    10 ${UNSUPPORTED_SESSION} 00    7F 10 12
GEN05 Functional Unsupported Service Stays Silent
    [Documentation]    NRC 0x11 is suppressed on a functional request.
    [Tags]    nrc    functional    sid:0x${UNSUPPORTED_SID}
    F DEF    ${UNSUPPORTED_SID} 01    ${NO_RESPONSE}
GEN06 Functional Unsupported Sub-function Stays Silent
    [Documentation]    NRC 0x12 is suppressed on a functional request.
    [Tags]    nrc    functional    sid:0x10
    F DEF    10 ${UNSUPPORTED_SESSION}    ${NO_RESPONSE}
GEN07 Functional Unsupported DID Stays Silent
    [Documentation]    NRC 0x31 is suppressed on a functional request.
    [Tags]    nrc    functional    sid:0x22
    F DEF    22 ${UNSUPPORTED_DID}    ${NO_RESPONSE}
GEN08 Functional Service Not In Session Stays Silent
    [Documentation]    NRC 0x7F is suppressed on a functional request.
    [Tags]    nrc    functional    sid:0x${NOT_IN_DEFAULT_SID}    requires:service-not-in-default
    F DEF    ${NOT_IN_DEFAULT_REQUEST}    ${NO_RESPONSE}
GEN10 SPRMIB Never Suppresses A Negative Response
    [Documentation]    With the suppress bit set, an unsupported sub-function still gets 0x12.
    [Tags]    nrc    sprmib    physical    sid:0x10
    P DEF    10 ${UNSUPPORTED_SESSION_SPRMIB}    7F 10 12
GEN11 Response Pending Keeps Within P2 And P2*
    [Documentation]    A long routine answers 0x78 within P2, repeats it within P2* and then answers finally.
    [Tags]    timing    physical    sid:0x31    requires:erase-routine
    [Template]    NONE
    Establish Precondition    P PRG U
    Send UDS Request    31 01 ${ERASE_RID} ${ERASE_OPTION}    expected=71 01 ${ERASE_RID} ${ERASE_RECORD}
    Responses Should Respect P2 And P2*    min_pending=1
GEN12 Final Response After 0x78 Despite SPRMIB
    [Documentation]    Once 0x78 has been sent, the final positive response comes even with the suppress bit set.
    [Tags]    timing    sprmib    physical    sid:0x31    requires:erase-routine
    [Template]    NONE
    Establish Precondition    P PRG U
    Send UDS Request    31 81 ${ERASE_RID} ${ERASE_OPTION}    expected=71 01 ${ERASE_RID} ${ERASE_RECORD}
    Responses Should Respect P2 And P2*    min_pending=1
