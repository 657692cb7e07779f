*** Settings ***
Documentation     WriteDataByIdentifier 0x2E (catalogue section 7): writing and reading back, the
...               session and security checks in their order, record length, read-only and unknown
...               DIDs, a failed NvM write and the written value surviving a reset.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x2E
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x2e    physical

Name              0x2E Write Data By Identifier


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC2E01 Written Value Is Read Back
    [Documentation]    A write in the extended session, unlocked, is confirmed and the new value is read back.
    [Tags]    positive    requires:writable-did
    P EXT U    2E ${WRITABLE_DID} ${WRITABLE_DID_NEW_VALUE}    6E ${WRITABLE_DID}
    ...    22 ${WRITABLE_DID}    62 ${WRITABLE_DID} ${WRITABLE_DID_NEW_VALUE}
    [Teardown]    Restore Writable DID On A Real ECU
TC2E02 Write In Default Session Gets 0x7F
    [Documentation]    WriteDataByIdentifier in the default session gets serviceNotSupportedInActiveSession.
    [Tags]    nrc    session    requires:writable-did    requires:write-not-in-default
    P DEF    2E ${WRITABLE_DID} ${WRITABLE_DID_NEW_VALUE}    7F 2E 7F
TC2E03 Write While Locked Gets 0x33
    [Documentation]    A DID that needs security access gets securityAccessDenied while locked.
    [Tags]    nrc    security    requires:writable-did    requires:secured-write
    P EXT    2E ${WRITABLE_DID} ${WRITABLE_DID_NEW_VALUE}    7F 2E 33
TC2E04 Record One Byte Short Gets 0x13
    [Documentation]    A data record shorter than the DID gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    requires:writable-did
    P EXT U    2E ${WRITABLE_DID} ${WRITABLE_DID_SHORT_VALUE}    7F 2E 13
TC2E05 Unsupported DID Gets 0x31
    [Documentation]    A write to a DID the ECU does not have gets requestOutOfRange.
    [Tags]    nrc
    P EXT U    2E ${UNSUPPORTED_DID} 00    7F 2E 31
TC2E06 Read-only DID Gets 0x31
    [Documentation]    A write to a DID that can only be read gets requestOutOfRange.
    [Tags]    nrc    requires:read-only-did
    P EXT U    2E ${READ_ONLY_DID} ${READ_ONLY_DID_NEW_VALUE}    7F 2E 31
TC2E07 DID Check Comes Before The Security Check
    [Documentation]    While locked, an unsupported DID gets 0x31, not 0x33.
    [Tags]    nrc    security
    P EXT    2E ${UNSUPPORTED_DID} 00    7F 2E 31
TC2E08 Failed NvM Write Gets 0x72
    [Documentation]    When the (simulated) NvM write fails the ECU answers generalProgrammingFailure.
    [Tags]    nrc    fault    requires:writable-did    requires:simulator
    [Template]    NONE
    Establish Precondition    P EXT U
    Inject Fault    nvm_write_error    True
    Send UDS Request    2E ${WRITABLE_DID} ${WRITABLE_DID_NEW_VALUE}    expected=7F 2E 72
TC2E09 Written Value Survives A Reset
    [Documentation]    A value written to a non-volatile DID is read back after a hard reset.
    [Tags]    positive    requires:writable-did    requires:persistent-did    requires:hard-reset
    [Template]    NONE
    Establish Precondition    P EXT U
    Send UDS Request    2E ${WRITABLE_DID} ${WRITABLE_DID_NEW_VALUE}    expected=6E ${WRITABLE_DID}
    Send UDS Request    11 ${HARD_RESET}    expected=51 ${HARD_RESET}
    Wait Until ECU Has Reset
    Send UDS Request    22 ${WRITABLE_DID}    expected=62 ${WRITABLE_DID} ${WRITABLE_DID_NEW_VALUE}
    [Teardown]    Restore Writable DID On A Real ECU
