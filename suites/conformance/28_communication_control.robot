*** Settings ***
Documentation     CommunicationControl 0x28 (catalogue section 11): the ECU's periodic application
...               frames stop and resume while diagnostics go on, with the suppress bit and functionally;
...               the session, sub-function, length and communicationType checks; the S3 timeout ends it.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x28
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x28    requires:communication-control

Name              0x28 Communication Control


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC2801 Application Frames Stop And Diagnostics Go On
    [Documentation]    28 03 01 stops the normal application frames (not NM), and diagnostics are still answered.
    [Tags]    positive    physical    requires:application-frames    requires:session-did
    [Template]    NONE
    Establish Precondition    P EXT
    Application Frames Should Be Sent
    Send UDS Request    28 ${COMMUNICATION_DISABLE} 01    expected=68 ${COMMUNICATION_DISABLE}
    Application Frames Should Stop
    IF    not $UNMET['nm-frames']    Application Frames Should Be Sent    nm
    Active Session Should Be    ${EXTENDED_SESSION}
TC2802 Application Frames Resume
    [Documentation]    28 00 01 after they were stopped makes the normal application frames resume.
    [Tags]    positive    physical    requires:application-frames
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request    28 ${COMMUNICATION_DISABLE} 01    expected=68 ${COMMUNICATION_DISABLE}
    Application Frames Should Stop
    Send UDS Request    28 ${COMMUNICATION_ENABLE} 01    expected=68 ${COMMUNICATION_ENABLE}
    Application Frames Should Be Sent
TC2803 Suppressed Response Still Stops The Frames
    [Documentation]    28 83 01 is not answered, but the normal application frames stop.
    [Tags]    sprmib    physical    requires:application-frames
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request And Expect No Response    28 ${COMMUNICATION_DISABLE_SPRMIB} 01    window=${SILENCE_WINDOW}
    Application Frames Should Stop
TC2804 Communication Control In Default Session Gets 0x7F
    [Documentation]    CommunicationControl in the default session gets serviceNotSupportedInActiveSession.
    [Tags]    nrc    session    physical    requires:communication-control-not-in-default
    P DEF    28 ${COMMUNICATION_DISABLE} 01    7F 28 7F
TC2805 Unsupported Control Type Gets 0x12
    [Documentation]    A controlType the ECU does not support gets subFunctionNotSupported.
    [Tags]    nrc    physical
    P EXT    28 ${UNSUPPORTED_COMMUNICATION_CONTROL} 01    7F 28 12
TC2806 Missing Communication Type Gets 0x13
    [Documentation]    A request without communicationType gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    physical
    P EXT    28 ${COMMUNICATION_DISABLE}    7F 28 13
TC2807 Communication Type Without Messages Gets 0x31
    [Documentation]    communicationType 00 selects no messages and gets requestOutOfRange.
    [Tags]    nrc    physical
    P EXT    28 ${COMMUNICATION_DISABLE} 00    7F 28 31
TC2808 Functional Request Stops Normal And NM Frames
    [Documentation]    28 83 03 sent functionally is not answered, and normal and NM frames of every ECU stop.
    [Tags]    sprmib    functional    requires:application-frames    requires:functional    requires:extended
    [Template]    NONE
    Send Functional UDS Request    10 ${EXTENDED_SESSION}    expected=50 ${EXTENDED_SESSION} *
    ...    window=${FUNCTIONAL_WINDOW}
    Send UDS Request And Expect No Response    28 ${COMMUNICATION_DISABLE_SPRMIB} 03    functional=${True}
    ...    window=${SILENCE_WINDOW}
    Application Frames Should Stop    all    all_ecus=${True}
TC2809 S3 Timeout Makes The Frames Resume
    [Documentation]    Without requests, the S3 timeout ends the disabled communication with the extended session.
    [Tags]    timing    session    physical    requires:application-frames
    [Template]    NONE
    Establish Precondition    P EXT
    Send UDS Request    28 ${COMMUNICATION_DISABLE} 01    expected=68 ${COMMUNICATION_DISABLE}
    Application Frames Should Stop    window=${{ 0.8 * ${S3} }}
    Application Frames Should Be Sent    within=${{ 0.3 * ${S3} + 0.5 }}
