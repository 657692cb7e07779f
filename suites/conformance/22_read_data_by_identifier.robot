*** Settings ***
Documentation     ReadDataByIdentifier 0x22 (catalogue section 6): multi-frame answers, several DIDs in
...               request order, unsupported DIDs left out or refused, length checks, the transport's
...               largest message, DIDs limited to a session and DIDs behind security access.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x22
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x22    physical

Name              0x22 Read Data By Identifier


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC2201 Long DID Is Read In A Multi-frame Response
    [Documentation]    A DID of 7 bytes or more comes back whole, in a first frame and consecutive frames.
    [Tags]    positive    requires:multi-frame-did
    P DEF    22 ${MULTI_FRAME_DID}    62 ${MULTI_FRAME_DID} ${MULTI_FRAME_DID_VALUE}
TC2202 Two DIDs Are Answered In Request Order
    [Documentation]    Several DIDs in one request are answered in the order they were asked for.
    [Tags]    positive    requires:multi-frame-did    requires:read-only-did
    P DEF    22 ${MULTI_FRAME_DID} ${READ_ONLY_DID}
    ...    62 ${MULTI_FRAME_DID} ${MULTI_FRAME_DID_VALUE} ${READ_ONLY_DID} ${READ_ONLY_DID_VALUE}
TC2203 Unsupported DID Among Supported Ones Is Left Out
    [Documentation]    An unsupported DID next to a supported one is left out of the positive response.
    [Tags]    positive    requires:multi-frame-did
    P DEF    22 ${MULTI_FRAME_DID} ${UNSUPPORTED_DID}    62 ${MULTI_FRAME_DID} ${MULTI_FRAME_DID_VALUE}
TC2204 Unsupported DID Gets 0x31
    [Documentation]    A request for unsupported DIDs only gets requestOutOfRange.
    [Tags]    nrc
    P DEF    22 ${UNSUPPORTED_DID}    7F 22 31
TC2205 Missing DID Gets 0x13
    [Documentation]    The service id alone gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length
    P DEF    22    7F 22 13
TC2206 Odd Request Length Gets 0x13
    [Documentation]    A DID followed by a single byte gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    requires:multi-frame-did
    P DEF    22 ${MULTI_FRAME_DID} F1    7F 22 13
TC2208 Response Longer Than The Transport Allows Gets 0x14
    [Documentation]    DIDs whose joint answer exceeds the largest ISO-TP message get responseTooLong.
    [Tags]    nrc    requires:response-too-long
    P DEF    22 ${LARGE_DIDS}    7F 22 14
TC2209 DID Of Another Session Gets 0x31
    [Documentation]    A DID readable only in the extended session gets 0x31 (not 0x7F) in the default session.
    [Tags]    nrc    session    requires:extended-only-did
    P DEF    22 ${EXTENDED_ONLY_DID}    7F 22 31
TC2210 Secured DID While Locked Gets 0x33
    [Documentation]    A DID behind security access gets securityAccessDenied while the level is locked.
    [Tags]    nrc    security    requires:secured-did
    P EXT    22 ${SECURED_DID}    7F 22 33
TC2212 Secured DID While Unlocked Is Read With Another
    [Documentation]    Once unlocked, the secured DID is read together with the active session DID.
    [Tags]    positive    security    requires:secured-did    requires:session-did
    P EXT U    22 ${SECURED_DID} ${SESSION_DID}
    ...    62 ${SECURED_DID} ${SECURED_DID_VALUE} ${SESSION_DID} ${EXTENDED_SESSION}
