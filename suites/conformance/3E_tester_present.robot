*** Settings ***
Documentation     TesterPresent 0x3E (catalogue section 5): the answer and its suppression, invalid
...               sub-functions and lengths, and the keep-alive of a non-default session against the S3
...               timer, physically and functionally.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x3E
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x3e

Name              0x3E Tester Present


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC3E01 Tester Present Is Answered
    [Documentation]    3E 00 is answered with 7E 00.
    [Tags]    positive    physical
    P DEF    3E 00    7E 00
TC3E02 Suppressed Tester Present Is Not Answered
    [Documentation]    3E 80 gets no response.
    [Tags]    sprmib    physical
    P DEF    3E 80    ${NO_RESPONSE}
TC3E03 Tester Present In Extended Session Keeps The Session
    [Documentation]    3E 00 is answered in the extended session, which stays active.
    [Tags]    positive    session    physical    requires:session-did
    P EXT    3E 00    7E 00    22 ${SESSION_DID}    62 ${SESSION_DID} ${EXTENDED_SESSION}
TC3E04 Suppressed Tester Present In Extended Session Keeps The Session
    [Documentation]    3E 80 is not answered in the extended session, which stays active.
    [Tags]    sprmib    session    physical    requires:session-did
    P EXT    3E 80    ${NO_RESPONSE}    22 ${SESSION_DID}    62 ${SESSION_DID} ${EXTENDED_SESSION}
TC3E05 Invalid Sub-function Gets 0x12
    [Documentation]    The zeroSubFunction is the only one: 3E 01 gets subFunctionNotSupported.
    [Tags]    nrc    physical
    P DEF    3E 01    7F 3E 12
TC3E06 Invalid Sub-function With SPRMIB Still Gets 0x12
    [Documentation]    3E 81 gets 0x12: the suppress bit does not suppress a negative response.
    [Tags]    nrc    sprmib    physical
    P DEF    3E 81    7F 3E 12
TC3E07 Missing Sub-function Gets 0x13
    [Documentation]    The service id alone gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    physical
    P DEF    3E    7F 3E 13
TC3E08 Extra Byte Gets 0x13
    [Documentation]    3E 00 with an extra byte gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    physical
    P DEF    3E 00 00    7F 3E 13
TC3E09 Physical Keep-Alive Holds The Session Past S3
    [Documentation]    3E 80 sent well within S3, for more than twice S3, keeps the extended session.
    [Tags]    timing    session    sprmib    physical    requires:extended    requires:session-did
    [Template]    NONE
    Establish Precondition    P EXT
    Keep Session Alive For    ${KEEP_ALIVE_DURATION}
    Active Session Should Be    ${EXTENDED_SESSION}
TC3E10 Without Keep-Alive S3 Returns To Default
    [Documentation]    No request for longer than S3: the ECU is back in the default session.
    [Tags]    timing    session    physical    requires:extended    requires:session-did
    [Template]    NONE
    Establish Precondition    P EXT
    Let S3 Expire
    Active Session Should Be    ${DEFAULT_SESSION}
TC3E11 Functional Keep-Alive Holds The Session Past S3
    [Documentation]    3E 80 sent functionally well within S3 keeps the extended session too.
    [Tags]    timing
    ...       session
    ...       sprmib
    ...       functional
    ...       requires:extended
    ...       requires:session-did
    ...       requires:functional
    [Template]    NONE
    Establish Precondition    P EXT
    Keep Session Alive For    ${KEEP_ALIVE_DURATION}    functional=${True}
    Active Session Should Be    ${EXTENDED_SESSION}
TC3E12 Functional Invalid Then Valid Tester Present
    [Documentation]    Functionally, 3E 01 gets no answer (0x12 suppressed) while 3E 00 is answered.
    [Tags]    nrc    functional
    F DEF    3E 01    ${NO_RESPONSE}    3E 00    7E 00
