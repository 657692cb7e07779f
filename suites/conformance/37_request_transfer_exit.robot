*** Settings ***
Documentation     RequestTransferExit 0x37 (catalogue section 13): the exit with complete, incomplete, corrupt and
...               slowly verified data, and without a download.
...
...               Common precondition (``P PRG U ERASED``): extended then programming session, the
...               programming security level unlocked, the download area erased through the erase routine.
...               RequestDownload, TransferData and RequestTransferExit are checked together: the
...               cases are skipped when the ECU lacks any of them (``requires:download``).

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x37
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x37    requires:download    physical

Name              0x37 Request Transfer Exit


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC3701 Exit After All Data Is Accepted
    [Documentation]    RequestTransferExit after the whole announced amount is answered 77.
    [Tags]    positive
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Transfer All Data
    Send UDS Request    37    expected=77
TC3702 Exit Without Transfer Gets 0x24
    [Documentation]    RequestTransferExit without a download gets requestSequenceError.
    [Tags]    nrc    sequence
    P PRG U ERASED    37    7F 37 24
TC3703 Exit Before All Data Gets 0x24
    [Documentation]    RequestTransferExit before the announced amount is transferred gets requestSequenceError.
    [Tags]    nrc    sequence
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA}    76 01    37    7F 37 24
TC3704 Exit With Corrupt Data Gets 0x72
    [Documentation]    When the (simulated) check of the data fails, the exit gets generalProgrammingFailure.
    [Tags]    nrc    fault    requires:simulator
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Transfer All Data
    Inject Fault    crc_mismatch    True
    Send UDS Request    37    expected=7F 37 72
TC3705 Slow Verification Answers 0x78 Then 77
    [Documentation]    A (simulated) verification longer than P2* is bridged by 0x78 within P2 and P2*, then 77.
    [Tags]    timing    fault    requires:simulator
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Transfer All Data
    Inject Fault    slow_verification    ${SLOW_OPERATION}
    Send UDS Request    37    expected=77
    Responses Should Respect P2 And P2*    min_pending=1
